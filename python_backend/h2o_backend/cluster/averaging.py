"""Model averaging: the per-worker copies of an iteration combined into the global model.

As H2O-3 (``DeepLearningModelInfo.add`` then ``div`` by the number of contributing nodes, in
``DeepLearningTask.reduce`` / ``postGlobal``): weights, biases, momenta (weights and biases) and
the weights' ADADELTA accumulators E[g^2] and E[dx^2] are averaged over the copies that trained on
at least one row, and the samples they processed are added to the global count. H2O-3 leaves the
biases' ADADELTA accumulators out of ``add``, so the reduction keeps one node's; here they are
averaged too, which does not depend on the order in which copies arrive. Sums run in float64 in
the workers' rank order, so a reproducible run averages identically every time.
"""
from __future__ import annotations

import numpy as np

from h2o_backend.engine.model_info import ModelInfo

AVERAGED = ("w", "b", "mom_w", "mom_b", "ada_g_w", "ada_dx_w", "ada_g_b", "ada_dx_b")


def average_into(target: ModelInfo, copies: list[ModelInfo]) -> int:
    """Replace ``target``'s state by the mean of ``copies`` (each trained from ``target``) in place;
    add their newly processed samples to ``target.processed``; return that number."""
    start = target.processed
    active = [c for c in copies if c.processed > start]
    added = sum(c.processed - start for c in active)
    if not active:
        return 0
    for name in AVERAGED:
        out = getattr(target, name)
        if out.size == 0:
            continue
        acc = np.zeros(out.size, np.float64)
        for c in active:
            acc += getattr(c, name)
        out[:] = (acc / len(active)).astype(np.float32)
    target.processed = start + added
    target.unstable = target.unstable or any(c.unstable for c in active)
    return added
