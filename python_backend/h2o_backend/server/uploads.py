"""Receiving an uploaded file straight into the spool folder, in pieces.

A multipart body (field `file`) is parsed with werkzeug's streaming form parser writing the
file part directly to its spool file; any other body is copied as it is. Either way the
upload is never held whole in memory. Bodies larger than `--max-upload` are refused with 413:
up front from Content-Length, else (chunked bodies) as soon as the bytes read pass the limit.
"""
from __future__ import annotations

import os
import shutil
import uuid

from flask import request
from werkzeug.formparser import parse_form_data

from h2o_backend.engine.memory import format_bytes
from h2o_backend.server.errors import ApiError, bad_request

COPY_BUFFER = 1 << 20


def too_large(size: int | None, limit: int) -> ApiError:
    shown = f"{format_bytes(size)} " if size is not None else ""
    return ApiError(413, f"The upload {shown}is larger than the server's --max-upload of "
                         f"{format_bytes(limit)}", field="file", exception_type="H2OUploadTooLargeException",
                    values={"max_upload": limit, **({"content_length": size} if size is not None else {})})


def check_content_length(limit: int | None) -> None:
    """Refuse up front a body whose declared length passes `limit` (None: no limit)."""
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise too_large(request.content_length, limit)


class _LimitedStream:
    """The request body, raising 413 once more than `limit` bytes were read."""

    def __init__(self, raw, limit: int):
        self._raw, self._limit, self._read = raw, limit, 0

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self._read += len(data)
        if self._read > self._limit:
            raise too_large(None, self._limit)
        return data

    def readline(self, n: int = -1) -> bytes:
        data = self._raw.readline(n)
        self._read += len(data)
        if self._read > self._limit:
            raise too_large(None, self._limit)
        return data


def limit_body(limit: int | None) -> None:
    """Check Content-Length, and count the bytes read from the body (for chunked bodies)."""
    check_content_length(limit)
    if limit is not None:
        request.environ["wsgi.input"] = _LimitedStream(request.environ["wsgi.input"], limit)


def receive_upload(spool_dir: str, limit: int | None = None) -> tuple[str, int, str | None]:
    """Write the request's file to a new spool file; returns (path, size, client file name)."""
    limit_body(limit)
    os.makedirs(spool_dir, exist_ok=True)
    path = os.path.join(spool_dir, f"upload_{uuid.uuid4().hex}")
    try:
        filename = _receive(path)
    except Exception:
        if os.path.exists(path):
            os.remove(path)
        raise
    return path, os.path.getsize(path), filename


def _receive(path: str) -> str | None:
    if request.mimetype == "multipart/form-data":
        return _receive_multipart(path)
    with open(path, "wb") as out:
        shutil.copyfileobj(request.stream, out, COPY_BUFFER)
    if os.path.getsize(path) == 0:
        raise bad_request("The upload is empty: send the file as multipart field 'file'",
                          field="file")
    return None


def _receive_multipart(path: str) -> str | None:
    """Each file part goes to its own spool file; the part named `file` becomes `path`."""
    parts: list[tuple[str, object]] = []

    def stream_factory(total_content_length=None, content_type=None, filename=None,
                       content_length=None):
        part_path = f"{path}.part{len(parts)}"
        handle = open(part_path, "wb+")
        parts.append((part_path, handle))
        return handle

    try:
        _, _, files = parse_form_data(request.environ, stream_factory=stream_factory)
    finally:
        for _, handle in parts:
            handle.close()
    upload = files.get("file")
    for part_path, handle in parts:
        if upload is not None and upload.stream is handle:
            os.replace(part_path, path)
        else:
            os.remove(part_path)
    if upload is None:
        raise bad_request("The multipart upload has no field 'file'", field="file")
    return upload.filename
