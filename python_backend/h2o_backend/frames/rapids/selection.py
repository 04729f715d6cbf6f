"""Column and row selection: ``(cols_py FRAME SEL)``, ``(cols FRAME SEL)``, ``(rows FRAME SEL)``.

SEL for columns is a 0-based index, a quoted name, a range ``start:count`` or a list of these;
for rows, 0-based indices and ranges (in the order given), or a one-column frame (an expression
or a key) whose rows equal to 1 (non-zero, not missing) are kept, as H2O-3's conditional slice.
The selected columns share their arrays with the source frame.
"""
from __future__ import annotations

import numpy as np

from h2o_backend.frames.frame import Frame
from h2o_backend.frames.rapids.evaluator import expect_args, operator, parse_number
from h2o_backend.frames.rapids.parser import Atom, RapidsError, show
from h2o_backend.frames.rapids.values import Num


@operator("cols_py", "cols")
def columns(ctx, op, args):
    expect_args(op, args, (2,), f"({op} frame columns)")
    source = ctx.frame(args[0], op)
    picked = [source.columns[i] for i in column_indices(args[1], source)]
    return Frame(f"{source.key}_cols", picked)


@operator("rows")
def rows(ctx, op, args):
    expect_args(op, args, (2,), "(rows frame rows)")
    source = ctx.frame(args[0], op)
    selection = args[1]
    if isinstance(selection, list) or (isinstance(selection, Atom) and parse_number(selection.text.partition(":")[0]) is not None):
        return source.take_rows(row_indices(selection, source), key=f"{source.key}_rows")
    value = ctx.eval(selection)
    if isinstance(value, Num):
        return source.take_rows(row_indices(Atom(repr(value.value)), source), key=f"{source.key}_rows")
    if not isinstance(value, Frame):
        raise RapidsError(f"rows are selected by 0-based index, range start:count or a one-column "
                          f"frame, not {show(selection)}")
    return source.take_rows(predicate_rows(value, source), key=f"{source.key}_rows")


def predicate_rows(predicate: Frame, frame: Frame) -> np.ndarray:
    """Indices of the rows where the one-column `predicate` is non-zero and not missing."""
    if predicate.ncols != 1:
        raise RapidsError(f"a row condition must be one column, but it has {predicate.ncols}")
    if predicate.nrows != frame.nrows:
        raise RapidsError(f"the row condition has {predicate.nrows} rows but frame '{frame.key}' "
                          f"has {frame.nrows}")
    column = predicate.columns[0]
    if not column.is_numeric:
        raise RapidsError(f"a row condition must be numeric (0/1), but column '{column.name}' is not")
    values = column.data
    return np.flatnonzero(~np.isnan(values) & (values != 0))


def row_indices(selection, frame: Frame) -> np.ndarray:
    items = selection if isinstance(selection, list) else [selection]
    parts = []
    for item in items:
        if not isinstance(item, Atom):
            raise RapidsError(f"rows are selected by 0-based index or range start:count, not {show(item)}")
        first, n = index_range(item.text, "row")
        if first + n > frame.nrows:
            raise RapidsError(f"row index {item.text} is out of range: frame '{frame.key}' has {frame.nrows} "
                              f"rows (0-based indices 0 to {frame.nrows - 1})")
        parts.append(np.arange(first, first + n, dtype=np.int64))
    if not parts:
        raise RapidsError("the row selection is empty")
    return np.concatenate(parts)


def index_range(text: str, what: str) -> tuple[int, int]:
    """(first, count) of an index ``i`` or a range ``start:count``."""
    start, _, count = text.partition(":")
    try:
        first = int(float(start))
        n = int(float(count)) if count else 1
    except ValueError:
        raise RapidsError(f"'{text}' is not a {what} index or a range start:count")
    if n < 1 or first < 0:
        raise RapidsError(f"{what} index {text} is out of range (indices are 0-based, counts at least 1)")
    return first, n


def column_indices(selection, frame: Frame, allow_empty: bool = False) -> list[int]:
    items = selection if isinstance(selection, list) else [selection]
    indices: list[int] = []
    for item in items:
        indices.extend(_one_selection(item, frame))
    if not indices and not allow_empty:
        raise RapidsError("the column selection is empty")
    return indices


def _one_selection(item, frame: Frame) -> list[int]:
    if isinstance(item, str):
        if not frame.has_column(item):
            raise RapidsError(f"frame '{frame.key}' has no column '{item}'")
        return [frame.index_of(item)]
    if isinstance(item, Atom):
        first, n = index_range(item.text, "column")
        if first + n > frame.ncols:
            raise RapidsError(f"column index {item.text} is out of range: frame '{frame.key}' has "
                              f"{frame.ncols} columns (0-based indices 0 to {frame.ncols - 1})")
        return list(range(first, first + n))
    raise RapidsError(f"not a column selection: {show(item)}")
