"""The web interface's files are served on the REST port with the right content types."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from h2o_backend.server.handlers.webui import CONTENT_TYPES, STATIC_DIR

IMPORT = re.compile(r"""^\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["'];?""", re.MULTILINE)
EXPECTED_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}


def static_files() -> list[Path]:
    return sorted(p for p in STATIC_DIR.rglob("*") if p.is_file())


def test_index_is_html_that_loads_the_app_module(client):
    for url in ("/", "/index.html"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "text/html"
        assert response.mimetype_params.get("charset") == "utf-8"
        body = response.get_data(as_text=True)
        assert '<script type="module" src="/webui/js/app.js">' in body
        assert 'href="/webui/css/app.css"' in body
        assert "http://" not in body and "https://" not in body  # nothing from the internet


def test_head_of_index(client):
    response = client.head("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("path", static_files(), ids=lambda p: str(p.relative_to(STATIC_DIR)))
def test_every_asset_is_served_with_its_content_type(client, path):
    relative = path.relative_to(STATIC_DIR).as_posix()
    assert path.suffix in CONTENT_TYPES, f"{relative}: no content type for {path.suffix}"
    response = client.get(f"/webui/{relative}")
    assert response.status_code == 200
    assert response.mimetype == EXPECTED_TYPES.get(path.suffix, CONTENT_TYPES[path.suffix])
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.data == path.read_bytes()


def test_module_imports_resolve_to_served_files():
    """Every `import ... from "./x.js"` in the app names a file that exists (no CDN, no bare names)."""
    scripts = [p for p in static_files() if p.suffix == ".js"]
    assert scripts
    for script in scripts:
        for target in IMPORT.findall(script.read_text(encoding="utf-8")):
            assert target.startswith("."), f"{script.name} imports {target!r}: only relative modules"
            assert (script.parent / target).resolve().is_file(), f"{script.name} imports missing {target}"


@pytest.mark.parametrize("url", [
    "/webui/nope.js",
    "/webui/../server/app.py",
    "/webui/%2e%2e/server/app.py",
    "/webui/%2e%2e/%2e%2e/__init__.py",
    "/webui/js",
])
def test_unknown_or_escaping_assets_are_404_errors(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json()["http_status"] == 404


def test_no_asset_reaches_the_internet():
    """No CDN: no file of the app names a remote address (the SVG namespace is a name, not a fetch)."""
    remote = re.compile(r"(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
    for path in static_files():
        text = path.read_text(encoding="utf-8").replace("http://www.w3.org/2000/svg", "")
        assert not remote.search(text), f"{path.name}: {remote.search(text).group(0)}"
