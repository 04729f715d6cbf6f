"""Per-thread scratch buffers for the kernels, allocated once per training run."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from h2o_backend.engine.kernels.layout import sizes
from h2o_backend.engine.kernels.structs import RowWork


def _padded(n: int) -> int:
    """Row length rounded up to whole 64-byte lines, so threads never share a cache line."""
    return (int(n) + 15) // 16 * 16 + 16


@dataclass
class Workspace:
    """[T, size] buffers: activations, pre-activations, signals, errors, dropout masks, live lists."""
    A: np.ndarray
    Z: np.ndarray
    G: np.ndarray
    E: np.ndarray
    KEEP: np.ndarray
    NZ: np.ndarray
    NNZ: np.ndarray
    ACC: np.ndarray
    SQ: np.ndarray
    U: np.ndarray
    status: np.ndarray

    @classmethod
    def allocate(cls, net: np.ndarray, n_threads: int) -> "Workspace":
        sz = {k: _padded(v) for k, v in sizes(net).items()}
        T = int(n_threads)
        f32 = np.float32
        return cls(A=np.zeros((T, sz["n_units"]), f32), Z=np.zeros((T, sz["n_cols"]), f32),
                   G=np.zeros((T, sz["n_cols"]), f32), E=np.zeros((T, sz["n_units"]), f32),
                   KEEP=np.ones((T, sz["n_units"]), f32), NZ=np.zeros((T, sz["n_units"]), np.int32),
                   NNZ=np.zeros((T, _padded(net.shape[0] + 1)), np.int64),
                   ACC=np.zeros((T, sz["max_cols"]), f32), SQ=np.zeros((T, sz["max_cols"]), f32),
                   U=np.zeros((T, sz["max_units"]), f32), status=np.zeros(T, np.int64))

    @property
    def n_threads(self) -> int:
        return self.A.shape[0]

    def struct(self) -> RowWork:
        """The buffers as the kernels take them (structs.RowWork)."""
        return RowWork(A=self.A, Z=self.Z, G=self.G, E=self.E, KEEP=self.KEEP, NZ=self.NZ, NNZ=self.NNZ,
                       ACC=self.ACC, SQ=self.SQ, U=self.U, status=self.status)
