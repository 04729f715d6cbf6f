"""GET /3/Cloud, GET /3/About, HEAD / — what the cluster is and whether it is up; POST /3/Shutdown."""
from __future__ import annotations

import time

from flask import jsonify

from h2o_backend import __version__
from h2o_backend.server.context import services
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import request_params
from h2o_backend.server.node_status import node_status
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import meta


def get_cloud():
    """One node (this process), or one per Dask worker when the server trains on a Dask cluster."""
    svc = services()
    nodes = _worker_nodes(svc) if svc.cluster is not None else [node_status(svc)]
    return jsonify({
        "__meta": meta("CloudV3"),
        "version": __version__,
        "branch_name": "main",
        "build_number": "0",
        "build_age": "0 days",
        "build_too_old": False,
        "node_idx": 0,
        "cloud_name": svc.cloud_name,
        "cloud_size": len(nodes),
        "cloud_uptime_millis": int((time.time() - svc.start_time) * 1000),
        "cloud_internal_timezone": "UTC",
        "datafile_parser_timezone": "UTC",
        "cloud_healthy": bool(nodes) and all(n["healthy"] for n in nodes),
        "bad_nodes": sum(1 for n in nodes if not n["healthy"]),
        "consensus": True,
        "locked": True,
        "is_client": False,
        "nodes": nodes,
        "internal_security_enabled": False,
    })


def _worker_nodes(svc) -> list[dict]:
    """The Dask workers as nodes, each with the bytes of cluster frames' chunks it holds
    (``mem_value_size``, H2O-3's memory used by the node's values)."""
    from h2o_backend.cluster import frames as cluster_frames
    from h2o_backend.frames.cluster_frame import ClusterFrame
    held = cluster_frames.bytes_by_worker(svc.cluster, svc.store.values(ClusterFrame))
    by_host_port = {address.split("://", 1)[-1]: size for address, size in held.items()}
    nodes = svc.cluster.nodes()
    for node in nodes:
        node["mem_value_size"] = int(by_host_port.get(node["ip_port"], 0))
    return nodes


def get_about():
    svc = services()
    entries = [
        ("Build project version", __version__),
        ("Built by", "h2o_backend"),
        ("Cloud name", svc.cloud_name),
    ]
    return jsonify({"__meta": meta("AboutV3"),
                    "entries": [{"name": n, "value": v} for n, v in entries]})


def post_shutdown():
    """H2O-3's ShutdownV3 (no fields): answers, then the server stops cleanly — running jobs
    cancelled, saves in flight finished, spool removed (server/housekeeping.py)."""
    reject_unknown(request_params(), (), "ShutdownV3")
    services().lifecycle.request_shutdown()
    return jsonify({"__meta": meta("ShutdownV3", "Shutdown")})


ROUTES = [
    Route("GET", "/3/Cloud", get_cloud),
    Route("GET", "/3/About", get_about),
    Route("POST", "/3/Shutdown", post_shutdown),
]
