#!/usr/bin/env python3
"""Parse benchmark: the 60,000-row MNIST training CSV through this server and through H2O-3.

Both sides parse the same plain CSV (decompressed to a temporary folder first) through the same
REST sequence: ImportFiles, ParseSetup, Parse (with the setup's answer), then polling
GET /3/Jobs/{id} every 20 ms until DONE. The time of one parse is the wall time of that whole
sequence; the job's own `msec`, and the CPU seconds the server process used meanwhile (from
/proc, robust to other load on a shared machine), are reported too. The two servers are started here on free ports
(`python -m h2o_backend`, and `java -Xmx6g -jar h2o.jar -nthreads 2` through
h2o3_reference.H2O3Server) and stopped at the end. Repetitions alternate between the servers;
one untimed warm-up parse each comes first.

    python bench/parse_bench.py [--repeats 5] [--json bench/results/parse_bench.json]
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = REPO / "demos" / "data" / "mnist_train.csv.gz"
EXPECTED = (60000, 785)
sys.path.insert(0, str(HERE))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def decompress(source: Path, folder: str) -> str:
    target = os.path.join(folder, "mnist_train.csv")
    with gzip.open(source, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return target


class OurServer:
    """`python -m h2o_backend` on a free port."""

    def __enter__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logs = tempfile.mkdtemp(prefix="parse_bench_logs_")
        self.proc = subprocess.Popen([sys.executable, "-m", "h2o_backend", "--port", str(self.port),
                                      "--log-dir", self.logs, "--log-level", "WARNING"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(self.url + "/3/Cloud", timeout=2).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("our server did not start")

    def __exit__(self, *exc):
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.logs, ignore_errors=True)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rest_parse(url: str, path: str, dest: str) -> tuple[float, int, tuple[int, int]]:
    """Import + ParseSetup + Parse + poll; returns (wall seconds, job msec, (rows, cols))."""
    start = time.perf_counter()
    imported = requests.get(f"{url}/3/ImportFiles", params={"path": path}, timeout=600).json()
    sources = json.dumps(imported["destination_frames"])
    setup = requests.post(f"{url}/3/ParseSetup", data={"source_frames": sources}, timeout=600).json()
    fields = {"source_frames": sources, "destination_frame": dest, "parse_type": setup["parse_type"],
              "separator": setup["separator"], "number_columns": setup["number_columns"],
              "single_quotes": str(setup["single_quotes"]).lower(),
              "column_types": json.dumps(setup["column_types"]),
              "check_header": setup["check_header"], "chunk_size": setup["chunk_size"],
              "delete_on_done": "true"}
    if setup.get("column_names"):
        fields["column_names"] = json.dumps(setup["column_names"])
    job = requests.post(f"{url}/3/Parse", data=fields, timeout=600).json()["job"]
    while True:
        state = requests.get(f"{url}/3/Jobs/{job['key']['name']}", timeout=600).json()["jobs"][0]
        if state["status"] not in ("CREATED", "RUNNING"):
            break
        time.sleep(0.02)
    wall = time.perf_counter() - start
    if state["status"] != "DONE":
        raise RuntimeError(f"parse on {url} ended {state['status']}: {state.get('exception')}")
    frame = requests.get(f"{url}/3/Frames/{dest}", params={"row_count": 0, "column_count": 1},
                         timeout=600).json()["frames"][0]
    requests.delete(f"{url}/3/DKV/{dest}", timeout=600)
    return wall, int(state["msec"]), (frame["rows"], frame.get("total_column_count", frame["num_columns"]))


def run(repeats: int) -> dict:
    from h2o3_reference import H2O3Server

    folder = tempfile.mkdtemp(prefix="parse_bench_")
    try:
        path = decompress(DATA, folder)
        print(f"data: {path} ({os.path.getsize(path) / 1e6:.1f} MB, plain CSV)")
        with OurServer() as ours, H2O3Server(nthreads=2, xmx="6g", name="bench") as ref:
            sides = {"ours": (ours.url, ours.proc.pid), "h2o3": (ref.url, ref.proc.pid)}
            results = {name: {"wall_s": [], "job_s": [], "cpu_s": []} for name in sides}
            for name, (url, _) in sides.items():                # warm-up, not timed
                _, _, shape = rest_parse(url, path, f"warmup_{name}.hex")
                assert shape == EXPECTED, f"{name} parsed {shape}, expected {EXPECTED}"
            for i in range(repeats):
                for name, (url, pid) in sides.items():
                    cpu = cpu_seconds(pid)
                    wall, msec, shape = rest_parse(url, path, f"mnist_{name}_{i}.hex")
                    cpu = cpu_seconds(pid) - cpu
                    assert shape == EXPECTED, f"{name} parsed {shape}"
                    results[name]["wall_s"].append(round(wall, 3))
                    results[name]["job_s"].append(msec / 1000)
                    results[name]["cpu_s"].append(round(cpu, 2))
                    print(f"  {name:5s} run {i + 1}: {wall:6.2f} s (job {msec / 1000:.2f} s, "
                          f"server CPU {cpu:.2f} s, load {os.getloadavg()[0]:.1f})")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for name in results:
        results[name]["best_wall_s"] = min(results[name]["wall_s"])
        results[name]["median_wall_s"] = statistics.median(results[name]["wall_s"])
        results[name]["median_job_s"] = statistics.median(results[name]["job_s"])
        results[name]["median_cpu_s"] = statistics.median(results[name]["cpu_s"])
    results["ratio_wall_ours_over_h2o3"] = round(
        results["ours"]["median_wall_s"] / results["h2o3"]["median_wall_s"], 3)
    results["ratio_best_wall_ours_over_h2o3"] = round(
        results["ours"]["best_wall_s"] / results["h2o3"]["best_wall_s"], 3)
    results["ratio_job_ours_over_h2o3"] = round(
        results["ours"]["median_job_s"] / max(1e-9, results["h2o3"]["median_job_s"]), 3)
    results["ratio_cpu_ours_over_h2o3"] = round(
        results["ours"]["median_cpu_s"] / max(1e-9, results["h2o3"]["median_cpu_s"]), 3)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed parses per server (default 5)")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    results = run(args.repeats)
    print(f"median wall: ours {results['ours']['median_wall_s']:.2f} s, "
          f"H2O-3 {results['h2o3']['median_wall_s']:.2f} s, "
          f"ratio ours/H2O-3 {results['ratio_wall_ours_over_h2o3']:.2f}")
    print(f"best wall:   ours {results['ours']['best_wall_s']:.2f} s, "
          f"H2O-3 {results['h2o3']['best_wall_s']:.2f} s, "
          f"ratio ours/H2O-3 {results['ratio_best_wall_ours_over_h2o3']:.2f}")
    print(f"median job:  ours {results['ours']['median_job_s']:.2f} s, "
          f"H2O-3 {results['h2o3']['median_job_s']:.2f} s, "
          f"ratio ours/H2O-3 {results['ratio_job_ours_over_h2o3']:.2f}")
    print(f"median CPU:  ours {results['ours']['median_cpu_s']:.2f} s, "
          f"H2O-3 {results['h2o3']['median_cpu_s']:.2f} s, "
          f"ratio ours/H2O-3 {results['ratio_cpu_ours_over_h2o3']:.2f}")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=2)
    return 0 if results["ratio_wall_ours_over_h2o3"] < 1 else 1


if __name__ == "__main__":
    sys.exit(main())
