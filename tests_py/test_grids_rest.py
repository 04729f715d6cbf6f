"""POST /99/Grid/deeplearning parses hyper-parameters and search criteria as H2O-3 does (bare enum
names, RandomDiscrete with max_models, seed and early stopping), sorts by every metric the client
offers, checks every combination with the grid's own values in place, before
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
    (json.dumps({"strategy": "Cartesian", "max_models": 1}), "apply to RandomDiscrete"),
    (json.dumps({"strategy": "Sequential"}), "'Sequential' is not supported"),
    (json.dumps({"strategy": "RandomDiscrete", "max_models": -1}), "max_models must be >= 0"),
    (json.dumps({"strategy": "RandomDiscrete", "stopping_metric": "lift_top_group"}), "not supported"),
    (json.dumps({"strategy": "RandomDiscrete", "stopping_metric": "custom"}),
     "Custom metric function needs to be defined in order to use it for early stopping"),
    (json.dumps({"strategy": "RandomDiscrete", "maximum_models": 2}), "maximum_models unknown"),
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


def test_hyper_parameters_with_bare_enum_names_as_the_client_sends_them(client, train_frame):
    data = dict(BASE, grid_id="gbare", hidden="[3]", hyper_parameters="{'activation': [Rectifier,Tanh], "
                "'l1': [0, 1e-4]}".replace("'", '"'))
    body = checked(client, "POST", "/99/Grid/deeplearning", data=data)
    assert wait_job(client, body["job"]["key"]["name"])["status"] == "DONE"
    assert body["hyper_parameters"]["activation"] == ["Rectifier", "Tanh"]
    assert len(_model_ids(client, "gbare")) == 4


def _grid_combos(client, grid_id):
    grid = client.get(f"/99/Grids/{grid_id}").get_json()
    models = [client.get(f"/3/Models/{m['name']}").get_json()["models"][0] for m in grid["model_ids"]]
    return [{p["name"]: p["actual_value"] for p in m["parameters"] if p["name"] in ("l1", "l2")} for m in models]


def test_random_discrete_stops_at_max_models_in_a_seeded_order(client, train_frame):
    hyper = {"l1": [0, 1e-5, 1e-4, 1e-3], "l2": [0, 1e-4, 1e-3]}
    criteria = {"strategy": "RandomDiscrete", "max_models": 5, "seed": 42}
    orders = []
    for grid_id in ("grd1", "grd2"):
        body = _grid(client, grid_id=grid_id, hidden="[3]", hyper_parameters=hyper, search_criteria=criteria)
        assert wait_job(client, body["job"]["key"]["name"])["status"] == "DONE"
        orders.append(_grid_combos(client, grid_id))
    assert len(orders[0]) == 5 and len({json.dumps(c, sort_keys=True) for c in orders[0]}) == 5
    assert sorted(map(json.dumps, orders[0])) == sorted(map(json.dumps, orders[1]))     # the same 5 combinations


def test_random_discrete_early_stopping_ends_the_search(client, train_frame):
    # epochs only changes with the same seed by a hair: with tolerance 1 no model improves 100 %
    hyper = {"l1": [0, 1e-6, 2e-6, 3e-6, 4e-6, 5e-6, 6e-6, 7e-6, 8e-6, 9e-6]}
    criteria = {"strategy": "RandomDiscrete", "seed": 1, "stopping_rounds": 1, "stopping_metric": "logloss",
                "stopping_tolerance": 1.0}
    body = _grid(client, grid_id="gstop", hidden="[3]", hyper_parameters=hyper, search_criteria=criteria)
    assert wait_job(client, body["job"]["key"]["name"])["status"] == "DONE"
    assert len(_model_ids(client, "gstop")) == 3           # 2k + 1 models, then no improvement


def test_sort_by_a_threshold_criterion(client, train_frame):
    body = _grid(client, grid_id="gsort", hidden="[3]", hyper_parameters={"l1": [0, 1e-2, 1e-1]})
    assert wait_job(client, body["job"]["key"]["name"])["status"] == "DONE"
    sorted_ids = [m["name"] for m in client.get("/99/Grids/gsort", query_string={"sort_by": "f1"})
                  .get_json()["model_ids"]]

    def best_f1(model_id):
        metrics = client.get(f"/3/Models/{model_id}").get_json()["models"][0]["output"]["training_metrics"]
        table = metrics["max_criteria_and_metric_scores"]
        names = table["data"][0]
        return table["data"][2][names.index("max f1")]
    values = [best_f1(m) for m in sorted_ids]
    assert values == sorted(values, reverse=True) and len(values) == 3
