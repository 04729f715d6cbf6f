"""Shared fixtures: an in-process app for handler tests, a real server process for end-to-end ones."""
from __future__ import annotations

import os
import shutil
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


# Tests that may skip in a `make test` run, by node id, with the reason. None may today: make test
# installs Java and Chromium, so a skip means a test did not run, and the run fails (below).
EXPECTED_SKIPS: dict[str, str] = {}
_unexpected_skips: list[str] = []


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "blas_determinism: a bit-identity claim that must hold under every BLAS kernel; "
                   "test_blas_kernels.py reruns these tests under each OpenBLAS kernel this CPU runs")


def pytest_runtest_logreport(report):
    if report.skipped and not any(report.nodeid.startswith(n) for n in EXPECTED_SKIPS):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _unexpected_skips.append(f"{report.nodeid}: {reason}")


def pytest_terminal_summary(terminalreporter):
    if _unexpected_skips:
        terminalreporter.section("tests that skipped but must run (conftest.EXPECTED_SKIPS)", red=True)
        for line in _unexpected_skips:
            terminalreporter.line(line, red=True)


def pytest_sessionfinish(session, exitstatus):
    if _unexpected_skips and exitstatus == 0:
        session.exitstatus = 1


def pytest_sessionstart(session):
    """Kernel sources edited since the numba cache was written make it stale: drop it once, here,
    and compile the kernels once, so the servers the tests start all load them from the cache."""
    from h2o_backend.engine.kernels.cache import clear_stale_cache
    from h2o_backend.engine.sgd import warm_up
    clear_stale_cache()
    warm_up()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def finished_job(url: str, job_key: str, timeout: float = 600.0, interval: float = 0.1) -> dict:
    """The JobV3 of `job_key` on the server at `url` once it is no longer CREATED or RUNNING."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = requests.get(f"{url}/3/Jobs/{job_key}", timeout=30).json()["jobs"][0]
        if job["status"] not in ("CREATED", "RUNNING"):
            return job
        time.sleep(interval)
    raise AssertionError(f"job {job_key} did not finish within {timeout:g} s")


class ServerProcess:
    """`python -m h2o_backend` on a free port; `url` is its base address."""

    def __init__(self, nthreads: int | None = None, extra_args: list[str] | None = None, cwd: str | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_dir = tempfile.mkdtemp(prefix="h2o_backend_test_logs_")
        cmd = [sys.executable, "-m", "h2o_backend", "--port", str(self.port), "--log-dir", self.log_dir]
        if nthreads:
            cmd += ["--nthreads", str(nthreads)]
        cmd += list(extra_args or [])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
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
    shutil.rmtree(app.config["SERVICES"].spool_dir, ignore_errors=True)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA
