"""H2O-3's regression families, one model each on a real data set, ours against H2O-3 3.46 in the
same run: the test deviance of each (the same formula for both, engine/distributions.py) and the
wall time of each training call.

    python bench/families_vs_h2o3.py [--epochs 10] [--hidden 50,50] [--skip-h2o3]

Data (demos/data): weather.csv (RISK_MM: tweedie, MaxWindSpeed: gamma, Cloud3pm: poisson counts of
eighths), airlines allyears2k_headers.csv.gz (ArrDelay: laplace, quantile, huber; heavy-tailed), and
gaussian on ArrDelay as the baseline the heavy-tailed families are compared with. Each data set is
split 80/20 with a fixed seed; the same CSV files are read by both. Both train with the same
parameters (hidden, epochs, seed; H2O-3 with reproducible off, ours too, all threads).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "demos" / "data"
sys.path.insert(0, str(HERE))

AIRLINE_X = ["Year", "Month", "DayofMonth", "DayOfWeek", "CRSDepTime", "CRSArrTime", "UniqueCarrier", "Origin",
             "Dest", "Distance"]
WEATHER_DROP = ["Date", "RainTomorrow", "RISK_MM"]

# (label, data set, response, distribution, extra parameters)
CASES = [
    ("poisson", "weather", "Cloud3pm", "poisson", {}),
    ("gamma", "weather", "MaxWindSpeed", "gamma", {}),
    ("tweedie", "weather", "RISK_MM", "tweedie", {"tweedie_power": 1.5}),
    ("gaussian", "airlines", "ArrDelay", "gaussian", {}),
    ("laplace", "airlines", "ArrDelay", "laplace", {}),
    ("quantile", "airlines", "ArrDelay", "quantile", {"quantile_alpha": 0.8}),
    ("huber", "airlines", "ArrDelay", "huber", {"huber_alpha": 0.9}),
]


def _datasets(tmp: Path) -> dict[str, tuple[Path, Path, list[str]]]:
    """Train/test CSVs per data set and the predictor columns."""
    out = {}
    weather = pd.read_csv(DATA / "weather.csv")
    air = pd.read_csv(DATA / "allyears2k_headers.csv.gz", encoding="latin-1", low_memory=False)
    air = air.dropna(subset=["ArrDelay"])[AIRLINE_X + ["ArrDelay"]]
    for name, df, x in (("weather", weather, None), ("airlines", air, AIRLINE_X)):
        rng = np.random.default_rng(42)
        test = rng.random(len(df)) < 0.2
        tr, te = tmp / f"{name}_train.csv", tmp / f"{name}_test.csv"
        df[~test].to_csv(tr, index=False)
        df[test].to_csv(te, index=False)
        out[name] = (tr, te, x)
    return out


def _predictors(dataset: str, response: str, columns: list[str], x: list[str] | None) -> list[str]:
    if x is not None:
        return x
    return [c for c in columns if c not in WEATHER_DROP and c != response]


def _our_frame(path: Path, key: str):
    from h2o_backend.frames.frame import Column, Frame
    df = pd.read_csv(path)
    cols = []
    for name in df.columns:
        s = df[name]
        if s.dtype.kind in "OU":
            labels = s.astype(str)
            domain = sorted(set(labels))
            index = {v: i for i, v in enumerate(domain)}
            cols.append(Column(name, "enum", np.array([index[v] for v in labels], np.int32), domain))
        else:
            cols.append(Column(name, "real", s.to_numpy(np.float64)))
    return Frame(key, cols)


def run_ours(case, files, args) -> tuple[float, np.ndarray, float]:
    from h2o_backend.engine.parameters import DeepLearningParameters
    from h2o_backend.engine.training import train_deeplearning
    label, dataset, response, dist, extra = case
    tr, te, x = files[dataset]
    train, test = _our_frame(tr, f"{label}_train"), _our_frame(te, f"{label}_test")
    p = DeepLearningParameters()
    p.response_column, p.distribution, p.hidden, p.epochs, p.seed = response, dist, args.hidden, args.epochs, 1
    keep = set(_predictors(dataset, response, train.names, x)) | {response}
    p.ignored_columns = [n for n in train.names if n not in keep]
    for k, v in extra.items():
        setattr(p, k, v)
    t = time.perf_counter()
    model = train_deeplearning(p, train)
    wall = time.perf_counter() - t
    pred = model.predict(test, "pred").column("predict").data
    y = test.column(response).data
    return wall, _deviance(dist, y, pred, extra), model.output["training_metrics"]["mean_residual_deviance"]


def run_h2o3(ref, case, files, args) -> tuple[float, float, float]:
    import h2o
    label, dataset, response, dist, extra = case
    tr, te, x = files[dataset]
    train, _ = ref.import_csv(str(tr), header=True)
    test, _ = ref.import_csv(str(te), header=True)
    cols = h2o.get_frame(train).columns
    res = ref.train_deeplearning(train, response, x=_predictors(dataset, response, cols, x), distribution=dist,
                                 hidden=args.hidden, epochs=args.epochs, seed=1, **extra)
    names, rows = ref.predict_rows(res.model_id, test)
    pred = np.array([float(r[names.index("predict")]) for r in rows])
    y = pd.read_csv(te)[response].to_numpy(np.float64)
    return res.wall_s, _deviance(dist, y, pred, extra), np.nan


def _deviance(dist: str, y: np.ndarray, pred: np.ndarray, extra: dict) -> float:
    """Mean test deviance of predictions (response space) by H2O-3's formula for ``dist``. Huber's
    delta is the same for both sides: the huber_alpha quantile of |y - mean(y)| on the test rows
    (each side's own training-time delta would make the numbers incomparable)."""
    from h2o_backend.engine import distributions as D
    ok = ~np.isnan(y) & ~np.isnan(pred)
    y, pred = y[ok], pred[ok]
    delta = D.weighted_quantile(np.abs(y - y.mean()), None, extra.get("huber_alpha", 0.9))
    family = D.Family(dist, tweedie_power=extra.get("tweedie_power", 1.5),
                      quantile_alpha=extra.get("quantile_alpha", 0.5), huber_delta=delta)
    return float(D.mean_deviance(family, y, pred))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=float, default=10.0)
    ap.add_argument("--hidden", type=lambda s: [int(v) for v in s.split(",")], default=[50, 50])
    ap.add_argument("--skip-h2o3", action="store_true")
    args = ap.parse_args()
    import h2o_backend
    print(f"h2o_backend from {os.path.dirname(h2o_backend.__file__)}; hidden {args.hidden}, epochs {args.epochs:g}")
    with tempfile.TemporaryDirectory() as tmp:
        files = _datasets(Path(tmp))
        ours = {c[0]: run_ours(c, files, args) for c in CASES}
        theirs = {}
        if not args.skip_h2o3:
            from h2o3_reference import H2O3Server
            with H2O3Server(nthreads=os.cpu_count()) as ref:
                theirs = {c[0]: run_h2o3(ref, c, files, args) for c in CASES}
    print(f"{'family':10s} {'data':22s} {'ours dev':>12s} {'H2O-3 dev':>12s} {'dev ratio':>9s} "
          f"{'ours s':>7s} {'H2O-3 s':>8s} {'time ratio':>10s}")
    for label, dataset, response, _, _ in CASES:
        w, d, _ = ours[label]
        tw, td, _ = theirs.get(label, (np.nan, np.nan, np.nan))
        print(f"{label:10s} {dataset + ':' + response:22s} {d:12.5g} {td:12.5g} {d / td:9.3f} {w:7.2f} {tw:8.2f} "
              f"{w / tw:10.3f}")


if __name__ == "__main__":
    main()
