"""Grid search: train combinations of hyper-parameter values, one model at a time.

The whole grid is one job: progress runs over all models, a cancel stops the model in
training and skips the rest. Models are ranked by the legacy rule: ascending validation
error (classification error, or MSE for regression / autoencoders), training error when
there is no validation frame, ties in creation order.

Search criteria as H2O-3's: ``Cartesian`` trains every combination in the legacy enumeration;
``RandomDiscrete`` visits them in a random order (``seed``) and stops after ``max_models``
models, after ``max_runtime_secs`` (no new model starts past it), or early: with
``stopping_rounds`` k, when the best ``stopping_metric`` of the models so far (validation, else
cross-validation, else training metrics) has not improved by ``stopping_tolerance`` over the last
k models (stopping.stop_early over the running best, which is what a grid's leader is).
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import random
import time
from dataclasses import dataclass, field
from typing import Callable

from h2o_backend.engine import stopping
from h2o_backend.engine.metrics.auc import MAX_CRITERIA
from h2o_backend.engine.metrics.tables import table_column
from h2o_backend.engine.problems import CLASSIFICATION

STRATEGIES = ("Cartesian", "RandomDiscrete")


@dataclass
class SearchCriteria:
    strategy: str = "Cartesian"
    max_models: int = 0                 # 0: no limit
    max_runtime_secs: float = 0.0       # 0: no limit
    seed: int = -1                      # -1: a random order each time
    stopping_rounds: int = 0
    stopping_metric: str = "AUTO"
    stopping_tolerance: float = 0.001

    def order(self, combos: list[dict]) -> list[dict]:
        if self.strategy != "RandomDiscrete":
            return combos
        shuffled = list(combos)
        random.Random(None if self.seed == -1 else self.seed).shuffle(shuffled)
        return shuffled


class _GridStopping:
    """RandomDiscrete's early stopping over the models built (see the module doc)."""

    def __init__(self, criteria: SearchCriteria):
        self.criteria, self.best, self.metric = criteria, [], None

    def after(self, model) -> bool:
        c = self.criteria
        if c.stopping_rounds <= 0:
            return False
        self.metric = self.metric or stopping.resolve_metric(c.stopping_metric, model.output.get("model_category"))
        value = math.nan
        for name in ("validation_metrics", "cross_validation_metrics", "training_metrics"):
            if model.output.get(name):
                value = stopping.metric_value(model.output[name], self.metric)
                break
        more = self.metric in stopping.MORE_IS_BETTER
        if self.best and not math.isnan(self.best[-1]) and (math.isnan(value) or
                                                            (value < self.best[-1] if more else value > self.best[-1])):
            value = self.best[-1]
        self.best.append(value)
        return stopping.stop_early(self.best, c.stopping_rounds, c.stopping_tolerance, more,
                                   self.metric in stopping.LOWER_BOUND_BY_0)


@dataclass
class Grid:
    grid_id: str
    hyper_names: list[str]
    model_ids: list[str] = field(default_factory=list)          # creation order
    failed_params: list[dict] = field(default_factory=list)
    failure_details: list[str] = field(default_factory=list)
    training_frame: str | None = None
    validation_frame: str | None = None


class _ModelProgress:
    """Maps one model's progress 0..1 onto the grid's share for model `index` of `count`."""

    def __init__(self, job, index: int, count: int):
        self._job, self._index, self._count = job, index, count

    def update(self, progress: float, msg: str | None = None) -> None:
        if self._job is not None:
            label = f"Model {self._index + 1}/{self._count}"
            self._job.update((self._index + progress) / self._count, f"{label}: {msg}" if msg else label)

    @property
    def stop_requested(self) -> bool:
        return self._job is not None and self._job.stop_requested


def combinations(hyper_parameters: dict[str, list], order: list[str]) -> list[dict]:
    """Cartesian product; the first name in `order` varies fastest (legacy enumeration)."""
    names = [n for n in order if n in hyper_parameters]
    names += [n for n in hyper_parameters if n not in names]
    slowest_first = list(reversed(names))
    combos = []
    for values in itertools.product(*(hyper_parameters[n] for n in slowest_first)):
        combos.append(dict(zip(slowest_first, values)))
    return [{n: c[n] for n in names} for c in combos]


def run_grid(grid: Grid, base_params, hyper_parameters: dict[str, list], order: list[str],
             train_one: Callable, on_model: Callable, job=None, criteria: SearchCriteria | None = None) -> Grid:
    """Train the combinations with `train_one(params, progress, model_id)` as ``criteria`` says
    (default: every one); `on_model(model)` stores each finished model. Failures are recorded per
    combination, not raised."""
    criteria = criteria or SearchCriteria()
    combos = criteria.order(combinations(hyper_parameters, order))
    if criteria.max_models > 0:
        combos = combos[:criteria.max_models]
    began, early = time.time(), _GridStopping(criteria)
    for index, combo in enumerate(combos):
        if job is not None and job.stop_requested:
            break
        if criteria.max_runtime_secs > 0 and time.time() - began >= criteria.max_runtime_secs:
            break
        model_id = f"{grid.grid_id}_model_{index + 1}"
        params = dataclasses.replace(base_params, model_id=model_id, **combo)
        try:
            model = train_one(params, _ModelProgress(job, index, len(combos)), model_id)
        except Exception as exc:  # one bad combination does not end the grid
            grid.failed_params.append(combo)
            grid.failure_details.append(str(exc))
            continue
        on_model(model)
        grid.model_ids.append(model.model_id)
        if early.after(model):
            break
    return grid


def ranking_error(model) -> float:
    """The error the grid sorts by: validation (or cross-validation) numbers if any, else training."""
    out = model.output
    for key in ("validation_metrics", "cross_validation_metrics", "training_metrics"):
        metrics = out.get(key)
        if metrics:
            if out.get("model_category") in CLASSIFICATION:
                value = metrics.get("classification_error")
            else:
                value = metrics.get("MSE")
            if value is not None and not (isinstance(value, float) and math.isnan(value)):
                return float(value)
    return math.inf


# H2O-3's grid sort_by names -> metrics keys; the first group sorts largest first by default.
SORT_LARGEST_FIRST = {"auc": "AUC", "aucpr": "pr_auc", "r2": "r2"}
SORT_SMALLEST_FIRST = {"logloss": "logloss", "mse": "MSE", "rmse": "RMSE", "mae": "mae",
                       "mean_per_class_error": "mean_per_class_error", "err": "classification_error",
                       "residual_deviance": "mean_residual_deviance"}
# binomial criteria: the best value over the thresholds (the "Maximum Metrics" table), largest first
SORT_BY_THRESHOLD = MAX_CRITERIA
SORT_METRICS = tuple(SORT_LARGEST_FIRST) + tuple(SORT_SMALLEST_FIRST) + SORT_BY_THRESHOLD


def sort_value(model, sort_by: str) -> float:
    """A model's metric named by H2O-3's `sort_by` (validation, else cross-validation, else
    training metrics); NaN when absent."""
    for name in ("validation_metrics", "cross_validation_metrics", "training_metrics"):
        metrics = model.output.get(name)
        if metrics:
            value = _threshold_best(metrics, sort_by) if sort_by in SORT_BY_THRESHOLD else \
                metrics.get(SORT_LARGEST_FIRST.get(sort_by) or SORT_SMALLEST_FIRST[sort_by])
            return float(value) if isinstance(value, (int, float)) else math.nan
    return math.nan


def _threshold_best(metrics: dict, criterion: str):
    table = metrics.get("max_criteria_and_metric_scores")
    if not table:
        return None
    names, values = table_column(table, "metric"), table_column(table, "value")
    return dict(zip(names, values)).get(f"max {criterion}")


def sorted_by_metric(ids: list[str], models_by_id: dict, sort_by: str, decreasing: bool | None) -> list[str]:
    """`ids` ordered by a metric (models without it last); `decreasing` None: H2O-3's natural order
    (largest first for auc, aucpr and r2)."""
    if decreasing is None:
        decreasing = sort_by in SORT_LARGEST_FIRST or sort_by in SORT_BY_THRESHOLD
    values = {m: sort_value(models_by_id[m], sort_by) for m in ids}
    present = [m for m in ids if not math.isnan(values[m])]
    missing = [m for m in ids if math.isnan(values[m])]
    return sorted(present, key=lambda m: values[m], reverse=decreasing) + missing


def sorted_model_ids(grid: Grid, models_by_id: dict) -> list[str]:
    """Model ids best first; models no longer in the store are left out; ties keep creation order."""
    present = [m for m in grid.model_ids if m in models_by_id]
    return sorted(present, key=lambda m: ranking_error(models_by_id[m]))
