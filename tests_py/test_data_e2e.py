"""End to end against a real server process (waitress, HTTP): upload, parse, summary, download."""
from __future__ import annotations

import csv
import io

import requests

from conftest import finished_job


def test_upload_parse_summary_download(server, data_dir):
    url = server.url
    payload = (data_dir / "weather.csv").read_bytes()
    up = requests.post(f"{url}/3/PostFile.bin", params={"destination_frame": "weather.csv"},
                       files={"file": ("weather.csv", payload)}, timeout=30).json()
    assert up["total_bytes"] == len(payload)
    setup = requests.post(f"{url}/3/ParseSetup", data={"source_frames": '["weather.csv"]'}, timeout=30).json()
    assert setup["separator"] == 44 and setup["column_types"][15] == "Enum"
    parse = requests.post(f"{url}/3/Parse", data={
        "source_frames": '["weather.csv"]', "destination_frame": "weather.hex",
        "column_names": str(setup["column_names"]).replace("'", '"'),
        "column_types": str(setup["column_types"]).replace("'", '"'),
        "separator": setup["separator"], "check_header": setup["check_header"],
        "number_columns": setup["number_columns"], "chunk_size": setup["chunk_size"]}, timeout=30).json()
    job = finished_job(url, parse["job"]["key"]["name"], timeout=60.0)
    assert job["status"] == "DONE", job
    summary = requests.get(f"{url}/3/Frames/weather.hex/summary", timeout=30).json()["frames"][0]
    assert summary["rows"] == 355 and len(summary["columns"]) == 24
    temp_dir = summary["columns"][15]
    assert temp_dir["domain"] == ["down", "up"] and temp_dir["histogram_bins"] == [8, 347]
    text = requests.get(f"{url}/3/DownloadDataset", params={"frame_id": "weather.hex"}, timeout=30).text
    rows = list(csv.reader(io.StringIO(text)))
    original = list(csv.reader(io.StringIO(payload.decode())))
    assert rows[0] == original[0] and len(rows) == len(original)
    number = lambda v: None if v in ("", "NA") else float(v)  # noqa: E731
    for got, want in zip(rows[1:], original[1:]):
        assert [number(g) for g in got[1:15]] == [number(w) for w in want[1:15]]
        assert [g or "NA" for g in got[15:19]] == want[15:19]        # NA reads back as missing
    missing = requests.get(f"{url}/3/Frames/nothere.hex", timeout=10)
    assert missing.status_code == 404 and "nothere.hex" in missing.json()["msg"]
    assert requests.get(f"{url}/3/Cloud", timeout=10).status_code == 200
