"""H2O-3's TwoDimTableV3 as a plain dict (the engine's tables; the REST layer serialises them as is).

Shape: ``name``, ``description``, ``columns`` (each ``{name, type, format, description}``),
``rowcount``, ``data`` (column-major: one list per column). H2O-3 embeds a table's row headers as
an extra first column of type ``string`` and turns column headers into field names ("Hit Ratio"
-> ``hit_ratio``) except in confusion matrices; ``column()`` below does the same.
"""
from __future__ import annotations

import math
import re

META = {"schema_version": 3, "schema_name": "TwoDimTableV3", "schema_type": "TwoDimTable"}
DEFAULT_FORMATS = {"string": "%s", "int": "%d", "long": "%d", "double": "%.5f", "float": "%.5f"}


def pythonify(header: str) -> str:
    """H2O-3's field name for a column header: lower case, words joined by ``_``, no punctuation."""
    words = [w for w in re.split(r"[\s_]+", header) if w != ""]
    return re.sub(r"[^\w]", "", "_".join(w.lower() for w in words))


def column(header: str, type_: str, fmt: str | None = None, *, keep_name: bool = False) -> tuple:
    """A column spec (name, type, format, description) named as H2O-3 names it."""
    name = header if keep_name else pythonify(header)
    return (name, type_, fmt or DEFAULT_FORMATS.get(type_, "%s"), header)


def _spec(col) -> dict:
    if isinstance(col, dict):
        return {"name": col["name"], "type": col["type"],
                "format": col.get("format") or DEFAULT_FORMATS.get(col["type"], "%s"),
                "description": col.get("description", col["name"])}
    name, type_ = col[0], col[1]
    fmt = col[2] if len(col) > 2 and col[2] else DEFAULT_FORMATS.get(type_, "%s")
    description = col[3] if len(col) > 3 else name
    return {"name": name, "type": type_, "format": fmt, "description": description}


def _cell(value, type_: str):
    """Plain Python values: numpy scalars unwrapped, integral types as int (NaN stays float)."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if type_ in ("int", "long") and isinstance(value, float) and math.isfinite(value):
        return int(value)
    return value


def two_dim_table(name: str, columns: list, rows: list[list], description: str = "") -> dict:
    """A TwoDimTableV3 dict from row-major ``rows``.

    ``columns`` items are ``(name, type)``, ``(name, type, format)``, ``(name, type, format,
    description)`` or dicts with those keys; types are H2O-3's (string, int, long, double, float).
    """
    specs = [_spec(c) for c in columns]
    for r, row in enumerate(rows):
        if len(row) != len(specs):
            raise ValueError(f"table {name!r}: row {r} has {len(row)} cells for {len(specs)} columns")
    data = [[_cell(row[i], s["type"]) for row in rows] for i, s in enumerate(specs)]
    return {"__meta": dict(META), "name": name, "description": description or "",
            "columns": specs, "rowcount": len(rows), "data": data}


def table_column(table: dict, name: str) -> list:
    """The values of column ``name`` of a TwoDimTableV3 dict (KeyError if absent)."""
    for spec, values in zip(table["columns"], table["data"]):
        if spec["name"] == name:
            return values
    raise KeyError(name)
