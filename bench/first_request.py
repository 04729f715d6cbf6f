#!/usr/bin/env python3
"""First-request latency: how long the first training request waits for the numba kernels.

Starts `python -m h2o_backend` on a free port (whatever `h2o_backend` this Python imports: set
PYTHONPATH to compare two checkouts), uploads iris, and as soon as /3/Cloud answers (plus
`--delay` seconds) trains a tiny network, then trains the same network again. Prints the wall
time of each build (POST to job DONE) and their difference, which is what the first request
paid for loading (or compiling) the kernels. Repeats with a fresh server each time.

    python bench/first_request.py [--repeats 5] [--delay 0]
"""
from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

IRIS = Path(__file__).resolve().parent.parent / "demos" / "data" / "iris.csv"
BUILD = {"training_frame": "iris.hex", "response_column": "C5", "hidden": "[5]", "epochs": "1", "seed": "1",
         "reproducible": "true"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_job(url: str, key: str) -> None:
    while True:
        job = requests.get(f"{url}/3/Jobs/{key}").json()["jobs"][0]
        if job["status"] != "RUNNING" and job["status"] != "CREATED":
            assert job["status"] == "DONE", job
            return
        time.sleep(0.01)


def timed_build(url: str, model_id: str) -> float:
    t = time.perf_counter()
    r = requests.post(f"{url}/3/ModelBuilders/deeplearning", data=dict(BUILD, model_id=model_id))
    r.raise_for_status()
    wait_job(url, r.json()["job"]["key"]["name"])
    return time.perf_counter() - t


def one_server(delay: float) -> tuple[float, float, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "h2o_backend", "--port", str(port), "--log-level", "WARNING",
                             "--log-dir", tempfile.mkdtemp(prefix="first_request_")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if requests.get(f"{url}/3/Cloud", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.05)
        up = time.perf_counter() - started
        with open(IRIS, "rb") as f:
            requests.post(f"{url}/3/PostFile.bin", params={"destination_frame": "iris.csv"},
                          files={"file": f}).raise_for_status()
        requests.post(f"{url}/3/Parse", data={"destination_frame": "iris.hex", "source_frames": '["iris.csv"]',
                                              "blocking": "true"}).raise_for_status()
        time.sleep(delay)
        return up, timed_build(url, "first"), timed_build(url, "second")
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--delay", type=float, default=0.0, help="seconds between the upload and the first build")
    args = ap.parse_args()
    import h2o_backend
    print(f"h2o_backend from {Path(h2o_backend.__file__).parent}")
    rows = [one_server(args.delay) for _ in range(args.repeats)]
    for up, first, second in rows:
        print(f"server up {up:.2f} s   first build {first:.3f} s   second build {second:.3f} s")
    print(f"median: server up {statistics.median(r[0] for r in rows):.2f} s, "
          f"first build {statistics.median(r[1] for r in rows):.3f} s, "
          f"second build {statistics.median(r[2] for r in rows):.3f} s, "
          f"first-request overhead {statistics.median(r[1] - r[2] for r in rows):.3f} s")


if __name__ == "__main__":
    main()
