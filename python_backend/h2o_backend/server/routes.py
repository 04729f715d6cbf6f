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

from flask import Flask

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
    for route in all_routes():
        endpoint = f"{route.method} {route.path}"
        app.add_url_rule(route.flask_path or to_flask_path(route.path), endpoint=endpoint,
                         view_func=route.view, methods=[route.method])
