"""Frames: list, fetch a window, summary, delete, remove keys, download as CSV."""
from __future__ import annotations

import re

from flask import Response, jsonify

from h2o_backend.server.errors import bad_request, not_found
from h2o_backend.frames.csv_writer import frame_csv_chunks
from h2o_backend.frames.cluster_frame import ClusterFrame
from h2o_backend.frames.frame import Frame, RawFile
from h2o_backend.parse.imports import remove_key
from h2o_backend.jobs import Job
from h2o_backend.server import frame_json
from h2o_backend.server.context import services
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.lookup import get_frame
from h2o_backend.server.params import get_bool, get_int, get_list, get_str, request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import meta

WINDOW_FIELDS = ("row_offset", "row_count", "column_offset", "column_count", "full_column_count")


def list_frames():
    reject_unknown(request_params(), (), "FramesListV3")
    store = services().store
    values = store.values(Frame) + store.values(ClusterFrame) + store.values(RawFile)
    values.sort(key=lambda v: v.key)
    return jsonify({"__meta": meta("FramesListV3", "Frames"),
                    "frames": [frame_json.synopsis(v) for v in values]})


def _window(params: dict) -> dict:
    window = {
        "row_offset": get_int(params, "row_offset", 0, minimum=0),
        "row_count": get_int(params, "row_count", frame_json.DEFAULT_ROW_COUNT, minimum=-1),
        "column_offset": get_int(params, "column_offset", 0, minimum=0),
        "column_count": get_int(params, "column_count", -1, minimum=-1),
    }
    window["data_columns"] = get_int(params, "full_column_count", -1, minimum=-1)
    return window


def fetch_frame(frame_id: str):
    params = request_params()
    reject_unknown(params, WINDOW_FIELDS, "FramesV3")
    window = _window(params)
    frame = get_frame(frame_id, on_cluster=True)
    return jsonify(frame_json.frames_response([frame_json.frame_to_json(frame, rows_of=_cluster_rows, **window)]))


def _cluster_rows(frame, start: int, stop: int) -> Frame:
    from h2o_backend.cluster import frames as cluster_frames
    return cluster_frames.rows(services().cluster, frame, start, stop)


def fetch_light(frame_id: str):
    """GET /3/Frames/{id}/light, what the client's get_frame(light=True) reads to fill its cache:
    the same FrameV3 window as GET /3/Frames/{id} (labels, types, domains, values)."""
    return fetch_frame(frame_id)


def frame_summary(frame_id: str):
    params = request_params()
    reject_unknown(params, WINDOW_FIELDS, "FramesV3")
    window = _window(params)
    frame = get_frame(frame_id, on_cluster=True)
    return jsonify(frame_json.frames_response(
        [frame_json.frame_to_json(frame, with_summary=True, rows_of=_cluster_rows, **window)]))


def delete_frame(frame_id: str):
    reject_unknown(request_params(), (), "FramesV3")
    get_frame(frame_id, on_cluster=True)
    remove_key(services().store, frame_id)
    return jsonify({"__meta": meta("FramesV3", "Frames"), "frames": None})


def remove_one(key: str):
    params = request_params()
    reject_unknown(params, ("cascade",), "RemoveV3")
    get_bool(params, "cascade", True)      # frames and raw files have nothing to cascade to
    if key not in services().store:
        raise not_found("Key", key, field="key")
    value = services().store.get(key)
    if isinstance(value, Job) and value.status in ("CREATED", "RUNNING"):
        raise bad_request(f"Job {key} is still running: cancel it before removing it", field="key")
    remove_key(services().store, key)
    return jsonify({"__meta": meta("RemoveV3"), "key": {"name": key}})


def remove_all():
    """Every key except running jobs and `retained_keys`."""
    params = request_params()
    reject_unknown(params, ("retained_keys",), "RemoveAllV3")
    retained = set(str(k) for k in get_list(params, "retained_keys", []) or [])
    store = services().store
    for key in store.keys():
        value = store.get(key)
        running = isinstance(value, Job) and value.status in ("CREATED", "RUNNING")
        if key not in retained and not running:
            remove_key(store, key)
    return jsonify({"__meta": meta("RemoveAllV3"), "retained_keys": sorted(retained)})


def download_dataset():
    params = request_params()
    reject_unknown(params, ("frame_id", "hex_string", "escape_quotes"), "DownloadDataV3")
    frame = get_frame(get_str(params, "frame_id", required=True), on_cluster=True)
    if get_bool(params, "hex_string", False):
        raise bad_request("hex_string=true is not supported: levels are written as text",
                          field="hex_string")
    if not get_bool(params, "escape_quotes", True):
        raise bad_request("escape_quotes=false is not supported: quotes inside text are always "
                          "doubled (RFC 4180)", field="escape_quotes")
    name = re.sub(r"\.hex$", "", frame.key) + ".csv"
    headers = {"Content-Disposition": f"attachment; filename={name}"}
    parts = None
    if isinstance(frame, ClusterFrame):
        from h2o_backend.cluster import frames as cluster_frames
        parts = cluster_frames.chunk_frames(services().cluster, frame)
    return Response(frame_csv_chunks(frame, parts), mimetype="application/octet-stream", headers=headers)


ROUTES = [
    Route("GET", "/3/Frames", list_frames),
    Route("GET", "/3/Frames/{frame_id}", fetch_frame, "/3/Frames/<path:frame_id>"),
    Route("GET", "/3/Frames/{frame_id}/light", fetch_light, "/3/Frames/<path:frame_id>/light"),
    Route("GET", "/3/Frames/{frame_id}/summary", frame_summary,
          "/3/Frames/<path:frame_id>/summary"),
    Route("DELETE", "/3/Frames/{frame_id}", delete_frame, "/3/Frames/<path:frame_id>"),
    Route("DELETE", "/3/DKV", remove_all),
    Route("DELETE", "/3/DKV/{key}", remove_one, "/3/DKV/<path:key>"),
    Route("GET", "/3/DownloadDataset", download_dataset),
    Route("GET", "/3/DownloadDataset.bin", download_dataset),
]
