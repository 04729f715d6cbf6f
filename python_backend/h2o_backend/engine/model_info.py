"""ModelInfo: the saved state of a network (H2O's DeepLearningModelInfo), nothing else.

Per weight layer: weights, biases and the optimizer's per-weight state (ADADELTA accumulators
E[g^2], E[dx^2], or momenta), plus the sample counters; with block momentum (multi-node
averaging, cluster/averaging.py) also the block update of weights and biases (empty otherwise).
All arrays are flat float32 buffers shared by the HOGWILD! threads; ``weights(l)`` /
``biases(l)`` are views in H2O's shape [units_out(*pieces), units_in]. The kernels' storage is input-major (see kernels/layout.py).

Initialisation (legacy_h2o.md §3.3 item 5): layer ``l`` draws from an RNG seeded with
``seed + 0xBAD5EED + l + 1``; UniformAdaptive U(-r, r), r = sqrt(6/(units_in + units_out)), x4 for
a classifier's output layer; Uniform U(-scale, scale); Normal N(0, scale^2). Hidden biases 0.5 / 1.0
for Rectifier and Maxout (first / later hidden layers), 0 for Tanh; output biases 0.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from h2o_backend.engine import activations as act
from h2o_backend.engine.kernels.layout import (MAJOR_INPUT, MAJOR_UNIT, NET_BOFF, NET_COLS, NET_NIN, NET_WOFF,
                                               build_net_table, sizes)

OPTIMIZERS = ("adadelta", "momentum", "sgd")


def optimizer_for(params) -> str:
    """The optimizer a model trains with, derived once from its (effective) parameters, as H2O's
    ModelInfo (``adaDelta()`` / ``has_momenta()``): ADADELTA with ``adaptive_rate``; else
    momentum when ``momentum_start`` or ``momentum_stable`` is non-zero; else plain SGD."""
    if params.adaptive_rate:
        return "adadelta"
    return "momentum" if (params.momentum_start != 0 or params.momentum_stable != 0) else "sgd"
_STATE_ARRAYS = ("w", "b", "ada_g_w", "ada_dx_w", "ada_g_b", "ada_dx_b", "mom_w", "mom_b", "block_w", "block_b")
_EMPTY = np.zeros(0, dtype=np.float32)


def _empty() -> np.ndarray:
    return _EMPTY.copy()


@dataclass
class ModelInfo:
    units: list[int]                      # input, hidden..., output
    hidden_act: int                       # activation code of the hidden layers
    output_act: int                       # activation code of the output layer
    optimizer: str                        # "adadelta" | "momentum" | "sgd"
    majors: list[int] = field(default_factory=list)   # storage order per weight layer
    w: np.ndarray = field(default_factory=_empty)
    b: np.ndarray = field(default_factory=_empty)
    ada_g_w: np.ndarray = field(default_factory=_empty)
    ada_dx_w: np.ndarray = field(default_factory=_empty)
    ada_g_b: np.ndarray = field(default_factory=_empty)
    ada_dx_b: np.ndarray = field(default_factory=_empty)
    mom_w: np.ndarray = field(default_factory=_empty)
    mom_b: np.ndarray = field(default_factory=_empty)
    block_w: np.ndarray = field(default_factory=_empty)    # block momentum's Delta of w (or empty)
    block_b: np.ndarray = field(default_factory=_empty)    # ... and of b
    processed: int = 0                    # training samples processed (all iterations, all threads)
    epoch_counter: float = 0.0            # processed / training rows
    unstable: bool = False

    # ------------------------------------------------------------------ layout
    @property
    def n_layers(self) -> int:
        """Number of weight layers (hidden layers + 1)."""
        return len(self.units) - 1

    @property
    def pieces(self) -> list[int]:
        k = act.pieces(self.hidden_act)
        return [k] * (self.n_layers - 1) + [1]

    @property
    def acts(self) -> list[int]:
        return [self.hidden_act] * (self.n_layers - 1) + [self.output_act]

    def net_table(self) -> np.ndarray:
        return build_net_table(self.units, self.pieces, self.acts, self.majors or None)

    @property
    def n_params(self) -> int:
        return int(self.w.size + self.b.size)

    def _major(self, l: int) -> int:
        return self.majors[l] if self.majors else MAJOR_INPUT

    def w_matrix(self, l: int, arr: np.ndarray | None = None) -> np.ndarray:
        """Stored weights of layer ``l`` (or the same slice of an optimizer array ``arr``): a
        writable view, [units_in, cols] input-major or [cols, units_in] unit-major."""
        row = self.net_table()[l]
        n = row[NET_NIN] * row[NET_COLS]
        flat = (self.w if arr is None else arr)[row[NET_WOFF]:row[NET_WOFF] + n]
        if self._major(l) == MAJOR_UNIT:
            return flat.reshape(row[NET_COLS], row[NET_NIN])
        return flat.reshape(row[NET_NIN], row[NET_COLS])

    def weights(self, l: int) -> np.ndarray:
        """Weights of layer ``l`` in H2O's shape [cols, units_in] (a view)."""
        m = self.w_matrix(l)
        return m if self._major(l) == MAJOR_UNIT else m.T

    def biases(self, l: int) -> np.ndarray:
        row = self.net_table()[l]
        return self.b[row[NET_BOFF]:row[NET_BOFF] + row[NET_COLS]]

    def unit_weights(self, l: int) -> np.ndarray:
        """[units_out, units_in] magnitudes for variable importance: Maxout pieces averaged in |w|."""
        w = self.weights(l)
        k = self.pieces[l]
        if k == 1:
            return w
        return np.abs(w).reshape(-1, k, w.shape[1]).mean(axis=1)

    # ------------------------------------------------------------------ creation
    @classmethod
    def create(cls, units, hidden_act: int, output_act: int, *, optimizer: str,
               distribution: str = "UniformAdaptive", scale: float = 1.0, seed: int = 0,
               classifier: bool = False, majors=None) -> "ModelInfo":
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}")
        units = [int(u) for u in units]
        majors = [MAJOR_INPUT] * (len(units) - 1) if majors is None else [int(m) for m in majors]
        mi = cls(units=units, hidden_act=int(hidden_act), output_act=int(output_act), optimizer=optimizer,
                 majors=majors)
        net = mi.net_table()
        sz = sizes(net)
        mi.w = np.empty(sz["n_weights"], dtype=np.float32)
        mi.b = np.zeros(sz["n_biases"], dtype=np.float32)
        for l in range(mi.n_layers):
            mi.weights(l)[:] = _init_weights(units, l, net[l], distribution, scale, seed,
                                             classifier and l == mi.n_layers - 1).T
            if l < mi.n_layers - 1:
                mi.biases(l)[:] = act.hidden_bias_init(hidden_act, l)
        mi.allocate_optimizer_state()
        return mi

    def allocate_optimizer_state(self) -> None:
        nw, nb = self.w.size, self.b.size
        if self.optimizer == "adadelta":
            self.ada_g_w, self.ada_dx_w = np.zeros(nw, np.float32), np.zeros(nw, np.float32)
            self.ada_g_b, self.ada_dx_b = np.zeros(nb, np.float32), np.zeros(nb, np.float32)
        elif self.optimizer == "momentum":
            self.mom_w, self.mom_b = np.zeros(nw, np.float32), np.zeros(nb, np.float32)

    # ------------------------------------------------------------------ checks and statistics
    def is_finite(self) -> bool:
        return bool(np.isfinite(self.w).all() and np.isfinite(self.b).all())

    def check_stable(self) -> bool:
        """H2O's instability test: non-finite values, or mean / RMS of weights or biases > 1e10."""
        if not self.is_finite():
            self.unstable = True
            return False
        for l in range(self.n_layers):
            for arr in (self.w_matrix(l), self.biases(l)):
                flat = arr.reshape(-1)           # a view: no copy of a large layer
                mean = float(flat.mean(dtype=np.float64))
                square = float(np.dot(flat, flat)) / max(1, flat.size)   # finite: |w| < 1e19 here
                if abs(mean) > 1e10 or not np.isfinite(square) or np.sqrt(square) > 1e10:
                    self.unstable = True
                    return False
        return True

    def layer_stats(self, l: int) -> dict:
        """Mean and RMS (around the mean) of layer ``l``'s weights and biases, and ADADELTA rates."""
        w = self.w_matrix(l).astype(np.float64)
        b = self.biases(l).astype(np.float64)
        out = {"mean_weight": float(w.mean()), "rms_weight": float(w.std()),
               "mean_bias": float(b.mean()), "rms_bias": float(b.std())}
        if self.optimizer == "adadelta":
            rate = np.sqrt((self.w_matrix(l, self.ada_dx_w).astype(np.float64) + 1e-8)
                           / (self.w_matrix(l, self.ada_g_w).astype(np.float64) + 1e-8))
            out["mean_rate"], out["rms_rate"] = float(rate.mean()), float(rate.std())
        return out

    # ------------------------------------------------------------------ copies and serialisation
    def copy(self) -> "ModelInfo":
        return copy.deepcopy(self)

    def to_dict(self) -> dict:
        d = {"units": list(self.units), "hidden_act": act.CODE_NAMES[self.hidden_act],
             "output_act": act.CODE_NAMES[self.output_act], "optimizer": self.optimizer,
             "processed": int(self.processed), "epoch_counter": float(self.epoch_counter),
             "unstable": bool(self.unstable), "majors": [int(m) for m in self.majors]}
        for name in _STATE_ARRAYS:
            d[name] = getattr(self, name).copy()
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ModelInfo":
        codes = {v: k for k, v in act.CODE_NAMES.items()}
        mi = cls(units=[int(u) for u in d["units"]], hidden_act=codes[d["hidden_act"]],
                 output_act=codes[d["output_act"]], optimizer=d["optimizer"],
                 processed=int(d["processed"]), epoch_counter=float(d["epoch_counter"]),
                 unstable=bool(d.get("unstable", False)), majors=[int(m) for m in d.get("majors", [])])
        for name in _STATE_ARRAYS:
            setattr(mi, name, np.ascontiguousarray(d.get(name, _EMPTY), dtype=np.float32).copy())
        sz = sizes(mi.net_table())
        if mi.w.size != sz["n_weights"] or mi.b.size != sz["n_biases"]:
            raise ValueError("saved weights do not match the saved layer sizes")
        return mi


def _init_weights(units, l, row, distribution, scale, seed, x4) -> np.ndarray:
    """Initial weights of layer ``l`` as [units_in, cols] (the same draws for both orders)."""
    rng = np.random.default_rng((int(seed) + 0xBAD5EED + l + 1) & 0xFFFFFFFFFFFFFFFF)
    shape = (int(row[NET_NIN]), int(row[NET_COLS]))
    if distribution == "UniformAdaptive":
        r = np.sqrt(6.0 / (units[l] + units[l + 1]))
        w = rng.uniform(-r, r, size=shape)
        if x4:
            w *= 4.0
    elif distribution == "Uniform":
        w = rng.uniform(-scale, scale, size=shape)
    elif distribution == "Normal":
        w = rng.normal(0.0, scale, size=shape)
    else:
        raise ValueError(f"unknown initial_weight_distribution {distribution!r}")
    return w.astype(np.float32)
