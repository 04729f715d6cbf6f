"""Column and row selection: ``(cols_py FRAME SEL)``, ``(cols FRAME SEL)``, ``(rows FRAME SEL)``.

SEL for columns is a 0-based index, a quoted name, a range ``start:count`` or a list of these;
for rows, 0-based indices and ranges (in the order given), or a one-column frame (an expression
or a key) whose rows equal to 1 (non-zero, not missing) are kept, as H2O-3's conditional slice.
In ``cols_py`` a negative number counts from the end, as in Python (``-1`` is the last column),
and numbers past the last column in a list are left out. In ``cols`` and ``rows`` negative
numbers exclude, as in H2O-3 (the client's ``drop`` sends them): ``-(i+1)`` stands for
index ``i``, and a selection of only negative numbers keeps every column (row) but those, in
their order; negative and non-negative numbers cannot be mixed.
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
    picked = [source.columns[i] for i in column_indices(args[1], source, python=(op == "cols_py"))]
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
        parts.append(_numbers(item.text, "row"))
    if not parts:
        raise RapidsError("the row selection is empty")
    picked = _resolve(np.concatenate(parts), frame.nrows, "row", frame)
    if picked.size == 0:
        raise RapidsError("the row selection is empty")
    return picked


def _numbers(text: str, what: str) -> np.ndarray:
    """The integers of an index ``i`` or a range ``start:count`` (negative ones allowed)."""
    start, _, count = text.partition(":")
    try:
        first = float(start)
        n = float(count) if count else 1.0
    except ValueError:
        raise RapidsError(f"'{text}' is not a {what} index or a range start:count")
    if first != int(first) or n != int(n) or n < 1:
        raise RapidsError(f"{what} index {text} is not a whole number or a range start:count with a count of at least 1")
    return np.arange(int(first), int(first) + int(n), dtype=np.int64)


def _python_numbers(numbers, frame: Frame, in_list: bool):
    """cols_py: a negative number counts from the end (ncols added); in a list, numbers past the
    last column are left out (a single one is an error, reported by _resolve)."""
    if numbers is None:
        return None
    numbers = np.where(numbers < 0, numbers + frame.ncols, numbers)
    if (numbers < 0).any():
        raise RapidsError(f"column index {int(numbers.min()) - frame.ncols} is out of range: frame "
                          f"'{frame.key}' has {frame.ncols} columns")
    return numbers[numbers < frame.ncols] if in_list else numbers


def _resolve(numbers: np.ndarray, size: int, what: str, frame: Frame) -> np.ndarray:
    """Indices picked by non-negative numbers, or all but those excluded by negative ones."""
    negative = numbers < 0
    if negative.any() and not negative.all():
        raise RapidsError(f"a {what} selection cannot mix negative (excluded) and non-negative (selected) indices")
    plural = "columns" if what == "column" else "rows"
    if negative.all():
        excluded = -numbers - 1
        if excluded.max() >= size:
            raise RapidsError(f"{what} index {-int(excluded.max()) - 1} excludes {what} {int(excluded.max())}, "
                              f"out of range: frame '{frame.key}' has {size} {plural}")
        keep = np.ones(size, dtype=bool)
        keep[excluded] = False
        return np.flatnonzero(keep)
    if numbers.max() >= size:
        raise RapidsError(f"{what} index {int(numbers.max())} is out of range: frame '{frame.key}' has {size} "
                          f"{plural} (0-based indices 0 to {size - 1})")
    return numbers


def column_indices(selection, frame: Frame, allow_empty: bool = False, python: bool = False) -> list[int]:
    items = selection if isinstance(selection, list) else [selection]
    numbers = [_numbers(i.text, "column") if isinstance(i, Atom) else None for i in items]
    if python:
        numbers = [_python_numbers(n, frame, isinstance(selection, list)) for n in numbers]
    if any(n is not None and (n < 0).any() for n in numbers):
        if any(n is None for n in numbers):
            raise RapidsError("a column selection cannot mix names and negative (excluded) indices")
        return [int(i) for i in _resolve(np.concatenate(numbers), frame.ncols, "column", frame)]
    indices: list[int] = []
    for item, n in zip(items, numbers):
        if n is not None:
            indices.extend(int(i) for i in _resolve(n, frame.ncols, "column", frame))
        elif isinstance(item, str):
            if not frame.has_column(item):
                raise RapidsError(f"frame '{frame.key}' has no column '{item}'")
            indices.append(frame.index_of(item))
        else:
            raise RapidsError(f"not a column selection: {show(item)}")
    if not indices and not allow_empty:
        raise RapidsError("the column selection is empty")
    return indices
