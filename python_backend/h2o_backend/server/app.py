"""Flask app factory: wires the key store, job runner and route table; errors in H2O-3's shape."""
from __future__ import annotations

import logging
import os

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from h2o_backend import install_paths
from h2o_backend.engine.errors import EngineError
from h2o_backend.server.errors import ApiError, from_engine_error
from h2o_backend.server.context import Services
from h2o_backend.server.file_access import FileAccess
from h2o_backend.server.routes import allow_header_for
from h2o_backend.server.housekeeping import make_spool_dir
from h2o_backend.server.memory import MemoryBudget
from h2o_backend.jobs import JobRunner
from h2o_backend.store import KeyStore

log = logging.getLogger("h2o_backend")


def create_app(config: dict | None = None) -> Flask:
    """Build the application. `config` keys: ip, port, spool_dir, cloud_name, nthreads, max_mem
    (bytes; default a share of physical memory), max_upload (bytes; default none), recovery_dir;
    data_dirs (folders requests may read and write files in; default: working folder, home,
    temporary folder), data_urls (URL prefixes ImportFiles may read, through the Dask workers),
    auth_users ({user: bcrypt hash}) or auth_file (htpasswd -B file):
    HTTP basic authentication on every route; dask_scheduler (an address to join) or dask_workers /
    dask_threads (a local Dask cluster to start): without those two, dask is not imported;
    dask_predict_min_rows: predictions on frames of at least this many rows run on the cluster's
    workers (default 100000); allow_custom_code: uploaded Python may run (custom_metric_func)."""
    config = dict(config or {})
    store = KeyStore()
    spool_dir = config.get("spool_dir") or make_spool_dir()
    services = Services(
        store=store,
        jobs=JobRunner(store),
        spool_dir=spool_dir,
        memory=MemoryBudget(store, config.get("max_mem")),
        max_upload=config.get("max_upload"),
        recovery_dir=config.get("recovery_dir"),
        ip=config.get("ip", "127.0.0.1"),
        port=int(config.get("port", 54321)),
        cloud_name=config.get("cloud_name", "h2o_backend"),
        nthreads=int(config.get("nthreads") or os.cpu_count() or 1),
        files=FileAccess(config.get("data_dirs"), spool_dir, config.get("data_urls")),
    )
    services.allow_custom_code = bool(config.get("allow_custom_code"))
    if config.get("dask_predict_min_rows") is not None:
        services.dask_predict_min_rows = int(config["dask_predict_min_rows"])
    if config.get("dask_scheduler") or config.get("dask_workers"):
        from h2o_backend.cluster import connect
        services.cluster = connect.start(config.get("dask_scheduler"), int(config.get("dask_workers") or 0),
                                         int(config.get("dask_threads") or 1))
    app = Flask("h2o_backend", static_folder=None)
    app.config["SERVICES"] = services
    app.json.sort_keys = False
    app.json.compact = True

    from h2o_backend.server import access
    users = dict(config.get("auth_users") or {})
    if config.get("auth_file"):
        users.update(access.read_auth_file(config["auth_file"]))
    access.install(app, access.AccessPolicy(users=users, bind_ip=services.ip))

    from h2o_backend.server import timeline
    timeline.install(app, services.timeline)
    from h2o_backend.server.routes import register_routes
    register_routes(app)
    if services.recovery_dir:
        from h2o_backend.server.recovery import restore
        restore(services)
    _register_error_handlers(app)
    return app


def _register_error_handlers(app: Flask) -> None:
    files: FileAccess = app.config["SERVICES"].files

    def answer(api: ApiError):
        """The error JSON, with the upload spool's internal paths left out of every text."""
        body = api.to_json()
        for name in ("msg", "dev_msg", "exception_msg"):
            body[name] = install_paths.hide(files.hide_spool(body[name]))
        body["values"] = {k: files.hide_spool(v) for k, v in body["values"].items()}
        return jsonify(body), api.status

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        return answer(err)

    @app.errorhandler(EngineError)
    def _engine_error(err: EngineError):
        return answer(from_engine_error(err))

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        body, status = answer(ApiError(err.code or 500, err.description or err.name,
                                       exception_type=type(err).__name__))
        headers = {}
        if isinstance(err, MethodNotAllowed):
            allow = allow_header_for(app, request.path)      # RFC 9110: a 405 lists the methods
            if allow:
                headers["Allow"] = allow
        return body, status, headers

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error")
        return answer(ApiError(500, f"{type(err).__name__}: {err}", exception_type=type(err).__name__))
