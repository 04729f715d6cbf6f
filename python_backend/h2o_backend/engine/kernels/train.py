"""Per-sample SGD over a chunk of rows: HOGWILD! threads on shared weights, or one thread.

``train_rows`` runs one thread's slice of the chunk: for each row a forward pass with its dropout
masks, the output signal, and the fused backward pass (error propagation + update) from the
output layer down. ``hogwild_parallel`` splits the chunk's rows into ``T`` contiguous slices and
runs them concurrently with ``prange`` on the same weight arrays without locks (HOGWILD!);
``hogwild_serial`` runs them one after the other in one thread (bit-reproducible with a fixed
seed). Workspace arrays are [T, size] and allocated once per training run (see workspace.py).

Arguments are the named structures of structs.py: ``d`` Rows, ``s`` Settings, ``dr`` Dropout,
``p`` Flat (the model's arrays), ``ws`` RowWork. Row ``k`` of the chunk is the model's sample
number ``n0 + k``: its dropout masks are that sample's (rng.py, as in the mini-batch path). The
learning rate and momentum of a row use the sample count ``n0 + (rows done by this thread) *
stride`` (stride = number of threads), an estimate of the global count. A row of weight 0 is
skipped (no update).
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from h2o_backend.engine.kernels.backward import backprop_layer, hidden_signal, output_signal
from h2o_backend.engine.kernels.forward import forward_row
from h2o_backend.engine.kernels.layout import OPTIM_ADADELTA, STATUS_UNSTABLE
from h2o_backend.engine.schedules import momentum_at, step_rate

JIT = dict(cache=True, fastmath=True, error_model="numpy", _nrt=False)


@njit(**JIT)
def train_rows(rows, lo, hi, d, net, s, dr, drop, p, ws, t, n0, stride):
    """Train on rows[lo:hi] in order (thread ``t``'s buffers). Stops early and sets
    ws.status[t] on instability."""
    n_layers = net.shape[0]
    adaptive = s.optimizer == OPTIM_ADADELTA
    a, z, g, e, keep = ws.A[t], ws.Z[t], ws.G[t], ws.E[t], ws.KEEP[t]
    nz, nnz, acc, sq, u = ws.NZ[t], ws.NNZ[t], ws.ACC[t], ws.SQ[t], ws.U[t]
    for k in range(lo, hi):
        row = rows[k]
        weight = d.weights[row]
        if weight == np.float32(0.0):
            continue
        x = d.X[row]
        ok = forward_row(x, net, dr, drop, p.w, p.b, a, z, keep, nz, nnz, u, True, n0 + k)
        if not ok:
            ws.status[t] = STATUS_UNSTABLE
            return
        output_signal(net, s, a, g, x, d.y_cls[row], d.y_reg[row], weight, d.offsets[row])
        n = float(n0 + (k - lo) * stride)
        m = np.float32(0.0)
        if not adaptive:
            m = np.float32(momentum_at(s.momentum_start, s.momentum_stable, s.momentum_ramp, n))
        for l in range(n_layers - 1, -1, -1):
            r = np.float32(0.0)
            if not adaptive:
                r = np.float32(step_rate(s.rate, s.rate_annealing, s.rate_decay, l, n, m))
            backprop_layer(net, l, p, a, g, e, keep, nz, nnz, acc, sq, s, r, m)
            if l > 0:
                hidden_signal(net, l - 1, a, z, e, keep, g)


@njit(nogil=True, **JIT)
def hogwild_serial(rows, d, net, s, dr, drop, p, ws, n0):
    """The T slices one after another in this thread (reproducible)."""
    T = ws.A.shape[0]
    n = rows.shape[0]
    for t in range(T):
        train_rows(rows, t * n // T, (t + 1) * n // T, d, net, s, dr, drop, p, ws, t, n0, T)


@njit(parallel=True, nogil=True, **JIT)
def hogwild_parallel(rows, d, net, s, dr, drop, p, ws, n0):
    """The T slices concurrently, lock-free on the shared arrays (HOGWILD!)."""
    T = ws.A.shape[0]
    n = rows.shape[0]
    for t in prange(T):
        train_rows(rows, t * n // T, (t + 1) * n // T, d, net, s, dr, drop, p, ws, t, n0, T)
