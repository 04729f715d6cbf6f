#!/usr/bin/env python3
"""Our MOJO inside the real H2O-3: ``h2o.import_mojo`` of each exported model into H2O-3 3.46 (the
pip ``h2o`` package's jar, started on a free port by bench/h2o3_reference.py), ``predict`` there on
a frame H2O-3 parsed from the same CSV, and the predictions compared with our server's.

The data: two factors (one with missing values in training; the scoring rows add an unseen level
and missing values to the other), three numeric columns with missing values, and a regression,
a binomial and a 3-class response. Models: regression (Rectifier), binomial (TanhWithDropout,
hidden dropout, balance_classes), multinomial (Maxout; RectifierWithDropout with input dropout),
autoencoders (Tanh; one on the numeric columns only). Printed per model: whether H2O-3 imported it
and predicted with it, the same class on every row, the largest relative difference of
probabilities / values (relative to each value, or to 5% of its column's largest magnitude).

Measured with H2O-3 3.46.0.12 (bench/results/mojo_into_h2o3.json): every supervised model and the
numeric autoencoder predict as our server (largest difference about 1e-6); the autoencoder with
factors imports, but H2O-3's predict fails inside genmodel (ArrayIndexOutOfBoundsException in
DeeplearningMojoModel.modifyOutputs: H2O-3 hands genmodel a prediction array of 5 values, one per
input column, for the 21 inputs the network reconstructs), while PredictCsv scores that MOJO
(tests_py/test_mojo.py).

    python bench/mojo_into_h2o3.py [--rows 2000] [--json results/mojo_into_h2o3.json]
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "python_backend"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

MODELS = {
    "regression": dict(response_column="yreg", activation="Rectifier", hidden=[16, 8]),
    "binomial": dict(response_column="ybin", activation="TanhWithDropout", hidden=[12, 12],
                     hidden_dropout_ratios=[0.3, 0.2], balance_classes=True),
    "multinomial_maxout": dict(response_column="ymul", activation="Maxout", hidden=[10]),
    "multinomial_dropout": dict(response_column="ymul", activation="RectifierWithDropout", hidden=[16, 8],
                                input_dropout_ratio=0.1),
    "autoencoder": dict(autoencoder=True, activation="Tanh", hidden=[6]),
    "autoencoder_numeric": dict(autoencoder=True, activation="Tanh", hidden=[2], ignored_columns=["f1", "f2"]),
}
RESPONSES = ("yreg", "ybin", "ymul")


def mixed_frame(key: str, n: int, seed: int, scoring: bool):
    from h2o_backend.frames.frame import Column, Frame
    rng = np.random.default_rng(seed)
    f1_levels = [f"L{i}" for i in range(6)] + (["never_seen"] if scoring else [])
    f1 = rng.integers(0, len(f1_levels), n).astype(np.int32)
    f1[rng.random(n) < 0.08] = -1
    f2 = rng.integers(0, 3, n).astype(np.int32)
    if scoring:
        f2[rng.random(n) < 0.08] = -1
    X = rng.normal(size=(n, 3)) * [1.0, 5.0, 100.0] + [0.0, 10.0, 1000.0]
    signal = X[:, 0] + 0.2 * (X[:, 1] - 10) + np.where(f1 >= 0, f1 % 3, 1) - (f2 == 1) + 0.3 * rng.normal(size=n)
    X[rng.random(X.shape) < 0.06] = np.nan
    cuts = np.quantile(signal, [0.3, 0.6])
    return Frame(key, [
        Column("x0", "real", X[:, 0]), Column("f1", "enum", f1, f1_levels), Column("x1", "real", X[:, 1]),
        Column("f2", "enum", f2, ["a", "b", "c"]), Column("x2", "real", X[:, 2]),
        Column("yreg", "real", signal * 3 + 7),
        Column("ybin", "enum", (signal > np.quantile(signal, 0.75)).astype(np.int32), ["no", "yes"]),
        Column("ymul", "enum", np.searchsorted(cuts, signal).astype(np.int32), ["A", "B", "C"]),
    ])


def write_csv(frame, path) -> None:
    cells = []
    for col in frame.columns:
        if col.is_enum:
            cells.append(["" if c < 0 else col.domain[c] for c in col.data])
        else:
            cells.append(["" if np.isnan(v) else repr(float(v)) for v in col.data])
    with open(path, "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([c.name for c in frame.columns])
        out.writerows(zip(*cells))


def train(kind: str, frame):
    from h2o_backend.engine.parameters import DeepLearningParameters
    from h2o_backend.engine.training import train_deeplearning
    spec = dict(MODELS[kind])
    spec["ignored_columns"] = spec.get("ignored_columns", []) + [r for r in RESPONSES if r != spec.get("response_column")]
    p = DeepLearningParameters()
    for k, v in {**spec, "training_frame": frame.key, "epochs": 3.0, "seed": 5, "reproducible": True}.items():
        setattr(p, k, v)
    return train_deeplearning(p, frame, model_id=f"ours_{kind}")


def max_rel(got: np.ndarray, want: np.ndarray) -> float:
    scale = np.maximum(np.abs(want), 0.05 * np.abs(want).max())
    return float((np.abs(got - want) / np.maximum(scale, 1e-300)).max())


def compare(model, score, header: list[str], rows: list[list[str]]) -> dict:
    ours = model.predict(score, "ours")
    by_name = {c.name: c for c in ours.columns}
    result = {"rows": len(rows), "columns": header}
    if model.is_classifier:
        want = by_name["predict"]
        result["same_class_every_row"] = [r[0] for r in rows] == [want.domain[c] for c in want.data]
        result["max_rel_difference"] = max(
            max_rel(np.array([float(r[header.index(lv)]) for r in rows]), by_name[lv].data)
            for lv in model.datainfo.response_domain)
    elif model.problem == "Regression":
        result["max_rel_difference"] = max_rel(np.array([float(r[0]) for r in rows]), by_name["predict"].data)
    else:
        shared = [n for n in header if n in by_name]
        result["columns_compared"] = len(shared)
        result["max_rel_difference"] = max(
            max_rel(np.array([float(r[header.index(n)]) for r in rows]), by_name[n].data) for n in shared)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()

    import h2o
    from h2o3_reference import H2O3Server
    from h2o_backend.export import mojo

    train_frame = mixed_frame("train", args.rows, 1, scoring=False)
    score = mixed_frame("score", args.rows // 2, 2, scoring=True)
    report = {"h2o_version": h2o.__version__, "models": {}}
    with tempfile.TemporaryDirectory(prefix="mojo_into_h2o3_") as tmp:
        csv_path = os.path.join(tmp, "score.csv")
        write_csv(score, csv_path)
        models = {kind: train(kind, train_frame) for kind in MODELS}
        with H2O3Server(nthreads=2, xmx="2g", name="mojo") as ref:
            frame = h2o.import_file(csv_path, header=1, destination_frame="score.hex")
            for kind, model in models.items():
                path = os.path.join(tmp, f"{kind}.zip")
                mojo.write_mojo(model, path)
                try:
                    generic = h2o.import_mojo(path)
                except Exception as exc:          # a MOJO H2O-3 refuses is the result here
                    report["models"][kind] = {"imported": False, "error": f"{type(exc).__name__}: {exc}"[:2000]}
                    print(f"{kind}: H2O-3 refused the MOJO: {exc}")
                    continue
                try:
                    pred = generic.predict(frame).as_data_frame(use_pandas=False, header=True)
                except Exception as exc:
                    report["models"][kind] = {"imported": True, "predicted": False,
                                              "error": f"{type(exc).__name__}: {exc}"[:2000]}
                    print(f"{kind}: imported, but H2O-3's predict failed: {str(exc)[:300]}")
                    continue
                res = {"imported": True, "predicted": True, **compare(model, score, pred[0], pred[1:])}
                report["models"][kind] = res
                print(f"{kind}: imported; " + ", ".join(f"{k} {v}" for k, v in res.items()
                                                       if k not in ("columns", "imported", "predicted")))
    if args.json:
        out = Path(args.json)
        if not out.is_absolute():
            out = Path(__file__).resolve().parent / out
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {out}")


if __name__ == "__main__":
    main()
