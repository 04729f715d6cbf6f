"""GET /3/Cloud, GET /3/About, HEAD / — what the cluster is and whether it is up."""
from __future__ import annotations

import os
import time

from flask import jsonify

from h2o_backend import __version__
from h2o_backend.server.context import services
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import meta


def _total_memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 0


def _free_memory_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES")
    except (ValueError, OSError):
        return 0


def _node() -> dict:
    svc = services()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return {
        "h2o": f"{svc.ip}:{svc.port}",
        "ip_port": f"{svc.ip}:{svc.port}",
        "healthy": True,
        "last_ping": int(time.time() * 1000),
        "pid": os.getpid(),
        "num_cpus": os.cpu_count() or 1,
        "cpus_allowed": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
        "nthreads": svc.nthreads,
        "sys_load": load,
        "max_mem": _total_memory_bytes(),
        "free_mem": _free_memory_bytes(),
        "num_keys": len(svc.store.keys()),
    }


def get_cloud():
    """One node (this process), or one per Dask worker when the server trains on a Dask cluster."""
    svc = services()
    nodes = svc.cluster.nodes() if svc.cluster is not None else [_node()]
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


def get_about():
    svc = services()
    entries = [
        ("Build project version", __version__),
        ("Built by", "h2o_backend"),
        ("Cloud name", svc.cloud_name),
    ]
    return jsonify({"__meta": meta("AboutV3"),
                    "entries": [{"name": n, "value": v} for n, v in entries]})


ROUTES = [
    Route("GET", "/3/Cloud", get_cloud),
    Route("GET", "/3/About", get_about),
]
