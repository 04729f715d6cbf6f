"""Reading one CSV file into an Arrow table with pyarrow's multi-threaded reader.

Each column is converted by the reader straight to the Arrow type the plan gives. When a
column planned as 32-bit integers holds other numbers past the sampled part of the file, or a
column planned as numbers holds text, the file is read again with that column as doubles, or
as text (the converter then makes those fields missing): the only case where a file is read
twice, never held twice. Errors name the file, the line or
the column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.csv as pacsv

from h2o_backend.parse import ragged
from h2o_backend.parse.source import ParseError, open_text_stream

_COLUMN_ERROR = re.compile(r"In CSV column #(\d+): CSV conversion error to (\w+)")
_WIDER = {"int32": pa.float64(), "double": pa.string()}      # the type to re-read a column as


@dataclass
class ReadPlan:
    names: list[str]                 # column labels, for messages
    types: list[pa.DataType]         # Arrow type of each column (skipped ones included)
    separator: int
    quote: str
    escapechar: int
    null_values: list[str]
    skipped: frozenset[int]
    block_size: int

    @property
    def arrow_names(self) -> list[str]:
        return [f"_c{i}" for i in range(len(self.names))]


def read_table(path: str, plan: ReadPlan, skip_rows: int, report=None,
               notes: list[str] | None = None, shown: str | None = None,
               data: bytes | None = None) -> pa.Table:
    """The file's rows (after `skip_rows` lines) as a table of columns `_c<i>`. Rows with too few
    fields get NAs, rows with too many lose the extra ones (a note in `notes`), as in H2O-3.
    `shown` names the file in messages (default: its path). With `data`, those bytes (a part of
    the file, cut at line ends) are read instead of the file; uneven rows are then an error."""
    shown = shown or path
    evened: bytes | None = data
    while True:
        try:
            return _read(path, plan, skip_rows, report, data=evened)
        except pa.ArrowInvalid as exc:
            if data is not None and _is_ragged(str(exc)):
                raise ParseError(f"File {shown}: {str(exc).replace(path, shown)}",
                                 field="source_frames") from None
            if evened is None and _is_ragged(str(exc)):
                evened = _even_out(path, plan, skip_rows, notes, shown)
                if evened is not None:
                    continue
            match = _COLUMN_ERROR.search(str(exc))
            wider = _WIDER.get(match.group(2)) if match else None
            if wider is not None:
                plan.types[int(match.group(1))] = wider
                continue
            raise _explain(exc, path, plan, match, skip_rows, shown) from None


def _is_ragged(text: str) -> bool:
    return "Expected" in text and "columns" in text


def _even_out(path: str, plan: ReadPlan, skip_rows: int, notes, shown: str) -> bytes | None:
    """The file evened out (ragged.py), or None when no uneven row was found after all."""
    text_plan = _text_plan(plan)
    rows = ragged.uneven_rows(lambda handler: _read(path, text_plan, skip_rows, None,
                                                    serial_handler=handler))
    if not rows:
        return None
    note = ragged.more_fields_note(shown, rows, plan.separator, plan.quote)
    if note and notes is not None:
        notes.append(note)
    try:
        return ragged.even_out(path, rows, plan.separator, plan.quote)
    except pa.ArrowInvalid:       # a line holding the line reader's delimiter (\x1f): say which
        return None


def _text_plan(plan: ReadPlan) -> ReadPlan:
    return ReadPlan(plan.names, [pa.string()] * len(plan.names), plan.separator, plan.quote,
                    plan.escapechar, plan.null_values, plan.skipped, plan.block_size)


def _read(path: str, plan: ReadPlan, skip_rows: int, report, serial_handler=None,
          data: bytes | None = None) -> pa.Table:
    names = plan.arrow_names
    stream = pa.BufferReader(data) if data is not None else open_text_stream(path, report)
    try:
        return pacsv.read_csv(
            stream,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip_rows,
                                           block_size=plan.block_size,
                                           use_threads=serial_handler is None),
            parse_options=pacsv.ParseOptions(
                delimiter=chr(plan.separator), quote_char=plan.quote,
                escape_char=chr(plan.escapechar) if plan.escapechar else False,
                invalid_row_handler=serial_handler),
            convert_options=pacsv.ConvertOptions(
                column_types=dict(zip(names, plan.types)),
                include_columns=[n for i, n in enumerate(names) if i not in plan.skipped],
                null_values=plan.null_values, strings_can_be_null=True,
                quoted_strings_can_be_null=True))
    finally:
        stream.close()


def _explain(exc: pa.ArrowInvalid, path: str, plan: ReadPlan, column_match,
             skip_rows: int, shown: str) -> ParseError:
    text = str(exc).replace(path, shown)
    if _is_ragged(text):
        return ParseError(_ragged_message(path, plan, text, skip_rows, shown), field="source_frames")
    if column_match:
        name = plan.names[int(column_match.group(1))]
        return ParseError(f"File {shown}, column '{name}': {text.split(': ', 1)[-1]}",
                          field="column_types")
    return ParseError(f"File {shown} cannot be parsed: {text}", field="source_frames")


def _ragged_message(path: str, plan: ReadPlan, text: str, skip_rows: int, shown: str) -> str:
    """Names the first line with another number of fields (found by a serial re-read: the
    multi-threaded reader does not know line numbers)."""
    bad = []

    def handler(row):
        bad.append(row)
        return "error"
    text_plan = _text_plan(plan)
    try:
        _read(path, text_plan, skip_rows, None, serial_handler=handler)
    except pa.ArrowInvalid:
        pass
    if not bad:
        return f"File {shown}: {text}"
    row = bad[0]
    return (f"File {shown}, line {row.number}: expected {row.expected_columns} fields but found "
            f"{row.actual_columns}: {row.text[:200]!r}")
