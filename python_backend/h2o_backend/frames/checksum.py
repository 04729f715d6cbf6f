"""A frame's content checksum (H2O-3's ``frame_checksum`` in metrics and the reproducibility
table): a signed 64-bit digest of the column names, types, levels and values, so two frames with
the same content have the same checksum whatever their keys."""
from __future__ import annotations

import hashlib

import numpy as np


def digest_int64(h) -> int:
    """The first 8 bytes of a hashlib digest as a signed 64-bit integer (Java's ``long``)."""
    return int.from_bytes(h.digest()[:8], "little", signed=True)


def column_digest(h, col) -> None:
    """Feed one column's values to ``h``."""
    data = col.data
    if isinstance(data, np.ndarray) and data.dtype != object:
        h.update(np.ascontiguousarray(data).view(np.uint8))
    else:                                   # string columns: values as text, None as \x01
        h.update("\x00".join("\x01" if v is None else str(v) for v in data).encode())


def chunk_digest(frame) -> bytes:
    """The digest of one chunk's values, column by column (a cluster frame's chunks)."""
    h = hashlib.blake2b(digest_size=16)
    for col in frame.columns:
        column_digest(h, col)
    return h.digest()


def frame_checksum(frame) -> int:
    """The checksum of a frame in memory; of a cluster frame, its header and its chunks' digests
    (so it differs from the same rows held by the server, but not between equal cluster frames)."""
    h = hashlib.blake2b(digest_size=16)
    held = getattr(frame, "held_on_cluster", False)
    for col in frame.columns:
        h.update(f"{col.name}\x00{col.type}\x00{col.domain or ''}\x00".encode())
        if not held:
            column_digest(h, col)
    for digest in (frame.chunk_digests if held else ()):
        h.update(digest)
    return digest_int64(h)
