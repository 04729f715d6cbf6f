"""The network layout table the kernels read: one int64 row per weight layer.

Weight layer ``l`` connects unit layer ``l`` (``n_in`` units) to unit layer ``l+1`` (``n_out``
units). Its ``cols = n_out * k`` columns are linear pieces (``k = 2`` for Maxout, ordered
(unit, piece)). Each layer stores its weights in one of two orders (``NET_MAJOR``):

- input-major (``MAJOR_INPUT``), ``W_l[i, c]`` at ``w[woff + i*cols + c]``: a stored row is what
  one input unit feeds forward, so zero inputs (sparse data, dropped or inactive units) skip whole
  rows and the inner loops of the forward pass, error propagation and update run over contiguous
  columns (masked where a column's signal is 0). Best when most inputs are zero.
- unit-major (``MAJOR_UNIT``, H2O's order), ``W_l[c, i]`` at ``w[woff + c*n_in + i]``: a stored row
  is one column's incoming weights, so dropped units and columns with a zero signal skip whole rows.
  Best for dense inputs (e.g. standardised data, where zeros are rare).

Biases are per column at ``b[boff + c]``.

Workspace offsets: activations of unit layer ``l`` live at ``a[aoff(l) : aoff(l) + units[l]]``
(``ain``/``aout`` columns of the table); pre-activations and error signals of layer ``l``'s
columns at ``z[zoff : zoff + cols]`` and ``g[zoff : zoff + cols]``.
"""
from __future__ import annotations

import numpy as np

NET_NIN, NET_NOUT, NET_K, NET_COLS, NET_WOFF, NET_BOFF, NET_AIN, NET_AOUT, NET_ZOFF, NET_ACT, NET_MAJOR = range(11)
NET_FIELDS = 11
MAJOR_INPUT, MAJOR_UNIT = 0, 1


def build_net_table(units, pieces, acts, majors=None) -> np.ndarray:
    """Layout table [n_layers, NET_FIELDS] for unit counts ``units`` (input, hidden..., output),
    and per weight layer ``pieces``, activation codes ``acts`` and storage orders ``majors``."""
    n_layers = len(units) - 1
    majors = [MAJOR_INPUT] * n_layers if majors is None else list(majors)
    if len(pieces) != n_layers or len(acts) != n_layers or len(majors) != n_layers:
        raise ValueError("pieces, acts and majors need one entry per weight layer")
    net = np.zeros((n_layers, NET_FIELDS), dtype=np.int64)
    woff = boff = zoff = 0
    aoff = np.concatenate([[0], np.cumsum(units)]).astype(np.int64)
    for l in range(n_layers):
        cols = units[l + 1] * pieces[l]
        net[l] = (units[l], units[l + 1], pieces[l], cols, woff, boff, aoff[l], aoff[l + 1], zoff, acts[l],
                  majors[l])
        woff += units[l] * cols
        boff += cols
        zoff += cols
    return net


def sizes(net: np.ndarray) -> dict:
    """Total lengths: weights, biases, columns (z/g), units (a), widest layer."""
    last = net[-1]
    return {
        "n_weights": int(last[NET_WOFF] + last[NET_NIN] * last[NET_COLS]),
        "n_biases": int(last[NET_BOFF] + last[NET_COLS]),
        "n_cols": int(last[NET_ZOFF] + last[NET_COLS]),
        "n_units": int(last[NET_AOUT] + last[NET_NOUT]),
        "max_cols": int(net[:, NET_COLS].max()),
        "max_units": int(max(net[:, NET_NIN].max(), net[:, NET_NOUT].max())),
    }


# ------------------------------------------------------------------ optimizer and status codes
OPTIMIZER_CODES = {"adadelta": 0, "momentum": 1, "sgd": 2}
OPTIM_ADADELTA, OPTIM_MOMENTUM, OPTIM_SGD = 0, 1, 2

# status flags written by the kernels (one int64 per thread)
STATUS_OK, STATUS_UNSTABLE = 0, 1
