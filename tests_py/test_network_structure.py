"""H2O-3's network-structure options: hidden = [] (the inputs feed the output layer), epochs = 0
(the initial network, scored once), initial_weights / initial_biases (frames, one per weight
layer, as export_weights_and_biases writes them) and pretrained_autoencoder (its input and hidden
layers start this model's) — in the engine, over REST, in the saved-model, POJO and ONNX exports."""
from __future__ import annotations

import numpy as np
import pytest

from h2o_backend.engine.errors import ValidationError
from h2o_backend.engine.network_start import NetworkStart
from h2o_backend.engine.parameters import DeepLearningParameters, validate
from h2o_backend.engine.training import train_deeplearning
from h2o_backend.frames.frame import Column, Frame
from model_rest_helpers import assert_h2o_error, build, checked, frame_columns, model_of, wait_job


def params(**kw) -> DeepLearningParameters:
    p = DeepLearningParameters()
    for k, v in {**dict(seed=1, reproducible=True, epochs=2.0), **kw}.items():
        setattr(p, k, v)
    return p


def mixed(key: str = "mix", n: int = 300, seed: int = 0) -> Frame:
    """A factor, two numbers, and three responses: two classes, three classes, a number."""
    rng = np.random.default_rng(seed)
    colour = rng.integers(0, 3, n).astype(np.int32)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    score = x1 - 0.5 * x2 + (colour == 1)
    return Frame(key, [
        Column("colour", "enum", colour, ["red", "green", "blue"]),
        Column("x1", "real", x1), Column("x2", "real", x2),
        Column("flag", "enum", (score > 0.3).astype(np.int32), ["no", "yes"]),
        Column("kind", "enum", np.digitize(score, np.quantile(score, [1 / 3, 2 / 3])).astype(np.int32),
               ["low", "mid", "high"]),
        Column("value", "real", 2.0 * score + 5.0),
    ])


RESPONSES = {"flag": ["kind", "value"], "kind": ["flag", "value"], "value": ["flag", "kind"]}


def supervised(y: str, **kw) -> DeepLearningParameters:
    return params(response_column=y, ignored_columns=RESPONSES[y], **kw)


def _weights_frames(model, key: str):
    mi = model.model_info
    weights = [Frame(f"{key}.w{l}", [Column(f"C{j + 1}", "real", mi.weights(l)[:, j].astype(np.float64))
                                     for j in range(mi.weights(l).shape[1])]) for l in range(mi.n_layers)]
    biases = [Frame(f"{key}.b{l}", [Column("C1", "real", mi.biases(l).astype(np.float64))])
              for l in range(mi.n_layers)]
    return weights, biases


@pytest.fixture(scope="module")
def frame():
    return mixed()


# ----------------------------------------------------------------------------- hidden = []
@pytest.mark.parametrize("y, category", [("flag", "Binomial"), ("kind", "Multinomial"), ("value", "Regression")])
def test_no_hidden_layer_trains_and_predicts(frame, y, category):
    model = train_deeplearning(supervised(y, hidden=[], epochs=30.0, variable_importances=True), frame)
    mi = model.model_info
    assert mi.units == [model.datainfo.n_inputs, model.datainfo.n_outputs] and mi.n_layers == 1
    assert model.output["model_category"] == category
    X = model.datainfo.transform(frame)
    z = X.astype(np.float64) @ mi.weights(0).T.astype(np.float64) + mi.biases(0)
    pred = model.predict(frame, "p")
    if category == "Regression":
        want = model.datainfo.unstandardize(z[:, 0])
        np.testing.assert_allclose(pred.column("predict").data, want, rtol=1e-4, atol=1e-4)
        assert model.output["training_metrics"]["r2"] > 0.9        # a linear response: learnt
    else:
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)                           # softmax of one affine layer
        for k, level in enumerate(model.datainfo.response_domain):
            np.testing.assert_allclose(pred.column(level).data, p[:, k], rtol=1e-4, atol=1e-5)
        assert model.output["training_metrics"]["mean_per_class_error"] < 0.35
    # H2O-3's importances without hidden layers: sum of |w| from each input, the largest 1
    vi = {row[0]: row[1] for row in model.output["variable_importances"]}
    raw = np.abs(mi.weights(0)).sum(axis=0)
    want = dict(zip(model.datainfo.expanded_names, raw / raw.max()))
    assert vi.keys() == want.keys()
    for name in vi:
        assert vi[name] == pytest.approx(want[name], rel=1e-5)
    summary = model.output["model_summary"]
    assert summary["rowcount"] == 2                                 # the input and the output layer


def test_autoencoder_without_hidden_layer_reconstructs(frame):
    model = train_deeplearning(params(autoencoder=True, hidden=[], activation="Tanh", epochs=5.0,
                                      ignored_columns=["flag", "kind", "value"]), frame)
    assert model.model_info.units == [5, 5]
    history = model.output["scoring_history"]
    assert history[-1]["training_mse"] < history[0]["training_mse"]       # from the null model's
    rec = model.predict(frame, "r")
    assert [c.name for c in rec.columns][0].startswith("reconstr_")


def test_no_hidden_layer_saved_model_pojo_and_onnx(frame, tmp_path):
    import onnxruntime as ort

    from h2o_backend.engine.model import DeepLearningModel
    from h2o_backend.export import onnx as onnx_export
    from h2o_backend.export import pojo, pojo_runner, saved_model
    from h2o_backend.export.pojo_java import java_id
    model = train_deeplearning(supervised("kind", hidden=[]), frame, model_id="nohidden")
    want = model.predict(frame, "p")
    # saved model
    path = saved_model.save(model.to_state(), "deeplearning", model.model_id, str(tmp_path / "m"), force=True)
    _, _, state = saved_model.load(path)
    again = DeepLearningModel.from_state(state)
    for col in want.columns:
        assert np.array_equal(again.predict(frame, "q").column(col.name).data, col.data)
    # ONNX
    session = ort.InferenceSession(onnx_export.model_to_onnx(model).SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    feeds = {"colour": np.array([frame.column("colour").domain[c] for c in frame.column("colour").data],
                                dtype=object).reshape(-1, 1),
             "x1": frame.column("x1").data.astype(np.float32).reshape(-1, 1),
             "x2": frame.column("x2").data.astype(np.float32).reshape(-1, 1)}
    got = dict(zip([o.name for o in session.get_outputs()], session.run(None, feeds)))
    for level in model.datainfo.response_domain:
        np.testing.assert_allclose(got[level].ravel(), want.column(level).data, rtol=1e-5, atol=1e-6)
    # POJO
    cls = java_id(model.model_id)
    pojo_runner.compile_sources({cls: pojo.pojo_source(model)}, tmp_path)
    preds, _ = pojo_runner.score_rows(tmp_path, cls, pojo_runner.pojo_rows(model.datainfo, frame))
    for k, level in enumerate(model.datainfo.response_domain):
        np.testing.assert_allclose(preds[:, k + 1], want.column(level).data, rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- epochs = 0
def test_epochs_zero_keeps_the_initial_network_and_scores_it_once(frame):
    p = supervised("flag", hidden=[4], epochs=0.0)
    assert not [x for x in validate(p, frame) if x["level"] == "ERRR"]
    model = train_deeplearning(p, frame)
    again = train_deeplearning(supervised("flag", hidden=[4], epochs=0.0), frame)
    assert np.array_equal(model.model_info.w, again.model_info.w)          # the seeded initial weights
    trained = train_deeplearning(supervised("flag", hidden=[4], epochs=1.0), frame)
    assert not np.array_equal(model.model_info.w, trained.model_info.w)
    assert model.model_info.processed == 0
    history = model.output["scoring_history"]
    assert len(history) == 1 and history[0]["epochs"] == 0 and history[0]["iterations"] == 1
    assert model.output["training_metrics"]["logloss"] > 0 and model.output["status"] == "DONE"
    assert model.predict(frame, "p").nrows == frame.nrows


def test_negative_epochs_are_refused(frame):
    problems = validate(supervised("flag", epochs=-1.0), frame)
    assert any(x["field"] == "epochs" and x["level"] == "ERRR" for x in problems)


# ----------------------------------------------------------------------------- initial weights
def test_initial_weights_and_biases_reproduce_another_model(frame):
    source = train_deeplearning(supervised("kind", hidden=[5, 3], epochs=3.0), frame)
    weights, biases = _weights_frames(source, "src")
    start = NetworkStart(weights, biases)
    copy = train_deeplearning(supervised("kind", hidden=[5, 3], epochs=0.0, seed=99,
                                         initial_weights=[f.key for f in weights],
                                         initial_biases=[f.key for f in biases]), frame, start=start)
    assert np.array_equal(copy.model_info.w, source.model_info.w)
    assert np.array_equal(copy.model_info.b, source.model_info.b)
    a, b = source.predict(frame, "a"), copy.predict(frame, "b")
    for col in a.columns:
        assert np.array_equal(a.column(col.name).data, b.column(col.name).data)


def test_a_null_entry_keeps_that_layers_random_start(frame):
    source = train_deeplearning(supervised("flag", hidden=[4], epochs=3.0), frame)
    weights, biases = _weights_frames(source, "src")
    plain = train_deeplearning(supervised("flag", hidden=[4], epochs=0.0, seed=5), frame)
    mixed_start = train_deeplearning(supervised("flag", hidden=[4], epochs=0.0, seed=5,
                                                initial_weights=[None, weights[1].key],
                                                initial_biases=[None, biases[1].key]), frame,
                                     start=NetworkStart([None, weights[1]], [None, biases[1]]))
    assert np.array_equal(mixed_start.model_info.weights(0), plain.model_info.weights(0))
    assert np.array_equal(mixed_start.model_info.weights(1), source.model_info.weights(1))
    assert np.array_equal(mixed_start.model_info.biases(1), source.model_info.biases(1))


def test_initial_weights_count_and_shape_are_checked(frame):
    problems = validate(supervised("flag", hidden=[4], initial_weights=["a"], initial_biases=["a", "b", "c"]), frame)
    messages = {x["field"]: x["message"] for x in problems if x["level"] == "ERRR"}
    assert messages["initial_weights"].startswith("The number of initial weights matrices must be 2")
    assert messages["initial_biases"].startswith("The number of initial bias vectors must be 2")
    wrong = Frame("w", [Column(f"C{j}", "real", np.zeros(3)) for j in range(5)])
    with pytest.raises(ValidationError) as info:
        train_deeplearning(supervised("flag", hidden=[4], initial_weights=["w", None]), frame,
                           start=NetworkStart([wrong, None], None))
    assert info.value.problems[0]["field"] == "initial_weights"
    assert "should have 4 rows and 5 columns, but has 3 rows and 5 columns" in str(info.value)


def test_initial_weights_are_refused_on_a_checkpoint_restart(frame):
    problems = validate(supervised("flag", hidden=[4], initial_weights=["a", "b"], checkpoint="ck"), frame)
    assert any(x["field"] == "checkpoint" and "Cannot specify initial weights" in x["message"] for x in problems)


# ----------------------------------------------------------------------------- pretrained autoencoder
@pytest.fixture(scope="module")
def autoencoder(frame):
    return train_deeplearning(params(autoencoder=True, hidden=[6, 3], activation="Tanh", epochs=3.0,
                                     ignored_columns=["flag", "kind", "value"]), frame, model_id="ae")


def test_pretrained_autoencoder_copies_the_hidden_layers(frame, autoencoder):
    model = train_deeplearning(supervised("flag", hidden=[6], activation="Tanh", epochs=0.0,
                                          pretrained_autoencoder="ae"), frame,
                               start=NetworkStart(pretrained=autoencoder))
    ae, mi = autoencoder.model_info, model.model_info
    assert np.array_equal(mi.weights(0), ae.weights(0)) and np.array_equal(mi.biases(0), ae.biases(0))
    assert mi.weights(1).shape == (2, 6) and not np.any(mi.biases(1))     # the output layer: random, 0 biases
    two = train_deeplearning(supervised("flag", hidden=[6, 3], activation="Tanh", epochs=0.0,
                                        pretrained_autoencoder="ae"), frame, start=NetworkStart(pretrained=autoencoder))
    assert np.array_equal(two.model_info.weights(1), ae.weights(1))


@pytest.mark.parametrize("kw, needle", [
    (dict(hidden=[5]), "rows in layer 0: 6 vs 5"),
    (dict(hidden=[6, 3, 2]), "hidden [6, 3, 2] must be its first layers"),
    (dict(ignored_columns=["kind", "value", "x2"]), "inputs of the pretrained autoencoder"),
])
def test_pretrained_autoencoder_mismatches_are_refused(frame, autoencoder, kw, needle):
    p = supervised("flag", activation="Tanh", epochs=0.0, pretrained_autoencoder="ae", hidden=[6])
    for k, v in kw.items():
        setattr(p, k, v)
    with pytest.raises(ValidationError) as info:
        train_deeplearning(p, frame, start=NetworkStart(pretrained=autoencoder))
    assert info.value.problems[0]["field"] == "pretrained_autoencoder"
    assert needle in str(info.value)


def test_pretrained_model_must_be_an_autoencoder_and_this_model_supervised(frame, autoencoder):
    supervised_model = train_deeplearning(supervised("flag", hidden=[6], epochs=0.0), frame)
    with pytest.raises(ValidationError, match="must be unsupervised"):
        train_deeplearning(supervised("flag", hidden=[6], pretrained_autoencoder="s"), frame,
                           start=NetworkStart(pretrained=supervised_model))
    problems = validate(params(autoencoder=True, hidden=[6], pretrained_autoencoder="ae"), frame)
    assert any(x["field"] == "pretrained_autoencoder" and x["level"] == "ERRR" for x in problems)


# ----------------------------------------------------------------------------- over REST
@pytest.fixture()
def rest_frame(app):
    fr = mixed("mix.hex")
    app.config["SERVICES"].store.put(fr.key, fr)
    return fr.key


def test_rest_export_then_initial_weights_round_trip(client, app, rest_frame):
    build(client, training_frame=rest_frame, response_column="kind", ignored_columns='["flag","value"]',
          hidden="[4]", epochs="2", model_id="src", export_weights_and_biases="true")
    out = model_of(client, "src")["output"]
    weights = [k["name"] for k in out["weights"]]
    biases = [k["name"] for k in out["biases"]]
    assert weights == ["src.weights.0", "src.weights.1"] and biases == ["src.biases.0", "src.biases.1"]
    w0 = frame_columns(client, "src.weights.0")
    src = app.config["SERVICES"].store.get("src")
    assert list(w0) == list(src.datainfo.expanded_names) == ["colour.red", "colour.green", "colour.blue", "x1", "x2"]
    assert len(w0["x1"]) == 4 and w0["x1"] == pytest.approx(src.model_info.weights(0)[:, 3].tolist(), rel=1e-6)
    assert len(frame_columns(client, "src.weights.1")) == 4 and len(frame_columns(client, "src.biases.1")["C1"]) == 3
    build(client, training_frame=rest_frame, response_column="kind", ignored_columns='["flag","value"]',
          hidden="[4]", epochs="0", seed="123", model_id="copy",
          initial_weights=str(weights).replace("'", '"'), initial_biases=f"[{biases[0]}, {biases[1]}]")
    a = checked(client, "POST", f"/3/Predictions/models/src/frames/{rest_frame}", data={"predictions_frame": "pa"})
    b = checked(client, "POST", f"/3/Predictions/models/copy/frames/{rest_frame}", data={"predictions_frame": "pb"})
    assert a["model_metrics"][0]["logloss"] == b["model_metrics"][0]["logloss"]
    assert frame_columns(client, "pa") == frame_columns(client, "pb")
    listing = {p["name"]: p for p in model_of(client, "copy")["parameters"]}
    assert [k["name"] for k in listing["initial_weights"]["actual_value"]] == weights
    assert listing["epochs"]["actual_value"] == 0


def test_rest_no_hidden_layer_and_its_deep_features(client, rest_frame):
    build(client, training_frame=rest_frame, response_column="flag", ignored_columns='["kind","value"]',
          hidden="[]", model_id="flat")
    summary = model_of(client, "flat")["output"]["model_summary"]
    assert summary["rowcount"] == 2
    reply = client.post(f"/3/Predictions/models/flat/frames/{rest_frame}", data={"deep_features_hidden_layer": "0"})
    assert_h2o_error(reply, 400, "no hidden layer")


def test_rest_unknown_keys_and_pretrained_checks(client, rest_frame):
    reply = client.post("/3/ModelBuilders/deeplearning", data={
        "training_frame": rest_frame, "response_column": "flag", "hidden": "[3]",
        "initial_weights": '["nope", null]', "initial_biases": '[null, null]', "pretrained_autoencoder": "ghost"})
    body = assert_h2o_error(reply, 412, "User-given weight matrix #1 'nope' not found",
                            "The pretrained model 'ghost' not found")
    assert body["error_count"] >= 2
    build(client, training_frame=rest_frame, response_column="flag", ignored_columns='["kind","value"]',
          hidden="[3]", model_id="sup")
    reply = client.post("/3/ModelBuilders/deeplearning", data={
        "training_frame": rest_frame, "response_column": "flag", "hidden": "[3]", "pretrained_autoencoder": "sup"})
    assert_h2o_error(reply, 412, "must be unsupervised")


def test_rest_pretrained_autoencoder(client, app, rest_frame):
    build(client, training_frame=rest_frame, autoencoder="true", activation="Tanh", hidden="[5]", epochs="2",
          ignored_columns='["flag","kind","value"]', model_id="ae5")
    build(client, training_frame=rest_frame, response_column="flag", activation="Tanh", hidden="[5]",
          epochs="0", ignored_columns='["kind","value"]', pretrained_autoencoder="ae5", model_id="fine")
    store = app.config["SERVICES"].store
    ae, fine = store.get("ae5").model_info, store.get("fine").model_info
    assert np.array_equal(ae.weights(0), fine.weights(0)) and np.array_equal(ae.biases(0), fine.biases(0))
    reply = client.post("/3/ModelBuilders/deeplearning", data={
        "training_frame": rest_frame, "response_column": "flag", "activation": "Tanh", "hidden": "[4]",
        "ignored_columns": '["kind","value"]', "pretrained_autoencoder": "ae5"})
    job = wait_job(client, reply.get_json()["job"]["key"]["name"])
    assert job["status"] == "FAILED" and "Mismatch between weights in pretrained model" in job["exception"]


def test_warnings_for_what_a_pretrained_start_leaves_unused(frame, autoencoder):
    from h2o_backend.engine.network_start import pretrained_problems
    p = supervised("flag", hidden=[6], activation="Rectifier", pretrained_autoencoder="ae",
                   initial_weights=["a", "b"])
    warned = [x for x in validate(p, frame) if x["level"] == "WARN"]
    assert any(x["field"] == "initial_weights" and "not used with a pretrained_autoencoder" in x["message"]
               for x in warned)
    (problem,) = pretrained_problems(p, autoencoder)
    assert problem["level"] == "WARN" and "activation Tanh" in problem["message"]


def test_a_non_numeric_weight_frame_is_refused_by_name(frame):
    bad = Frame("bad", [Column("C1", "enum", np.zeros(4, np.int32), ["a"])] * 5)
    with pytest.raises(ValidationError, match="initial_weights matrix #0 'bad' must be numeric"):
        train_deeplearning(supervised("flag", hidden=[4], initial_weights=["bad", None]), frame,
                           start=NetworkStart([bad, None], None))
