"""H2O-3's CreateFrame (its "original" recipe): a frame of random columns of each type in the
requested fractions, an optional first column "response", then missing values and a shuffle of the
columns. H2O-3's column counts, names, ranges, domains and checks; the random numbers are this
server's (numpy), so a seed gives the same frame here every time, not H2O-3's values.

- counts: ``int(fraction * cols + 0.1)`` columns of each of categorical, integer, binary, time and
  string; the rest real (a count that overshoots is taken back from the types in that order);
- integer: uniform on [-integer_range, integer_range]; real: uniform on [-real_range, real_range]
  (``value`` in every cell when ``randomize`` is off); categorical: ``factors`` levels
  ``c<i>.l<k>`` (``i`` the column's position before the shuffle, the response counting as 0);
  binary: 1 with probability ``binary_ones_fraction``; time: uniform milliseconds 1970-2020;
  string: 8 letters A-Y;
- response: real on [-real_range or 0 (positive_response), real_range] with response_factors 1,
  else categorical with H2O-3's animal names (cat, dog, fish, ...);
- then every cell missing with probability ``missing_fraction`` (the response too), the columns
  shuffled (the response kept first) and renamed C1, C2, ... in their new order.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from h2o_backend.frames.frame import Column, Frame

ANIMALS = ("cat", "dog", "fish", "cow", "horse", "pig", "bird", "lion", "sheep", "rhino", "bull", "eagle", "crab",
           "wolf", "duck", "crow", "fox", "bear", "hare", "camel", "bat", "frog", "ant", "otter", "tiger", "rat",
           "snake", "zebra", "seal", "bison", "newt", "deer", "mouse", "turkey")
TIME_SPAN_MS = 50 * 365 * 24 * 3600 * 1000
STRING_LENGTH = 8
TYPES = ("categorical", "integer", "binary", "time", "string")


@dataclass
class CreateFrameSpec:
    rows: int = 10000
    cols: int = 10
    randomize: bool = True
    value: float = 0.0
    real_range: float = 100.0
    categorical_fraction: float = 0.2
    factors: int = 100
    integer_fraction: float = 0.2
    integer_range: int = 100
    binary_fraction: float = 0.1
    binary_ones_fraction: float = 0.02
    time_fraction: float = 0.0
    string_fraction: float = 0.0
    missing_fraction: float = 0.01
    has_response: bool = False
    response_factors: int = 2
    positive_response: bool = False
    seed: int | None = None
    seed_for_column_types: int | None = None

    def fractions(self) -> dict[str, float]:
        return {t: getattr(self, f"{t}_fraction") for t in TYPES}


def problems(spec: CreateFrameSpec) -> list[tuple[str, str]]:
    """(field, message) for every check H2O-3 makes; empty when the spec is valid."""
    out = []
    fr = spec.fractions()

    def check(ok: bool, name: str, message: str) -> None:
        if not ok:
            out.append((name, message))
    check(sum(fr.values()) < 1.00000001, "categorical_fraction",
          "Integer, binary, categorical, time and string fractions must add up to <= 1")
    check(0 <= spec.missing_fraction < 1, "missing_fraction", "Missing fraction must be between 0 and 1")
    for name, value in fr.items():
        check(0 <= value <= 1, f"{name}_fraction", f"{name.capitalize()} fraction must be between 0 and 1")
    check(0 <= spec.binary_ones_fraction <= 1, "binary_ones_fraction", "Binary ones fraction must be between 0 and 1")
    check(spec.categorical_fraction == 0 or spec.factors >= 2, "factors",
          "Factors must be larger than 2 for categorical data")
    check(1 <= spec.response_factors <= 1024, "response_factors",
          "Response factors must be either 1 (real-valued response), or >=2 (factor levels), and <= 1024")
    check(spec.factors <= 10_000_000, "factors", "Number of factors must be <= 10,000,000")
    check(spec.cols > 0 and spec.rows > 0, "rows", "Must have number of rows and columns > 0")
    check(spec.real_range >= 0, "real_range", "Real range must be a nonnegative number")
    check(spec.integer_range >= 0, "integer_range", "Integer range must be a nonnegative number")
    if spec.positive_response:
        check(spec.response_factors == 1, "positive_response",
              "positive_response can only be requested for real-valued response column")
    if spec.randomize:
        check(spec.value == 0, "value", "Cannot set data to a constant value if randomize is true")
    else:
        check(not spec.has_response, "has_response", "Cannot have response column if randomize is false")
        check(sum(fr.values()) == 0, "randomize",
              "Cannot have integer, categorical, string, binary or time columns if randomize is false")
    return out


def column_counts(spec: CreateFrameSpec) -> dict[str, int]:
    """Columns of each type, as H2O-3 counts them (see the module doc)."""
    counts = {t: int(f * spec.cols + 0.1) for t, f in spec.fractions().items()}
    real = spec.cols - sum(counts.values())
    for t in TYPES:
        if real < 0 and counts[t] > 0:
            counts[t] -= 1
            real += 1
    counts["real"] = real
    return counts


def estimated_bytes(spec: CreateFrameSpec) -> int:
    """What the frame will hold (8 bytes a numeric cell, 4 a categorical, ~56 a string)."""
    c = column_counts(spec)
    per_row = 8 * (c["real"] + c["integer"] + c["binary"] + c["time"]) + 4 * c["categorical"]
    per_row += (8 + 49 + STRING_LENGTH) * c["string"] + (8 if spec.has_response else 0)
    return int(per_row * spec.rows)


def create_frame(spec: CreateFrameSpec, key: str) -> Frame:
    rng = np.random.default_rng(spec.seed)
    makers = _column_makers(spec)
    columns = [make(rng, i) for i, make in enumerate(makers)]
    columns = _with_missing(columns, spec.missing_fraction, rng)
    columns = _shuffled(columns, np.random.default_rng(spec.seed_for_column_types if spec.seed_for_column_types
                                                        is not None else rng.integers(1 << 62)))
    return Frame(key, columns)


def _column_makers(spec: CreateFrameSpec) -> list:
    n, c, makers = spec.rows, column_counts(spec), []
    if spec.has_response:
        if spec.response_factors == 1:
            low = 0.0 if spec.positive_response else -spec.real_range
            makers.append(lambda rng, i: _real("response", rng, n, low, spec.real_range))
        else:
            makers.append(lambda rng, i: _categorical("response", rng, n, _animal_domain(spec.response_factors)))
    if not spec.randomize:
        return makers + [lambda rng, i: Column("C", "real", np.full(n, float(spec.value)))] * c["real"]
    r, k = spec.real_range, spec.integer_range
    makers += [lambda rng, i: Column("C", "int", rng.integers(-k, k + 1, n).astype(np.float64))] * c["integer"]
    makers += [lambda rng, i: _real("C", rng, n, -r, r)] * c["real"]
    makers += [lambda rng, i: _categorical("C", rng, n, [f"c{i}.l{j}" for j in range(spec.factors)])] \
        * c["categorical"]
    makers += [lambda rng, i: Column("C", "int", (rng.random(n) < spec.binary_ones_fraction).astype(np.float64))] \
        * c["binary"]
    makers += [lambda rng, i: Column("C", "time", rng.integers(0, TIME_SPAN_MS, n).astype(np.float64))] * c["time"]
    makers += [lambda rng, i: Column("C", "string", _strings(rng, n))] * c["string"]
    return makers


def _real(name, rng, n, low, high) -> Column:
    return Column(name, "real", rng.uniform(low, high, n) if high > low else np.full(n, float(low)))


def _categorical(name, rng, n, domain: list[str]) -> Column:
    return Column(name, "enum", rng.integers(0, len(domain), n).astype(np.int32), list(domain))


def _strings(rng, n) -> np.ndarray:
    letters = rng.integers(65, 90, (n, STRING_LENGTH), dtype=np.uint8)     # A..Y, as H2O-3
    return np.array([row.tobytes().decode() for row in letters], dtype=object)


def _animal_domain(k: int) -> list[str]:
    names = list(ANIMALS[:k])
    pairs = (a + b for a in ANIMALS for b in ANIMALS if a != b)
    while len(names) < k:
        names.append(next(pairs))
    return names


def _with_missing(columns: list[Column], fraction: float, rng) -> list[Column]:
    if fraction <= 0:
        return columns
    out = []
    for col in columns:
        hit = rng.random(len(col.data)) < fraction
        data = col.data.copy()
        data[hit] = -1 if col.is_enum else (None if col.type == "string" else np.nan)
        out.append(Column(col.name, col.type, data, col.domain))
    return out


def _shuffled(columns: list[Column], rng) -> list[Column]:
    """Columns in a random order, the response first, the others renamed C1, C2, ..."""
    order = list(rng.permutation(len(columns)))
    response = [i for i in order if columns[i].name == "response"]
    order = response + [i for i in order if columns[i].name != "response"]
    out, n = [], 0
    for i in order:
        col = columns[i]
        if col.name != "response":
            n += 1
            col = Column(f"C{n}", col.type, col.data, col.domain)
        out.append(col)
    return out
