"""How large a parsed frame will be, estimated before reading: kept columns x rows x 8 bytes.

Rows come from the decompressed size divided by the mean line length of the file's first
bytes. The decompressed size of a gzip file is its trailer's ISIZE (the size modulo 2^32; taken
when it is at least the compressed size, else the file is assumed to expand GZIP_RATIO times);
a zip member's size is in the archive's directory.
"""
from __future__ import annotations

import struct
import zipfile

from h2o_backend.parse.location import file_size, open_binary
from h2o_backend.parse.source import HEAD_BYTES, _zip_member, compression_of, read_head

BYTES_PER_CELL = 8
GZIP_RATIO = 4.0            # typical CSV compression; used only when the trailer cannot tell


def decompressed_size(path: str) -> int:
    """The bytes the file holds once decompressed (see the module doc)."""
    kind = compression_of(path)
    size = file_size(path)
    if kind == "gzip":
        with open_binary(path) as fh:
            fh.seek(size - 4)
            isize = struct.unpack("<I", fh.read(4))[0]
        return isize if isize >= size else int(size * GZIP_RATIO)
    if kind == "zip":
        with zipfile.ZipFile(open_binary(path)) as archive:
            return int(_zip_member(archive, path).file_size)
    return size


def estimated_rows(path: str) -> int:
    """Lines of the decompressed file, from the mean line length of its first bytes."""
    total = decompressed_size(path)
    head = read_head(path, HEAD_BYTES)
    if len(head) >= total:
        return max(1, head.count(b"\n") + (0 if head.endswith(b"\n") else 1))
    lines = max(1, head.count(b"\n"))
    return max(1, int(total * lines / len(head)))


def frame_bytes(paths: list[str], n_columns: int) -> tuple[int, int]:
    """(bytes, rows) of the frame parsed from ``paths`` with ``n_columns`` kept columns."""
    rows = sum(estimated_rows(p) for p in paths)
    return rows * max(1, n_columns) * BYTES_PER_CELL, rows
