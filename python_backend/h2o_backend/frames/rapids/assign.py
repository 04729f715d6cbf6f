"""Assignment: ``(tmp= DEST EXPR)`` / ``(assign DEST EXPR)`` keep a frame under a key;
``(:= DST SRC COLS ROWS)`` writes SRC over a rectangle of DST; ``(append DST SRC "name")`` adds a
column; ``(colnames= FRAME COLS NAMES)`` renames; ``(rm KEY)`` removes a frame (the number 0,
as H2O-3 answers; a key with nothing under it is no error).

Frames are never changed in place: each result is a new Frame whose unchanged columns share
their arrays with the source; an in-place update as legacy H2O did is ``(assign KEY (:= KEY ...))``,
which replaces the frame kept under KEY.
"""
from __future__ import annotations

import numpy as np

from h2o_backend.frames.frame import Column, Frame
from h2o_backend.frames.rapids.evaluator import expect_args, operator
from h2o_backend.frames.rapids.parser import Atom, RapidsError, show
from h2o_backend.frames.rapids.selection import column_indices, predicate_rows, row_indices
from h2o_backend.frames.rapids.values import Num, Str, describe, numeric_column


@operator("rm")
def remove(ctx, op, args):
    expect_args(op, args, (1,), "(rm key)")
    if not isinstance(args[0], (Atom, str)):
        raise RapidsError("(rm key) takes a key")
    if ctx.remove_frame is None:
        raise RapidsError("'rm' is not available here")
    ctx.remove_frame(args[0].text if isinstance(args[0], Atom) else args[0])
    return Num(0.0)


@operator("tmp=", "assign")
def keep(ctx, op, args):
    expect_args(op, args, (2,), f"({op} dest expression)")
    if not isinstance(args[0], (Atom, str)):
        raise RapidsError(f"({op} dest expression) takes a key and an expression")
    dest = args[0].text if isinstance(args[0], Atom) else args[0]
    result = ctx.eval(args[1])
    if not isinstance(result, Frame):
        raise RapidsError(f"'{op}' keeps frames only; {show(args[1])[:60]} gives {describe(result)}")
    frame = Frame(dest, list(result.columns))
    ctx.store_frame(frame)
    return frame


@operator(":=")
def rectangle_assign(ctx, op, args):
    expect_args(op, args, (4,), "(:= dst src columns rows)")
    dst = ctx.frame(args[0], op)
    src = ctx.eval(args[1])
    cols = column_indices(args[2], dst, allow_empty=True) or list(range(dst.ncols))
    rows = _assigned_rows(ctx, args[3], dst)
    columns = list(dst.columns)
    if isinstance(src, Frame):
        if src.ncols != len(cols):
            raise RapidsError(f"':=': the source has {src.ncols} columns but {len(cols)} are assigned")
        for j, c in enumerate(cols):
            columns[c] = _assign_column(columns[c], src.columns[j], rows, dst.nrows)
    elif isinstance(src, (Num, Str)):
        for c in cols:
            columns[c] = _assign_scalar(columns[c], src, rows)
    else:
        raise RapidsError(f"':=': the source must be a frame, a number or a string, not {describe(src)}")
    return Frame(dst.key, columns)


def _assigned_rows(ctx, node, dst: Frame):
    """None for all rows, else the row indices (a list, a number, or a one-column condition)."""
    if isinstance(node, list) and not node:
        return None
    if isinstance(node, list) or isinstance(node, Atom) and node.text[:1].isdigit():
        return row_indices(node, dst)
    value = ctx.eval(node)
    if isinstance(value, Frame):
        return predicate_rows(value, dst)
    raise RapidsError(f"':=': rows are a list of indices or a one-column condition, not {show(node)}")


def _assign_column(old: Column, new: Column, rows, nrows: int) -> Column:
    if rows is None:
        if len(new.data) != nrows:
            raise RapidsError(f"':=': the source has {len(new.data)} rows but the frame has {nrows}")
        return Column(old.name, new.type, new.data, new.domain)
    if len(new.data) != len(rows):
        raise RapidsError(f"':=': the source has {len(new.data)} rows but {len(rows)} rows are assigned")
    if old.type != new.type and not (old.is_numeric and new.is_numeric and "time" not in (old.type, new.type)):
        raise RapidsError(f"':=': column '{old.name}' is {old.type} and the source is {new.type}")
    if old.is_enum and old.domain != new.domain:
        raise RapidsError(f"':=': cannot assign to categorical column '{old.name}' levels of a different domain")
    data = old.data.copy()
    data[rows] = new.data
    if old.is_numeric and old.type != "time":
        return numeric_column(old.name, data)
    return Column(old.name, old.type, data, old.domain)


def _assign_scalar(old: Column, src, rows) -> Column:
    nrows = len(old.data)
    where = slice(None) if rows is None else rows
    if isinstance(src, Num):
        if rows is None:
            return numeric_column(old.name, np.full(nrows, src.value))
        if not old.is_numeric and np.isnan(src.value):        # NA into a categorical or string column
            data = old.data.copy()
            data[where] = -1 if old.is_enum else None
            return Column(old.name, old.type, data, old.domain)
        if not old.is_numeric:
            raise RapidsError(f"':=': cannot assign a number to some rows of {old.type} column '{old.name}'")
        data = old.data.copy()
        data[where] = src.value
        return numeric_column(old.name, data) if old.type != "time" else Column(old.name, "time", data)
    if old.is_enum:
        domain = list(old.domain)
        if src.value not in domain:
            domain.append(src.value)
        data = old.data.copy()
        data[where] = domain.index(src.value)
        return Column(old.name, "enum", data, domain)
    if old.type == "string" or rows is None:
        data = np.empty(nrows, dtype=object) if rows is None else old.data.copy()
        data[where] = src.value
        return Column(old.name, "string", data)
    raise RapidsError(f"':=': cannot assign a string to some rows of {old.type} column '{old.name}'")


@operator("append")
def append(ctx, op, args):
    expect_args(op, args, (3,), '(append dst src "name")')
    dst = ctx.frame(args[0], op)
    src = ctx.eval(args[1])
    name = ctx.eval(args[2])
    if not isinstance(name, Str):
        raise RapidsError("'append': the column name must be a string")
    if isinstance(src, Num):
        column = numeric_column(name.value, np.full(dst.nrows, src.value))
    elif isinstance(src, Frame) and src.ncols == 1:
        if src.nrows != dst.nrows:
            raise RapidsError(f"'append': the column has {src.nrows} rows but the frame has {dst.nrows}")
        old = src.columns[0]
        column = Column(name.value, old.type, old.data, old.domain)
    else:
        raise RapidsError("'append': can only append one column or a number")
    if dst.has_column(name.value):
        raise RapidsError(f"'append': frame '{dst.key}' already has a column '{name.value}'")
    return Frame(dst.key, list(dst.columns) + [column])


@operator("colnames=")
def set_names(ctx, op, args):
    expect_args(op, args, (3,), "(colnames= frame [columns] [names])")
    frame = ctx.frame(args[0], op)
    cols = column_indices(args[1], frame)
    names = args[2] if isinstance(args[2], list) else [args[2]]
    if len(names) != len(cols) or not all(isinstance(n, str) for n in names):
        raise RapidsError(f"'colnames=': give one quoted name per column ({len(cols)})")
    columns = list(frame.columns)
    for c, name in zip(cols, names):
        old = columns[c]
        columns[c] = Column(name, old.type, old.data, old.domain)
    new_names = [c.name for c in columns]
    if len(set(new_names)) != len(new_names):
        raise RapidsError("'colnames=': column names must be unique")
    return Frame(frame.key, columns)
