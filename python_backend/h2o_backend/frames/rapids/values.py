"""What a Rapids expression evaluates to, besides a Frame, and the column helpers operators share.

H2O-3 answers each kind with its own schema: a frame (RapidsFrameV3: key, num_rows, num_cols),
a number (RapidsNumberV3: ``scalar``), numbers (RapidsNumbersV3: ``scalar`` as a list) or
strings (RapidsStringsV3: ``string`` as a list).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from h2o_backend.frames.frame import Column, Frame
from h2o_backend.frames.rapids.parser import RapidsError


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Nums:
    values: list[float]


@dataclass(frozen=True)
class Str:
    value: str


@dataclass(frozen=True)
class Strs:
    values: list[str]


def numeric_column(name: str, values: np.ndarray) -> Column:
    """A float64 column typed ``int`` when every present value is a whole number, else ``real``."""
    values = np.asarray(values, dtype=np.float64)
    present = values[~np.isnan(values)]
    whole = present.size == 0 or bool(np.all(np.isfinite(present) & (present == np.round(present))))
    return Column(name, "int" if whole else "real", values)


def numeric_values(column: Column, op: str) -> np.ndarray:
    """A numeric column's values; categorical and string columns are refused, naming `op`."""
    if not column.is_numeric:
        raise RapidsError(f"'{op}' needs numeric columns, but column '{column.name}' is "
                          f"{'categorical' if column.is_enum else 'a string column'}")
    return column.data


def frame_of(value, op: str) -> Frame:
    if not isinstance(value, Frame):
        raise RapidsError(f"'{op}' needs a frame here, not {describe(value)}")
    return value


def number_of(value, op: str, what: str = "argument") -> float:
    if isinstance(value, Num):
        return value.value
    raise RapidsError(f"'{op}': the {what} must be a number, not {describe(value)}")


def describe(value) -> str:
    if isinstance(value, Frame):
        return f"a frame of {value.ncols} columns"
    if isinstance(value, Num):
        return f"the number {value.value:g}"
    if isinstance(value, Str):
        return f'the string "{value.value}"'
    if isinstance(value, (Nums, Strs)):
        return "a list"
    return type(value).__name__


def unique_names(names: list[str]) -> list[str]:
    """Duplicate names made unique by appending 0, 1, ... to the later ones (H2O-3's cbind)."""
    seen: set[str] = set()
    out = []
    for name in names:
        candidate, n = name, 0
        while candidate in seen:
            candidate, n = f"{name}{n}", n + 1
        seen.add(candidate)
        out.append(candidate)
    return out
