"""Model averaging: the per-worker copies of an iteration combined into the global model.

Three ways, chosen by the parameters (``mode_of``):

- ``plain`` (H2O's default; ``DeepLearningModelInfo.add`` then ``div`` by the number of
  contributing nodes, in ``DeepLearningTask.reduce`` / ``postGlobal``): weights, biases, momenta and
  ADADELTA accumulators E[g^2] and E[dx^2] are averaged over the copies that trained on at least
  one row, and the samples they processed are added to the global count. H2O-3 leaves the biases'
  ADADELTA accumulators out of ``add``; here they are averaged too, which does not depend on the
  order in which copies arrive.
- ``elastic`` (H2O-3's ``elastic_averaging``, ``DeepLearningModelInfo.timeAverage``): the copies
  are kept by the session from one iteration to the next; the model is the elastic centre, a moving
  average of the copies' means: centre = (1 - moving_rate) * centre + moving_rate * mean (the mean
  itself the first time). The copies are pulled towards the centre while they train (tasks.py).
- ``block_momentum`` (this project's extension: BMUF, Chen and Huo, ICASSP 2016, Nesterov form):
  the model W keeps a block update Delta (``ModelInfo.block_w`` / ``block_b``, saved with
  checkpoints). The copies start from the look-ahead W + eta * Delta (``block_start``); with G the
  copies' mean minus that start, Delta = eta * Delta + G and W = W + Delta. Only weights and biases
  are filtered; the optimizer state (momenta, ADADELTA accumulators) is the copies' plain average.
  eta = 1 - 1/N for N contributing copies with block_momentum = -1.

Sums run in float64 in the workers' rank order, so a reproducible run averages identically every
time.
"""
from __future__ import annotations

import numpy as np

from h2o_backend.engine.model_info import ModelInfo

AVERAGED = ("w", "b", "mom_w", "mom_b", "ada_g_w", "ada_dx_w", "ada_g_b", "ada_dx_b")
FILTERED = (("w", "block_w"), ("b", "block_b"))      # block momentum: parameter, its block update
OPTIMIZER_STATE = tuple(name for name in AVERAGED if name not in ("w", "b"))
AUTO_BLOCK_MOMENTUM = -1.0


def mode_of(params) -> str:
    if getattr(params, "elastic_averaging", False):
        return "elastic"
    if float(getattr(params, "block_momentum", 0.0) or 0.0) != 0.0:
        return "block_momentum"
    return "plain"


def block_momentum_for(params, n_copies: int) -> float:
    """The block momentum eta of an iteration averaging ``n_copies`` copies."""
    eta = float(params.block_momentum)
    return 1.0 - 1.0 / max(1, n_copies) if eta == AUTO_BLOCK_MOMENTUM else eta


def _active(target: ModelInfo, copies: list[ModelInfo]) -> list[ModelInfo]:
    return [c for c in copies if c.processed > target.processed]


def _mean(name: str, copies: list[ModelInfo]) -> np.ndarray:
    acc = np.zeros(getattr(copies[0], name).size, np.float64)
    for c in copies:
        acc += getattr(c, name)
    return acc / len(copies)


def _towards_mean(target: ModelInfo, active: list[ModelInfo], names, rate: float = 1.0) -> None:
    """Move ``target``'s arrays ``names`` towards the copies' mean by ``rate`` (1: replaced by it)."""
    for name in names:
        out = getattr(target, name)
        if out.size:
            mean = _mean(name, active)
            out[:] = (mean if rate == 1.0 else (1.0 - rate) * out.astype(np.float64) + rate * mean).astype(np.float32)


def _count(target: ModelInfo, active: list[ModelInfo]) -> int:
    """Add the active copies' new samples to ``target``'s count (and their instability)."""
    added = sum(c.processed - target.processed for c in active)
    target.processed += added
    target.unstable = target.unstable or any(c.unstable for c in active)
    return added


def average_into(target: ModelInfo, copies: list[ModelInfo]) -> int:
    """Replace ``target``'s state by the mean of ``copies`` (each trained from ``target``) in place;
    add their newly processed samples to ``target.processed``; return that number."""
    active = _active(target, copies)
    if not active:
        return 0
    _towards_mean(target, active, AVERAGED)
    return _count(target, active)


def elastic_into(center: ModelInfo, copies: list[ModelInfo], moving_rate: float, first: bool) -> int:
    """Move the elastic centre ``center`` (the model) towards the mean of ``copies`` by
    ``moving_rate``; ``first``: no centre yet, it becomes the mean."""
    active = _active(center, copies)
    if not active:
        return 0
    _towards_mean(center, active, AVERAGED, 1.0 if first else float(moving_rate))
    return _count(center, active)


def block_start(model: ModelInfo, eta: float) -> ModelInfo:
    """The model the copies of a block-momentum iteration start from: W + eta * Delta."""
    start = model.copy()
    if eta != 0.0:
        for param, block in FILTERED:
            delta = getattr(model, block)
            if delta.size:
                getattr(start, param)[:] += np.float32(eta) * delta
    return start


def block_momentum_into(model: ModelInfo, start: ModelInfo, copies: list[ModelInfo], eta: float) -> int:
    """One block-momentum step: ``copies`` trained from ``start`` (= block_start(model, eta));
    updates ``model``'s weights, biases and block update in place, its optimizer state to the
    copies' mean."""
    active = _active(model, copies)
    if not active:
        return 0
    _towards_mean(model, active, OPTIMIZER_STATE)
    for param, block in FILTERED:
        w = getattr(model, param)
        delta = getattr(model, block)
        if delta.size != w.size:
            delta = np.zeros(w.size, np.float32)
        progress = _mean(param, active) - getattr(start, param)
        delta = (eta * delta.astype(np.float64) + progress).astype(np.float32)
        setattr(model, block, delta)
        w += delta
    return _count(model, active)
