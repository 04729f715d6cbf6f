"""Which server-side paths a request may read or write: only those under the data folders.

The data folders are named by `--data-dir` (repeatable; `create_app({"data_dirs": [...]})`);
by default they are the server's working folder, the user's home and the system's temporary
folder (the booklet saves models to /tmp). Every handler that takes a path from a request
(ImportFiles, ImportFilesMulti, the files behind ParseSetup/Parse, /99/Models.bin save and
load) passes it through `FileAccess.check` first. A path is resolved with realpath (`..`,
`~` and symbolic links followed) before it is compared, so neither `..` nor a link that leads
out of a data folder gets through; a refusal is a 403 naming the path and the folders.

The server's internal upload spool is never readable or writable by path, even inside a data
folder, and `hide_spool` takes its paths out of text sent to clients.
"""
from __future__ import annotations

import os
import re
import tempfile

from h2o_backend.parse.location import is_url
from h2o_backend.server.errors import ApiError


def default_data_dirs() -> list[str]:
    """The working folder, the user's home and the system's temporary folder."""
    return [os.getcwd(), os.path.expanduser("~"), tempfile.gettempdir()]


def _resolve(path: str) -> str:
    return os.path.realpath(os.path.expanduser(path))


def _no_parent_segment(url: str) -> bool:
    """No '..' segment: a prefix check must not be walked out of."""
    return "/../" not in url and not url.endswith("/..")


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


class FileAccess:
    """The data folders (resolved once, at start) and the check every path goes through."""

    def __init__(self, data_dirs: list[str] | None = None, spool_dir: str | None = None,
                 data_urls: list[str] | None = None):
        folders = []
        for folder in data_dirs if data_dirs else default_data_dirs():
            real = _resolve(folder)
            if real not in folders:
                folders.append(real)
        self.data_dirs = folders
        self.spool_dir = spool_dir
        self.data_urls = list(data_urls or [])     # URL prefixes requests may read (--data-url)

    def allows(self, path: str) -> bool:
        if is_url(path):
            return self._url_allowed(path)
        real = _resolve(path)
        return any(_inside(real, folder) for folder in self.data_dirs)

    def check(self, path: str, field: str, action: str = "read") -> str:
        """The resolved absolute path of `path`, or a 403 naming the rule when it lies outside
        every data folder (`action`: "read" or "write", for the message)."""
        if not isinstance(path, str) or not path or "\x00" in path:
            raise ApiError(400, f"{field} must be a file path, not '{path}'", field=field,
                           values={field: str(path)})
        if is_url(path):
            return self._check_url(path, field, action)
        real = _resolve(path)
        if not any(_inside(real, folder) for folder in self.data_dirs):
            raise self.refusal(path, field, action)
        if self.spool_dir and _inside(real, _resolve(self.spool_dir)):
            raise ApiError(403, f"Access denied: {field} '{path}' is inside the server's internal "
                           f"upload folder, which requests may not {action}", field=field,
                           exception_type="H2OIllegalArgumentException", values={field: path})
        return real

    def _url_allowed(self, url: str) -> bool:
        return _no_parent_segment(url) and any(url.startswith(prefix) for prefix in self.data_urls)

    def _check_url(self, url: str, field: str, action: str) -> str:
        """A URL is read (never written) by the Dask workers, under a --data-url prefix only."""
        if action != "read" or not self._url_allowed(url):
            allowed = ", ".join(self.data_urls) or "none"
            raise ApiError(403, f"Access denied: {field} '{url}' is not under a URL prefix this server may read "
                           f"(allowed: {allowed}; start it with --data-url PREFIX, e.g. s3://bucket/data/; URLs "
                           f"are read, never written)", field=field,
                           exception_type="H2OIllegalArgumentException", values={field: url})
        return url

    def check_all(self, paths: list[str], field: str, action: str = "read") -> list[str]:
        return [self.check(p, field, action) for p in paths]

    def refusal(self, path: str, field: str, action: str) -> ApiError:
        folders = ", ".join(self.data_dirs)
        return ApiError(
            403, f"Access denied: {field} '{path}' is outside the server's data folders; this "
            f"server may {action} only files under {folders} (start it with --data-dir FOLDER "
            f"to allow another folder; '..' and symbolic links are resolved first)",
            field=field, exception_type="H2OIllegalArgumentException",
            values={field: path, "data_dirs": folders})

    def hide_spool(self, text):
        """`text` with the upload spool folder's file paths replaced by `<upload>`."""
        if not isinstance(text, str) or not self.spool_dir:
            return text
        for folder in {self.spool_dir, _resolve(self.spool_dir)}:
            text = re.sub(re.escape(folder.rstrip(os.sep)) + r"(?:" + re.escape(os.sep) + r"[^\s'\",:;)]*)?",
                          "<upload>", text)
        return text
