"""The official Python client's workflow (h2o 3.46.0.12, unchanged), step by step, against this
server and against H2O-3 3.46 itself, in one run; prints each step's result and the count each
side passes.

    PYTHONPATH=python_backend python3 bench/official_client_compat.py [--ours-only] [--h2o3-only]

Our server is started on a free port (`python -m h2o_backend`); H2O-3 from the pip package's jar
(bench/h2o3_reference.py). Both are driven by the same step functions, in the same order; a step
that raises is counted as failed and the run goes on (later steps may need what it made). The
steps of issue 19's features (printing and metric accessors of the four model kinds, Rapids
expressions, random grid search, custom metrics, logs, MOJO, missing values) are in
bench/client_compat_features.py.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = REPO / "demos" / "data"
sys.path.insert(0, str(HERE))


def _steps():
    import h2o
    from h2o.estimators.deeplearning import H2OAutoEncoderEstimator, H2ODeepLearningEstimator
    from h2o.grid.grid_search import H2OGridSearch

    from client_compat_features import client_refusal_or, feature_steps, refusal_message

    tmp = tempfile.mkdtemp(prefix="client_compat_")
    s: dict = {"tmp": tmp}

    def connect():
        h2o.connect(url=s["url"], verbose=False)
        assert h2o.cluster().cloud_healthy
        return h2o.cluster().version

    def init():
        h2o.init(url=s["url"])     # connects to the running server; sets the timezone through Rapids
        return h2o.cluster().cloud_name

    def show_status():
        h2o.cluster().show_status(detailed=True)
        return "shown"

    def upload_file():
        s["weather"] = h2o.upload_file(str(DATA / "weather.csv"), destination_frame="weather.hex")
        return s["weather"].frame_id

    def import_file():
        s["prostate"] = h2o.import_file(str(DATA / "prostate.csv"))
        return s["prostate"].frame_id

    def import_folder():
        folder = Path(tmp) / "parts"
        folder.mkdir(exist_ok=True)
        lines = [line for line in (DATA / "iris.csv").read_text().splitlines() if line]
        (folder / "a.csv").write_text("\n".join(lines[:80]) + "\n")
        (folder / "b.csv").write_text("\n".join(lines[80:]) + "\n")
        fr = h2o.import_file(str(folder))
        assert fr.nrows == len(lines) == 150, fr.nrows
        return fr.shape

    def shape():
        assert s["weather"].shape == (355, 24), s["weather"].shape
        return s["weather"].shape

    def head():
        h = s["weather"].head(rows=5)
        assert h.shape == (5, 24), h.shape
        return h.shape

    def describe():
        s["weather"].describe()
        return "described"

    def types_names():
        assert s["weather"].types["ChangeTempDir"] == "enum", s["weather"].types
        return len(s["weather"].names)

    def as_data_frame():
        df = s["weather"].as_data_frame()
        assert df.shape == (355, 24), df.shape
        return str(df.shape)

    def asfactor():
        p = s["prostate"]
        p["CAPSULE"] = p["CAPSULE"].asfactor()
        levels = p["CAPSULE"].levels()[0]          # evaluated on the server
        assert p.types["CAPSULE"] == "enum" and sorted(levels) == ["0", "1"], levels
        return levels

    def split_frame():
        s["p_train"], s["p_test"] = s["prostate"].split_frame(ratios=[0.75], seed=42)
        assert s["p_train"].nrows + s["p_test"].nrows == 380
        return (s["p_train"].nrows, s["p_test"].nrows)

    def cbind():
        both = s["prostate"][["AGE"]].cbind(s["prostate"][["PSA"]])
        df = both.as_data_frame()                  # evaluated on the server
        assert list(df.columns) == ["AGE", "PSA"] and len(df) == 380
        return both.shape

    def filter_rows():
        old = s["prostate"][s["prostate"]["AGE"] > 60, :]
        assert old.nrows == 303, old.nrows          # pandas: (AGE > 60).sum()
        return old.nrows

    def assign_column():
        p = s["prostate"]
        p["AGE2"] = p["AGE"] * 2
        df = p.as_data_frame()
        assert (df["AGE2"] == df["AGE"] * 2).all()
        return p.ncols

    def split_weather():
        w = s["weather"]
        idx = list(range(w.nrows))
        s["w_train"] = w[:275, :]
        s["w_test"] = w[275:, :]
        return (s["w_train"].nrows, s["w_test"].nrows, len(idx))

    def train():
        x = [c for c in s["weather"].names if c not in ("ChangeTempDir", "ChangeTempMag", "RISK_MM", "RainTomorrow")]
        s["x"] = x
        m = H2ODeepLearningEstimator(hidden=[20, 20], epochs=5, seed=1, variable_importances=True,
                                     model_id="client_dl")
        m.train(x=x, y="ChangeTempDir", training_frame=s["w_train"], validation_frame=s["w_test"])
        s["model"] = m
        return m.model_id

    def train_nfolds():
        m = H2ODeepLearningEstimator(hidden=[10], epochs=2, nfolds=3, seed=1)
        m.train(x=s["x"], y="ChangeTempDir", training_frame=s["weather"])
        return round(m.logloss(xval=True), 4)

    def predict():
        p = s["model"].predict(s["w_test"])
        assert p.nrows == s["w_test"].nrows and p.names[0] == "predict", p.names
        return p.names

    def performance():
        perf = s["model"].model_performance(s["w_test"])
        cm = perf.confusion_matrix()
        assert 0 <= perf.auc() <= 1 and perf.logloss() > 0 and cm is not None
        return (round(perf.auc(), 4), round(perf.logloss(), 4))

    def scoring_history():
        sh = s["model"].scoring_history()
        assert len(sh) >= 1
        return len(sh)

    def varimp():
        vi = s["model"].varimp()
        assert vi and all(len(row) == 4 for row in vi), vi[:2]   # (variable, relative, scaled, percentage)
        return vi[0][0]

    def plot():
        import matplotlib
        matplotlib.use("Agg")
        s["model"].plot()
        return "plotted"

    def save_load():
        path = h2o.save_model(s["model"], path=tmp, force=True)
        m2 = h2o.load_model(path)
        assert m2.model_id == s["model"].model_id
        return os.path.basename(path)

    def anomaly():
        ae = H2OAutoEncoderEstimator(hidden=[5], epochs=3, seed=1, model_id="client_ae")
        ae.train(x=s["x"], training_frame=s["weather"])
        err = ae.anomaly(s["weather"])
        assert err.nrows == 355
        s["ae"] = ae
        return err.names

    def deepfeatures():
        f = s["model"].deepfeatures(s["w_test"], 0)
        assert f.ncols == 20, f.ncols
        return f.names[:2]

    def grid():
        g = H2OGridSearch(H2ODeepLearningEstimator(epochs=2, seed=1),
                          hyper_params={"hidden": [[5], [10]], "l1": [0, 1e-4]}, grid_id="client_grid")
        g.train(x=s["x"], y="ChangeTempDir", training_frame=s["w_train"], validation_frame=s["w_test"])
        sorted_grid = g.get_grid(sort_by="logloss")
        assert len(sorted_grid.model_ids) == 4
        return len(sorted_grid.model_ids)

    def get_model():
        m = h2o.get_model("client_dl")
        assert m.model_id == "client_dl"
        return m.model_id

    def download_pojo():
        return client_refusal_or(lambda: os.path.basename(s["model"].download_pojo(path=tmp)))

    def models_java():
        r = requests.get(f"{s['url']}/3/Models.java/client_dl")
        assert r.status_code == 200, f"{r.status_code} {refusal_message(r)}"
        return len(r.text)

    def ls():
        keys = h2o.ls()
        assert "client_dl" in list(keys.iloc[:, 0])
        return len(keys)

    def remove():
        h2o.remove(s["ae"])
        h2o.remove(s["prostate"])
        return "removed"

    def remove_all():
        h2o.remove_all()
        return "removed all"

    return s, [connect, init, show_status, upload_file, import_file, import_folder, shape, head, describe,
               types_names, as_data_frame, asfactor, assign_column, split_frame, cbind, filter_rows, split_weather,
               train, train_nfolds, predict, performance, scoring_history, varimp, plot, save_load,
               anomaly, deepfeatures, grid, get_model, download_pojo, models_java, *feature_steps(s),
               ls, remove, remove_all]


def run_workflow(url: str, label: str) -> list[tuple[str, bool, str]]:
    state, steps = _steps()
    state["url"], state["label"] = url, label
    results = []
    for step in steps:
        t0 = time.time()
        try:
            detail = step()
            ok = True
        except Exception as exc:  # a failing step is the measurement, not a crash
            ok, detail = False, f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:160] if str(exc).strip() else ''}"
            if os.environ.get("COMPAT_TRACE"):
                traceback.print_exc()
        results.append((step.__name__, ok, str(detail)))
        print(f"[{label}] {step.__name__:<16} {'PASS' if ok else 'FAIL'} ({time.time() - t0:.1f} s) {detail}",
              flush=True)
    return results


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_ours():
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    # --allow-custom-code: the custom-metric step uploads Python code, which H2O-3 runs without asking
    proc = subprocess.Popen([sys.executable, "-m", "h2o_backend", "--port", str(port), "--allow-custom-code"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            if requests.get(url + "/3/Cloud", timeout=2).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("our server did not start")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours-only", action="store_true")
    ap.add_argument("--h2o3-only", action="store_true")
    args = ap.parse_args()
    counts = {}
    if not args.h2o3_only:
        proc, url = start_ours()
        try:
            counts["this server"] = run_workflow(url, "ours")
        finally:
            import h2o
            h2o.connection().close()
            proc.terminate()
    if not args.ours_only:
        from h2o3_reference import H2O3Server
        with H2O3Server(nthreads=2, xmx="2g") as ref:
            counts["H2O-3 3.46.0.12"] = run_workflow(ref.url, "h2o3")
    print()
    for side, results in counts.items():
        failed = [name for name, ok, _ in results if not ok]
        print(f"{side}: {len(results) - len(failed)}/{len(results)} steps pass"
              + (f"; failed: {', '.join(failed)}" if failed else ""))
    print_failure_table(counts)


def print_failure_table(counts: dict) -> None:
    """A markdown table of the steps that fail on either side, or that the client refuses by itself,
    with each side's answer."""
    sides = list(counts)
    answers = {side: {name: (ok, detail) for name, ok, detail in results} for side, results in counts.items()}
    names = [name for name, _, _ in next(iter(counts.values()))] if counts else []
    def notable(ok_detail) -> bool:
        ok, detail = ok_detail
        return not ok or detail.startswith("refused by the client")
    failing = [n for n in names if any(notable(answers[side].get(n, (True, ""))) for side in sides)]
    if not failing:
        return
    print("\n| step | " + " | ".join(sides) + " |\n|---|" + "---|" * len(sides))
    for name in failing:
        cells = [("pass: " if answers[side][name][0] else "FAIL: ") + answers[side][name][1].replace("|", "/")[:200]
                 for side in sides]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
