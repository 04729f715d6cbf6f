"""Rejecting parameters an endpoint does not know, as H2O-3 does (412, naming the parameter), and
options this server knows but does not support (400)."""
from __future__ import annotations

from h2o_backend.server.errors import ApiError, bad_request
from h2o_backend.server.params import get_bool

# Accepted by every endpoint: H2O-3's generic response filter (this server answers every field).
GENERIC = frozenset({"_exclude_fields"})


def reject_unknown(params: dict, allowed, schema: str) -> None:
    unknown = sorted(set(params) - set(allowed) - GENERIC)
    if unknown:
        raise ApiError(412, f"Unknown parameter: {unknown[0]}", field=unknown[0],
                       values={"schema": schema, "unknown": unknown})


def reject_cv_predictions_export(params: dict) -> None:
    if get_bool(params, "export_cross_validation_predictions", False):
        raise bad_request("export_cross_validation_predictions is not supported: this server does not keep "
                          "cross-validation predictions", field="export_cross_validation_predictions")
