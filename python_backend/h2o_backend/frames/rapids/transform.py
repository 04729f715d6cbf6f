"""Operators of the H2OFrame methods that data preparation uses, with H2O-3's argument orders and
result shapes:

- ``(is.character x)`` / ``(is.numeric x)``: 1/0 per column;
- ``(as.numeric x)``: categorical columns become their level indices (0-based), strings their
  numbers (NaN where a string is not one); ``(as.character x)``: every column as strings (levels
  for categoricals);
- ``(ifelse test yes no)``: per row, ``yes`` where the one-column ``test`` is non-zero, ``no``
  where it is zero, NA where it is missing; ``yes``/``no`` numbers, one-column frames or quoted
  strings (a categorical result);
- ``(rbind a b ...)``: rows of frames with the same columns (categorical levels merged: the first
  frame's, then new ones in order of appearance);
- ``(scale x center scale)``: numeric columns minus their mean and / or divided by their standard
  deviation (``center``/``scale`` TRUE/FALSE or lists of numbers, one per column);
- ``(unique x include_nas)``: the distinct rows in ascending order (rows with a missing value only
  with include_nas); ``(sort x [cols] [dirs])``: rows by the columns (1 ascending, -1
  descending), missing values first, stable;
- ``(cut x [breaks] [labels] include_lowest right dig_lab)``: a numeric column to the interval
  each value falls in, ``(lo,hi]`` (``[lo,hi)`` when right is FALSE; include_lowest closes the
  first interval when right is TRUE, as H2O-3, never the last); the default labels are
  H2O-3's: each break rounded to dig_lab decimals (at most 12) and written as Java writes a
  double (``(40.0,60.0]``, ``1.0E7``);
- ``(GB x [by] agg col na ...)``: one row per group of the ``by`` columns (ascending), then per
  aggregate ``nrow`` (rows in the group), ``mean``, ``sum``, ``min``, ``max``, ``sd``, ``var``
  of a column, named as H2O-3 names them (``nrow``, ``mean_<col>``); ``na`` "all" (a missing
  value makes the result missing), "rm" or "ignore" (missing values left out);
- ``(h2o.impute x col method combine by groupByFrame values)``: missing values of column ``col``
  (-1: every column) replaced in place by its mean, median (numeric) or mode (categorical);
  answers the values used. Imputation by groups is refused by name.
"""
from __future__ import annotations

import decimal
import math

import numpy as np

from h2o_backend.frames.frame import Column, Frame
from h2o_backend.frames.rapids.columns import column_by_column
from h2o_backend.frames.rapids.evaluator import expect_args, operator, parse_number
from h2o_backend.frames.rapids.parser import Atom, RapidsError, show
from h2o_backend.frames.rapids.selection import column_indices
from h2o_backend.frames.rapids.values import Num, Nums, Str


# ---------------------------------------------------------------------------- literal arguments
def _flag(node, op: str) -> bool:
    value = parse_number(node.text) if isinstance(node, Atom) else None
    if value is None or math.isnan(value):
        raise RapidsError(f"'{op}' needs TRUE or FALSE, not {show(node)}")
    return bool(value)


def _numbers(node, op: str) -> list[float]:
    items = node if isinstance(node, list) else [node]
    out = []
    for item in items:
        value = parse_number(item.text) if isinstance(item, Atom) else None
        if value is None:
            raise RapidsError(f"'{op}' needs numbers, not {show(item)}")
        out.append(value)
    return out


def _texts(node) -> list[str] | None:
    if isinstance(node, list):
        return [i if isinstance(i, str) else i.text for i in node] or None
    return None if isinstance(node, Atom) and node.text in ("_", "NULL") else [str(node)]


def _values(col: Column) -> np.ndarray:
    """Sort/group keys: codes (-1 missing) for categoricals, values for numbers."""
    if col.type == "string":
        raise RapidsError(f"column '{col.name}' is a string column")
    return col.data.astype(np.float64) if col.is_enum else col.data


def _missing(col: Column) -> np.ndarray:
    return col.missing_mask()


# ---------------------------------------------------------------------------- conversions
def _to_numeric(col: Column) -> Column:
    if col.is_enum:
        return Column(col.name, "int", np.where(col.data < 0, np.nan, col.data.astype(np.float64)))
    if col.type == "string":
        values = np.array([_number_or_nan(v) for v in col.data], dtype=np.float64)
        return Column(col.name, "real", values)
    return col


def _number_or_nan(text) -> float:
    try:
        return float(text) if text is not None else math.nan
    except ValueError:
        return math.nan


def _to_strings(col: Column) -> Column:
    if col.type == "string":
        return col
    if col.is_enum:
        domain = np.array(list(col.domain) + [None], dtype=object)
        return Column(col.name, "string", domain[np.where(col.data < 0, len(col.domain), col.data)])
    out = np.array([None if not np.isfinite(v) else (str(int(v)) if v == int(v) and abs(v) < 1e15
                                                      else repr(float(v))) for v in col.data], dtype=object)
    return Column(col.name, "string", out)


column_by_column("as.numeric", _to_numeric)
column_by_column("as.character", _to_strings)


@operator("is.character", "is.numeric")
def is_type(ctx, op, args):
    expect_args(op, args, (1,), f"({op} x)")
    frame = ctx.frame(args[0], op)
    wanted = (lambda c: c.type == "string") if op == "is.character" else (lambda c: c.is_numeric)
    return Nums([1.0 if wanted(c) else 0.0 for c in frame.columns])


# ---------------------------------------------------------------------------- ifelse
@operator("ifelse")
def ifelse(ctx, op, args):
    expect_args(op, args, (3,), "(ifelse test yes no)")
    test = ctx.frame(args[0], op)
    if test.ncols != 1:
        raise RapidsError(f"'ifelse' needs a one-column test, got {test.ncols} columns")
    cond = test.columns[0].as_float()
    yes, no = ctx.eval(args[1]), ctx.eval(args[2])
    if isinstance(yes, Str) or isinstance(no, Str):
        if not (isinstance(yes, Str) and isinstance(no, Str)):
            raise RapidsError("'ifelse' with a string needs strings for both yes and no")
        domain = sorted({yes.value, no.value})
        data = np.where(cond != 0, domain.index(yes.value), domain.index(no.value)).astype(np.int32)
        data[np.isnan(cond)] = -1
        return Frame(test.key, [Column(test.columns[0].name, "enum", data, domain)])
    out = np.where(cond != 0, _branch(yes, test.nrows), _branch(no, test.nrows))
    out[np.isnan(cond)] = np.nan
    return Frame(test.key, [Column(test.columns[0].name, "real", out.astype(np.float64))])


def _branch(value, n: int) -> np.ndarray:
    if isinstance(value, Num):
        return np.full(n, value.value)
    if isinstance(value, Frame) and value.ncols == 1 and value.nrows == n:
        return value.columns[0].as_float()
    raise RapidsError("'ifelse' takes numbers, strings or one-column frames of the test's rows for yes and no")


# ---------------------------------------------------------------------------- rbind
@operator("rbind")
def rbind(ctx, op, args):
    if not args:
        raise RapidsError("'rbind' needs at least one frame")
    frames = [ctx.frame(a, op) for a in args]
    first = frames[0]
    for f in frames[1:]:
        if f.ncols != first.ncols:
            raise RapidsError(f"rbind frames must have the same columns, found {first.ncols} and {f.ncols}")
    return Frame(first.key, [_stack([f.columns[j] for f in frames]) for j in range(first.ncols)])


def _stack(cols: list[Column]) -> Column:
    head = cols[0]
    kinds = {"enum" if c.is_enum else "string" if c.type == "string" else "number" for c in cols}
    if len(kinds) > 1:
        raise RapidsError(f"rbind: column '{head.name}' has types {', '.join(sorted(kinds))} in the frames")
    if head.is_enum:
        domain = list(head.domain)
        for c in cols[1:]:
            domain += [d for d in c.domain if d not in domain]
        index = {d: i for i, d in enumerate(domain)}
        parts = [np.where(c.data < 0, -1, np.array([index[d] for d in c.domain] + [-1], np.int32)[c.data])
                 for c in cols]
        return Column(head.name, "enum", np.concatenate(parts).astype(np.int32), domain)
    data = np.concatenate([c.data for c in cols])
    kind = head.type if all(c.type == head.type for c in cols) else "real"
    return Column(head.name, kind, data)


# ---------------------------------------------------------------------------- scale
@operator("scale")
def scale(ctx, op, args):
    expect_args(op, args, (3,), "(scale x center scale)")
    frame = ctx.frame(args[0], op)
    n = frame.ncols
    centers = _per_column(args[1], n, op, "center")
    scales = _per_column(args[2], n, op, "scale")
    out = []
    for j, col in enumerate(frame.columns):
        if not col.is_numeric:
            raise RapidsError(f"'scale' needs numeric columns; '{col.name}' is {col.type}")
        v = col.data.astype(np.float64)
        finite = v[np.isfinite(v)]
        center = (float(finite.mean()) if finite.size else 0.0) if centers[j] is True else (centers[j] or 0.0)
        spread = 1.0
        if scales[j] is True:
            spread = float(np.sqrt(np.sum((finite - center) ** 2) / max(1, finite.size - 1))) if finite.size else 1.0
        elif scales[j] is not False:
            spread = scales[j]
        out.append(Column(col.name, "real", (v - center) / (spread if spread else 1.0)))
    return Frame(frame.key, out)


def _per_column(node, n: int, op: str, what: str) -> list:
    """TRUE/FALSE for every column, or one number per column."""
    if isinstance(node, list):
        values = _numbers(node, op)
        if len(values) != n:
            raise RapidsError(f"'{op}' needs one {what} per column ({n}), got {len(values)}")
        return values
    return [_flag(node, op)] * n


# ---------------------------------------------------------------------------- unique / sort
@operator("unique")
def unique(ctx, op, args):
    expect_args(op, args, (1, 2), "(unique x include_nas)")
    frame = ctx.frame(args[0], op)
    include_nas = _flag(args[1], op) if len(args) > 1 else False
    keys = np.column_stack([_values(c) for c in frame.columns])
    if not include_nas:
        keys = keys[~np.any(np.column_stack([_missing(c) for c in frame.columns]), axis=1)]
    rows = np.unique(keys, axis=0, equal_nan=True) if keys.size else keys
    out = []
    for j, col in enumerate(frame.columns):
        data = rows[:, j]
        out.append(Column(col.name, "enum", data.astype(np.int32), col.domain) if col.is_enum
                   else Column(col.name, col.type, data.astype(np.float64)))
    return Frame(frame.key, out)


@operator("sort")
def sort(ctx, op, args):
    expect_args(op, args, (2, 3), "(sort x [cols] [directions])")
    frame = ctx.frame(args[0], op)
    by = column_indices(args[1], frame)
    dirs = _numbers(args[2], op) if len(args) > 2 and args[2] != [] else [1.0] * len(by)
    if len(dirs) != len(by):
        raise RapidsError(f"'sort' needs one direction per column ({len(by)}), got {len(dirs)}")
    order = np.arange(frame.nrows)
    for j, d in reversed(list(zip(by, dirs))):          # last key first: stable sorts compose
        col = frame.columns[j]
        key = np.where(_missing(col), -np.inf, _values(col))[order]
        if d < 0:       # descending, missing values still first
            key = np.where(np.isneginf(key), np.inf, -key)
        order = order[np.argsort(key, kind="stable")]
    return frame.take_rows(order)


# ---------------------------------------------------------------------------- cut
@operator("cut")
def cut(ctx, op, args):
    expect_args(op, args, (6,), "(cut x [breaks] [labels] include_lowest right dig_lab)")
    frame = ctx.frame(args[0], op)
    if frame.ncols != 1 or not frame.columns[0].is_numeric:
        raise RapidsError("'cut' needs a single numeric column")
    breaks = sorted(_numbers(args[1], op))
    if len(breaks) < 2:
        raise RapidsError("'cut' needs at least two breaks")
    include_lowest, right = _flag(args[3], op), _flag(args[4], op)
    digits = int(_numbers(args[5], op)[0])
    labels = _texts(args[2]) or _interval_labels(breaks, right, include_lowest, digits)
    if len(labels) != len(breaks) - 1:
        raise RapidsError(f"'cut' needs {len(breaks) - 1} labels for {len(breaks)} breaks, got {len(labels)}")
    v = frame.columns[0].data.astype(np.float64)
    b = np.asarray(breaks)
    idx = (np.searchsorted(b, v, side="left") - 1) if right else (np.searchsorted(b, v, side="right") - 1)
    if include_lowest and right:            # H2O-3: include_lowest closes only the first interval
        idx = np.where(v == b[0], 0, idx)
    bad = ~np.isfinite(v) | (idx < 0) | (idx >= len(labels))
    codes = np.where(bad, -1, idx).astype(np.int32)
    return Frame(frame.key, [Column(frame.columns[0].name, "enum", codes, labels)])


def _interval_labels(breaks, right: bool, include_lowest: bool, digits: int) -> list[str]:
    scale = 10.0 ** min(digits, 12)
    fmt = [java_double(math.floor(x * scale + 0.5) / scale) for x in breaks]
    out = []
    for i in range(len(breaks) - 1):
        lo, hi = ("(", "]") if right else ("[", ")")
        if include_lowest and i == 0:
            lo = "["
        out.append(f"{lo}{fmt[i]},{fmt[i + 1]}{hi}")
    return out


def java_double(x: float) -> str:
    """A double as Java's Double.toString writes it: plain with at least one decimal between 1e-3
    and 1e7, else d.dddE<exp>; the shortest digits that read back as the same double."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0 or 1e-3 <= abs(x) < 1e7:
        return repr(float(x))                  # plain in this range, with a decimal point
    sign, digits, exponent = decimal.Decimal(repr(float(x))).normalize().as_tuple()
    mantissa = "".join(map(str, digits))
    return f"{'-' if sign else ''}{mantissa[0]}.{mantissa[1:] or '0'}E{exponent + len(digits) - 1}"


# ---------------------------------------------------------------------------- group by
AGGREGATES = {
    "nrow": None, "mean": np.mean, "sum": np.sum, "min": np.min, "max": np.max,
    "sd": lambda v: np.std(v, ddof=1) if v.size > 1 else math.nan,
    "var": lambda v: np.var(v, ddof=1) if v.size > 1 else math.nan,
}


@operator("GB")
def group_by(ctx, op, args):
    if len(args) < 2 or (len(args) - 2) % 3:
        raise RapidsError("'GB' takes (GB x [by] agg col na ...): a frame, the group columns, then triples")
    frame = ctx.frame(args[0], op)
    by = column_indices(args[1], frame)
    aggs = [(_agg_name(args[i]), int(_numbers(args[i + 1], op)[0]), _agg_na(args[i + 2]))
            for i in range(2, len(args), 3)]
    keys = np.column_stack([np.where(_missing(frame.columns[j]), -np.inf, _values(frame.columns[j])) for j in by])
    groups, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(groups) + 1))
    out = []
    for pos, j in enumerate(by):
        col = frame.columns[j]
        g = groups[:, pos]
        if col.is_enum:
            out.append(Column(col.name, "enum", np.where(np.isneginf(g), -1, g).astype(np.int32), col.domain))
        else:
            out.append(Column(col.name, col.type, np.where(np.isneginf(g), np.nan, g)))
    for name, j, na in aggs:
        out.append(_aggregate(name, frame.columns[j], na, order, bounds))
    return Frame(frame.key, out)


def _agg_name(node) -> str:
    name = node if isinstance(node, str) else getattr(node, "text", "")
    if name not in AGGREGATES:
        raise RapidsError(f"group_by aggregate '{name}' is not supported by this server; "
                          f"supported: {' '.join(AGGREGATES)}")
    return name


def _agg_na(node) -> str:
    na = node if isinstance(node, str) else getattr(node, "text", "")
    if na not in ("all", "rm", "ignore"):
        raise RapidsError(f"group_by na handling must be all, rm or ignore, not {na!r}")
    return na


def _aggregate(name: str, col: Column, na: str, order: np.ndarray, bounds: np.ndarray) -> Column:
    values = col.as_float()[order]
    result = np.empty(len(bounds) - 1)
    for g in range(len(bounds) - 1):
        v = values[bounds[g]:bounds[g + 1]]
        if name == "nrow":
            result[g] = v.size if na == "all" else np.count_nonzero(~np.isnan(v))
            continue
        if na != "all":
            v = v[~np.isnan(v)]
        result[g] = AGGREGATES[name](v) if v.size else math.nan
    return Column("nrow" if name == "nrow" else f"{name}_{col.name}", "real", result)


# ---------------------------------------------------------------------------- impute
@operator("h2o.impute")
def impute(ctx, op, args):
    expect_args(op, args, (7,), "(h2o.impute x col method combine by groupByFrame values)")
    if args[0] is None or not isinstance(args[0], Atom):
        raise RapidsError("'h2o.impute' imputes a frame named by its key")
    frame = ctx.frame(args[0], op)
    column = int(_numbers(args[1], op)[0])
    method = args[2] if isinstance(args[2], str) else args[2].text
    group_frame = args[5].text if isinstance(args[5], Atom) else args[5]
    if args[4] != [] or group_frame != "_":
        raise RapidsError("imputation by groups (by, group_by_frame) is not supported by this server")
    targets = range(frame.ncols) if column < 0 else [column]
    columns, used = list(frame.columns), []
    for j in targets:
        if not 0 <= j < frame.ncols:
            raise RapidsError(f"impute: column {j} is out of range for {frame.ncols} columns")
        columns[j], value = _imputed(columns[j], method)
        used.append(value)
    ctx.store_frame(Frame(frame.key, columns))
    return Nums(used)


def _imputed(col: Column, method: str) -> tuple[Column, float]:
    miss = col.missing_mask()
    if col.type == "string":
        return col, math.nan
    if col.is_enum:
        counts = np.bincount(col.data[~miss], minlength=len(col.domain))
        mode = int(counts.argmax()) if counts.size else -1
        data = col.data.copy()
        data[miss] = mode
        return Column(col.name, "enum", data, col.domain), float(mode)
    present = col.data[~miss]
    if method == "mean":
        value = float(present.mean()) if present.size else math.nan
    elif method == "median":
        value = float(np.median(present)) if present.size else math.nan
    elif method == "mode":
        vals, counts = np.unique(present, return_counts=True)
        value = float(vals[counts.argmax()]) if vals.size else math.nan
    else:
        raise RapidsError(f"impute method must be mean, median or mode, not {method!r}")
    data = col.data.astype(np.float64, copy=True)
    data[miss] = value
    return Column(col.name, col.type, data), value
