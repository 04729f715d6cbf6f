"""GET /3/Models.fetch.bin/{model_id}: the saved-model file as bytes, loadable again by upload."""
from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from h2o_backend.frames.frame import Column, Frame


@pytest.fixture()
def stored_model(app):
    from h2o_backend.engine.parameters import DeepLearningParameters
    from h2o_backend.engine.training import train_deeplearning
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    frame = Frame("dl_fetch_train", [Column("a", "real", x[:, 0]), Column("b", "real", x[:, 1]),
                                     Column("c", "real", x[:, 2]),
                                     Column("y", "enum", (x[:, 0] + x[:, 1] > 0).astype(np.int32), ["no", "yes"])])
    p = DeepLearningParameters()
    for k, v in dict(training_frame=frame.key, response_column="y", hidden=[4], epochs=1.0, seed=1,
                     reproducible=True).items():
        setattr(p, k, v)
    model = train_deeplearning(p, frame, model_id="dl fetch:1")
    app.config["SERVICES"].store.put(model.model_id, model)
    return model


def test_fetch_bin_answers_the_saved_model_and_upload_loads_it(client, app, stored_model):
    r = client.get("/3/Models.fetch.bin/dl%20fetch%3A1")
    assert r.status_code == 200 and r.mimetype == "application/octet-stream"
    assert 'filename="dl_fetch_1"' in r.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(r.data)) as archive:
        assert sorted(archive.namelist()) == ["arrays.npz", "model.json"]

    app.config["SERVICES"].store.remove("dl fetch:1")
    loaded = client.post("/99/Models.upload.bin/", data={"file": (io.BytesIO(r.data), "dl_fetch_1")},
                         content_type="multipart/form-data")
    assert loaded.status_code == 200, loaded.get_json()
    assert loaded.get_json()["models"][0]["model_id"]["name"] == "dl fetch:1"


def test_fetch_bin_errors(client, stored_model):
    missing = client.get("/3/Models.fetch.bin/no_such_model")
    assert missing.status_code == 404 and "no_such_model" in missing.get_json()["msg"]
    cv = client.get("/3/Models.fetch.bin/dl%20fetch%3A1?export_cross_validation_predictions=true")
    assert cv.status_code == 400 and "export_cross_validation_predictions" in cv.get_json()["msg"]
    assert client.get("/3/Models.fetch.bin/dl%20fetch%3A1?export_cross_validation_predictions=false").status_code == 200
    bogus = client.get("/3/Models.fetch.bin/dl%20fetch%3A1?bogus=1")
    assert bogus.status_code == 412 and "bogus" in bogus.get_json()["msg"]


def test_save_refuses_options_it_would_ignore(client, stored_model, tmp_path):
    target = tmp_path / "saved_model"
    path = "/99/Models.bin/dl%20fetch%3A1"
    cv = client.get(path, query_string={"dir": str(target), "export_cross_validation_predictions": "true"})
    assert cv.status_code == 400 and "export_cross_validation_predictions" in cv.get_json()["msg"]
    bogus = client.get(path, query_string={"dir": str(target), "format": "mojo"})
    assert bogus.status_code == 412 and "format" in bogus.get_json()["msg"]
    assert not target.exists()
    # what the official h2o client sends by default
    saved = client.get(path, query_string={"dir": str(target), "force": "false",
                                           "export_cross_validation_predictions": "false"})
    assert saved.status_code == 200, saved.get_json()
    assert target.exists()
