"""Which training rows each worker holds (H2O's data placement on a multi-node cloud).

- ``single_node_mode``: the first worker holds every row, the others none (they idle).
- ``replicate_training_data``: every worker holds every row (the booklet's default).
- otherwise each worker holds its own disjoint share: with ``force_load_balance`` equal shares
  (within one row); without it the rows stay in chunks of about 4 MB of prepared data dealt to the
  workers in turn, as H2O keeps a frame's chunk layout, so a small frame may sit on one worker
  only. ``shuffle_training_data`` deals the rows (or chunks) in a seeded random order instead of
  row order.

Pure functions of the row indices, the worker count and the seed: the same cluster shape gives
the same assignment every time (reproducibility).
"""
from __future__ import annotations

import numpy as np

CHUNK_BYTES = 4 * 1024 * 1024


def assign_rows(rows: np.ndarray, n_workers: int, *, replicate: bool, single_node: bool,
                shuffle: bool, force_load_balance: bool, seed: int, row_bytes: int = 4) -> list[np.ndarray]:
    """One array of row indices per worker (ranked order); see the module doc."""
    rows = np.asarray(rows, dtype=np.int64)
    if n_workers < 1:
        raise ValueError("need at least one worker")
    empty = np.zeros(0, np.int64)
    if single_node:
        return [rows] + [empty] * (n_workers - 1)
    if replicate:
        return [rows] * n_workers
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFFFFFFFFFF, 0x5A4D])
    if force_load_balance:
        order = rows[rng.permutation(rows.size)] if shuffle else rows
        return [np.sort(part) if shuffle else part for part in np.array_split(order, n_workers)]
    per_chunk = max(1, CHUNK_BYTES // max(1, int(row_bytes)))
    chunks = [rows[i:i + per_chunk] for i in range(0, rows.size, per_chunk)]
    if shuffle:
        chunks = [chunks[i] for i in rng.permutation(len(chunks))]
    out = []
    for w in range(n_workers):
        mine = chunks[w::n_workers]
        out.append(np.concatenate(mine) if mine else empty)
    return out


MEMORY_FRACTION = 0.6     # a worker's training rows may take at most this share of its memory limit


def check_memory(rows_by_worker: dict[str, int], row_bytes: int, limits: dict[str, int]) -> None:
    """Refuse a placement whose rows (``row_bytes`` each) would take more than MEMORY_FRACTION of
    a worker's memory limit, naming the worker and the sizes."""
    from h2o_backend.engine.errors import ValidationError
    for w, rows in rows_by_worker.items():
        need, limit = int(rows) * int(row_bytes), limits.get(w, 0)
        if limit and need > MEMORY_FRACTION * limit:
            raise ValidationError([{"field": "training_frame", "level": "ERRR", "message":
                f"the training rows for Dask worker {w} need {need / 2**20:.0f} MB, more than "
                f"{MEMORY_FRACTION:.0%} of its memory limit ({limit / 2**20:.0f} MB); use "
                f"replicate_training_data = FALSE, more workers, or workers with more memory"}])


def split_samples(total: int, n: int) -> list[int]:
    """``total`` samples shared by ``n`` workers, the first ones taking the remainder."""
    base, extra = divmod(int(total), int(n))
    return [base + (1 if i < extra else 0) for i in range(n)]
