"""POST /99/Grid/deeplearning checks every combination with the grid's own values in place, before
any model trains, and refuses what it would otherwise ignore (search criteria it does not apply,
frames or a checkpoint given as hyper-parameters)."""
from __future__ import annotations

import json

import pytest

from model_rest_helpers import assert_h2o_error, assert_serving, checked, put_binary_frame, wait_job


@pytest.fixture()
def train_frame(app):
    return put_binary_frame(app, "grid_rest_train", rows=80, seed=3)


BASE = {"training_frame": "grid_rest_train", "response_column": "y", "epochs": "1", "seed": "7",
        "reproducible": "true"}


def _grid(client, expected: int = 200, **fields):
    data = dict(BASE, **{k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in fields.items()})
    if expected == 200:
        return checked(client, "POST", "/99/Grid/deeplearning", data=data)
    return client.post("/99/Grid/deeplearning", data=data)


def _model_ids(client, grid_id: str) -> list[str]:
    return [m["name"] for m in client.get(f"/99/Grids/{grid_id}").get_json()["model_ids"]]


def test_dropout_ratios_are_checked_against_each_hidden_value_of_the_grid(client, train_frame):
    # The default hidden (200,200) has two layers; every grid value has three, like the ratios.
    body = _grid(client, grid_id="g3", activation="RectifierWithDropout", hidden_dropout_ratios="[0.5,0.5,0.5]",
                 hyper_parameters={"hidden": [[4, 4, 4], [3, 3, 3]]})
    assert wait_job(client, body["job"]["key"]["name"])["status"] == "DONE"
    assert len(_model_ids(client, "g3")) == 2


def test_a_combination_that_does_not_fit_is_refused_before_any_job(client, train_frame):
    reply = _grid(client, 412, grid_id="gbad", activation="RectifierWithDropout",
                  hidden_dropout_ratios="[0.5,0.5,0.5]", hyper_parameters={"hidden": [[4, 4, 4], [3, 3]]})
    assert_h2o_error(reply, 412, "gbad", "hidden_dropout_ratios")
    assert client.get("/99/Grids/gbad").status_code == 404
    assert_serving(client)


def test_checkpoint_restart_grid_over_epochs(client, train_frame):
    r = client.post("/3/ModelBuilders/deeplearning", data=dict(BASE, model_id="ck", hidden="[3]", epochs="2"))
    assert wait_job(client, r.get_json()["job"]["key"]["name"])["status"] == "DONE"
    # Totals above the checkpoint's 2 epochs: valid, although the default epochs (10) alone is too.
    body = _grid(client, grid_id="gck", checkpoint="ck", hidden="[3]", hyper_parameters={"epochs": [3, 4]})
    assert wait_job(client, body["job"]["key"]["name"])["status"] == "DONE"
    assert len(_model_ids(client, "gck")) == 2


def test_warnings_of_the_combinations_come_back_as_messages(client, train_frame):
    body = _grid(client, grid_id="gw", activation="Tanh", hidden="[3]", hidden_dropout_ratios="[0.5]",
                 hyper_parameters={"l1": [0, 1e-4]})
    warnings = [m for m in body["messages"] if m["message_type"] == "WARN"]
    assert any(m["field_name"] == "hidden_dropout_ratios" for m in warnings), body["messages"]
    wait_job(client, body["job"]["key"]["name"])


@pytest.mark.parametrize("criteria, needle", [
    ("{not json", "not a JSON object"),
    ("[1, 2]", "must be an object"),
    (json.dumps({"strategy": "Cartesian", "max_models": 1}), "max_models not supported"),
    (json.dumps({"strategy": "RandomDiscrete"}), "RandomDiscrete"),
])
def test_search_criteria_it_does_not_apply_are_refused(client, train_frame, criteria, needle):
    reply = _grid(client, 400, hidden="[3]", search_criteria=criteria, hyper_parameters={"l1": [0, 1e-4]})
    body = assert_h2o_error(reply, 400, needle)
    assert "search_criteria" in body["msg"]
    assert_serving(client)


@pytest.mark.parametrize("name, values", [
    ("training_frame", ["grid_rest_train", "grid_rest_train"]),
    ("validation_frame", ["grid_rest_train"]),
    ("checkpoint", ["ck"]),
    ("model_id", ["a", "b"]),
])
def test_keys_cannot_be_hyper_parameters(client, train_frame, name, values):
    reply = _grid(client, 400, hidden="[3]", hyper_parameters={name: values})
    assert_h2o_error(reply, 400, f"'{name}' cannot be searched over")
