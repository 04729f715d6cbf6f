#!/usr/bin/env python3
"""Fuzzing the server against protocol/openapi.yaml: at least 10,000 generated requests.

Starts `python -m h2o_backend` on a free port, uploads and parses demos/data/prostate.csv as
fuzz.hex and trains fuzz_model on it (so operations on existing keys are reached), then sends
schemathesis-generated requests to every documented operation — as many that match the document
as that break it — and finally stateful sequences that follow the document's links (upload ->
parse -> train -> predict -> delete). Prints the number of requests, of 5xx answers, of answers
that violate the document (status, content type, headers, body schema) and of server crashes
(the server process died). All three must be 0.

    python bench/fuzz.py [--requests 10000] [--seed 0]
"""
from __future__ import annotations

import argparse
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests_py"))

from protocol_fuzz import Fuzzer, ServerDied, seed_data  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workdir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(os.path.join(workdir, "server.log"), "wb")
    proc = subprocess.Popen([sys.executable, "-m", "h2o_backend", "--port", str(port), "--log-dir", workdir,
                             "--log-level", "WARNING"], stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}; see {workdir}/server.log")
        try:
            if requests.get(url + "/3/Cloud", timeout=2).ok:
                return proc, url
        except requests.ConnectionError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=10000, help="at least this many requests")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    workdir = tempfile.mkdtemp(prefix="h2o_fuzz_")
    proc, url = start_server(workdir)
    started = time.time()
    try:
        data = REPO / "demos" / "data" / "prostate.csv"
        fuzzer = Fuzzer(url, server_alive=lambda: proc.poll() is None, keys=seed_data(url, data))
        ops = list(fuzzer.operations())                  # the server must live through these
        stops = list(fuzzer.operations(stopping=True))    # last: an accepted one ends the server
        every = ops + stops
        stateful_share = 0.1
        rounds = sum(2 * (2 if fuzzer.bound_path(op) else 1) for op in ops)
        per_op = max(1, math.ceil(args.requests * (1 - stateful_share) / rounds))
        round_no = 0
        while fuzzer.tally.requests < args.requests * (1 - stateful_share):
            if round_no:
                fuzzer.keys = seed_data(url, data)       # DELETE /3/DKV of the last round removed them
            for op in ops:
                fuzzer.run_operation(op, per_op, seed=args.seed + round_no)
            round_no += 1
        seed_data(url, data)
        fuzzer.sample_csv = data.read_bytes()
        while fuzzer.tally.requests < args.requests:
            fuzzer.run_stateful(max_examples=50, seed=args.seed + round_no)
            round_no += 1
        for op in stops:
            fuzzer.run_operation(op, per_op, seed=args.seed)
    except ServerDied:
        pass
    finally:
        alive = proc.poll() is None
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    t = fuzzer.tally
    print(f"operations fuzzed: {len(every)} (positive and negative requests each), stateful link sequences")
    print(f"requests: {t.requests}")
    print(f"5xx answers: {t.server_errors}")
    print(f"document violations: {t.violations}")
    gone = "" if alive or t.crashes or fuzzer.stopped else " (server gone at the end)"
    print(f"server crashes: {t.crashes}{gone}{' (stopped by an accepted POST /3/Shutdown, last)' if fuzzer.stopped else ''}")
    print(f"statuses: {dict(sorted(t.by_status.items()))}")
    print(f"time: {time.time() - started:.0f} s; server log: {workdir}/server.log")
    for (op, status, title), count in sorted(t.kinds.items()):
        print(f"  violation x{count}: {op} -> {status}: {title}")
    for line in t.examples[:8]:
        print("  example: " + line[:600].replace("\n", " "))
    return 0 if (t.server_errors, t.violations, t.crashes) == (0, 0, 0) else 1


if __name__ == "__main__":
    sys.exit(main())
