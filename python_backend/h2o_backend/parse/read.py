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


def read_table(path: str, plan: ReadPlan, skip_rows: int, report=None) -> pa.Table:
    """The file's rows (after `skip_rows` lines) as a table of columns `_c<i>`."""
    while True:
        try:
            return _read(path, plan, skip_rows, report)
        except pa.ArrowInvalid as exc:
            match = _COLUMN_ERROR.search(str(exc))
            wider = _WIDER.get(match.group(2)) if match else None
            if wider is not None:
                plan.types[int(match.group(1))] = wider
                continue
            raise _explain(exc, path, plan, match, skip_rows) from None


def _read(path: str, plan: ReadPlan, skip_rows: int, report, serial_handler=None) -> pa.Table:
    names = plan.arrow_names
    stream = open_text_stream(path, report)
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
             skip_rows: int) -> ParseError:
    text = str(exc)
    if "Expected" in text and "columns" in text:
        return ParseError(_ragged_message(path, plan, text, skip_rows), field="source_frames")
    if column_match:
        name = plan.names[int(column_match.group(1))]
        return ParseError(f"File {path}, column '{name}': {text.split(': ', 1)[-1]}",
                          field="column_types")
    return ParseError(f"File {path} cannot be parsed: {text}", field="source_frames")


def _ragged_message(path: str, plan: ReadPlan, text: str, skip_rows: int) -> str:
    """Names the first line with another number of fields (found by a serial re-read: the
    multi-threaded reader does not know line numbers)."""
    bad = []

    def handler(row):
        bad.append(row)
        return "error"
    text_plan = ReadPlan(plan.names, [pa.string()] * len(plan.names), plan.separator,
                         plan.quote, plan.escapechar, plan.null_values, plan.skipped,
                         plan.block_size)
    try:
        _read(path, text_plan, skip_rows, None, serial_handler=handler)
    except pa.ArrowInvalid:
        pass
    if not bad:
        return f"File {path}: {text}"
    row = bad[0]
    return (f"File {path}, line {row.number}: expected {row.expected_columns} fields but found "
            f"{row.actual_columns}: {row.text[:200]!r}")
