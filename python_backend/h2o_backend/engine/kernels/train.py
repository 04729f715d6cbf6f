"""Per-sample SGD over a chunk of rows: HOGWILD! threads on shared weights, or one thread.

``train_rows`` runs one thread's slice of the chunk: for each row a forward pass with fresh
dropout masks, the output signal, and the fused backward pass (error propagation + update) from
the output layer down. ``hogwild_parallel`` splits the chunk's rows into ``T`` contiguous slices
and runs them concurrently with ``prange`` on the same weight arrays without locks (HOGWILD!);
``hogwild_serial`` runs them one after the other in one thread (bit-reproducible with a fixed
seed). Workspace arrays are [T, size] and allocated once per training run (see workspace.py).

The learning rate and momentum of row ``r`` use the sample count ``n0 + (rows done by this
thread) * stride`` (stride = number of threads), an estimate of the global count.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from h2o_backend.engine.kernels.backward import backprop_layer, hidden_signal, output_signal
from h2o_backend.engine.kernels.forward import forward_row
from h2o_backend.engine.kernels.layout import (HP_EPS, HP_L1, HP_L2, HP_MAX_W2, HP_MOM_RAMP,
                                               HP_MOM_STABLE, HP_MOM_START, HP_N0, HP_RATE,
                                               HP_RATE_ANNEALING, HP_RATE_DECAY, HP_RHO, OPT_FAST_MODE,
                                               OPT_NESTEROV, OPT_OPTIMIZER, OPT_OUT_MODE, OPT_RESCALE, OPT_STRIDE,
                                               OPTIM_ADADELTA, STATUS_UNSTABLE)
from h2o_backend.engine.schedules import momentum_at, step_rate

JIT = dict(cache=True, fastmath=True, error_model="numpy", _nrt=False)


@njit(**JIT)
def train_rows(rows, lo, hi, X, y_cls, y_reg, net, drop_thr, drop, w, b, agw, adw, agb, adb, mw, mb,
               hp, opt, a, z, g, e, keep, nz, nnz, acc, sq, u, state, t, status):
    """Train on rows[lo:hi] in order (one thread). Stops early and sets status[t] on instability."""
    n_layers = net.shape[0]
    optimizer = opt[OPT_OPTIMIZER]
    nesterov = opt[OPT_NESTEROV] != 0
    fast_mode = opt[OPT_FAST_MODE] != 0
    mode = opt[OPT_OUT_MODE]
    stride = opt[OPT_STRIDE]
    rho = np.float32(hp[HP_RHO])
    eps = np.float32(hp[HP_EPS])
    l1 = np.float32(hp[HP_L1])
    l2 = np.float32(hp[HP_L2])
    max_w2 = hp[HP_MAX_W2]
    rescale = opt[OPT_RESCALE] != 0
    adaptive = optimizer == OPTIM_ADADELTA
    for k in range(lo, hi):
        row = rows[k]
        x = X[row]
        ok = forward_row(x, net, drop_thr, drop, w, b, a, z, keep, nz, nnz, u, True, state, t)
        if not ok:
            status[t] = STATUS_UNSTABLE
            return
        output_signal(net, mode, a, g, x, y_cls[row], y_reg[row])
        n = hp[HP_N0] + (k - lo) * stride
        m = np.float32(0.0)
        if not adaptive:
            m = np.float32(momentum_at(hp[HP_MOM_START], hp[HP_MOM_STABLE], hp[HP_MOM_RAMP], n))
        for l in range(n_layers - 1, -1, -1):
            r = np.float32(0.0)
            if not adaptive:
                r = np.float32(step_rate(hp[HP_RATE], hp[HP_RATE_ANNEALING], hp[HP_RATE_DECAY], l, n, m))
            backprop_layer(net, l, w, b, agw, adw, agb, adb, mw, mb, a, g, e, keep, nz, nnz, acc, sq,
                           optimizer, nesterov, fast_mode, rho, eps, r, m, l1, l2, max_w2, rescale)
            if l > 0:
                hidden_signal(net, l - 1, a, z, e, keep, g)


@njit(nogil=True, **JIT)
def hogwild_serial(rows, X, y_cls, y_reg, net, drop_thr, drop, w, b, agw, adw, agb, adb, mw, mb, hp, opt,
                   A, Z, G, E, KEEP, NZ, NNZ, ACC, SQ, U, state, status):
    """The T slices one after another in this thread (reproducible)."""
    T = A.shape[0]
    n = rows.shape[0]
    for t in range(T):
        train_rows(rows, t * n // T, (t + 1) * n // T, X, y_cls, y_reg, net, drop_thr, drop, w, b,
                   agw, adw, agb, adb, mw, mb, hp, opt, A[t], Z[t], G[t], E[t], KEEP[t], NZ[t], NNZ[t],
                   ACC[t], SQ[t], U[t], state, t, status)


@njit(parallel=True, nogil=True, **JIT)
def hogwild_parallel(rows, X, y_cls, y_reg, net, drop_thr, drop, w, b, agw, adw, agb, adb, mw, mb, hp,
                     opt, A, Z, G, E, KEEP, NZ, NNZ, ACC, SQ, U, state, status):
    """The T slices concurrently, lock-free on the shared arrays (HOGWILD!)."""
    T = A.shape[0]
    n = rows.shape[0]
    for t in prange(T):
        train_rows(rows, t * n // T, (t + 1) * n // T, X, y_cls, y_reg, net, drop_thr, drop, w, b,
                   agw, adw, agb, adb, mw, mb, hp, opt, A[t], Z[t], G[t], E[t], KEEP[t], NZ[t], NNZ[t],
                   ACC[t], SQ[t], U[t], state, t, status)
