"""Cross-validation models are stored under their own keys (listed in output.cross_validation_models),
for single builds and for grid models alike, so GET /3/Models/{cv key} answers them."""
from __future__ import annotations

import json
import time

import pytest

from model_rest_helpers import put_binary_frame


@pytest.fixture()
def train_frame(app):
    return put_binary_frame(app, "cv_rest_train", rows=60, seed=1)


def _wait(client, job: dict) -> None:
    key = job["key"]["name"]
    for _ in range(600):
        status = client.get(f"/3/Jobs/{key}").get_json()["jobs"][0]
        if status["status"] not in ("CREATED", "RUNNING"):
            assert status["status"] == "DONE", status
            return
        time.sleep(0.05)
    raise AssertionError("job did not finish")


BASE = {"training_frame": "cv_rest_train", "response_column": "y", "hidden": "[3]", "epochs": "1",
        "nfolds": "2", "seed": "7", "reproducible": "true"}


def _cv_keys(client, model_id: str) -> list[str]:
    model = client.get(f"/3/Models/{model_id}").get_json()["models"][0]
    return [k["name"] for k in model["output"]["cross_validation_models"]]


def test_build_stores_the_cross_validation_models(client, train_frame):
    r = client.post("/3/ModelBuilders/deeplearning", data=dict(BASE, model_id="cvm"))
    assert r.status_code == 200, r.get_json()
    _wait(client, r.get_json()["job"])
    keys = _cv_keys(client, "cvm")
    assert keys == ["cvm_cv_1", "cvm_cv_2"]
    for key in keys:
        got = client.get(f"/3/Models/{key}")
        assert got.status_code == 200, got.get_json()
        assert got.get_json()["models"][0]["model_id"]["name"] == key


def test_grid_stores_the_cross_validation_models(client, train_frame):
    r = client.post("/99/Grid/deeplearning", data=dict(BASE, grid_id="cvg",
                                                       hyper_parameters=json.dumps({"l1": [0, 1e-4]})))
    assert r.status_code == 200, r.get_json()
    _wait(client, r.get_json()["job"])
    ids = [m["name"] for m in client.get("/99/Grids/cvg").get_json()["model_ids"]]
    assert len(ids) == 2
    for model_id in ids:
        keys = _cv_keys(client, model_id)
        assert keys == [f"{model_id}_cv_1", f"{model_id}_cv_2"]
        for key in keys:
            assert client.get(f"/3/Models/{key}").status_code == 200


def test_deleting_a_model_deletes_its_cross_validation_models(client, train_frame):
    r = client.post("/3/ModelBuilders/deeplearning", data=dict(BASE, model_id="cvdel"))
    _wait(client, r.get_json()["job"])
    keys = _cv_keys(client, "cvdel")
    assert keys == ["cvdel_cv_1", "cvdel_cv_2"]
    assert client.delete("/3/Models/cvdel").status_code == 200
    listed = {m["model_id"]["name"] for m in client.get("/3/Models").get_json()["models"]}
    assert listed.isdisjoint(["cvdel", *keys])
    for key in keys:
        assert client.get(f"/3/Models/{key}").status_code == 404
