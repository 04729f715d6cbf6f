"""H2O-3's ``reproducibility_information_table`` of a model: three tables recorded when the model
is stored after training: the nodes that trained it (Node Information), the cloud (Cluster
Configuration) and the input frames' checksums and row layout (Input Frames Information: the
training and validation frames; -1 for one not given or no longer in the store)."""
from __future__ import annotations

import locale
import os
import platform
import sys
import time

from h2o_backend import __version__
from h2o_backend.engine.metrics.tables import column, two_dim_table
from h2o_backend.frames.checksum import frame_checksum
from h2o_backend.frames.frame import Frame
from h2o_backend.server.memory import resident_bytes
from h2o_backend.server.node_status import node_status

_NODE_COLUMNS = [("node", "int"), ("h2o", "string"), ("healthy", "string"), ("last_ping", "string"),
                 ("num_cpus", "int"), ("sys_load", "double"), ("mem_value_size", "long"), ("free_mem", "long"),
                 ("pojo_mem", "long"), ("swap_mem", "long"), ("free_disc", "long"), ("max_disc", "long"),
                 ("pid", "int"), ("num_keys", "int"), ("tcps_active", "string"), ("open_fds", "int"),
                 ("rpcs_active", "string"), ("nthreads", "int"), ("is_leader", "string"), ("total_mem", "long"),
                 ("max_mem", "long"), ("java_version", "string"), ("jvm_launch_parameters", "string"),
                 ("os_version", "string"), ("machine_physical_mem", "long"), ("machine_locale", "string")]
_CLUSTER_COLUMNS = [("h2o_cluster_uptime", "long"), ("h2o_cluster_timezone", "string"),
                    ("h2o_data_parsing_timezone", "string"), ("h2o_cluster_version", "string"),
                    ("h2o_cluster_version_age", "string"), ("h2o_cluster_name", "string"),
                    ("h2o_cluster_total_nodes", "int"), ("h2o_cluster_free_memory", "long"),
                    ("h2o_cluster_total_cores", "int"), ("h2o_cluster_allowed_cores", "int"),
                    ("h2o_cluster_status", "string"), ("h2o_internal_security", "string"),
                    ("h2o_api_extensions", "string")]
_FRAME_COLUMNS = [("input_frame", "string"), ("checksum", "long"), ("espc", "string")]


def _table(name: str, columns, rows) -> dict:
    specs = [column("", "string", keep_name=True)] + [column(n, t, keep_name=True) for n, t in columns]
    return two_dim_table(name, specs, [[""] + row for row in rows])


def _physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def _node_row(index: int, node: dict) -> list:
    runtime = f"Python {platform.python_version()} ({platform.python_implementation()})"
    return [index, node.get("h2o"), str(bool(node.get("healthy"))).lower(), str(node.get("last_ping")),
            node.get("num_cpus"), node.get("sys_load"), node.get("mem_value_size"), node.get("free_mem"),
            node.get("pojo_mem"), node.get("swap_mem"), node.get("free_disk"), node.get("max_disk"),
            node.get("pid"), node.get("num_keys"), str(node.get("tcps_active")), node.get("open_fds"),
            str(node.get("rpcs_active")), node.get("nthreads"), str(index == 0).lower(), resident_bytes(),
            node.get("max_mem"), runtime, str(sys.argv[1:]),
            f"{platform.system()} {platform.release()} ({platform.machine()})", _physical_memory(),
            (locale.getlocale()[0] or "en").split("_")[0]]


def _cluster_row(svc, nodes: list[dict]) -> list:
    healthy = all(n.get("healthy") for n in nodes)
    return [int((time.time() - svc.start_time) * 1000), "Etc/UTC", "UTC", __version__, "0 days", svc.cloud_name,
            len(nodes), sum(int(n.get("free_mem") or 0) for n in nodes),
            sum(int(n.get("num_cpus") or 0) for n in nodes), sum(int(n.get("nthreads") or 0) for n in nodes),
            f"locked, {'healthy' if healthy else 'unhealthy'}", "false", ""]


def _frame_row(name: str, frame, metrics: dict | None) -> list:
    if frame is None:
        return [name, -1, "-1"]
    # the checksum the training stamped on the frame's metrics, else computed now
    checksum = (metrics or {}).get("frame_checksum") or frame_checksum(frame)
    return [name, checksum, f"[0, {frame.nrows}]"]    # one chunk of all the rows


def information_tables(svc, model) -> list[dict]:
    nodes = svc.cluster.nodes() if svc.cluster is not None else [node_status(svc)]
    frames = [(name, svc.store.get(key, Frame) if key else None, model.output.get(metrics)) for name, key, metrics in
              (("training_frame", getattr(model.params, "training_frame", None), "training_metrics"),
               ("validation_frame", getattr(model.params, "validation_frame", None), "validation_metrics"))]
    return [_table("Node Information", _NODE_COLUMNS, [_node_row(i, n) for i, n in enumerate(nodes)]),
            _table("Cluster Configuration", _CLUSTER_COLUMNS, [_cluster_row(svc, nodes)]),
            _table("Input Frames Information", _FRAME_COLUMNS, [_frame_row(*row) for row in frames])]
