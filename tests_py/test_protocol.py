"""protocol/openapi.yaml against the server: same routes, up to date with its parts, and real
responses (successes and errors) matching the documented schemas."""
from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import pytest

from h2o_backend.server.routes import all_routes
from protocol_schema import assert_matches_schema, openapi

REPO = Path(__file__).resolve().parent.parent
METHODS = {"get", "post", "put", "delete", "patch"}


def load_builder():
    spec = importlib.util.spec_from_file_location("build_openapi", REPO / "protocol" / "build_openapi.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_route_is_documented_and_every_documented_route_served():
    served = {(r.method.lower(), r.path) for r in all_routes() if r.method not in ("HEAD", "OPTIONS")}
    documented = {(m, p) for p, item in openapi()["paths"].items() for m in item if m in METHODS}
    assert sorted(served - documented) == [], "served but not in protocol/openapi.yaml"
    assert sorted(documented - served) == [], "documented but not served"


def test_openapi_yaml_is_up_to_date_with_its_parts():
    assert load_builder().main(["--check"]) == 0, "run: python protocol/build_openapi.py"


def test_merge_refuses_conflicts_and_dangling_refs():
    builder = load_builder()
    one = ("a.yaml", {"paths": {"/x": {"get": {"responses": {}}}}})
    clash = ("b.yaml", {"paths": {"/x": {"get": {"summary": "other", "responses": {}}}}})
    with pytest.raises(builder.MergeError, match="already defined"):
        builder.merge([one, clash])
    dangling = ("c.yaml", {"components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}}}})
    with pytest.raises(builder.MergeError, match="unresolved"):
        builder.merge([dangling])
    split = ("d.yaml", {"paths": {"/x": {"post": {"responses": {}}}}})
    assert set(builder.merge([one, split])["paths"]["/x"]) == {"get", "post"}


def check(client, method: str, url: str, template: str | None = None, **kw):
    reply = getattr(client, method)(url, **kw)
    body = reply.get_json()
    assert_matches_schema(template or url, method, reply.status_code, body)
    return reply, body


def test_data_responses_match_their_schemas(client, data_dir, tmp_path):
    check(client, "get", "/3/Cloud")
    check(client, "get", "/3/About")
    _, imported = check(client, "get", f"/3/ImportFiles?path={data_dir / 'weather.csv'}")
    source = json.dumps(imported["destination_frames"])
    check(client, "post", "/3/ImportFiles", data={"path": str(data_dir / "iris.csv")})
    check(client, "post", "/3/ImportFilesMulti", data={"paths": json.dumps([str(data_dir / "iris.csv")])})
    check(client, "post", "/3/ParseSetup", data={"source_frames": source})
    _, parsed = check(client, "post", "/3/Parse", data={"source_frames": source, "blocking": "true",
                                                        "destination_frame": "weather.hex"})
    job = parsed["job"]["key"]["name"]
    check(client, "get", f"/3/Jobs/{job}", "/3/Jobs/{job_id}")
    check(client, "post", f"/3/Jobs/{job}/cancel", "/3/Jobs/{job_id}/cancel")
    check(client, "get", "/3/Jobs")
    check(client, "get", "/3/Frames")
    check(client, "get", "/3/Frames/weather.hex?row_count=5")
    check(client, "get", "/3/Frames/weather.hex/summary")
    check(client, "post", "/3/PostFile.bin?destination_frame=u",
          data={"file": (io.BytesIO(b"a,b\n1,x\n"), "u.csv")}, content_type="multipart/form-data")
    check(client, "post", "/3/PostFile", data=b"a\n1\n", content_type="application/octet-stream")
    check(client, "delete", "/3/DKV/u")
    check(client, "delete", "/3/Frames/weather.hex")
    check(client, "delete", "/3/DKV")


@pytest.mark.parametrize("method,url,data", [
    ("get", "/3/Frames/nope.hex", None),
    ("get", "/3/Frames/nope.hex/summary", None),
    ("delete", "/3/Frames/nope.hex", None),
    ("delete", "/3/DKV/nope", None),
    ("get", "/3/Frames?junk=1", None),
    ("get", "/3/Jobs/nojob", None),
    ("post", "/3/Jobs/nojob/cancel", None),
    ("get", "/3/ImportFiles?path=/tmp/h2o_no_such.csv", None),
    ("post", "/3/ParseSetup", {"source_frames": '["nope"]'}),
    ("post", "/3/Parse", {"source_frames": "[]"}),
    ("get", "/3/DownloadDataset?frame_id=nope.hex", None),
    ("post", "/3/PostFile?bogus=1", None),
])
def test_error_responses_match_h2o_error_schema(client, method, url, data):
    reply, body = check(client, method, url, data=data)
    assert reply.status_code >= 400 and body["http_status"] == reply.status_code


def test_the_schema_check_catches_departures():
    with pytest.raises(AssertionError, match="frame_id"):
        assert_matches_schema("/3/Frames", "GET", 200, {"frames": [{"rows": 1}]})
    with pytest.raises(AssertionError, match="documents no 418"):
        assert_matches_schema("/3/Frames/x.hex", "GET", 418, {})
    assert_matches_schema("/3/Jobs/{job_id}", "GET", 404, {
        "http_status": 404, "msg": "m", "dev_msg": "m", "exception_type": "E",
        "exception_msg": "m", "stacktrace": [], "values": {}})
