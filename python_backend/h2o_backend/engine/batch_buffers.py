"""Bytes of the work buffers that the mini-batch path (batch_sgd.BatchRunner) and the scorer
(batch_sgd.forward) allocate, computed from the network's shapes alone (no allocation), so that the
memory estimate (memory.py) counts what those allocate.

Derived from the same shapes and constants as the code that allocates them:

- BatchRunner: one buffer set per thread with HOGWILD! (``hogwild`` and several threads), else one
  shared set. A set holds, per unit layer ``u`` (inputs, hidden, outputs), activations, dropout
  keep masks and errors of [batch, u]; per weight layer (``n_in`` inputs, ``cols`` columns: units x
  Maxout pieces) pre-activations and signals of [batch, cols], the data gradients of the weights'
  shape [n_in, cols], the bias gradients per batch part [parts, cols] (parts: one with HOGWILD!,
  else min(threads, batch // PART_MIN_ROWS), at least one), the update's column sums [blocks, cols]
  (one row for unit-major layers, kernels.batch.UPDATE_BLOCKS for input-major) and their sum [cols].
- forward: the rows' SCORE_BLOCK-row blocks are split into ``parts`` ranges (min(threads, blocks //
  SCORE_PART_MIN_BLOCKS), at least one); each range allocates, for one full block of SCORE_BLOCK
  rows whatever the row count, the padded inputs [block, n_in], pre-activations [block, cols] per
  weight layer, activations [block, u] per hidden layer, one keep mask [block, max units], the
  outputs [block, n_out] and, with input dropout, the block's scaled inputs [block, n_in].

tests_py/test_memory_budget.py measures both against what the allocations really hold.
"""
from __future__ import annotations

from h2o_backend.engine.batch_sgd import SCORE_BLOCK, SCORE_PART_MIN_BLOCKS
from h2o_backend.engine.kernels.batch import PART_MIN_ROWS, UPDATE_BLOCKS
from h2o_backend.engine.kernels.layout import MAJOR_UNIT

F32 = 4


def layer_shapes(units: list[int], pieces: list[int]) -> list[tuple[int, int]]:
    """(n_in, cols) of every weight layer: ``units`` input, hidden..., output; ``pieces`` per
    weight layer (2 for Maxout hidden layers, else 1)."""
    return [(int(units[l]), int(units[l + 1]) * int(pieces[l])) for l in range(len(units) - 1)]


def training_buffer_sets(n_threads: int, hogwild: bool) -> int:
    """How many buffer sets BatchRunner allocates: one per thread with HOGWILD!, else one."""
    return max(1, int(n_threads)) if (hogwild and int(n_threads) > 1) else 1


def training_buffer_bytes(units: list[int], pieces: list[int], batch: int, n_threads: int, hogwild: bool,
                          majors: list[int] | None = None) -> int:
    """Bytes of BatchRunner's work buffers (see the module doc). ``majors``: the weight layers'
    storage orders; None counts every layer as input-major (the larger update sums; the first
    layer's order is only decided when training starts)."""
    threads, batch = max(1, int(n_threads)), max(1, int(batch))
    sets = training_buffer_sets(threads, hogwild)
    parts = 1 if sets > 1 else max(1, min(threads, batch // PART_MIN_ROWS))
    shapes = layer_shapes(units, pieces)
    majors = list(majors) if majors else [0] * len(shapes)
    per_set = 3 * batch * sum(int(u) for u in units)                     # activations, keep masks, errors
    for (n_in, cols), major in zip(shapes, majors):
        blocks = 1 if major == MAJOR_UNIT else UPDATE_BLOCKS
        per_set += cols * (2 * batch + n_in + parts + blocks + 1)       # Z, G, D, bias grads, sums
    return sets * per_set * F32


def scoring_parts(n_rows: int, n_threads: int) -> int:
    """How many ranges of blocks ``forward`` scores, each on its own thread."""
    blocks = -(-max(0, int(n_rows)) // SCORE_BLOCK)
    return max(1, min(max(1, int(n_threads)), blocks // SCORE_PART_MIN_BLOCKS))


def scoring_buffer_bytes(units: list[int], pieces: list[int], n_rows: int, n_threads: int,
                         input_dropout: bool = False) -> int:
    """Bytes of ``forward``'s per-range block buffers when it scores ``n_rows`` rows (its outputs,
    which the caller keeps, are not counted)."""
    per_row = sum(cols for _, cols in layer_shapes(units, pieces)) + sum(int(u) for u in units[1:-1])
    per_row += max(int(u) for u in units) + int(units[0]) + int(units[-1])
    per_row += int(units[0]) if input_dropout else 0
    return scoring_parts(n_rows, n_threads) * SCORE_BLOCK * per_row * F32
