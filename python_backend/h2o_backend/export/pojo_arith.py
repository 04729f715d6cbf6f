"""The server's float32 arithmetic, as the POJO must reproduce it to give the same predictions.

The scoring kernel (engine/kernels/forward.py, predict.py) is compiled by numba with fastmath
for the host CPU. Two consequences matter for bit-for-bit agreement, and both depend on the CPU,
so they are measured here on the real kernel rather than assumed:

1. Multiply-adds are contracted into FMA instructions (one rounding) where the CPU has them.
2. A unit-major layer's dot product ``s += w[i] * a[i]`` is a reduction that LLVM vectorises:
   ``VF`` lanes times ``UF`` interleaved accumulators over blocks of ``VF * UF`` inputs, the
   accumulators added pairwise, the lanes added as a tree of halves, then an epilogue of ``EVF``
   lanes (seeded with the sum so far in lane 0) and a scalar remainder. ``ReduceOrder`` holds those
   three numbers; the generated Java class follows the same order (on an AVX-512 host:
   VF 16, UF 4, EVF 8).

An input-major layer (``z[c] += a[i] * w[i, c]`` over the live inputs) has no reduction across
lanes: its order is the input order on every CPU.
"""
from __future__ import annotations

import decimal
import functools
import logging
import struct
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

_F32 = np.float32
_PROBE_SIZES = list(range(1, 161)) + [191, 255, 256, 300, 511, 717, 784, 1000]


@dataclass(frozen=True)
class ReduceOrder:
    """How LLVM vectorised one float32 reduction loop (see the module docstring)."""
    vf: int = 1      # lanes of the main vector loop (1 = plain sequential sum)
    uf: int = 1      # interleaved accumulators of the main loop
    evf: int = 0     # lanes of the vector epilogue (0 = none)
    exact: bool = True   # False when no candidate reproduced the kernel (sequential fallback)


def _madd(a, b, c, fma: bool):
    """float32 a*b + c, fused (one rounding, via float64: the product is exact there) or not."""
    if fma:
        return (a.astype(np.float64) * b + c).astype(_F32)
    return (a * b).astype(_F32) + c


def _lanes(v: np.ndarray) -> np.float32:
    while v.size > 1:
        h = v.size // 2
        v = (v[:h] + v[h:]).astype(_F32)
    return _F32(v[0])


def _reduce(n: int, step, order: ReduceOrder) -> np.float32:
    """A float32 reduction over ``n`` terms in ``order``; ``step(lo, hi, acc)`` folds terms
    lo..hi-1 into the accumulator vector ``acc`` (one lane per term)."""
    i, s = 0, _F32(0.0)
    blk = order.vf * order.uf
    if order.vf > 1 and n >= blk:
        acc = np.zeros(blk, _F32)
        end = n - n % blk
        for base in range(0, end, blk):
            acc = step(base, base + blk, acc)
        parts = acc.reshape(order.uf, order.vf)
        while parts.shape[0] > 1:
            parts = (parts[0::2] + parts[1::2]).astype(_F32)
        s, i = _lanes(parts[0]), end
    if order.evf > 1 and n - i >= order.evf:
        acc = np.zeros(order.evf, _F32)
        acc[0] = s
        end = n - (n - i) % order.evf
        for base in range(i, end, order.evf):
            acc = step(base, base + order.evf, acc)
        s, i = _lanes(acc), end
    for k in range(i, n):
        s = step(k, k + 1, np.array([s], _F32))[0]
    return _F32(s)


def emulate_dot(w: np.ndarray, a: np.ndarray, order: ReduceOrder, fma: bool) -> np.float32:
    """The kernel's float32 dot product of ``w`` and ``a`` (a unit-major column)."""
    return _reduce(w.size, lambda lo, hi, acc: _madd(w[lo:hi], a[lo:hi], acc, fma), order)


def emulate_sum(v: np.ndarray, order: ReduceOrder) -> np.float32:
    """The kernel's float32 sum of ``v`` (the softmax denominator)."""
    return _reduce(v.size, lambda lo, hi, acc: (acc + v[lo:hi]).astype(_F32), order)


def _candidates() -> list[ReduceOrder]:
    out = [ReduceOrder()]
    for vf in (2, 4, 8, 16, 32):
        for uf in (1, 2, 4, 8):
            for evf in (0, 2, 4, 8, 16):
                if evf < vf:
                    out.append(ReduceOrder(vf, uf, evf))
    return out


def _kernel_layer(X: np.ndarray, w: np.ndarray, b: np.ndarray, major: int, softmax: bool = False) -> np.ndarray:
    """One linear (or softmax) layer scored the way models are scored (``sgd.forward``, so the
    same compiled specialisation of the kernel): X [n, n_in] -> [n, cols]."""
    from h2o_backend.engine.activations import ACT_LINEAR, ACT_SOFTMAX
    from h2o_backend.engine.model_info import ModelInfo
    from h2o_backend.engine.sgd import forward
    out_act = ACT_SOFTMAX if softmax else ACT_LINEAR
    mi = ModelInfo.create([X.shape[1], b.size], out_act, out_act, optimizer="sgd", majors=[major])
    mi.w[:] = np.ascontiguousarray(w, _F32).ravel()
    mi.b[:] = np.ascontiguousarray(b, _F32)
    return forward(mi, np.ascontiguousarray(X, _F32), np.zeros(2, np.float32))[0]


@functools.lru_cache(maxsize=1)
def server_fuses_multiply_add() -> bool:
    """Whether the kernel rounds ``z + a*w`` once: a = w = 1 + 2^-12, z = -1, whose exact result
    1 + 2^-11 + 2^-24 - 1 loses its last bit when the product is rounded first; 37 columns so the
    vectorised loop and its remainder are both checked."""
    v = _F32(1.0 + 2.0 ** -12)
    cols = 37
    out = _kernel_layer(np.full((1, 1), v), np.full(cols, v), np.full(cols, -1.0, _F32), major=0)
    if np.all(out == _F32(2.0 ** -11 + 2.0 ** -24)):
        return True
    if np.all(out == _F32(2.0 ** -11)):
        return False
    raise RuntimeError(f"the scoring kernel mixes fused and unfused multiply-adds: {out.ravel().tolist()}")


def _identify(cases, emulate, what: str) -> ReduceOrder:
    """The candidate order that reproduces the kernel on ``cases`` [(inputs, kernel result)].

    The kernel may fall back to its sequential loop at run time (LLVM adds an aliasing check
    between the arrays a vectorised loop reads and writes, which depends on where the workspace
    buffers happen to lie), so a case that the sequential order explains does not rule a
    candidate out; the winner is the candidate that explains every case and most cases that
    only it (not the sequential order) explains."""
    seq = ReduceOrder()
    best, best_own = seq, 0
    seq_ok = [np.array_equal(emulate(x, seq), got) for x, got in cases]
    for cand in _candidates()[1:]:
        own = 0
        for (x, got), ok in zip(cases, seq_ok):
            if np.array_equal(emulate(x, cand), got):
                own += 0 if ok else 1
            elif not ok:
                break
        else:
            if own > best_own:
                best, best_own = cand, own
    if not all(seq_ok) and best_own == 0:
        log.warning("POJO: no known summation order reproduces the scoring kernel's %s; "
                    "the POJO will agree up to float rounding only", what)
        return ReduceOrder(exact=False)
    return best


@functools.lru_cache(maxsize=1)
def server_dot_order() -> ReduceOrder:
    """The summation order of a unit-major layer's dot products in the scoring kernel, found by
    checking every candidate against the kernel on random vectors of many lengths (1..160 and
    some long ones; values spread over 16 binary orders of magnitude so any change of order
    shows)."""
    fma = server_fuses_multiply_add()
    rng = np.random.default_rng(20240607)
    cases = []
    for n in _PROBE_SIZES:
        w = (rng.standard_normal(n) * np.exp2(rng.integers(-8, 8, n))).astype(_F32)
        a = rng.standard_normal(n).astype(_F32)
        cases.append(((w, a), _kernel_layer(a.reshape(1, n), w, np.zeros(1, _F32), major=1)[0, 0]))
    return _identify(cases, lambda wa, o: emulate_dot(wa[0], wa[1], o, fma), "dot products")


# ------------------------------------------------------------------ exp
# glibc's expf (since 2.27; from Arm's optimized-routines): x * 32/ln2 = k + r, 2^(k/32) from a
# 32-entry table, 2^(r/32) from a cubic, all in double, rounded to float once. The kernel calls
# the C library's expf; where that is this algorithm (checked by server_expf_is_glibc) the POJO
# evaluates it the same way, so exp agrees bit for bit.
EXPF_N = 32
EXPF_INVLN2N = float.fromhex("0x1.71547652b82fep+0") * EXPF_N
EXPF_SHIFT = float.fromhex("0x1.8p+52")
EXPF_POLY = (float.fromhex("0x1.c6af84b912394p-5") / EXPF_N ** 3, float.fromhex("0x1.ebfce50fac4f3p-3") / EXPF_N ** 2,
             float.fromhex("0x1.62e42ff0c52d6p-1") / EXPF_N)


def _exp2f_table() -> list[int]:
    """T[i] = bits of 2^(i/32) (correctly rounded double) minus i << 47."""
    ctx = decimal.Context(prec=60)
    ln2 = ctx.ln(decimal.Decimal(2))
    out = []
    for i in range(EXPF_N):
        v = float(ctx.exp(ctx.multiply(ctx.divide(decimal.Decimal(i), EXPF_N), ln2)))
        out.append(struct.unpack("<Q", struct.pack("<d", v))[0] - (i << 47))
    return out


EXP2F_T = _exp2f_table()


def glibc_expf(x: np.ndarray) -> np.ndarray:
    """glibc's expf on a float32 array (what the POJO computes when EXPF_GLIBC)."""
    x = np.asarray(x, _F32)
    xd = x.astype(np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        z = EXPF_INVLN2N * xd
        kd = z + EXPF_SHIFT
        ki = kd.view(np.uint64)
        kd = kd - EXPF_SHIFT
        r = z - kd
        table = np.array(EXP2F_T, np.uint64)
        s = (table[(ki & np.uint64(31)).astype(np.int64)] + (ki << np.uint64(47))).view(np.float64)
        c0, c1, c2 = EXPF_POLY
        y = (c0 * r + c1) * (r * r) + (c2 * r + 1.0)
        out = (y * s).astype(_F32)
    bits = x.view(np.uint32)
    big = ((bits >> 20) & 0x7FF) >= 0x42B
    if big.any():
        out[big & (x > float.fromhex("0x1.62e42ep6"))] = np.inf
        out[big & (x < float.fromhex("-0x1.9fe368p6"))] = 0.0
        out[big & ~np.isfinite(x)] = np.where(np.isnan(x), x, np.where(x > 0, np.inf, 0.0))[big & ~np.isfinite(x)]
    return out


@functools.lru_cache(maxsize=1)
def server_expf_is_glibc() -> bool:
    """Whether the exp the kernel calls (the C library's expf, through numba) equals
    ``glibc_expf`` on 2 million floats spread over the whole range where exp is finite."""
    import numba

    @numba.njit(fastmath=True, cache=False)
    def kernel_exp(x, out):
        for i in range(x.size):
            out[i] = np.exp(x[i])

    rng = np.random.default_rng(20240609)
    x = np.concatenate([rng.uniform(-104.0, 89.0, 1_000_000), rng.uniform(-1.0, 1.0, 500_000),
                        rng.standard_normal(500_000) * 1e-3, [0.0, -0.0, 1e-30, -1e-30]]).astype(_F32)
    out = np.empty_like(x)
    kernel_exp(x, out)
    same = np.array_equal(out.view(np.uint32), glibc_expf(x).view(np.uint32))
    if not same:
        log.warning("POJO: the C library's expf is not glibc's algorithm; exp will agree up to its last bit only")
    return same


def expf(x) -> np.float32:
    return glibc_expf(np.array([x], _F32))[0]


def emulate_softmax(z: np.ndarray, order: ReduceOrder) -> np.ndarray:
    """The kernel's softmax of float32 logits ``z``: exp(z - max), summed in ``order``, times 1/sum."""
    mx = z.max()
    e = np.array([expf(v - mx) for v in z], _F32)
    inv = _F32(1.0) / emulate_sum(e, order)
    return (e * inv).astype(_F32)


@functools.lru_cache(maxsize=1)
def server_softmax_order() -> ReduceOrder:
    """The summation order of the softmax denominator, found like ``server_dot_order`` on logits
    of 2..300 classes (fed as the biases of a layer whose one input is 0)."""
    rng = np.random.default_rng(20240608)
    cases = []
    for k in [n for n in _PROBE_SIZES if 2 <= n <= 300]:
        z = (rng.standard_normal(k) * 4).astype(_F32)
        cases.append((z, _kernel_layer(np.zeros((1, 1), _F32), np.ones(k, _F32), z, major=0, softmax=True)[0]))
    return _identify(cases, emulate_softmax, "softmax")
