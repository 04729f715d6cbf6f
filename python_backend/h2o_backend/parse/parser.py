"""Parsing CSV files into frames: the setup guess (H2O's ParseSetup) and the parse itself.

The parse is delegated to pyarrow's multi-threaded CSV reader, reading each file once from a
decompressing stream. Column types come from the setup (guessed on the first MiB, or given
by the client); the reader converts every column straight to its final Arrow type, and
convert.py turns those into frame columns with vectorised numpy/pyarrow operations.

Decisions (where H2O-3 differs or says nothing):
- Missing values: empty fields and `NA` are missing in every column (H2O-3 keeps `NA` as a
  level of enum columns). `na_strings` adds more: a flat list applies to every column, a
  list of lists (H2O-3's form) gives each column its own; such columns are read as text and
  their tokens made missing before conversion.
- Enum or string: H2O-3's rule on the setup sample — a text column is a string column when
  its distinct values are at least 95% of its non-missing values in the sample, else an enum.
- A numeric column with stray text fields (H2O: numbers at least as frequent as strings) keeps
  those fields as missing and says how many in the job's warnings.
- Rows with another number of fields than the header are an error naming the line (H2O-3
  pads or drops them silently).
- Runs of spaces are not merged when space is the separator.
"""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pyarrow as pa

from h2o_backend.parse import convert
from h2o_backend.parse import guess
from h2o_backend.frames.frame import Column, Frame
from h2o_backend.jobs import JobCancelled
from h2o_backend.parse.location import file_size
from h2o_backend.parse.read import ReadPlan, read_table
from h2o_backend.parse.source import HEAD_BYTES, ParseError, read_head

DEFAULT_NA_STRINGS = ("", "NA")
H2O_TYPES = ("Numeric", "Enum", "String", "Time", "UUID")
TYPE_ALIASES = {
    "numeric": "Numeric", "real": "Numeric", "int": "Numeric", "integer": "Numeric",
    "float": "Numeric", "double": "Numeric", "number": "Numeric",
    "enum": "Enum", "categorical": "Enum", "factor": "Enum",
    "string": "String", "character": "String", "str": "String",
    "time": "Time", "date": "Time", "uuid": "UUID",
}
GUESSED_TYPES = ("", "unknown", "bad", "guess")
MIN_CHUNK, MAX_CHUNK = 1 << 20, 16 << 20


@dataclass
class ParseSetup:
    """How to parse: H2O-3's ParseSetupV3 fields, plus the guess's preview and warnings."""
    separator: int = ord(",")
    single_quotes: bool = False
    check_header: int = 0                  # 1 header, -1 no header, 0 guess
    column_names: list[str] | None = None
    column_types: list[str] | None = None  # H2O names: Numeric, Enum, String, Time, UUID
    na_strings: list | None = None         # flat list: all columns; list of lists: per column
    skipped_columns: list[int] = field(default_factory=list)
    escapechar: int = 0
    chunk_size: int = 4 << 20
    destination_frame: str | None = None
    data: list[list[str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sample_kinds: list[str] | None = None  # per column: int32, number or text (guess.py)

    @property
    def number_columns(self) -> int:
        return len(self.column_names or [])

    @property
    def quote(self) -> str:
        return "'" if self.single_quotes else '"'


# ---------------------------------------------------------------------------- names & keys

def hex_key(source: str) -> str:
    """H2O's destination key for a file: base name without extensions, non-identifier
    characters as '_', a leading digit prefixed by 'X', then '.hex'."""
    base = re.split(r"[/\\]", source.rstrip("/\\"))[-1]
    for suffix in (".gz", ".zip", ".csv", ".txt", ".tsv", ".data", ".dat"):
        if base.lower().endswith(suffix) and len(base) > len(suffix):
            base = base[: -len(suffix)]
    base = re.sub(r"[^A-Za-z0-9_]", "_", base) or "parsed"
    if base[0].isdigit():
        base = "X" + base
    return base + ".hex"


def normalize_type(value: str, position: int) -> str | None:
    """A client's column type name as H2O's, or None for 'guess this one'."""
    text = str(value).strip()
    if text.lower() in GUESSED_TYPES:
        return None
    if text in H2O_TYPES:
        return text
    if text.lower() in TYPE_ALIASES:
        return TYPE_ALIASES[text.lower()]
    raise ParseError(f"column_types[{position}]: unknown column type '{value}'; expected one of "
                     f"{', '.join(H2O_TYPES)}", field="column_types")


def check_hints(separator: int | None, check_header: int, escapechar: int) -> None:
    if check_header not in (-1, 0, 1):
        raise ParseError(f"check_header must be 1 (header), -1 (no header) or 0 (guess), "
                         f"not {check_header}", field="check_header")
    if separator is not None and not 1 <= separator <= 127 or separator in (10, 13):
        raise ParseError(f"separator {separator} is not a usable separator byte (1..127, "
                         "not a line end)", field="separator")
    if not 0 <= escapechar <= 127:
        raise ParseError(f"escapechar {escapechar} is not a byte value 0..127", field="escapechar")


# ---------------------------------------------------------------------------- setup guess

def guess_setup(paths: list[str], *, separator: int | None = None, check_header: int = 0,
                column_names: list[str] | None = None, column_types: list | None = None,
                na_strings: list[str] | None = None, single_quotes: bool = False,
                skipped_columns: list[int] | None = None, escapechar: int = 0) -> ParseSetup:
    """Guess what the client did not say from the first MiB of the first file."""
    check_hints(separator, check_header, escapechar)
    setup = ParseSetup(single_quotes=single_quotes, na_strings=na_strings,
                       skipped_columns=list(skipped_columns or []), escapechar=escapechar)
    head = read_head(paths[0])
    lines = guess.first_lines(head, setup.quote)
    if not lines:
        raise ParseError(f"File {paths[0]} has no data lines (only blanks or comments)",
                         field="source_frames")
    setup.separator = separator or guess.guess_separator(lines, setup.quote)
    rows = [guess.tokens(line, setup.separator, setup.quote) for line in lines]
    header = _decide_header(check_header, rows, column_names)
    setup.check_header = 1 if header else -1
    setup.column_names = _column_names(column_names, rows, header)
    _guess_types(setup, head, column_types)
    setup.destination_frame = hex_key(paths[0])
    setup.chunk_size = _chunk_size(paths)
    setup.warnings.extend(_name_warnings(setup.column_names))
    return setup


def _decide_header(check_header: int, rows: list[list[str]], names: list[str] | None) -> bool:
    if check_header != 0:
        return check_header == 1
    if names and [n.lower() for n in names] == [t.lower() for t in rows[0]]:
        return True
    return guess.has_header(rows)


def _column_names(given: list[str] | None, rows: list[list[str]], header: bool) -> list[str]:
    ncols = len(given) if given else guess.guess_ncols(rows)
    if given:
        return [str(n) for n in given]
    labels = rows[0] if header else []
    return [labels[i] if i < len(labels) and labels[i] else f"C{i + 1}" for i in range(ncols)]


def _guess_types(setup: ParseSetup, head: bytes, given: list | None) -> None:
    ncols = setup.number_columns
    if given is not None and len(given) != ncols:
        raise ParseError(f"column_types has {len(given)} entries but the file has {ncols} "
                         "columns", field="column_types")
    wanted = [normalize_type(t, i) for i, t in enumerate(given)] if given else [None] * ncols
    table = guess.sample_table(head, setup.separator, setup.quote, ncols,
                               _leading_lines(head) + (setup.check_header == 1),
                               complete=len(head) < HEAD_BYTES)
    types, setup.sample_kinds = guess.guess_column_types(table, list(DEFAULT_NA_STRINGS) +
                                                         global_na_strings(setup))
    setup.column_types = [w or t for w, t in zip(wanted, types)]
    setup.data = _preview(table)


def _preview(table: pa.Table) -> list[list[str]]:
    head = table.slice(0, guess.PREVIEW_LINES).to_pylist()
    return [[row[name] for name in table.column_names] for row in head]


def _leading_lines(head: bytes) -> int:
    """Blank and comment lines before the first line of data (or header)."""
    count = 0
    for line in head.split(b"\n"):
        stripped = line.strip()
        if stripped and stripped[:1] not in (b"#", b"%", b"@"):
            return count
        count += 1
    return count


def _chunk_size(paths: list[str]) -> int:
    """Blocks big enough for few chunks per column, small enough to share among threads."""
    total = sum(file_size(p) for p in paths)
    threads = max(1, pa.cpu_count())
    return int(min(MAX_CHUNK, max(MIN_CHUNK, total // (2 * threads))))


def _name_warnings(names: list[str]) -> list[str]:
    seen, dups = set(), []
    for n in names:
        if n in seen and n not in dups:
            dups.append(n)
        seen.add(n)
    return [f"Found duplicate column name {d}" for d in dups]


def global_na_strings(setup: ParseSetup) -> list[str]:
    """NA tokens for every column (a flat na_strings list)."""
    values = setup.na_strings or []
    return [str(v) for v in values if not isinstance(v, list)]


def column_na_strings(setup: ParseSetup) -> list[list[str]]:
    """NA tokens of each column (na_strings given as a list of lists)."""
    values = setup.na_strings or []
    if not any(isinstance(v, list) for v in values):
        return [[] for _ in range(setup.number_columns)]
    lists = all(isinstance(v, (list, type(None))) for v in values)
    if len(values) != setup.number_columns or not lists:
        raise ParseError(f"na_strings: a list of lists must hold one list per column "
                         f"({setup.number_columns}), got {len(values)} entries", field="na_strings")
    return [[str(t) for t in (v or [])] for v in values]


def validate_setup(setup: ParseSetup) -> None:
    """What must hold before a parse starts; raises ParseError naming the field."""
    check_hints(setup.separator, setup.check_header, setup.escapechar)
    names, types = setup.column_names or [], setup.column_types or []
    if not names:
        raise ParseError("No columns to parse: column_names is empty", field="column_names")
    if len(types) != len(names):
        raise ParseError(f"column_types has {len(types)} entries for {len(names)} columns",
                         field="column_types")
    for problem in _name_warnings(names):
        raise ParseError(problem, field="column_names")
    bad = [i for i in setup.skipped_columns if not 0 <= i < len(names)]
    if bad:
        raise ParseError(f"skipped_columns: index {bad[0]} is outside 0..{len(names) - 1}",
                         field="skipped_columns")
    if len(setup.skipped_columns) >= len(names):
        raise ParseError("skipped_columns leaves no column to parse", field="skipped_columns")
    column_na_strings(setup)


# ---------------------------------------------------------------------------- the parse

def parse_frame(paths: list[str], setup: ParseSetup, key: str, job=None) -> Frame:
    """Parse the files (same layout, concatenated in order) into a Frame under `key`.
    `job` (optional) receives progress and is checked for cancel requests."""
    validate_setup(setup)
    plan = _read_plan(setup)
    sizes = [max(1, file_size(p)) for p in paths]
    tables, done = [], 0
    for index, (path, size) in enumerate(zip(paths, sizes)):
        report = _progress(job, done / sum(sizes), 0.9 * size / sum(sizes), index, len(paths))
        tables.append(read_table(path, plan, _skip_rows(path, setup, index == 0), report,
                                 notes=setup.warnings))
        done += size
    arrays = _merge(tables)
    del tables
    return Frame(key, _columns(arrays, setup, job))


def parse_bytes(data: bytes, setup: ParseSetup, key: str, skip_rows: int, shown: str) -> Frame:
    """Parse one part of a file (whole lines, `skip_rows` of them before the data) into a Frame;
    its notes are added to ``setup.warnings``. The cluster's workers parse their chunks so."""
    validate_setup(setup)
    plan = _read_plan(setup)
    # chunk_size cuts the file into the workers' ranges; the reader's blocks stay at least MIN_CHUNK
    plan.block_size = max(plan.block_size, MIN_CHUNK)
    if not _has_rows(data, skip_rows):
        # a range that starts inside the file's last line (or holds only its header): no rows
        return Frame(key, _columns({f"_c{i}": pa.chunked_array([], type=t) for i, t in enumerate(plan.types)},
                                   setup, None))
    table = read_table(shown, plan, skip_rows, notes=setup.warnings, data=data)
    return Frame(key, _columns(_merge([table]), setup, None))


def _has_rows(data: bytes, skip_rows: int) -> bool:
    """Whether ``data`` holds a non-blank line after its first ``skip_rows`` lines."""
    rest = data
    for _ in range(skip_rows):
        rest = rest.partition(b"\n")[2]
    return bool(rest.strip())


def leading_skip(path: str, setup: ParseSetup, first: bool) -> int:
    """The lines to skip at the start of a file (see _skip_rows)."""
    return _skip_rows(path, setup, first)


def parse_file(path: str, key: str | None = None, **hints) -> Frame:
    """Guess and parse one local file in one call (tests, engine experiments)."""
    setup = guess_setup([path], **hints)
    return parse_frame([path], setup, key or setup.destination_frame)


def _read_plan(setup: ParseSetup) -> ReadPlan:
    per_column = column_na_strings(setup)
    kinds = setup.sample_kinds or ["number"] * setup.number_columns
    types = [_arrow_type(t, kind, bool(na)) for t, kind, na
             in zip(setup.column_types, kinds, per_column)]
    return ReadPlan(list(setup.column_names), types, setup.separator, setup.quote,
                    setup.escapechar, list(DEFAULT_NA_STRINGS) + global_na_strings(setup),
                    frozenset(setup.skipped_columns), setup.chunk_size)


def _arrow_type(h2o_type: str, kind: str, own_na: bool) -> pa.DataType:
    """Numbers as 32-bit integers when the sample held only those, else doubles (as text
    when the sample showed stray text); enums dictionary-encoded; the rest as text; a
    column with its own NA tokens as text. A wrong guess costs a re-read (read.py)."""
    if own_na:
        return pa.string()
    if h2o_type == "Numeric":
        return {"int32": pa.int32(), "text": pa.string()}.get(kind, pa.float64())
    if h2o_type == "Enum":
        return pa.dictionary(pa.int32(), pa.string())
    return pa.string()


def _progress(job, start: float, span: float, index: int, count: int):
    if job is None:
        return None
    msg = f"Parsing file {index + 1} of {count}" if count > 1 else "Parsing"

    def report(fraction: float) -> None:
        check_cancel(job)
        job.update(start + span * fraction, msg)
    return report


def check_cancel(job) -> None:
    if job is not None and job.stop_requested:
        raise JobCancelled()


def _skip_rows(path: str, setup: ParseSetup, first: bool) -> int:
    """Leading blank/comment lines, plus the header line: always in the first file, in the
    others when their first line repeats the column names (H2O's fileHasHeader)."""
    head = read_head(path, 1 << 16)
    skip = _leading_lines(head)
    if setup.check_header != 1:
        return skip
    if first:
        return skip + 1
    line = guess.first_lines(head, setup.quote, limit=1)
    labels = guess.tokens(line[0], setup.separator, setup.quote) if line else []
    same = [t.lower() for t in labels] == [n.lower() for n in setup.column_names]
    return skip + 1 if same else skip


def _merge(tables: list[pa.Table]) -> dict[str, pa.ChunkedArray]:
    """Each column's chunks from all files, in the type of the last file's read (a column
    re-read as text in a later file is cast to text in the earlier ones)."""
    merged = {}
    for name in tables[-1].column_names:
        target = tables[-1].column(name).type
        parts = [t.column(name) if t.column(name).type == target
                 else t.column(name).cast(target) for t in tables]
        merged[name] = pa.chunked_array([c for part in parts for c in part.chunks], type=target)
    return merged


def _columns(arrays: dict[str, pa.ChunkedArray], setup: ParseSetup, job) -> list[Column]:
    """The frame columns, converted on a few threads (numpy and Arrow release the GIL);
    each Arrow column is let go as soon as it is converted."""
    per_column = column_na_strings(setup)
    kept = [i for i in range(setup.number_columns) if i not in set(setup.skipped_columns)]
    notes: dict[int, list[str]] = {i: [] for i in kept}

    def build(i: int) -> Column:
        check_cancel(job)
        return convert.build_column(setup.column_names[i], setup.column_types[i],
                                    arrays[f"_c{i}"], per_column[i], notes[i])
    columns = []
    with ThreadPoolExecutor(max_workers=max(1, min(4, pa.cpu_count()))) as pool:
        for position, future in enumerate([pool.submit(build, i) for i in kept]):
            columns.append(future.result())
            arrays.pop(f"_c{kept[position]}")
            if job is not None:
                job.update(0.9 + 0.1 * (position + 1) / len(kept), "Converting columns")
    for i in kept:
        setup.warnings.extend(notes[i])
    return columns
