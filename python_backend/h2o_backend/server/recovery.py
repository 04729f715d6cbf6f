"""--recovery-dir: every model that finishes training (or is cancelled) and every frame stored
(parsed, made by Rapids, a split, a prediction) is also saved there, atomically, and a server
started with the same folder loads those files back, so a crash or a restart loses no trained
model and no frame. Removing a model or a frame removes its file."""
from __future__ import annotations

import logging
import os
from urllib.parse import quote

from h2o_backend.export import saved_model
from h2o_backend.frames import frame_file
from h2o_backend.frames.frame import Frame

log = logging.getLogger("h2o_backend")
SUFFIX = ".h2o_model"
FRAME_SUFFIX = ".h2o_frame"


def model_path(folder: str, model_id: str) -> str:
    return os.path.join(folder, quote(model_id, safe="") + SUFFIX)


def frame_path(folder: str, key: str) -> str:
    return os.path.join(folder, quote(key, safe="") + FRAME_SUFFIX)


def persist(svc, model) -> None:
    """Save `model` into the recovery folder (no-op without one)."""
    if not svc.recovery_dir:
        return
    with svc.lifecycle.saving():
        saved_model.save(model.to_state(), "deeplearning", model.model_id,
                         model_path(svc.recovery_dir, model.model_id), force=True)


def restore(svc) -> list[str]:
    """Load every frame and model file of the recovery folder into the store; unreadable files are
    logged and left alone. From then on every frame stored is saved, and removing a model or a
    frame from the store removes its file. Returns the keys loaded."""
    from h2o_backend.server.housekeeping import record_save_folder
    folder = svc.recovery_dir
    os.makedirs(folder, exist_ok=True)
    record_save_folder(folder)
    loaded = [*_load_all(svc, folder, FRAME_SUFFIX, _load_frame), *_load_all(svc, folder, SUFFIX, _load_model)]
    svc.store.on_put.append(lambda key, value: _keep_frame(svc, folder, key, value))
    svc.store.on_remove.append(lambda key, value: _forget(folder, key, value))
    if loaded:
        log.info("recovery: %d frames and models loaded from %s", len(loaded), folder)
    return loaded


def _load_all(svc, folder: str, suffix: str, load) -> list[str]:
    loaded = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(suffix):
            continue
        path = os.path.join(folder, name)
        try:
            key, value = load(path)
        except (saved_model.SavedModelError, OSError, ValueError, KeyError) as exc:
            log.warning("recovery: %s not loaded: %s", path, exc)
            continue
        svc.store.put(key, value)
        loaded.append(key)
    return loaded


def _load_model(path: str):
    from h2o_backend.server.lookup import model_class
    _, _, state = saved_model.load(path)
    model = model_class().from_state(state)
    return model.model_id, model


def _load_frame(path: str):
    frame = frame_file.load(path)
    return frame.key, frame


def _keep_frame(svc, folder: str, key: str, value) -> None:
    """Save a frame stored under ``key``; a key that no longer holds a frame loses its file."""
    if not isinstance(value, Frame):
        _unlink(frame_path(folder, key), key)
        return
    try:
        with svc.lifecycle.saving():
            frame_file.save(value, frame_path(folder, key))
    except OSError as exc:          # the frame stays in memory; only its copy is missing
        log.warning("recovery: frame %s not saved: %s", key, exc)


def _forget(folder: str, key: str, value) -> None:
    if isinstance(value, Frame):
        _unlink(frame_path(folder, key), key)
    elif getattr(value, "model_info", None) is not None:
        _unlink(model_path(folder, key), key)


def _unlink(path: str, key: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:          # the removal from the store stands; the file stays
        log.warning("recovery: cannot remove the file of %s: %s", key, exc)
