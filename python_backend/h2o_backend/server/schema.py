"""Small helpers shared by handlers to serialise H2O-3 shapes."""
from __future__ import annotations


def meta(schema_name: str, schema_type: str = "Iced", version: int = 3) -> dict:
    return {"schema_version": version, "schema_name": schema_name, "schema_type": schema_type}


def key_ref(name: str | None, type_: str = "Key<Keyed>") -> dict | None:
    if name is None:
        return None
    return {"__meta": meta("KeyV3", "Iced"), "name": name, "type": type_, "URL": None}


def two_dim_table(name: str, columns: list[tuple[str, str]], rows: list[list],
                  description: str = "") -> dict:
    """H2O-3's TwoDimTableV3: `columns` as (name, type); `data` is column-major."""
    data = [[row[i] for row in rows] for i in range(len(columns))]
    return {
        "__meta": meta("TwoDimTableV3", "TwoDimTable"),
        "name": name,
        "description": description,
        "columns": [{"name": n, "type": t, "format": "%s" if t == "string" else "%.5f",
                     "description": n} for n, t in columns],
        "rowcount": len(rows),
        "data": data,
    }
