"""Summaries of frames, with H2O-3's names, arguments and result shapes.

- ``(mean x na_rm axis)``: axis 0 (default) a one-row frame of column means (NA for categorical
  and string columns, and for columns with NAs unless na_rm = 1); axis 1 a column ``mean`` of
  row means over the numeric columns;
- ``(sd x na_rm)``: the sample standard deviation of each column (numbers; NA as for mean);
- ``(min x)``, ``(max x)``, ``(sum x)``: one number over all columns, NA if any value is
  missing; ``minNA``, ``maxNA``, ``sumNA`` skip missing values;
- ``(quantile x [probs] method weights)``: a frame with ``Probs`` and ``<column>Quantiles`` per
  column; method ``interpolate`` (R's type 7), ``low``, ``high`` or ``average``; missing values
  skipped; weights ``"_"`` (none) only;
- ``(nrow x)``, ``(ncol x)``: numbers; ``(naCnt x)``: the number of missing values of each column.
"""
from __future__ import annotations

import math

import numpy as np

from h2o_backend.frames.frame import Column, Frame
from h2o_backend.frames.rapids.evaluator import expect_args, operator
from h2o_backend.frames.rapids.parser import RapidsError, show
from h2o_backend.frames.rapids.values import Num, Nums, Str, number_of, numeric_values

QUANTILE_METHODS = {"interpolate": "linear", "low": "lower", "high": "higher", "hi": "higher",
                    "average": "midpoint"}


def _flag(ctx, node, op, what) -> bool:
    return number_of(ctx.eval(node), op, what) == 1


@operator("mean")
def mean(ctx, op, args):
    expect_args(op, args, (1, 2, 3), "(mean frame na_rm axis)")
    frame = ctx.frame(args[0], op)
    na_rm = len(args) > 1 and _flag(ctx, args[1], op, "na_rm flag")
    axis = len(args) > 2 and _flag(ctx, args[2], op, "axis")
    if axis:
        return _row_means(frame, na_rm)
    columns = []
    for c in frame.columns:
        value = math.nan
        if c.is_numeric and len(c.data):
            present = c.data[~np.isnan(c.data)]
            if na_rm or present.size == len(c.data):
                value = float(present.mean()) if present.size else math.nan
        columns.append(Column(c.name, "time" if c.type == "time" else "real", np.array([value])))
    return Frame(frame.key, columns)


def _row_means(frame: Frame, na_rm: bool) -> Frame:
    numeric = [c.data for c in frame.columns if c.is_numeric]
    if not numeric or (not na_rm and len(numeric) < frame.ncols):
        return Frame(frame.key, [Column("mean", "real", np.full(frame.nrows, np.nan))])
    values = np.column_stack(numeric)
    with np.errstate(all="ignore"):
        means = np.nanmean(values, axis=1) if na_rm else values.mean(axis=1)
    return Frame(frame.key, [Column("mean", "real", means)])


@operator("sd")
def sd(ctx, op, args):
    expect_args(op, args, (1, 2), "(sd frame na_rm)")
    frame = ctx.frame(args[0], op)
    na_rm = len(args) > 1 and _flag(ctx, args[1], op, "na_rm flag")
    out = []
    for c in frame.columns:
        value = math.nan
        if c.is_numeric:
            present = c.data[~np.isnan(c.data)]
            if (na_rm or present.size == len(c.data)) and present.size > 1:
                value = float(np.std(present, ddof=1))
        out.append(value)
    return Nums(out)


def _rollup(op: str, skip_na: bool):
    fn, empty = {"min": (np.min, math.inf), "max": (np.max, -math.inf), "sum": (np.sum, 0.0)}[op]

    def apply(ctx, name, args):
        expect_args(name, args, (1,), f"({name} frame)")
        value = ctx.eval(args[0])
        if isinstance(value, Num):
            return value
        frame = ctx.frame(args[0], name)
        parts = []
        for c in frame.columns:
            data = numeric_values(c, name)
            missing = np.isnan(data)
            if missing.any() and not skip_na:
                return Num(math.nan)
            parts.append(float(fn(data[~missing])) if (~missing).any() else empty)
        return Num(float(fn(np.array(parts))) if parts else math.nan)
    return apply


for _name in ("min", "max", "sum"):
    operator(_name)(_rollup(_name, False))
    operator(f"{_name}NA")(_rollup(_name, True))


@operator("quantile")
def quantile(ctx, op, args):
    expect_args(op, args, (2, 3, 4), "(quantile frame [probs] method weights)")
    frame = ctx.frame(args[0], op)
    probs = _probabilities(args[1])
    method = ctx.eval(args[2]).value if len(args) > 2 else "interpolate"
    if method not in QUANTILE_METHODS:
        raise RapidsError(f"'quantile': method '{method}' is not one of {', '.join(QUANTILE_METHODS)}")
    if len(args) > 3:
        weights = ctx.eval(args[3])
        if not (isinstance(weights, Str) and weights.value == "_"):
            raise RapidsError("'quantile': a weights column is not supported by this server (give \"_\")")
    columns = [Column("Probs", "real", probs)]
    for c in frame.columns:
        data = numeric_values(c, op)
        present = data[~np.isnan(data)]
        values = (np.quantile(present, probs, method=QUANTILE_METHODS[method]) if present.size
                  else np.full(len(probs), np.nan))
        columns.append(Column(f"{c.name}Quantiles", "real", np.asarray(values, dtype=np.float64)))
    return Frame(frame.key, columns)


def _probabilities(node) -> np.ndarray:
    items = node if isinstance(node, list) else [node]
    try:
        probs = np.array([float(item.text) for item in items], dtype=np.float64)
    except (AttributeError, ValueError):
        raise RapidsError(f"'quantile': probabilities must be a list of numbers, not {show(node)}")
    if probs.size == 0 or np.any(np.isnan(probs)) or np.any((probs < 0) | (probs > 1)):
        raise RapidsError("'quantile': probabilities must be between 0 and 1")
    return probs


@operator("nrow", "ncol")
def dimension(ctx, op, args):
    expect_args(op, args, (1,), f"({op} frame)")
    frame = ctx.frame(args[0], op)
    return Num(float(frame.nrows if op == "nrow" else frame.ncols))




@operator("naCnt")
def na_count(ctx, op, args):
    expect_args(op, args, (1,), "(naCnt x)")
    frame = ctx.frame(args[0], op)
    return Nums([float(np.count_nonzero(c.missing_mask())) for c in frame.columns])
