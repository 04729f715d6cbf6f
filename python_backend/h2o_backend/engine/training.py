"""train_deeplearning: validation, data preparation, iterations of training (per-sample SGD, or
mini-batches), scoring within the duty cycle, early stopping, best model, cancel, checkpoint
restart, n-fold CV.

Families, weights and offsets: the runners train every row with its weight (rows of weight 0
are left out of the training rows) and its offset (``offset / sd`` of a standardized response,
DataInfo); the scoring samples keep the rows' weights and offsets, so every metric is weighted
and uses the model's family; huber's delta is set at each scoring (``_update_huber_delta``).

The loop stays in Python; each chunk of rows is one compiled call (sgd.SGDRunner per sample with
HOGWILD! threads, or batch_sgd.BatchRunner), after which the job's progress is updated and its
cancel flag read. A cancelled model keeps what it
learnt (status CANCELLED); non-finite weights fail the job with H2O's instability message.
Threads: ``numba.get_num_threads()``, or one with ``reproducible`` (bit-identical reruns) on the
per-sample path; ``mini_batch_size`` > 1 trains on batches (batch_sgd.BatchRunner) with all
threads, reproducible (synchronous) or not (HOGWILD! over batches).

Multi-node training (model averaging) plugs in through ``cluster``: an object with ``n_nodes`` and
``session(run)``, which returns a session with ``train_samples_per_iteration`` (the current value),
``run_iteration()`` (trains one iteration from ``run.mi`` on the nodes, averages the copies into
``run.mi`` in place, adds the samples to ``run.mi.processed``, reports progress and sets
``run.cancelled`` when the job's stop flag is seen) and ``close()``. The server passes one when it
was started with a Dask option (package ``h2o_backend.cluster``); the engine never imports it, and
everything else (scoring, early stopping, best model, checkpoints, cross-validation) is this loop.
With ``mini_batch_size`` > 1 the nodes train their copies on mini-batches (``run.batch``).
A training frame the nodes hold themselves (``held_on_cluster``) is prepared by the cluster's
``training_data(frame, datainfo)``: an object with TrainingData's ``n_rows``, ``input_density``,
``score_set`` and ``targets`` whose rows stay on the nodes (its session places them).
"""
from __future__ import annotations

import copy
import dataclasses
import functools
import logging
import math
import random
import time

import numba
import numpy as np

from h2o_backend.engine import activations as act
from h2o_backend.engine import crossval, distributions, iterations, network_start, parameters, stopping
from h2o_backend.engine.data import balance
from h2o_backend.engine.metrics import provenance, scoring
from h2o_backend.engine.data.datainfo import DataInfo
from h2o_backend.engine.kernels.layout import MAJOR_INPUT, MAJOR_UNIT
from h2o_backend.engine.model import DeepLearningModel
from h2o_backend.engine.model_info import ModelInfo, optimizer_for
from h2o_backend.engine.errors import NumericalInstability, ValidationError
from h2o_backend.engine.batch_sgd import BatchRunner
from h2o_backend.engine.run_sizes import ScoringStopped, rows_within  # noqa: F401
from h2o_backend.engine.sgd import SGDConfig, SGDRunner
from h2o_backend.engine.problems import CLASSIFICATION

log = logging.getLogger(__name__)


def _error_text(metrics: dict | None, problem: str) -> str:
    """The error H2O reports for a scoring event: classification error, else MSE."""
    return f"{scoring.model_error(metrics, problem):.6g}"

def _best_model_error(metrics: dict | None, problem: str) -> float:
    """What override_with_best_model compares: classification error, and for regression the mean
    residual deviance of the model's family (H2O-3's loss(); the MSE for gaussian, as before)."""
    deviance = (metrics or {}).get("mean_residual_deviance") if problem == "Regression" else None
    if deviance is None or not math.isfinite(deviance):
        return scoring.model_error(metrics, problem)
    return float(deviance)


UNIT_MAJOR_DENSITY = 0.35    # first layer stored unit-major when more inputs than this are non-zero
CHUNK_SECONDS = 0.25         # target duration of one compiled call (progress / cancel latency)
REPRODUCIBLE_CHUNK = 2000    # rows per call with reproducible (fixed: the RNG is seeded per call) ...
REPRODUCIBLE_CHUNK_SECONDS = 15.0  # ... fewer when that many rows would take longer by sgd's pessimistic
                                   # estimate (so unchanged below ~250k weights; ~1-3 s on an idle core)


def train_deeplearning(params, train, valid=None, job=None, checkpoint_model=None, model_id=None, cluster=None,
                       start=None, custom_metric=None):
    """Train a DeepLearningModel (see module doc; ``cluster`` for multi-node training; ``start``: a
    network_start.NetworkStart with the frames of initial_weights / initial_biases and the
    pretrained_autoencoder model the parameters name; ``custom_metric``: the metrics.custom.CustomMetric
    that custom_metric_func names, computed at every scoring). Raises ValidationError on invalid settings."""
    problems = [p for p in parameters.validate(params, train, valid, checkpoint_model) if p["level"] == "ERRR"]
    if problems:
        raise ValidationError(problems)
    model_id = model_id or params.model_id or f"DeepLearning_model_{random.getrandbits(48):012x}"
    if (getattr(params, "nfolds", 0) and params.nfolds >= 2) or getattr(params, "fold_column", None):
        return crossval.train_cross_validated(params, train, job, model_id,
                                              functools.partial(_train_single, cluster=cluster, start=start,
                                                                custom_metric=custom_metric))
    return _train_single(params, train, valid, job, checkpoint_model, model_id, cluster=cluster, start=start,
                         custom_metric=custom_metric)


# ---------------------------------------------------------------------------- settings
def _resolved(params, train, valid, checkpoint, n_nodes: int = 1):
    """Effective parameters: H2O's silent adjustments, a concrete seed, checkpoint merging."""
    eff = parameters.effective_parameters(params, train=train, valid=valid, n_nodes=n_nodes)
    if eff.seed is None or eff.seed == -1:
        eff.seed = random.getrandbits(63)
    if checkpoint is not None:
        base = copy.deepcopy(checkpoint.params)
        for name in parameters.CHECKPOINT_MODIFIABLE:
            if hasattr(eff, name):
                setattr(base, name, getattr(eff, name))
        for name in parameters.CHECKPOINT_FROM_REQUEST:
            if hasattr(eff, name):
                setattr(base, name, getattr(eff, name))
        eff = base
    return eff


DENSITY_SAMPLE = 1000        # rows whose inputs decide the first layer's storage order


def _first_layer_major(density: float, input_dropout: float) -> int:
    return MAJOR_UNIT if density * (1.0 - input_dropout) > UNIT_MAJOR_DENSITY else MAJOR_INPUT


def _new_model_info(datainfo: DataInfo, eff, data) -> ModelInfo:
    code, _ = act.parse_activation(eff.activation)
    units = [datainfo.n_inputs, *[int(h) for h in eff.hidden], datainfo.n_outputs]
    optimizer = optimizer_for(eff)
    majors = [_first_layer_major(data.input_density(eff.seed), eff.input_dropout_ratio)] + [MAJOR_INPUT] * len(eff.hidden)
    return ModelInfo.create(units, code, act.output_activation(datainfo.problem, code), optimizer=optimizer,
                            distribution=eff.initial_weight_distribution, scale=eff.initial_weight_scale,
                            seed=eff.seed, classifier=datainfo.problem in CLASSIFICATION,
                            majors=majors)


# ---------------------------------------------------------------------------- data
@dataclasses.dataclass
class TrainingData:
    X: np.ndarray                 # prepared inputs of every row of the training frame
    y: np.ndarray | None          # class codes / standardised values (None for autoencoders)
    labelled: np.ndarray          # rows with a response and a non-zero weight
    rows: np.ndarray              # the rows trained on (after balance_classes resampling)
    prior: np.ndarray | None = None
    model_dist: np.ndarray | None = None
    weights: np.ndarray | None = None   # float64 per row of X (None: all 1)
    offsets: np.ndarray | None = None   # float64 per row of X, response link scale (None: none)
    held_on_cluster = False             # (cluster/frame_training.py: the rows stay on the workers)

    @property
    def n_rows(self) -> int:
        """The rows trained on: an epoch is this many samples."""
        return int(self.rows.size)

    def input_density(self, seed: int) -> float:
        """The share of non-zero inputs in a sample of the rows."""
        rows = iterations.sample_rows(self.X.shape[0], DENSITY_SAMPLE, seed)
        sample = self.X if rows is None else self.X[rows]
        return float(np.count_nonzero(sample)) / max(1, sample.size)

    def score_set(self, eff) -> scoring.ScoreSet:
        """The training scoring sample (score_training_samples of the rows trained on)."""
        return scoring.score_set(self.X, self.y, self.rows, eff.score_training_samples, eff.seed,
                                 weights=self.weights, offsets=self.offsets)

    def kernel_weights(self) -> np.ndarray | None:
        return None if self.weights is None else np.ascontiguousarray(self.weights, np.float32)

    def kernel_offsets(self, datainfo: DataInfo) -> np.ndarray | None:
        """The offsets as the network adds them (``offset / sd`` of a standardized response)."""
        o = datainfo.network_offsets(self.offsets)
        return None if o is None else np.ascontiguousarray(o, np.float32)

    def targets(self):
        return kernel_targets(self.y, self.X.shape[0])


def kernel_targets(y, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(class codes int32, standardised values float32) of ``n`` rows as the kernels take them:
    the one the problem does not use all zeros (both for an autoencoder, whose ``y`` is None)."""
    if y is None:
        return np.zeros(n, np.int32), np.zeros(n, np.float32)
    if y.dtype.kind in "iu":
        return y.astype(np.int32), np.zeros(n, np.float32)
    return np.zeros(n, np.int32), np.nan_to_num(y).astype(np.float32)


def _training_data(datainfo: DataInfo, train, eff) -> TrainingData:
    """The prepared training rows; rows of weight 0 are left out (H2O-3 never trains on them),
    and balance_classes (whose weights validation keeps to 0/1) resamples the rows of weight 1."""
    X = np.ascontiguousarray(datainfo.transform(train), dtype=np.float32)
    weights, offsets = datainfo.weights(train), datainfo.offsets(train)
    counted = np.ones(X.shape[0], bool) if weights is None else weights != 0
    if datainfo.problem == "AutoEncoder":
        rows = np.flatnonzero(counted).astype(np.int64)
        return TrainingData(X, None, rows, rows, weights=weights)
    y = np.asarray(datainfo.response(train))
    has_y = y >= 0 if y.dtype.kind in "iu" else ~np.isnan(y)
    labelled = np.flatnonzero(has_y & counted)
    data = TrainingData(X, y, labelled, labelled, weights=weights, offsets=offsets)
    if datainfo.problem in CLASSIFICATION and eff.balance_classes:
        K = datainfo.n_outputs
        y_counted = np.where(counted, y, -1)
        data.prior = balance.class_distribution(y_counted, K)
        data.rows = balance.balance_rows(y_counted, K, eff.seed, eff.class_sampling_factors,
                                         eff.max_after_balance_size)
        data.model_dist = balance.class_distribution(y[data.rows], K)
    return data


def _cluster_training_data(cluster, train, datainfo: DataInfo):
    """The training rows of a frame held by the Dask workers, prepared there (the cluster's
    ``training_data``); such a frame trains on its cluster only."""
    if cluster is None:
        raise ValidationError([{"field": "training_frame", "level": "ERRR", "message":
                                f"Frame '{train.key}' is held by Dask workers, but no cluster was given"}])
    return cluster.training_data(train, datainfo)


def _validation_set(model: DeepLearningModel, valid, eff) -> scoring.ScoreSet | None:
    if valid is None:
        return None
    X, y, weights, offsets = model.prepared(valid, labelled=False)
    X = np.ascontiguousarray(X, dtype=np.float32)
    if model.problem == "AutoEncoder":        # every row of non-zero weight: its reconstruction error
        rows = None if weights is None else np.flatnonzero(weights != 0)
        return scoring.score_set(X, None, rows, eff.score_validation_samples, eff.seed + 1, weights=weights)
    y = np.asarray(y)
    has_y = y >= 0 if y.dtype.kind in "iu" else ~np.isnan(y)
    rows = np.flatnonzero(has_y if weights is None else has_y & (weights != 0))
    stratified = bool(eff.balance_classes) and eff.score_validation_sampling == "Stratified" \
        and model.is_classifier
    return scoring.score_set(X, y, rows, eff.score_validation_samples, eff.seed + 1, stratified,
                             weights=weights, offsets=offsets)


# ---------------------------------------------------------------------------- one model
def _train_single(params, train, valid, job, checkpoint, model_id, cluster=None, start=None,
                  custom_metric=None) -> DeepLearningModel:
    t0 = time.time()
    eff = _resolved(params, train, valid, checkpoint, n_nodes=cluster.n_nodes if cluster is not None else 1)
    eff.model_id = model_id
    datainfo = checkpoint.datainfo if checkpoint is not None else DataInfo.fit(train, eff)
    data = _cluster_training_data(cluster, train, datainfo) if getattr(train, "held_on_cluster", False) \
        else _training_data(datainfo, train, eff)
    if data.n_rows == 0:
        raise ValidationError([{"field": "training_frame", "level": "ERRR",
                                "message": "Cannot build a model on empty dataset!"}])
    if checkpoint is not None:
        mi = checkpoint.model_info.copy()
    else:
        mi = _new_model_info(datainfo, eff, data)
        network_start.apply(mi, start, datainfo, eff)      # initial_weights / pretrained_autoencoder
    if checkpoint is not None and math.ceil(eff.epochs * data.n_rows) <= mi.processed:
        raise ValidationError([{"field": "epochs", "level": "ERRR", "message":
                                f"epochs ({eff.epochs}) must be larger than the checkpointed model's "
                                f"({checkpoint.model_info.epoch_counter:.4g}): epochs is the total"}])
    model = DeepLearningModel(model_id, eff, copy.deepcopy(params), datainfo, mi,
                              prior_class_dist=data.prior, model_class_dist=data.model_dist)
    if checkpoint is not None and checkpoint.prior_class_dist is not None and data.prior is None:
        model.prior_class_dist, model.model_class_dist = checkpoint.prior_class_dist, checkpoint.model_class_dist
    if checkpoint is not None:
        model.huber_delta = checkpoint.huber_delta
    _init_output(model, checkpoint, data, t0)
    run = TrainingRun(model, data, _validation_set(model, valid, eff), job, t0, cluster=cluster,
                      custom_metric=custom_metric)
    run.train()
    checksum = provenance.model_checksum(model)
    provenance.stamp(model.output["training_metrics"], model, train, checksum)
    provenance.stamp(model.output["validation_metrics"], model, valid, checksum)
    return model


def _init_output(model: DeepLearningModel, checkpoint, data: TrainingData, t0: float) -> None:
    di = model.datainfo
    names = list(di.predictor_names) + ([] if di.problem == "AutoEncoder" else [di.response_name])
    domains = [None] * len(di.predictor_names)
    domains = list(getattr(di, "predictor_domains", domains))
    if di.problem != "AutoEncoder":
        domains.append(list(di.response_domain) if di.response_domain else None)
    prev = checkpoint.output if checkpoint is not None else {}
    model.output.update({
        "model_category": di.problem, "names": names, "domains": domains, "status": "RUNNING",
        "scoring_history": copy.deepcopy(prev.get("scoring_history", [])),
        "training_metrics": None, "validation_metrics": None, "cross_validation_metrics": None,
        "cross_validation_models": [], "variable_importances": prev.get("variable_importances"),
        "start_time": int(t0 * 1000), "end_time": None, "run_time": 0,
        "iterations": int(prev.get("iterations", 0)), "training_rows": data.n_rows,
        "epoch_counter": float(model.model_info.epoch_counter),
        "total_training_time_ms": float(prev.get("total_training_time_ms", 0.0)),
        "total_scoring_time_ms": float(prev.get("total_scoring_time_ms", 0.0)),
        "total_setup_time_ms": float(prev.get("total_setup_time_ms", 0.0)),
        "seed": int(model.params.seed)})


class TrainingRun:
    """The iteration loop of one model."""

    def __init__(self, model: DeepLearningModel, data: TrainingData, valid_set, job, t0: float, cluster=None,
                 custom_metric=None):
        self.model, self.data, self.job, self.t0 = model, data, job, t0
        self.custom_metric = custom_metric
        eff = model.params
        self.mi = model.model_info
        self.n_rows = data.n_rows
        self.target = int(math.ceil(eff.epochs * self.n_rows))
        self.reproducible = bool(eff.reproducible)
        self.batch = int(getattr(eff, "mini_batch_size", 1) or 1)
        # the mini-batch path is bit-reproducible with any number of threads when synchronous (batch_sgd.py)
        self.n_threads = 1 if (self.reproducible and self.batch == 1) else max(1, numba.get_num_threads())
        self.cfg = SGDConfig.from_params(eff, model.problem)
        self.runner = (BatchRunner(self.mi, self.cfg, self.n_threads, self.batch, hogwild=not self.reproducible)
                       if self.batch > 1
                       else SGDRunner(self.mi, self.cfg, self.n_threads))
        self.order = None if data.held_on_cluster else \
            iterations.RowOrder(data.rows, eff.seed, epoch=int(self.mi.epoch_counter) + 1)
        self.y_cls, self.y_reg = data.targets()
        self.weights, self.offsets = data.kernel_weights(), data.kernel_offsets(model.datainfo)
        if model.huber_delta is not None:          # a checkpoint's
            self.runner.set_huber_delta(model.huber_delta / model.datainfo.response_sigma)
        self.train_set = data.score_set(eff)
        self.valid_set = valid_set
        self.clock = iterations.ScoreClock(eff.score_interval, eff.score_duty_cycle)
        out = model.output
        self.prev_training_ms = out["total_training_time_ms"]
        self.scoring_ms = out["total_scoring_time_ms"]
        self.setup_ms = out["total_setup_time_ms"]
        self.iteration = out["iterations"]
        self.best_error, self.best = math.inf, None
        self.tspi = None if (eff.train_samples_per_iteration == -2 and not self.reproducible) else \
            iterations.resolve_train_samples(eff.train_samples_per_iteration, self.n_rows, eff.epochs,
                                             reproducible=self.reproducible)
        self.chunk = self._whole_batches(self._first_chunk())
        self.cancelled = False
        self.cancel_seen = 0.0
        self.out_of_time = False        # max_runtime_secs reached: the model so far is kept (DONE)
        self.max_runtime = float(getattr(eff, "max_runtime_secs", 0.0) or 0.0)
        self.early_stopping = stopping.EarlyStopping(eff, model.problem)
        self.dist = cluster.session(self) if cluster is not None else None
        if self.dist is not None:
            self.tspi = self.dist.train_samples_per_iteration
        else:
            self._warn_single_node_averaging(eff)

    def _warn_single_node_averaging(self, eff) -> None:
        """The multi-node averaging settings act between the copies of a Dask cluster only."""
        asked = [name for name, on in (("elastic_averaging", bool(eff.elastic_averaging)),
                                       ("block_momentum", float(eff.block_momentum or 0) != 0)) if on]
        if asked:
            self.warn(f"{' and '.join(asked)} combine the model copies of several nodes; this model was "
                      f"trained on one node (no Dask cluster), where {'it has' if len(asked) == 1 else 'they have'} "
                      f"no effect")

    def _first_chunk(self) -> int:
        """Rows of the first compiled call: 128 per thread, or fewer when the network is so large
        that they would take longer than CHUNK_SECONDS (estimated from its weights), so that a
        cancel is served soon even then. Reproducible runs use a fixed size (a function of the
        network only), as the RNG is seeded per call."""
        n_weights = int(self.mi.w.size)
        if self.reproducible:
            return min(REPRODUCIBLE_CHUNK, rows_within(REPRODUCIBLE_CHUNK_SECONDS, n_weights, 1))
        return min(128 * self.n_threads, rows_within(CHUNK_SECONDS, n_weights, self.n_threads))

    def _whole_batches(self, n: int) -> int:
        """A chunk length that is a multiple of the mini-batch (so chunks cut no batch)."""
        return max(1, n // self.batch) * self.batch

    # -------------------------------------------------------------- timing
    def _training_ms(self) -> float:
        return self.prev_training_ms + (time.time() - self.t0) * 1000.0

    def _progress(self, msg: str) -> None:
        if self.job is not None:
            self.job.update(min(1.0, self.mi.processed / max(1, self.target)), msg)

    def _stop_requested(self) -> bool:
        return self.job is not None and bool(self.job.stop_requested)

    def warn(self, msg: str) -> None:
        """A warning kept with the model (output ``warnings``) and the job."""
        log.warning("%s: %s", self.model.model_id, msg)
        self.model.output.setdefault("warnings", []).append(msg)
        job_warnings = getattr(self.job, "warnings", None)
        if isinstance(job_warnings, list):
            job_warnings.append(msg)

    # -------------------------------------------------------------- loop
    def train(self) -> None:
        model = self.model
        self.setup_ms += (time.time() - self.t0) * 1000.0
        if model.problem == "AutoEncoder" and not model.output["scoring_history"]:
            self._score()  # the null model's reconstruction error, as H2O
        try:
            if self.target == 0:   # epochs = 0 (H2O-3): the initial network, scored once as iteration 1
                self.iteration += 1
                self._score()
            keep_running = self.mi.processed < self.target
            while keep_running:
                self._train_iteration()
                self.iteration += 1
                finished = self.mi.processed >= self.target or self.cancelled or self.out_of_time
                stop = False
                due = self.model.params.score_each_iteration or self.clock.due(finished)
                if due and not self.cancelled:   # a cancelled run scores in _finish
                    stop = self._score()
                keep_running = not (finished or stop)
            self._finish()
        except NumericalInstability:
            model.output["status"] = "FAILED"
            raise
        finally:
            if self.dist is not None:
                self.dist.close()

    def _train_iteration(self) -> None:
        if self.dist is not None:
            self.dist.run_iteration()
            self.tspi = self.dist.train_samples_per_iteration
            self.mi.epoch_counter = self.mi.processed / self.n_rows
            return
        goal = self.target - self.mi.processed
        if self.tspi is not None:
            goal = min(goal, self.tspi)
        done = 0
        while done < goal and not (self.cancelled or self.out_of_time):
            n = min(self.chunk, goal - done)
            started = time.perf_counter()
            self.runner.run(self.order.take(n), self.data.X, self.y_cls, self.y_reg, weights=self.weights,
                            offsets=self.offsets)
            elapsed = time.perf_counter() - started
            done += n
            self._after_chunk(n, elapsed)
            if self.tspi is None and self.runner.chunks_done >= 2:
                self.tspi = iterations.resolve_train_samples(-2, self.n_rows, self.model.params.epochs,
                                                             time_per_row_us=elapsed / n * 1e6)
                goal = min(self.target - self.mi.processed + done, self.tspi)

    def _after_chunk(self, n: int, elapsed: float) -> None:
        self.mi.epoch_counter = self.mi.processed / self.n_rows
        if not self.reproducible and elapsed > 0:
            rate = n / elapsed
            self.chunk = self._whole_batches(int(min(max(rate * CHUNK_SECONDS, self.n_threads), 200_000)))
        epochs = self.model.params.epochs
        self._progress(f"Training: epoch {self.mi.epoch_counter:.3f} of {epochs:g}, "
                       f"{self.mi.processed} samples")
        if self._stop_requested() and not self.cancelled:
            self.cancelled, self.cancel_seen = True, time.time()
        if self.max_runtime > 0 and time.time() - self.t0 > self.max_runtime:
            self.out_of_time = True

    # -------------------------------------------------------------- scoring
    def _score(self, stop=None) -> bool:
        """Score, append a history entry, keep the best model; True when training should stop.

        ``stop(seconds_left)`` (default: the job's cancel flag) abandons the scoring between two
        slices of rows: then nothing is recorded, the run counts as cancelled and True is returned."""
        model, eff = self.model, self.model.params
        self.clock.start()
        if not self.mi.check_stable():
            raise NumericalInstability()
        self._progress(f"Scoring on {self.train_set.n} training samples"
                       + (f", {self.valid_set.n} validation samples" if self.valid_set else ""))
        try:
            tm, vm = self._metrics(stop or (lambda seconds_left: self._stop_requested()))
        except ScoringStopped:
            self.scoring_ms += self.clock.stop() * 1000.0
            if not self.cancelled:
                self.cancelled, self.cancel_seen = True, time.time()
            return True
        model.output["training_metrics"], model.output["validation_metrics"] = tm, vm
        if eff.variable_importances:
            model.output["variable_importances"] = variable_importances(model)
        self.scoring_ms += self.clock.stop() * 1000.0
        self._record(tm, vm)
        return self._should_stop(tm, vm)

    def _metrics(self, stop) -> tuple[dict, dict | None]:
        model, ts, custom = self.model, self.train_set, self.custom_metric
        if model.distribution == "huber":
            self._update_huber_delta(stop)
        tm = model.metrics_on(ts.X, ts.y, weights=ts.w, offsets=ts.offsets, stop=stop, custom=custom,
                              forward=ts.forward)
        tm["description"] = ts.description("training")
        tm["scoring_time"] = provenance.now_ms()
        vm = None
        if self.valid_set is not None:
            vs = self.valid_set
            vm = model.metrics_on(vs.X, vs.y, weights=vs.w, offsets=vs.offsets, stop=stop, custom=custom,
                                  forward=vs.forward)
            vm["description"] = vs.description("validation")
            vm["scoring_time"] = tm["scoring_time"]
        return tm, vm

    def _update_huber_delta(self, stop) -> None:
        """H2O-3's DeepLearning (doScoring): huber's delta becomes the huber_alpha quantile (weighted)
        of the absolute residuals on the training scoring sample; this scoring's metrics and the
        training that follows use it (the kernels in standardized units: delta / sd)."""
        model, ts = self.model, self.train_set
        actual = model.datainfo.unstandardize(np.asarray(ts.y, np.float64))
        predicted = model.regression_values(ts.X, ts.offsets, stop=stop, forward=ts.forward)
        delta = float(distributions.huber_delta(actual, predicted, ts.w, float(model.params.huber_alpha)))
        model.huber_delta = delta
        self.runner.set_huber_delta(delta / model.datainfo.response_sigma)

    def _record(self, tm, vm) -> None:
        out = self.model.output
        out["scoring_history"].append(scoring.history_entry(
            now_ms=self.clock.last_start * 1000.0, training_time_ms=self._training_ms(),
            scoring_time_ms=self.scoring_ms, setup_time_ms=self.setup_ms, epochs=self.mi.epoch_counter,
            iteration=self.iteration, samples=self.mi.processed, problem=self.model.problem,
            train_metrics=tm, valid_metrics=vm))
        out["epoch_counter"] = float(self.mi.epoch_counter)
        out["iterations"] = self.iteration
        if not self.model.params.quiet_mode:
            log.info("%s: epoch %.3f, %d samples, training error %s%s", self.model.model_id,
                     self.mi.epoch_counter, self.mi.processed, _error_text(tm, self.model.problem),
                     f", validation error {_error_text(vm, self.model.problem)}" if vm else "")

    def _should_stop(self, tm, vm) -> bool:
        model, eff = self.model, self.model.params
        problem = model.problem
        if problem != "AutoEncoder" and self.mi.processed > 0:
            err = _best_model_error(vm if vm else tm, problem)
            if err < self.best_error:
                self.best_error, self.best = err, self.mi.copy()
        if self.mi.processed > 0 and self.early_stopping.should_stop(tm, vm):
            log.info("%s: early stopping: %s did not improve by %g in the last %d scorings",
                     model.model_id, self.early_stopping.metric, self.early_stopping.tolerance,
                     self.early_stopping.k)
            return True
        train_err = scoring.model_error(tm, problem)
        if problem in CLASSIFICATION:
            return eff.classification_stop >= 0 and train_err <= eff.classification_stop
        return eff.regression_stop >= 0 and train_err <= eff.regression_stop

    def _finish(self) -> None:
        model, eff, out = self.model, self.model.params, self.model.output
        if self.cancelled:
            if not out["scoring_history"] or out["scoring_history"][-1]["samples"] != self.mi.processed:
                # a cancelled run ends within one scoring interval of the cancel: its final
                # scoring stops (and is not recorded) when it would not end by then
                deadline = (self.cancel_seen or time.time()) + max(1.0, float(eff.score_interval))
                self._score(stop=lambda seconds_left: time.time() + seconds_left > deadline)
        elif (eff.override_with_best_model and self.best is not None and not getattr(eff, "nfolds", 0)
              and self.best.units == self.mi.units):
            current = _best_model_error(out["validation_metrics"] or out["training_metrics"], model.problem)
            if self.best_error < current:
                best = self.best
                best.processed, best.epoch_counter = self.mi.processed, self.mi.epoch_counter
                model.model_info = self.mi = best
                self._score()
        out["status"] = "CANCELLED" if self.cancelled else "DONE"
        out["end_time"] = int(time.time() * 1000)
        out["run_time"] = out["end_time"] - out["start_time"]
        out["total_training_time_ms"] = self._training_ms()
        out["total_scoring_time_ms"], out["total_setup_time_ms"] = self.scoring_ms, self.setup_ms
        out["epoch_counter"] = float(self.mi.epoch_counter)
        out["model_summary"] = model.summary_table()
        out["train_samples_per_iteration"] = int(self.tspi or 0)
        self._progress("Done" if not self.cancelled else "Cancelled")


def variable_importances(model: DeepLearningModel) -> list[list]:
    """Gedeon's importances from the first two weight layers, as table rows; without a hidden
    layer, H2O-3's sum of the absolute weights from each input."""
    from h2o_backend.engine.metrics import varimp
    mi = model.model_info
    names = list(model.datainfo.expanded_names)
    if mi.n_layers == 1:
        rows = varimp.direct_importances(mi.unit_weights(0).astype(np.float64), names)
    else:
        rows = varimp.gedeon_importances(mi.unit_weights(0).astype(np.float64),
                                         mi.unit_weights(1).astype(np.float64), names)
    return [list(r) for r in rows]
