"""Helpers of the access-control tests: an htpasswd file, a self-signed certificate, and a server
process started with extra options (--auth-file, --certfile/--keyfile, --data-dir)."""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from conftest import ServerProcess, free_port


def htpasswd(path: Path, user: str, password: str) -> Path:
    """Add `user` to the file with Apache's `htpasswd -B` (a `$2y$` bcrypt hash)."""
    create = [] if path.exists() else ["-c"]
    subprocess.run(["htpasswd", *create, "-bB", str(path), user, password], check=True,
                   capture_output=True)
    return path


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1 made by `openssl req -x509`; (cert, key)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def backend_command(port: int, *args: str) -> list[str]:
    log_dir = tempfile.mkdtemp(prefix="h2o_backend_test_logs_")
    return [sys.executable, "-m", "h2o_backend", "--port", str(port), "--log-dir", log_dir, *args]


class GatedServer(ServerProcess):
    """`python -m h2o_backend` with extra options; `auth` and `verify` as for `requests`.
    Its stderr (the start-up log) is kept in `log_file`."""

    def __init__(self, *args: str, scheme: str = "http", auth=None, verify=True):
        self.port = free_port()
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.auth, self.verify = auth, verify
        self.log_file = Path(tempfile.mkstemp(prefix="h2o_backend_gated_", suffix=".err")[1])
        cmd = backend_command(self.port, *args)
        self.log_dir = cmd[cmd.index("--log-dir") + 1]
        with open(self.log_file, "wb") as err:
            self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        self._wait_up()

    def _wait_up(self, timeout: float = 60.0) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}: "
                                   f"{self.log_file.read_text()}")
            try:
                reply = requests.get(self.url + "/3/Cloud", auth=self.auth, verify=self.verify,
                                     timeout=2)
                if reply.status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        raise RuntimeError("server did not start in time")

    def get(self, path: str, **kw):
        kw.setdefault("auth", self.auth)
        kw.setdefault("verify", self.verify)
        kw.setdefault("timeout", 60)
        return requests.get(self.url + path, **kw)

    def post(self, path: str, **kw):
        kw.setdefault("auth", self.auth)
        kw.setdefault("verify", self.verify)
        kw.setdefault("timeout", 60)
        return requests.post(self.url + path, **kw)
