"""Kernels of the mini-batch path (engine/batch_sgd.py): the element-wise work, and per layer one
call that also runs the layer's matrix products (BLAS through numba's np.dot, i.e. scipy's BLAS).

Matrices are float32, one row per sample of the batch: ``A`` activations [B, units], ``Z``
pre-activations [B, cols], ``G`` signals [B, cols] (H2O's sign: target minus output, so updates
add), ``E`` errors of a layer's units [B, units], ``KEEP`` dropout masks [B, units] (1 kept).
Rows are independent: a batch part's kernels run on its own thread (they release the GIL), and
the scoring and update kernels run rows (or weight rows) in ``prange``; no result depends on the
number of threads (the column sums of the update use a fixed number of row blocks).

Dropout draws are counter-based: the 16-bit draw of unit ``j`` of sample ``s`` (the model's sample
count when the sample is trained) is a hash of (seed, stream, s, j), so masks do not depend on
threads, batch boundaries or chunking. As in the per-sample path, every hidden layer of a sample
uses the same draws (unit ``j`` is kept in each hidden layer when its draw is at least the
layer's threshold); the input layer has its own stream.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from h2o_backend.engine.activations import (ACT_RECTIFIER, ACT_SOFTMAX, ACT_TANH, OUT_REGRESSION,
                                            OUT_SOFTMAX_CE, OUT_SOFTMAX_MSE)
from h2o_backend.engine.kernels.backward import (row_adadelta, row_momentum, row_nesterov, row_sgd,
                                                 update_bias, urow_adadelta, urow_momentum, urow_nesterov,
                                                 urow_sgd)
from h2o_backend.engine.kernels.forward import softmax_into, tanh32
from h2o_backend.engine.kernels.layout import OPTIM_ADADELTA, OPTIM_SGD

JIT = dict(cache=True, fastmath=True, error_model="numpy")
_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S48 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(48)
UPDATE_BLOCKS = 16          # fixed row blocks of the update (column sums independent of threads)
_NO_PARTS = np.zeros((0, 0, 0), np.float32)     # no other batch parts' gradients to add
STREAM_INPUT, STREAM_HIDDEN = 1, 2


@njit(cache=True)
def _mix(x):
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@njit(cache=True)
def draw16(key, sample, j):
    """The 16-bit uniform draw (0..65535) of unit ``j`` of sample ``sample`` under ``key``."""
    return _mix(key ^ _mix(np.uint64(sample) * _GOLD + np.uint64(j))) >> _S48


# ---------------------------------------------------------------------------- forward
@njit(nogil=True, **JIT)
def gather_input(X, rows, A, keep_thr, scale, key, n0):
    """A[r] = X[rows[r]] with input dropout (``keep_thr`` > 0: drawn masks, training) or scaled by
    ``scale`` (scoring); ``n0`` is the sample count of the batch's first row."""
    B, n_in = A.shape
    thr = np.uint64(keep_thr)
    for r in range(B):
        x = X[rows[r]]
        a = A[r]
        if keep_thr > 0:
            s = n0 + r
            for i in range(n_in):
                a[i] = x[i] if draw16(key, s, i) >= thr else _ZERO
        else:
            for i in range(n_in):
                a[i] = x[i] * scale


@njit(parallel=True, **JIT)
def activate_hidden(Z, b, actc, A, KEEP, keep_thr, scale, key, n0, training):
    """Z += b (the biases), then A = act(Z) [B, units] (Maxout: max of the two pieces), times a drawn dropout mask (training,
    ``keep_thr`` > 0, the mask is written to KEEP) or ``scale`` (scoring)."""
    B, n_out = A.shape
    drop = training and keep_thr > 0
    for r in prange(B):
        z = Z[r]
        for c in range(z.shape[0]):
            z[c] += b[c]
        a = A[r]
        # One loop per activation (no per-element branching) so that each loop vectorises.
        if actc == ACT_RECTIFIER:
            for j in range(n_out):
                a[j] = z[j] if z[j] > _ZERO else _ZERO
        elif actc == ACT_TANH:
            for j in range(n_out):
                a[j] = tanh32(z[j])
        else:
            for j in range(n_out):
                a[j] = z[2 * j] if z[2 * j] >= z[2 * j + 1] else z[2 * j + 1]
        k = KEEP[r]
        if drop:
            _draw_mask(k, key, n0 + r, np.uint64(keep_thr))
            for j in range(n_out):
                a[j] = a[j] * k[j] * scale
        else:
            for j in range(n_out):
                k[j] = _ONE
                a[j] = a[j] * scale


@njit(**JIT)
def _draw_mask(k, key, sample, thr):
    for j in range(k.shape[0]):
        k[j] = _ONE if draw16(key, sample, j) >= thr else _ZERO


@njit(parallel=True, **JIT)
def activate_output(Z, b, actc, A):
    """Z += b, then the output layer: Softmax, Linear, or an autoencoder's Tanh/Rectifier, row by row."""
    B, n_out = A.shape
    for r in prange(B):
        z = Z[r]
        for c in range(n_out):
            z[c] += b[c]
        a = A[r]
        if actc == ACT_SOFTMAX:
            softmax_into(z, a, n_out)
        elif actc == ACT_TANH:
            for c in range(n_out):
                a[c] = tanh32(z[c])
        elif actc == ACT_RECTIFIER:
            for c in range(n_out):
                a[c] = z[c] if z[c] > _ZERO else _ZERO
        else:
            for c in range(n_out):
                a[c] = z[c]


@njit(cache=True)
def non_finite_rows(A):
    """Number of rows of A with a NaN or infinite entry (exponent bits all set: exact under any
    floating-point flags)."""
    B, n = A.shape
    bad = 0
    for r in range(B):
        bits = A[r].view(np.uint32)
        for c in range(n):
            if (bits[c] & np.uint32(0x7F800000)) == np.uint32(0x7F800000):
                bad += 1
                break
    return bad


# ---------------------------------------------------------------------------- backward
@njit(nogil=True, **JIT)
def output_signal(mode, actc, A, y_cls, y_reg, X, rows, inv_b, G):
    """Output signals G [B, n_out], each divided by the batch size (``inv_b``) so that the weight
    gradients A^T G are means over the batch."""
    B, n_out = A.shape
    for r in range(B):
        a = A[r]
        g = G[r]
        row = rows[r]
        if mode == OUT_SOFTMAX_CE:
            for c in range(n_out):
                t = _ONE if c == y_cls[row] else _ZERO
                g[c] = (t - a[c]) * inv_b
        elif mode == OUT_SOFTMAX_MSE:
            for c in range(n_out):
                t = _ONE if c == y_cls[row] else _ZERO
                g[c] = (t - a[c]) * (_ONE - a[c]) * a[c] * inv_b
        elif mode == OUT_REGRESSION:
            g[0] = (np.float32(y_reg[row]) - a[0]) * inv_b
        else:
            x = X[row]
            for c in range(n_out):
                d = x[c] - a[c]
                if actc == ACT_TANH:
                    d *= _ONE - a[c] * a[c]
                elif actc == ACT_RECTIFIER:
                    d = d if a[c] > _ZERO else _ZERO
                g[c] = d * inv_b


@njit(nogil=True, **JIT)
def hidden_signal(E, A, Z, KEEP, actc, G):
    """Signals G [B, cols] of a hidden layer's columns from its units' errors E [B, units]."""
    B, n_out = E.shape
    for r in range(B):
        e = E[r]
        a = A[r]
        k = KEEP[r]
        g = G[r]
        z = Z[r]
        if actc == ACT_RECTIFIER:
            for j in range(n_out):
                g[j] = e[j] if a[j] > _ZERO else _ZERO
        elif actc == ACT_TANH:
            for j in range(n_out):
                g[j] = e[j] * (_ONE - a[j] * a[j]) if k[j] != _ZERO else _ZERO
        else:
            for j in range(n_out):
                win0 = z[2 * j] >= z[2 * j + 1]
                ej = e[j] if k[j] != _ZERO else _ZERO
                g[2 * j] = ej if win0 else _ZERO
                g[2 * j + 1] = _ZERO if win0 else ej


@njit(cache=True, fastmath=True)
def column_sums(G, out):
    """out[c] = sum of G[:, c] (bias gradients), rows in order."""
    for c in range(out.shape[0]):
        out[c] = _ZERO
    for r in range(G.shape[0]):
        g = G[r]
        for c in range(out.shape[0]):
            out[c] += g[c]


# ---------------------------------------------------------------------------- updates
@njit(parallel=True, **JIT)
def update_input_major(W, D, EG, EDX, MOM, acc, optimizer, nesterov, rho, eps, r, m, l1, l2, all_active,
                       skip_zero_rows):
    """Update W [n_in, C] with the mean data gradients D [n_in, C] (the per-sample row rules of
    backward.py with the gradient in place of signal x input); ``acc`` [UPDATE_BLOCKS, C] receives
    per-block column sums of grad^2 (ADADELTA's bias statistic). ``skip_zero_rows``: fast_mode
    skips inputs that fed nothing in the batch (their data gradient is 0)."""
    for blk in prange(acc.shape[0]):
        _update_input_block(W, D, _NO_PARTS, EG, EDX, MOM, acc, blk, optimizer, nesterov, rho, eps, r, m, l1, l2,
                            all_active, skip_zero_rows)


@njit(nogil=True, **JIT)
def update_input_major_blocks(W, D, PD, EG, EDX, MOM, acc, blk_lo, blk_hi, optimizer, nesterov, rho, eps, r, m, l1,
                              l2, all_active, skip_zero_rows):
    """``update_input_major`` restricted to the row blocks ``blk_lo:blk_hi`` (one thread's share),
    each row's gradient first summed with the other batch parts' ``PD[q]`` (in order)."""
    for blk in range(blk_lo, blk_hi):
        _update_input_block(W, D, PD, EG, EDX, MOM, acc, blk, optimizer, nesterov, rho, eps, r, m, l1, l2,
                            all_active, skip_zero_rows)


@njit(**JIT)
def _update_input_block(W, D, PD, EG, EDX, MOM, acc, blk, optimizer, nesterov, rho, eps, r, m, l1, l2, all_active,
                        skip_zero_rows):
    n_in, C = W.shape
    omr = _ONE - rho
    nb = acc.shape[0]
    ab = acc[blk]
    for c in range(C):
        ab[c] = _ZERO
    for i in range(blk * n_in // nb, (blk + 1) * n_in // nb):
        d = D[i]
        for q in range(PD.shape[0]):
            pq = PD[q, i]
            for c in range(C):
                d[c] += pq[c]
        if skip_zero_rows:
            nzr = False
            for c in range(C):
                if d[c] != _ZERO:
                    nzr = True
                    break
            if not nzr:
                continue
        if optimizer == OPTIM_ADADELTA:
            row_adadelta(W[i], EG[i], EDX[i], d, _ONE, rho, omr, eps, l1, l2, all_active, ab)
        elif optimizer == OPTIM_SGD:
            row_sgd(W[i], d, _ONE, r, l1, l2, all_active)
        elif nesterov:
            row_nesterov(W[i], MOM[i], d, _ONE, r, m, l1, l2, all_active)
        else:
            row_momentum(W[i], MOM[i], d, _ONE, r, m, l1, l2, all_active)


@njit(parallel=True, **JIT)
def update_unit_major(W, D, EG, EDX, MOM, acc, db, optimizer, nesterov, rho, eps, r, m, l1, l2, all_active,
                      all_inputs):
    """Update W [C, n_in] (one row per column) with the mean data gradients D [C, n_in]; ``acc[c]``
    receives the column's sum of grad^2. Columns whose bias gradient ``db`` is 0 are skipped unless
    ``all_active`` (fast_mode's shortcut of the per-sample path)."""
    for c in prange(W.shape[0]):
        _update_unit(W, D, _NO_PARTS, EG, EDX, MOM, acc, db, c, optimizer, nesterov, rho, eps, r, m, l1, l2,
                     all_active, all_inputs)


@njit(nogil=True, **JIT)
def update_unit_major_columns(W, D, PD, EG, EDX, MOM, acc, db, c_lo, c_hi, optimizer, nesterov, rho, eps, r, m, l1,
                              l2, all_active, all_inputs):
    """``update_unit_major`` restricted to the columns ``c_lo:c_hi`` (one thread's share), each
    column's gradient first summed with the other batch parts' ``PD[q]`` (in order)."""
    for c in range(c_lo, c_hi):
        _update_unit(W, D, PD, EG, EDX, MOM, acc, db, c, optimizer, nesterov, rho, eps, r, m, l1, l2, all_active,
                     all_inputs)


@njit(**JIT)
def _update_unit(W, D, PD, EG, EDX, MOM, acc, db, c, optimizer, nesterov, rho, eps, r, m, l1, l2, all_active,
                 all_inputs):
    omr = _ONE - rho
    d = D[c]
    for q in range(PD.shape[0]):
        pq = PD[q, c]
        for i in range(d.shape[0]):
            d[i] += pq[i]
    acc[c] = _ZERO
    if not all_active and db[c] == _ZERO:
        return
    if optimizer == OPTIM_ADADELTA:
        acc[c] = urow_adadelta(W[c], EG[c], EDX[c], D[c], _ONE, rho, omr, eps, l1, l2, all_inputs)
    elif optimizer == OPTIM_SGD:
        urow_sgd(W[c], D[c], _ONE, r, l1, l2, all_inputs)
    elif nesterov:
        urow_nesterov(W[c], MOM[c], D[c], _ONE, r, m, l1, l2, all_inputs)
    else:
        urow_momentum(W[c], MOM[c], D[c], _ONE, r, m, l1, l2, all_inputs)


@njit(**JIT)
def update_biases(b, egb, edxb, mb, db, acc, n_in, optimizer, nesterov, rho, eps, r, m, l1, l2, all_active):
    """Biases with their mean gradients ``db``; ``acc[c] / n_in`` is ADADELTA's squared gradient."""
    omr = _ONE - rho
    inv_n = np.float32(1.0 / n_in)
    for c in range(b.shape[0]):
        if all_active or db[c] != _ZERO:
            update_bias(b, egb, edxb, mb, c, db[c], acc[c] * inv_n, optimizer, nesterov, rho, omr, eps, r, m,
                        l1, l2)


@njit(cache=True, fastmath=True)
def rescale_columns(W, unit_major, db, all_active, max_w2):
    """max_w2: scale each updated column whose squared incoming weights sum above ``max_w2``."""
    if unit_major:
        C, n_in = W.shape
    else:
        n_in, C = W.shape
    for c in range(C):
        if not (all_active or db[c] != _ZERO):
            continue
        s = _ZERO
        for i in range(n_in):
            v = W[c, i] if unit_major else W[i, c]
            s += v * v
        if s > max_w2:
            f = np.float32(np.sqrt(max_w2 / s))
            for i in range(n_in):
                if unit_major:
                    W[c, i] *= f
                else:
                    W[i, c] *= f


# ---------------------------------------------------------------------------- scoring helpers
@njit(nogil=True, **JIT)
def row_mse(A, X, out):
    """Mean squared difference of each row of A and X (float64 sums), into out."""
    B, n = A.shape
    for r in range(B):
        s = 0.0
        for c in range(n):
            d = np.float64(A[r, c]) - np.float64(X[r, c])
            s += d * d
        out[r] = s / n


# ---------------------------------------------------------------------------- serial twins
# The same kernels compiled without threads, for small matrices (a batch of a few dozen rows):
# there a parallel launch costs more than the work, and each launch is a point where the threads
# wait for each other (slow when other processes hold the cores).
# The activations release the GIL: scoring's row ranges call them from several threads at once.
activate_hidden_serial = njit(nogil=True, **JIT)(activate_hidden.py_func)
activate_output_serial = njit(nogil=True, **JIT)(activate_output.py_func)
update_input_major_serial = njit(**JIT)(update_input_major.py_func)
update_unit_major_serial = njit(**JIT)(update_unit_major.py_func)


# ---------------------------------------------------------------------------- one layer, one call
# A batch part's passes call BLAS (scipy's, through numba's np.dot) from inside these kernels: one
# call per layer and direction instead of four, because each Python-level call holds the GIL that
# the other parts' threads are waiting for.
@njit(nogil=True, **JIT)
def forward_layer(A, W, unit_major, Z, b, actc, A_next, KEEP, keep_thr, key, n0, is_output):
    """Z = A W (+ biases), A_next = the activation (training: hidden dropout drawn into KEEP)."""
    if unit_major:
        np.dot(A, W.T, Z)
    else:
        np.dot(A, W, Z)
    if is_output:
        activate_output_serial(Z, b, actc, A_next)
    else:
        activate_hidden_serial(Z, b, actc, A_next, KEEP, keep_thr, _ONE, key, n0, True)


@njit(nogil=True, **JIT)
def backward_layer(A, G, W, unit_major, D, db, below, E, Z_below, KEEP, act_below, G_below):
    """D, db = the layer's data and bias gradients from its inputs A and signals G; with ``below``
    (a hidden layer feeds it), E = G W^T and G_below = the signals of the layer below."""
    if unit_major:
        np.dot(G.T, A, D)
    else:
        np.dot(A.T, G, D)
    column_sums(G, db)
    if below:
        if unit_major:
            np.dot(G, W, E)
        else:
            np.dot(G, W.T, E)
        hidden_signal(E, A, Z_below, KEEP, act_below, G_below)


@njit(nogil=True, **JIT)
def train_part(X, y_cls, y_reg, idx, lo, hi, n0, inv_b, out_mode, keep_thr, key_in, key_hid,
               Ws, bs, acts, unit_major, As, KEEPs, Zs, Gs, Es, Ds, dbs):
    """Forward and backward passes of rows ``lo:hi`` of a batch (``idx``: its rows of X; ``n0``: the
    sample count of its first row; ``inv_b``: 1 / the batch's size) in one call: the layers'
    arrays come as tuples (weights, biases, and the runner's full-batch buffers, sliced here) and
    the gradients go to ``Ds``/``dbs``. Returns 1 (and computes no gradient) when an output is not
    finite."""
    n_layers = len(Ws)
    rows = idx[lo:hi]
    gather_input(X, rows, As[0][lo:hi], keep_thr[0], _ONE, key_in, n0 + lo)
    for l in range(n_layers):
        forward_layer(As[l][lo:hi], Ws[l], unit_major[l], Zs[l][lo:hi], bs[l], acts[l], As[l + 1][lo:hi],
                      KEEPs[l + 1][lo:hi], keep_thr[l + 1], key_hid, n0 + lo, l == n_layers - 1)
    if non_finite_rows(As[n_layers][lo:hi]):
        return 1
    output_signal(out_mode, acts[n_layers - 1], As[n_layers][lo:hi], y_cls, y_reg, X, rows, inv_b,
                         Gs[n_layers - 1][lo:hi])
    for l in range(n_layers - 1, -1, -1):
        below = l - 1 if l > 0 else 0
        backward_layer(As[l][lo:hi], Gs[l][lo:hi], Ws[l], unit_major[l], Ds[l], dbs[l], l > 0, Es[l][lo:hi],
                       Zs[below][lo:hi], KEEPs[l][lo:hi], acts[below], Gs[below][lo:hi])
    return 0

PARALLEL_MIN = 65536        # elements of a matrix below which the serial twin runs
