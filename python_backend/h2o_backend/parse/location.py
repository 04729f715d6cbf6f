"""Where the bytes of a file to parse are: a local path, or a URL an installed fsspec filesystem
serves (``s3://``, ``gs://``, ``hdfs://`` with their packages installed; ``file://``). URLs are
read by the Dask workers of a server started with a Dask option (cluster frames); fsspec (which
Dask installs) is imported only when a URL is met.
"""
from __future__ import annotations

import os
import re

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_GLOB_CHARS = re.compile(r"[*?\[]")


def is_url(path: str) -> bool:
    return bool(_URL.match(str(path)))


def _filesystem(url: str):
    import fsspec
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:      # an unknown protocol, or its package missing
        raise FileNotFoundError(f"{url}: no installed fsspec filesystem reads it ({exc})") from None


def open_binary(path: str):
    """The file's bytes as a seekable binary file object; the caller closes it."""
    if not is_url(path):
        return open(path, "rb")
    fs, inner = _filesystem(path)
    return fs.open(inner, "rb")


def file_size(path: str) -> int:
    if not is_url(path):
        return os.path.getsize(path)
    fs, inner = _filesystem(path)
    return int(fs.size(inner))


def is_file(path: str) -> bool:
    if not is_url(path):
        return os.path.isfile(path)
    fs, inner = _filesystem(path)
    return bool(fs.isfile(inner))


def exists(path: str) -> bool:
    if not is_url(path):
        return os.path.exists(path)
    fs, inner = _filesystem(path)
    return bool(fs.exists(inner))


def list_url(url: str) -> list[str]:
    """The files a URL names: itself, its folder's files (not recursive, hidden ones left out) or
    a glob's matches, as URLs of the same protocol."""
    fs, inner = _filesystem(url)
    protocol = url.split("://", 1)[0]
    if _GLOB_CHARS.search(inner):
        found = [p for p in fs.glob(inner) if fs.isfile(p)]
    elif fs.isdir(inner):
        found = [p for p in fs.ls(inner, detail=False)
                 if not os.path.basename(p.rstrip("/")).startswith(".") and fs.isfile(p)]
    elif fs.isfile(inner):
        found = [inner]
    else:
        raise FileNotFoundError(f"File {url} does not exist")
    if not found:
        raise FileNotFoundError(f"No file matches {url}")
    return sorted(f"{protocol}://{p}" if not is_url(p) else p for p in found)
