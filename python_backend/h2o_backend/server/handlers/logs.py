"""The server's log as H2O-3's clients reach it: POST /3/LogAndEcho (h2o.log_and_echo: a message
into the log, echoed back), GET /3/Logs/nodes/{nodeidx}/files/{name} (one named log of a node:
server/server_log.py), GET /3/Logs/download[/{container}] (h2o.download_all_logs: ZIP or LOG),
and GET /3/Timeline (server/timeline.py)."""
from __future__ import annotations

import logging
import time

from flask import Response, jsonify

from h2o_backend.server import server_log
from h2o_backend.server.context import services
from h2o_backend.server.errors import ApiError, bad_request
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import get_str, request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import meta

log = logging.getLogger("h2o_backend")
THIS_NODE = ("self", "-1", "0")


def _node_name() -> str:
    svc = services()
    return f"node0_{svc.ip}_{svc.port}"


def log_and_echo():
    params = request_params()
    reject_unknown(params, {"message"}, "LogAndEchoV3")
    message = get_str(params, "message") or ""
    log.info("%s", message)
    return jsonify({"__meta": meta("LogAndEchoV3"), "message": message})


def fetch_log(nodeidx: str, name: str):
    reject_unknown(request_params(), (), "LogsV3")
    if nodeidx not in THIS_NODE:
        raise ApiError(404, f"Node '{nodeidx}' not found: this server is one node (self, or 0)", field="nodeidx")
    if name not in server_log.NAMES:
        raise ApiError(404, f"Log '{name}' not found; this server's logs are: {', '.join(server_log.NAMES)}",
                       field="name")
    text = server_log.named_log(name)
    if text is None:
        raise ApiError(404, "This server writes no log file (it runs inside another program, not from its "
                            "command line)", field="name")
    return jsonify({"__meta": meta("LogsV3"), "nodeidx": nodeidx, "name": name, "log": text})


def download_logs(container: str = "ZIP"):
    reject_unknown(request_params(), (), "LogsV3")
    if container not in ("ZIP", "LOG"):
        raise bad_request(f"container must be ZIP or LOG, got '{container}'", field="container")
    base = server_log.archive_name()
    if container == "LOG":
        return Response(server_log.text_download(_node_name(), base), mimetype="text/plain",
                        headers={"Content-Disposition": f"attachment; filename={base}.log"})
    return Response(server_log.zip_download(_node_name(), base), mimetype="application/octet-stream",
                    headers={"Content-Disposition": f"attachment; filename={base}.zip"})


def timeline():
    reject_unknown(request_params(), (), "TimelineV3")
    svc = services()
    return jsonify({"__meta": meta("TimelineV3", "Timeline"), "now": int(time.time() * 1000),
                    "self": f"{svc.ip}:{svc.port}", "events": svc.timeline.events()})


ROUTES = [
    Route("POST", "/3/LogAndEcho", log_and_echo),
    Route("GET", "/3/Logs/nodes/{nodeidx}/files/{name}", fetch_log),
    Route("GET", "/3/Logs/download", download_logs),
    Route("GET", "/3/Logs/download/{container}", download_logs),
    Route("GET", "/3/Timeline", timeline),
]
