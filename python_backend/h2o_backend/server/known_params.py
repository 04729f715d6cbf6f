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


def reject_unsupported_auc_type(params: dict) -> None:
    """H2O-3's auc_type (the multinomial AUC flavours; the official client sends `none`): this server
    computes the binomial AUC only, which AUTO and NONE both mean."""
    value = str(params.get("auc_type") or "AUTO")
    if value.upper() not in ("AUTO", "NONE"):
        raise bad_request(f"auc_type = {value} is not supported by this server (no multinomial AUC); "
                          "supported: AUTO, NONE", field="auc_type")


def reject_parallel_grid(raw: dict) -> None:
    """H2O-3's grid `parallelism` (models built at once; the client sends 1): this server builds
    grid models one at a time. Removes the field from `raw`."""
    value = str(raw.pop("parallelism", None) or "1").strip()
    if value != "1":
        raise bad_request(f"parallelism = {value} is not supported by this server, which builds grid models "
                          "one at a time; supported: 1", field="parallelism")
