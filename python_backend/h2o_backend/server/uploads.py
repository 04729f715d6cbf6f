"""Receiving an uploaded file straight into the spool folder, in pieces.

A multipart body (field `file`) is parsed with werkzeug's streaming form parser writing the
file part directly to its spool file; any other body is copied as it is. Either way the
upload is never held whole in memory.
"""
from __future__ import annotations

import os
import shutil
import uuid

from flask import request
from werkzeug.formparser import parse_form_data

from h2o_backend.server.errors import bad_request

COPY_BUFFER = 1 << 20


def receive_upload(spool_dir: str) -> tuple[str, int, str | None]:
    """Write the request's file to a new spool file; returns (path, size, client file name)."""
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
