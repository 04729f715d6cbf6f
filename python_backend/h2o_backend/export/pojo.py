"""The POJO generator: a trained deep-learning model as one self-contained Java source file.

``pojo_source(model)`` returns the text of a public class named after the model key
(``java_id``), with a no-argument constructor and H2O's calling convention
``double[] score0(double[] row, double[] preds)``. It needs nothing beyond the JDK (8 or later).

Layout of the class (template: ``export/java/DeepLearningPojo.java.tmpl``):
- public metadata: MODEL_ID, MODEL_CATEGORY, RESPONSE_NAME, NAMES (the predictors in ``row``
  order), DOMAINS (levels per predictor, then the response's), NCLASSES, PREDS_SIZE, PRED_NAMES,
  DEFAULT_THRESHOLD, PRIOR/MODEL_CLASS_DISTRIB;
- input preparation tables (one-hot offsets, missing buckets, standardisation constants), the
  network tables (units, pieces, activations, test-time dropout scales, storage order) and the
  output mapping (response de-standardisation, autoencoder de-normalisation);
- the weights and biases as float32 bits in a base64 "blob" (see ``pojo_java``'s docstring for why
  this instead of array literals), decoded once when the class loads;
- ``score0`` = prepare (one-hot, standardise, missing -> 0) -> forward -> finish (balance_classes
  probability correction, label at the max-F1 threshold, de-standardisation / de-normalisation;
  for regression the offset is added and, for the log-link families, exp taken);
  ``score0(row, offset, preds)`` takes a row's offset as H2O-3's GenModel does;
- ``main``: scores a CSV file from the command line.

Agreement with the server is bit for bit: the class repeats the server's float32 operations in
the server's order, as measured on this machine by ``pojo_arith`` (fused multiply-adds; the
vectorised summation order of unit-major layers' dot products and of the softmax denominator;
glibc's ``expf`` algorithm). Every layer's weights are stored input-major in the class; a layer
the server keeps unit-major is summed in the server's lane order with all columns advancing
together, so Java's inner loops stay contiguous. The one float64 value computed differently is
an autoencoder's reconstruction error (preds[0]), a sum whose order differs in the last bits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from h2o_backend.export import pojo_arith
from h2o_backend.export import pojo_java as jv
from h2o_backend.export.pojo_arith import ReduceOrder
from h2o_backend.export.pojo_java import java_id  # noqa: F401  (re-exported: the handler names files with it)
from h2o_backend.engine import distributions
from h2o_backend.engine.problems import CLASSIFICATION, PROBLEMS

TEMPLATE = Path(__file__).resolve().parent / "java" / "DeepLearningPojo.java.tmpl"
CATEGORIES = PROBLEMS


@dataclass
class NetSpec:
    """The network as the scoring kernel sees it (per weight layer ``l``)."""
    units: list[int]                 # input, hidden..., output
    pieces: list[int]
    acts: list[int]                  # activation codes (engine.activations.ACT_*)
    majors: list[int]                # 0 input-major, 1 unit-major (kernels.layout)
    weights: list[np.ndarray]        # stored order: [n_in, cols] input-major, [cols, n_in] unit-major
    biases: list[np.ndarray]
    drop: list[float]                # dropout ratios of the input and hidden unit layers

    @classmethod
    def from_model_info(cls, mi, drop) -> "NetSpec":
        n = mi.n_layers
        majors = [int(m) for m in (mi.majors or [0] * n)]
        return cls(units=list(mi.units), pieces=list(mi.pieces), acts=list(mi.acts), majors=majors,
                   weights=[np.array(mi.w_matrix(l), dtype=np.float32) for l in range(n)],
                   biases=[np.array(mi.biases(l), dtype=np.float32) for l in range(n)],
                   drop=[float(d) for d in drop][:n])

    def scales(self) -> list[np.float32]:
        """Test-time dropout scale of the input and hidden layers, computed as the kernel does:
        ``float32(1.0 - ratio)`` in double, 1 when the ratio is 0."""
        return [np.float32(1.0 - r) if r > 0 else np.float32(1.0) for r in self.drop]


@dataclass
class PojoSpec:
    """Everything the Java class needs, independent of the engine's classes."""
    model_id: str
    category: str                                 # one of CATEGORIES
    names: list[str]                              # predictors, in row order: categoricals first
    domains: list[list[str] | None]               # per predictor (None = numeric)
    net: NetSpec
    response_name: str | None = None
    response_domain: list[str] | None = None
    cat_offsets: list[int] = field(default_factory=lambda: [0])   # n_cats + 1 entries
    cat_missing: list[bool] = field(default_factory=list)
    use_all_factor_levels: bool = False
    num_sub: list[float] = field(default_factory=list)
    num_mul: list[float] = field(default_factory=list)
    pred_names: list[str] = field(default_factory=list)
    threshold: float = 0.5
    prior_class_distrib: list[float] | None = None
    model_class_distrib: list[float] | None = None
    resp_mean: float = 0.0
    resp_sigma: float = 1.0
    distribution: str = "gaussian"                # H2O-3's family name (effective)
    log_link: bool = False                        # regression: exp after de-standardisation
    offset_column: str | None = None
    out_div: list[float] = field(default_factory=list)   # autoencoder: per reconstructed input
    out_add: list[float] = field(default_factory=list)
    fma: bool = True                    # pojo_arith.server_fuses_multiply_add()
    dot: ReduceOrder = ReduceOrder()    # pojo_arith.server_dot_order()
    softmax_sum: ReduceOrder = ReduceOrder()   # pojo_arith.server_softmax_order()
    expf_glibc: bool = True             # pojo_arith.server_expf_is_glibc()
    version: str = ""

    @property
    def n_cats(self) -> int:
        return len(self.cat_offsets) - 1

    @property
    def n_outputs(self) -> int:
        return self.net.units[-1]

    @property
    def preds_size(self) -> int:
        return 1 if self.category == "Regression" else 1 + self.n_outputs

    def check(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"unknown model category {self.category!r}")
        n_num = len(self.names) - self.n_cats
        if len(self.domains) != len(self.names) or len(self.num_sub) != n_num or len(self.num_mul) != n_num:
            raise ValueError("names, domains and standardisation constants disagree in length")
        if self.net.units[0] != self.cat_offsets[-1] + n_num:
            raise ValueError(f"the network has {self.net.units[0]} inputs, the encoding "
                             f"{self.cat_offsets[-1] + n_num}")
        if len(self.pred_names) != self.preds_size:
            raise ValueError(f"{len(self.pred_names)} prediction names for {self.preds_size} values")


# ------------------------------------------------------------------ rendering
def render(spec: PojoSpec, preview: bool = False) -> str:
    """The Java source of ``spec``. ``preview`` leaves the packed weights out (does not compile)."""
    spec.check()
    em = jv.Emitter()
    init = _init_block(spec, em)
    cls = java_id(spec.model_id)
    values = {
        "HEADER": _header(spec, cls),
        "CLASS": cls,
        "MODEL_ID": jv.java_string(spec.model_id),
        "CATEGORY": jv.java_string(spec.category),
        "RESPONSE": jv.java_string(spec.response_name if spec.category != "AutoEncoder" else None),
        "NCLASSES": str(spec.n_outputs),
        "PREDS_SIZE": str(spec.preds_size),
        "THRESHOLD": jv.java_double(spec.threshold),
        "NCATS": str(spec.n_cats),
        "NINPUTS": str(spec.net.units[0]),
        "USE_ALL": jv.java_bool(spec.use_all_factor_levels),
        "NLAYERS": str(len(spec.net.weights)),
        "FMA": jv.java_bool(spec.fma),
        "DOT_VF": str(spec.dot.vf),
        "DOT_UF": str(spec.dot.uf),
        "DOT_EVF": str(spec.dot.evf),
        "SUM_VF": str(spec.softmax_sum.vf),
        "SUM_UF": str(spec.softmax_sum.uf),
        "SUM_EVF": str(spec.softmax_sum.evf),
        "EXPF_GLIBC": jv.java_bool(spec.expf_glibc),
        "EXP2F_T": jv.wrap_items([f"0x{t:016x}L" for t in pojo_arith.EXP2F_T], "    "),
        "RESP_MEAN": jv.java_double(spec.resp_mean),
        "RESP_SIGMA": jv.java_double(spec.resp_sigma),
        "LOG_LINK": jv.java_bool(spec.log_link),
        "DISTRIBUTION": jv.java_string(spec.distribution),
        "OFFSET_COLUMN": jv.java_string(spec.offset_column),
        "INIT": init,
        "FINISH": _finish_code(spec),
        "CHUNKS": em.chunks_literal(preview),
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace(f"@@{key}@@", value)
    return text


def _init_block(spec: PojoSpec, em: jv.Emitter) -> str:
    """Assignments of the static initialiser, in blob order (each emitter call appends to it)."""
    net = spec.net
    response_domain = spec.response_domain if spec.category in CLASSIFICATION else None
    out: list[tuple[str, str]] = [
        ("NAMES", em.strings(spec.names)),
        ("DOMAINS", em.domains(list(spec.domains) + [response_domain])),
        ("PRED_NAMES", em.strings(spec.pred_names)),
        ("PRIOR_CLASS_DISTRIB", "null" if spec.prior_class_distrib is None else em.doubles(spec.prior_class_distrib)),
        ("MODEL_CLASS_DISTRIB", "null" if spec.model_class_distrib is None else em.doubles(spec.model_class_distrib)),
        ("CAT_OFFSETS", em.ints(spec.cat_offsets)),
        ("CAT_MISSING", em.bools(spec.cat_missing)),
        ("NUM_SUB", em.doubles(spec.num_sub)),
        ("NUM_MUL", em.doubles(spec.num_mul)),
        ("UNITS", em.ints(net.units)),
        ("PIECES", em.ints(net.pieces)),
        ("ACTS", em.ints(net.acts)),
        ("MAJORS", em.ints(net.majors)),
        ("SCALES", jv.array_literal("float", [jv.java_float(s) for s in net.scales()])),
        ("OUT_DIV", em.doubles(spec.out_div)),
        ("OUT_ADD", em.doubles(spec.out_add)),
    ]
    lines = [f"    {name} = {expr};" for name, expr in out]
    n = len(net.weights)
    lines.append(f"    W = new float[{n}][];")
    lines.append(f"    B = new float[{n}][];")
    for l in range(n):
        w = net.weights[l].T if net.majors[l] else net.weights[l]     # the class keeps every layer input-major
        lines.append(f"    W[{l}] = {em.floats(w)};   // {_shape_note(net, l)}")
        lines.append(f"    B[{l}] = {em.floats(net.biases[l])};")
    return "\n".join(lines)


def _shape_note(net: NetSpec, l: int) -> str:
    cols = net.units[l + 1] * net.pieces[l]
    how = ", dot products in the server's order" if net.majors[l] else ""
    return f"{net.units[l]} inputs x {cols} columns{how}"


def _finish_code(spec: PojoSpec) -> str:
    if spec.category == "Regression":
        return "\n".join([
            "    double f = out[0] * RESP_SIGMA + RESP_MEAN + offset;",
            "    preds[0] = LOG_LINK ? Math.min(1e19, Math.exp(f)) : f;   // H2O-3's LogExpUtil.exp",
        ])
    if spec.category == "AutoEncoder":
        return "\n".join([
            "    double s = 0;",
            "    for (int i = 0; i < out.length; i++) {",
            "      double d = (double) out[i] - (double) x[i];",
            "      s += d * d;",
            "      preds[1 + i] = out[i] / OUT_DIV[i] + OUT_ADD[i];",
            "    }",
            "    preds[0] = s / out.length;",
        ])
    lines = [
        "    int n = out.length;",
        "    for (int k = 0; k < n; k++) preds[1 + k] = out[k];",
        "    if (PRIOR_CLASS_DISTRIB != null && MODEL_CLASS_DISTRIB != null) {   // undo balance_classes",
        "      double[] c = new double[n];",
        "      for (int k = 0; k < n; k++) {",
        "        c[k] = out[k] * (MODEL_CLASS_DISTRIB[k] > 0 ? PRIOR_CLASS_DISTRIB[k] / MODEL_CLASS_DISTRIB[k] : 0.0);",
        "      }",
        "      double s = pairwiseSum(c, 0, n);",
        "      if (s > 0) for (int k = 0; k < n; k++) preds[1 + k] = c[k] / s;",
        "    }",
    ]
    if spec.category == "Binomial":
        lines.append("    preds[0] = preds[2] >= DEFAULT_THRESHOLD ? 1 : 0;")
    else:
        lines += [
            "    int best = 0;",
            "    for (int k = 1; k < n; k++) if (preds[1 + k] > preds[1 + best]) best = k;",
            "    preds[0] = best;",
        ]
    return "\n".join(lines)


def _header(spec: PojoSpec, cls: str) -> str:
    net = spec.net
    hidden = ",".join(str(u) for u in net.units[1:-1])
    n_params = sum(w.size + b.size for w, b in zip(net.weights, net.biases))
    key = jv.java_comment_text(spec.model_id)
    return f"""/*
 * Deep-learning model "{key}" ({spec.category}), generated by h2o_backend {jv.java_comment_text(spec.version)}.
 * {net.units[0]} inputs, hidden layers {hidden or "none"}, {net.units[-1]} outputs, {n_params:,} weights and biases.
 *
 * Needs only the JDK (8 or later):
 *   curl -o {cls}.java http://<host>:<port>/3/Models.java/<model key>
 *   javac {cls}.java
 *   java -cp . {cls} input.csv predictions.csv      # score a CSV file (header row names the columns)
 * From Java:
 *   {cls} model = new {cls}();
 *   double[] preds = model.score0(row, new double[{cls}.PREDS_SIZE]);
 * row[i] is predictor NAMES[i]: a number, or for a categorical the index of its level in DOMAINS[i];
 * Double.NaN for a missing value. preds[0] is the predicted class index (the prediction for
 * regression, the reconstruction error for an autoencoder), preds[1..] the class probabilities
 * (the reconstructed inputs for an autoencoder).
 */"""


# ------------------------------------------------------------------ from a trained model
def pojo_source(model, preview: bool = False) -> str:
    """The Java source of a trained DeepLearningModel (``preview``: without the weights)."""
    return render(spec_from_model(model), preview=preview)


def spec_from_model(model) -> PojoSpec:
    """Everything the class needs, read from the model's DataInfo, ModelInfo and outputs, with the
    server's float arithmetic measured on this machine (pojo_arith)."""
    from h2o_backend import __version__
    from h2o_backend.engine.model import UNSTABLE_PREDICT

    di, mi = model.datainfo, model.model_info
    if mi.unstable:
        raise ValueError(UNSTABLE_PREDICT)
    category = di.problem
    if category in CLASSIFICATION:
        pred_names = ["predict"] + [str(d) for d in di.response_domain]
    elif category == "Regression":
        pred_names = ["predict"]
    else:
        pred_names = ["Reconstruction.MSE"] + [f"reconstr_{n}" for n in di.expanded_names]
    spec = PojoSpec(
        model_id=model.model_id, category=category, names=list(di.predictor_names),
        domains=[None if d is None else [str(v) for v in d] for d in di.predictor_domains],
        net=NetSpec.from_model_info(mi, model.drop_ratios()),
        response_name=di.response_name,
        response_domain=None if di.response_domain is None else [str(v) for v in di.response_domain],
        cat_offsets=[int(o) for o in di.cat_offsets], cat_missing=[bool(m) for m in di.cat_missing],
        use_all_factor_levels=bool(di.use_all_factor_levels),
        num_sub=[float(v) for v in di.num_sub], num_mul=[float(v) for v in di.num_mul],
        pred_names=pred_names, version=__version__,
        fma=pojo_arith.server_fuses_multiply_add(), dot=pojo_arith.server_dot_order(),
        softmax_sum=pojo_arith.server_softmax_order(), expf_glibc=pojo_arith.server_expf_is_glibc())
    if category == "Binomial":
        spec.threshold = float(model.binomial_threshold())
    if category in CLASSIFICATION and model.prior_class_dist is not None \
            and model.model_class_dist is not None:
        spec.prior_class_distrib = [float(v) for v in model.prior_class_dist]
        spec.model_class_distrib = [float(v) for v in model.model_class_dist]
    spec.distribution = distributions.resolve(getattr(model.params, "distribution", "AUTO"), category)
    if category == "Regression":
        spec.resp_mean, spec.resp_sigma = float(di.response_mean), float(di.response_sigma)
        spec.log_link = distributions.uses_log_link(spec.distribution)
        spec.offset_column = getattr(di, "offset_name", None)
    if category == "AutoEncoder":
        n_cat_inputs = di.num_offset
        spec.out_div = [1.0] * n_cat_inputs + [float(v) for v in di.num_mul]
        spec.out_add = [0.0] * n_cat_inputs + [float(v) for v in di.num_sub]
    return spec
