"""DeepLearningModel: a trained network with its data preparation, outputs and scoring.

Settings (``params``: effective, ``input_params``: as given) are kept apart from what training
produced (``output``: metrics, scoring history, variable importances, summary, timings, status).
Scoring runs the batch kernel (rows in parallel, test-time dropout scaling), or a ``forward``
callable with ``batch_sgd.forward``'s signature that the caller provides (the server passes the
Dask cluster's for large frames: the same outputs, scored on the workers). Classification
probabilities are corrected for balance_classes resampling; the binomial label uses the max-F1
threshold of the validation (else training) metrics, like H2O-3's ``predict``.

Regression predictions are ``linkInv(f + offset)`` on the response's scale, f the network's output
(unstandardized for the identity-link families) and the offset read from the frame being scored
(a frame without the model's offset column is refused); metrics weigh each row by the frame's
weights column (1 without it) and use the model's family (``family()``: its name, tweedie_power,
quantile_alpha and huber's delta, set by training after each scoring).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from h2o_backend.engine import activations as act
from h2o_backend.engine import distributions
from h2o_backend.engine.data import balance
from h2o_backend.engine.metrics import model_metrics as metrics
from h2o_backend.engine.metrics import gains_lift, provenance, tables
from h2o_backend.engine.data import datainfo as di_module
from h2o_backend.engine.data.datainfo import DataInfo
from h2o_backend.engine.model_info import ModelInfo
from h2o_backend.engine import batch_sgd
from h2o_backend.frames.frame import Column, Frame
from h2o_backend.engine.problems import CLASSIFICATION

UNSTABLE_PREDICT = "Trying to predict with an unstable model."


@dataclass
class DeepLearningModel:
    model_id: str
    params: object                  # effective DeepLearningParameters
    input_params: object            # DeepLearningParameters as given
    datainfo: DataInfo
    model_info: ModelInfo
    output: dict = field(default_factory=dict)
    prior_class_dist: np.ndarray | None = None   # balance_classes: class distribution before / after
    model_class_dist: np.ndarray | None = None
    cv_models: list = field(default_factory=list)   # fold models of an n-fold run (not saved here)
    cv_frames: list = field(default_factory=list)   # kept cross-validation predictions / fold assignment
    huber_delta: float | None = None                # huber: the delta of the last scoring (response scale)

    # ------------------------------------------------------------------ properties
    @property
    def problem(self) -> str:
        return self.datainfo.problem

    @property
    def status(self) -> str:
        return self.output.get("status", "RUNNING")

    @property
    def is_classifier(self) -> bool:
        return self.problem in CLASSIFICATION

    @property
    def distribution(self) -> str:
        """The effective (lowercase H2O-3) distribution; models saved before it was resolved too."""
        return distributions.resolve(getattr(self.params, "distribution", "AUTO"), self.problem)

    @property
    def weights_column(self) -> str | None:
        return self.datainfo.weights_name

    @property
    def offset_column(self) -> str | None:
        return self.datainfo.offset_name

    def family(self):
        """The distribution with its parameters, as the metrics take it (huber: the metrics of a
        frame use the huber_alpha quantile of that frame's residuals, as H2O-3)."""
        p = self.params
        return distributions.Family(self.distribution, float(getattr(p, "tweedie_power", 1.5)),
                                    float(getattr(p, "quantile_alpha", 0.5)),
                                    float(self.huber_delta if self.huber_delta is not None else 1.0),
                                    float(getattr(p, "huber_alpha", 0.9)))

    def drop_ratios(self) -> np.ndarray:
        """Dropout ratios per unit layer (input, hidden..., output) for test-time scaling."""
        p = self.params
        return np.array(act.dropout_ratios(p.activation, p.input_dropout_ratio, p.hidden_dropout_ratios,
                                           self.model_info.n_layers - 1), np.float32)

    # ------------------------------------------------------------------ raw scoring
    def _check_stable(self) -> None:
        if self.model_info.unstable:
            raise ValueError(UNSTABLE_PREDICT)

    def outputs(self, X: np.ndarray, row_mse: bool = False, hidden_layer: int = 0, stop=None, forward=None):
        """(outputs [n, n_out], row MSEs, deep features) of prepared inputs ``X``; ``stop``: see
        batch_sgd.forward (scoring during training stops on a cancel); ``forward``: a callable with
        batch_sgd.forward's signature and results that scores instead of it (default: it)."""
        self._check_stable()
        return (forward or batch_sgd.forward)(self.model_info, X, self.drop_ratios(), row_mse=row_mse,
                                              hidden_layer=hidden_layer, stop=stop)

    def class_probabilities(self, X: np.ndarray, stop=None, forward=None) -> np.ndarray:
        probs = self.outputs(X, stop=stop, forward=forward)[0].astype(np.float64)
        if self.prior_class_dist is not None and self.model_class_dist is not None:
            probs = balance.correct_probabilities(probs, np.asarray(self.prior_class_dist),
                                                  np.asarray(self.model_class_dist))
        return probs

    def regression_values(self, X: np.ndarray, offsets=None, stop=None, forward=None) -> np.ndarray:
        """Predictions on the response's scale; ``offsets``: the rows' offsets (link scale), which
        a model with an offset column needs (``datainfo.offsets``)."""
        if offsets is None and self.offset_column:
            raise ValueError(di_module.MISSING_OFFSET.format(name=self.offset_column))
        raw = self.outputs(X, stop=stop, forward=forward)[0][:, 0].astype(np.float64)
        f = self.datainfo.unstandardize(raw)          # net * sd + mean: the link-space value ...
        if offsets is not None:
            f = f + np.asarray(offsets, np.float64)     # ... plus the offset (the POJO's and ONNX's order)
        return np.asarray(distributions.link_inverse(self.distribution, f))

    def metrics_on(self, X: np.ndarray, y, weights=None, offsets=None, stop=None, forward=None,
                   custom=None) -> dict:
        """H2O-3 metrics of prepared inputs ``X`` against ``y`` (class codes, standardised values;
        ignored for autoencoders), rows weighted by ``weights`` (None: 1), regression with the rows'
        ``offsets``. Rows with a missing response must be removed by the caller.
        ``custom``: a metrics.custom.CustomMetric, reported as custom_metric_name / _value."""
        p = self.params
        if self.problem == "AutoEncoder":
            out, row_mse, _ = self.outputs(X, row_mse=True, stop=stop, forward=forward)
            m, preds, actual = metrics.autoencoder_metrics(row_mse, weights=weights), out.astype(np.float64), None
        elif self.problem == "Regression":
            actual = np.asarray(self.datainfo.unstandardize(np.asarray(y, np.float64)))
            values = self.regression_values(X, offsets, stop=stop, forward=forward)
            m = metrics.regression_metrics(actual, values, weights=weights, family=self.family())
            preds = values[:, None]
        else:
            probs = self.class_probabilities(X, stop=stop, forward=forward)
            domain = list(self.datainfo.response_domain)
            if self.problem == "Binomial":
                m = metrics.binomial_metrics(np.asarray(y), probs, domain, weights=weights,
                                           gains_lift_groups=gains_lift.DEFAULT_GROUPS)
                label = (probs[:, 1] >= m.get("default_threshold", 0.5)).astype(np.float64)
            else:
                m = metrics.multinomial_metrics(np.asarray(y), probs, domain, max_hit_ratio_k=p.max_hit_ratio_k,
                                                max_confusion_matrix_size=p.max_confusion_matrix_size,
                                                weights=weights)
                label = probs.argmax(axis=1).astype(np.float64)
            preds, actual = np.column_stack([label, probs]), np.asarray(y, np.float64)
        if custom is not None:
            m["custom_metric_name"] = custom.name
            m["custom_metric_value"] = custom.value(preds, actual, weights=weights, offsets=offsets)
        return m

    # ------------------------------------------------------------------ frames in and out
    def prepared(self, frame: Frame, labelled: bool = True):
        """(X, y, weights, offsets) of ``frame``; with ``labelled`` only its rows that count in
        metrics: with a response (autoencoders: every row, y None) and a non-zero weight."""
        info = self.datainfo
        X, w, o = info.transform(frame), info.weights(frame), info.offsets(frame)
        y = None if self.problem == "AutoEncoder" else info.response(frame)
        if not labelled:
            return X, y, w, o
        keep = np.ones(frame.nrows, bool) if y is None else (y >= 0) if self.is_classifier else ~np.isnan(y)
        if w is not None:
            keep &= w != 0
        if keep.all():
            return X, y, w, o

        def kept(a):
            return None if a is None else a[keep]
        return X[keep], kept(y), kept(w), kept(o)

    def score(self, frame: Frame, forward=None) -> dict:
        """Metrics on ``frame`` (it must hold the response, except for autoencoders)."""
        X, y, w, o = self.prepared(frame)
        result = self.metrics_on(X, y, weights=w, offsets=o, forward=forward)
        return provenance.stamp(dict(result, description=None), self, frame)

    def binomial_threshold(self) -> float:
        """The label threshold of binomial predictions: from the validation (else training)
        metrics, their ``default_threshold`` (models saved before it existed: the max-F1 one)."""
        for key in ("validation_metrics", "training_metrics"):
            metrics_ = self.output.get(key) or {}
            t = metrics_.get("default_threshold")
            if t is None or not np.isfinite(t):
                t = max_f1_threshold(metrics_)
            if t is not None:
                return t
        return 0.5

    def predict(self, frame: Frame, key: str, forward=None) -> Frame:
        """H2O-3 prediction frame: ``predict`` (+ one probability column per class), or the
        reconstruction ``reconstr_<input>`` of an autoencoder; ``forward``: see ``outputs``."""
        X = self.datainfo.transform(frame)
        if self.problem == "AutoEncoder":
            out = self.datainfo.denormalize(self.outputs(X, forward=forward)[0].astype(np.float64))
            return Frame(key, [Column(f"reconstr_{n}", "real", np.asarray(out[:, j], np.float64))
                               for j, n in enumerate(self.datainfo.expanded_names)])
        if self.problem == "Regression":
            values = self.regression_values(X, self.datainfo.offsets(frame), forward=forward)
            return Frame(key, [Column("predict", "real", values)])
        probs = self.class_probabilities(X, forward=forward)
        domain = list(self.datainfo.response_domain)
        if self.problem == "Binomial":
            label = (probs[:, 1] >= self.binomial_threshold()).astype(np.int32)
        else:
            label = probs.argmax(axis=1).astype(np.int32)
        cols = [Column("predict", "enum", label, domain)]
        cols += [Column(str(d), "real", probs[:, k]) for k, d in enumerate(domain)]
        return Frame(key, cols)

    def anomaly(self, frame: Frame, key: str, forward=None) -> Frame:
        """Per-row reconstruction MSE over the expanded, normalised inputs (autoencoders)."""
        if self.problem != "AutoEncoder":
            raise ValueError("Deep Learning Model must be build with autoencoder = true.")
        mse = self.outputs(self.datainfo.transform(frame), row_mse=True, forward=forward)[1]
        return Frame(key, [Column("Reconstruction.MSE", "real", np.asarray(mse, np.float64))])

    def deep_features(self, frame: Frame, layer: int, key: str, forward=None) -> Frame:
        """Activations of hidden layer ``layer`` (1-based), columns ``DF.L<layer>.C<j>``."""
        n_hidden = self.model_info.n_layers - 1
        if not 1 <= layer <= n_hidden:
            raise ValueError(f"hidden layer must be between 1 and {n_hidden}, got {layer}")
        feats = self.outputs(self.datainfo.transform(frame), hidden_layer=layer, forward=forward)[2]
        return Frame(key, [Column(f"DF.L{layer}.C{j + 1}", "real", feats[:, j].astype(np.float64))
                           for j in range(feats.shape[1])])

    # ------------------------------------------------------------------ summary
    def summary_table(self) -> dict:
        """H2O's "Status of Neuron Layers" table."""
        p, mi = self.params, self.model_info
        drop = self.drop_ratios()
        hidden_name = str(p.activation).replace("WithDropout", "Dropout")
        out_name = {"Binomial": "Softmax", "Multinomial": "Softmax", "Regression": "Linear"}.get(
            self.problem, hidden_name.replace("Dropout", ""))
        rows = [["", 1, mi.units[0], "Input", float(drop[0]) * 100, None, None, None, None, None, None, None, None,
                 None]]
        for l in range(mi.n_layers):
            s = mi.layer_stats(l)
            last = l == mi.n_layers - 1
            momentum = 0.0                        # H2O-3 shows 0 with the adaptive rate
            if not p.adaptive_rate:
                from h2o_backend.engine.schedules import momentum_at, rate_at
                n = mi.processed
                momentum = momentum_at(p.momentum_start, p.momentum_stable, p.momentum_ramp, n)
                s["mean_rate"], s["rms_rate"] = rate_at(p.rate, p.rate_annealing, p.rate_decay, l, n), 0.0
            stats = [s.get("mean_rate"), s.get("rms_rate"), momentum, s["mean_weight"], s["rms_weight"],
                     s["mean_bias"], s["rms_bias"]]
            if not p.diagnostics:       # the layer statistics are what diagnostics=false leaves out
                stats = [None] * len(stats)
            rows.append(["", l + 2, mi.units[l + 1], out_name if last else hidden_name,
                         None if last else float(drop[l + 1]) * 100, p.l1, p.l2, *stats])
        # H2O-3's columns: an unnamed row-header column (empty), then the headers as field names
        columns = [tables.column("", "string", keep_name=True)] + [tables.column(header, type_) for header, type_ in (
            ("Layer", "int"), ("Units", "int"), ("Type", "string"), ("Dropout", "double"), ("L1", "double"),
            ("L2", "double"), ("Mean Rate", "double"), ("Rate RMS", "double"), ("Momentum", "double"),
            ("Mean Weight", "double"), ("Weight RMS", "double"), ("Mean Bias", "double"), ("Bias RMS", "double"))]
        return tables.two_dim_table("Status of Neuron Layers", columns, rows, description=self._summary_description())

    def _summary_description(self) -> str:
        """H2O-3's description of the summary table: what the model predicts, its distribution and
        loss, its size, the samples it trained on and the mini-batch size."""
        p, mi = self.params, self.model_info
        if self.problem == "AutoEncoder":
            task = "auto-encoder"
        else:
            kind = (f"{len(self.datainfo.response_domain or [])}-class classification"
                    if self.problem in ("Binomial", "Multinomial") else "regression")
            task = f"predicting {self.datainfo.response_name}, {kind}"
        distribution = "gaussian" if self.problem == "AutoEncoder" else self.distribution
        size = sum(a.nbytes for a in (mi.w, mi.b, mi.ada_g_w, mi.ada_dx_w, mi.ada_g_b, mi.ada_dx_b, mi.mom_w, mi.mom_b))
        return (f"{task}, {distribution} distribution, {h2o3_loss(p.loss, distribution)} loss, "
                f"{mi.n_params:,} weights/biases, {pretty_bytes(size)}, {mi.processed:,} training samples, "
                f"mini-batch size {int(getattr(p, 'mini_batch_size', 1) or 1)}")

    # ------------------------------------------------------------------ saved state
    def to_state(self) -> dict:
        return {"model_id": self.model_id,
                "params": dataclasses.asdict(self.params),
                "input_params": dataclasses.asdict(self.input_params),
                "datainfo": self.datainfo.to_dict(),
                "model_info": self.model_info.to_dict(),
                "output": self.output,
                "prior_class_dist": self.prior_class_dist,
                "model_class_dist": self.model_class_dist,
                "huber_delta": self.huber_delta}

    @classmethod
    def from_state(cls, state: dict) -> "DeepLearningModel":
        from h2o_backend.engine.parameters import DeepLearningParameters
        names = {f.name for f in dataclasses.fields(DeepLearningParameters)}

        def params(d):
            return DeepLearningParameters(**{k: v for k, v in d.items() if k in names})

        def dist(v):
            return None if v is None else np.asarray(v, np.float64)

        return cls(model_id=state["model_id"], params=params(state["params"]),
                   input_params=params(state["input_params"]),
                   datainfo=DataInfo.from_dict(state["datainfo"]),
                   model_info=ModelInfo.from_dict(state["model_info"]), output=dict(state["output"]),
                   prior_class_dist=dist(state.get("prior_class_dist")),
                   model_class_dist=dist(state.get("model_class_dist")),
                   huber_delta=state.get("huber_delta"))


def max_f1_threshold(m: dict | None) -> float | None:
    """The max-F1 threshold of binomial metrics (their ``threshold``, else the "max f1" row of
    max_criteria_and_metric_scores)."""
    t = (m or {}).get("threshold")
    if t is not None and np.isfinite(t):
        return float(t)
    table = (m or {}).get("max_criteria_and_metric_scores")
    if not table:
        return None
    names = [c["name"] if isinstance(c, dict) else c for c in table.get("columns", [])]
    data = table.get("data", [])
    if "metric" not in names or "threshold" not in names:
        return None
    metric_col, thr_col = data[names.index("metric")], data[names.index("threshold")]
    for label, thr in zip(metric_col, thr_col):
        if str(label).lower() == "max f1" and thr is not None:
            return float(thr)
    return None


# H2O-3's resolution of an Automatic loss, by distribution (Quadratic for the others)
_AUTOMATIC_LOSS = {"bernoulli": "CrossEntropy", "multinomial": "CrossEntropy", "laplace": "Absolute",
                   "quantile": "Quantile", "huber": "Huber"}


def h2o3_loss(loss: str, distribution: str) -> str:
    """The loss as H2O-3 names it once resolved: this server's MeanSquare is H2O-3's Quadratic;
    Automatic is CrossEntropy for classifiers, Absolute, Quantile or Huber by the distribution,
    else Quadratic."""
    if loss == "MeanSquare":
        return "Quadratic"
    if loss == "Automatic":
        return _AUTOMATIC_LOSS.get(distribution, "Quadratic")
    return str(loss)


def pretty_bytes(n: int) -> str:
    """A size as H2O-3 prints it: "812  B", "4.6 KB", "1.4 MB"."""
    if n < 1024:
        return f"{n}  B"
    for unit in ("KB", "MB", "GB", "TB"):
        n /= 1024.0
        if n < 1024 or unit == "TB":
            return f"{n:.1f} {unit}"
