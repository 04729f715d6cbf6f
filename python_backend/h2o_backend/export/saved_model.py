"""The saved-model file: a versioned ZIP archive, written atomically (a temporary file in the
target's folder, flushed and fsynced, renamed over the target, then the folder fsynced: the target
holds the previous complete file or the new one, never part of one, even after a crash).

Layout (documented in protocol/saved_model.md):
- `model.json`: {"format": FORMAT_NAME, "format_version": N, "algo", "model_id", "state": ...}
  where every numpy array inside `state` is replaced by {"__ndarray__": "<name>"};
- `arrays.npz`: those arrays by name (numpy's uncompressed npz).
"""
from __future__ import annotations

import io
import json
import math
import os
import tempfile
import zipfile

import numpy as np

FORMAT_NAME = "h2o_backend.model"
FORMAT_VERSION = 1
SUPPORTED_VERSIONS = (1,)
TEMP_PREFIX = ".tmp_model_"


class SavedModelError(ValueError):
    """The file is not a saved model, or of a version this server cannot read."""


def save(state: dict, algo: str, model_id: str, path: str, force: bool = False) -> str:
    """Write `state` to `path` (a file). Refuses to overwrite unless `force`. Returns the path."""
    path = os.path.normpath(os.path.abspath(os.path.expanduser(path)))
    if os.path.isdir(path):
        raise FileExistsError(f"{path} is a directory")
    if os.path.exists(path) and not force:
        raise FileExistsError(f"The file {path} already exists!")
    arrays: dict[str, np.ndarray] = {}
    header = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "algo": algo,
              "model_id": model_id, "state": _extract_arrays(state, arrays)}
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), dir=folder)
    try:
        with os.fdopen(fd, "wb") as raw:
            with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr("model.json", json.dumps(header, allow_nan=True))
                buffer = io.BytesIO()
                np.savez(buffer, **arrays)
                archive.writestr("arrays.npz", buffer.getvalue())
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
        fsync_folder(folder)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def temp_prefix(pid: int | None = None) -> str:
    """Names of this process's temporary files: `.tmp_model_<pid>_...` beside the target, so a
    restarted server can tell the leftovers of a dead writer from the files being written."""
    return f"{TEMP_PREFIX}{os.getpid() if pid is None else pid}_"


def fsync_folder(folder: str) -> None:
    """Make the rename durable: flush the folder's entry to disk (POSIX; a no-op elsewhere)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temps(folder: str, alive, own_pid: int | None = None) -> list[str]:
    """Remove the temporary files in `folder` left by writers that are gone (`alive(pid)` false),
    and this process's own when `own_pid` is given (at shutdown); returns the removed paths."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not name.startswith(TEMP_PREFIX):
            continue
        pid_text = name[len(TEMP_PREFIX):].split("_", 1)[0]
        pid = int(pid_text) if pid_text.isdigit() else None
        if pid is None or pid == own_pid or not alive(pid):
            try:
                os.unlink(os.path.join(folder, name))
                removed.append(os.path.join(folder, name))
            except OSError:
                pass
    return removed


def load(path: str) -> tuple[str, str, dict]:
    """Read a saved model: (algo, model_id, state). Raises SavedModelError for foreign files."""
    path = os.path.normpath(os.path.abspath(os.path.expanduser(path)))
    if not os.path.exists(path):
        raise FileNotFoundError(f"File {path} does not exist!")
    if os.path.isdir(path):
        raise SavedModelError(f"{path} is a directory, not a saved model file")
    try:
        with zipfile.ZipFile(path) as archive:
            header = json.loads(archive.read("model.json"))
            _check_header(header, path)
            with np.load(io.BytesIO(archive.read("arrays.npz")), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as exc:
        if isinstance(exc, SavedModelError):
            raise
        raise SavedModelError(f"{path} is not a saved model of this server ({exc})") from exc
    return header["algo"], header["model_id"], _restore_arrays(header["state"], arrays)


def _check_header(header, path: str) -> None:
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise SavedModelError(f"{path} is not a saved model of this server")
    version = header.get("format_version")
    if version not in SUPPORTED_VERSIONS:
        raise SavedModelError(f"{path} has saved-model format version {version}; this server reads "
                              f"versions {list(SUPPORTED_VERSIONS)}")


def _extract_arrays(value, arrays: dict):
    if isinstance(value, np.ndarray):
        name = f"a{len(arrays)}"
        arrays[name] = value
        return {"__ndarray__": name}
    if isinstance(value, dict):
        return {str(k): _extract_arrays(v, arrays) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_extract_arrays(v, arrays) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}
    return value


def _restore_arrays(value, arrays: dict):
    if isinstance(value, dict):
        if set(value) == {"__ndarray__"}:
            return arrays[value["__ndarray__"]]
        if set(value) == {"__float__"}:
            return float(value["__float__"])
        return {k: _restore_arrays(v, arrays) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore_arrays(v, arrays) for v in value]
    return value
