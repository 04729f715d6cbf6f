#!/usr/bin/env python3
"""A frame larger than the server's memory budget, parsed and held by the Dask workers (issue 20).

Makes a CSV by repeating covtype.20k's rows with noise (a temporary folder both the server and its
workers read), starts the server with ``--dask-workers 2 --max-mem SIZE`` (SIZE well below the
parsed frame's size), and through the REST API: imports and parses the file (on the workers),
fetches its summary, trains a network for a few epochs (the rows where they lie), predicts the
frame (a cluster frame) with its metrics, and downloads nothing. The server's resident memory is
sampled every 0.1 s throughout (its peak printed against the frame's size), and each worker's peak
too. Then the single-process server (no Dask) parses a file that fits its memory (``--fit-rows``
rows of the same data) for the parse rows/s of both.

    python bench/cluster_frames.py [--rows 1000000] [--max-mem 128m] [--epochs 1] [--fit-rows 250000]
"""
from __future__ import annotations

import argparse
import gzip
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from our_server import our_server  # noqa: E402
COVTYPE = REPO / "demos" / "data" / "covtype.20k.csv.gz"


def make_csv(path: Path, rows: int, seed: int = 0) -> None:
    """covtype.20k's rows repeated to ``rows``, the numeric columns moved by small noise."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    with gzip.open(COVTYPE, "rt") as fh:
        base = np.loadtxt(fh, delimiter=",")
    rng = np.random.default_rng(seed)
    names = [f"C{i + 1}" for i in range(base.shape[1])]
    with pacsv.CSVWriter(str(path), pa.schema([(n, pa.float64()) for n in names[:-1]] + [(names[-1], pa.int64())])) as out:
        for start in range(0, rows, base.shape[0]):
            n = min(base.shape[0], rows - start)
            block = base[rng.integers(0, base.shape[0], n)]
            noisy = block[:, :10] + rng.normal(scale=0.01, size=(n, 10)) * np.abs(block[:, :10]).mean(axis=0)
            cols = [pa.array(np.round(noisy[:, j], 3)) for j in range(10)]
            cols += [pa.array(block[:, j]) for j in range(10, base.shape[1] - 1)]
            cols.append(pa.array(block[:, -1].astype(np.int64)))
            out.write_table(pa.table(cols, names=names))


class PeakMemory(threading.Thread):
    """Peak RSS of the server process and of each worker process (its descendants running Python)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.server = psutil.Process(pid)
        self.peak_server, self.peak_workers, self.phase_peak = 0, {}, 0
        self.running = True

    def now(self) -> str:
        """The server's peak since the last call (this phase's), then starts the next phase."""
        phase, self.phase_peak = self.phase_peak, 0
        return f"server peak RSS in this step {phase / 2**20:.0f} MB"

    def run(self) -> None:
        while self.running:
            try:
                rss = self.server.memory_info().rss
                self.peak_server, self.phase_peak = max(self.peak_server, rss), max(self.phase_peak, rss)
                for child in self.server.children(recursive=True):
                    try:
                        if "spawn_main" in " ".join(child.cmdline()):
                            rss = child.memory_info().rss
                            self.peak_workers[child.pid] = max(self.peak_workers.get(child.pid, 0), rss)
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            time.sleep(0.1)


def wait_job(url: str, key: str) -> dict:
    while True:
        job = requests.get(f"{url}/3/Jobs/{key}").json()["jobs"][0]
        if job["status"] not in ("CREATED", "RUNNING"):
            if job["status"] != "DONE":
                raise RuntimeError(f"job {key}: {job['status']} {job.get('exception')}")
            return job
        time.sleep(0.2)


def parse(url: str, path: Path, dest: str) -> float:
    """Seconds to parse ``path`` (the setup guessed, the class column C55 as a factor)."""
    import json
    key = requests.post(f"{url}/3/ImportFiles", data={"path": str(path)}).json()["destination_frames"][0]
    t = time.perf_counter()
    setup = requests.post(f"{url}/3/ParseSetup", data={"source_frames": f'["{key}"]'}).json()
    types = setup["column_types"][:-1] + ["Enum"]
    reply = requests.post(f"{url}/3/Parse", data={"source_frames": f'["{key}"]', "destination_frame": dest,
                                                  "column_names": json.dumps(setup["column_names"]),
                                                  "column_types": json.dumps(types)})
    reply.raise_for_status()
    wait_job(url, reply.json()["job"]["key"]["name"])
    return time.perf_counter() - t


def run_on_cluster(srv, big: Path, args) -> float:
    """Parse, summary, training, prediction and metrics on the server with workers; prints each
    step and the peaks of memory; returns the parse's seconds."""
    peaks = PeakMemory(srv.proc.pid)
    time.sleep(3)                               # the workers' warm-up
    idle = psutil.Process(srv.proc.pid).memory_info().rss
    peaks.start()
    try:
        seconds = parse(srv.url, big, "big.hex")
        frame = requests.get(f"{srv.url}/3/Frames/big.hex/summary", params={"row_count": 5}).json()["frames"][0]
        print(f"parse on 2 workers: {seconds:.1f} s, {args.rows / seconds:,.0f} rows/s; frame {frame['byte_size'] / 2**20:.0f} MB "
              f"({frame['rows']:,} rows x {frame['num_columns']} columns); {peaks.now()}", flush=True)
        cloud = requests.get(f"{srv.url}/3/Cloud").json()
        print("  /3/Cloud mem_value_size per worker (MB):",
              ", ".join(f"{n['mem_value_size'] / 2**20:.0f}" for n in cloud["nodes"]), flush=True)
        t = time.perf_counter()
        build = requests.post(f"{srv.url}/3/ModelBuilders/deeplearning", data={
            "training_frame": "big.hex", "response_column": "C55", "hidden": "[50,50]", "epochs": args.epochs,
            "replicate_training_data": "false", "model_id": "big_model", "seed": 1}).json()
        wait_job(srv.url, build["job"]["key"]["name"])
        model = requests.get(f"{srv.url}/3/Models/big_model").json()["models"][0]
        print(f"training {args.epochs:g} epochs: {time.perf_counter() - t:.1f} s, training MSE "
              f"{model['output']['training_metrics']['MSE']:.4f}; {peaks.now()}", flush=True)
        t = time.perf_counter()
        pred = requests.post(f"{srv.url}/3/Predictions/models/big_model/frames/big.hex",
                             data={"predictions_frame": "big_pred"}).json()
        m = pred["model_metrics"][0]
        print(f"prediction + metrics: {time.perf_counter() - t:.1f} s, MSE {m['MSE']:.4f}, "
              f"logloss {m['logloss']:.4f}, mean per-class error {m['mean_per_class_error']:.4f}; {peaks.now()}", flush=True)
    finally:
        peaks.running = False
        peaks.join()
    frame_mb = frame["byte_size"] / 2**20
    print(f"server RSS: idle {idle / 2**20:.0f} MB, peak {peaks.peak_server / 2**20:.0f} MB (+"
          f"{(peaks.peak_server - idle) / 2**20:.0f} MB = {(peaks.peak_server - idle) / 2**20 / frame_mb:.2f}x the "
          f"frame's {frame_mb:.0f} MB; --max-mem {args.max_mem}); workers' peaks: "
          + ", ".join(f"{v / 2**20:.0f} MB" for v in peaks.peak_workers.values()), flush=True)
    return seconds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--fit-rows", type=int, default=250_000)
    ap.add_argument("--max-mem", default="128m")
    ap.add_argument("--epochs", type=float, default=1.0)
    args = ap.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="cluster_frames_"))
    try:
        big, small = folder / "covtype_big.csv", folder / "covtype_fit.csv"
        t = time.perf_counter()
        make_csv(big, args.rows)
        make_csv(small, args.fit_rows, seed=1)
        print(f"CSV of {args.rows:,} rows: {big.stat().st_size / 2**20:.0f} MB (made in {time.perf_counter() - t:.0f} s)",
              flush=True)
        with our_server("--dask-workers", "2", "--max-mem", args.max_mem, "--data-dir", str(folder)) as srv:
            seconds = run_on_cluster(srv, big, args)
        with our_server("--data-dir", str(folder)) as single:
            seconds_fit = parse(single.url, small, "fit.hex")
        print(f"single-process server parse of {args.fit_rows:,} rows: {seconds_fit:.1f} s, "
              f"{args.fit_rows / seconds_fit:,.0f} rows/s; cluster parse / single-process parse rows/s: "
              f"{(args.rows / seconds) / (args.fit_rows / seconds_fit):.2f}x", flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
