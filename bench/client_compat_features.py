"""The steps of bench/official_client_compat.py for issue 19's features: what an H2O-3 user calls
with the official client (h2o 3.46) on models of the four kinds (printing, metric accessors,
resolved parameters), on frames (Rapids expressions), grids with a random search, custom metrics,
logs and timeline, MOJO download, and training on a frame of mostly missing values.

``feature_steps(s)`` returns the step functions; they share the state dict ``s`` of the workflow
(``s["url"]``, ``s["tmp"]``), each raises when the answer is not what H2O-3's user expects.
"""
from __future__ import annotations

import io
import math
import os
from contextlib import redirect_stdout
from pathlib import Path

import requests

DATA = Path(__file__).resolve().parent.parent / "demos" / "data"
KINDS = ("regression", "binomial", "multinomial", "autoencoder")


class Misclassified:
    """A custom metric (H2O-3's map/reduce/metric protocol): the share of wrong labels."""

    def map(self, pred, act, w, o, model):
        return [1.0 if pred[0] != act[0] else 0.0, 1.0]

    def reduce(self, left, right):
        return [left[0] + right[0], left[1] + right[1]]

    def metric(self, last):
        return last[0] / last[1]


def _finite(*values) -> bool:
    return all(isinstance(v, float) and math.isfinite(v) for v in values)


def _printed(fn) -> str:
    text = io.StringIO()
    with redirect_stdout(text):
        fn()
    return text.getvalue()


def refusal_message(answer) -> str:
    """The msg of an H2O error answer (else the start of its text)."""
    try:
        return " ".join(str(answer.json().get("msg", "")).split())[:120]
    except ValueError:
        return answer.text[:120]


def client_refusal_or(download):
    """What a download answers, or the client's own refusal: h2o 3.46.0.12 blocks MOJO and POJO
    export before any request ("requires H2O-3 Secure"), whichever server it talks to."""
    try:
        return download()
    except Exception as exc:  # noqa: BLE001
        if "requires H2O-3 Secure" in str(exc):
            return f"refused by the client, no request sent: {str(exc).split('. ')[0]}"
        raise


def _dump(s: dict, name: str, text: str) -> None:
    """With COMPAT_DUMP=folder, keep what a step saw (<side>_<name>.txt) to compare the sides."""
    folder = os.environ.get("COMPAT_DUMP")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{s.get('label', 'side')}_{name}.txt").write_text(text)


def feature_steps(s: dict) -> list:
    import h2o
    from h2o.estimators.deeplearning import H2OAutoEncoderEstimator, H2ODeepLearningEstimator
    from h2o.grid.grid_search import H2OGridSearch

    def frames():
        p = h2o.import_file(str(DATA / "prostate.csv"), destination_frame="prostate_f.hex")
        p["CAPSULE"] = p["CAPSULE"].asfactor()
        iris = h2o.import_file(str(DATA / "iris.csv"), destination_frame="iris_f.hex")
        s["pf"], s["iris"] = p, iris
        s["p_tr"], s["p_te"] = p.split_frame(ratios=[0.75], seed=42)
        s["i_tr"], s["i_te"] = iris.split_frame(ratios=[0.75], seed=42)
        return (p.shape, iris.shape)

    def train_four_kinds():
        common = dict(hidden=[5], epochs=5, seed=1, reproducible=True)
        px = ["RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]
        kinds = {}
        m = H2ODeepLearningEstimator(**common)
        m.train(x=px, y="AGE", training_frame=s["p_tr"], validation_frame=s["p_te"])
        kinds["regression"] = (m, s["p_te"])
        m = H2ODeepLearningEstimator(**common)
        m.train(x=px + ["AGE"], y="CAPSULE", training_frame=s["p_tr"], validation_frame=s["p_te"])
        kinds["binomial"] = (m, s["p_te"])
        m = H2ODeepLearningEstimator(**common)
        m.train(x=["C1", "C2", "C3", "C4"], y="C5", training_frame=s["i_tr"], validation_frame=s["i_te"])
        kinds["multinomial"] = (m, s["i_te"])
        m = H2OAutoEncoderEstimator(**common)
        m.train(x=["C1", "C2", "C3", "C4"], training_frame=s["i_tr"])
        kinds["autoencoder"] = (m, s["i_te"])
        s["kinds"] = kinds
        return [m.model_id for m, _ in kinds.values()]

    def printing(kind):
        def step():
            model, test = s["kinds"][kind]

            def everything():
                print(model)
                model.show()
                model.summary()
                model.model_performance(test).show()
            text = _printed(everything)
            _dump(s, f"print_{kind}", text)
            assert "Model Details" in text and "Status of Neuron Layers" in text, text[:300]
            assert ("ModelMetrics" in text) and ("MSE" in text), text[-300:]
            return f"{len(text.splitlines())} lines"
        step.__name__ = f"print_{kind}"
        return step

    def regression_metrics():
        model, test = s["kinds"]["regression"]
        perf = model.model_performance(test)
        values = [perf.mse(), perf.rmse(), perf.mae(), perf.rmsle(), perf.mean_residual_deviance(), perf.r2()]
        assert _finite(*values), values
        assert abs(values[1] - math.sqrt(values[0])) < 1e-9
        assert abs(model.mse(valid=True) - perf.mse()) <= 1e-9 * perf.mse()     # the test frame is the validation one
        return [round(v, 4) for v in values]

    def binomial_metrics():
        model, test = s["kinds"]["binomial"]
        perf = model.model_performance(test)
        values = [perf.logloss(), perf.auc(), perf.aucpr(), perf.gini()]
        assert _finite(*values) and abs(values[3] - (2 * values[1] - 1)) < 1e-9, values
        threshold = perf.find_threshold_by_max_metric("f1")
        f1 = perf.F1()
        assert abs(f1[0][0] - threshold) < 1e-9, (f1, threshold)
        for rows in (perf.accuracy(), perf.mcc()):
            assert len(rows) == 1 and len(rows[0]) == 2 and _finite(*rows[0]), rows
        cm = perf.confusion_matrix()
        assert cm.to_list() and len(cm.to_list()) == 2, cm
        lift = perf.gains_lift()
        assert lift is not None and len(lift.cell_values) >= 1
        return [round(v, 4) for v in values] + [round(threshold, 4)]

    def multinomial_metrics():
        model, test = s["kinds"]["multinomial"]
        perf = model.model_performance(test)
        assert _finite(perf.logloss(), perf.mse(), perf.mean_per_class_error())
        hits = perf.hit_ratio_table()
        assert len(hits.cell_values) == 3, hits
        cm = perf.confusion_matrix()                 # a table: the classes and Totals rows
        assert len(cm.cell_values) == 4, cm
        auc_table = perf.multinomial_auc_table()     # None: auc_type AUTO computes no multinomial AUC
        return (round(perf.logloss(), 4), round(float(hits.cell_values[0][1]), 4), type(auc_table).__name__)

    def params_distribution():
        actual = {kind: s["kinds"][kind][0].params["distribution"]["actual"] for kind in KINDS}
        assert actual["regression"] == "gaussian" and actual["binomial"] == "bernoulli", actual
        assert actual["multinomial"] == "multinomial", actual
        return actual

    def drop_and_last_column():
        p = s["pf"]
        dropped = p.drop("ID")
        last = p[:, -1]
        assert "ID" not in dropped.names and dropped.ncols == p.ncols - 1, dropped.names
        assert last.names == [p.names[-1]] and last.nrows == 380
        return (dropped.ncols, last.names[0])

    def asnumeric_ascharacter():
        p = s["pf"]
        numeric = p["CAPSULE"].asnumeric()
        text = p["RACE"].ascharacter()
        assert numeric.types["CAPSULE"] in ("int", "real") and text.types["RACE"] == "string", (numeric.types, text.types)
        assert numeric.sum() == p.as_data_frame()["CAPSULE"].astype(int).sum()
        return (numeric.types["CAPSULE"], text.types["RACE"])

    def isna_ifelse():
        p = s["pf"]
        assert p["AGE"].isna().sum() == 0
        old = (p["AGE"] > 60).ifelse(1, 0)
        assert old.sum() == 303, old.sum()                 # pandas: (AGE > 60).sum()
        return int(old.sum())

    def rbind():
        p = s["pf"]
        both = p.rbind(p)
        assert both.nrows == 760 and both.ncols == p.ncols
        return both.shape

    def merge():
        left = h2o.H2OFrame({"k": ["a", "b", "c"], "x": [1, 2, 3]})
        right = h2o.H2OFrame({"k": ["a", "c", "d"], "y": [10, 30, 40]})
        parsed_as = left.types["k"]                   # how the upload's parse typed the key column
        left["k"], right["k"] = left["k"].asfactor(), right["k"].asfactor()
        joined = left.merge(right).as_data_frame()
        assert sorted(joined["k"]) == ["a", "c"] and sorted(joined["y"]) == [10, 30], joined
        return (joined.shape, f"key parsed as {parsed_as}")

    def sort():
        ages = s["pf"].sort("AGE").as_data_frame()["AGE"].tolist()
        assert ages == sorted(ages) and len(ages) == 380
        return (ages[0], ages[-1])

    def unique():
        races = s["pf"]["RACE"].unique().as_data_frame().iloc[:, 0].tolist()
        assert sorted(races) == [0, 1, 2], races
        return sorted(races)

    def table():
        counts = s["pf"]["CAPSULE"].table().as_data_frame()
        assert counts.shape == (2, 2) and counts.iloc[:, 1].sum() == 380, counts
        return counts.iloc[:, 1].tolist()

    def group_by():
        grouped = s["pf"].group_by("RACE").count().mean("AGE").sum("PSA").get_frame().as_data_frame()
        assert len(grouped) == 3 and grouped["nrow"].sum() == 380, grouped
        return list(grouped.columns)

    def impute():
        fr = h2o.H2OFrame({"a": [1.0, None, 3.0, None]})
        means = fr.impute("a", method="mean")
        values = fr.as_data_frame()["a"].tolist()
        assert values == [1.0, 2.0, 3.0, 2.0], values
        return [float(m) for m in means]

    def cut():
        bins = s["pf"]["AGE"].cut([40, 60, 70, 80])
        levels = bins.levels()[0]
        assert bins.types[bins.names[0]] == "enum" and len(levels) == 3, (bins.types, levels)
        odd = s["pf"]["PSA"].cut([0.12345, 2.5, 1e7], include_lowest=True).levels()[0]
        return levels + odd

    def scale():
        scaled = s["pf"][["AGE", "PSA"]].scale().as_data_frame()
        assert abs(scaled["AGE"].mean()) < 1e-6 and abs(scaled["AGE"].std() - 1) < 1e-6, scaled.describe()
        return round(float(scaled["PSA"].max()), 4)

    def head_tail_expressions():
        p = s["pf"]
        head = (p["AGE"] * 2).head(rows=3).as_data_frame()
        tail = (p["AGE"] + 1).tail(rows=2).as_data_frame()
        ages = p["AGE"].as_data_frame()["AGE"].tolist()
        assert head.iloc[:, 0].tolist() == [a * 2 for a in ages[:3]], head
        assert tail.iloc[:, 0].tolist() == [a + 1 for a in ages[-2:]], tail
        return (head.shape, tail.shape)

    def create_frame():
        fr = h2o.create_frame(rows=100, cols=5, categorical_fraction=0.4, integer_fraction=0.2,
                              missing_fraction=0.1, seed=1)
        assert fr.shape == (100, 5), fr.shape
        return sorted(fr.types.values())

    def custom_metric():
        ref = h2o.upload_custom_metric(Misclassified, func_name="miss", func_file="miss.py")
        model = H2ODeepLearningEstimator(hidden=[4], epochs=2, seed=1, reproducible=True, custom_metric_func=ref)
        model.train(x=["C1", "C2", "C3", "C4"], y="C5", training_frame=s["iris"], validation_frame=s["iris"])
        valid = model._model_json["output"]["validation_metrics"]._metric_json
        error = valid["cm"]["table"]["Error"][-1]
        assert valid["custom_metric_name"] == "miss" and abs(valid["custom_metric_value"] - error) < 1e-9, valid
        return round(valid["custom_metric_value"], 4)

    def grid_random_discrete():
        grid = H2OGridSearch(H2ODeepLearningEstimator(epochs=1, seed=1),
                             hyper_params={"activation": ["Rectifier", "Tanh", "Maxout"], "hidden": [[5], [3]]},
                             search_criteria={"strategy": "RandomDiscrete", "max_models": 3, "seed": 1},
                             grid_id="client_random_grid")
        grid.train(x=["C1", "C2", "C3", "C4"], y="C5", training_frame=s["i_tr"], validation_frame=s["i_te"])
        by_logloss = grid.get_grid(sort_by="logloss", decreasing=False)
        assert len(by_logloss.model_ids) == 3, by_logloss.model_ids
        losses = [m.logloss(valid=True) for m in by_logloss.models]
        assert losses == sorted(losses), losses
        return sorted(m.params["activation"]["actual"] for m in by_logloss.models)

    def log_and_echo():
        h2o.log_and_echo("official_client_compat: a message in the server's log")
        return "logged"

    def download_all_logs():
        path = h2o.download_all_logs(dirname=s["tmp"], filename="logs.zip")
        assert os.path.getsize(path) > 0
        return f"{os.path.basename(path)} {os.path.getsize(path)} bytes"

    def timeline():
        answer = h2o.api("GET /3/Timeline")
        assert isinstance(answer.get("events"), list), list(answer)
        return f"{len(answer['events'])} events"

    def frames_light():
        answer = h2o.api(f"GET /3/Frames/{s['pf'].frame_id}/light")
        [frame] = answer["frames"]
        _dump(s, "frames_light", "\n".join(sorted(frame)))
        assert frame["frame_id"]["name"] == s["pf"].frame_id
        return sorted(frame)[:6]

    def download_mojo():
        model, _ = s["kinds"]["binomial"]
        return client_refusal_or(lambda: os.path.basename(model.download_mojo(path=s["tmp"])))

    def mojo_over_rest():
        model, _ = s["kinds"]["binomial"]
        answer = requests.get(f"{s['url']}/3/Models/{model.model_id}/mojo", timeout=120)
        assert answer.status_code == 200, f"{answer.status_code} {refusal_message(answer)}"
        assert answer.content[:2] == b"PK", answer.content[:20]       # a zip
        return f"{len(answer.content)} bytes"

    def insert_missing_then_train():
        predictors = ["AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON"]
        xs = h2o.assign(s["pf"][predictors], "prostate_x_missing")
        xs.insert_missing_values(fraction=0.99, seed=1)          # in place, on the frame's key
        missing = sum(xs[c].isna().sum() for c in predictors) / (len(predictors) * xs.nrows)
        assert 0.97 < missing <= 1, missing
        fr = xs.cbind(s["pf"]["CAPSULE"])
        model = H2ODeepLearningEstimator(hidden=[5], epochs=2, seed=1)
        model.train(x=predictors, y="CAPSULE", training_frame=fr)
        assert model.predict(fr).nrows == 380
        return (round(missing, 3), round(model.logloss(), 4))

    return [frames, train_four_kinds] + [printing(kind) for kind in KINDS] + [
        regression_metrics, binomial_metrics, multinomial_metrics, params_distribution,
        drop_and_last_column, asnumeric_ascharacter, isna_ifelse, rbind, merge, sort, unique, table,
        group_by, impute, cut, scale, head_tail_expressions, create_frame, custom_metric,
        grid_random_discrete, log_and_echo, download_all_logs, timeline, frames_light, download_mojo,
        mojo_over_rest, insert_missing_then_train]
