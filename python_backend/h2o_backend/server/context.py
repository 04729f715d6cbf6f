"""The app's services (built by app.create_app, kept in the Flask config) and access to them from
inside a request. Services lives here, not in app.py, so that modules reached from create_app
(recovery, lookup, ...) can import ``services`` without an import cycle through app."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

from flask import current_app

from h2o_backend.jobs import JobRunner
from h2o_backend.server.file_access import FileAccess
from h2o_backend.server.housekeeping import Lifecycle
from h2o_backend.server.memory import MemoryBudget
from h2o_backend.server.timeline import Timeline
from h2o_backend.store import KeyStore


@dataclass
class Services:
    """What handlers use (built by app.create_app): reached through `services()` inside a request."""
    store: KeyStore
    jobs: JobRunner
    spool_dir: str
    memory: MemoryBudget
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    max_upload: int | None = None       # bytes; larger uploads are refused with 413
    recovery_dir: str | None = None     # trained models are also saved there (server/recovery.py)
    ip: str = "127.0.0.1"
    port: int = 54321
    cloud_name: str = "h2o_backend"
    start_time: float = field(default_factory=time.time)
    nthreads: int = field(default_factory=lambda: os.cpu_count() or 1)
    files: FileAccess = field(default_factory=FileAccess)
    cluster: object | None = None     # a cluster.connect.DaskCluster when started with a Dask option
    dask_predict_min_rows: int = 100_000   # frames this large are scored on the cluster's workers
    allow_custom_code: bool = False        # uploaded Python (custom_metric_func) may run (--allow-custom-code)
    timeline: Timeline = field(default_factory=Timeline)   # the recent requests (GET /3/Timeline)


def services() -> Services:
    return current_app.config["SERVICES"]
