"""The server's own log, as H2O-3's client reads it: POST /3/LogAndEcho (h2o.log_and_echo: a
line in the log), GET /3/Logs/download[/{container}] (h2o.download_all_logs: the log files as a
ZIP, or LOG: one text), GET /3/Logs/nodes/{nodeidx}/files/{name} (one log as text, by H2O-3's
names), and GET /3/Timeline (the requests answered lately, server/timeline.py)."""
from __future__ import annotations

import io
import logging
import os
import time
import zipfile

from flask import Response, jsonify

from h2o_backend.server.context import services
from h2o_backend.server.errors import bad_request, not_found
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import get_str, request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import meta

log = logging.getLogger("h2o_backend")
CONTAINERS = ("ZIP", "LOG")
# H2O-3's log names -> the levels a line must have (None: every line)
LOG_NAMES = {"stdout": None, "stderr": None, "info": None, "debug": None, "httpd": None,
             "warn": ("WARNI", "ERROR", "CRITI"), "error": ("ERROR", "CRITI"), "fatal": ("CRITI",)}


def log_and_echo():
    params = request_params()
    reject_unknown(params, ("message",), "LogAndEchoV3")
    message = get_str(params, "message", "")
    log.info("LogAndEcho: %s", message)
    return jsonify({"__meta": meta("LogAndEchoV3"), "message": message})


def _log_text() -> str:
    path = services().log_path
    if not path or not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()


def download_logs(container: str = "ZIP"):
    reject_unknown(request_params(), (), "LogsV3")
    container = container.upper()
    if container not in CONTAINERS:
        raise bad_request(f"container '{container}' is not one of {', '.join(CONTAINERS)}", field="container")
    stamp = time.strftime("%Y%m%d_%H%M%S")
    name = os.path.basename(services().log_path or "h2o_backend.log")
    if container == "LOG":
        body, filename, mimetype = _log_text().encode(), f"h2ologs_{stamp}.log", "text/plain"
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"h2ologs_{stamp}/{name}", _log_text())
        body, filename, mimetype = buffer.getvalue(), f"h2ologs_{stamp}.zip", "application/zip"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def node_log(nodeidx: str, name: str):
    reject_unknown(request_params(), (), "LogsV3")
    if nodeidx not in ("-1", "0"):
        raise not_found("Node", nodeidx, field="nodeidx")
    if name not in LOG_NAMES:
        raise bad_request(f"log name '{name}' is not one of {', '.join(LOG_NAMES)}", field="name")
    levels = LOG_NAMES[name]
    text = _log_text()
    if levels is not None:
        text = "".join(line for line in text.splitlines(keepends=True) if _level_of(line) in levels)
    return jsonify({"__meta": meta("LogsV3"), "nodeidx": int(nodeidx), "name": name, "log": text})


def _level_of(line: str) -> str | None:
    parts = line.split(" ", 3)          # "date time LEVEL name: message" (cli.setup_logging)
    return parts[2][:5] if len(parts) > 2 else None


def timeline():
    reject_unknown(request_params(), (), "TimelineV3")
    svc = services()
    node = f"{svc.ip}:{svc.port}"
    events = [dict(e, node=node) for e in svc.timeline.events()]
    return jsonify({"__meta": meta("TimelineV3"), "now": int(time.time() * 1000), "self": node,
                    "events": events})


ROUTES = [
    Route("POST", "/3/LogAndEcho", log_and_echo),
    Route("GET", "/3/Logs/download", download_logs),
    Route("GET", "/3/Logs/download/{container}", download_logs),
    Route("GET", "/3/Logs/nodes/{nodeidx}/files/{name}", node_log),
    Route("GET", "/3/Timeline", timeline),
]
