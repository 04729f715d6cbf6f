"""A trained model as an ONNX graph (opset 17, plus ai.onnx.ml 3 for string labels).

Inputs follow sklearn-onnx's convention for raw tables: one input per predictor column, named as
the column, shape [N, 1]; float for numeric columns (NaN when missing), string for categorical
ones (the empty string when missing). The graph does what the server does before the network:

- a categorical column's level becomes its code by label (``LabelEncoder``; an unseen, missing or
  empty label is -1), then one input per level, the first level dropped unless
  use_all_factor_levels, plus ``<col>.missing(NA)`` when the training column had missing values,
  which -1 switches on. Where the server refuses an unseen level (no missing input and the first
  level dropped) the graph cannot refuse: such a row gets the reference level's all-zero block;
- numeric columns: ``(x - sub) * mul`` in double, missing or infinite values 0 (mean imputation);
- test-time dropout scaling (inputs and hidden activations by ``1 - ratio``), the layers as
  ``MatMul`` + ``Add`` + activation (Maxout: the larger of two pieces), the output activation;

and after it what ``h2o.predict`` does: the balance_classes correction of the probabilities, the
binomial label at the max-F1 threshold (multinomial: the most probable class), the regression
value back on the response's scale (plus the row's offset, a float input named as the
offset column, for models trained with an offset_column; exp for the log-link families), an
autoencoder's reconstruction back on each numeric column's
scale. Outputs are the columns of ``h2o.predict``: ``predict`` (string label, or float value) and
one float probability output per class named by its label, or ``reconstr_<input>`` per input.
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from h2o_backend.engine import activations as act
from h2o_backend.engine import distributions
from h2o_backend.engine.problems import CLASSIFICATION

OPSET = 17
ML_OPSET = 3


class _Graph:
    """Nodes, constants, inputs and outputs under construction, with unique names."""

    def __init__(self):
        self.nodes, self.inits, self.inputs, self.outputs = [], [], [], []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"h2o/{hint}_{self._count}"   # "/" keeps them apart from column and class names

    def const(self, value, dtype, hint: str = "c") -> str:
        name = self.name(hint)
        self.inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str | None = None, domain: str = "", **attrs) -> str:
        out = self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], domain=domain, **attrs))
        return out

    def output(self, source: str, name: str, elem_type: int) -> None:
        self.nodes.append(helper.make_node("Identity", [source], [name]))
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, ["N", 1]))


# ---------------------------------------------------------------------------- inputs
def _categorical_block(g: _Graph, name: str, domain: list[str], start: int, stop: int, use_all: bool,
                       had_missing: bool) -> str:
    g.inputs.append(helper.make_tensor_value_info(name, TensorProto.STRING, ["N", 1]))
    codes = g.op("LabelEncoder", [name], hint="codes", domain="ai.onnx.ml",
                 keys_strings=[str(level) for level in domain], values_int64s=list(range(len(domain))),
                 default_int64=-1)
    first = 0 if use_all else 1
    n_levels = stop - start - int(had_missing)
    levels = g.const(np.arange(first, first + n_levels, dtype=np.int64)[None, :], np.int64, "levels")
    parts = [g.op("Equal", [codes, levels])]
    if had_missing:
        parts.append(g.op("Equal", [codes, g.const([[-1]], np.int64, "missing")]))
    hot = g.op("Concat", parts, axis=1) if len(parts) > 1 else parts[0]
    return g.op("Cast", [hot], hint="onehot", to=TensorProto.FLOAT)


def _numeric_block(g: _Graph, names: list[str], sub: list[float], mul: list[float]) -> str:
    for name in names:
        g.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", 1]))
    x = g.op("Concat", names, axis=1) if len(names) > 1 else g.op("Identity", names)
    x = g.op("Cast", [x], to=TensorProto.DOUBLE)
    x = g.op("Mul", [g.op("Sub", [x, g.const([sub], np.float64, "sub")]), g.const([mul], np.float64, "mul")])
    bad = g.op("Or", [g.op("IsNaN", [x]), g.op("IsInf", [x])])
    x = g.op("Where", [bad, g.const(0.0, np.float64, "zero"), x])
    return g.op("Cast", [x], hint="numeric", to=TensorProto.FLOAT)


def _prepared_inputs(g: _Graph, info) -> str:
    """The network's input matrix [N, n_inputs] float, as DataInfo.transform makes it."""
    blocks = [_categorical_block(g, info.predictor_names[c], info.predictor_domains[c], info.cat_offsets[c],
                                 info.cat_offsets[c + 1], info.use_all_factor_levels, info.cat_missing[c])
              for c in range(info.n_cats)]
    if info.n_nums:
        blocks.append(_numeric_block(g, info.predictor_names[info.n_cats:], info.num_sub, info.num_mul))
    return g.op("Concat", blocks, hint="inputs", axis=1) if len(blocks) > 1 else blocks[0]


# ---------------------------------------------------------------------------- network
def _activation(g: _Graph, z: str, code: int) -> str:
    if code == act.ACT_RECTIFIER:
        return g.op("Relu", [z])
    if code == act.ACT_TANH:
        return g.op("Tanh", [z])
    if code == act.ACT_MAXOUT:
        pieces = g.op("Reshape", [z, g.const([0, -1, act.MAXOUT_PIECES], np.int64, "shape")])
        return g.op("ReduceMax", [pieces], axes=[2], keepdims=0)
    if code == act.ACT_SOFTMAX:
        return g.op("Softmax", [z], axis=1)
    return z  # Linear


def _scaled(g: _Graph, x: str, ratio: float) -> str:
    return x if ratio <= 0 else g.op("Mul", [x, g.const(np.float32(1.0 - ratio), np.float32, "keep")])


def _network(g: _Graph, model, x: str) -> str:
    mi = model.model_info
    ratios = model.drop_ratios()
    x = _scaled(g, x, float(ratios[0]))
    for l in range(mi.n_layers):
        w = g.const(np.ascontiguousarray(mi.weights(l).T), np.float32, f"W{l}")
        b = g.const(mi.biases(l), np.float32, f"b{l}")
        x = _activation(g, g.op("Add", [g.op("MatMul", [x, w]), b]), mi.acts[l])
        if l < mi.n_layers - 1:
            x = _scaled(g, x, float(ratios[l + 1]))
    return x


# ---------------------------------------------------------------------------- outputs
def _column(g: _Graph, matrix: str, j: int) -> str:
    return g.op("Slice", [matrix, g.const([j], np.int64, "from"), g.const([j + 1], np.int64, "to"),
                          g.const([1], np.int64, "axis")])


def _class_outputs(g: _Graph, model, out: str) -> None:
    domain = [str(d) for d in model.datainfo.response_domain]
    probs = out
    if model.prior_class_dist is not None and model.model_class_dist is not None:
        prior = np.asarray(model.prior_class_dist, np.float64)
        dist = np.asarray(model.model_class_dist, np.float64)
        ratio = np.where(dist > 0, prior / np.where(dist > 0, dist, 1.0), 0.0)
        weighted = g.op("Mul", [g.op("Cast", [out], to=TensorProto.DOUBLE), g.const([ratio], np.float64, "ratio")])
        total = g.op("ReduceSum", [weighted, g.const([1], np.int64, "axis")], keepdims=1)
        safe = g.op("Where", [g.op("Greater", [total, g.const(0.0, np.float64, "zero")]), total,
                              g.const(1.0, np.float64, "one")])
        probs = g.op("Cast", [g.op("Div", [weighted, safe])], hint="probs", to=TensorProto.FLOAT)
    if model.problem == "Binomial":
        threshold = g.const(np.float32(model.binomial_threshold()), np.float32, "threshold")
        above = g.op("GreaterOrEqual", [_column(g, probs, 1), threshold])
        label = g.op("Cast", [above], to=TensorProto.INT64)
    else:
        label = g.op("ArgMax", [probs], axis=1, keepdims=1)
    text = g.op("LabelEncoder", [label], hint="label", domain="ai.onnx.ml", keys_int64s=list(range(len(domain))),
                values_strings=domain, default_string="")
    g.output(text, "predict", TensorProto.STRING)
    for k, level in enumerate(domain):
        g.output(_column(g, probs, k), level, TensorProto.FLOAT)


def _regression_output(g: _Graph, model, out: str) -> None:
    """De-standardised (``* sigma + mean``), plus the row's offset (an input named as the offset
    column, for models trained with one), through the family's inverse link (exp, clamped at 1e19
    as H2O-3's LogExpUtil, for poisson, gamma and tweedie)."""
    info = model.datainfo
    y = g.op("Cast", [out], to=TensorProto.DOUBLE)
    y = g.op("Add", [g.op("Mul", [y, g.const(info.response_sigma, np.float64, "sigma")]),
                     g.const(info.response_mean, np.float64, "mean")])
    offset_column = getattr(info, "offset_name", None)
    if offset_column:
        g.inputs.append(helper.make_tensor_value_info(offset_column, TensorProto.FLOAT, ["N", 1]))
        y = g.op("Add", [y, g.op("Cast", [offset_column], to=TensorProto.DOUBLE)])
    family = distributions.resolve(getattr(model.params, "distribution", "AUTO"), "Regression")
    if distributions.uses_log_link(family):
        y = g.op("Min", [g.op("Exp", [y]), g.const(distributions.EXP_MAX, np.float64, "exp_max")])
    g.output(g.op("Cast", [y], to=TensorProto.FLOAT), "predict", TensorProto.FLOAT)


def _reconstruction_outputs(g: _Graph, model, out: str) -> None:
    info = model.datainfo
    scale = np.ones(info.n_inputs)
    shift = np.zeros(info.n_inputs)
    if info.n_nums:
        scale[info.num_offset:] = 1.0 / np.asarray(info.num_mul, np.float64)
        shift[info.num_offset:] = np.asarray(info.num_sub, np.float64)
    x = g.op("Cast", [out], to=TensorProto.DOUBLE)
    x = g.op("Add", [g.op("Mul", [x, g.const([scale], np.float64, "scale")]), g.const([shift], np.float64, "shift")])
    x = g.op("Cast", [x], to=TensorProto.FLOAT)
    for j, name in enumerate(info.expanded_names):
        g.output(_column(g, x, j), f"reconstr_{name}", TensorProto.FLOAT)


def model_to_onnx(model) -> onnx.ModelProto:
    """The ONNX model of a trained DeepLearningModel (checked with onnx.checker)."""
    if model.model_info.unstable:
        raise ValueError("Trying to export an unstable model.")
    g = _Graph()
    out = _network(g, model, _prepared_inputs(g, model.datainfo))
    if model.problem in CLASSIFICATION:
        _class_outputs(g, model, out)
    elif model.problem == "Regression":
        _regression_output(g, model, out)
    else:
        _reconstruction_outputs(g, model, out)
    graph = helper.make_graph(g.nodes, model.model_id, g.inputs, g.outputs, g.inits)
    proto = helper.make_model(graph, producer_name="h2o_backend",
                              opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("ai.onnx.ml", ML_OPSET)])
    proto.ir_version = 8
    proto.doc_string = f"H2O deep learning model {model.model_id} ({model.problem})"
    onnx.checker.check_model(proto, full_check=True)
    return proto


def onnx_bytes(model) -> bytes:
    return model_to_onnx(model).SerializeToString()
