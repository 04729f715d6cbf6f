"""Shared fixtures: an in-process app for handler tests, a real server process for end-to-end ones."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "demos" / "data"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """`python -m h2o_backend` on a free port; `url` is its base address."""

    def __init__(self, nthreads: int | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_dir = tempfile.mkdtemp(prefix="h2o_backend_test_logs_")
        cmd = [sys.executable, "-m", "h2o_backend", "--port", str(self.port), "--log-dir", self.log_dir]
        if nthreads:
            cmd += ["--nthreads", str(nthreads)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_up()

    def _wait_up(self, timeout: float = 60.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; logs in {self.log_dir}")
            try:
                if requests.get(self.url + "/3/Cloud", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError("server did not start in time")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="session")
def server():
    proc = ServerProcess()
    yield proc
    proc.stop()


@pytest.fixture()
def app():
    from h2o_backend.server import create_app
    app = create_app({"spool_dir": tempfile.mkdtemp(prefix="h2o_backend_spool_test_")})
    yield app
    app.config["SERVICES"].jobs.shutdown()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
