"""Forward pass of one row through the network (training and scoring share it).

Arrays (float32 unless said): ``w``/``b`` flat weights and biases (layout.py), ``a`` activations of
every unit layer, ``z`` pre-activations of every column, ``keep`` per-unit dropout mask (1 kept),
``nz`` (int32) and ``nnz`` (int64 per unit layer): the indices of the live units of each layer, i.e.
the inputs the next layer reads (non-zero inputs; kept units, or active ones for Rectifier).
Training draws fresh dropout masks per row; scoring scales inputs and hidden activations by
``1 - ratio`` instead (expectation-preserving, the project's decision for both).

Dropout masks come from the one counter-based stream of rng.py (a function of the seed, the
sample's number and the unit), the same as the mini-batch path's: every hidden layer of a sample
uses the same per-unit draws (H2O), the input layer its own. (Independent masks per layer learn
measurably slower on the booklet's MNIST run: 0.3 percentage points more test error after one epoch.)
"""
from __future__ import annotations

import numpy as np
from numba import njit

from h2o_backend.engine.activations import ACT_RECTIFIER
from h2o_backend.engine.kernels.act import activate_outputs, activate_units
from h2o_backend.engine.kernels.layout import (MAJOR_INPUT, NET_ACT, NET_AIN, NET_AOUT, NET_BOFF, NET_COLS, NET_K,
                                               NET_MAJOR, NET_NIN, NET_NOUT, NET_WOFF, NET_ZOFF)
from h2o_backend.engine.kernels.rng import draw16, fill_mask

_ZERO = np.float32(0.0)
_ONE = np.float32(1.0)

JIT = dict(cache=True, fastmath=True, error_model="numpy", _nrt=False)


@njit(**JIT)
def fill_input(x, net, dr, drop, a, keep, nz, nnz, training, sample):
    """Copy one input row into unit layer 0 with input dropout (training: the mask of sample
    ``sample`` under ``dr``, a structs.Dropout) or its scaling (scoring)."""
    n_in = net[0, NET_NIN]
    a0 = a[:n_in]
    k0 = keep[:n_in]
    nz0 = nz[:n_in]
    if training and dr.thr[0] > 0:
        fill_mask(k0, n_in, dr.key_in, sample, dr.thr[0])
        for i in range(n_in):
            a0[i] = x[i] * k0[i]
    else:
        scale = np.float32(1.0 - drop[0]) if not training else _ONE
        for i in range(n_in):
            a0[i] = x[i] * scale
            k0[i] = _ONE
    cnt = 0
    for i in range(n_in):
        if a0[i] != _ZERO:
            nz0[cnt] = i
            cnt += 1
    nnz[0] = cnt


@njit(**JIT)
def affine(net, l, w, b, a, z, keep, nz, nnz, training):
    """Pre-activations of layer l's columns: z = b + W a.

    Input-major: sums the rows of the live inputs. Unit-major: one dot product per column; in
    training the columns of dropped output units are skipped (their z is not used)."""
    C = net[l, NET_COLS]
    n_in = net[l, NET_NIN]
    woff = net[l, NET_WOFF]
    ain = net[l, NET_AIN]
    zl = z[net[l, NET_ZOFF]:net[l, NET_ZOFF] + C]
    bl = b[net[l, NET_BOFF]:net[l, NET_BOFF] + C]
    if net[l, NET_MAJOR] == MAJOR_INPUT:
        for c in range(C):
            zl[c] = bl[c]
        for ii in range(nnz[l]):
            i = nz[ain + ii]
            xi = a[ain + i]
            row = w[woff + i * C:woff + (i + 1) * C]
            for c in range(C):
                zl[c] += xi * row[c]
    else:
        x = a[ain:ain + n_in]
        k = net[l, NET_K]
        kout = keep[net[l, NET_AOUT]:net[l, NET_AOUT] + net[l, NET_NOUT]]
        for c in range(C):
            if training and kout[c // k] == _ZERO:
                zl[c] = _ZERO
                continue
            row = w[woff + c * n_in:woff + (c + 1) * n_in]
            s = _ZERO
            for i in range(n_in):
                s += row[i] * x[i]
            zl[c] = bl[c] + s


@njit(**JIT)
def draw_keep(net, l, thr, keep, u, training):
    """Dropout mask of unit layer l+1 (the outputs of weight layer l) from the row's shared hidden
    draws ``u`` (training), or all kept."""
    n_out = net[l, NET_NOUT]
    kl = keep[net[l, NET_AOUT]:net[l, NET_AOUT] + n_out]
    t = np.float32(thr[l + 1])
    if training and thr[l + 1] > 0:
        for j in range(n_out):
            kl[j] = _ONE if u[j] >= t else _ZERO
    else:
        for j in range(n_out):
            kl[j] = _ONE


@njit(**JIT)
def activate_hidden(net, l, drop, a, z, keep, nz, nnz, training):
    """Hidden activation of layer l's columns into unit layer l+1 with its dropout mask (training)
    or scaling (scoring); lists the live units (the next layer's inputs)."""
    n_out = net[l, NET_NOUT]
    actc = net[l, NET_ACT]
    aout = net[l, NET_AOUT]
    zl = z[net[l, NET_ZOFF]:net[l, NET_ZOFF] + net[l, NET_COLS]]
    al = a[aout:aout + n_out]
    kl = keep[aout:aout + n_out]
    ratio = drop[l + 1]
    scale = np.float32(1.0 - ratio) if (not training and ratio > 0) else _ONE
    activate_units(actc, zl, al, n_out)
    for j in range(n_out):
        al[j] = al[j] * kl[j] * scale
    nzl = nz[aout:aout + n_out]
    cnt = 0
    if actc == ACT_RECTIFIER:
        for j in range(n_out):
            if al[j] > _ZERO:
                nzl[cnt] = j
                cnt += 1
    else:
        for j in range(n_out):
            if kl[j] != _ZERO:
                nzl[cnt] = j
                cnt += 1
    nnz[l + 1] = cnt


@njit(**JIT)
def activate_output(net, a, z):
    """Output layer: Softmax, Linear, or the autoencoder's Tanh/Rectifier (no dropout).

    Returns False when the output is not finite (numerical instability)."""
    l = net.shape[0] - 1
    n_out = net[l, NET_NOUT]
    actc = net[l, NET_ACT]
    zl = z[net[l, NET_ZOFF]:net[l, NET_ZOFF] + n_out]
    al = a[net[l, NET_AOUT]:net[l, NET_AOUT] + n_out]
    activate_outputs(actc, zl, al, n_out)
    # isfinite() is always true under fastmath (no NaN/inf assumed): test the exponent bits.
    bits = al.view(np.uint32)
    ok = True
    for c in range(n_out):
        if (bits[c] & np.uint32(0x7F800000)) == np.uint32(0x7F800000):
            ok = False
    return ok


@njit(**JIT)
def forward_row(x, net, dr, drop, w, b, a, z, keep, nz, nnz, u, training, sample):
    """Full forward pass of one row (training: with the dropout masks of sample number ``sample``
    under ``dr``; ``u``: scratch for the hidden draws, as long as the widest hidden layer);
    returns False on a non-finite output."""
    fill_input(x, net, dr, drop, a, keep, nz, nnz, training, sample)
    n_layers = net.shape[0]
    if training and n_layers > 1:
        widest = 0
        for l in range(n_layers - 1):
            if dr.thr[l + 1] > 0 and net[l, NET_NOUT] > widest:
                widest = net[l, NET_NOUT]
        for j in range(widest):
            u[j] = np.float32(draw16(dr.key_hid, sample, j))
    for l in range(n_layers):
        hidden = l < n_layers - 1
        if hidden:
            draw_keep(net, l, dr.thr, keep, u, training)
        affine(net, l, w, b, a, z, keep, nz, nnz, training and hidden)
        if hidden:
            activate_hidden(net, l, drop, a, z, keep, nz, nnz, training)
    return activate_output(net, a, z)
