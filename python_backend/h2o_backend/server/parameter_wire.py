"""Wire values -> typed DeepLearningParameters (``parse_parameters``).

Values arrive as strings from forms and query strings (``"[200,200]"``, ``"true"``, ``"1e-5"``,
``"Inf"``, ``'["a","b"]'``, legacy comma lists ``"ID,GLEASON"``) or already typed from JSON bodies
and grid hyper-parameters (lists, numbers, booleans). Only types are checked here; ranges and
everything that needs the data are ``validate``'s job. Names starting with ``_`` (H2O-3's generic
request fields such as ``_exclude_fields``) are skipped; any other unknown name is an error.
"""
from __future__ import annotations

import json
import math

from h2o_backend.engine.parameters.table import ALIASES, SPECS, DeepLearningParameters, ParamSpec

TRUE = ("true", "1", "t", "yes")
FALSE = ("false", "0", "f", "no")
NULL = ("", "null", "none")
INFINITIES = {"inf": math.inf, "+inf": math.inf, "infinity": math.inf, "+infinity": math.inf,
              "-inf": -math.inf, "-infinity": -math.inf}


class WireError(ValueError):
    """A value that cannot be read as its parameter's type."""


def parse_parameters(raw: dict) -> tuple[object, list[dict]]:
    """(params, problems): every known name parsed into a fresh DeepLearningParameters; problems
    are ``{"field", "level": "ERRR", "message"}``. Parameters with bad values keep their default."""
    params = DeepLearningParameters()
    problems: list[dict] = []
    for name, value in (raw or {}).items():
        if name.startswith("_"):
            continue
        name = ALIASES.get(name, name)
        spec = SPECS.get(name)
        if spec is None:
            problems.append(_error(name, f"Unknown parameter: {name} is not a deep learning parameter"))
            continue
        try:
            setattr(params, name, parse_value(spec, value))
        except WireError as exc:
            problems.append(_error(name, str(exc)))
    return params, problems


def _error(name: str, message: str) -> dict:
    return {"field": name, "level": "ERRR", "message": message}


def parse_value(spec: ParamSpec, value):
    """One wire value of ``spec``'s type (None / empty / "null" -> the parameter's default, or
    None where None is a valid value)."""
    if value is None or (isinstance(value, str) and value.strip().lower() in NULL):
        return None if spec.nullable else _copy(spec.default)
    reader = _READERS.get(spec.type)
    if reader is None:
        raise WireError(f"{spec.name}: unsupported parameter type {spec.type}")
    return reader(spec, value)


def _copy(value):
    return list(value) if isinstance(value, list) else value


# ---------------------------------------------------------------------------- scalars
def read_bool(spec: ParamSpec, value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise WireError(f"{spec.name}: '{value}' is not a valid boolean value; use true/false (or 1/0)")


def read_float(spec: ParamSpec, value) -> float:
    if isinstance(value, bool):
        raise WireError(f"{spec.name}: expected a number, got the boolean {value}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip()
        if text.lower() in INFINITIES:
            return INFINITIES[text.lower()]
        try:
            number = float(text)
        except ValueError:
            raise WireError(f"{spec.name}: '{value}' is not a number") from None
    if math.isnan(number):
        raise WireError(f"{spec.name}: NaN is not allowed")
    return number


def read_int(spec: ParamSpec, value) -> int:
    if isinstance(value, bool):
        raise WireError(f"{spec.name}: expected an integer, got the boolean {value}")
    if isinstance(value, int):
        return value
    try:
        number = read_float(spec, value)
    except WireError:
        raise WireError(f"{spec.name}: '{value}' is not an integer") from None
    if not math.isfinite(number) or number != math.floor(number):
        raise WireError(f"{spec.name}: '{value}' is not an integer")
    return int(number)


def _enum_form(text: str) -> str:
    """H2O-3 compares enum names without case or underscores (the client sends `uniform_adaptive`
    for UniformAdaptive, `auto` for AUTO)."""
    return text.replace("_", "").lower()


def read_enum(spec: ParamSpec, value) -> str:
    text = str(value).strip()
    for choice in spec.choices:
        if text == choice:
            return choice
    for choice in spec.choices:
        if _enum_form(text) == _enum_form(choice):
            return choice
    raise WireError(f"{spec.name}: '{value}' is not a valid value; expected one of {', '.join(spec.choices)}")


def read_name(spec: ParamSpec, value) -> str:
    """Keys and column names: a string, or H2O-3's {"name": ...} / {"column_name": ...} objects."""
    if isinstance(value, dict):
        for key in ("name", "column_name"):
            if isinstance(value.get(key), str):
                return value[key]
        raise WireError(f"{spec.name}: expected a name, got {json.dumps(value)}")
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return read_name(spec, value[0])
        raise WireError(f"{spec.name}: expected one name, got {len(value)} values")
    text = str(value).strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    return text


# ---------------------------------------------------------------------------- lists
def _items(spec: ParamSpec, value) -> list:
    """The elements of a list value: a Python list, JSON text, H2O's [a,b] or a comma list."""
    if isinstance(value, (list, tuple)):
        items = list(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        items = [value]
    else:
        text = str(value).strip()
        if text.startswith("("):
            raise WireError(f"{spec.name}: '{value}' looks like a legacy grid list; give one value here "
                            "and several values as grid hyper_parameters")
        try:
            parsed = json.loads(text)
            items = parsed if isinstance(parsed, list) else [parsed]
        except ValueError:
            inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
            items = [t.strip() for t in inner.split(",")] if inner.strip() else []
    for item in items:
        if isinstance(item, (list, tuple, dict)):
            raise WireError(f"{spec.name}: nested lists are not a value of {spec.type}; several values "
                            "belong in grid hyper_parameters")
    return items


def read_number_list(spec: ParamSpec, value) -> list:
    element = read_int if spec.type == "int[]" else read_float
    items = _items(spec, value)
    try:
        return [element(spec, item) for item in items]
    except WireError as exc:
        raise WireError(f"{exc} (in the list {value!r})") from None


def read_string_list(spec: ParamSpec, value) -> list[str]:
    out = []
    for item in _items(spec, value):
        text = str(item).strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            text = text[1:-1]
        if text:
            out.append(text)
    return out


NULL_ITEMS = ("", "null", "none", "na")


def read_key_list(spec: ParamSpec, value) -> list:
    """Frame keys, one per weight layer; null / None / NA / "" entries (H2O-3: that layer starts
    at random) become None."""
    out = []
    for item in _items(spec, value):
        text = "" if item is None else str(item).strip()
        if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
            text = text[1:-1]
        out.append(None if text.lower() in NULL_ITEMS else text)
    return out


_READERS = {
    "boolean": read_bool, "double": read_float, "float": read_float, "int": read_int, "long": read_int,
    "enum": read_enum, "int[]": read_number_list, "double[]": read_number_list, "float[]": read_number_list,
    "string[]": read_string_list, "Key<Frame>[]": read_key_list, "Key<Frame>": read_name, "Key<Model>": read_name,
    "VecSpecifier": read_name, "string": read_name,
}
