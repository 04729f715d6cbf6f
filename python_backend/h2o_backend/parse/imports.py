"""Files on the server as raw (not yet parsed) keys: import by path, folder or glob; removal.

Imported files keep H2O-3's raw key names, `nfs:/` followed by the absolute path
(`nfs://work/data/x.csv` for /work/data/x.csv). Raw keys of imported files only point at the
user's file; uploaded files live in the spool folder and are deleted with their key.
"""
from __future__ import annotations

import glob
import os
import re

from h2o_backend.frames.frame import RawFile
from h2o_backend.parse.location import exists, file_size, is_url, list_url
from h2o_backend.parse.source import ParseError
from h2o_backend.store import KeyStore

_GLOB_CHARS = re.compile(r"[*?\[]")


def raw_key(path: str) -> str:
    """H2O-3's key of an imported file: ``nfs:/`` and its absolute path, or the URL itself."""
    return path if is_url(path) else "nfs:/" + os.path.abspath(path)


def resolve_paths(path: str, pattern: str | None = None) -> list[str]:
    """The files a path names: itself, a folder's files (not recursive, hidden ones left
    out) or a glob's matches; `pattern` (a regular expression) filters the file names. A URL
    lists as location.list_url does."""
    if is_url(path):
        return _matching(list_url(path), pattern)
    path = os.path.expanduser(path)
    if _GLOB_CHARS.search(path):
        files = [p for p in glob.glob(path) if os.path.isfile(p)]
        if not files:
            raise FileNotFoundError(f"No file matches {path}")
    elif os.path.isdir(path):
        files = [os.path.join(path, n) for n in os.listdir(path)
                 if not n.startswith(".") and os.path.isfile(os.path.join(path, n))]
    elif os.path.isfile(path):
        files = [path]
    else:
        raise FileNotFoundError(f"File {path} does not exist")
    return sorted(os.path.abspath(f) for f in _matching(files, pattern))


def _matching(files: list[str], pattern: str | None) -> list[str]:
    if not pattern:
        return files
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise ParseError(f"pattern '{pattern}' is not a valid regular expression: {exc}", field="pattern")
    return [f for f in files if regex.search(os.path.basename(f.rstrip("/")))]


def import_files(store: KeyStore, paths: list[str]) -> tuple[list[str], list[str], list[str]]:
    """Register each readable file as a raw key; returns (keys, failed paths, replaced keys)."""
    keys, fails, dels = [], [], []
    for path in paths:
        if not (exists(path) if is_url(path) else os.access(path, os.R_OK)):
            fails.append(path)
            continue
        key = raw_key(path)
        if key in store:
            remove_key(store, key)
            dels.append(key)
        store.put(key, RawFile(key, path, file_size(path), delete_after_parse=False))
        keys.append(key)
    return keys, fails, dels


def remove_key(store: KeyStore, key: str):
    """Remove a key; an uploaded raw file also loses its spooled bytes."""
    value = store.remove(key)
    if getattr(value, "held_on_cluster", False):
        value.release()
    if isinstance(value, RawFile) and value.delete_after_parse:
        try:
            os.remove(value.path)
        except OSError:
            pass
    return value
