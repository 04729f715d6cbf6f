"""A trained model as a MOJO in H2O-3's deep-learning layout, which H2O's own Java runtime
(h2o-genmodel: ``DeeplearningMojoReader`` / ``DeeplearningMojoModel``, PredictCsv, Spark, ...)
loads and scores. The zip holds ``model.ini`` (sections ``[info]``, ``[columns]``, ``[domains]``;
the deep-learning keys of H2O-3's DeepLearningMojoWriter) and ``domains/dNNN.txt``, one level per
line (newlines escaped: escape_domain_values).

How this model's numbers map onto genmodel's scoring:
- inputs: genmodel gives every categorical block a last input for missing values (an unseen
  level is clamped onto it too). Where this model's block has none (no missing value in
  training), that input is added with zero weights: a missing or unseen level then switches on
  nothing, which is this server's scoring with use_all_factor_levels (without it the server
  refuses such rows; the MOJO scores them as the reference level). Numerics: ``(x - sub) * mul``,
  missing 0, as here;
- layers: weights unit-major (``w[unit * n_in + input]``; Maxout: ``w[K * (unit * n_in + input) +
  piece]``), biases as here. Test-time dropout: genmodel scales the hidden units of the
  ``*WithDropout`` activations by ``1 - ratio`` as this server does; it has no input dropout, so
  the first layer's weights are written times ``1 - input_dropout_ratio`` (the same products up to
  float rounding);
- output: softmax probabilities (balance_classes corrected, the binomial label at
  ``default_threshold``), a regression value ``out * sd + mean`` through the family's inverse link
  (genmodel's DistributionFamily), or the reconstruction de-normalised.
genmodel's deep-learning MOJO ignores offsets, so models trained with an offset_column are refused.
"""
from __future__ import annotations

import io
import time
import uuid
import zipfile

import numpy as np

from h2o_backend.engine import distributions
from h2o_backend.engine.problems import CLASSIFICATION

MOJO_VERSION = "1.00"            # the DeeplearningMojoReader of h2o-genmodel 3.46 reads up to this
H2O_VERSION = "3.46.0.12"        # the runtime it was checked against (bench/mojo_into_h2o3.py, tests)


class MojoExportError(ValueError):
    """A model this format cannot express; the message says why."""


def mojo_bytes(model) -> bytes:
    """The MOJO zip of a trained DeepLearningModel."""
    ini, domain_files = _model_ini(model)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.ini", ini)
        for name, text in domain_files.items():
            archive.writestr(f"domains/{name}", text)
    return buffer.getvalue()


# ---------------------------------------------------------------------------- model.ini
def _model_ini(model) -> tuple[str, dict[str, str]]:
    di, mi = model.datainfo, model.model_info
    if mi.unstable:
        raise MojoExportError("Refusing to create a MOJO for an unstable model.")
    if getattr(di, "offset_name", None):
        raise MojoExportError(f"a model trained with offset_column '{di.offset_name}' has no MOJO: "
                              "h2o-genmodel's deep-learning MOJO does not read offsets (use the POJO or ONNX)")
    supervised = di.problem != "AutoEncoder"
    columns = list(di.predictor_names) + ([di.response_name] if supervised else [])
    domains = list(di.predictor_domains) + ([di.response_domain] if supervised else [])
    info = _info(model, columns, domains)
    lines = ["[info]"] + [f"{k} = {v}" for k, v in info.items()]
    lines += ["", "[columns]"] + columns + ["", "[domains]"]
    files = {}
    for i, domain in enumerate(domains):
        if domain is not None:
            name = f"d{len(files):03d}.txt"
            files[name] = "".join(_escaped(str(level)) + "\n" for level in domain)
            lines.append(f"{i}: {len(domain)} {name}")
    return "\n".join(lines) + "\n", files


def _info(model, columns, domains) -> dict:
    di = model.datainfo
    category = di.problem
    classifier = category in CLASSIFICATION
    family = distributions.resolve(getattr(model.params, "distribution", "AUTO"), category)
    net = _network(model)
    balanced = classifier and model.prior_class_dist is not None and model.model_class_dist is not None
    info = {
        "h2o_version": H2O_VERSION, "mojo_version": MOJO_VERSION, "license": "Apache License Version 2.0",
        "algo": "deeplearning", "algorithm": "Deep Learning", "endianness": "LITTLE_ENDIAN",
        "category": category, "uuid": str(uuid.uuid4().int >> 64), "supervised": _b(category != "AutoEncoder"),
        "n_features": len(di.predictor_names), "n_classes": len(di.response_domain) if classifier else 1,
        "n_columns": len(columns), "n_domains": sum(d is not None for d in domains),
        "balance_classes": _b(balanced),
        "default_threshold": repr(float(model.binomial_threshold())) if category == "Binomial" else "0.5",
        "prior_class_distrib": _doubles(model.prior_class_dist) if balanced else "null",
        "model_class_distrib": _doubles(model.model_class_dist) if balanced else "null",
        "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "escape_domain_values": "true",
        "mini_batch_size": int(getattr(model.params, "mini_batch_size", 1) or 1),
        "nums": di.n_nums, "cats": di.n_cats,
        "cat_offsets": _ints(net.cat_offsets),
        "norm_mul": _doubles(di.num_mul), "norm_sub": _doubles(di.num_sub),
        "use_all_factor_levels": _b(di.use_all_factor_levels),
        "activation": model.params.activation,
        "distribution": family if category != "AutoEncoder" else "AUTO",
        "mean_imputation": "true",
        "neural_network_sizes": _ints(net.units),
    }
    if category == "Regression":
        info["norm_resp_mul"] = _doubles([1.0 / di.response_sigma])
        info["norm_resp_sub"] = _doubles([di.response_mean])
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        info[f"weight_layer{l}"] = _doubles(w)
        info[f"bias_layer{l}"] = _doubles(b)
    info["hidden_dropout_ratios"] = _doubles(model.drop_ratios()[1:])
    return info


class _Net:
    """The network in genmodel's input layout and weight order (see the module doc)."""

    def __init__(self, units, cat_offsets, weights, biases):
        self.units, self.cat_offsets, self.weights, self.biases = units, cat_offsets, weights, biases


def _network(model) -> _Net:
    di, mi = model.datainfo, model.model_info
    ratios = model.drop_ratios()
    # genmodel's input positions of this model's inputs: an NA input at the end of every block
    source, offsets = [], [0]
    for c in range(di.n_cats):
        start, stop = di.cat_offsets[c], di.cat_offsets[c + 1]
        levels = range(start, stop - 1) if di.cat_missing[c] else range(start, stop)
        source += list(levels) + [stop - 1 if di.cat_missing[c] else -1]
        offsets.append(len(source))
    source += list(range(di.num_offset, di.n_inputs))
    source = np.asarray(source)
    units = [len(source)] + [int(u) for u in mi.units[1:]]
    if model.problem == "AutoEncoder" and len(source) != di.n_inputs:
        raise MojoExportError("an autoencoder with categorical inputs that had no missing values in training "
                              "has no MOJO (genmodel reconstructs a missing-value input this model lacks)")
    weights, biases = [], []
    for l in range(mi.n_layers):
        w = np.asarray(mi.weights(l), np.float32)          # [units_out * pieces, units_in]
        if l == 0:
            full = np.zeros((w.shape[0], len(source)), np.float32)
            present = source >= 0
            full[:, present] = w[:, source[present]] * np.float32(1.0 - ratios[0])
            w = full
        k = mi.pieces[l]
        order = w if k == 1 else w.reshape(-1, k, w.shape[1]).transpose(0, 2, 1)
        weights.append(np.ascontiguousarray(order).ravel())
        biases.append(np.asarray(mi.biases(l), np.float64))
    return _Net(units, offsets, weights, biases)


def _escaped(level: str) -> str:
    """A level on one line, as genmodel reads it with escape_domain_values (StringEscapeUtils)."""
    return level.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def _b(flag: bool) -> str:
    return "true" if flag else "false"


def _ints(values) -> str:
    return "[" + ", ".join(str(int(v)) for v in values) + "]"


def _doubles(values) -> str:
    """Each value's shortest repr (float32 weights round-trip exactly through genmodel's parse)."""
    return "[" + ", ".join(repr(float(v)) for v in np.asarray(values, np.float64).ravel()) + "]"
