"""GET /3/Cloud, GET /3/About, HEAD / — what the cluster is and whether it is up; POST /3/Shutdown."""
from __future__ import annotations

import os
import time

from flask import jsonify

from h2o_backend import __version__
from h2o_backend.server.context import services
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import request_params
from h2o_backend.server.memory import resident_bytes, stored_bytes
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import meta


def _memory_fields(svc) -> dict:
    """H2O-3's NodeV3 memory fields against the --max-mem budget: `max_mem` the budget,
    `mem_value_size` the bytes of the frames and models in the store, `free_mem` what is left of
    the budget after them and the running jobs' reservations, `pojo_mem` the rest of the
    process's resident memory (interpreter, libraries, buffers: H2O's non-DKV heap)."""
    stored = stored_bytes(svc.store)
    return {"max_mem": svc.memory.max_bytes, "free_mem": svc.memory.free(), "mem_value_size": stored,
            "pojo_mem": max(0, resident_bytes() - stored)}


def _disk(path: str):
    try:
        return os.statvfs(path)
    except OSError:
        return None


def _free_disk_bytes(path: str) -> int:
    st = _disk(path)
    return st.f_bavail * st.f_frsize if st else 0


def _max_disk_bytes(path: str) -> int:
    st = _disk(path)
    return st.f_blocks * st.f_frsize if st else 0


def _open_fds() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


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
        **_memory_fields(svc),
        "num_keys": len(svc.store.keys()),
        # the rest of H2O-3's NodeV3 fields that the client's show_status(detailed=True) prints
        "swap_mem": 0,
        "free_disk": _free_disk_bytes(svc.spool_dir),
        "max_disk": _max_disk_bytes(svc.spool_dir),
        "tcps_active": 0,
        "open_fds": _open_fds(),
        "rpcs_active": 0,
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
