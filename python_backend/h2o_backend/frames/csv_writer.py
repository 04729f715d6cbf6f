"""Writing a frame as CSV the way H2O-3's DownloadDataset does, with vectorised Arrow string ops.

Header quoted; enum levels and strings quoted (inner quotes doubled); missing values empty;
int and time columns as integers (time in milliseconds since the epoch); a row whose cells are
all missing is written NA (not a blank line, which R would skip); reals written so that
R's read.csv reads back the very same double: the shortest representation when R's parser
(which rounds twice, through long double) maps it to the right double, else 17 significant
digits, which it always does. `r_reads` emulates R's parser to decide.
"""
from __future__ import annotations

from typing import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2o_backend.frames.frame import Column, Frame

CELLS_PER_BATCH = 1 << 22
_NUMBER = r"^(?P<sign>-?)(?P<int>\d*)\.?(?P<frac>\d*)(?:e(?P<exp>[+-]?\d+))?$"
_MAX_EXP = 400


def _r_scale_table() -> np.ndarray:
    """10**k for k in 0.._MAX_EXP as R computes it: repeated squaring in long double."""
    table = np.empty(_MAX_EXP + 1, dtype=np.longdouble)
    for k in range(_MAX_EXP + 1):
        p10, fac, n = np.longdouble(10), np.longdouble(1), k
        while n:
            if n & 1:
                fac *= p10
            n >>= 1
            p10 *= p10
        table[k] = fac
    return table


_R_SCALE = _r_scale_table()


def r_reads(text: pa.Array) -> np.ndarray:
    """The doubles R's read.csv makes of decimal strings (R_strtod: digits accumulated in a
    long double, scaled by a power of ten in long double, then rounded to double); NaN for
    missing text."""
    parts = pc.extract_regex(text, _NUMBER)
    field = lambda name: pc.struct_field(parts, name)  # noqa: E731
    digits = pc.binary_join_element_wise(field("int"), field("frac"), "")
    whole = pc.fill_null(pc.cast(pc.fill_null(digits, "0"), pa.uint64()), 0)
    mantissa = _numpy(whole, np.uint64).astype(np.longdouble)       # exact: < 10**18
    exp_text = pc.if_else(pc.equal(field("exp"), ""), "0",
                          pc.replace_substring(field("exp"), "+", ""))
    exponent = (np.nan_to_num(_numpy(pc.cast(exp_text, pa.int64()), np.float64))
                - np.nan_to_num(_numpy(pc.utf8_length(field("frac")), np.float64))).astype(np.int64)
    scale = _R_SCALE[np.minimum(np.abs(exponent), _MAX_EXP)]
    value = np.where(exponent < 0, mantissa / scale, mantissa * scale).astype(np.float64)
    negative = _numpy(pc.fill_null(pc.equal(field("sign"), "-"), False), bool)
    return np.where(negative, -value, value)


def _numpy(array: pa.Array, dtype) -> np.ndarray:
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=dtype)


def real_text(values: np.ndarray, finite: np.ndarray) -> pa.Array:
    """Text of the finite reals that R reads back exactly (see module doc); null elsewhere."""
    text = pc.cast(pa.array(values, type=pa.float64(), mask=~finite), pa.string())
    wrong = finite & (r_reads(text) != values)
    if wrong.any():
        fixed = pa.array(["%.17g" % v for v in values[wrong].tolist()], type=pa.string())
        text = pc.replace_with_mask(text, pa.array(wrong), fixed)
    return text


def _quoted(text: pa.Array) -> pa.Array:
    escaped = pc.replace_substring(text, '"', '""')
    return pc.binary_join_element_wise('"', escaped, '"', "")


def _numbers(column: Column, data: np.ndarray) -> pa.Array:
    finite = np.isfinite(data)
    if column.type in ("int", "time"):
        whole = np.where(finite, data, 0).astype(np.int64)
        text = pc.cast(pa.array(whole, mask=~finite), pa.string())
    else:
        text = real_text(data, finite)
    infinite = np.isinf(data)
    if infinite.any():
        signs = np.where(data[infinite] > 0, "Inf", "-Inf").tolist()
        text = pc.replace_with_mask(text, pa.array(infinite), pa.array(signs, type=pa.string()))
    return pc.fill_null(text, "")


def _cells(column: Column, start: int, stop: int) -> pa.Array:
    """One column's CSV cells for rows [start, stop), missing as empty text."""
    data = column.data[start:stop]
    if column.type == "enum":
        labels = _quoted(pa.array(column.domain or [], type=pa.string()))
        labels = pa.concat_arrays([labels, pa.array([""], type=pa.string())])
        codes = np.where(data < 0, len(column.domain or []), data)
        return labels.take(pa.array(codes, type=pa.int32()))
    if column.type == "string":
        return pc.fill_null(_quoted(pa.array(data, type=pa.string())), "")
    return _numbers(column, data)


def header_line(frame: Frame) -> bytes:
    return (",".join('"' + n.replace('"', '""') + '"' for n in frame.names) + "\n").encode()


def _rows(frame: Frame, start: int, stop: int) -> bytes:
    cells = [_cells(c, start, stop) for c in frame.columns]
    ends = pa.array([""] * (stop - start), type=pa.string())
    joined = pc.binary_join_element_wise(*cells, ",")
    joined = pc.if_else(pc.equal(joined, ""), "NA", joined)   # R's read.csv skips blank lines
    return _text_bytes(pc.binary_join_element_wise(joined, ends, "\n"))


def _text_bytes(lines: pa.Array) -> bytes:
    """The concatenated values of a string array without nulls, straight from its buffers."""
    if len(lines) == 0:
        return b""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1,
                            offset=lines.offset * 4)
    return lines.buffers()[2].slice(int(offsets[0]), int(offsets[-1] - offsets[0])).to_pybytes()


def frame_csv_chunks(frame: Frame, parts=None) -> Iterator[bytes]:
    """The CSV text in pieces (header first), a few million cells at a time. ``parts``: the
    frame's rows as an iterable of Frames (a frame held by the cluster's workers, chunk by chunk)."""
    yield header_line(frame)
    for part in (parts if parts is not None else [frame]):
        step = max(1, CELLS_PER_BATCH // max(1, part.ncols))
        for start in range(0, part.nrows, step):
            yield _rows(part, start, min(part.nrows, start + step))


def write_frame_csv(frame: Frame, path: str) -> None:
    with open(path, "wb") as fh:
        for chunk in frame_csv_chunks(frame):
            fh.write(chunk)
