"""H2O-3's MissingInserter: each cell of a frame independently replaced by a missing value
with probability `fraction`."""
from __future__ import annotations

import numpy as np

from h2o_backend.frames.frame import Column, Frame


def insert_missing(frame: Frame, fraction: float, seed: int | None) -> Frame:
    """A new frame under the same key; unchanged columns share their arrays."""
    rng = np.random.default_rng(seed)
    columns = []
    for column in frame.columns:
        hit = rng.random(frame.nrows) < fraction
        if not hit.any():
            columns.append(column)
            continue
        data = column.data.copy()
        if column.is_enum:
            data[hit] = -1
        elif column.type == "string":
            data[hit] = None
        else:
            data[hit] = np.nan
        columns.append(Column(column.name, column.type, data, column.domain))
    return Frame(frame.key, columns)
