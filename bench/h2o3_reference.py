"""Drive the real H2O-3 (the pip ``h2o`` package's jar) as the reference side of our benchmarks.

Usage (from ``bench/`` as the working directory, or with ``bench/`` on ``sys.path``)::

    from h2o3_reference import H2O3Server

    with H2O3Server(nthreads=2) as ref:
        train, t_parse = ref.import_csv("../demos/data/mnist_train.csv.gz")
        test, _ = ref.import_csv("../demos/data/mnist_test.csv.gz")
        ref.as_factor(train, 784)
        ref.as_factor(test, 784)
        res = ref.train_deeplearning(train, "C785", validation_frame=test,
                                     hidden=[200, 200, 200], epochs=1)
        print(res.test_error, res.samples_per_s, res.wall_s)

The server runs ``java -Xmx8g -jar h2o.jar -port P -name ref_P -nthreads N -ip 127.0.0.1`` with a
fresh ``-ice_root`` and ``-log_dir`` in a temporary directory, on a free port (never 54321), and is
always killed on exit. ``nodes=K`` starts K such JVMs (each with ``nthreads``) joined into one cloud
by a ``-flatfile`` listing their addresses, and waits until the cloud has K nodes; the client
talks to the first. Every JVM is (also when this Python process dies: PR_SET_PDEATHSIG on Linux). The h2o
Python client is connected to it with ``h2o.connect(url=...)``; a process can drive one server at
a time (the client keeps one global connection).
"""
from __future__ import annotations

import ctypes
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field

import requests

RESERVED_PORTS = {54321, 54322}


def h2o_jar_path() -> str:
    """Path of the jar shipped with the installed ``h2o`` Python package."""
    import h2o

    return os.path.join(os.path.dirname(h2o.__file__), "backend", "bin", "h2o.jar")


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_pair() -> int:
    """A port P such that P and P+1 are free (H2O-3 uses P+1 for its internal traffic)."""
    for _ in range(200):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + 1 > 65535 or port in RESERVED_PORTS or port + 1 in RESERVED_PORTS:
            continue
        if _port_is_free(port + 1):
            return port
    raise RuntimeError("no free pair of ports found")


def _die_with_parent() -> None:
    """preexec_fn: ask Linux to SIGTERM the child when the parent dies."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


@dataclass
class TrainResult:
    """What one H2O-3 deep-learning run gives the benchmarks."""

    model_id: str
    wall_s: float                  # client-side wall time of the train call (incl. job polling)
    run_time_s: float              # H2O-3's own model output run_time
    samples_per_s: float | None    # last scoring_history training_speed (obs/sec)
    epochs: float | None           # last scoring_history epochs
    samples: float | None          # last scoring_history samples
    train_error: float | None      # 1 - accuracy on H2O-3's scored training sample
    test_error: float | None       # 1 - accuracy on the validation frame
    test_mean_per_class_error: float | None
    test_logloss: float | None
    test_mse: float | None
    scoring_history: list = field(default_factory=list)   # list of dicts, one per scoring event

    def summary(self) -> str:
        def pct(v):
            return "n/a" if v is None else f"{100 * v:.2f}%"

        sps = "n/a" if self.samples_per_s is None else f"{self.samples_per_s:.0f}"
        return (f"model {self.model_id}: test error {pct(self.test_error)} "
                f"(mean per-class {pct(self.test_mean_per_class_error)}), train error "
                f"{pct(self.train_error)}, wall {self.wall_s:.1f} s (H2O run_time "
                f"{self.run_time_s:.1f} s), {sps} samples/s, epochs {self.epochs}")


class H2O3Server:
    """Context manager: a private H2O-3 JVM on a free port, with the h2o client connected."""

    def __init__(self, nthreads: int = 2, xmx: str = "8g", name: str = "ref",
                 jar: str | None = None, startup_timeout: float = 180.0,
                 keep_logs: str | None = None, nodes: int = 1):
        self.nthreads = int(nthreads)
        self.nodes = max(1, int(nodes))
        self.extra: list[subprocess.Popen] = []    # the JVMs of nodes 2..K
        self.xmx = xmx
        self.name = name
        self.jar = jar or h2o_jar_path()
        self.startup_timeout = startup_timeout
        self.keep_logs = keep_logs   # directory to copy the H2O logs into at exit, if given
        self.port: int | None = None
        self.url: str | None = None
        self.tmpdir: str | None = None
        self.proc: subprocess.Popen | None = None

    # ---------------------------------------------------------------- lifecycle
    def __enter__(self) -> "H2O3Server":
        self.tmpdir = tempfile.mkdtemp(prefix="h2o3ref_")
        try:
            self._start()
            self._wait_healthy()
            self._connect()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._stop()

    def _start(self) -> None:
        ports = []
        while len(ports) < self.nodes:
            port = free_port_pair()
            if all(abs(port - p) > 1 for p in ports):
                ports.append(port)
        self.port = ports[0]
        self.url = f"http://127.0.0.1:{self.port}"
        flatfile = None
        if self.nodes > 1:
            flatfile = os.path.join(self.tmpdir, "flatfile.txt")
            with open(flatfile, "w") as fh:
                fh.write("".join(f"127.0.0.1:{p}\n" for p in ports))
        self._stdout = open(os.path.join(self.tmpdir, "stdout.txt"), "w")
        for i, port in enumerate(ports):
            # a cloud name unique to this run: JVMs started with the same -name on one host can
            # discover each other and form one cloud (other engineers run "ref" too)
            cmd = ["java", f"-Xmx{self.xmx}", "-jar", self.jar, "-port", str(port),
                   "-name", f"{self.name}_{self.port}", "-nthreads", str(self.nthreads),
                   "-ip", "127.0.0.1", "-ice_root", os.path.join(self.tmpdir, f"ice{i}"),
                   "-log_dir", self.log_dir if i == 0 else os.path.join(self.tmpdir, f"logs{i}")]
            if flatfile:
                cmd += ["-flatfile", flatfile]
            proc = subprocess.Popen(cmd, stdout=self._stdout if i == 0 else subprocess.DEVNULL,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    preexec_fn=_die_with_parent)
            if i == 0:
                self.proc = proc
            else:
                self.extra.append(proc)

    @property
    def log_dir(self) -> str:
        return os.path.join(self.tmpdir, "logs")

    def _wait_healthy(self) -> None:
        deadline = time.time() + self.startup_timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"H2O-3 exited with {self.proc.returncode}:\n{self.stdout_text()[-3000:]}")
            try:
                cloud = requests.get(self.url + "/3/Cloud", timeout=5).json()
                if cloud.get("cloud_healthy") and cloud.get("consensus") and cloud.get("cloud_size", 0) >= self.nodes:
                    if cloud["cloud_size"] != self.nodes:
                        raise RuntimeError(f"H2O-3 on {self.url} joined a cloud of {cloud['cloud_size']} nodes")
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"H2O-3 on {self.url} not healthy after {self.startup_timeout} s")

    def _connect(self) -> None:
        import h2o

        h2o.connect(url=self.url, verbose=False)

    def _stop(self) -> None:
        try:
            import h2o

            if h2o.connection() is not None:
                h2o.connection().close()
        except Exception:  # noqa: BLE001 - best effort, the JVM is killed below anyway
            pass
        for proc in [self.proc, *self.extra]:
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=15)
        self.extra = []
        if getattr(self, "_stdout", None) is not None:
            self._stdout.close()
        if self.tmpdir and os.path.isdir(self.tmpdir):
            if self.keep_logs:
                os.makedirs(self.keep_logs, exist_ok=True)
                for path in glob.glob(os.path.join(self.log_dir, "*")) + [os.path.join(self.tmpdir, "stdout.txt")]:
                    if os.path.isfile(path):
                        shutil.copy(path, self.keep_logs)
            shutil.rmtree(self.tmpdir, ignore_errors=True)
        self.proc = None

    # ---------------------------------------------------------------- logs
    def stdout_text(self) -> str:
        path = os.path.join(self.tmpdir, "stdout.txt")
        return open(path, errors="replace").read() if os.path.exists(path) else ""

    def log_text(self) -> str:
        """The JVM's stdout plus the INFO log files (H2O-3 writes its training notes there)."""
        parts = [self.stdout_text()]
        for path in sorted(glob.glob(os.path.join(self.log_dir, "*"))):
            if os.path.isfile(path) and not path.endswith((".gz", ".zip")):
                parts.append(open(path, errors="replace").read())
        return "\n".join(parts)

    def log_lines(self, pattern: str) -> list[str]:
        """Distinct log lines matching a regular expression, in order."""
        seen, out = set(), []
        for line in self.log_text().splitlines():
            if re.search(pattern, line) and line not in seen:
                seen.add(line)
                out.append(line)
        return out

    DL_NOTES = (r"Auto-tuning|Estimated |train_samples_per_iteration \(|One epoch corresponds|"
                r"Number of model parameters|Training time:|Iterations: .*Speed")

    def dl_log_notes(self) -> list[str]:
        """H2O-3's deep-learning log notes (auto-tuning figures, speed per iteration), messages only."""
        return [line.split("water.default: ", 1)[-1] for line in self.log_lines(self.DL_NOTES)
                if "POST /" not in line and "GET /" not in line]

    # ---------------------------------------------------------------- frames
    def import_csv(self, path: str, header: bool = False,
                   destination_frame: str | None = None) -> tuple[str, float]:
        """Server-side import + parse of a local CSV (gz fine). Returns (frame_id, seconds)."""
        import h2o

        t0 = time.perf_counter()
        fr = h2o.import_file(os.path.abspath(path), header=1 if header else -1,
                             destination_frame=destination_frame)
        return fr.frame_id, time.perf_counter() - t0

    def as_factor(self, frame_id: str, col: int) -> None:
        """Convert column ``col`` (0-based) of ``frame_id`` to a factor, keeping the key."""
        import h2o

        h2o.rapids(f"(assign {frame_id} (:= {frame_id} (as.factor (cols_py {frame_id} {col})) {col} []))")

    def frame_dims(self, frame_id: str) -> tuple[int, int]:
        import h2o

        fr = h2o.get_frame(frame_id)
        return fr.nrows, fr.ncols

    def remove(self, key: str) -> None:
        import h2o

        h2o.remove(key)

    # ---------------------------------------------------------------- models
    def train_deeplearning(self, training_frame: str, response_column: str | None = None,
                           validation_frame: str | None = None, x: list | None = None,
                           **params) -> TrainResult:
        """Train H2O-3 deep learning; ``params`` use H2O-3's names (hidden, activation, epochs,
        input_dropout_ratio, l1, seed, reproducible, autoencoder, train_samples_per_iteration...)."""
        import h2o
        from h2o.estimators.deeplearning import H2ODeepLearningEstimator

        est = H2ODeepLearningEstimator(**params)
        train = h2o.get_frame(training_frame)
        valid = h2o.get_frame(validation_frame) if validation_frame else None
        kwargs = {"training_frame": train}
        if valid is not None:
            kwargs["validation_frame"] = valid
        if response_column is not None:
            kwargs["y"] = response_column
        if x is not None:
            kwargs["x"] = x
        t0 = time.perf_counter()
        est.train(**kwargs)
        wall = time.perf_counter() - t0
        return self._result(est, wall)

    def _result(self, est, wall: float) -> TrainResult:
        out = est._model_json["output"]
        history = _scoring_history(out.get("scoring_history"))
        last = history[-1] if history else {}
        tm, vm = out.get("training_metrics"), out.get("validation_metrics")
        return TrainResult(
            model_id=est.model_id, wall_s=wall, run_time_s=out.get("run_time", 0) / 1000.0,
            samples_per_s=_obs_per_sec(last.get("training_speed")), epochs=last.get("epochs"),
            samples=last.get("samples"), train_error=_overall_error(tm),
            test_error=_overall_error(vm), test_mean_per_class_error=_metric(vm, "mean_per_class_error"),
            test_logloss=_metric(vm, "logloss"), test_mse=_metric(vm, "MSE"), scoring_history=history)

    def reconstruction_errors(self, model_id: str, frame_id: str) -> list[float]:
        """Per-row reconstruction MSE of an autoencoder (h2o.anomaly / reconstruction_error=true)."""
        import h2o

        model = h2o.get_model(model_id)
        errs = model.anomaly(h2o.get_frame(frame_id), per_feature=False)
        rows = errs.as_data_frame(use_pandas=False, header=False)
        return [float(r[0]) for r in rows]

    def predict_rows(self, model_id: str, frame_id: str) -> tuple[list[str], list[list[str]]]:
        """Predictions (for an autoencoder: the reconstruction) as (column names, rows of strings)."""
        import h2o

        pred = h2o.get_model(model_id).predict(h2o.get_frame(frame_id))
        rows = pred.as_data_frame(use_pandas=False, header=True)
        return rows[0], rows[1:]


# -------------------------------------------------------------------- JSON helpers
def _table_columns(table) -> tuple[list[str], list[list]]:
    """(column names, list of rows) of a two-dim table, raw JSON or the client's H2OTwoDimTable."""
    if hasattr(table, "col_header"):
        return list(table.col_header), [list(r) for r in table.cell_values]
    names = [c["name"] for c in table["columns"]]
    cols = table["data"]
    nrow = len(cols[0]) if cols else 0
    return names, [[cols[j][i] for j in range(len(names))] for i in range(nrow)]


def _scoring_history(table) -> list[dict]:
    if table is None:
        return []
    names, rows = _table_columns(table)
    return [dict(zip(names, row)) for row in rows]


def _obs_per_sec(value) -> float | None:
    if value is None:
        return None
    m = re.search(r"[-+0-9.eE]+", str(value))
    return float(m.group(0)) if m else None


def _metric_json(metrics):
    return getattr(metrics, "_metric_json", metrics) or None


def _metric(metrics, name):
    mj = _metric_json(metrics)
    val = mj.get(name) if mj else None
    return float(val) if isinstance(val, (int, float)) else None


def _overall_error(metrics) -> float | None:
    """1 - accuracy from the confusion matrix (bottom-right 'Totals' error cell)."""
    mj = _metric_json(metrics)
    cm = mj.get("cm") if mj else None
    if not cm:
        return None
    names, rows = _table_columns(cm["table"] if isinstance(cm, dict) else cm.table)
    return float(rows[-1][names.index("Error")])
