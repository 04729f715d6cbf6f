"""The route table: every endpoint the server serves, gathered from the handler modules.

Each handler module exposes `ROUTES`, a list of `Route`. Paths use OpenAPI's `{name}`
placeholders; they are converted to Flask's syntax here, so `protocol/openapi.yaml` and the
server can be compared path for path (tests_py/test_protocol.py).
"""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Callable

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

HANDLER_MODULES = [
    "cloud",
    "frames",
    "parse",
    "jobs",
    "models",
    "predictions",
    "grids",
    "export",
    "rapids",
    "missing_inserter",
    "create_frame",
    "put_key",
    "logs",
    "metrics_maker",
    "webui",
    "client_session",
    "logs",
]


@dataclass(frozen=True)
class Route:
    method: str
    path: str          # OpenAPI style, e.g. /3/Frames/{frame_id}
    view: Callable
    flask_path: str | None = None   # override when the path needs a Flask converter (e.g. path:)


def all_routes() -> list[Route]:
    routes: list[Route] = []
    for name in HANDLER_MODULES:
        routes.extend(importlib.import_module(f"h2o_backend.server.handlers.{name}").ROUTES)
    return routes


def to_flask_path(path: str) -> str:
    return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", r"<\1>", path)


def register_routes(app: Flask) -> None:
    """Every route, and for every documented path an OPTIONS answer listing that path's methods.

    Flask's automatic OPTIONS (and a 405's method list) would take the methods of every rule the
    URL matches: /3/Frames/x/summary also matches /3/Frames/<path:frame_id>, so DELETE was
    advertised for the summary. Here a URL's methods are those of the documented path it is."""
    methods_of: dict[str, list[str]] = {}
    flask_path_of: dict[str, str] = {}
    for route in all_routes():
        flask_path = route.flask_path or to_flask_path(route.path)
        app.add_url_rule(flask_path, endpoint=f"{route.method} {route.path}", view_func=route.view,
                         methods=[route.method], provide_automatic_options=False)
        methods_of.setdefault(route.path, []).append(route.method)
        flask_path_of.setdefault(route.path, flask_path)
    for path, methods in methods_of.items():
        allow = _allow_header(methods)
        app.add_url_rule(flask_path_of[path], endpoint=f"OPTIONS {path}", view_func=_options_view(allow),
                         methods=["OPTIONS"], provide_automatic_options=False)
    app.config["ALLOW_OF_PATH"] = {path: _allow_header(methods) for path, methods in methods_of.items()}


def _allow_header(methods: list[str]) -> str:
    """The documented methods, HEAD with GET (as every HTTP server answers it), and OPTIONS."""
    allowed = set(methods) | {"OPTIONS"} | ({"HEAD"} if "GET" in methods else set())
    return ", ".join(sorted(allowed))


def _options_view(allow: str):
    def answer_options(**_):
        return Response(status=200, headers={"Allow": allow})
    return answer_options


def allow_header_for(app: Flask, url_path: str) -> str | None:
    """The Allow header of the documented path that ``url_path`` is, None for an unknown URL."""
    try:
        endpoint, _ = app.url_map.bind("").match(url_path, method="OPTIONS")
    except HTTPException:
        return None
    return app.config["ALLOW_OF_PATH"].get(endpoint.partition(" ")[2])
