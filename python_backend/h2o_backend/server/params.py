"""Reading request parameters the way H2O-3 clients send them.

Parameters arrive in the query string, a form-encoded body or a JSON body. Repeated keys are
joined with commas (what the legacy server did). Lists travel as JSON-like strings
(`["a","b"]`, `[200,200]`) or comma lists; booleans as true/false or 1/0.
"""
from __future__ import annotations

import json
import math

from flask import request

from h2o_backend.server.errors import bad_request


def request_params() -> dict[str, str | object]:
    """All parameters of the current request merged into one dict (JSON values kept as parsed)."""
    merged: dict[str, object] = {}
    for source in (request.args, request.form):
        for key in source.keys():
            values = source.getlist(key)
            merged[key] = ",".join(values) if len(values) > 1 else values[0]
    if request.is_json or (request.data and request.mimetype in ("", "text/plain")
                           and request.data.lstrip()[:1] == b"{"):
        try:
            body = json.loads(request.get_data(as_text=True) or "{}")
        except ValueError as exc:
            raise bad_request(f"Malformed JSON body: {exc}", field="body")
        if not isinstance(body, dict):
            raise bad_request("The JSON body must be an object of parameters", field="body")
        merged.update(body)
    return merged


def get_str(params: dict, name: str, default: str | None = None, required: bool = False) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise bad_request(f"Argument '{name}' is required, but not specified", field=name)
        return default
    if not isinstance(value, str):
        value = str(value)
    return value


def get_bool(params: dict, name: str, default: bool | None = None) -> bool | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    return parse_bool(value, name)


def parse_bool(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise bad_request(f"Argument '{name}': '{value}' is not a valid boolean value. "
                      "Only true, false, 1 and 0 are allowed.", field=name)


def get_int(params: dict, name: str, default: int | None = None, minimum: int | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(str(value).strip()) if not isinstance(value, (int, float)) else int(value)
    except ValueError:
        raise bad_request(f"Argument '{name}': '{value}' is not an integer", field=name)
    if minimum is not None and number < minimum:
        raise bad_request(f"Argument '{name}': {number} must be >= {minimum}", field=name)
    return number


def parse_float(value, name: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    lowered = text.lower()
    if lowered in ("inf", "infinity", "+inf"):
        return math.inf
    if lowered in ("-inf", "-infinity"):
        return -math.inf
    try:
        return float(text)
    except ValueError:
        raise bad_request(f"Argument '{name}': '{value}' is not a number", field=name)


def get_list(params: dict, name: str, default: list | None = None) -> list | None:
    """A list parameter: a JSON list, a JSON-like list `[a,b]` of bare words, or a comma list."""
    value = params.get(name)
    if value is None or value == "":
        return default
    return parse_list(value, name)


def parse_list(value, name: str) -> list:
    if isinstance(value, list):
        return value
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return parsed
        except ValueError:
            pass
        inner = text[1:-1] if text.endswith("]") else None
        if inner is None:
            raise bad_request(f"Argument '{name}': '{value}' is not a valid list", field=name)
        text = inner
    if text == "":
        return []
    return [_strip_quotes(item.strip()) for item in text.split(",")]


def _strip_quotes(item: str) -> str:
    if len(item) >= 2 and item[0] == item[-1] and item[0] in "\"'":
        return item[1:-1]
    return item
