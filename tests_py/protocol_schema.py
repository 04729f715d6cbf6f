"""Checking real responses against protocol/openapi.yaml — a helper every area's tests can use:

    from protocol_schema import assert_matches_schema
    r = client.get("/3/Frames/weather.hex")
    assert_matches_schema("/3/Frames/weather.hex", "GET", r.status_code, r.get_json())

`path` may be concrete (/3/Frames/weather.hex) or the documented template
(/3/Frames/{frame_id}); a query string is ignored.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import yaml
from openapi_schema_validator import OAS30Validator

OPENAPI = Path(__file__).resolve().parent.parent / "protocol" / "openapi.yaml"


@functools.lru_cache(maxsize=1)
def openapi() -> dict:
    with open(OPENAPI, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _template_regex(template: str) -> re.Pattern:
    parts = re.split(r"(\{[^}]+\})", template)
    pattern = "".join(".+" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(f"^{pattern}$")


def find_path(path: str) -> str:
    """The documented template matching `path` (the most literal one when several match)."""
    path = path.split("?", 1)[0]
    paths = openapi()["paths"]
    if path in paths:
        return path
    matches = [t for t in paths if _template_regex(t).match(path)]
    if not matches:
        raise AssertionError(f"{path} matches no path of protocol/openapi.yaml")
    return max(matches, key=lambda t: len(re.sub(r"\{[^}]+\}", "", t)))


def _resolve(node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target = openapi()
        for step in node["$ref"][2:].split("/"):
            target = target[step]
        node = target
    return node


def response_schema(path: str, method: str, status: int) -> dict:
    """The JSON schema documented for that response (AssertionError when undocumented)."""
    template = find_path(path)
    operation = openapi()["paths"][template].get(method.lower())
    if operation is None:
        raise AssertionError(f"{method.upper()} {template} is not documented")
    responses = operation.get("responses", {})
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        raise AssertionError(f"{method.upper()} {template} documents no {status} response "
                             f"(documented: {sorted(responses)})")
    content = _resolve(response).get("content", {})
    if "application/json" not in content:
        raise AssertionError(f"{method.upper()} {template} {status} is not documented as JSON")
    return content["application/json"]["schema"]


def _null_allowed(node):
    """OpenAPI 3.0's `{nullable: true, allOf: [...]}` idiom: null, or the composed schema
    (the validator applies `nullable` to the node only, not to its allOf/oneOf/anyOf)."""
    if isinstance(node, list):
        return [_null_allowed(v) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _null_allowed(v) for k, v in node.items()}
    composed = any(k in node for k in ("allOf", "oneOf", "anyOf"))
    if node.get("nullable") is True and composed and "type" not in node:
        rest = {k: v for k, v in node.items() if k != "nullable"}
        return {"anyOf": [{"enum": [None]}, rest]}
    return node


@functools.lru_cache(maxsize=1)
def _components() -> dict:
    return _null_allowed(openapi().get("components", {}))


def assert_matches_schema(path: str, method: str, status: int, body) -> None:
    """Raise AssertionError listing every way `body` departs from the documented schema."""
    schema = _null_allowed(dict(response_schema(path, method, status)))
    schema["components"] = _components()
    validator = OAS30Validator(schema)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        lines = [f"  at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}"
                 for e in errors[:10]]
        raise AssertionError(f"{method.upper()} {path} -> {status} does not match "
                             f"protocol/openapi.yaml:\n" + "\n".join(lines))
