"""Validation gaps found by probing the REST API: uneven CSV rows read as H2O-3 reads them, and
upload paths never shown (the other findings are tested beside their endpoints: non-finite
numbers and checkpoint changes in test_models_rest.py and test_parameters.py, the protocol ones
in test_fuzz_protocol.py)."""
from __future__ import annotations

import io

from protocol_schema import assert_matches_schema


def upload(client, name: str, content: bytes) -> None:
    reply = client.post(f"/3/PostFile.bin?destination_frame={name}",
                        data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")
    assert reply.status_code == 200, reply.get_json()


def test_uneven_rows_parse_as_in_h2o3_and_the_warning_names_the_upload(client, app):
    upload(client, "uneven.csv", b"a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
    reply = client.post("/3/Parse", data={"source_frames": '["uneven.csv"]', "destination_frame": "uneven.hex",
                                          "blocking": "true"})
    body = reply.get_json()
    assert reply.status_code == 200 and body["job"]["status"] == "DONE", body["job"]
    assert body["rows"] == 4
    warnings = body["job"]["warnings"] or []
    note = [w for w in warnings if "more columns than expected" in w]
    assert note and "uneven.csv" in note[0] and "found: 4, expected: 3" in note[0]
    spool = app.config["SERVICES"].spool_dir
    assert all(spool not in w and "upload_" not in w for w in warnings)
    frame = client.get("/3/Frames/uneven.hex?row_count=10").get_json()["frames"][0]
    c = next(col for col in frame["columns"] if col["label"] == "c")
    assert c["missing_count"] == 1


def test_a_failed_parse_job_names_the_upload_not_the_spool_file(client, app):
    upload(client, "text.csv", b"x\n" + "é".encode("latin-1") * 70000 + b"\n")
    reply = client.post("/3/Parse", data={"source_frames": '["text.csv"]', "destination_frame": "t.hex",
                                          "blocking": "true"})
    body = reply.get_json()
    assert_matches_schema("/3/Parse", "POST", reply.status_code, body)
    text = body.get("msg") or body["job"].get("exception") or ""
    assert text, body
    assert "text.csv" in text
    assert app.config["SERVICES"].spool_dir not in text and "upload_" not in text
