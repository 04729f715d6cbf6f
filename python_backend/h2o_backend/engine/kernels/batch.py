"""Kernels of the mini-batch path (engine/batch_sgd.py): the element-wise work, and the training
of a whole chunk of batches in one call (``train_batches``, ``train_batches_hogwild``) on numba's
threads, the matrix products included (BLAS through numba's np.dot, i.e. scipy's BLAS,
single-threaded inside each numba thread).

Matrices are float32, one row per sample of the batch: ``A`` activations [B, units], ``Z``
pre-activations [B, cols], ``G`` signals [B, cols] (H2O's sign: target minus output, so updates
add), ``E`` errors of a layer's units [B, units], ``KEEP`` dropout masks [B, units] (1 kept).
Rows are independent: a batch part's passes run on one numba thread, the scoring's kernels run
on the scoring's row-range threads (serial, releasing the GIL), and the update
is shared by weight rows; in the synchronous path no result depends on how the rows are split
(the column sums of the update use a fixed number of row blocks).

Dropout masks come from rng.py's counter-based stream, the same as the per-sample path's (a
sample's mask is a function of the seed, the sample's number and the unit), so masks do not depend
on threads, batch boundaries or chunking, and a batch of one row is the per-sample path, dropout
included. The output signal is loss.py's, the activations and derivatives act.py's, the update
rules optim.py's. The training kernels take the named structures of structs.py: ``d`` Rows, ``s``
Settings, ``dr`` Dropout, ``L`` Layers, ``wk`` BatchWork.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

from h2o_backend.engine.kernels.act import activate_outputs, activate_units, unit_signals
from h2o_backend.engine.kernels.layout import OPTIM_ADADELTA, OPTIM_SGD
from h2o_backend.engine.kernels.loss import output_signals
from h2o_backend.engine.kernels.optim import bias_updates, row_update, urow_update
from h2o_backend.engine.kernels.rng import draw16, fill_mask
from h2o_backend.engine.kernels.structs import BatchWork, Layers
from h2o_backend.engine.schedules import momentum_at, step_rate

JIT = dict(cache=True, fastmath=True, error_model="numpy")
_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)
UPDATE_BLOCKS = 16          # fixed row blocks of the update (column sums independent of threads)


# ---------------------------------------------------------------------------- forward
# Serial and releasing the GIL: the training kernels call them inside their numba threads, and
# the scoring's row ranges call them from several Python threads at once.
@njit(nogil=True, **JIT)
def activate_hidden(Z, b, actc, A, KEEP, keep_thr, scale, key, n0, training):
    """Z += b (the biases), then A = act(Z) [B, units] (Maxout: max of the two pieces), times a drawn dropout mask (training,
    ``keep_thr`` > 0, the mask is written to KEEP) or ``scale`` (scoring)."""
    B, n_out = A.shape
    drop = training and keep_thr > 0
    for r in range(B):
        z = Z[r]
        for c in range(z.shape[0]):
            z[c] += b[c]
        a = A[r]
        activate_units(actc, z, a, n_out)
        k = KEEP[r]
        if drop:
            fill_mask(k, n_out, key, n0 + r, keep_thr)
            for j in range(n_out):
                a[j] = a[j] * k[j] * scale
        else:
            for j in range(n_out):
                k[j] = _ONE
                a[j] = a[j] * scale


@njit(nogil=True, **JIT)
def activate_output(Z, b, actc, A):
    """Z += b, then the output layer: Softmax, Linear, or an autoencoder's Tanh/Rectifier, row by row."""
    B, n_out = A.shape
    for r in range(B):
        z = Z[r]
        for c in range(n_out):
            z[c] += b[c]
        activate_outputs(actc, z, A[r], n_out)


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
def output_signal(s, actc, A, d, rows, inv_b, G):
    """Output signals G [B, n_out] of the rows ``rows`` of ``d``, each divided by the batch size
    (``inv_b``) so that the weight gradients A^T G are means over the batch (weighted rows: the
    weighted sum divided by the number of rows, as H2O-3's mini-batch normalisation)."""
    B, n_out = A.shape
    for r in range(B):
        row = rows[r]
        output_signals(s, actc, A[r], G[r], n_out, d.X[row], d.y_cls[row], d.y_reg[row], d.weights[row],
                       d.offsets[row], inv_b)


@njit(nogil=True, **JIT)
def hidden_signal(E, A, Z, KEEP, actc, G):
    """Signals G [B, cols] of a hidden layer's columns from its units' errors E [B, units]."""
    B, n_out = E.shape
    for r in range(B):
        unit_signals(actc, E[r], A[r], Z[r], KEEP[r], G[r], n_out)


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
def state_of(s, W, EG, EDX, MOM):
    """The optimizer state (s1, s2) of a layer's weights or biases (optim.py's convention)."""
    if s.optimizer == OPTIM_ADADELTA:
        return EG, EDX
    if s.optimizer == OPTIM_SGD:
        return W, W             # not used by plain SGD
    return MOM, MOM


@njit(nogil=True, **JIT)
def update_input_major_blocks(s, W, D, S1, S2, acc, blk_lo, blk_hi, r, m, skip_zero_rows):
    """Update the rows of W [n_in, C] in the row blocks ``blk_lo:blk_hi`` (one thread's share of
    UPDATE_BLOCKS fixed blocks) with the mean data gradients D [n_in, C] (optim.row_update with the
    gradient in place of signal x input). ``acc[blk]`` receives the block's column sums of grad^2
    (ADADELTA's bias statistic). ``skip_zero_rows``: fast_mode skips inputs that fed nothing in the
    batch (their data gradient is 0)."""
    n_in, C = W.shape
    nb = acc.shape[0]
    for blk in range(blk_lo, blk_hi):
        ab = acc[blk]
        for c in range(C):
            ab[c] = _ZERO
        for i in range(blk * n_in // nb, (blk + 1) * n_in // nb):
            g = D[i]
            if skip_zero_rows:
                nzr = False
                for c in range(C):
                    if g[c] != _ZERO:
                        nzr = True
                        break
                if not nzr:
                    continue
            row_update(s.optimizer, s.nesterov, W[i], S1[i], S2[i], g, _ONE, s.rho, s.eps, r, m, s.l1, s.l2,
                       s.all_active, ab)


@njit(nogil=True, **JIT)
def update_unit_major_columns(s, W, D, S1, S2, acc, db, c_lo, c_hi, r, m):
    """Update the columns ``c_lo:c_hi`` (one thread's share) of W [C, n_in] (one row per column)
    with the mean data gradients D [C, n_in]; ``acc[c]`` receives the column's sum of grad^2.
    Columns whose bias gradient ``db`` is 0 are skipped unless ``all_active`` (fast_mode's shortcut
    of the per-sample path)."""
    for c in range(c_lo, c_hi):
        acc[c] = _ZERO
        if not s.all_active and db[c] == _ZERO:
            continue
        acc[c] = urow_update(s.optimizer, s.nesterov, W[c], S1[c], S2[c], D[c], _ONE, s.rho, s.eps, r, m, s.l1,
                             s.l2, not s.fast_mode)


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


# ---------------------------------------------------------------------------- training
# A batch part's passes, layer by layer, each layer's matrix products and element-wise work
# together; called from the training kernels below.
@njit(nogil=True, **JIT)
def gather_input(X, rows, A, keep_thr, key, n0):
    """A[r] = X[rows[r]] with input dropout (``keep_thr`` > 0: the masks of samples n0, n0+1, ...)."""
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
                a[i] = x[i]


@njit(nogil=True, **JIT)
def forward_layer(A, W, unit_major, Z, b, actc, A_next, KEEP, keep_thr, key, n0, is_output):
    """Z = A W (+ biases), A_next = the activation (training: hidden dropout drawn into KEEP)."""
    if unit_major:
        np.dot(A, W.T, Z)
    else:
        np.dot(A, W, Z)
    if is_output:
        activate_output(Z, b, actc, A_next)
    else:
        activate_hidden(Z, b, actc, A_next, KEEP, keep_thr, _ONE, key, n0, True)


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
def train_part(d, idx, lo, hi, n0, inv_b, s, dr, L, wk, t, p):
    """Forward and backward passes of rows ``lo:hi`` of a batch (``idx``: its rows of d.X; ``n0``:
    the sample count of its first row; ``inv_b``: 1 / the batch's size) in one call, with buffer
    set ``t`` of ``wk``; the part's activations and signals go to its rows of those buffers, its
    bias gradients to part ``p`` of ``wk.db[l][t]``. Returns 1 (and computes no signal) when an
    output is not finite. (The data gradients are computed by the update: ``_update_share``.)"""
    n_layers = len(L.W)
    rows = idx[lo:hi]
    gather_input(d.X, rows, wk.A[0][t, lo:hi], dr.thr[0], dr.key_in, n0 + lo)
    for l in range(n_layers):
        forward_layer(wk.A[l][t, lo:hi], L.W[l], L.unit_major[l], wk.Z[l][t, lo:hi], L.b[l], L.act[l],
                      wk.A[l + 1][t, lo:hi], wk.KEEP[l + 1][t, lo:hi], dr.thr[l + 1], dr.key_hid, n0 + lo,
                      l == n_layers - 1)
    if non_finite_rows(wk.A[n_layers][t, lo:hi]):
        return 1
    output_signal(s, L.act[n_layers - 1], wk.A[n_layers][t, lo:hi], d, rows, inv_b, wk.G[n_layers - 1][t, lo:hi])
    for l in range(n_layers - 1, -1, -1):
        below = l - 1 if l > 0 else 0
        backward_layer(wk.G[l][t, lo:hi], L.W[l], L.unit_major[l], wk.db[l][t, p], l > 0, wk.E[l][t, lo:hi],
                       wk.A[l][t, lo:hi], wk.Z[below][t, lo:hi], wk.KEEP[l][t, lo:hi], L.act[below],
                       wk.G[below][t, lo:hi])
    return 0


PART_MIN_ROWS = 16      # rows per part below which a batch is not split further


@njit(parallel=True, **JIT)
def train_batches(d, rows, batch, max_parts, n_shares, n0, s, dr, L, wk):
    """Train on ``rows`` (indices into d.X) in batches of ``batch`` rows (the last may be smaller),
    the model's sample count being ``n0`` at the first, synchronously (reproducible with a given
    number of threads). Per batch: its rows in up to ``max_parts`` parts of at least PART_MIN_ROWS
    rows, each part's forward pass and backward signals on its own thread (``train_part``), then
    one update shared by ``n_shares`` threads (each computes the data gradients of its share of the
    weights from the whole batch and updates them), then the biases (their gradients summed over
    the parts in part order) and max_w2. The work buffers have one set (index 0). Returns
    (samples trained, True when the batch after them had a non-finite output and was not applied)."""
    n = rows.size
    done = 0
    bad = np.zeros(max_parts, np.int64)
    rates = np.zeros(len(L.W), np.float32)
    # numba's parfors pass tuples into a prange body one level unpacked: the structures holding
    # tuples of arrays are taken apart here and rebuilt inside the loops
    W, bs, EG, EDX, MOM, egb, edxb, mb, acts, um, n_in = L
    A, KEEP, Z, G, E, D, db, acc, acc1 = wk
    while done < n:
        b = min(batch, n - done)
        idx = rows[done:done + b]
        nb0 = n0 + done
        parts = max(1, min(max_parts, b // PART_MIN_ROWS))
        inv_b = np.float32(1.0 / b)
        for p in prange(parts):
            bad[p] = train_part(d, idx, b * p // parts, b * (p + 1) // parts, nb0, inv_b, s, dr,
                                Layers(W, bs, EG, EDX, MOM, egb, edxb, mb, acts, um, n_in),
                                BatchWork(A, KEEP, Z, G, E, D, db, acc, acc1), 0, p)
        if bad[:parts].sum() > 0:
            return done, True
        m = _schedule(s, nb0, rates)
        for l in range(len(L.W)):
            for q in range(1, parts):
                wk.db[l][0, 0] += wk.db[l][0, q]
        for q in prange(n_shares):
            _update_share(0, q, n_shares, b, s, Layers(W, bs, EG, EDX, MOM, egb, edxb, mb, acts, um, n_in),
                          BatchWork(A, KEEP, Z, G, E, D, db, acc, acc1), rates, m)
        _update_biases(0, s, L, wk, rates, m)
        done += b
    return done, False


@njit(parallel=True, **JIT)
def train_batches_hogwild(d, rows, batch, n_threads, n0, s, dr, L, wk):
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
    W, bs, EG, EDX, MOM, egb, edxb, mb, acts, um, n_in = L        # see train_batches
    A, KEEP, Z, G, E, D, db, acc, acc1 = wk
    for t in prange(n_threads):
        rates = np.zeros(len(W), np.float32)
        L_t = Layers(W, bs, EG, EDX, MOM, egb, edxb, mb, acts, um, n_in)
        wk_t = BatchWork(A, KEEP, Z, G, E, D, db, acc, acc1)
        for k in range(t, n_batches, n_threads):
            if bad.sum() > 0:
                break
            lo = k * batch
            b = min(batch, n - lo)
            idx = rows[lo:lo + b]
            if train_part(d, idx, 0, b, n0 + lo, np.float32(1.0 / b), s, dr, L_t, wk_t, t, 0):
                bad[t] = 1
                break
            m = _schedule(s, n0 + lo, rates)
            _update_share(t, 0, 1, b, s, L_t, wk_t, rates, m)
            _update_biases(t, s, L_t, wk_t, rates, m)
            done[t] += b
    return done.sum(), bad.sum() > 0


@njit(nogil=True, **JIT)
def _schedule(s, n, rates):
    """Momentum and per-layer rates (into ``rates``) for a batch starting at sample ``n``.
    ADADELTA uses neither (0)."""
    if s.optimizer == OPTIM_ADADELTA:
        return np.float32(0.0)
    mom = momentum_at(s.momentum_start, s.momentum_stable, s.momentum_ramp, float(n))
    for l in range(rates.size):
        rates[l] = np.float32(step_rate(s.rate, s.rate_annealing, s.rate_decay, l, float(n), mom))
    return np.float32(mom)


@njit(nogil=True, **JIT)
def _update_share(t, q, n_shares, b, s, L, wk, rates, m):
    """Share ``q`` of ``n_shares`` of every layer's weight update after a batch of ``b`` rows in
    buffer set ``t`` (unit-major: a column range; input-major: a range of the fixed row blocks):
    the share's data gradients from the batch's inputs A and signals G (one matrix product), then
    its update, while the gradients are still in this core's cache."""
    for l in range(len(L.W)):
        W, D, A, G, acc = L.W[l], wk.D[l][t], wk.A[l][t, :b], wk.G[l][t, :b], wk.acc[l][t]
        S1, S2 = state_of(s, W, L.EG[l], L.EDX[l], L.MOM[l])
        if L.unit_major[l]:
            n = W.shape[0]
            c_lo, c_hi = n * q // n_shares, n * (q + 1) // n_shares
            if c_hi > c_lo:
                np.dot(np.ascontiguousarray(G[:, c_lo:c_hi]).T, A, D[c_lo:c_hi])
            update_unit_major_columns(s, W, D, S1, S2, acc[0], wk.db[l][t, 0], c_lo, c_hi, rates[l], m)
        else:
            blk_lo, blk_hi = UPDATE_BLOCKS * q // n_shares, UPDATE_BLOCKS * (q + 1) // n_shares
            i_lo, i_hi = blk_lo * W.shape[0] // UPDATE_BLOCKS, blk_hi * W.shape[0] // UPDATE_BLOCKS
            if i_hi > i_lo:
                np.dot(np.ascontiguousarray(A[:, i_lo:i_hi]).T, G, D[i_lo:i_hi])
            update_input_major_blocks(s, W, D, S1, S2, acc, blk_lo, blk_hi, rates[l], m, s.fast_mode)


@njit(nogil=True, **JIT)
def _update_biases(t, s, L, wk, rates, m):
    """Every layer's biases from the bias gradients of buffer set ``t`` (with the squared-gradient
    statistic the weight update left in ``wk.acc``), then max_w2, top layer first."""
    for l in range(len(L.W) - 1, -1, -1):
        db = wk.db[l][t, 0]
        acc = wk.acc[l][t, 0]
        if not L.unit_major[l]:
            acc = wk.acc1[l][t]
            acc[:] = wk.acc[l][t, 0]
            for k in range(1, wk.acc[l].shape[1]):
                acc += wk.acc[l][t, k]
        b1, b2 = state_of(s, L.b[l], L.egb[l], L.edxb[l], L.mb[l])
        bias_updates(s.optimizer, s.nesterov, L.b[l], b1, b2, db, acc, L.n_in[l], s.rho, s.eps, rates[l], m, s.l1,
                     s.l2, s.all_active)
        if s.rescale:
            rescale_columns(L.W[l], L.unit_major[l], db, s.all_active, s.max_w2)

