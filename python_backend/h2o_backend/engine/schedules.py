"""Learning-rate and momentum schedules: pure functions of the number of samples seen.

Compiled with numba so the kernels call them per row; Python calls the same functions
(legacy_h2o.md §3.3 item 10, H2O-3 ``Neurons.rate/momentum``):

- layer ``k`` (0 = input -> first hidden) uses ``rate * rate_decay**k``, annealed as
  ``/(1 + rate_annealing * n)``; the step actually taken is multiplied by ``(1 - momentum)``.
- momentum ramps linearly from ``momentum_start`` to ``momentum_stable`` over ``momentum_ramp``
  samples (the documented ramp, a project decision; legacy HEAD evaluated it at n = -1).
"""
from __future__ import annotations

from numba import njit


@njit(cache=True)
def rate_at(rate, rate_annealing, rate_decay, layer, n):
    """Manual learning rate of weight layer ``layer`` after ``n`` samples."""
    return rate * rate_decay ** layer / (1.0 + rate_annealing * n)


@njit(cache=True)
def momentum_at(momentum_start, momentum_stable, momentum_ramp, n):
    """Momentum after ``n`` samples: linear ramp, then stable."""
    if momentum_ramp <= 0:
        return momentum_start
    if n >= momentum_ramp:
        return momentum_stable
    return momentum_start + (momentum_stable - momentum_start) * n / momentum_ramp


@njit(cache=True)
def step_rate(rate, rate_annealing, rate_decay, layer, n, momentum):
    """The factor multiplying the gradient in a manual-rate update: ``rate_at * (1 - m)``."""
    return rate_at(rate, rate_annealing, rate_decay, layer, n) * (1.0 - momentum)
