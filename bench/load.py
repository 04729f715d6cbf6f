#!/usr/bin/env python3
"""Load and concurrency: 50 clients polling the server while two trainings and predictions run.

Starts `python -m h2o_backend` on a free port, parses demos/data/covtype.20k.csv.gz (20,000 rows,
55 columns) as covtype.hex and trains a small model (covtype_base) whose page the clients read.
Then, for `--seconds` (60): two training jobs (hidden [100,100], enough epochs to outlast the
window, cancelled at its end) and predictions of covtype_base on covtype.hex one after another,
while 50 client threads each poll, in turn, GET /3/Jobs, /3/Frames, /3/Models, /3/Cloud and
/3/Models/covtype_base. Prints the requests, failures (an answer other than 200, or none within
10 s), and the p50 and p99 latency of the polls, and whether the trainings and the server lived.

    python bench/load.py [--clients 50] [--seconds 60]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from fuzz import start_server  # noqa: E402

DATA = REPO / "demos" / "data" / "covtype.20k.csv.gz"
POLLS = ["/3/Jobs", "/3/Frames", "/3/Models", "/3/Cloud", "/3/Models/covtype_base"]


def wait_job(url: str, key: str, timeout: float = 600) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = requests.get(f"{url}/3/Jobs/{key}", timeout=30).json()["jobs"][0]
        if job["status"] not in ("CREATED", "RUNNING"):
            return job
        time.sleep(0.2)
    raise RuntimeError(f"job {key} did not finish")


def train(url: str, model_id: str, **extra) -> str:
    data = {"training_frame": "covtype.hex", "response_column": "C55", "classification": "true",
            "model_id": model_id, **extra}
    reply = requests.post(f"{url}/3/ModelBuilders/deeplearning", data=data, timeout=60)
    reply.raise_for_status()
    return reply.json()["job"]["key"]["name"]


def setup(url: str) -> None:
    requests.get(f"{url}/3/ImportFiles", params={"path": str(DATA)}, timeout=60).raise_for_status()
    raw = "nfs:/" + str(DATA)
    reply = requests.post(f"{url}/3/Parse", data={"source_frames": f'["{raw}"]', "destination_frame": "covtype.hex",
                                                  "blocking": "true"}, timeout=600)
    reply.raise_for_status()
    job = wait_job(url, train(url, "covtype_base", hidden="[20]", epochs="1"))
    assert job["status"] == "DONE", job


class Poller(threading.Thread):
    def __init__(self, url: str, index: int, stop: threading.Event):
        super().__init__(daemon=True)
        self.url, self.index, self.stop = url, index, stop
        self.latencies: list[float] = []
        self.failures: list[str] = []

    def run(self) -> None:
        session = requests.Session()
        i = self.index
        while not self.stop.is_set():
            path = POLLS[i % len(POLLS)]
            i += 1
            t = time.perf_counter()
            try:
                reply = session.get(self.url + path, timeout=10)
                ok = reply.status_code == 200
                if not ok:
                    self.failures.append(f"{path}: {reply.status_code}")
            except requests.RequestException as exc:
                self.failures.append(f"{path}: {type(exc).__name__}")
            self.latencies.append(time.perf_counter() - t)


def predictions(url: str, stop: threading.Event, done: list, failures: list) -> None:
    while not stop.is_set():
        reply = requests.post(f"{url}/3/Predictions/models/covtype_base/frames/covtype.hex", timeout=120)
        if reply.status_code == 200:
            done.append(reply.json()["predictions_frame"]["name"])
            requests.delete(f"{url}/3/Frames/{done[-1]}", timeout=30)
        else:
            failures.append(f"prediction: {reply.status_code}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="h2o_load_")
    proc, url = start_server(workdir)
    try:
        setup(url)
        jobs = [train(url, f"load_{i}", hidden="[100,100]", epochs="1000", seed=str(i + 1)) for i in range(2)]
        stop = threading.Event()
        pollers = [Poller(url, i, stop) for i in range(args.clients)]
        done, pred_failures = [], []
        scorer = threading.Thread(target=predictions, args=(url, stop, done, pred_failures), daemon=True)
        for thread in pollers + [scorer]:
            thread.start()
        time.sleep(args.seconds)
        statuses = [requests.get(f"{url}/3/Jobs/{k}", timeout=30).json()["jobs"][0] for k in jobs]
        stop.set()
        for thread in pollers + [scorer]:
            thread.join(30)
        for key in jobs:
            requests.post(f"{url}/3/Jobs/{key}/cancel", timeout=30)
        latencies = [x for p in pollers for x in p.latencies]
        failures = [f for p in pollers for f in p.failures] + pred_failures
        print(f"clients: {args.clients}, window: {args.seconds:.0f} s")
        print(f"requests: {len(latencies)}")
        print(f"failures: {len(failures)}")
        print(f"p50 latency: {statistics.median(latencies) * 1000:.1f} ms")
        print(f"p99 latency: {percentile(latencies, 0.99) * 1000:.1f} ms")
        print(f"max latency: {max(latencies) * 1000:.1f} ms")
        print(f"predictions finished during the window: {len(done)}")
        for job in statuses:
            print(f"training {job['dest']['name']}: {job['status']}, progress {job['progress']:.3f}, "
                  f"{job.get('progress_msg', '')}")
        print(f"server alive: {proc.poll() is None}")
        for line in sorted(set(failures))[:10]:
            print("  failure: " + line)
        ok = not failures and percentile(latencies, 0.99) < 1.0 and proc.poll() is None
        ok = ok and all(j["status"] == "RUNNING" for j in statuses)
        return 0 if ok else 1
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
