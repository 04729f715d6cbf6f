"""The server's own log and timeline as the official client reads them: h2o.log_and_echo writes a
line into the log, h2o.download_all_logs saves it (ZIP, or LOG as one text), a log by H2O-3's
name (warn: only warnings and errors), and GET /3/Timeline lists the requests answered."""
from __future__ import annotations

import zipfile

import h2o
import requests

from official_client_helpers import connected_server, plain_failures

import pytest


@pytest.fixture(scope="module")
def srv():
    with connected_server() as proc:
        yield proc


def test_log_and_echo_then_download_all_logs(srv, tmp_path):
    h2o.log_and_echo("a line from the client 8d2f")
    path = h2o.download_all_logs(dirname=str(tmp_path))
    with zipfile.ZipFile(path) as archive:
        text = "".join(archive.read(n).decode() for n in archive.namelist())
    assert "LogAndEcho: a line from the client 8d2f" in text
    single = h2o.download_all_logs(dirname=str(tmp_path), filename="all.log", container="LOG")
    assert "a line from the client 8d2f" in open(single).read()


def test_one_log_by_its_h2o3_name(srv):
    h2o.log_and_echo("only in info 51c0")
    info = requests.get(srv.url + "/3/Logs/nodes/0/files/info").json()
    assert "only in info 51c0" in info["log"] and info["name"] == "info"
    warn = requests.get(srv.url + "/3/Logs/nodes/0/files/warn").json()
    assert "only in info 51c0" not in warn["log"]
    assert requests.get(srv.url + "/3/Logs/nodes/0/files/nonsense").status_code == 400
    assert requests.get(srv.url + "/3/Logs/nodes/7/files/info").status_code == 404


def test_timeline_lists_the_requests_answered(srv):
    requests.get(srv.url + "/3/About")
    body = requests.get(srv.url + "/3/Timeline").json()
    about = [e for e in body["events"] if e["path"] == "/3/About"]
    assert about and about[-1]["status"] == 200 and about[-1]["method"] == "GET"
    assert body["self"].endswith(str(srv.port))


plain_failures(globals())
