"""A frame on disk (the --recovery-dir copy): one uncompressed ``.npz`` with a column array each
(``c0``, ``c1``, ...) and ``meta``, the JSON of the frame's key and columns' names, types and
domains. String columns go into the JSON (None for a missing value): nothing is pickled, so
loading a file runs no code. Written to a temporary file in the same folder, then renamed: a
crash leaves the old file or the new one, never half of one."""
from __future__ import annotations

import json
import os
import tempfile

import numpy as np

from h2o_backend.export import saved_model
from h2o_backend.frames.frame import Column, Frame


def save(frame: Frame, path: str) -> None:
    meta = {"key": frame.key, "columns": []}
    arrays = {}
    for i, col in enumerate(frame.columns):
        entry = {"name": col.name, "type": col.type, "domain": col.domain}
        if col.type == "string":
            entry["values"] = [None if v is None else str(v) for v in col.data]
        else:
            arrays[f"c{i}"] = np.ascontiguousarray(col.data)
        meta["columns"].append(entry)
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    # saved_model's temporary names: a restarted server removes a dead writer's leftovers
    fd, tmp = tempfile.mkstemp(prefix=saved_model.temp_prefix(), dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        saved_model.fsync_folder(os.path.dirname(path) or ".")
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path: str) -> Frame:
    """The frame saved at ``path``; ValueError/KeyError/OSError for a file that is not one."""
    with np.load(path, allow_pickle=False) as saved:
        meta = json.loads(bytes(saved["meta"]).decode())
        columns = []
        for i, entry in enumerate(meta["columns"]):
            if entry["type"] == "string":
                data = np.array(entry["values"], dtype=object)
            else:
                data = saved[f"c{i}"]
            columns.append(Column(entry["name"], entry["type"], data, entry["domain"]))
    return Frame(meta["key"], columns)
