#!/usr/bin/env python3
"""MOJO scoring speed and agreement: the same rows scored by h2o-genmodel from our MOJO, by our
POJO, and by our server.

Starts our server on a free port, trains (through the official h2o client) a binomial and a
regression on the airlines data (factors UniqueCarrier, Origin, Dest; missing values in Distance,
CRSElapsedTime, TaxiOut), a multinomial on covtype.20k and an autoencoder on airlines (a factor,
missing values), and scores ``--rows`` rows (the data set's rows repeated) three ways:

(a) MOJO: ``GET /3/Models/{id}/mojo``, then bench/mojo_speed_java/MojoSpeed.java (compiled with
    javac at run time against the h2o package's h2o.jar): MojoModel.load + EasyPredictModelWrapper,
    the rows turned into RowData once, a warm-up pass, then ``--passes`` timed passes of
    ``wrapper.predict`` (best pass reported; "cold" = load + the first pass, what one run costs);
(b) POJO: ``GET /3/Models.java/{id}``, compiled, through the same harness: our POJO is a
    standalone class, so a generated GenModel subclass (bench/mojo_speed_java/PojoGenModel.java.tmpl)
    hands it to EasyPredictModelWrapper;
(c) server: ``POST /3/Predictions/models/{m}/frames/{f}`` on a frame imported beforehand (the
    predictors only, so no metrics are computed but an autoencoder's); the request alone is timed,
    best (and median, first) of ``--repeats``.

One Java thread (genmodel scores row by row); the server uses its threads (``--nthreads``, default
all cores). Agreement: the same class on every row, and the largest relative difference of
probabilities / values / reconstructions between each pair (relative to each value, or to 5% of
its column's largest magnitude for values near 0, as tests_py/test_mojo.py).

    python bench/mojo_speed.py [--rows 100000] [--passes 3] [--repeats 5] [--epochs 1] [--nthreads N]
                               [--models binomial,regression,multinomial,autoencoder] [--json FILE]
                               [--workdir DIR]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from our_server import our_server  # noqa: E402
DATA = REPO / "demos" / "data"
JAVA_DIR = HERE / "mojo_speed_java"

AIRLINES_X = ["Year", "Month", "DayofMonth", "DayOfWeek", "CRSDepTime", "CRSArrTime", "UniqueCarrier",
              "Origin", "Dest", "Distance", "CRSElapsedTime", "TaxiOut"]
COVTYPE_X = [f"C{i}" for i in range(1, 55)]
MODELS = {
    "binomial": dict(data="airlines", x=AIRLINES_X, y="IsDepDelayed",
                     params=dict(hidden=[64, 64], activation="Rectifier")),
    "regression": dict(data="airlines", x=AIRLINES_X, y="ArrDelay",
                       params=dict(hidden=[64, 64], activation="Tanh")),
    "multinomial": dict(data="covtype", x=COVTYPE_X, y="C55",
                        params=dict(hidden=[100, 100], activation="RectifierWithDropout")),
    "autoencoder": dict(data="airlines", x=["Month", "DayofMonth", "DayOfWeek", "CRSDepTime", "CRSArrTime",
                                            "UniqueCarrier", "Distance", "CRSElapsedTime", "TaxiOut"],
                        y=None, params=dict(hidden=[8], activation="Tanh", autoencoder=True)),
}


def h2o_jar() -> str:
    import h2o
    return os.path.join(os.path.dirname(h2o.__file__), "backend", "bin", "h2o.jar")


# ------------------------------------------------------------------ data
def source_table(name: str) -> pd.DataFrame:
    if name == "airlines":
        return pd.read_csv(DATA / "allyears2k_headers.csv.gz", encoding="latin-1", low_memory=False)
    table = pd.read_csv(DATA / "covtype.20k.csv.gz", header=None)
    table.columns = [f"C{i + 1}" for i in range(table.shape[1])]
    return table


def scoring_csv(table: pd.DataFrame, columns: list[str], rows: int, path: Path) -> None:
    """The predictors of ``rows`` rows (the table's rows repeated), missing cells empty, numbers
    written exactly."""
    picked = table[columns].iloc[np.resize(np.arange(len(table)), rows)]
    for name in columns:
        values = picked[name]
        if values.dtype == object:
            assert not values.dropna().astype(str).str.contains('[,"]').any(), name
    picked.to_csv(path, index=False, na_rep="", float_format=None)


# ------------------------------------------------------------------ Java
def compile_java(out_dir: Path, pojo_sources: dict[str, str]) -> None:
    """The harness, the POJOs and one GenModel adapter per POJO, into out_dir."""
    template = (JAVA_DIR / "PojoGenModel.java.tmpl").read_text()
    files = [str(JAVA_DIR / "MojoSpeed.java")]
    for cls, src in pojo_sources.items():
        (out_dir / f"{cls}.java").write_text(src, encoding="ascii")
        (out_dir / f"{cls}_GenModel.java").write_text(template.replace("@@CLASS@@", cls))
        files += [str(out_dir / f"{cls}.java"), str(out_dir / f"{cls}_GenModel.java")]
    proc = subprocess.run(["javac", "-J-Xmx2g", "-nowarn", "-encoding", "UTF-8", "-cp", h2o_jar(),
                           "-d", str(out_dir), *files], capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"javac failed:\n{proc.stderr[-4000:]}")


def run_harness(class_dir: Path, mode: str, target: str, csv_path: Path, out: Path, passes: int):
    proc = subprocess.run(["java", "-Xmx6g", "-cp", f"{h2o_jar()}{os.pathsep}{class_dir}", "MojoSpeed", mode, target,
                           str(csv_path), str(out), str(passes)], capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"java {mode} failed:\n{proc.stdout[-2000:]}{proc.stderr[-4000:]}")
    timing = json.loads(proc.stdout.strip().splitlines()[-1])
    raw = out.read_bytes()
    n, w = np.frombuffer(raw[:8], dtype="<i4")
    values = np.frombuffer(raw[8:], dtype="<f8").reshape(n, w)
    names = Path(str(out) + ".names").read_text().split("\n")[:-1]
    return timing, pd.DataFrame(values, columns=names)


# ------------------------------------------------------------------ the server
def server_predict(url: str, model_id: str, frame_id: str, repeats: int, keep: Path):
    """Times POST /3/Predictions (best and first of ``repeats``); returns the predictions (also
    written to ``keep``)."""
    times = []
    dest = f"mojo_speed_pred_{model_id}"
    for _ in range(repeats):
        t = time.perf_counter()
        r = requests.post(f"{url}/3/Predictions/models/{model_id}/frames/{frame_id}",
                          data={"predictions_frame": dest}, timeout=1800)
        times.append(time.perf_counter() - t)
        r.raise_for_status()
    csv_text = requests.get(f"{url}/3/DownloadDataset", params={"frame_id": dest}, timeout=1800).content
    keep.write_bytes(csv_text)
    return times, pd.read_csv(io.BytesIO(csv_text))


# ------------------------------------------------------------------ agreement
def max_rel(got: np.ndarray, want: np.ndarray) -> float:
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    scale = np.maximum(np.abs(want), 0.05 * np.abs(want).max())
    return float((np.abs(got - want) / np.maximum(scale, 1e-300)).max())


def labels(pred: pd.DataFrame, domain: list[str]) -> np.ndarray:
    col = pred["predict"]
    if col.dtype.kind == "f":           # genmodel's class index
        return np.asarray(domain, dtype=object)[col.to_numpy().astype(int)]
    return col.astype(str).to_numpy()


def _largest(a: pd.DataFrame, b: pd.DataFrame, names: list[str]) -> dict:
    diffs = {n: max_rel(a[n], b[n]) for n in names}
    worst = max(diffs, key=diffs.get)
    gap = max(float(np.abs(a[n].to_numpy(np.float64) - b[n].to_numpy(np.float64)).max()) for n in names)
    return {"max_rel_diff": diffs[worst], "worst_column": worst, "max_abs_diff": gap}


def agreement(kind: str, a: pd.DataFrame, b: pd.DataFrame) -> dict:
    """How a's predictions (genmodel layout) compare with b's (either layout)."""
    if kind in ("binomial", "multinomial"):
        domain = list(a.columns[1:])
        la, lb = labels(a, domain), labels(b, domain)
        return {"class_differs_rows": int(np.sum(la != lb)), **_largest(a, b, domain)}
    if kind == "regression":
        return _largest(a, b, ["predict"])
    shared = [n for n in a.columns if n in b.columns]
    extra = [n for n in a.columns if n not in b.columns]
    return {"columns_compared": len(shared), "added_inputs_all_zero": bool((a[extra].to_numpy() == 0).all()),
            **_largest(a, b, shared)}


# ------------------------------------------------------------------ run
def training_frame(name: str, tmp: Path):
    """covtype.20k as it is (C55 made a factor); of airlines the columns the models use, written
    out first (our parser refuses the file's TailNum column, which is not UTF-8)."""
    import h2o
    if name == "covtype":
        fr = h2o.import_file(str(DATA / "covtype.20k.csv.gz"), destination_frame="covtype.hex")
        fr["C55"] = fr["C55"].asfactor()
        return fr
    path = tmp / "airlines_train.csv"
    columns = list(dict.fromkeys(AIRLINES_X + MODELS["autoencoder"]["x"] + ["IsDepDelayed", "ArrDelay"]))
    source_table("airlines")[columns].to_csv(path, index=False, na_rep="")
    return h2o.import_file(str(path), destination_frame="airlines.hex")


def train_models(url: str, kinds: list[str], epochs: float, tmp: Path) -> dict:
    import h2o
    from h2o.estimators.deeplearning import H2OAutoEncoderEstimator, H2ODeepLearningEstimator
    frames = {}
    out = {}
    for kind in kinds:
        spec = MODELS[kind]
        if spec["data"] not in frames:
            frames[spec["data"]] = training_frame(spec["data"], tmp)
        params = dict(spec["params"], epochs=epochs, seed=1234, model_id=f"mojo_speed_{kind}")
        t = time.time()
        if params.pop("autoencoder", False):
            est = H2OAutoEncoderEstimator(**params)
            est.train(x=spec["x"], training_frame=frames[spec["data"]])
        else:
            est = H2ODeepLearningEstimator(**params)
            est.train(x=spec["x"], y=spec["y"], training_frame=frames[spec["data"]])
        mojo_path = str(tmp / f"{est.model_id}.zip")
        r = requests.get(f"{url}/3/Models/{est.model_id}/mojo", timeout=600)
        r.raise_for_status()
        Path(mojo_path).write_bytes(r.content)
        r = requests.get(f"{url}/3/Models.java/{est.model_id}", timeout=600)
        r.raise_for_status()
        cls = re.search(r"public class (\w+)", r.text).group(1)
        out[kind] = dict(model_id=est.model_id, mojo=mojo_path, pojo_class=cls, pojo_source=r.text,
                         train_s=round(time.time() - t, 1))
        print(f"trained {kind} ({est.model_id}) in {out[kind]['train_s']} s; MOJO {os.path.getsize(mojo_path):,} "
              f"bytes, POJO {len(r.text):,} chars", flush=True)
    return out


def bench_model(url: str, kind: str, model: dict, args, tmp: Path, class_dir: Path, tables: dict) -> dict:
    import h2o
    spec = MODELS[kind]
    csv_path = tmp / f"{spec['data']}_{kind}_rows.csv"
    scoring_csv(tables[spec["data"]], spec["x"], args.rows, csv_path)
    frame = h2o.import_file(str(csv_path), destination_frame=f"rows_{kind}.hex")
    assert frame.nrows == args.rows, frame.nrows
    mojo_t, mojo_p = run_harness(class_dir, "mojo", model["mojo"], csv_path, tmp / f"{kind}_mojo.bin", args.passes)
    pojo_t, pojo_p = run_harness(class_dir, "pojo", f"{model['pojo_class']}_GenModel", csv_path,
                                 tmp / f"{kind}_pojo.bin", args.passes)
    srv_times, srv_p = server_predict(url, model["model_id"], frame.frame_id, args.repeats,
                                      tmp / f"{kind}_server.csv")
    n = args.rows
    res = {
        "rows": n, "train_s": model["train_s"],
        "mojo": dict(mojo_t, rows_per_s=round(n / mojo_t["best_pass_s"]),
                     cold_rows_per_s=round(n / (mojo_t["load_s"] + mojo_t["first_pass_s"]))),
        "pojo": dict(pojo_t, rows_per_s=round(n / pojo_t["best_pass_s"]),
                     cold_rows_per_s=round(n / (pojo_t["load_s"] + pojo_t["first_pass_s"]))),
        "server": dict(request_s=[round(t, 4) for t in srv_times], rows_per_s=round(n / min(srv_times)),
                       median_rows_per_s=round(n / float(np.median(srv_times))),
                       first_rows_per_s=round(n / srv_times[0])),
        "mojo_vs_server": agreement(kind, mojo_p, srv_p),
        "pojo_vs_server": agreement(kind, pojo_p, srv_p),
        "mojo_vs_pojo": agreement(kind, mojo_p, pojo_p),
    }
    res["ratios"] = {"server_over_mojo": round(res["server"]["rows_per_s"] / res["mojo"]["rows_per_s"], 2),
                     "server_over_pojo": round(res["server"]["rows_per_s"] / res["pojo"]["rows_per_s"], 2),
                     "pojo_over_mojo": round(res["pojo"]["rows_per_s"] / res["mojo"]["rows_per_s"], 2)}
    h2o.remove(frame)
    return res


def print_table(report: dict) -> None:
    print("\n| model | MOJO rows/s (cold: load + 1st pass) | POJO rows/s (cold) | server rows/s (median; 1st request) "
          "| server/MOJO | server/POJO | class differs (MOJO/POJO vs server) | max rel diff MOJO-server, "
          "POJO-server, MOJO-POJO | max abs diff (same order) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for kind, r in report["models"].items():
        diff = "/".join(str(r[k].get("class_differs_rows", "-")) for k in ("mojo_vs_server", "pojo_vs_server"))
        pairs = ("mojo_vs_server", "pojo_vs_server", "mojo_vs_pojo")
        rel = ", ".join(f"{r[k]['max_rel_diff']:.2g}" for k in pairs)
        gap = ", ".join(f"{r[k]['max_abs_diff']:.2g}" for k in pairs)
        print(f"| {kind} | {r['mojo']['rows_per_s']:,} ({r['mojo']['cold_rows_per_s']:,}) "
              f"| {r['pojo']['rows_per_s']:,} ({r['pojo']['cold_rows_per_s']:,}) "
              f"| {r['server']['rows_per_s']:,} ({r['server']['median_rows_per_s']:,}; {r['server']['first_rows_per_s']:,}) "
              f"| {r['ratios']['server_over_mojo']} | {r['ratios']['server_over_pojo']} | {diff} | {rel} | {gap} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--passes", type=int, default=3, help="timed genmodel passes after the warm-up pass")
    ap.add_argument("--repeats", type=int, default=5, help="timed server prediction requests")
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--nthreads", type=int, default=None, help="the server's --nthreads (default: all cores)")
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--workdir", help="keep the MOJOs, POJOs, classes, rows and predictions here "
                                      "(default: a temporary folder, removed)")
    args = ap.parse_args(argv)
    kinds = [k for k in args.models.split(",") if k]
    unknown = set(kinds) - set(MODELS)
    if unknown:
        ap.error(f"unknown models {sorted(unknown)}; choose from {sorted(MODELS)}")
    if not (shutil.which("java") and shutil.which("javac")):
        print("java/javac not found: install a JDK (Debian: default-jdk-headless)")
        return 2

    import h2o
    report = {"rows": args.rows, "passes": args.passes, "repeats": args.repeats, "epochs": args.epochs,
              "cpus": os.cpu_count(), "java": subprocess.run(["java", "-version"], capture_output=True,
                                                              text=True).stderr.splitlines()[0],
              "models": {}}
    with contextlib.ExitStack() as stack:
        tmp = Path(args.workdir) if args.workdir else Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="mojo_speed_")))
        (tmp / "classes").mkdir(parents=True, exist_ok=True)
        (tmp / "logs").mkdir(exist_ok=True)
        threads = ["--nthreads", str(args.nthreads)] if args.nthreads else []
        with our_server(*threads, log_dir=str(tmp / "logs")) as server:
            url = server.url
            h2o.connect(url=url, verbose=False)
            try:
                run_all(url, kinds, args, tmp, report)
            finally:
                with contextlib.suppress(Exception):
                    h2o.connection().close()
    print_table(report)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")
    return 0


def run_all(url: str, kinds: list[str], args, tmp: Path, report: dict) -> None:
    models = train_models(url, kinds, args.epochs, tmp)
    t = time.time()
    compile_java(tmp / "classes", {m["pojo_class"]: m["pojo_source"] for m in models.values()})
    print(f"javac (harness, {len(models)} POJOs and their adapters): {time.time() - t:.1f} s", flush=True)
    tables = {name: source_table(name) for name in {MODELS[k]["data"] for k in kinds}}
    for kind in kinds:
        res = bench_model(url, kind, models[kind], args, tmp, tmp / "classes", tables)
        report["models"][kind] = res
        agree = {k: res[k] for k in ("mojo_vs_server", "pojo_vs_server", "mojo_vs_pojo")}
        print(f"{kind}: MOJO {res['mojo']['rows_per_s']:,} rows/s, POJO {res['pojo']['rows_per_s']:,}, "
              f"server {res['server']['rows_per_s']:,}; {json.dumps(agree)}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
