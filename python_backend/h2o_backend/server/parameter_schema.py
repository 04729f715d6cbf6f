"""Deep-learning parameters in H2O-3's ModelParameterSchemaV3 shape (the ``parameters`` listing of
ModelBuilders and of every model): keys as KeyV3, the response as VecSpecifierV3."""
from __future__ import annotations

from h2o_backend.engine.parameters import SPECS, ParamSpec

PARAM_META = {"schema_version": 3, "schema_name": "ModelParameterSchemaV3", "schema_type": "Iced"}
KEY_META = {"schema_version": 3, "schema_name": "KeyV3", "schema_type": "Iced"}
VEC_META = {"schema_version": 3, "schema_name": "VecSpecifierV3", "schema_type": "VecSpecifier"}
FRAME_MEMBERS = {"response_column": ["training_frame", "validation_frame"],
                 "ignored_columns": ["training_frame", "validation_frame"]}


def _key_ref(name, type_: str, url: str):
    if not name:
        return None
    return {"__meta": dict(KEY_META), "name": name, "type": type_, "URL": f"{url}/{name}"}


def wire_value(spec: ParamSpec, value):
    """A parameter value in H2O-3's JSON shape (keys as KeyV3, the response as VecSpecifierV3)."""
    if spec.type == "Key<Frame>":
        return _key_ref(value, "Key<Frame>", "/3/Frames")
    if spec.type == "Key<Frame>[]":     # initial_weights / initial_biases: KeyV3 or null per layer
        return None if value is None else [_key_ref(v, "Key<Frame>", "/3/Frames") for v in value]
    if spec.type == "Key<Model>":
        return _key_ref(value, "Key<Model>", "/3/Models")
    if spec.type == "VecSpecifier":
        return None if not value else {"__meta": dict(VEC_META), "column_name": value, "is_member_of_frames": None}
    return list(value) if isinstance(value, (list, tuple)) else value


def describe(spec, params, input_params=None) -> dict:
    """One ModelParameterSchemaV3 entry for table row ``spec`` (or its name): ``actual_value``
    from ``params`` (the effective parameters), ``input_value`` from ``input_params``."""
    if isinstance(spec, str):
        spec = SPECS[spec]
    return {
        "__meta": dict(PARAM_META),
        "name": spec.name,
        "label": spec.label,
        "help": spec.help,
        "required": spec.required,
        "type": spec.type,
        "default_value": wire_value(spec, spec.default),
        "actual_value": wire_value(spec, getattr(params, spec.name)),
        "input_value": None if input_params is None else wire_value(spec, getattr(input_params, spec.name)),
        "level": spec.level,
        "values": list(spec.choices),
        "is_member_of_frames": list(FRAME_MEMBERS.get(spec.name, [])),
        "is_mutually_exclusive_with": [],
        "gridable": spec.gridable,
    }
