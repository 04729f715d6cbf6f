"""A frame held by the Dask workers (issue 20): the server keeps its metadata only.

Names, column types, the enum domains (unified across chunks), the row count of every chunk, the
rollups and summary of every column (computed on the workers, frames.summary's shapes), and the
chunks themselves as Dask futures (opaque here: this module never imports dask; cluster/frames.py
builds and reads them). ``held_on_cluster`` is what handlers and the engine test to tell such a
frame from a Frame whose columns are in the server's memory.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from h2o_backend.frames.frame import NUMERIC_TYPES, NamedColumns
from h2o_backend.frames.summary import Rollups, Summary


@dataclass
class ClusterColumn:
    """A column's metadata; its values are in the chunks."""
    name: str
    type: str
    domain: list[str] | None
    rollups: Rollups
    summary: Summary

    @property
    def is_enum(self) -> bool:
        return self.type == "enum"

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES


@dataclass
class ClusterFrame(NamedColumns):
    key: str
    columns: list[ClusterColumn]
    chunks: list                      # Dask futures of the chunk Frames, in row order
    chunk_rows: list[int]
    chunk_bytes: list[int]
    chunk_digests: list[bytes] = field(default_factory=list)   # frames/checksum.py chunk_digest
    sources: list[str] = field(default_factory=list)
    keep: list = field(default_factory=list)        # futures the chunks' task graph needs
    held_on_cluster = True

    @property
    def nrows(self) -> int:
        return int(sum(self.chunk_rows))

    @property
    def byte_size(self) -> int:
        return int(sum(self.chunk_bytes))

    def release(self) -> None:
        """Let the workers drop the chunks (the frame was removed) once no other frame made from
        them needs them (released, not cancelled: cancelling would take the dependents too)."""
        for future in self.chunks + self.keep:
            future.release()
        self.chunks, self.keep = [], []

    def references(self) -> list:
        """New references to the chunks and what they keep (Dask futures of the same keys, each
        released on its own): what a frame made from this one keeps, so that removing this one does
        not drop what the other needs."""
        return [type(f)(f.key, f.client) for f in self.chunks + self.keep]

    def chunk_starts(self) -> np.ndarray:
        """The first row of every chunk, and the row count at the end."""
        return np.concatenate([[0], np.cumsum(self.chunk_rows)]).astype(np.int64)


def is_cluster_frame(value) -> bool:
    return bool(getattr(value, "held_on_cluster", False))
