"""Guessing how to parse a CSV file from its first bytes, with H2O-3's rules.

- Separator (H2O's CsvParser.guessSeparator): the candidates `, ; | TAB SPACE`, in that order
  of likelihood; the first whose count is the same on the first two lines (and at least half
  the largest count on line 1) and that tokenises both lines consistently wins; else the most
  frequent one on line 1; else space.
- Header (H2O's ParseSetup.hasHeader): the first line is a header when none of its fields is a
  number, a date/time or a UUID, while the second line has at least one such field.
- Column types (H2O's PreviewParseWriter.guessTypes), from counts over the whole sample of
  numbers, zeros, dates, UUIDs and strings per column: numeric when numbers are at least as
  frequent as strings; time when dates dominate; string when (almost) every string is distinct
  (distinct values >= 95% of the non-missing strings in the sample), otherwise enum.
  UUIDs are read as strings (frames have no UUID type).
"""
from __future__ import annotations

import csv
import io

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from h2o_backend.parse.source import ParseError

SEPARATORS = (ord(","), ord(";"), ord("|"), ord("\t"), ord(" "))
PREVIEW_LINES = 10
STRING_UNIQUE_RATIO = 0.95
NUMBER_RE = r"^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[Ii]nf(inity)?|INF|NaN|nan)$"
DATE_RE = (r"^(\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?"
           r"|\d{1,2}-[A-Za-z]{3}-(\d{2}|\d{4}))$")
UUID_RE = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
NUMERIC, ENUM, STRING, TIME = "Numeric", "Enum", "String", "Time"


def first_lines(head: bytes, quote: str, limit: int = PREVIEW_LINES) -> list[str]:
    """Up to `limit` non-blank, non-comment lines (a quoted newline stays inside its line)."""
    text = head.decode("utf-8", errors="replace")
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = pending + raw
        if line.count(quote) % 2 == 1:        # an open quote: the record goes on
            pending = line + "\n"
            continue
        pending = ""
        stripped = line.strip()
        if stripped and stripped[0] not in "#%@":
            lines.append(stripped)
            if len(lines) == limit:
                break
    return lines


def tokens(line: str, sep: int, quote: str) -> list[str]:
    """The fields of one line, quotes removed (space separators may repeat)."""
    reader = csv.reader(io.StringIO(line), delimiter=chr(sep), quotechar=quote,
                        skipinitialspace=(sep == ord(" ")))
    fields = next(reader, [])
    return [f.strip() for f in fields]


def _separator_counts(line: str, quote: str) -> list[int]:
    counts = [0] * len(SEPARATORS)
    in_quote = False
    for ch in line:
        if ch == quote:
            in_quote = not in_quote
        elif not in_quote and ord(ch) in SEPARATORS:
            counts[SEPARATORS.index(ord(ch))] += 1
    return counts


def _tokenises(l1: str, l2: str, i: int, s1: list[int], s2: list[int], quote: str) -> bool:
    sep = SEPARATORS[i]
    if sep == ord(" "):       # runs of spaces count once
        return len(tokens(l1, sep, quote)) > 1 and len(tokens(l2, sep, quote)) > 1
    return len(tokens(l1, sep, quote)) == s1[i] + 1 and len(tokens(l2, sep, quote)) == s2[i] + 1


def _separator_of_pair(l1: str, l2: str, quote: str) -> int | None:
    s1, s2 = _separator_counts(l1, quote), _separator_counts(l2, quote)
    best = 0
    for i in range(len(SEPARATORS)):
        if s1[i] == 0:
            continue
        if s1[best] < s1[i]:
            best = i
        if s1[i] == s2[i] and s1[i] >= s1[best] >> 1 and _tokenises(l1, l2, i, s1, s2, quote):
            return SEPARATORS[i]
    if s1[best] and _tokenises(l1, l2, best, s1, s2, quote):
        return SEPARATORS[best]
    return None


def guess_separator(lines: list[str], quote: str) -> int:
    if len(lines) == 1:
        counts = _separator_counts(lines[0], quote)
        return SEPARATORS[int(np.argmax(counts))] if max(counts) else ord(",")
    pairs = [(0, 1), (1, 2), (0, 2)] if len(lines) > 2 else [(0, 1)]
    for a, b in pairs:
        sep = _separator_of_pair(lines[a], lines[b], quote)
        if sep is not None:
            return sep
    return ord(" ") if any(" " in line for line in lines[:2]) else ord(",")


def guess_ncols(rows: list[list[str]]) -> int:
    """The first line's width when it is the longest, else the most common width."""
    widths = [len(r) for r in rows]
    if max(widths) == widths[0]:
        return widths[0]
    return int(np.bincount(widths).argmax())


def all_strings(fields: list[str]) -> bool:
    """No field is a number, a date/time or a UUID (H2O's ParseSetup.allStrings)."""
    text = pc.utf8_trim_whitespace(pa.array(fields, type=pa.string()))
    values = pc.or_(pc.or_(pc.match_substring_regex(text, NUMBER_RE),
                           pc.match_substring_regex(text, DATE_RE)),
                    pc.match_substring_regex(text, UUID_RE))
    return not pc.any(values).as_py()


def has_header(rows: list[list[str]]) -> bool:
    if len(rows) == 1:
        return all_strings(rows[0]) and rows[0][0] != ""
    return all_strings(rows[0]) and not all_strings(rows[1])


def sample_table(head: bytes, sep: int, quote: str, ncols: int, skip_rows: int,
                 complete: bool) -> pa.Table:
    """The sample's fields as strings (raw tokens, nothing made missing); rows of another
    width are dropped (the full parse reports them)."""
    body = head if complete else head[: head.rfind(b"\n") + 1]
    names = [f"_c{i}" for i in range(ncols)]
    try:
        return pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=skip_rows,
                                           use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=chr(sep), quote_char=quote,
                                             invalid_row_handler=lambda row: "skip"),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 null_values=[], strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except pa.ArrowInvalid as exc:
        raise ParseError(f"Cannot read the file's first lines with separator {sep!r}: {exc}",
                         field="separator")


def _counts(column: pa.Array, na_strings: pa.Array) -> dict:
    text = pc.utf8_trim_whitespace(column)
    na = pc.is_in(text, value_set=na_strings)
    num = pc.and_not(pc.match_substring_regex(text, NUMBER_RE), na)
    values = pc.cast(pc.if_else(num, text, pa.scalar(None, pa.string())), pa.float64())
    zeros = pc.equal(values, 0.0)
    rest = pc.invert(pc.or_(na, num))
    date = pc.and_(rest, pc.match_substring_regex(text, DATE_RE))
    uuid = pc.and_(rest, pc.match_substring_regex(text, UUID_RE))
    strings = pc.and_not(pc.and_not(rest, date), uuid)
    total = lambda mask: int(pc.sum(mask).as_py() or 0)  # noqa: E731
    nzeros = total(zeros)
    return {"rows": len(column), "empty": total(na), "nums": total(num) - nzeros,
            "zeros": nzeros, "dates": total(date), "uuids": total(uuid),
            "strings": total(strings),
            "distinct": int(pc.count_distinct(pc.filter(text, strings)).as_py())}


def _type_of(c: dict) -> str:
    """H2O-3's decision table (PreviewParseWriter.guessTypes) on one column's counts."""
    numbers = c["nums"] + c["zeros"]
    nonempty = c["rows"] - c["empty"]
    if numbers >= c["dates"] and numbers >= c["uuids"] and c["nums"] >= c["strings"]:
        return NUMERIC
    if c["distinct"] == 1 and c["strings"] >= nonempty:
        return ENUM
    if c["distinct"] <= 1 and numbers + c["strings"] > c["dates"] + c["uuids"]:
        return NUMERIC
    if c["dates"] > c["uuids"] and c["dates"] > numbers and (c["dates"] > c["strings"]
                                                              or c["distinct"] <= 1):
        return TIME
    if c["uuids"] > c["dates"] and c["uuids"] > numbers:
        return STRING
    if c["strings"] > numbers and c["distinct"] >= STRING_UNIQUE_RATIO * c["strings"]:
        return STRING
    return ENUM


def guess_column_types(table: pa.Table, na_strings: list[str]) -> tuple[list[str], list[str]]:
    """Per column: the H2O type name, and what the sample's fields are (`SAMPLE_KINDS`):
    "int32" when every present field is a whole number within 32 bits (read as such, the
    cheapest conversion), "number" for other numbers, "text" when some field is neither
    missing nor a number (a numeric column with such text is read leniently: those fields
    become missing)."""
    na = pa.array(na_strings, type=pa.string())
    types, kinds = [], []
    for column in table.columns:
        column = column.combine_chunks()
        numbers = _as_numbers(column, na)
        if numbers is not None:
            types.append(NUMERIC)
            kinds.append("int32" if _fits_int32(numbers) else "number")
            continue
        counts = _counts(column, na)
        types.append(_type_of(counts))
        kinds.append("text")
    return types, kinds


def _as_numbers(column: pa.Array, na: pa.Array) -> pa.Array | None:
    """The fields as doubles when every one is missing or a number (the fast path), else None."""
    text = pc.utf8_trim_whitespace(column)
    present = pc.if_else(pc.is_in(text, value_set=na), pa.scalar(None, pa.string()), text)
    try:
        return pc.cast(present, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _fits_int32(numbers: pa.Array) -> bool:
    values = numbers.to_numpy(zero_copy_only=False)
    values = values[~np.isnan(values)]
    return bool(np.all(values == np.trunc(values)) and np.all(np.abs(values) < 2 ** 31 - 1))
