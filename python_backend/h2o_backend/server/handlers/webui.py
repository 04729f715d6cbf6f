"""The web interface: GET / serves the single-page app, GET /webui/{asset} its static files.

The app is plain HTML, CSS and JavaScript modules committed under h2o_backend/webui/static/;
nothing is built or downloaded at run time. Only files of the types listed in CONTENT_TYPES
inside that folder are served; anything else answers H2O-3's 404 error JSON.
"""
from __future__ import annotations

from pathlib import Path

from flask import send_file

from h2o_backend.server.errors import ApiError
from h2o_backend.server.routes import Route

STATIC_DIR = Path(__file__).resolve().parents[2] / "webui" / "static"

# Flask adds "; charset=utf-8" to the text types.
CONTENT_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}


def _asset_path(relative: str) -> Path:
    """The file under STATIC_DIR named by `relative`, refusing escapes and unknown types."""
    try:
        candidate = (STATIC_DIR / relative).resolve()
        found = (candidate.is_relative_to(STATIC_DIR) and candidate.is_file()
                 and candidate.suffix in CONTENT_TYPES)
    except (OSError, ValueError):     # a name too long for the file system, a NUL byte: no such file
        found = False
    if not found:
        raise ApiError(404, f"Web interface file '{relative}' not found",
                       exception_type="H2ONotFoundArgumentException", values={"asset": relative})
    return candidate


def _serve(relative: str):
    path = _asset_path(relative)
    response = send_file(path, mimetype=CONTENT_TYPES[path.suffix], max_age=0, conditional=True)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def index():
    return _serve("index.html")


def asset(asset: str):
    return _serve(asset)


ROUTES = [
    Route("GET", "/", index),
    Route("GET", "/index.html", index),
    Route("GET", "/webui/{asset}", asset, flask_path="/webui/<path:asset>"),
]
