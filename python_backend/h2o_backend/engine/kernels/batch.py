"""Kernels of the mini-batch path (engine/batch_sgd.py): the element-wise work, and the training
of a whole chunk of batches in one call (``train_batches``, ``train_batches_hogwild``) on numba's
threads, the matrix products included (BLAS through numba's np.dot, i.e. scipy's BLAS,
single-threaded inside each numba thread).

Matrices are float32, one row per sample of the batch: ``A`` activations [B, units], ``Z``
pre-activations [B, cols], ``G`` signals [B, cols] (H2O's sign: target minus output, so updates
add), ``E`` errors of a layer's units [B, units], ``KEEP`` dropout masks [B, units] (1 kept).
Rows are independent: a batch part's passes run on one numba thread, the scoring's kernels run
rows in ``prange`` (or on the scoring's row-range threads: they release the GIL), and the update
is shared by weight rows; in the synchronous path no result depends on how the rows are split
(the column sums of the update use a fixed number of row blocks).

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
from h2o_backend.engine.schedules import momentum_at, step_rate

JIT = dict(cache=True, fastmath=True, error_model="numpy")
_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S48 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(48)
UPDATE_BLOCKS = 16          # fixed row blocks of the update (column sums independent of threads)
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
@njit(nogil=True, **JIT)
def update_input_major_blocks(W, D, EG, EDX, MOM, acc, blk_lo, blk_hi, optimizer, nesterov, rho, eps, r, m, l1,
                              l2, all_active, skip_zero_rows):
    """Update the rows of W [n_in, C] in the row blocks ``blk_lo:blk_hi`` (one thread's share of
    UPDATE_BLOCKS fixed blocks) with the mean data gradients D [n_in, C]; the per-sample row rules of
    backward.py with the gradient in place of signal x input. ``acc[blk]`` receives the block's
    column sums of grad^2 (ADADELTA's bias statistic). ``skip_zero_rows``: fast_mode skips inputs
    that fed nothing in the batch (their data gradient is 0)."""
    for blk in range(blk_lo, blk_hi):
        _update_input_block(W, D, EG, EDX, MOM, acc, blk, optimizer, nesterov, rho, eps, r, m, l1, l2,
                            all_active, skip_zero_rows)


@njit(**JIT)
def _update_input_block(W, D, EG, EDX, MOM, acc, blk, optimizer, nesterov, rho, eps, r, m, l1, l2, all_active,
                        skip_zero_rows):
    n_in, C = W.shape
    omr = _ONE - rho
    nb = acc.shape[0]
    ab = acc[blk]
    for c in range(C):
        ab[c] = _ZERO
    for i in range(blk * n_in // nb, (blk + 1) * n_in // nb):
        d = D[i]
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


@njit(nogil=True, **JIT)
def update_unit_major_columns(W, D, EG, EDX, MOM, acc, db, c_lo, c_hi, optimizer, nesterov, rho, eps, r, m, l1,
                              l2, all_active, all_inputs):
    """Update the columns ``c_lo:c_hi`` (one thread's share) of W [C, n_in] (one row per column)
    with the mean data gradients D [C, n_in]; ``acc[c]`` receives the column's sum of grad^2. Columns
    whose bias gradient ``db`` is 0 are skipped unless ``all_active`` (fast_mode's shortcut of
    the per-sample path)."""
    for c in range(c_lo, c_hi):
        _update_unit(W, D, EG, EDX, MOM, acc, db, c, optimizer, nesterov, rho, eps, r, m, l1, l2, all_active,
                     all_inputs)


@njit(**JIT)
def _update_unit(W, D, EG, EDX, MOM, acc, db, c, optimizer, nesterov, rho, eps, r, m, l1, l2, all_active,
                 all_inputs):
    omr = _ONE - rho
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


# ---------------------------------------------------------------------------- training
# A batch part's passes, layer by layer, each layer's matrix products and element-wise work
# together; called from the training kernels below.
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
def backward_layer(G, W, unit_major, db, below, E, A, Z_below, KEEP, act_below, G_below):
    """db = the layer's bias gradients from its signals G; with ``below`` (a hidden layer feeds
    it, its outputs A), E = G W^T and G_below = the signals of the layer below. (The data
    gradients are computed by the update, per share of the weights: ``_update_share``.)"""
    column_sums(G, db)
    if below:
        if unit_major:
            np.dot(G, W, E)
        else:
            np.dot(G, W.T, E)
        hidden_signal(E, A, Z_below, KEEP, act_below, G_below)


@njit(nogil=True, **JIT)
def train_part(X, y_cls, y_reg, idx, lo, hi, n0, inv_b, out_mode, keep_thr, key_in, key_hid,
               Ws, bs, acts, unit_major, As, KEEPs, Zs, Gs, Es, dbs, t, p):
    """Forward and backward passes of rows ``lo:hi`` of a batch (``idx``: its rows of X; ``n0``: the
    sample count of its first row; ``inv_b``: 1 / the batch's size) in one call. The layers'
    arrays come as tuples: weights, biases, and the work buffers [buffer set, ...] of which set
    ``t`` is used; the part's activations and signals go to its rows of those buffers, its bias
    gradients to part ``p`` of ``dbs[l][t]``. Returns 1 (and computes no signal) when an output is
    not finite. (The data gradients are computed by the update: ``_update_share``.)"""
    n_layers = len(Ws)
    rows = idx[lo:hi]
    gather_input(X, rows, As[0][t, lo:hi], keep_thr[0], _ONE, key_in, n0 + lo)
    for l in range(n_layers):
        forward_layer(As[l][t, lo:hi], Ws[l], unit_major[l], Zs[l][t, lo:hi], bs[l], acts[l], As[l + 1][t, lo:hi],
                      KEEPs[l + 1][t, lo:hi], keep_thr[l + 1], key_hid, n0 + lo, l == n_layers - 1)
    if non_finite_rows(As[n_layers][t, lo:hi]):
        return 1
    output_signal(out_mode, acts[n_layers - 1], As[n_layers][t, lo:hi], y_cls, y_reg, X, rows, inv_b,
                  Gs[n_layers - 1][t, lo:hi])
    for l in range(n_layers - 1, -1, -1):
        below = l - 1 if l > 0 else 0
        backward_layer(Gs[l][t, lo:hi], Ws[l], unit_major[l], dbs[l][t, p], l > 0, Es[l][t, lo:hi], As[l][t, lo:hi],
                       Zs[below][t, lo:hi], KEEPs[l][t, lo:hi], acts[below], Gs[below][t, lo:hi])
    return 0


PART_MIN_ROWS = 16      # rows per part below which a batch is not split further


@njit(parallel=True, **JIT)
def train_batches(X, y_cls, y_reg, rows, batch, max_parts, n_shares, n0, out_mode, keep_thr, key_in, key_hid,
                  Ws, bs, acts, unit_major, As, KEEPs, Zs, Gs, Es, Ds, dbs, EGs, EDXs, MOMs, accs, accs1, egbs,
                  edxbs, mbs, n_ins, optimizer, nesterov, rho, eps, l1, l2, all_active, fast_mode, rescale, max_w2,
                  schedule):
    """Train on ``rows`` (indices into X) in batches of ``batch`` rows (the last may be smaller),
    the model's sample count being ``n0`` at the first, synchronously (reproducible with any number
    of threads). Per batch: its rows in up to ``max_parts`` parts of at least PART_MIN_ROWS rows,
    each part's forward pass and backward signals on its own thread (``train_part``), then one
    update shared by ``n_shares`` threads (each computes the data gradients of its share of the
    weights from the whole batch and updates them), then the biases (their gradients summed over
    the parts in part order) and max_w2. The work buffers have one set (index 0). Returns
    (samples trained, True when the batch after them had a non-finite output and was not applied)."""
    n = rows.size
    done = 0
    bad = np.zeros(max_parts, np.int64)
    rates = np.zeros(len(Ws), np.float32)
    while done < n:
        b = min(batch, n - done)
        idx = rows[done:done + b]
        nb0 = n0 + done
        parts = max(1, min(max_parts, b // PART_MIN_ROWS))
        inv_b = np.float32(1.0 / b)
        for p in prange(parts):
            bad[p] = train_part(X, y_cls, y_reg, idx, b * p // parts, b * (p + 1) // parts, nb0, inv_b, out_mode,
                                keep_thr, key_in, key_hid, Ws, bs, acts, unit_major, As, KEEPs, Zs, Gs, Es, dbs, 0,
                                p)
        if bad[:parts].sum() > 0:
            return done, True
        m = _schedule(optimizer, schedule, nb0, rates)
        for l in range(len(Ws)):
            for q in range(1, parts):
                dbs[l][0, 0] += dbs[l][0, q]
        for q in prange(n_shares):
            _update_share(0, q, n_shares, b, Ws, As, Gs, Ds, dbs, EGs, EDXs, MOMs, accs, unit_major, rates,
                          optimizer, nesterov, rho, eps, m, l1, l2, all_active, fast_mode)
        _update_biases(0, Ws, bs, unit_major, dbs, accs, accs1, egbs, edxbs, mbs, n_ins, rates, optimizer, nesterov,
                       rho, eps, m, l1, l2, all_active, rescale, max_w2)
        done += b
    return done, False


@njit(parallel=True, **JIT)
def train_batches_hogwild(X, y_cls, y_reg, rows, batch, n_threads, n0, out_mode, keep_thr, key_in, key_hid,
                          Ws, bs, acts, unit_major, As, KEEPs, Zs, Gs, Es, Ds, dbs, EGs, EDXs, MOMs, accs, accs1,
                          egbs, edxbs, mbs, n_ins, optimizer, nesterov, rho, eps, l1, l2, all_active, fast_mode,
                          rescale, max_w2, schedule):
    """``train_batches`` with HOGWILD! over batches (H2O's lock-free parallel SGD, one batch instead
    of one row per step): thread ``t`` trains batches t, t + n_threads, ... whole, with buffer set
    ``t``, and updates the shared weights without waiting for the other threads (updates may
    overlap, as in the per-sample path). Every batch has the same rows and dropout draws as in
    ``train_batches``, but not reproducible. Returns (samples trained, True when a batch had a
    non-finite output: the threads stop at their next batch)."""
    n = rows.size
    n_batches = (n + batch - 1) // batch
    done = np.zeros(n_threads, np.int64)
    bad = np.zeros(n_threads, np.int64)
    for t in prange(n_threads):
        rates = np.zeros(len(Ws), np.float32)
        for k in range(t, n_batches, n_threads):
            if bad.sum() > 0:
                break
            lo = k * batch
            b = min(batch, n - lo)
            idx = rows[lo:lo + b]
            if train_part(X, y_cls, y_reg, idx, 0, b, n0 + lo, np.float32(1.0 / b), out_mode, keep_thr, key_in,
                          key_hid, Ws, bs, acts, unit_major, As, KEEPs, Zs, Gs, Es, dbs, t, 0):
                bad[t] = 1
                break
            m = _schedule(optimizer, schedule, n0 + lo, rates)
            _update_share(t, 0, 1, b, Ws, As, Gs, Ds, dbs, EGs, EDXs, MOMs, accs, unit_major, rates, optimizer,
                          nesterov, rho, eps, m, l1, l2, all_active, fast_mode)
            _update_biases(t, Ws, bs, unit_major, dbs, accs, accs1, egbs, edxbs, mbs, n_ins, rates, optimizer,
                           nesterov, rho, eps, m, l1, l2, all_active, rescale, max_w2)
            done[t] += b
    return done.sum(), bad.sum() > 0


@njit(nogil=True, **JIT)
def _schedule(optimizer, schedule, n, rates):
    """Momentum and per-layer rates (into ``rates``) for a batch starting at sample ``n``;
    ``schedule`` = (rate, rate_annealing, rate_decay, momentum_start, momentum_stable,
    momentum_ramp). ADADELTA uses neither (0)."""
    if optimizer == OPTIM_ADADELTA:
        return np.float32(0.0)
    rate, annealing, decay, m_start, m_stable, ramp = schedule
    mom = momentum_at(m_start, m_stable, ramp, float(n))
    for l in range(rates.size):
        rates[l] = np.float32(step_rate(rate, annealing, decay, l, float(n), mom))
    return np.float32(mom)


@njit(nogil=True, **JIT)
def _update_share(t, q, n_shares, b, Ws, As, Gs, Ds, dbs, EGs, EDXs, MOMs, accs, unit_major, rates, optimizer,
                  nesterov, rho, eps, m, l1, l2, all_active, fast_mode):
    """Share ``q`` of ``n_shares`` of every layer's weight update after a batch of ``b`` rows in
    buffer set ``t`` (unit-major: a column range; input-major: a range of the fixed row blocks):
    the share's data gradients from the batch's inputs A and signals G (one matrix product), then
    its update, while the gradients are still in this core's cache."""
    for l in range(len(Ws)):
        W, D, A, G, acc = Ws[l], Ds[l][t], As[l][t, :b], Gs[l][t, :b], accs[l][t]
        if unit_major[l]:
            n = W.shape[0]
            c_lo, c_hi = n * q // n_shares, n * (q + 1) // n_shares
            if c_hi > c_lo:
                np.dot(np.ascontiguousarray(G[:, c_lo:c_hi]).T, A, D[c_lo:c_hi])
            update_unit_major_columns(W, D, EGs[l], EDXs[l], MOMs[l], acc[0], dbs[l][t, 0], c_lo, c_hi, optimizer,
                                      nesterov, rho, eps, rates[l], m, l1, l2, all_active, not fast_mode)
        else:
            blk_lo, blk_hi = UPDATE_BLOCKS * q // n_shares, UPDATE_BLOCKS * (q + 1) // n_shares
            i_lo, i_hi = blk_lo * W.shape[0] // UPDATE_BLOCKS, blk_hi * W.shape[0] // UPDATE_BLOCKS
            if i_hi > i_lo:
                np.dot(np.ascontiguousarray(A[:, i_lo:i_hi]).T, G, D[i_lo:i_hi])
            update_input_major_blocks(W, D, EGs[l], EDXs[l], MOMs[l], acc, blk_lo, blk_hi, optimizer, nesterov,
                                      rho, eps, rates[l], m, l1, l2, all_active, fast_mode)


@njit(nogil=True, **JIT)
def _update_biases(t, Ws, bs, unit_major, dbs, accs, accs1, egbs, edxbs, mbs, n_ins, rates, optimizer, nesterov,
                   rho, eps, m, l1, l2, all_active, rescale, max_w2):
    """Every layer's biases from the bias gradients of buffer set ``t`` (with the squared-gradient
    statistic the weight update left in ``accs``), then max_w2, top layer first."""
    for l in range(len(Ws) - 1, -1, -1):
        db = dbs[l][t, 0]
        acc = accs[l][t, 0]
        if not unit_major[l]:
            acc = accs1[l][t]
            acc[:] = accs[l][t, 0]
            for k in range(1, accs[l].shape[1]):
                acc += accs[l][t, k]
        update_biases(bs[l], egbs[l], edxbs[l], mbs[l], db, acc, n_ins[l], optimizer, nesterov, rho, eps, rates[l],
                      m, l1, l2, all_active)
        if rescale:
            rescale_columns(Ws[l], unit_major[l], db, all_active, max_w2)


PARALLEL_MIN = 65536        # elements of a matrix below which the serial twin runs
