"""Rejecting parameters an endpoint does not know, as H2O-3 does (412, naming the parameter)."""
from __future__ import annotations

from h2o_backend.errors import ApiError

# Accepted by every endpoint: H2O-3's generic response filter (this server answers every field).
GENERIC = frozenset({"_exclude_fields"})


def reject_unknown(params: dict, allowed, schema: str) -> None:
    unknown = sorted(set(params) - set(allowed) - GENERIC)
    if unknown:
        raise ApiError(412, f"Unknown parameter: {unknown[0]}", field=unknown[0],
                       values={"schema": schema, "unknown": unknown})
