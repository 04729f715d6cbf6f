"""Batch scoring: forward passes without dropout (test-time scaling instead), rows in parallel.

Rows are independent, so blocks of rows run in ``prange`` with their own small buffers; results
do not depend on the number of threads.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from h2o_backend.engine.kernels.forward import forward_row
from h2o_backend.engine.kernels.layout import NET_AOUT, NET_NOUT
from h2o_backend.engine.kernels.structs import Dropout

JIT = dict(cache=True, fastmath=True, error_model="numpy")
BLOCK = 256


@njit(parallel=True, nogil=True, **JIT)
def predict_batch(X, net, drop_thr, drop, w, b, n_units, n_cols, out, row_mse, hidden_layer, feats):
    """Output layer activations of every row of ``X`` into ``out`` [n, n_out].

    ``row_mse`` (length n, or 0 to skip): mean squared difference between the output and the
    input row (an autoencoder's reconstruction error). ``hidden_layer`` >= 1 also copies that unit
    layer's activations into ``feats`` [n, units] (deep features)."""
    n = X.shape[0]
    last = net.shape[0] - 1
    n_out = net[last, NET_NOUT]
    off = net[last, NET_AOUT]
    nblocks = (n + BLOCK - 1) // BLOCK
    for bi in prange(nblocks):
        a = np.zeros(n_units, np.float32)
        z = np.zeros(n_cols, np.float32)
        keep = np.ones(n_units, np.float32)
        nz = np.zeros(n_units, np.int32)
        nnz = np.zeros(net.shape[0] + 1, np.int64)
        dr = Dropout(np.uint64(0), np.uint64(0), drop_thr)    # scoring: no masks drawn
        u = np.zeros(1, np.float32)
        for r in range(bi * BLOCK, min(n, (bi + 1) * BLOCK)):
            x = X[r]
            forward_row(x, net, dr, drop, w, b, a, z, keep, nz, nnz, u, False, 0)
            for c in range(n_out):
                out[r, c] = a[off + c]
            if row_mse.shape[0] > 0:
                s = 0.0
                for c in range(n_out):
                    d = np.float64(a[off + c]) - np.float64(x[c])
                    s += d * d
                row_mse[r] = s / n_out
            if hidden_layer >= 1:
                hoff = net[hidden_layer - 1, NET_AOUT]
                for j in range(feats.shape[1]):
                    feats[r, j] = a[hoff + j]
