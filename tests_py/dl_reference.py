"""A plain NumPy (float64) network: forward, loss, backward and the per-row update rules.

The engine's numba kernels are tested against it; it follows the same conventions (signals are
"target minus output", Maxout pieces ordered (unit, piece), dropout masks per unit layer).
"""
from __future__ import annotations

import numpy as np

from h2o_backend.engine import activations as act


def params_of(mi):
    """(weights [cols, n_in], biases) per layer as float64 copies."""
    return ([mi.weights(l).astype(np.float64) for l in range(mi.n_layers)],
            [mi.biases(l).astype(np.float64) for l in range(mi.n_layers)])


def forward(Ws, bs, acts, x, keeps=None, scale=None):
    """Unit activations ``a`` (list per unit layer) and pre-activations ``z`` (per weight layer).

    ``keeps``: dropout masks per unit layer (training); ``scale``: per unit layer factors
    (scoring: 1 - ratio)."""
    L = len(Ws)
    a = [np.asarray(x, np.float64) * (keeps[0] if keeps is not None else 1.0)
         * (scale[0] if scale is not None else 1.0)]
    zs = []
    for l in range(L):
        z = Ws[l] @ a[-1] + bs[l]
        zs.append(z)
        h = act.np_activate(acts[l], z)
        if l < L - 1:
            if keeps is not None:
                h = h * keeps[l + 1]
            if scale is not None:
                h = h * scale[l + 1]
        a.append(h)
    return a, zs


def loss(mode, out_act, y_out, target, x):
    """Loss of one row: CrossEntropy, 1/2 squared error (regression, autoencoder)."""
    if mode == act.OUT_SOFTMAX_CE:
        return -np.log(y_out[target])
    if mode == act.OUT_REGRESSION:
        return 0.5 * (target - y_out[0]) ** 2
    if mode == act.OUT_AUTOENCODER:
        return 0.5 * np.sum((np.asarray(x, np.float64) - y_out) ** 2)
    raise ValueError(mode)


def output_signal(mode, out_act, y_out, target, x):
    if mode in (act.OUT_SOFTMAX_CE, act.OUT_SOFTMAX_MSE):
        t = np.zeros_like(y_out)
        t[target] = 1.0
        if mode == act.OUT_SOFTMAX_CE:
            return t - y_out
        return (t - y_out) * (1 - y_out) * y_out
    if mode == act.OUT_REGRESSION:
        return np.array([target - y_out[0]])
    return (np.asarray(x, np.float64) - y_out) * act.np_derivative(out_act, y_out)


def backward(Ws, acts, a, zs, g_out, keeps=None):
    """Signals per weight layer (negative gradients w.r.t. the columns' pre-activations)."""
    L = len(Ws)
    gs = [None] * L
    gs[-1] = g_out
    for l in range(L - 1, 0, -1):
        e = Ws[l].T @ gs[l]
        code = acts[l - 1]
        kept = keeps[l] if keeps is not None else np.ones_like(e)
        if code == act.ACT_MAXOUT:
            z = zs[l - 1].reshape(-1, 2)
            win0 = z[:, 0] >= z[:, 1]
            g = np.zeros(z.shape)
            g[:, 0] = np.where(win0, e * kept, 0)
            g[:, 1] = np.where(win0, 0, e * kept)
            gs[l - 1] = g.ravel()
        else:
            gs[l - 1] = e * act.np_derivative(code, a[l]) * kept
    return gs


def update(Ws, bs, a, gs, *, optimizer, fast_mode, rho=0.99, eps=1e-8, rates=None, m=0.0,
           nesterov=True, l1=0.0, l2=0.0, max_w2=np.inf, state=None):
    """Apply one row's updates (in place on float64 copies). ``state``: per layer dict of
    optimizer arrays (eg, edx, egb, edxb, mw, mb), created when None. Returns the state."""
    L = len(Ws)
    if state is None:
        state = [{k: np.zeros_like(Ws[l] if k in ("eg", "edx", "mw") else bs[l])
                  for k in ("eg", "edx", "egb", "edxb", "mw", "mb")} for l in range(L)]
    plain = optimizer == "sgd" and l1 == 0 and l2 == 0
    all_active = not (fast_mode or plain)
    for l in range(L):
        W, b, g, x, s = Ws[l], bs[l], gs[l], a[l], state[l]
        n_in = W.shape[1]
        act_c = np.ones(W.shape[0], bool) if all_active else (g != 0)
        use_i = np.ones(n_in, bool) if not fast_mode else (x != 0)
        mask = act_c[:, None] & use_i[None, :]
        grad = g[:, None] * x[None, :] - l1 * np.sign(W) - l2 * W
        r = 0.0 if rates is None else rates[l]
        acc = np.where(use_i[None, :], grad * grad, 0).sum(axis=1)
        if optimizer == "adadelta":
            eg = rho * s["eg"] + (1 - rho) * grad ** 2
            eta = np.sqrt((s["edx"] + eps) / (eg + eps))
            edx = rho * s["edx"] + (1 - rho) * eta ** 2 * grad ** 2
            s["eg"] = np.where(mask, eg, s["eg"])
            s["edx"] = np.where(mask, edx, s["edx"])
            Wn = np.where(mask, W + eta * grad, W)
        elif optimizer == "sgd":
            Wn = np.where(mask, W + r * grad, W)
        elif nesterov:
            v = m * s["mw"] + grad
            Wn = np.where(mask, W + r * v, W)
            s["mw"] = np.where(mask, v, s["mw"])
        else:
            d = r * grad
            Wn = np.where(mask, W + d + m * s["mw"], W)
            s["mw"] = np.where(mask, d, s["mw"])
        gb = g - l1 * np.sign(b) - l2 * b
        if optimizer == "adadelta":
            g2 = acc / n_in
            egb = rho * s["egb"] + (1 - rho) * g2
            eta = np.sqrt((s["edxb"] + eps) / (egb + eps))
            edxb = rho * s["edxb"] + (1 - rho) * eta ** 2 * g2
            bn = b + eta * gb
            s["egb"] = np.where(act_c, egb, s["egb"])
            s["edxb"] = np.where(act_c, edxb, s["edxb"])
        elif optimizer == "sgd":
            bn = b + r * gb
        elif nesterov:
            v = m * s["mb"] + gb
            bn = b + r * v
            s["mb"] = np.where(act_c, v, s["mb"])
        else:
            d = r * gb
            bn = b + d + m * s["mb"]
            s["mb"] = np.where(act_c, d, s["mb"])
        b[:] = np.where(act_c, bn, b)
        if np.isfinite(max_w2):
            sq = (Wn * Wn).sum(axis=1)
            scale = np.where(act_c & (sq > max_w2), np.sqrt(max_w2 / np.maximum(sq, 1e-300)), 1.0)
            Wn = Wn * scale[:, None]
        W[:] = Wn
    return state


def finite_difference(f, arrays, h=1e-6):
    """Central-difference gradients of the scalar ``f()`` with respect to every element of each
    array in ``arrays`` (changed in place and put back)."""
    grads = []
    for arr in arrays:
        g = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + h
            up = f()
            arr[idx] = old - h
            down = f()
            arr[idx] = old
            g[idx] = (up - down) / (2 * h)
        grads.append(g)
    return grads


def deviance(dist, y, f, power=1.5, q_alpha=0.5, delta=1.0):
    """H2O-3's deviance of one row (hex/DistributionFactory.java) at link-space value ``f``, in float64."""
    if dist == "gaussian":
        return (y - f) ** 2
    if dist == "poisson":
        mu = np.exp(f)
        return 2 * ((y * np.log(y / mu) if y > 0 else 0.0) - y + mu)
    if dist == "gamma":
        mu = np.exp(f)
        return 2 * (np.log(mu / y) + y / mu - 1)
    if dist == "tweedie":
        p = power
        return 2 * (y ** (2 - p) / ((1 - p) * (2 - p)) - y * np.exp(f * (1 - p)) / (1 - p)
                    + np.exp(f * (2 - p)) / (2 - p))
    if dist == "laplace":
        return abs(y - f)
    if dist == "quantile":
        return q_alpha * (y - f) if y > f else (1 - q_alpha) * (f - y)
    if dist == "huber":
        r = abs(y - f)
        return r * r if r <= delta else (2 * r - delta) * delta
    raise ValueError(dist)
