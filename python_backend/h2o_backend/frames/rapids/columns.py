"""Column operators with H2O-3's names and result shapes.

- ``(cbind a b ...)``: the columns of frames (same row count) and numbers (a constant column
  named by the number) side by side; repeated names get 0, 1, ... appended;
- ``(as.factor x)``: categorical columns; numbers become levels sorted by value (written as R
  writes them: ``1``, ``2.5``), strings levels sorted alphabetically;
- ``(is.factor x)``: 1/0 per column (numbers); ``(nlevels x)``: the number of levels of a
  one-column categorical frame, else 0; ``(levels x)``: a frame with one categorical column per
  column holding its levels in order (padded with NA);
- ``(h2o.runif x seed)``: a column ``rnd`` of uniform [0, 1) numbers, one per row of x; seed -1
  draws a random seed;
- ``(table x)`` / ``(table x y dense)``: counts of each value (``Count``) or of each pair of
  values present (``Counts``), missing values skipped.
"""
from __future__ import annotations

import numpy as np

from h2o_backend.frames.frame import Column, Frame
from h2o_backend.frames.rapids.evaluator import expect_args, operator
from h2o_backend.frames.rapids.parser import RapidsError, show
from h2o_backend.frames.rapids.values import Num, Nums, describe, number_of, numeric_column, unique_names


@operator("cbind")
def cbind(ctx, op, args):
    if not args:
        raise RapidsError("'cbind' needs at least one frame")
    values = [ctx.eval(a) for a in args]
    frames = [v for v in values if isinstance(v, Frame) and v.ncols]
    nrows = frames[0].nrows if frames else 1
    columns: list[Column] = []
    for v in values:
        if isinstance(v, Frame):
            if v.ncols and v.nrows != nrows:
                raise RapidsError(f"cbind frames must have all the same rows, found {nrows} and {v.nrows} rows")
            columns.extend(v.columns)
        elif isinstance(v, Num):
            columns.append(Column(repr(v.value), "real", np.full(nrows, v.value)))
        else:
            raise RapidsError(f"'cbind' binds frames and numbers, not {describe(v)}")
    names = unique_names([c.name for c in columns])
    key = frames[0].key if frames else "cbind"
    return Frame(key, [Column(n, c.type, c.data, c.domain) for n, c in zip(names, columns)])


def column_by_column(name: str, convert):
    """Register ``(name x)``: the frame x with ``convert(column)`` applied to every column."""
    @operator(name)
    def apply(ctx, op, args):
        expect_args(op, args, (1,), f"({name} x)")
        frame = ctx.frame(args[0], op)
        return Frame(frame.key, [convert(c) for c in frame.columns])
    return apply


def to_factor(column: Column) -> Column:
    if column.is_enum:
        return column
    if column.type == "string":
        missing = column.missing_mask()
        present = column.data[~missing].astype(str)
        levels, codes = np.unique(present, return_inverse=True)
        data = np.full(len(column.data), -1, dtype=np.int32)
        data[~missing] = codes
        return Column(column.name, "enum", data, [str(x) for x in levels])
    values = column.data
    missing = np.isnan(values)
    levels, codes = np.unique(values[~missing], return_inverse=True)
    data = np.full(len(values), -1, dtype=np.int32)
    data[~missing] = codes
    return Column(column.name, "enum", data, [_level_name(v) for v in levels])


column_by_column("as.factor", to_factor)


def _level_name(value: float) -> str:
    if np.isfinite(value) and value == round(value) and abs(value) < 1e15:
        return str(int(value))
    return format(value, ".15g")


@operator("is.factor")
def is_factor(ctx, op, args):
    expect_args(op, args, (1,), "(is.factor x)")
    frame = ctx.frame(args[0], op)
    return Nums([1.0 if c.is_enum else 0.0 for c in frame.columns])


@operator("nlevels")
def nlevels(ctx, op, args):
    expect_args(op, args, (1,), "(nlevels x)")
    frame = ctx.frame(args[0], op)
    if frame.ncols == 1 and frame.columns[0].is_enum:
        return Num(float(len(frame.columns[0].domain)))
    return Num(0.0)


@operator("levels")
def levels(ctx, op, args):
    expect_args(op, args, (1,), "(levels x)")
    frame = ctx.frame(args[0], op)
    longest = max([len(c.domain) for c in frame.columns if c.is_enum], default=0)
    columns = []
    for c in frame.columns:
        n = len(c.domain) if c.is_enum else 0
        data = np.full(longest, -1, dtype=np.int32)
        data[:n] = np.arange(n, dtype=np.int32)
        columns.append(Column(c.name, "enum", data, list(c.domain) if c.is_enum else []))
    return Frame(frame.key, columns)


@operator("h2o.runif")
def runif(ctx, op, args):
    expect_args(op, args, (2,), "(h2o.runif frame seed)")
    frame = ctx.frame(args[0], op)
    seed = number_of(ctx.eval(args[1]), op, "seed")
    if seed != -1 and (seed != int(seed) or seed < 0):
        raise RapidsError(f"'h2o.runif': the seed must be a non-negative whole number or -1, not {seed:g}")
    rng = np.random.default_rng(None if seed == -1 else int(seed))
    return Frame(frame.key, [Column("rnd", "real", rng.random(frame.nrows))])


@operator("table")
def table(ctx, op, args):
    """(table x dense), (table x y dense) as H2O-3's clients send it, or (table x y)."""
    expect_args(op, args, (1, 2, 3), "(table x y dense)")
    first = ctx.frame(args[0], op)
    columns = list(first.columns)
    rest = [ctx.eval(a) for a in args[1:]]
    if rest and isinstance(rest[0], Frame):
        columns += rest.pop(0).columns
    elif len(rest) > 1:
        raise RapidsError(f"'table' needs a frame, but {show(args[1])} is not one")
    if len(columns) not in (1, 2):
        raise RapidsError(f"'table' counts one or two columns, not {len(columns)}")
    if rest and number_of(rest[0], op, "dense flag") != 1:
        raise RapidsError("'table': only the dense form (dense = 1, the present pairs) is supported")
    if any(c.type == "string" for c in columns):
        raise RapidsError("'table' counts numeric or categorical columns, not string columns")
    if len({len(c.data) for c in columns}) != 1:
        raise RapidsError("'table': the two columns have different row counts")
    values = [c.as_float() for c in columns]
    present = ~np.any([np.isnan(v) for v in values], axis=0)
    # each column's distinct values and codes, the codes combined into one integer per row
    uniques, codes = zip(*(np.unique(v[present], return_inverse=True) for v in values))
    combined = codes[0].astype(np.int64)
    for u, c in zip(uniques[1:], codes[1:]):
        combined = combined * len(u) + c
    keys, counts = np.unique(combined, return_counts=True)
    pairs = []
    for u in reversed(uniques):
        pairs.append(u[keys % len(u)])
        keys = keys // len(u)
    out = [_table_column(c, p) for c, p in zip(columns, reversed(pairs))]
    out.append(Column("Count" if len(columns) == 1 else "Counts", "int", counts.astype(np.float64)))
    return Frame(first.key, [Column(n, c.type, c.data, c.domain)
                             for n, c in zip(unique_names([c.name for c in out]), out)])


def _table_column(column: Column, values: np.ndarray) -> Column:
    if column.is_enum:
        return Column(column.name, "enum", values.astype(np.int32), column.domain)
    return numeric_column(column.name, values)
