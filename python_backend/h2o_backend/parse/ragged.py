"""Rows with another number of fields than the setup's columns, evened out as H2O-3 does.

H2O-3's parser fills the missing trailing fields of a short row with NA, and drops the extra
fields of a long row while recording "Invalid line, found more columns than expected" among the
parse's errors. pyarrow's reader refuses both, so when it does, the file is evened out here:

1. a serial read with an ``invalid_row_handler`` lists the uneven rows (line number, field
   count, text) — only those rows are handled in Python;
2. the file is read again as one string per physical line (vectorised), the uneven lines are
   replaced (padded with separators, or cut after the last expected field), empty lines
   dropped (the reader skips them and leaves them out of its line numbers), and the lines are
   joined back into one buffer, which the normal multi-threaded read then parses.

Fields never span lines here (the reader does not allow newlines in values), so a physical
line is a row. The evened-out copy of the file is held in memory, only in this fallback.
"""
from __future__ import annotations

import csv
import io

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from h2o_backend.parse.source import open_text_stream

_LINE_DELIMITER = "\x1f"     # a control character that CSV text does not hold


class Uneven:
    """One uneven row: 1-based line number, field counts, text."""

    def __init__(self, number: int, expected: int, actual: int, text: str):
        self.number, self.expected, self.actual, self.text = number, expected, actual, text


def uneven_rows(read_serial) -> list[Uneven]:
    """The rows of another length, from `read_serial(handler)` (a serial read of the file)."""
    rows: list[Uneven] = []

    def handler(row):
        rows.append(Uneven(row.number, row.expected_columns, row.actual_columns, row.text))
        return "skip"
    read_serial(handler)
    return rows


def even_out(path: str, rows: list[Uneven], separator: int, quote: str) -> bytes:
    """The file's text with each uneven row padded or cut to the expected number of fields."""
    lines = _lines(path)
    # the reader skips empty lines and does not count them in row numbers: drop them here too
    lines = lines.filter(pc.greater(pc.utf8_length(pc.utf8_rtrim(lines, characters="\r")), 0))
    positions = {row.number - 1: _fixed(row, chr(separator), quote) for row in rows}
    mask = pa.array(_mask(len(lines), positions))
    replacements = pa.array([positions[i] for i in sorted(positions)], pa.large_string())
    lines = pc.replace_with_mask(lines, mask, replacements)
    joined = pc.binary_join_element_wise(lines, pa.scalar("\n", pa.large_string()),
                                         pa.scalar("", pa.large_string()))
    return _data_bytes(joined)


def more_fields_note(shown: str, rows: list[Uneven], separator: int, quote: str) -> str | None:
    """H2O-3's parse error for long rows, once per file (with the first line and its values)."""
    long_rows = [r for r in rows if r.actual > r.expected]
    if not long_rows:
        return None
    first = long_rows[0]
    extra = _fields(first.text, chr(separator), quote)[first.expected:] if first.text else []
    return (f"File {shown}: {len(long_rows)} invalid line(s), found more columns than expected "
            f"(first: record {first.number} of the file, blank lines not counted; found: {first.actual}, expected: {first.expected}; "
            f"values = {{{', '.join(extra)[:50]}}}); the extra fields were dropped")


def _fixed(row: Uneven, sep: str, quote: str) -> str:
    text = row.text.rstrip("\r")
    if row.actual < row.expected:
        return text + sep * (row.expected - row.actual)
    fields = _fields(text, sep, quote)[:row.expected]
    out = io.StringIO()
    csv.writer(out, delimiter=sep, quotechar=quote or '"', lineterminator="",
               quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE,
               escapechar=None if quote else "\\").writerow(fields)
    return out.getvalue()


def _fields(text: str, sep: str, quote: str) -> list[str]:
    reader = csv.reader([text], delimiter=sep, quotechar=quote or '"',
                        quoting=csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE)
    return next(reader, [])


def _mask(n: int, positions: dict[int, str]) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[sorted(positions)] = True
    return mask


def _lines(path: str) -> pa.Array:
    stream = open_text_stream(path)
    try:
        table = pacsv.read_csv(
            stream,
            read_options=pacsv.ReadOptions(column_names=["line"]),
            parse_options=pacsv.ParseOptions(delimiter=_LINE_DELIMITER, quote_char=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={"line": pa.large_string()},
                                                 strings_can_be_null=False, null_values=[]))
    finally:
        stream.close()
    return table.column("line").combine_chunks()


def _data_bytes(array: pa.Array) -> bytes:
    """The characters of a large_string array without nulls, back to back."""
    if len(array) == 0:
        return b""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int64)[array.offset:array.offset + len(array) + 1]
    return array.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]
