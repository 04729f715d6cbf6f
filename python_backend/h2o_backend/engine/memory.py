"""How many bytes a training run or a prediction will hold, estimated from the parameters and the
data's shape before anything is allocated (the server refuses what would exceed ``--max-mem``),
and how many a trained model holds.

A training run holds (float32 throughout, as the kernels):
- the weights and biases, and the optimizer's per-weight state: ADADELTA keeps 2 arrays per weight
  and per bias (E[g^2], E[dx^2]), momentum 1, plain SGD none;
- a copy of all of that for the best model (``override_with_best_model``), and one per
  cross-validation model (each is kept);
- the initialisation scratch of the largest layer (its weights drawn as float64, then float32),
  freed before the best-model copy exists, so only the larger of the two counts;
- the training workspaces: per-sample (``mini_batch_size`` 1) one per thread (activations,
  pre-activations, signals, errors, dropout masks of one row); mini-batch, BatchRunner's buffer
  sets (batch_buffers.training_buffer_bytes: one per thread with HOGWILD!, one when synchronous);
- the scorer's row buffers (batch_buffers.scoring_buffer_bytes) for the largest set it scores;
- the prepared input matrix of the training rows (and the float64 blocks it is scaled in) and
  its scoring samples (training and validation), plus the prepared validation rows.

Checked against the peak resident memory of real runs (2026-12-04): hidden=[2000000] on 4 inputs
estimated 565 MB, peak growth 677 MB; the MNIST trial network on 60,000 rows 294 MB, peak 260 MB.
The default budget (60 % of memory) leaves room for such differences.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np

from h2o_backend.engine import activations as act
from h2o_backend.engine import batch_buffers
from h2o_backend.engine.kernels.layout import NET_COLS, NET_NIN, build_net_table, sizes

F32 = 4
F64 = 8
STATE_ARRAYS = ("w", "b", "ada_g_w", "ada_dx_w", "ada_g_b", "ada_dx_b", "mom_w", "mom_b")
OPTIMIZER_STATE = {"adadelta": (2, "ADADELTA state"), "momentum": (1, "momentum state"), "sgd": (0, "")}


def format_bytes(n: float) -> str:
    """H2O's PrettyPrint.bytes style: '40.2 GB', '512.0 MB', '3.0 KB', '12 B' (1024-based)."""
    n = float(n)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{int(n)} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


@dataclass
class Estimate:
    """What an operation will hold: ``what`` ("DeepLearning model") and named parts in bytes."""
    what: str
    parts: list[tuple[str, int]] = field(default_factory=list)
    field: str | None = None          # the parameter to blame when it is too large

    def add(self, name: str, nbytes: float) -> None:
        if nbytes > 0:
            self.parts.append((name, int(nbytes)))

    @property
    def total(self) -> int:
        return sum(b for _, b in self.parts)

    def describe(self) -> str:
        """'DeepLearning model needs 40.2 GB (weights 20.0 GB, ADADELTA state 40.0 GB, ...)'."""
        detail = ", ".join(f"{name} {format_bytes(b)}" for name, b in self.parts)
        return f"{self.what} needs {format_bytes(self.total)}" + (f" ({detail})" if detail else "")


# ---------------------------------------------------------------------------- networks
def network_sizes(units: list[int], activation: str) -> dict:
    """Weights, biases, unit and column counts of a network, and its largest layer's weight count
    (no allocation)."""
    code, _ = act.parse_activation(activation)
    n_layers = len(units) - 1
    pieces = [act.pieces(code)] * (n_layers - 1) + [1]
    acts = [code] * (n_layers - 1) + [act.ACT_SOFTMAX]
    net = build_net_table([int(u) for u in units], pieces, acts, None)
    out = sizes(net)
    out["pieces"] = pieces
    out["largest_layer"] = int((net[:, NET_NIN].astype(np.int64) * net[:, NET_COLS]).max())
    return out


def optimizer_of(params) -> str:
    from h2o_backend.engine.model_info import optimizer_for
    return optimizer_for(params)


def network_estimate(units: list[int], activation: str, optimizer: str, n_threads: int, *,
                     best_copy: bool = True, extra_models: int = 0, batch_size: int = 1,
                     reproducible: bool = False, majors: list[int] | None = None, score_rows: int | None = None,
                     input_dropout: bool = False) -> Estimate:
    """The network part of a training run on ``n_threads`` threads (as training.TrainingRun uses
    them): weights, optimizer state, copies, workspaces. Per-sample (``batch_size`` 1) one workspace
    per thread, one when ``reproducible``; mini-batch, BatchRunner's buffers on all threads, HOGWILD!
    unless ``reproducible``. Scoring runs on all threads; ``score_rows``: the most rows one scoring
    call takes (None: a full block per thread)."""
    sz = network_sizes(units, activation)
    est = Estimate("DeepLearning model", field="hidden")
    n_params = sz["n_weights"] + sz["n_biases"]
    est.add("weights", n_params * F32)
    copies, label = OPTIMIZER_STATE[optimizer]
    est.add(label, copies * n_params * F32)
    state = n_params * F32 * (1 + copies)
    if extra_models:
        est.add(f"{extra_models} cross-validation models", extra_models * state)
    # the initialisation scratch is freed before the best-model copy is made: the larger counts
    scratch = sz["largest_layer"] * (F64 + F32)
    if best_copy and state >= scratch:
        est.add("best-model copy", state)
    else:
        est.add("initialisation scratch", scratch)
    threads = max(1, int(n_threads))
    if batch_size > 1:
        hogwild = not reproducible
        sets = batch_buffers.training_buffer_sets(threads, hogwild)
        buffers = batch_buffers.training_buffer_bytes(units, sz["pieces"], batch_size, threads, hogwild, majors)
        if buffers > max(b for _, b in est.parts):
            est.field = "mini_batch_size"       # the batch, not the network, is what is too large
        est.add(f"mini-batch buffers of {sets} thread{'s' if sets > 1 else ''}", buffers)
    else:
        workers = 1 if reproducible else threads
        per_thread = F32 * (4 * sz["n_units"] + 2 * sz["n_cols"] + 2 * sz["max_cols"] + sz["max_units"])
        est.add(f"workspaces of {workers} threads", workers * per_thread)
    rows = threads * batch_buffers.SCORE_BLOCK if score_rows is None else score_rows
    est.add("scoring buffers", batch_buffers.scoring_buffer_bytes(units, sz["pieces"], rows, threads, input_dropout))
    return est


def training_estimate(params, train, valid=None, checkpoint=None, n_threads: int = 1) -> Estimate:
    """Everything a training run on ``train`` will hold (see the module doc)."""
    from h2o_backend.engine import parameters
    from h2o_backend.engine.data.datainfo import CHUNK_CELLS, DataInfo
    eff = parameters.effective_parameters(params, train=train, valid=valid)
    if checkpoint is not None:
        units, activation = list(checkpoint.model_info.units), checkpoint.params.activation
        optimizer, datainfo = checkpoint.model_info.optimizer, checkpoint.datainfo
    else:
        datainfo = DataInfo.fit(train, eff)
        units = [datainfo.n_inputs, *[int(h) for h in eff.hidden], datainfo.n_outputs]
        activation, optimizer = eff.activation, optimizer_of(eff)
    nfolds = int(getattr(eff, "nfolds", 0) or 0)
    rows = train.nrows
    samples = rows if eff.score_training_samples <= 0 else min(rows, eff.score_training_samples)
    v_samples = 0 if valid is None else (valid.nrows if eff.score_validation_samples <= 0
                                         else min(valid.nrows, eff.score_validation_samples))
    est = network_estimate(units, activation, optimizer, n_threads,
                           best_copy=bool(eff.override_with_best_model) and nfolds < 2,
                           extra_models=nfolds if nfolds >= 2 else 0,
                           batch_size=int(getattr(eff, "mini_batch_size", 1) or 1),
                           reproducible=bool(eff.reproducible),
                           majors=list(checkpoint.model_info.majors) if checkpoint is not None else None,
                           score_rows=max(samples, v_samples), input_dropout=eff.input_dropout_ratio > 0)
    n_in = units[0]
    if getattr(train, "held_on_cluster", False):     # prepared and held by the Dask workers
        est.add("scoring samples' outputs", samples * units[-1] * F64)
        return est
    est.add("prepared training data", rows * (n_in * F32 + F64))
    special = sum(1 for name in ("weights_column", "offset_column") if getattr(eff, name, None))
    if special:   # float64 per row (DataInfo) and the kernels' float32 copy, for each column
        est.add("row weights and offsets", rows * special * (F64 + F32))
    # DataInfo.transform scales numeric columns in float64 blocks of CHUNK_CELLS cells (~3 live)
    est.add("data preparation scratch", min(rows * n_in, CHUNK_CELLS) * F64 * 3)
    if eff.balance_classes:
        est.add("balanced rows", rows * float(eff.max_after_balance_size) * 8)
    est.add("scoring samples", samples * (n_in + units[-1]) * F32)
    if valid is not None:
        est.add("prepared validation data", valid.nrows * n_in * F32 + v_samples * (n_in + units[-1]) * F32)
    return est


def model_bytes(model) -> int:
    """Bytes of a trained model's arrays (weights, biases, optimizer state)."""
    mi = getattr(model, "model_info", None)
    if mi is None:
        return 0
    return int(sum(getattr(mi, name).nbytes for name in STATE_ARRAYS if isinstance(getattr(mi, name, None),
                                                                                      np.ndarray)))


# ---------------------------------------------------------------------------- predictions
def prediction_estimate(model, n_rows: int, kind: str, layer: int = 0) -> Estimate:
    """A prediction's prepared inputs, raw outputs and output frame (float64 columns)."""
    mi = model.model_info
    units = list(mi.units)
    est = Estimate("Prediction", field="frame_id")
    est.add("prepared inputs", n_rows * units[0] * F32)
    threads = numba.get_num_threads()       # batch_sgd.forward's default
    est.add("scoring buffers", batch_buffers.scoring_buffer_bytes(
        units, mi.pieces, n_rows, threads, float(getattr(model.params, "input_dropout_ratio", 0) or 0) > 0))
    if kind == "deep_features":
        width = units[layer + 1] if 0 <= layer + 1 < len(units) else 0
        est.add("deep features", n_rows * width * (F32 + F64))
    elif kind == "reconstruction_error":
        est.add("output frame", n_rows * F64 * 2)
    else:
        est.add("raw outputs", n_rows * units[-1] * (F32 + F64))
        est.add("output frame", n_rows * (units[-1] + 1) * F64)
    return est
