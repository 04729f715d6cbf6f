"""Jobs over REST: polling, cancelling a running parse, serving other requests meanwhile."""
from __future__ import annotations

import json
from pathlib import Path
import threading
import time

import pytest

from h2o_backend.parse import source as parse_source


def wait_for(client, job_key: str, statuses: tuple[str, ...], timeout: float = 20.0) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = client.get(f"/3/Jobs/{job_key}").get_json()["jobs"][0]
        if job["status"] in statuses:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {job_key} never reached {statuses}")


@pytest.fixture()
def slow_reads(monkeypatch):
    """Reads by a parse job (those reporting progress) wait on an event until released."""
    gate = threading.Event()
    original = parse_source._CountingReader.read

    def read(self, n=-1):
        if self._on_read is not None:
            gate.wait(10)
        return original(self, n)
    monkeypatch.setattr(parse_source._CountingReader, "read", read)
    yield gate
    gate.set()


def start_parse(client, path) -> dict:
    key = client.get("/3/ImportFiles", query_string={"path": str(path)}).get_json()["destination_frames"][0]
    reply = client.post("/3/Parse", data={"source_frames": json.dumps([key]), "check_header": "1",
                                          "column_types": '["Numeric"]', "column_names": '["v"]',
                                          "destination_frame": "slow.hex", "chunk_size": "65536"})
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()["job"]


def test_job_is_polled_to_done(client, data_dir):
    key = client.get("/3/ImportFiles", query_string={"path": str(data_dir / "iris.csv")}).get_json()
    job = client.post("/3/Parse", data={"source_frames": json.dumps(key["destination_frames"])}).get_json()["job"]
    assert job["status"] in ("CREATED", "RUNNING", "DONE") and job["dest"]["name"] == "iris.hex"
    done = wait_for(client, job["key"]["name"], ("DONE", "FAILED"))
    assert done["status"] == "DONE" and done["progress"] == 1.0 and done["exception"] is None
    assert done["msec"] >= 0 and done["start_time"] > 1_600_000_000_000
    listed = client.get("/3/Jobs").get_json()["jobs"]
    assert done["key"]["name"] in [j["key"]["name"] for j in listed]
    assert client.get("/3/Frames/iris.hex").get_json()["frames"][0]["rows"] == 150


def test_server_answers_while_a_parse_runs_and_cancel_stops_it(client, tmp_path, slow_reads):
    path = tmp_path / "big.csv"
    path.write_text("v\n" + "1\n" * 200_000)
    job = start_parse(client, path)
    running = wait_for(client, job["key"]["name"], ("RUNNING",))
    assert running["status"] == "RUNNING"
    for _ in range(3):                                 # the parse holds no lock on the server
        assert client.get("/3/Cloud").status_code == 200
        assert client.get("/3/Frames").status_code == 200
    cancel = client.post(f"/3/Jobs/{job['key']['name']}/cancel")
    assert cancel.status_code == 200
    slow_reads.set()
    final = wait_for(client, job["key"]["name"], ("CANCELLED", "DONE", "FAILED"))
    assert final["status"] == "CANCELLED"
    assert client.get("/3/Frames/slow.hex").status_code == 404
    again = client.post(f"/3/Jobs/{job['key']['name']}/cancel")           # no-op once finished
    assert again.get_json()["jobs"][0]["status"] == "CANCELLED"


def test_failed_parse_reports_its_exception(client, tmp_path):
    # invalid UTF-8 past the part the setup guess reads (1 MB): found by the job while reading
    # (a row with another number of fields no longer fails: H2O-3 fills or trims it)
    path = tmp_path / "late_bad_bytes.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 300_000 + b"x\xff,3\n")
    key = client.get("/3/ImportFiles", query_string={"path": str(path)}).get_json()["destination_frames"][0]
    job = client.post("/3/Parse", data={"source_frames": json.dumps([key])}).get_json()["job"]
    failed = wait_for(client, job["key"]["name"], ("FAILED", "DONE"))
    assert failed["status"] == "FAILED", failed
    assert "column 'a'" in failed["exception"] and "UTF8" in failed["exception"]
    assert failed["stacktrace"]
    trace = failed["stacktrace"]
    assert "h2o_backend/" in trace                      # the package's own frames, named below it
    for folder in install_folders():
        assert folder not in trace and folder not in failed["exception"], folder
    assert client.get("/3/Cloud").status_code == 200


def install_folders() -> list[str]:
    """Where this server and Python are installed: no message may show them."""
    import sysconfig
    import h2o_backend
    package_parent = str(Path(h2o_backend.__file__).resolve().parents[1])
    return [package_parent] + [sysconfig.get_path(n) for n in ("stdlib", "purelib")]
