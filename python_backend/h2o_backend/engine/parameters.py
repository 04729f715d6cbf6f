"""Deep-learning parameters: the dataclass, the declarative table, parsing, validation, the
silent adjustments H2O makes before training, and the REST description of each parameter.

Public API (notes/ENGINE_CONTRACT.md):
- ``DeepLearningParameters``: plain dataclass, one field per ``PARAMETERS`` row (H2O names).
- ``PARAMETERS`` / ``SPECS``: the table (``param_table.ParamSpec``); ``CHECKPOINT_MODIFIABLE``.
- ``parse_parameters(raw) -> (params, problems)``: wire values -> typed values.
- ``validate(params, train, valid=None, checkpoint=None) -> problems``.
- ``effective_parameters(params, train=None, valid=None, problem=None, n_nodes=1)``.
- ``describe(spec, params, input_params=None)``: one H2O-3 ModelParameterSchemaV3 entry.
"""
from __future__ import annotations

import copy

from h2o_backend.engine.param_parse import parse_parameters, parse_value  # noqa: F401
from h2o_backend.engine.param_table import (  # noqa: F401
    ACTIVATIONS, CHECKPOINT_FROM_REQUEST, CHECKPOINT_MODIFIABLE, LOSSES, PARAMETERS, SPECS,
    DeepLearningParameters, ParamSpec)
from h2o_backend.engine.param_validate import validate  # noqa: F401

PARAM_META = {"schema_version": 3, "schema_name": "ModelParameterSchemaV3", "schema_type": "Iced"}
KEY_META = {"schema_version": 3, "schema_name": "KeyV3", "schema_type": "Iced"}
VEC_META = {"schema_version": 3, "schema_name": "VecSpecifierV3", "schema_type": "VecSpecifier"}
FRAME_MEMBERS = {"response_column": ["training_frame", "validation_frame"],
                 "ignored_columns": ["training_frame", "validation_frame"]}
CLASSIFIERS = ("Binomial", "Multinomial")


# ---------------------------------------------------------------------------- adjustments
def effective_parameters(params, train=None, valid=None, problem: str | None = None, n_nodes: int = 1):
    """A copy of ``params`` with H2O's silent adjustments (legacy_h2o.md §3.1 and Decisions):

    - adaptive_rate -> momentum_start = momentum_stable = 0; without it rho = epsilon = 0;
    - *WithDropout without hidden_dropout_ratios -> 0.5 per hidden layer; other activations -> None;
    - autoencoder -> use_all_factor_levels, no classification;
    - classification None -> resolved from the response (``problem`` or the training frame);
    - loss Automatic -> CrossEntropy (classification) or MeanSquare (regression, autoencoder);
    - nfolds >= 2 -> no override_with_best_model; a validation frame -> nfolds 0;
    - a single node -> replicate_training_data and single_node_mode off;
    - regression with a validation frame -> score_validation_sampling Uniform.
    """
    eff = copy.deepcopy(params)
    if eff.adaptive_rate:
        eff.momentum_start = eff.momentum_stable = 0.0
    else:
        eff.rho = eff.epsilon = 0.0
    if str(eff.activation).endswith("WithDropout"):
        if not eff.hidden_dropout_ratios:
            eff.hidden_dropout_ratios = [0.5] * len(eff.hidden)
    else:
        eff.hidden_dropout_ratios = None
    if eff.autoencoder:
        eff.use_all_factor_levels = True
        eff.classification = False
    problem = problem or _problem(eff, train)
    if problem is not None:
        eff.classification = problem in CLASSIFIERS
        if eff.loss == "Automatic":
            eff.loss = "CrossEntropy" if problem in CLASSIFIERS else "MeanSquare"
    has_valid = valid is not None or bool(eff.validation_frame)
    if has_valid:
        eff.nfolds = 0
    if eff.nfolds:
        eff.override_with_best_model = False
    if n_nodes <= 1:
        eff.replicate_training_data = False
        eff.single_node_mode = False
    if problem == "Regression" and has_valid:
        eff.score_validation_sampling = "Uniform"
    return eff


def _problem(params, train) -> str | None:
    from h2o_backend.engine.datainfo import resolve_problem
    if params.autoencoder:
        return "AutoEncoder"
    if train is None or not params.response_column or not train.has_column(params.response_column):
        return None
    return resolve_problem(params, train)


# ---------------------------------------------------------------------------- REST description
def _key_ref(name, type_: str, url: str):
    if not name:
        return None
    return {"__meta": dict(KEY_META), "name": name, "type": type_, "URL": f"{url}/{name}"}


def wire_value(spec: ParamSpec, value):
    """A parameter value in H2O-3's JSON shape (keys as KeyV3, the response as VecSpecifierV3)."""
    if spec.type == "Key<Frame>":
        return _key_ref(value, "Key<Frame>", "/3/Frames")
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
