"""Flask app factory: wires the key store, job runner and route table; errors in H2O-3's shape."""
from __future__ import annotations

import logging
import os
import tempfile
import time
from dataclasses import dataclass, field

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from h2o_backend.engine.errors import EngineError
from h2o_backend.server.errors import ApiError, from_engine_error
from h2o_backend.jobs import JobRunner
from h2o_backend.store import KeyStore

log = logging.getLogger("h2o_backend")


@dataclass
class Services:
    """What handlers use: reached through `current_services()`."""
    store: KeyStore
    jobs: JobRunner
    spool_dir: str
    ip: str = "127.0.0.1"
    port: int = 54321
    cloud_name: str = "h2o_backend"
    start_time: float = field(default_factory=time.time)
    nthreads: int = field(default_factory=lambda: os.cpu_count() or 1)
    cluster: object | None = None     # a cluster.connect.DaskCluster when started with a Dask option


def create_app(config: dict | None = None) -> Flask:
    """Build the application. `config` keys: ip, port, spool_dir, cloud_name, nthreads, and
    dask_scheduler (an address to join) or dask_workers / dask_threads (a local Dask cluster to
    start); without those two, dask is not imported."""
    config = dict(config or {})
    store = KeyStore()
    spool_dir = config.get("spool_dir") or tempfile.mkdtemp(prefix="h2o_backend_spool_")
    services = Services(
        store=store,
        jobs=JobRunner(store),
        spool_dir=spool_dir,
        ip=config.get("ip", "127.0.0.1"),
        port=int(config.get("port", 54321)),
        cloud_name=config.get("cloud_name", "h2o_backend"),
        nthreads=int(config.get("nthreads") or os.cpu_count() or 1),
    )
    if config.get("dask_scheduler") or config.get("dask_workers"):
        from h2o_backend.cluster import connect
        services.cluster = connect.start(config.get("dask_scheduler"), int(config.get("dask_workers") or 0),
                                         int(config.get("dask_threads") or 1))
    app = Flask("h2o_backend", static_folder=None)
    app.config["SERVICES"] = services
    app.json.sort_keys = False
    app.json.compact = True

    from h2o_backend.server.routes import register_routes
    register_routes(app)
    _register_error_handlers(app)
    return app


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return jsonify(err.to_json()), err.status

    @app.errorhandler(EngineError)
    def _engine_error(err: EngineError):
        api = from_engine_error(err)
        return jsonify(api.to_json()), api.status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        api = ApiError(err.code or 500, err.description or err.name,
                       exception_type=type(err).__name__)
        return jsonify(api.to_json()), api.status

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error")
        api = ApiError(500, f"{type(err).__name__}: {err}", exception_type=type(err).__name__)
        return jsonify(api.to_json()), 500
