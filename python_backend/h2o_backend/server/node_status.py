"""This process as a node of H2O-3's cloud (NodeV3): GET /3/Cloud lists it; the model's
reproducibility information records it when a model is trained."""
from __future__ import annotations

import os
import time

from h2o_backend.server.memory import resident_bytes, stored_bytes


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


def node_status(svc) -> dict:
    """H2O-3's NodeV3 fields of this process (the node of a one-node cloud)."""
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
