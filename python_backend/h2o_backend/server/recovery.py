"""--recovery-dir: every model that finishes training (or is cancelled) is also saved there,
atomically, and a server started with the same folder loads those files back, so a crash or a
restart loses no trained model. Removing a model removes its file. Frames are not kept there:
they are re-imported from their files."""
from __future__ import annotations

import logging
import os
from urllib.parse import quote

from h2o_backend.export import saved_model

log = logging.getLogger("h2o_backend")
SUFFIX = ".h2o_model"


def model_path(folder: str, model_id: str) -> str:
    return os.path.join(folder, quote(model_id, safe="") + SUFFIX)


def persist(svc, model) -> None:
    """Save `model` into the recovery folder (no-op without one)."""
    if not svc.recovery_dir:
        return
    with svc.lifecycle.saving():
        saved_model.save(model.to_state(), "deeplearning", model.model_id,
                         model_path(svc.recovery_dir, model.model_id), force=True)


def restore(svc) -> list[str]:
    """Load every model file of the recovery folder into the store; unreadable files are logged and
    left alone. Then removing a model from the store removes its file. Returns the model ids."""
    from h2o_backend.server.housekeeping import record_save_folder
    from h2o_backend.server.lookup import model_class
    folder = svc.recovery_dir
    os.makedirs(folder, exist_ok=True)
    record_save_folder(folder)
    loaded = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(SUFFIX):
            continue
        path = os.path.join(folder, name)
        try:
            algo, _, state = saved_model.load(path)
            model = model_class().from_state(state)
        except (saved_model.SavedModelError, OSError, ValueError, KeyError) as exc:
            log.warning("recovery: %s not loaded: %s", path, exc)
            continue
        svc.store.put(model.model_id, model)
        loaded.append(model.model_id)
    svc.store.on_remove.append(lambda key, value: _forget(folder, key, value))
    if loaded:
        log.info("recovery: %d models loaded from %s", len(loaded), folder)
    return loaded


def _forget(folder: str, key: str, value) -> None:
    if getattr(value, "model_info", None) is None:
        return
    try:
        os.unlink(model_path(folder, key))
    except FileNotFoundError:
        pass
    except OSError as exc:          # the removal from the store stands; the file stays
        log.warning("recovery: cannot remove the file of model %s: %s", key, exc)
