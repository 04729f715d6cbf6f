"""Element-wise operators on columns and numbers, with H2O-3's names and NA propagation.

Binary: ``+ - * / ^``, ``%`` / ``%%`` (remainder with the sign of the dividend, as Java's ``%``),
``%/%`` (the quotient truncated towards zero), ``intDiv`` (integer parts divided, truncated; NA
when the divisor's integer part is 0), comparisons ``== != < <= > >=`` (0/1 columns), and the
logical ``& && | ||`` (0 wins over NA in ``&``, a true value over NA in ``|``). A frame operand
may be a frame of the same shape, a one-column frame (applied to each column) or a number; the
result keeps the names of the wider frame. Categorical columns compare to a quoted level or to
each other by level with ``==`` and ``!=`` only. Unary: ``!!`` / ``not``, ``is.na``, ``abs``,
``floor``, ``ceiling``, ``trunc``, ``sqrt``, ``exp``, ``log``. A missing value gives a missing
result, except where the logical rules say otherwise.
"""
from __future__ import annotations

import numpy as np

from h2o_backend.frames.frame import Column, Frame
from h2o_backend.frames.rapids.evaluator import expect_args, operator
from h2o_backend.frames.rapids.parser import RapidsError
from h2o_backend.frames.rapids.values import Num, Str, describe, numeric_column, numeric_values


def _truthy(x):
    return ~np.isnan(x) & (x != 0)


def _and(l, r):
    out = np.where(np.isnan(l) | np.isnan(r), np.nan, 1.0)
    return np.where((l == 0) | (r == 0), 0.0, out)


def _or(l, r):
    out = np.where(np.isnan(l) | np.isnan(r), np.nan, 0.0)
    return np.where(_truthy(l) | _truthy(r), 1.0, out)


def _int_div(l, r):
    li, ri = np.trunc(l), np.trunc(r)
    with np.errstate(all="ignore"):
        return np.where(ri == 0, np.nan, np.trunc(li / ri))


def _compare(fn):
    def apply(l, r):
        return np.where(np.isnan(l) | np.isnan(r), np.nan, fn(l, r).astype(np.float64))
    return apply


ARITHMETIC = {
    "+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "^": np.power,
    "%": np.fmod, "%%": np.fmod, "%/%": lambda l, r: np.trunc(l / r), "intDiv": _int_div,
}
COMPARISONS = {
    "==": _compare(np.equal), "!=": _compare(np.not_equal), "<": _compare(np.less),
    "<=": _compare(np.less_equal), ">": _compare(np.greater), ">=": _compare(np.greater_equal),
}
LOGICAL = {"&": _and, "&&": _and, "|": _or, "||": _or}
BINARY = {**ARITHMETIC, **COMPARISONS, **LOGICAL}

UNARY = {
    "!!": lambda x: np.where(np.isnan(x), np.nan, (x == 0).astype(np.float64)),
    "not": lambda x: np.where(np.isnan(x), np.nan, (x == 0).astype(np.float64)),
    "abs": np.abs, "floor": np.floor, "ceiling": np.ceil, "trunc": np.trunc,
    "sqrt": np.sqrt, "exp": np.exp, "log": np.log,
}


@operator(*BINARY)
def binary(ctx, op, args):
    expect_args(op, args, (2,), f"({op} left right)")
    left, right = ctx.eval(args[0]), ctx.eval(args[1])
    fn = BINARY[op]
    if isinstance(left, Num) and isinstance(right, Num):
        with np.errstate(all="ignore"):
            return Num(float(fn(np.array([left.value]), np.array([right.value]))[0]))
    if not isinstance(left, Frame) and not isinstance(right, Frame):
        raise RapidsError(f"'{op}' works on frames and numbers, not {describe(left)} and {describe(right)}")
    return _frame_op(op, fn, left, right)


def _frame_op(op, fn, left, right) -> Frame:
    shape = left if isinstance(left, Frame) else right
    width = max(v.ncols for v in (left, right) if isinstance(v, Frame))
    for v in (left, right):
        if isinstance(v, Frame):
            if v.nrows != shape.nrows:
                raise RapidsError(f"'{op}': frames of {left.nrows} and {right.nrows} rows")
            if v.ncols not in (1, width):
                raise RapidsError(f"'{op}': frames of {left.ncols} and {right.ncols} columns")
    named = left if isinstance(left, Frame) and left.ncols == width else right
    columns = []
    for j in range(width):
        a, b = _operand(left, j), _operand(right, j)
        columns.append(numeric_column(named.columns[j].name, _apply(op, fn, a, b)))
    return Frame(named.key, columns)


def _operand(value, j):
    if isinstance(value, Frame):
        return value.columns[j if value.ncols > 1 else 0]
    return value


def _apply(op, fn, a, b) -> np.ndarray:
    if op in ("==", "!=") and (_is_levels(a) or _is_levels(b)):
        return _compare_levels(op, a, b)
    l, r = _numbers(op, a), _numbers(op, b)
    with np.errstate(all="ignore"):
        return np.asarray(fn(l, r), dtype=np.float64)


def _is_levels(v) -> bool:
    return isinstance(v, Str) or isinstance(v, Column) and v.type in ("enum", "string")


def _numbers(op, v):
    if isinstance(v, Num):
        return v.value
    if isinstance(v, Column):
        return numeric_values(v, op)
    raise RapidsError(f"'{op}' cannot use {describe(v)} with a numeric column")


def _labels(op, v):
    """Labels (object array, None for missing) of an enum/string column, or a quoted level."""
    if isinstance(v, Str):
        return v.value
    if isinstance(v, Column) and v.is_enum:
        domain = np.array(list(v.domain) + [None], dtype=object)
        return domain[np.where(v.data < 0, len(v.domain), v.data)]
    if isinstance(v, Column) and v.type == "string":
        return v.data
    raise RapidsError(f"'{op}' compares a categorical column with a quoted level or another "
                      f"categorical column, not {describe(v) if not isinstance(v, Column) else 'numeric column ' + repr(v.name)}")


def _compare_levels(op, a, b) -> np.ndarray:
    l, r = _labels(op, a), _labels(op, b)
    n = len(r) if isinstance(l, str) else len(l)
    l = np.full(n, l, dtype=object) if isinstance(l, str) else l
    r = np.full(n, r, dtype=object) if isinstance(r, str) else r
    missing = np.equal(l, None).astype(bool) | np.equal(r, None).astype(bool)
    equal = np.equal(l, r).astype(bool)
    out = (equal if op == "==" else ~equal).astype(np.float64)
    out[missing] = np.nan
    return out


@operator(*UNARY)
def unary(ctx, op, args):
    expect_args(op, args, (1,), f"({op} x)")
    value = ctx.eval(args[0])
    fn = UNARY[op]
    with np.errstate(all="ignore"):
        if isinstance(value, Num):
            return Num(float(fn(np.array([value.value]))[0]))
        if not isinstance(value, Frame):
            raise RapidsError(f"'{op}' works on a frame or a number, not {describe(value)}")
        return Frame(value.key, [numeric_column(c.name, fn(numeric_values(c, op))) for c in value.columns])


@operator("is.na")
def is_na(ctx, op, args):
    expect_args(op, args, (1,), "(is.na x)")
    value = ctx.eval(args[0])
    if isinstance(value, Num):
        return Num(float(np.isnan(value.value)))
    if not isinstance(value, Frame):
        raise RapidsError(f"'is.na' works on a frame or a number, not {describe(value)}")
    return Frame(value.key, [numeric_column(c.name, c.missing_mask().astype(np.float64)) for c in value.columns])
