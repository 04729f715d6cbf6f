"""Elastic averaging's pull of a worker's copy towards the elastic centre (H2O-3 ``Neurons``).

H2O-3 adds ``elastic_averaging_regularization * (w - centre)`` to every weight's and bias's
gradient, so each sample moves a parameter towards the centre by its learning rate times that
term. Here the pull is applied after each chunk of ``n`` samples (tasks.train_copy), in closed
form per parameter: w <- w - min(1, n * rate * reg) * (w - centre), where rate is the parameter's
current learning rate (ADADELTA: sqrt((E[dx^2] + eps) / (E[g^2] + eps)); otherwise the layer's
annealed rate times 1 - momentum). The training kernels stay as they are; the ADADELTA
accumulators do not see the pull, whereas in H2O-3 it is part of the gradient they average.
"""
from __future__ import annotations

import numpy as np

from h2o_backend.engine import schedules
from h2o_backend.engine.model_info import ModelInfo


def pull(local: ModelInfo, center: ModelInfo, reg: float, n: int, cfg) -> None:
    """Move ``local``'s weights and biases towards ``center``'s, for ``n`` samples of strength
    ``reg`` (in place)."""
    if reg <= 0 or n <= 0:
        return
    if local.optimizer == "adadelta":
        eps = np.float32(cfg.epsilon)
        _toward(local.w, center.w, _adadelta_rate(local.ada_g_w, local.ada_dx_w, eps), reg * n)
        _toward(local.b, center.b, _adadelta_rate(local.ada_g_b, local.ada_dx_b, eps), reg * n)
        return
    m = schedules.momentum_at(cfg.momentum_start, cfg.momentum_stable, cfg.momentum_ramp, local.processed) \
        if local.optimizer == "momentum" else 0.0
    for layer in range(local.n_layers):
        rate = schedules.step_rate(cfg.rate, cfg.rate_annealing, cfg.rate_decay, layer, local.processed, m)
        w, c = local.w_matrix(layer), center.w_matrix(layer)
        _toward(w.reshape(-1), c.reshape(-1), np.float32(rate), reg * n)
        _toward(local.biases(layer), center.biases(layer), np.float32(rate), reg * n)


def _adadelta_rate(eg: np.ndarray, edx: np.ndarray, eps) -> np.ndarray:
    return np.sqrt((edx + eps) / (eg + eps))


def _toward(x: np.ndarray, target: np.ndarray, rate, strength: float) -> None:
    step = np.minimum(np.float32(1.0), rate * np.float32(strength))
    x -= step * (x - target)
