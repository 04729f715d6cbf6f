"""Per-column statistics (H2O's rollups and summary), computed with numpy and cached.

- `rollups(column)`: missing/zero/infinity counts, the 5 smallest and largest values, mean
  and sigma (sample standard deviation) over the finite values — cheap, shown by every
  frame fetch. Enums are summarised on their level codes, as H2O does (mean and sigma
  only for enums of at most two levels, as H2O-3).
- `summary(column)`: the rollups plus percentiles at H2O-3's default probabilities
  (`PERCENTILES`, linear interpolation between order statistics) and a histogram:
  one bin per level for enums; one bin per integer for int columns spanning at most
  `MAX_BINS` values; otherwise `MAX_BINS` equal-width bins from the minimum. For enums the
  histogram's bins are the per-level counts.

Results are cached on the Column object; columns are treated as immutable (a changed
column is a new Column), and the cache is keyed by the identity and length of its data.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from h2o_backend.frames.frame import Column

PERCENTILES = (0.001, 0.01, 0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.5, 0.6, 2 / 3, 0.7, 0.75, 0.8,
               0.9, 0.99, 0.999)
MAX_BINS = 1000
EXTREMES = 5


@dataclass
class Rollups:
    missing_count: int
    zero_count: int = 0
    positive_infinity_count: int = 0
    negative_infinity_count: int = 0
    mins: list[float] = field(default_factory=list)
    maxs: list[float] = field(default_factory=list)
    mean: float | None = None
    sigma: float | None = None


@dataclass
class Summary:
    rollups: Rollups
    percentiles: list[float] | None = None
    histogram_bins: list[int] = field(default_factory=list)
    histogram_base: float = 0.0
    histogram_stride: float = 0.0


def _cached(column: Column, attr: str, compute):
    token = (id(column.data), len(column.data))
    hit = getattr(column, attr, None)
    if hit is not None and hit[0] == token:
        return hit[1]
    value = compute(column)
    setattr(column, attr, (token, value))
    return value


def rollups(column: Column) -> Rollups:
    return _cached(column, "_h2o_rollups", _compute_rollups)


def summary(column: Column) -> Summary:
    return _cached(column, "_h2o_summary", _compute_summary)


def frame_rollups(frame) -> list[Rollups]:
    return [rollups(c) for c in frame.columns]


def frame_summary(frame) -> list[Summary]:
    return [summary(c) for c in frame.columns]


def _values(column: Column) -> np.ndarray:
    """Present values as float64 (enum codes for enums)."""
    data = column.as_float()
    return data[~np.isnan(data)]


def _compute_rollups(column: Column) -> Rollups:
    missing = int(column.missing_mask().sum())
    if column.type == "string":
        return Rollups(missing_count=missing)
    values = _values(column)
    finite = values[np.isfinite(values)]
    out = Rollups(missing_count=missing, zero_count=int(np.count_nonzero(values == 0)),
                  positive_infinity_count=int(np.count_nonzero(values == np.inf)),
                  negative_infinity_count=int(np.count_nonzero(values == -np.inf)))
    if finite.size:
        out.mins, out.maxs = extremes(finite)
        if column.type != "enum" or len(column.domain or []) <= 2:   # as H2O-3
            out.mean = float(finite.mean())
            out.sigma = float(finite.std(ddof=1)) if finite.size > 1 else 0.0
    return out


def _compute_summary(column: Column) -> Summary:
    out = Summary(rollups(column))
    if column.type == "string":
        return out
    values = _values(column)
    finite = values[np.isfinite(values)]
    if finite.size:
        out.percentiles = np.quantile(finite, PERCENTILES, method="linear").tolist()
    if column.type == "enum":
        codes = column.data[column.data >= 0]
        out.histogram_bins = np.bincount(codes, minlength=len(column.domain or [])).tolist()
        out.histogram_stride = 1.0
        return out
    if finite.size:
        _fill_histogram(out, finite, column.type == "int")
    return out


def extremes(finite: np.ndarray) -> tuple[list[float], list[float]]:
    """The EXTREMES smallest values (ascending) and largest (descending) of non-empty ``finite``."""
    k = min(EXTREMES, finite.size)
    return (np.sort(np.partition(finite, k - 1)[:k]).tolist(),
            np.sort(np.partition(finite, finite.size - k)[-k:])[::-1].tolist())


def histogram_spec(low: float, high: float, integral: bool) -> tuple[float, float, int]:
    """(base, stride, bins) of the histogram of values in [low, high] (module doc)."""
    span = high - low
    if integral and span + 1 <= MAX_BINS:
        return low, 1.0, int(span) + 1
    if span == 0:
        return low, 1.0, 1
    return low, span / MAX_BINS, MAX_BINS


def bin_index(finite: np.ndarray, spec: tuple[float, float, int]) -> np.ndarray:
    """The histogram bin of each finite value."""
    low, stride, nbins = spec
    return np.minimum(((finite - low) / stride).astype(np.int64), nbins - 1)


def _fill_histogram(out: Summary, finite: np.ndarray, integral: bool) -> None:
    spec = histogram_spec(float(finite.min()), float(finite.max()), integral)
    out.histogram_bins = np.bincount(bin_index(finite, spec), minlength=spec[2]).tolist()
    out.histogram_base, out.histogram_stride = spec[0], spec[1]


def level_counts(column: Column) -> dict[str, int]:
    """Rows per level of an enum column (the enum histogram as a mapping)."""
    counts = summary(column).histogram_bins
    return dict(zip(column.domain or [], counts))
