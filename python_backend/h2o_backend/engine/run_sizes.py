"""How many rows one compiled call trains or scores, and the scoring's stop signal: shared by the
per-sample path (sgd.py), the mini-batch path (batch_sgd.py) and the training loop, so that
neither path imports the other.

The time bounds of one compiled call before anything was measured come from a pessimistic cost
per weight and row (a memory-bound update of 3 arrays: ~2-5 ns on an idle x86 core, ~30 ns
measured with 2 threads on a loaded 2-core machine), so that a REST cancel is served soon even
when one row takes seconds (a network of 10^8 weights). Later calls are sized from measured times.
"""
from __future__ import annotations

from h2o_backend.engine.kernels.predict import BLOCK

SECONDS_PER_WEIGHT_ROW = 30e-9         # training: forward, backward and update of one weight
FORWARD_SECONDS_PER_WEIGHT_ROW = 10e-9  # scoring: forward only
SCORING_SLICE_SECONDS = 0.5


class ScoringStopped(Exception):
    """Scoring abandoned between two slices because ``stop()`` became true (a cancel)."""


def rows_within(seconds: float, n_weights: int, n_threads: int, per_weight: float = SECONDS_PER_WEIGHT_ROW) -> int:
    """How many rows ``n_threads`` threads train (or score) in about ``seconds``; at least one per thread."""
    per_row = max(1, int(n_weights)) * per_weight
    return max(max(1, int(n_threads)), int(seconds / per_row * max(1, int(n_threads))))


def first_slice(n: int, n_weights: int, threads: int) -> tuple[int, float]:
    """(rows, pessimistic seconds) of the first scoring slice: about SCORING_SLICE_SECONDS; rows in
    blocks of BLOCK run in parallel, fewer rows on one thread."""
    per_row = max(1, int(n_weights)) * FORWARD_SECONDS_PER_WEIGHT_ROW
    rows = int(SCORING_SLICE_SECONDS / per_row)
    if rows >= BLOCK:
        rows *= max(1, threads)
        return rows, min(rows, n) * per_row / max(1, threads)
    rows = max(1, rows)
    return rows, min(rows, n) * per_row
