"""Helpers shared by the REST tests of models, predictions, grids and saved models.

Each works with the in-process Flask test client (`client` fixture) or, through `HttpClient`,
with a real server process (`server` fixture), so one test body can drive either.
"""
from __future__ import annotations

import json
import time

import requests

from protocol_schema import assert_matches_schema

TINY = {"hidden": "[3]", "epochs": "1", "seed": "7", "reproducible": "true"}


class HttpResponse:
    """The bits of a Flask test response the helpers use, for a `requests` response."""

    def __init__(self, reply: requests.Response):
        self.status_code = reply.status_code
        self.data = reply.content
        self.mimetype = reply.headers.get("Content-Type", "").split(";")[0]
        self.headers = reply.headers
        self._reply = reply

    def get_json(self):
        return self._reply.json()


class HttpClient:
    """`client`-like access to a real server process: get/post/delete with query_string and data."""

    def __init__(self, url: str):
        self.url = url

    def _call(self, method: str, path: str, query_string=None, data=None, timeout: float = 60):
        return HttpResponse(requests.request(method, self.url + path, params=query_string, data=data,
                                             timeout=timeout))

    def get(self, path, query_string=None):
        return self._call("GET", path, query_string)

    def post(self, path, data=None, query_string=None):
        return self._call("POST", path, query_string, data)

    def delete(self, path):
        return self._call("DELETE", path)


def checked(client, method: str, path: str, expected: int = 200, **kw):
    """Call the endpoint, assert the status and that the body matches protocol/openapi.yaml."""
    reply = getattr(client, method.lower())(path, **kw)
    body = reply.get_json()
    assert reply.status_code == expected, body
    assert_matches_schema(path, method, reply.status_code, body)
    return body


def put_binary_frame(app, key: str, rows: int, seed: int):
    """A frame `key` in the server's store: normal predictors a, b and y = "yes" when a > 0."""
    import numpy as np

    from h2o_backend.frames.frame import Column, Frame
    x = np.random.default_rng(seed).normal(size=(rows, 2))
    frame = Frame(key, [Column("a", "real", x[:, 0]), Column("b", "real", x[:, 1]),
                        Column("y", "enum", (x[:, 0] > 0).astype(np.int32), ["no", "yes"])])
    app.config["SERVICES"].store.put(key, frame)
    return frame


def import_frame(client, path, key: str, **fields) -> dict:
    """ImportFiles + blocking Parse of a server-side file into frame `key`."""
    imported = client.get("/3/ImportFiles", query_string={"path": str(path)}).get_json()
    source = imported["destination_frames"][0]
    reply = client.post("/3/Parse", data={"source_frames": json.dumps([source]), "blocking": "true",
                                          "destination_frame": key, **fields})
    assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def job_of(client, key: str) -> dict:
    return client.get(f"/3/Jobs/{key}").get_json()["jobs"][0]


def wait_job(client, key: str, statuses=("DONE", "FAILED", "CANCELLED"), timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = job_of(client, key)
        if job["status"] in statuses:
            return job
        time.sleep(0.03)
    raise AssertionError(f"job {key} never reached {statuses}: {job_of(client, key)}")


def wait_progress(client, key: str, reached, timeout: float = 30) -> dict:
    """Poll a running job until `reached(job)`; fails if the job ends first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = job_of(client, key)
        assert job["status"] in ("CREATED", "RUNNING"), job
        if reached(job):
            return job
        time.sleep(0.02)
    raise AssertionError(f"job {key} did not get there in time: {job_of(client, key)}")


def build(client, expect_status: str = "DONE", **params) -> dict:
    """POST /3/ModelBuilders/deeplearning with TINY defaults and wait for the job; answers the job."""
    body = checked(client, "POST", "/3/ModelBuilders/deeplearning", data={**TINY, **params})
    job = wait_job(client, body["job"]["key"]["name"])
    assert job["status"] == expect_status, job
    return job


def model_of(client, model_id: str) -> dict:
    return checked(client, "GET", f"/3/Models/{model_id}")["models"][0]


def frame_columns(client, key: str) -> dict[str, list]:
    """All values of a frame by column label (enums as level labels)."""
    frame = client.get(f"/3/Frames/{key}", query_string={"row_count": 100_000}).get_json()["frames"][0]
    out = {}
    for col in frame["columns"]:
        if col["type"] == "enum":
            out[col["label"]] = [None if v is None else col["domain"][v] for v in col["data"]]
        else:
            out[col["label"]] = col["data"]
    return out


def assert_h2o_error(reply, status: int, *needles: str, path: str | None = None, method: str | None = None) -> dict:
    """An H2O-3 error body with this status whose message holds every needle."""
    body = reply.get_json()
    assert reply.status_code == status, body
    assert body["http_status"] == status
    assert body["__meta"]["schema_name"] in ("H2OErrorV3", "H2OModelBuilderErrorV3")
    for needle in needles:
        assert needle in body["msg"], (needle, body["msg"])
    if path is not None:
        assert_matches_schema(path, method, status, body)
    return body


def assert_serving(client) -> None:
    """The server still answers after an error."""
    assert client.get("/3/Cloud").status_code == 200


def classification_error(metrics: dict) -> float:
    """A classifier's error as H2O-3's metrics JSON carries it: the confusion matrix's Totals row,
    Error column (columns: the classes, Error, Rate)."""
    table = metrics["cm"]["table"]
    return table["data"][-2][-1]


def max_f1_threshold(metrics: dict) -> float:
    """A binomial metrics' max-F1 threshold: the "max f1" row of max_criteria_and_metric_scores."""
    table = metrics["max_criteria_and_metric_scores"]
    columns = {c["name"]: table["data"][i] for i, c in enumerate(table["columns"])}
    return columns["threshold"][columns["metric"].index("max f1")]


def epochs_trained(output: dict) -> float:
    """The epochs a model trained: its scoring history's last ``epochs``."""
    table = output["scoring_history"]
    return table["data"][[c["name"] for c in table["columns"]].index("epochs")][-1]
