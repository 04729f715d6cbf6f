"""Fuzzing against protocol/openapi.yaml (schemathesis), and the protocol findings it led to.

A bounded run against a real server started here: every documented operation gets generated
requests that match the document and requests that break it; every answer, error or not, must
match the document (status, content type, headers, body schema), no answer may be a 5xx and
the server must live on. No operation is excluded (protocol_fuzz.EXCLUDED is empty); the one
value not generated is the `dir` a model is saved to (protocol_fuzz.WRITES_FILES: a folder of
the run's own, since a generated absolute path could be anywhere on the machine). The long
run (10,000+ requests) is bench/fuzz.py.
"""
from __future__ import annotations

import tempfile

import pytest
import requests

from conftest import DATA, ServerProcess
from protocol_fuzz import EXCLUDED, Fuzzer, seed_data
from protocol_schema import assert_matches_schema, openapi

from h2o_backend.frames.rapids import MAX_DEPTH

# examples per operation, generation mode and path (random keys, seeded keys): a few thousand
# requests in about 30 s (bench/fuzz.py runs the long campaign)
EXAMPLES = 14


@pytest.fixture(scope="module")
def fuzz_server():
    proc = ServerProcess(cwd=tempfile.mkdtemp(prefix="h2o_fuzz_cwd_"))   # relative paths land there
    proc.keys = seed_data(proc.url, DATA / "prostate.csv")
    yield proc
    proc.stop()


def test_no_operation_is_left_out_of_the_fuzzing():
    assert EXCLUDED == {}


def test_generated_requests_get_documented_answers_and_no_5xx(fuzz_server):
    fuzzer = Fuzzer(fuzz_server.url, server_alive=lambda: fuzz_server.proc.poll() is None,
                    keys=fuzz_server.keys)
    tally = fuzzer.run_all(max_examples=EXAMPLES, seed=1)     # all but POST /3/Shutdown (last test)
    report = "\n".join(tally.examples)
    assert tally.requests > 1000
    assert tally.crashes == 0, report
    assert tally.server_errors == 0, report
    assert tally.violations == 0, report


def test_linked_sequences_get_documented_answers(fuzz_server):
    seed_data(fuzz_server.url, DATA / "prostate.csv")        # the run above may have deleted them
    """Stateful: upload -> parse -> train -> poll, predict, delete, along the document's links."""
    fuzzer = Fuzzer(fuzz_server.url, server_alive=lambda: fuzz_server.proc.poll() is None)
    fuzzer.sample_csv = (DATA / "prostate.csv").read_bytes()
    fuzzer.run_stateful(max_examples=25, seed=2)
    tally = fuzzer.tally
    report = "\n".join(tally.examples)
    assert tally.requests >= 25
    assert (tally.crashes, tally.server_errors, tally.violations) == (0, 0, 0), report


def test_405_lists_the_allowed_methods(fuzz_server):
    reply = requests.put(fuzz_server.url + "/3/Frames/fuzz.hex", timeout=30)
    assert reply.status_code == 405
    assert set(reply.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "DELETE"}
    assert reply.json()["http_status"] == 405


def test_unknown_parameters_answer_a_documented_412_everywhere(fuzz_server):
    """Every operation that refuses an unknown parameter documents its 412."""
    for path, item in openapi()["paths"].items():
        for method in ("get", "post", "delete"):
            if method not in item:
                continue
            url = fuzz_server.url + path.replace("{", "no_such_").replace("}", "")
            reply = requests.request(method, url, params={"zz_unknown": "1"}, timeout=30)
            documented = set(item[method]["responses"])
            assert str(reply.status_code) in documented, (method, path, reply.status_code)


def test_a_very_long_web_asset_name_is_a_404_without_paths(fuzz_server):
    reply = requests.get(fuzz_server.url + "/webui/" + "a" * 300 + ".js", timeout=30)
    assert reply.status_code == 404
    body = reply.json()
    assert "/" not in body["msg"].replace("/webui", "") and "site-packages" not in reply.text
    assert "python_backend" not in reply.text


def test_deeply_nested_rapids_is_a_400_naming_the_limit(fuzz_server):
    ast = "(cols_py " * 1000 + "fuzz.hex 0" + ")" * 1000
    reply = requests.post(fuzz_server.url + "/99/Rapids", data={"ast": ast}, timeout=30)
    assert reply.status_code == 400
    assert f"{MAX_DEPTH} levels" in reply.json()["msg"]
    assert_matches_schema("/99/Rapids", "POST", 400, reply.json())


def test_empty_required_strings_are_refused_as_the_document_says(fuzz_server):
    for method, path, data in (("get", "/3/DownloadDataset?frame_id=", None),
                               ("post", "/99/Rapids", {"ast": ""}),
                               ("post", "/3/ParseSetup", {"source_frames": ""})):
        reply = requests.request(method, fuzz_server.url + path, data=data, timeout=30)
        assert reply.status_code == 400, (path, reply.status_code)
        assert_matches_schema(path, method, 400, reply.json())
    schema = openapi()["components"]["parameters"]["DownloadFrameId"]["schema"]
    assert schema["minLength"] == 1


def test_validating_parameters_without_a_body_lists_the_missing_training_frame(fuzz_server):
    reply = requests.post(fuzz_server.url + "/3/ModelBuilders/deeplearning/parameters", timeout=30)
    body = reply.json()
    assert_matches_schema("/3/ModelBuilders/deeplearning/parameters", "POST", reply.status_code, body)
    assert body["error_count"] >= 1
    errors = [m for m in body["messages"] if m["message_type"] == "ERRR"]
    assert [m["field_name"] for m in errors] == ["training_frame"]


def test_upload_errors_never_show_the_spool_folder(fuzz_server):
    url = fuzz_server.url
    requests.post(f"{url}/3/PostFile.bin", params={"destination_frame": "junk.bin"},
                  files={"file": ("junk.bin", b"\x00\x01\x02\x03" * 64)}, timeout=30).raise_for_status()
    reply = requests.post(f"{url}/3/ParseSetup", data={"source_frames": '["junk.bin"]'}, timeout=30)
    assert reply.status_code == 400
    msg = reply.json()["msg"]
    assert "junk.bin" in msg and "upload_" not in msg and "spool" not in msg and "/tmp" not in msg


def test_shutdown_is_fuzzed_on_a_server_of_its_own_and_stops_it_cleanly():
    """POST /3/Shutdown (protocol_fuzz.STOPS_SERVER): generated requests until one is accepted;
    the answers before it match the document, and the server then exits with status 0."""
    server = ServerProcess(cwd=tempfile.mkdtemp(prefix="h2o_fuzz_cwd_"))
    try:
        fuzzer = Fuzzer(server.url, server_alive=lambda: server.proc.poll() is None)
        tally = fuzzer.run_all(max_examples=EXAMPLES, seed=3, stopping=True)
        assert (tally.crashes, tally.server_errors, tally.violations) == (0, 0, 0), "\n".join(tally.examples)
        assert fuzzer.stopped
        assert server.proc.wait(30) == 0
    finally:
        server.stop()


def test_options_lists_exactly_the_documented_methods_of_each_path(fuzz_server):
    """OPTIONS (and a 405) name the methods the document lists for that path: a summary URL also
    matches the frame's own path, whose DELETE was advertised for it."""
    import re
    for path, item in openapi()["paths"].items():
        documented = {m.upper() for m in item if m in ("get", "post", "put", "delete", "patch")}
        expected = documented | {"OPTIONS"} | ({"HEAD"} if "GET" in documented else set())
        url = re.sub(r"\{[^}]+\}", "fuzz.hex", path)
        reply = requests.options(fuzz_server.url + url, timeout=30)
        assert reply.status_code == 200, path
        assert set(reply.headers["Allow"].replace(" ", "").split(",")) == expected, path
    summary = requests.put(fuzz_server.url + "/3/Frames/fuzz.hex/summary", timeout=30)
    assert summary.status_code == 405
    assert set(summary.headers["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}
