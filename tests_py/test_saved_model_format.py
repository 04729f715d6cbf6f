"""The saved-model file: round trip, atomic writes, refusal to overwrite, foreign files."""
import json
import math
import os
import zipfile

import numpy as np
import pytest

from h2o_backend.export import saved_model


def _state():
    return {"weights": [np.arange(6, dtype=np.float32).reshape(2, 3)],
            "params": {"max_w2": math.inf, "hidden": [200, 200], "seed": np.int64(42), "ckpt": None}}


def test_round_trip_keeps_arrays_and_non_finite_floats(tmp_path):
    path = saved_model.save(_state(), "deeplearning", "m1", str(tmp_path / "model"))
    algo, model_id, state = saved_model.load(path)
    assert (algo, model_id) == ("deeplearning", "m1")
    np.testing.assert_array_equal(state["weights"][0], _state()["weights"][0])
    assert state["weights"][0].dtype == np.float32
    assert state["params"] == {"max_w2": math.inf, "hidden": [200, 200], "seed": 42, "ckpt": None}


def test_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "model"
    saved_model.save(_state(), "deeplearning", "m1", str(target))
    before = target.read_bytes()
    with pytest.raises(FileExistsError, match="already exists"):
        saved_model.save(_state(), "deeplearning", "m2", str(target))
    assert target.read_bytes() == before
    saved_model.save(_state(), "deeplearning", "m2", str(target), force=True)
    assert saved_model.load(str(target))[1] == "m2"


def test_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "model"
    saved_model.save(_state(), "deeplearning", "m1", str(target))
    before = target.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(saved_model.np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        saved_model.save(_state(), "deeplearning", "m2", str(target), force=True)
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["model"]


def test_foreign_and_future_files_are_clear_errors(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a model")
    with pytest.raises(saved_model.SavedModelError, match="not a saved model"):
        saved_model.load(str(text))
    future = tmp_path / "future"
    with zipfile.ZipFile(future, "w") as archive:
        archive.writestr("model.json", json.dumps({"format": saved_model.FORMAT_NAME,
                                                   "format_version": 99, "algo": "deeplearning",
                                                   "model_id": "m", "state": {}}))
        archive.writestr("arrays.npz", b"")
    with pytest.raises(saved_model.SavedModelError):
        saved_model.load(str(future))
    with pytest.raises(FileNotFoundError):
        saved_model.load(str(tmp_path / "missing"))
