"""This checkout's server for the benchmarks: ``python -m h2o_backend`` on a free port.

    with our_server("--dask-workers", "2", log_dir=folder) as server:
        requests.get(server.url + "/3/Cloud"); server.proc.pid
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Running:
    url: str
    proc: subprocess.Popen


@contextlib.contextmanager
def our_server(*args: str, log_dir: str | None = None, timeout: float = 120.0):
    """The server started with ``args`` (and ``--log-dir``), answering /3/Cloud; stopped on exit."""
    port = free_port()
    cmd = [sys.executable, "-m", "h2o_backend", "--port", str(port), *args]
    if log_dir:
        cmd += ["--log-dir", log_dir]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "python_backend"), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}" + (f"; logs in {log_dir}" if log_dir else ""))
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(url + "/3/Cloud", timeout=2).status_code == 200:
                    break
            if time.time() > deadline:
                raise RuntimeError(f"server did not start in {timeout:g} s")
            time.sleep(0.2)
        yield Running(url, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
