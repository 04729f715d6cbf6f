"""From pyarrow's parsed columns to frame columns (storage as frames.py describes), vectorised.

- numbers: float64 with NaN; 'int' when every present value is integral, else 'real';
- enums: int32 codes into a lexicographically sorted domain (H2O's order), -1 for missing;
- strings: an object array of str, None for missing;
- times: milliseconds since the epoch (UTC) as float64, NaN for missing or unreadable values.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from h2o_backend.frames.frame import Column
from h2o_backend.parse.guess import NUMBER_RE

TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
                "%Y-%m-%d", "%d-%b-%y", "%d-%b-%Y")
_FRACTION_RE = r"\.(?P<frac>\d+)$"


def numeric_column(name: str, data: pa.ChunkedArray) -> Column:
    values = _to_float64(data)
    whole = pa.types.is_integer(data.type) or is_integral(values)
    return Column(name, "int" if whole else "real", values)


def is_integral(values: np.ndarray) -> bool:
    """Every present (non-NaN) value is a whole number."""
    mismatch = values != np.trunc(values)          # NaN != NaN: missing values show up here
    return not mismatch.any() or bool(np.isnan(values[mismatch]).all())


def _to_float64(data: pa.ChunkedArray) -> np.ndarray:
    """One float64 array from the chunks (integers converted, nulls as NaN), one copy."""
    out = np.empty(len(data), dtype=np.float64)
    start = 0
    for chunk in data.chunks:
        out[start:start + len(chunk)] = chunk.to_numpy(zero_copy_only=False)
        start += len(chunk)
    return out


def lenient_numeric_column(name: str, data: pa.ChunkedArray) -> tuple[Column, int]:
    """A numeric column read as text: fields that are not numbers become missing.
    Returns the column and how many fields were made missing that way."""
    text = pc.utf8_trim_whitespace(data)
    is_number = pc.match_substring_regex(text, NUMBER_RE)
    bad = int(pc.sum(pc.and_(pc.is_valid(text), pc.invert(is_number))).as_py() or 0)
    kept = pc.if_else(is_number, text, pa.scalar(None, pa.string()))
    return numeric_column(name, pc.cast(kept, pa.float64())), bad


def enum_column(name: str, data: pa.ChunkedArray) -> Column:
    """Dictionary-encoded text to codes into a sorted domain."""
    if not pa.types.is_dictionary(data.type):
        data = data.dictionary_encode()
    data = data.unify_dictionaries()
    if data.num_chunks == 0 or len(data) == 0:
        return Column(name, "enum", np.empty(0, dtype=np.int32), [])
    levels = np.array(data.chunk(0).dictionary.to_pylist(), dtype=object)
    indices = pa.chunked_array([chunk.indices for chunk in data.chunks])
    codes = pc.fill_null(indices, -1).to_numpy().astype(np.int32, copy=False)
    order = np.argsort(levels, kind="stable")
    remap = np.empty(len(levels) + 1, dtype=np.int32)
    remap[order] = np.arange(len(levels), dtype=np.int32)
    remap[-1] = -1                       # index -1 (missing) stays -1
    return Column(name, "enum", remap[codes], [str(v) for v in levels[order]])


def string_column(name: str, data: pa.ChunkedArray) -> Column:
    if data.num_chunks == 0:
        return Column(name, "string", np.empty(0, dtype=object))
    values = data.to_numpy(zero_copy_only=False)
    return Column(name, "string", np.asarray(values, dtype=object))


def time_column(name: str, data: pa.ChunkedArray) -> tuple[Column, int]:
    """Text dates/times to epoch milliseconds; returns the column and how many present
    fields could not be read as a time (they become missing)."""
    if data.num_chunks == 0:
        return Column(name, "time", np.empty(0, dtype=np.float64)), 0
    text = pc.utf8_trim_whitespace(data.combine_chunks())
    base = pc.replace_substring_regex(text, _FRACTION_RE, "")
    stamp = pc.coalesce(*[pc.strptime(base, format=f, unit="ms", error_is_null=True)
                          for f in TIME_FORMATS])
    millis = pc.cast(pc.cast(stamp, pa.int64()), pa.float64())
    millis = pc.add(millis, _fraction_ms(text))
    values = millis.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    bad = int(pc.sum(pc.and_(pc.is_valid(text), pc.is_null(stamp))).as_py() or 0)
    return Column(name, "time", values), bad


def _fraction_ms(text: pa.Array) -> pa.Array:
    """The fractional seconds of each field in milliseconds (0 when there is none)."""
    digits = pc.struct_field(pc.extract_regex(text, _FRACTION_RE), [0])
    padded = pc.utf8_slice_codeunits(pc.utf8_rpad(digits, width=3, padding="0"), 0, 3)
    return pc.fill_null(pc.cast(padded, pa.float64()), 0.0)


def null_tokens(data: pa.ChunkedArray, tokens: list[str]) -> pa.ChunkedArray:
    """Text fields equal to one of `tokens` (after trimming) made missing."""
    text = pc.utf8_trim_whitespace(data)
    hit = pc.is_in(text, value_set=pa.array(tokens, type=pa.string()))
    return pc.if_else(hit, pa.scalar(None, pa.string()), data)


def build_column(name: str, h2o_type: str, data: pa.ChunkedArray, na_tokens: list[str],
                 warnings: list[str]) -> Column:
    """The frame column of one parsed Arrow column of the given H2O type. Numbers that
    arrive as text (stray text in the column) are read leniently; unreadable fields are
    counted in `warnings`."""
    if na_tokens:
        data = null_tokens(data, na_tokens)
    if h2o_type == "Numeric" and not pa.types.is_string(data.type):
        return numeric_column(name, data)
    if h2o_type == "Numeric":
        column, bad = lenient_numeric_column(name, data)
        if bad:
            warnings.append(f"Column '{name}': {bad} non-numeric values read as missing")
        return column
    if h2o_type == "Enum":
        return enum_column(name, data)
    if h2o_type == "Time":
        column, bad = time_column(name, data)
        if bad:
            warnings.append(f"Column '{name}': {bad} values not readable as times read as missing")
        return column
    return string_column(name, data)
