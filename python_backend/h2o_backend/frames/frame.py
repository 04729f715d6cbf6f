"""Columnar in-memory frames (H2O's Frame/Vec) and raw, not yet parsed, files.

Column storage by type:
- real, int, time: float64 array, NaN for missing (time in milliseconds since the epoch)
- enum: int32 codes into `domain`, -1 for missing
- string: object array of str, None for missing
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

NUMERIC_TYPES = ("real", "int", "time")
COLUMN_TYPES = ("real", "int", "enum", "string", "time")


@dataclass
class Column:
    name: str
    type: str
    data: np.ndarray
    domain: list[str] | None = None

    def __post_init__(self):
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"unknown column type {self.type!r}")

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    @property
    def is_enum(self) -> bool:
        return self.type == "enum"

    def missing_mask(self) -> np.ndarray:
        if self.type == "enum":
            return self.data < 0
        if self.type == "string":
            return np.array([v is None for v in self.data], dtype=bool)
        return np.isnan(self.data)

    def as_float(self) -> np.ndarray:
        """Numeric view: values for numeric columns, codes (NaN for missing) for enums."""
        if self.type == "enum":
            out = self.data.astype(np.float64)
            out[self.data < 0] = np.nan
            return out
        if self.type == "string":
            raise TypeError(f"column {self.name!r} is a string column")
        return self.data

    def take(self, rows) -> "Column":
        return Column(self.name, self.type, self.data[rows], self.domain)

    @property
    def byte_size(self) -> int:
        if self.type == "string":
            return int(sum(len(v) for v in self.data if v is not None)) + 8 * len(self.data)
        return int(self.data.nbytes)


class NamedColumns:
    """Columns looked up by name: what a Frame and a frame the Dask workers hold share."""
    columns: list

    @property
    def ncols(self) -> int:
        return len(self.columns)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str):
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def has_column(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    def index_of(self, name: str) -> int:
        return self.names.index(name)


@dataclass
class Frame(NamedColumns):
    key: str
    columns: list[Column] = field(default_factory=list)

    @property
    def nrows(self) -> int:
        return len(self.columns[0].data) if self.columns else 0

    @property
    def byte_size(self) -> int:
        return sum(c.byte_size for c in self.columns)

    def take_rows(self, rows, key: str | None = None) -> "Frame":
        return Frame(key or self.key, [c.take(rows) for c in self.columns])


@dataclass
class RawFile:
    """Bytes not yet parsed: a file on the server's disk (uploads are written to a spool folder)."""
    key: str
    path: str
    size: int
    delete_after_parse: bool = False
