"""Opening the bytes of a file to parse: plain, gzip or single-member zip, checked to be text.

Nothing here reads a whole file into memory: `open_text_stream` hands pyarrow a stream that
decompresses as it is read (reporting the fraction read, so a parse job can show progress and
stop on cancel), and `read_head` reads only the first bytes, for setup guessing.
"""
from __future__ import annotations

import zipfile
from typing import Callable

import numpy as np
import pyarrow as pa

from h2o_backend.parse.location import exists, file_size, is_file, open_binary

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
HEAD_BYTES = 1 << 20          # the sample the setup guess looks at (H2O looks at its first chunk)
_TEXT_CONTROLS = np.array([9, 10, 12, 13], dtype=np.uint8)


class ParseError(ValueError):
    """A file or a setup that cannot be parsed; `field` names the offending parameter, if any."""

    def __init__(self, msg: str, field: str | None = None):
        super().__init__(msg)
        self.field = field


def check_readable(path: str) -> None:
    if not exists(path):
        raise ParseError(f"File {path} does not exist", field="path")
    if not is_file(path):
        raise ParseError(f"{path} is not a regular file", field="path")
    if file_size(path) == 0:
        raise ParseError(f"File {path} is empty: nothing to parse", field="source_frames")


def compression_of(path: str) -> str | None:
    """'gzip', 'zip' or None, from the first bytes of the file (not from its name)."""
    check_readable(path)
    with open_binary(path) as fh:
        magic = fh.read(4)
    if magic[:2] == GZIP_MAGIC:
        return "gzip"
    if magic in ZIP_MAGICS:
        return "zip"
    return None


class _CountingReader:
    """A readable stream that counts the bytes read and reports the fraction done.

    `on_read(fraction)` may raise (a cancelled job) to abort the reader using the stream.
    """

    def __init__(self, raw, total: int | None, on_read: Callable[[float], None] | None,
                 closers: tuple = ()):
        self._raw = raw
        self._total = total
        self._on_read = on_read
        self._closers = closers
        self._done = 0
        self.closed = False

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._done += len(data)
        if self._on_read is not None and self._total:
            self._on_read(min(1.0, self._done / self._total))
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._raw.close()
            for extra in self._closers:
                extra.close()


def _zip_member(archive: zipfile.ZipFile, path: str) -> zipfile.ZipInfo:
    members = [m for m in archive.infolist()
               if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
    if len(members) != 1:
        raise ParseError(f"Zip archive {path} holds {len(members)} files; only single-file "
                         "archives can be parsed", field="source_frames")
    return members[0]


def open_text_stream(path: str, on_read: Callable[[float], None] | None = None):
    """A binary stream of the file's decompressed bytes; the caller closes it.

    `on_read` receives the fraction of the file consumed (of the compressed bytes for gzip).
    """
    kind = compression_of(path)
    size = file_size(path)
    if kind == "gzip":
        raw = _CountingReader(open_binary(path), size, on_read)
        return pa.CompressedInputStream(pa.PythonFile(raw, mode="r"), "gzip")
    if kind == "zip":
        archive = zipfile.ZipFile(open_binary(path))
        try:
            member = _zip_member(archive, path)
            return _CountingReader(archive.open(member), member.file_size, on_read, (archive,))
        except Exception:
            archive.close()
            raise
    return _CountingReader(open_binary(path), size, on_read)


def read_head(path: str, nbytes: int = HEAD_BYTES) -> bytes:
    """The first `nbytes` decompressed bytes, checked to be non-empty text."""
    try:
        stream = open_text_stream(path)
    except zipfile.BadZipFile as exc:
        raise ParseError(f"File {path} is not a readable zip archive: {exc}", field="source_frames")
    try:
        head = bytes(stream.read(nbytes))
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ParseError(f"File {path} cannot be read: {exc}", field="source_frames")
    finally:
        stream.close()
    check_text(head, path)
    return head


def check_text(head: bytes, path: str) -> None:
    if not head.strip():
        raise ParseError(f"File {path} is empty: no data lines to parse", field="source_frames")
    sample = head[:65536]
    codes = np.frombuffer(sample, dtype=np.uint8)
    controls = (codes < 32) & ~np.isin(codes, _TEXT_CONTROLS)
    if (codes == 0).any() or controls.mean() > 0.01:
        raise ParseError(f"File {path} is binary, not delimited text (CSV); only CSV files, "
                         "optionally gzip- or zip-compressed, can be parsed", field="source_frames")
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:   # not just a character cut at the sample's end
            raise ParseError(f"File {path} is not UTF-8 text (invalid byte at offset {exc.start})",
                             field="source_frames")
