"""Data endpoints through the real router (Flask test client): import, upload, parse, frames,
download; every bad input answers a clear H2O-3 error and the server keeps answering."""
from __future__ import annotations

import csv
import io
import json

import pytest


def import_and_parse(client, path: str, **fields) -> dict:
    key = client.get("/3/ImportFiles", query_string={"path": path}).get_json()["destination_frames"][0]
    reply = client.post("/3/Parse", data={"source_frames": json.dumps([key]), "blocking": "true", **fields})
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def assert_error(reply, status: int, *needles: str) -> dict:
    body = reply.get_json()
    assert reply.status_code == status, body
    assert body["http_status"] == status and body["__meta"]["schema_name"] == "H2OErrorV3"
    for needle in needles:
        assert needle in body["msg"], body["msg"]
    return body


def still_serving(client) -> None:
    assert client.get("/3/Cloud").status_code == 200


def test_weather_import_parse_fetch(client, data_dir):
    parsed = import_and_parse(client, str(data_dir / "weather.csv"), destination_frame="weather.hex")
    assert parsed["job"]["status"] == "DONE" and parsed["rows"] == 355
    assert parsed["destination_frame"]["name"] == "weather.hex"
    assert "nfs:/" + str(data_dir / "weather.csv") not in [
        f["frame_id"]["name"] for f in client.get("/3/Frames").get_json()["frames"]]   # delete_on_done
    frame = client.get("/3/Frames/weather.hex?row_offset=1&row_count=2&column_offset=15&column_count=2")
    body = frame.get_json()["frames"][0]
    assert body["rows"] == 355 and body["num_columns"] == 24 and body["row_count"] == 2
    direction = body["columns"][0]
    assert direction["label"] == "ChangeTempDir" and direction["type"] == "enum"
    assert direction["domain"] == ["down", "up"] and direction["data"] == [1, 1]
    assert direction["percentiles"] is None
    evap = client.get("/3/Frames/weather.hex/summary").get_json()["frames"][0]["columns"][1]
    assert evap["missing_count"] == 2 and len(evap["percentiles"]) == 17
    assert evap["mean"] == pytest.approx(4.861189801699716)


def test_missing_values_travel_as_null(client, tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("x,s,e\n1.5,a b,u\nNA,,v\n2,c d,\n3,e f,u\n")
    import_and_parse(client, str(path), destination_frame="m.hex")
    columns = client.get("/3/Frames/m.hex").get_json()["frames"][0]["columns"]
    assert columns[0]["data"] == [1.5, None, 2.0, 3.0]
    assert columns[1]["type"] == "string" and columns[1]["string_data"] == ["a b", None, "c d", "e f"]
    assert columns[1]["data"] is None
    assert columns[2]["type"] == "enum" and columns[2]["data"] == [0, 1, None, 0]


def test_upload_parse_and_download_roundtrip(client, data_dir):
    data = (data_dir / "weather.csv").read_bytes()
    up = client.post("/3/PostFile.bin?destination_frame=w_raw",
                     data={"file": (io.BytesIO(data), "weather.csv")}, content_type="multipart/form-data")
    assert up.get_json() == {**up.get_json(), "destination_frame": "w_raw", "total_bytes": len(data)}
    parsed = client.post("/3/Parse", data={"source_frames": '["w_raw"]', "blocking": "true"}).get_json()
    key = parsed["destination_frame"]["name"]
    assert key == "w_raw.hex" and parsed["rows"] == 355
    csv_text = client.get(f"/3/DownloadDataset?frame_id={key}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(csv_text)))
    original = list(csv.reader(io.StringIO(data.decode())))
    assert rows[0] == original[0] and len(rows) == len(original)
    assert csv_text.splitlines()[0].startswith('"Date","EvapMM"')
    assert rows[1][1:] == original[1][1:] and rows[1][0] == "1194307200000"
    assert float(rows[2][22]) == float(original[2][22])


def test_raw_body_upload_and_bin_alias(client):
    reply = client.post("/3/PostFile?destination_frame=raw_body", data=b"a\n1\n2\n",
                        content_type="application/octet-stream")
    assert reply.get_json()["total_bytes"] == 6
    setup = client.post("/3/ParseSetup", data={"source_frames": '["raw_body"]'}).get_json()
    assert setup["column_names"] == ["a"] and setup["destination_frame"] == "raw_body.hex"


def test_headerless_setup_reports_null_names(client, tmp_path):
    path = tmp_path / "nohdr.csv"
    path.write_text("1,2,3\n4,5,6\n")
    key = client.get("/3/ImportFiles", query_string={"path": str(path)}).get_json()["destination_frames"][0]
    setup = client.post("/3/ParseSetup", data={"source_frames": json.dumps([key])}).get_json()
    assert setup["column_names"] is None and setup["check_header"] == -1
    parsed = client.post("/3/Parse", data={"source_frames": json.dumps([key]), "blocking": "true"}).get_json()
    frame = client.get(f"/3/Frames/{parsed['destination_frame']['name']}").get_json()["frames"][0]
    assert [c["label"] for c in frame["columns"]] == ["C1", "C2", "C3"]


def test_import_folder_and_glob(client, tmp_path):
    for name in ("a.csv", "b.csv", ".hidden.csv"):
        (tmp_path / name).write_text("x\n1\n")
    folder = client.get("/3/ImportFiles", query_string={"path": str(tmp_path)}).get_json()
    assert [f.rsplit("/", 1)[-1] for f in folder["files"]] == ["a.csv", "b.csv"]
    assert folder["destination_frames"][0] == "nfs:/" + str(tmp_path / "a.csv")
    pattern = client.post("/3/ImportFiles", data={"path": str(tmp_path / "*.csv")}).get_json()
    assert len(pattern["files"]) == 2 and pattern["dels"] == folder["destination_frames"]
    multi = client.post("/3/ImportFilesMulti", data={"paths": json.dumps([str(tmp_path / "a.csv")])})
    assert multi.get_json()["paths"] == [str(tmp_path / "a.csv")]


def test_delete_frame_and_dkv(client, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x\n1\n")
    import_and_parse(client, str(path), destination_frame="d.v1.hex")
    assert client.delete("/3/Frames/d.v1.hex").status_code == 200
    assert_error(client.get("/3/Frames/d.v1.hex"), 404, "d.v1.hex")
    raw = client.get("/3/ImportFiles", query_string={"path": str(path)}).get_json()["destination_frames"][0]
    assert client.delete(f"/3/DKV/{raw}").get_json()["key"]["name"] == raw
    assert path.exists()                               # an imported file is never deleted
    assert_error(client.delete(f"/3/DKV/{raw}"), 404, raw)
    import_and_parse(client, str(path), destination_frame="keep.hex")
    import_and_parse(client, str(path), destination_frame="drop.hex")
    client.delete("/3/DKV", query_string={"retained_keys": '["keep.hex"]'})
    names = [f["frame_id"]["name"] for f in client.get("/3/Frames").get_json()["frames"]]
    assert names == ["keep.hex"]


@pytest.mark.parametrize("method,url,data,status,needles", [
    ("get", "/3/Frames/unknown.hex", None, 404, ["unknown.hex"]),
    ("get", "/3/Frames/unknown.hex/summary", None, 404, ["unknown.hex"]),
    ("delete", "/3/Frames/unknown.hex", None, 404, ["unknown.hex"]),
    ("get", "/3/DownloadDataset?frame_id=unknown.hex", None, 404, ["unknown.hex"]),
    ("get", "/3/DownloadDataset", None, 400, ["frame_id"]),
    ("get", "/3/ImportFiles?path=/tmp/h2o_no_such/file.csv", None, 404, ["/tmp/h2o_no_such/file.csv"]),
    ("get", "/3/ImportFiles", None, 400, ["path"]),
    ("post", "/3/ParseSetup", {"source_frames": '["nfs://nope.csv"]'}, 404, ["nfs://nope.csv"]),
    ("post", "/3/Parse", {"source_frames": '["nfs://nope.csv"]'}, 404, ["nfs://nope.csv"]),
    ("post", "/3/ParseSetup", {}, 400, ["source_frames"]),
    ("get", "/3/Frames?bogus=1", None, 412, ["bogus"]),
    ("get", "/3/Jobs/nojob", None, 404, ["nojob"]),
    ("post", "/3/Jobs/nojob/cancel", None, 404, ["nojob"]),
    ("get", "/3/Frames/x.hex?row_count=abc", None, 400, ["row_count", "abc"]),
])
def test_bad_requests_answer_clear_errors(client, method, url, data, status, needles):
    reply = getattr(client, method)(url, data=data)
    assert_error(reply, status, *needles)
    still_serving(client)


def test_bad_setup_values(client, data_dir, tmp_path):
    key = client.get("/3/ImportFiles", query_string={"path": str(data_dir / "weather.csv")}).get_json()
    source = json.dumps(key["destination_frames"])
    body = assert_error(client.post("/3/ParseSetup", data={"source_frames": source, "check_header": "7"}),
                        400, "check_header", "7")
    assert body["values"]["argument"] == "check_header"
    assert_error(client.post("/3/ParseSetup", data={"source_frames": source, "separator": "abc"}),
                 400, "separator", "abc")
    assert_error(client.post("/3/Parse", data={"source_frames": source, "column_types": '["Numeric"]'}),
                 400, "column_types")
    assert_error(client.post("/3/Parse", data={"source_frames": source, "parse_type": "PARQUET"}),
                 400, "parse_type", "PARQUET")
    assert_error(client.post("/3/ParseSetup", data="{not json", content_type="application/json"),
                 400, "Malformed JSON")
    still_serving(client)


@pytest.mark.parametrize("content,needle", [
    (b"", "empty"),
    (bytes(range(256)) * 10, "binary"),
    (b"a,b,a\n1,2,3\n", "duplicate column name a"),
])
def test_bad_files_fail_with_clear_messages(client, tmp_path, content, needle):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    key = client.get("/3/ImportFiles", query_string={"path": str(path)}).get_json()["destination_frames"][0]
    reply = client.post("/3/Parse", data={"source_frames": json.dumps([key]), "blocking": "true"})
    if reply.status_code == 200:               # found while reading: the job fails with it
        job = reply.get_json()["job"]
        assert job["status"] == "FAILED" and needle in job["exception"], job
    else:
        assert_error(reply, 400, needle)
    still_serving(client)
