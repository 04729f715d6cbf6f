"""The MOJO writer: a trained deep-learning model as a zip that H2O's Java runtime (h2o-genmodel's
``DeeplearningMojoReader``, MOJO version 1.10) scores.

Layout of the archive, as H2O-3's deep-learning MOJOs:
- ``model.ini``: ``[info]`` (``key = value`` lines: the keys every MOJO has, then the deep-learning
  keys), ``[columns]`` (the predictors in row order, then the response of a supervised model) and
  ``[domains]`` (``<column index>: <levels> dNNN.txt``, the response's too);
- ``domains/dNNN.txt``: one level a line, with backslash, LF and CR escaped
  (``escape_domain_values = true``);
- ``experimental/modelDetails.json`` (when the caller gives the model's JSON) and its README.

The weights and biases are text values of ``[info]`` (``weight_layer<l>``, ``bias_layer<l>``), each
float32 written as the double it is, so genmodel reads back the same bits. Genmodel stores layer
``l``'s weights as [units out, units in] rows, a Maxout layer's as [unit, input, piece].

How the runtime's scoring is made to agree with the server's:
- a categorical missing (or unseen: PredictCsv turns unseen levels into missing) value goes to the
  last input of its block. H2O-3 gives every factor such a missing input; here only factors that
  had missing values in training have one, so each other factor gets an extra input in the MOJO
  whose weights are zero: a missing value switches nothing on, as on the server with
  use_all_factor_levels. (Without use_all_factor_levels the server refuses such rows; the MOJO
  scores them as the reference level, the first.) An autoencoder reconstructs the added inputs
  too: their ``reconstr_<factor>.missing(NA)`` outputs are 0.
- a numeric missing value is 0 after standardisation (mean imputation), as on the server;
- the runtime scales hidden activations by ``1 - hidden_dropout_ratio`` for the ``*WithDropout``
  activations but has no input dropout: the server's test-time input scale is folded into the
  first layer's weights;
- genmodel computes in double from the float32 weights, the server in float32, so predictions
  agree to about 1e-6 relative (classes agree except at exact ties).

The distribution key is ``model.distribution`` when the model has that attribute, else the one
its parameters resolve to; regression predictions are ``linkInv(out / norm_resp_mul +
norm_resp_sub)`` in genmodel: identity for gaussian, laplace, quantile and huber, ``exp``
(capped at 1e19) for poisson/gamma/tweedie. Genmodel's deep-learning MOJO ignores offsets, so a model with an offset
column is refused.
"""
from __future__ import annotations

import io
import json
import time
import zipfile
import zlib

import numpy as np

from h2o_backend.engine import distributions
from h2o_backend.engine.problems import CLASSIFICATION

MOJO_VERSION = "1.10"


class MojoExportError(ValueError):
    """The model cannot be written as a MOJO (the message says why)."""


# ------------------------------------------------------------------ value formatting (Java's toString)
class _RawText(str):
    """An [info] value already in its text form (the long weight lists)."""


def ini_value(v) -> str:
    """A value as genmodel's ``ParseUtils`` reads it: ``true``/``false``, ``null``, ``[a, b]``."""
    if v is None:
        return "null"
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return _double(float(v))
    if isinstance(v, (list, tuple, np.ndarray)):
        return "[" + ", ".join(ini_value(x) for x in v) + "]"
    text = str(v)
    if "\n" in text or "\r" in text:
        raise MojoExportError(f"an [info] value cannot span lines: {text!r}")
    return text


def _double(v: float) -> str:
    """Java's spelling of a double (Python's repr of a finite float always has a ``.`` or an
    exponent, which Java's parseDouble reads)."""
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return repr(v)


def _float_list(values) -> str:
    """float32 values as the exact doubles they are (``[a, b, ...]``), as ``_double`` spells them."""
    arr = np.asarray(values, dtype=np.float32).astype(np.float64).ravel()
    if not np.isfinite(arr).all():
        raise MojoExportError("the model has non-finite weights")
    return "[" + ", ".join(map(repr, arr.tolist())) + "]"


def escape_newlines(text: str) -> str:
    """genmodel's ``StringEscapeUtils.escapeNewlines``: backslash, LF and CR as ``\\\\``, ``\\n``, ``\\r``."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def domain_file(levels) -> bytes:
    """A ``domains/dNNN.txt`` file: one level a line, newlines escaped (``escape_domain_values``)."""
    return "".join(escape_newlines(str(lv)) + "\n" for lv in levels).encode("utf-8")


# ------------------------------------------------------------------ what the model says
def model_distribution(model) -> str:
    """The distribution family genmodel applies (its inverse link, for regression): every family
    the engine trains has genmodel's name and link (engine/distributions.py)."""
    return getattr(model, "distribution", None) or distributions.resolve(
        getattr(model.params, "distribution", "AUTO"), model.problem)


def _check_exportable(model) -> None:
    from h2o_backend.engine.model import UNSTABLE_PREDICT
    if model.model_info.unstable:
        raise MojoExportError(f"{UNSTABLE_PREDICT} Refusing to create a MOJO for an unstable model.")
    if getattr(model, "offset_column", None) or getattr(model.params, "offset_column", None):
        raise MojoExportError("the deep-learning MOJO runtime ignores offsets, so a model with an "
                              "offset_column cannot be exported as a MOJO")


def input_layout(di) -> tuple[list[int], list[int]]:
    """(MOJO cat_offsets, for each server input its MOJO input index): every factor's block ends
    with a missing input in the MOJO, an added one where the server has none."""
    offsets, where = [0], []
    for c in range(di.n_cats):
        start, stop = di.cat_offsets[c], di.cat_offsets[c + 1]
        where += [offsets[-1] + i for i in range(stop - start)]
        offsets.append(offsets[-1] + (stop - start) + (0 if di.cat_missing[c] else 1))
    where += [offsets[-1] + j for j in range(di.n_nums)]
    return offsets, where


def layer_weights(model, l: int, where: list[int], n_inputs: int) -> np.ndarray:
    """Layer ``l``'s weights in genmodel's order, flat: [unit, input] (Maxout: [unit, input, piece]).
    The first layer gets the MOJO's inputs (zero weights from the added missing inputs) and the
    server's test-time input dropout scale; an autoencoder's output layer the MOJO's outputs
    (zero weights into the added ones)."""
    mi = model.model_info
    w = np.array(mi.weights(l), dtype=np.float32)          # [cols, units_in], cols = (unit, piece)
    if l == 0:
        full = np.zeros((w.shape[0], n_inputs), dtype=np.float32)
        full[:, where] = w
        ratio = float(model.drop_ratios()[0])
        if ratio > 0:
            full = (full.astype(np.float64) * float(np.float32(1.0 - ratio))).astype(np.float32)
        w = full
    if _maps_outputs(model, l):
        full = np.zeros((n_inputs, w.shape[1]), dtype=np.float32)
        full[where, :] = w
        w = full
    k = mi.pieces[l]
    if k > 1:
        w = w.reshape(-1, k, w.shape[1]).transpose(0, 2, 1)
    return np.ascontiguousarray(w).ravel()


def layer_biases(model, l: int, where: list[int], n_inputs: int) -> np.ndarray:
    b = np.array(model.model_info.biases(l), dtype=np.float32)
    if _maps_outputs(model, l):
        full = np.zeros(n_inputs, dtype=np.float32)
        full[where] = b
        b = full
    return b


def _maps_outputs(model, l: int) -> bool:
    """An autoencoder's output layer reconstructs the MOJO's inputs, added missing ones included."""
    return model.problem == "AutoEncoder" and l == model.model_info.n_layers - 1


def _hidden_dropout(model) -> list[float]:
    """Per weight layer, the ratio genmodel scales that layer's output by (``1 - ratio``): written
    so that ``1 - ratio`` is exactly the server's float32 scale; 0 for the output layer."""
    drop = model.drop_ratios()
    out = []
    for l in range(model.model_info.n_layers - 1):
        r = float(drop[l + 1])
        out.append(1.0 - float(np.float32(1.0 - r)) if r > 0 else 0.0)
    return out + [0.0]


# ------------------------------------------------------------------ model.ini
def _columns_and_domains(model) -> tuple[list[str], list[list[str] | None]]:
    di = model.datainfo
    names = list(di.predictor_names)
    domains = [None if d is None else [str(v) for v in d] for d in di.predictor_domains]
    if model.problem != "AutoEncoder":
        names.append(di.response_name)
        domains.append([str(v) for v in di.response_domain] if model.problem in CLASSIFICATION else None)
    return names, domains


def _uuid(model) -> str:
    """A checksum of the model (H2O-3 writes its model checksum, a long)."""
    h = zlib.crc32(model.model_id.encode("utf-8"))
    h = zlib.crc32(model.model_info.w.tobytes(), h)
    h = zlib.crc32(model.model_info.b.tobytes(), h)
    return str(h)


def common_info(model, n_columns: int, n_domains: int, version: str) -> list[tuple[str, object]]:
    """The keys every MOJO has (H2O's AbstractMojoWriter), in its order."""
    di = model.datainfo
    classifier = model.problem in CLASSIFICATION
    balanced = classifier and model.prior_class_dist is not None and model.model_class_dist is not None
    threshold = float(model.binomial_threshold()) if model.problem == "Binomial" else 0.5
    return [
        ("h2o_version", version),
        ("mojo_version", MOJO_VERSION),
        ("license", "Apache License Version 2.0"),
        ("algo", "deeplearning"),
        ("algorithm", "Deep Learning"),
        ("endianness", "LITTLE_ENDIAN"),
        ("category", model.problem),
        ("uuid", _uuid(model)),
        ("supervised", model.problem != "AutoEncoder"),
        ("n_features", len(di.predictor_names)),
        ("n_classes", len(di.response_domain) if classifier else 1),
        ("n_columns", n_columns),
        ("n_domains", n_domains),
        ("offset_column", None),
        ("balance_classes", bool(balanced)),
        ("default_threshold", threshold),
        ("prior_class_distrib", [float(v) for v in model.prior_class_dist] if balanced else None),
        ("model_class_distrib", [float(v) for v in model.model_class_dist] if balanced else None),
        ("timestamp", int(model.output.get("start_time") or time.time() * 1000)),
        ("escape_domain_values", True),
    ]


def deeplearning_info(model) -> list[tuple[str, object]]:
    """The deep-learning keys (H2O's DeepLearningMojoWriter), in its order."""
    di, mi = model.datainfo, model.model_info
    offsets, where = input_layout(di)
    n_inputs = offsets[-1] + di.n_nums
    units = [n_inputs] + list(mi.units[1:])
    if model.problem == "AutoEncoder":
        units[-1] = n_inputs
    regression = model.problem == "Regression"
    info: list[tuple[str, object]] = [
        ("mini_batch_size", int(getattr(model.params, "mini_batch_size", 1) or 1)),
        ("nums", di.n_nums),
        ("cats", di.n_cats),
        ("cat_offsets", offsets),
        ("norm_mul", [float(v) for v in di.num_mul]),
        ("norm_sub", [float(v) for v in di.num_sub]),
        ("norm_resp_mul", [1.0 / float(di.response_sigma)] if regression else None),
        ("norm_resp_sub", [float(di.response_mean)] if regression else None),
        ("use_all_factor_levels", bool(di.use_all_factor_levels)),
        ("activation", str(model.params.activation)),
        ("distribution", model_distribution(model)),
        ("mean_imputation", True),
        ("neural_network_sizes", units),
    ]
    for l in range(mi.n_layers):
        info.append((f"weight_layer{l}", _RawText(_float_list(layer_weights(model, l, where, n_inputs)))))
        info.append((f"bias_layer{l}", _RawText(_float_list(layer_biases(model, l, where, n_inputs)))))
    info += [("hidden_dropout_ratios", _hidden_dropout(model)),
             ("_genmodel_encoding", "AUTO")]
    return info


def model_ini(info: list[tuple[str, object]], columns: list[str], domains: list[list[str] | None]) -> bytes:
    lines = ["[info]"]
    for key, value in info:
        lines.append(f"{key} = {value if isinstance(value, _RawText) else ini_value(value)}")
    lines += ["", "[columns]"]
    for name in columns:
        if "\n" in name or "\r" in name or name != name.strip() or name.startswith(("#", "[")):
            raise MojoExportError(f"column name {name!r} cannot be written to model.ini")
        lines.append(name)
    lines += ["", "[domains]"]
    k = 0
    for i, d in enumerate(domains):
        if d is not None:
            lines.append(f"{i}: {len(d)} d{k:03d}.txt")
            k += 1
    return ("\n".join(lines) + "\n").encode("utf-8")


# ------------------------------------------------------------------ the archive
def mojo_entries(model, details: dict | None = None, version: str | None = None) -> dict[str, bytes]:
    """The files of the MOJO of a trained DeepLearningModel (``details``: the model's JSON, as
    GET /3/Models/{id} returns it, for experimental/modelDetails.json)."""
    from h2o_backend import __version__
    _check_exportable(model)
    columns, domains = _columns_and_domains(model)
    present = [d for d in domains if d is not None]
    info = common_info(model, len(columns), len(present), version or __version__) + deeplearning_info(model)
    files = {"model.ini": model_ini(info, columns, domains)}
    for k, d in enumerate(present):
        files[f"domains/d{k:03d}.txt"] = domain_file(d)
    if details is not None:
        files["experimental/modelDetails.json"] = json.dumps(details, default=str).encode("utf-8")
        files["experimental/README.md"] = (b"Model details in JSON (GET /3/Models/{model_id}), as H2O-3 "
                                          b"writes them here; an experimental part of the format.\n")
    return files


def mojo_bytes(model, details: dict | None = None) -> bytes:
    """The MOJO zip of a trained DeepLearningModel."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in mojo_entries(model, details).items():
            zf.writestr(name, data)
    return buf.getvalue()


def write_mojo(model, path, details: dict | None = None) -> None:
    with open(path, "wb") as fh:
        fh.write(mojo_bytes(model, details))
