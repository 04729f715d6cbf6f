"""The server's own log and timeline as H2O-3's clients reach them: h2o.log_and_echo writes into
the log file the server was started with (--log-dir), GET /3/Logs/nodes/self/files/{name} reads
it back (whole, or by level), h2o.download_all_logs saves it (ZIP as H2O-3 lays it out, or LOG),
and GET /3/Timeline lists the requests answered. Every answer matches protocol/openapi.yaml."""
from __future__ import annotations

import io
import os
import zipfile

import pytest
import requests

import h2o

from official_client_helpers import connected_server, plain_failures
from protocol_schema import assert_matches_schema


@pytest.fixture(scope="module")
def srv():
    with connected_server() as proc:
        yield proc


def _log(srv, name: str) -> str:
    reply = requests.get(f"{srv.url}/3/Logs/nodes/self/files/{name}")
    assert reply.status_code == 200, reply.text
    assert_matches_schema(f"/3/Logs/nodes/self/files/{name}", "get", 200, reply.json())
    return reply.json()["log"]


def test_log_and_echo_writes_into_the_server_log(srv):
    h2o.log_and_echo("a marker from the client 1234")
    assert "a marker from the client 1234" in _log(srv, "default")
    assert "a marker from the client 1234" in _log(srv, "info")       # logged at INFO
    assert "a marker from the client 1234" not in _log(srv, "warn")
    with open(os.path.join(srv.log_dir, f"h2o_backend_{srv.port}.log")) as fh:
        assert "a marker from the client 1234" in fh.read()
    reply = requests.post(f"{srv.url}/3/LogAndEcho", data={"message": "echo"})
    assert reply.json()["message"] == "echo"
    assert_matches_schema("/3/LogAndEcho", "post", 200, reply.json())


def test_unknown_logs_and_nodes_are_404_naming_them(srv):
    reply = requests.get(f"{srv.url}/3/Logs/nodes/self/files/httpd")
    assert reply.status_code == 404 and "httpd" in reply.json()["msg"] and "default" in reply.json()["msg"]
    reply = requests.get(f"{srv.url}/3/Logs/nodes/3/files/default")
    assert reply.status_code == 404 and "'3'" in reply.json()["msg"]
    assert requests.get(f"{srv.url}/3/Logs/download/TAR").status_code == 400


def test_download_all_logs_zip_and_log(srv, tmp_path):
    h2o.log_and_echo("in the download 5678")
    path = h2o.download_all_logs(dirname=str(tmp_path))
    assert os.path.basename(path).startswith("h2ologs_") and path.endswith(".zip")
    with zipfile.ZipFile(path) as outer:
        base = os.path.basename(path)[:-4]
        node_zip = f"{base}/node0_127.0.0.1_{srv.port}.zip"
        assert node_zip in outer.namelist()
        with zipfile.ZipFile(io.BytesIO(outer.read(node_zip))) as inner:
            text = inner.read(f"h2o_backend_{srv.port}.log").decode()
    assert "in the download 5678" in text
    path = h2o.download_all_logs(dirname=str(tmp_path), filename="all.log", container="LOG")
    with open(path) as fh:
        assert "in the download 5678" in fh.read()


def test_timeline_lists_the_requests_answered(srv):
    requests.get(f"{srv.url}/3/Frames")
    reply = requests.get(f"{srv.url}/3/Timeline")
    assert reply.status_code == 200
    body = reply.json()
    assert_matches_schema("/3/Timeline", "get", 200, body)
    assert body["self"] == f"127.0.0.1:{srv.port}"
    last = body["events"][-1]
    assert last["data"] == "GET /3/Frames" and last["type"] == "network_msg" and not last["is_send"]
    nanos = [e["nanos"] for e in body["events"]]
    assert nanos == sorted(nanos)


plain_failures(globals())
