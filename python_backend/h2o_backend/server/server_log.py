"""The server's own log, as H2O-3 serves a node's logs (GET /3/Logs/...): the files the logging
module writes (the FileHandlers of the root and ``h2o_backend`` loggers; ``--log-dir``), read by
name: ``default`` the whole file, ``trace`` / ``debug`` / ``info`` / ``warn`` / ``error`` /
``fatal`` the records at that level or above (a record's continuation lines, such as a traceback,
stay with it). Also the downloads of all of them: a zip of the node's zip (H2O-3's layout) or the
files' text one after another."""
from __future__ import annotations

import io
import logging
import os
import re
import time
import zipfile

# H2O-3's log names and the Python level each starts at
LEVEL_NAMES = {"trace": logging.NOTSET, "debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING,
               "error": logging.ERROR, "fatal": logging.CRITICAL}
NAMES = ("default", *LEVEL_NAMES)
_RECORD_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (\w+)\b")


def log_files() -> list[str]:
    """Paths of the files this process logs to."""
    paths = []
    for logger in (logging.getLogger(), logging.getLogger("h2o_backend")):
        for handler in logger.handlers:
            path = getattr(handler, "baseFilename", None)
            if path and path not in paths and os.path.isfile(path):
                paths.append(path)
    return paths


def _read(path: str) -> str:
    for handler in logging.getLogger().handlers + logging.getLogger("h2o_backend").handlers:
        if getattr(handler, "baseFilename", None) == path:
            handler.flush()
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def at_level(text: str, minimum: int) -> str:
    """The records of ``text`` at level ``minimum`` or above."""
    kept, keep = [], True
    for line in text.splitlines(keepends=True):
        start = _RECORD_START.match(line)
        if start:
            level = logging.getLevelName(start.group(1))     # "INFO" -> 20 ...
            keep = not isinstance(level, int) or level >= minimum
        if keep:
            kept.append(line)
    return "".join(kept)


def named_log(name: str) -> str | None:
    """The text of log ``name`` (one of NAMES) over all the log files; None when the server
    writes no log file."""
    paths = log_files()
    if not paths:
        return None
    text = "".join(_read(p) for p in paths)
    return text if name == "default" else at_level(text, LEVEL_NAMES[name])


def archive_name(now: float | None = None) -> str:
    return time.strftime("h2ologs_%Y%m%d_%H%M%S", time.localtime(now))


def zip_download(node_name: str, base: str) -> bytes:
    """H2O-3's layout: ``<base>/`` holding ``<node_name>.zip``, which holds the log files."""
    node = io.BytesIO()
    with zipfile.ZipFile(node, "w", zipfile.ZIP_DEFLATED) as inner:
        for path in log_files():
            inner.writestr(os.path.basename(path), _read(path))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as outer:
        outer.writestr(f"{base}/", "")
        outer.writestr(f"{base}/{node_name}.zip", node.getvalue())
    return out.getvalue()


def text_download(node_name: str, base: str) -> str:
    """The log files' text one after another, each under a header naming it."""
    parts = []
    stamp = time.strftime("%a %b %d %H:%M:%S %Z %Y")
    for path in log_files():
        header = f"{base}/{node_name}/{os.path.basename(path)} ({stamp}):"
        parts.append(f"{header}\n{'=' * len(header)}\n{_read(path)}\n")
    return "".join(parts)
