"""What the Dask workers do with a cluster frame's chunks (cluster/frames.py submits these).

A chunk is a Frame of consecutive rows of one file: the lines that start inside the byte range
``[start, end)`` (a line belongs to the range its first byte lies in, so ranges cut anywhere and
every line is read once). A compressed file is one chunk. Chunks are parsed with the file's
setup (parse/parser.py ``parse_bytes``); their enum codes are first into the chunk's own sorted
levels, then recoded into the frame's domain (the sorted union of the chunks' levels, as one parse
of the whole file gives).

Each function takes and returns plain values (Frames, numpy arrays, dicts), so Dask can run it on
any worker and recompute a lost chunk from its source: the chunk's task graph is the file path, its
byte range and the setup.
"""
from __future__ import annotations

import copy

import numpy as np

from h2o_backend.frames.frame import Column, Frame
from h2o_backend.frames.summary import bin_index, extremes
from h2o_backend.parse import parser
from h2o_backend.parse.location import open_binary
from h2o_backend.parse.source import compression_of, open_text_stream

# ---------------------------------------------------------------------------- parse
def line_range(path: str, start: int, end: int) -> bytes:
    """The bytes of the lines that start in ``[start, end)`` of the (uncompressed) file."""
    with open_binary(path) as f:
        if start > 0:
            f.seek(start - 1)
            if f.read(1) != b"\n":          # inside a line that began before: it is not ours
                rest = f.readline()
                start += len(rest)
        if start >= end:
            return b""
        f.seek(start)
        data = f.read(end - start)
        if data and not data.endswith(b"\n"):
            data += f.readline()
    return data


def parse_chunk(path: str, start: int, end: int, setup, first: bool, key: str) -> tuple[Frame, list[str]]:
    """(the chunk's rows with its own enum levels, the parse's notes)."""
    setup = copy.deepcopy(setup)
    setup.warnings = []
    if compression_of(path) is not None:          # one chunk: the whole file, decompressed
        stream = open_text_stream(path)
        try:
            data = stream.read()
        finally:
            stream.close()
    else:
        data = line_range(path, start, end)
    skip = parser.leading_skip(path, setup, first) if first else 0
    frame = parser.parse_bytes(data, setup, key, skip, shown=path)
    return frame, list(setup.warnings)


def chunk_frame(parsed: tuple[Frame, list[str]]) -> Frame:
    return parsed[0]


def levels(chunk: Frame) -> list[list[str] | None]:
    """The chunk's enum levels per column (None for other columns)."""
    return [list(c.domain) if c.is_enum else None for c in chunk.columns]


def column_names(chunk: Frame) -> list[str]:
    return chunk.names


def column_types(chunk: Frame) -> list[str]:
    return [c.type for c in chunk.columns]


def recode(chunk: Frame, domains: list[list[str] | None], types: list[str]) -> Frame:
    """The chunk with its enum codes into the frame's ``domains`` and the frame's column ``types``
    (a numeric column is 'real' when any chunk holds a fraction)."""
    columns = []
    for col, domain, kind in zip(chunk.columns, domains, types):
        if col.is_enum:
            index = {level: i for i, level in enumerate(domain)}
            lut = np.array([index[level] for level in col.domain] + [-1], dtype=np.int32)
            data = lut[np.where(col.data >= 0, col.data, len(col.domain))]
            columns.append(Column(col.name, "enum", data, domain))
        else:
            columns.append(Column(col.name, kind, col.data, None))
    return Frame(chunk.key, columns)


# ---------------------------------------------------------------------------- statistics
def moments(chunk: Frame) -> list[dict]:
    """Per column, what the frame's rollups combine: counts, the extremes, the mean and the sum of
    squared deviations of the finite values (combined with Chan's formula)."""
    out = []
    for col in chunk.columns:
        if col.type == "string":
            out.append({"missing": int(col.missing_mask().sum()), "count": 0})
            continue
        values = col.as_float()
        present = values[~np.isnan(values)]
        finite = present[np.isfinite(present)]
        mins, maxs = extremes(finite) if finite.size else ([], [])
        entry = {"missing": int(values.size - present.size), "zeros": int(np.count_nonzero(present == 0)),
                 "pinf": int(np.count_nonzero(present == np.inf)), "ninf": int(np.count_nonzero(present == -np.inf)),
                 "count": int(finite.size), "mean": float(finite.mean()) if finite.size else 0.0,
                 "m2": float(((finite - finite.mean()) ** 2).sum()) if finite.size else 0.0,
                 "mins": mins, "maxs": maxs}
        if col.is_enum:
            entry["levels"] = np.bincount(col.data[col.data >= 0], minlength=len(col.domain)).tolist()
        out.append(entry)
    return out


def histogram(chunk: Frame, specs: list[tuple | None]) -> list[np.ndarray | None]:
    """Per numeric column with a spec ``(low, stride, nbins)``: its finite values' bin counts
    (summary.py's bins)."""
    out = []
    for col, spec in zip(chunk.columns, specs):
        if spec is None:
            out.append(None)
            continue
        values = col.as_float()
        out.append(np.bincount(bin_index(values[np.isfinite(values)], spec), minlength=spec[2]))
    return out


def values_in_bins(chunk: Frame, column: int, spec: tuple, bins: list[int]) -> list[np.ndarray]:
    """The finite values of one column that fall in each of ``bins`` (by ``histogram``'s rule):
    the bins a percentile's order statistics lie in."""
    values = chunk.columns[column].as_float()
    finite = values[np.isfinite(values)]
    index = bin_index(finite, spec)
    return [finite[index == b] for b in bins]


# ---------------------------------------------------------------------------- rows
def take(chunk: Frame, rows) -> Frame:
    """The chunk's ``rows`` (indices or a slice)."""
    return chunk.take_rows(rows)


def size(chunk: Frame) -> tuple[int, int, bytes]:
    """(rows, bytes, digest of the values) of the chunk."""
    from h2o_backend.frames.checksum import chunk_digest
    return chunk.nrows, chunk.byte_size, chunk_digest(chunk)

