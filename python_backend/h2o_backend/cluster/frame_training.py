"""Training from the chunks of a frame held by the Dask workers, where they lie (issue 20).

Each worker prepares its own training rows from the chunks it holds (DataInfo.transform and the
response, with the DataInfo fitted from the frame's rollups and domains on the server): no
training row passes through the server. What a worker trains on (its shard, the (X, y_cls, y_reg,
weights, offsets) tuple of tasks.train_copy) is the labelled rows of its chunks in row order:

- ``replicate_training_data``: every chunk, on every worker (Dask copies the chunks between the
  workers, not through the server);
- ``single_node_mode``: every chunk, on the first worker;
- otherwise the chunks where they lie (H2O: each node trains on its local chunks); with
  ``force_load_balance`` the chunks are dealt in row order into groups of about equal row counts,
  one group per worker, and moved there.

The training scoring sample is the one the server's own path draws (the same labelled-row
indices for the same seed): its rows are prepared and scored on the workers that hold them, and
only their outputs and labels come to the server (``RemoteRows.forward``). A worker lost during
training takes its chunks with it; the scheduler rebuilds them from the file (the chunks' task
graph) when the rows are placed again on the remaining workers.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from h2o_backend.cluster import frames, shards
from h2o_backend.engine import iterations
from h2o_backend.engine.metrics import scoring
from h2o_backend.engine.training import DENSITY_SAMPLE, kernel_targets

log = logging.getLogger(__name__)



# ---------------------------------------------------------------------------- on the workers
def labelled_rows(datainfo, chunk) -> tuple[np.ndarray, np.ndarray | None]:
    """(positions of the chunk's labelled rows, their targets) - every row for an autoencoder."""
    if datainfo.problem == "AutoEncoder":
        return np.arange(chunk.nrows), None
    y = np.asarray(datainfo.response(chunk))
    keep = y >= 0 if y.dtype.kind in "iu" else ~np.isnan(y)
    return np.flatnonzero(keep), y[keep]


def labelled_count(chunk, datainfo) -> int:
    return int(labelled_rows(datainfo, chunk)[0].size)


def prepared(datainfo, chunk, positions: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """(inputs float32, targets) of the chunk's labelled rows, or of those at ``positions`` among them."""
    rows, y = labelled_rows(datainfo, chunk)
    if positions is not None:
        rows, y = rows[positions], (None if y is None else y[positions])
    X = datainfo.transform(chunk if rows.size == chunk.nrows else chunk.take_rows(rows))
    return np.ascontiguousarray(X, np.float32), y


def shard(datainfo, *chunks) -> tuple:
    """The prepared labelled rows of ``chunks`` (in order): (X, y_cls, y_reg, None, None)."""
    parts = [prepared(datainfo, chunk) for chunk in chunks]
    X = np.concatenate([X for X, _ in parts]) if len(parts) > 1 else parts[0][0]
    y = None if datainfo.problem == "AutoEncoder" else np.concatenate([y for _, y in parts])
    return (X, *kernel_targets(y, X.shape[0]), None, None)


def nonzero_inputs(chunk, datainfo, rows: np.ndarray) -> tuple[int, int]:
    X = datainfo.transform(chunk.take_rows(rows))
    return int(np.count_nonzero(X)), int(X.size)


def labels(chunk, datainfo, positions: np.ndarray):
    y = labelled_rows(datainfo, chunk)[1]
    return None if y is None else y[positions]


def score_rows(chunk, datainfo, positions: np.ndarray, mi, drop_ratios, row_mse: bool, hidden_layer: int):
    """batch_sgd.forward of the chunk's labelled rows at ``positions``, with the worker's threads."""
    from h2o_backend.engine import batch_sgd
    X = prepared(datainfo, chunk, positions)[0]
    return batch_sgd.forward(mi, X, drop_ratios, row_mse=row_mse, hidden_layer=hidden_layer)


# ---------------------------------------------------------------------------- on the server
class RemoteRows:
    """Rows of a score set that stay on the workers: ``shape`` as the prepared matrix's, and
    ``forward`` (batch_sgd.forward's signature) scoring them where they lie."""

    def __init__(self, cluster, chunks: list, datainfo, positions: list[np.ndarray]):
        self.cluster, self.chunks, self.datainfo, self.positions = cluster, chunks, datainfo, positions
        self.shape = (int(sum(p.size for p in positions)), datainfo.n_inputs)

    def forward(self, mi, X, drop_ratios, *, row_mse: bool = False, hidden_layer: int = 0, stop=None,
                n_threads=None):
        client = self.cluster.client
        model = client.scatter(mi, hash=False, broadcast=True)
        ratios = np.asarray(drop_ratios, np.float32)
        futures = [client.submit(score_rows, c, self.datainfo, p, model, ratios, row_mse, hidden_layer, pure=False)
                   for c, p in zip(self.chunks, self.positions) if p.size]
        try:
            results = client.gather(futures)
        finally:
            client.cancel(futures + [model])
        return tuple(None if results[0][i] is None else np.concatenate([r[i] for r in results])
                     for i in range(3))


@dataclass
class ClusterTrainingData:
    """engine/training.py's TrainingData for a cluster frame (module doc)."""
    cluster: object
    frame: object
    datainfo: object
    labelled_counts: list[int]
    prior = None              # (no balance_classes on such frames: no class distributions)
    model_dist = None
    held_on_cluster = True

    @classmethod
    def build(cls, cluster, frame, datainfo) -> "ClusterTrainingData":
        client = cluster.client
        counts = client.gather([client.submit(labelled_count, c, datainfo, pure=False) for c in frame.chunks])
        return cls(cluster, frame, datainfo, [int(c) for c in counts])

    @property
    def n_rows(self) -> int:
        return int(sum(self.labelled_counts))

    def targets(self):
        return None, None

    def kernel_weights(self):
        return None

    def kernel_offsets(self, datainfo):
        return None

    # ------------------------------------------------------------------ samples
    def input_density(self, seed: int) -> float:
        n = self.frame.nrows
        rows = iterations.sample_rows(n, DENSITY_SAMPLE, seed)
        rows = np.arange(n) if rows is None else np.sort(rows)
        client = self.cluster.client
        parts = [client.submit(nonzero_inputs, c, self.datainfo, p, pure=False)
                 for c, p in zip(self.frame.chunks, frames.positions_by_chunk(rows, self.frame.chunk_starts())) if p.size]
        counted = client.gather(parts)
        return sum(c for c, _ in counted) / max(1, sum(s for _, s in counted))

    def score_set(self, eff) -> scoring.ScoreSet:
        """The server path's training sample (score_set over the labelled rows), scored remotely."""
        n = self.n_rows
        pick = iterations.sample_rows(n, eff.score_training_samples, eff.seed)
        chosen = np.arange(n) if pick is None else np.asarray(pick)      # sorted: outputs come in row order
        starts = np.concatenate([[0], np.cumsum(self.labelled_counts)]).astype(np.int64)
        positions = frames.positions_by_chunk(chosen, starts)
        client = self.cluster.client
        ys = client.gather([client.submit(labels, c, self.datainfo, p, pure=False)
                            for c, p in zip(self.frame.chunks, positions) if p.size])
        remote = RemoteRows(self.cluster, self.frame.chunks, self.datainfo, positions)
        y = None if self.datainfo.problem == "AutoEncoder" else np.concatenate(ys)
        return scoring.ScoreSet(remote, y, n, forward=remote.forward)

    # ------------------------------------------------------------------ placement
    def place(self, workers: list[str], eff) -> tuple[dict, dict]:
        """({worker: future of its shard}, {worker: its row count}) for the training (module doc)."""
        groups = self._groups(workers, eff)
        self._check_memory(groups)
        client = self.cluster.client
        futures, rows = {}, {}
        for w, chunk_ids in groups.items():
            rows[w] = int(sum(self.labelled_counts[i] for i in chunk_ids))
            if rows[w]:
                futures[w] = client.submit(shard, self.datainfo, *[self.frame.chunks[i] for i in chunk_ids],
                                           workers=[w], allow_other_workers=False, pure=False)
        _wait(client, futures)
        return futures, rows

    def _groups(self, workers: list[str], eff) -> dict[str, list[int]]:
        everything = list(range(len(self.frame.chunks)))
        if eff.single_node_mode:
            return {w: (everything if i == 0 else []) for i, w in enumerate(workers)}
        if eff.replicate_training_data:
            return {w: everything for w in workers}
        if eff.force_load_balance:
            cumulative = np.cumsum(self.labelled_counts)
            total = cumulative[-1] if cumulative.size else 0
            rank = np.minimum((cumulative - np.asarray(self.labelled_counts) / 2) * len(workers) // max(1, total),
                              len(workers) - 1).astype(int)
            return {w: [i for i in everything if rank[i] == k] for k, w in enumerate(workers)}
        out: dict[str, list[int]] = {w: [] for w in workers}
        for i, held in enumerate(frames.holders(self.cluster, self.frame)):
            held = [w for w in held if w in out]
            out[held[0] if held else workers[i % len(workers)]].append(i)
        return out

    def _check_memory(self, groups: dict) -> None:
        shards.check_memory({w: sum(self.labelled_counts[i] for i in ids) for w, ids in groups.items()},
                            self.datainfo.n_inputs * 4 + 8, self.cluster.memory_limits())


def _wait(client, futures: dict, poll: float = 0.05) -> None:
    """Wait until every shard is built on its worker (a lost chunk is rebuilt by the scheduler
    meanwhile); the shards themselves stay there."""
    import time
    while any(f.status not in ("finished", "error", "cancelled") for f in futures.values()):
        time.sleep(poll)
    failed = [w for w, f in futures.items() if f.status != "finished"]
    if failed:
        raise RuntimeError(f"preparing the training rows on Dask worker {', '.join(failed)} failed: "
                           f"{futures[failed[0]].exception()}")
