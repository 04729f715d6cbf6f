"""Frames as H2O-3 JSON: FrameV3 (a window of rows and columns, with statistics), and the
FrameSynopsisV3 entries of the frame list. Reusable by every handler that answers frames."""
from __future__ import annotations

import math

import numpy as np

from h2o_backend.frames import summary as stats
from h2o_backend.frames.frame import Column, Frame, RawFile
from h2o_backend.server.keys import frame_key
from h2o_backend.server.schema import meta

DEFAULT_ROW_COUNT = 100


def _number(value: float | None) -> float | None:
    """JSON has no NaN/Infinity: non-finite statistics travel as null."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def column_values(column: Column, start: int, stop: int) -> tuple[list | None, list | None]:
    """(data, string_data) for rows [start, stop): numbers with null for NaN, enum codes with
    null for missing, strings with null for missing."""
    window = column.data[start:stop]
    if column.type == "string":
        return None, [None if v is None else str(v) for v in window]
    if column.type == "enum":
        return [None if c < 0 else int(c) for c in window.tolist()], None
    values = window.astype(object)
    values[~np.isfinite(window)] = None
    if column.type in ("int", "time"):
        return [None if v is None else (int(v) if abs(v) < 2 ** 63 else v) for v in values], None
    return values.tolist(), None


def column_json(column: Column, start: int, stop: int, with_summary: bool, held=None) -> dict:
    """One column as ColV3: values of the window, rollups, and the summary when asked. ``held``:
    the ClusterColumn whose statistics to show (``column`` then holds the window's rows only)."""
    roll = held.rollups if held is not None else stats.rollups(column)
    data, string_data = column_values(column, start, stop)
    out = {
        "__meta": meta("ColV3", "Vec"),
        "label": column.name,
        "type": column.type,
        "missing_count": roll.missing_count,
        "zero_count": roll.zero_count,
        "positive_infinity_count": roll.positive_infinity_count,
        "negative_infinity_count": roll.negative_infinity_count,
        "mins": roll.mins,
        "maxs": roll.maxs,
        "mean": _number(roll.mean),
        "sigma": _number(roll.sigma),
        "domain": list(column.domain) if column.type == "enum" else None,
        "domain_cardinality": len(column.domain or []) if column.type == "enum" else 0,
        "data": data,
        "string_data": string_data,
        "precision": -1,
        "histogram_bins": None,
        "histogram_base": 0.0,
        "histogram_stride": 0.0,
        "percentiles": None,
    }
    if with_summary:
        _add_summary(out, held.summary if held is not None else stats.summary(column))
    return out


def _add_summary(out: dict, full: stats.Summary) -> None:
    out["histogram_bins"] = full.histogram_bins
    out["histogram_base"] = _number(full.histogram_base) or 0.0
    out["histogram_stride"] = _number(full.histogram_stride) or 0.0
    out["percentiles"] = full.percentiles


def _window(total: int, offset: int, count: int) -> tuple[int, int]:
    start = min(max(0, offset), total)
    stop = total if count < 0 else min(total, start + count)
    return start, stop


def frame_to_json(frame: Frame, *, row_offset: int = 0, row_count: int = DEFAULT_ROW_COUNT,
                  column_offset: int = 0, column_count: int = -1, data_columns: int = -1,
                  with_summary: bool = False, rows_of=None) -> dict:
    """A frame as H2O-3's FrameV3: rows [row_offset, +row_count) of columns
    [column_offset, +column_count), -1 meaning all; only the first `data_columns` of those
    (H2O-3's full_column_count, -1 all) carry their values. A frame held by the cluster's
    workers needs ``rows_of(frame, start, stop)``: that window as a Frame in memory."""
    r0, r1 = _window(frame.nrows, row_offset, row_count)
    held = getattr(frame, "held_on_cluster", False)
    shown, base = (rows_of(frame, r0, r1), r0) if held else (frame, 0)
    c0, c1 = _window(frame.ncols, column_offset, column_count)
    d1 = c1 if data_columns < 0 else min(c1, c0 + data_columns)
    return {
        "__meta": meta("FrameV3", "Frame"),
        "frame_id": frame_key(frame.key),
        "byte_size": frame.byte_size,
        "is_text": False,
        "row_offset": r0,
        "row_count": r1 - r0,
        "column_offset": c0,
        "column_count": c1 - c0,
        "full_column_count": frame.ncols,
        "total_column_count": frame.ncols,
        "rows": frame.nrows,
        "num_columns": frame.ncols,
        "default_percentiles": list(stats.PERCENTILES),
        "columns": [column_json(shown.columns[i], r0 - base, (r1 if i < d1 else r0) - base, with_summary,
                                frame.columns[i] if held else None)
                    for i in range(c0, c1)],
        "compatible_models": None,
    }


def frames_response(frames: list[dict]) -> dict:
    """The FramesV3 envelope around one or more FrameV3 objects."""
    return {"__meta": meta("FramesV3", "Frames"), "frames": frames}


def synopsis(value: Frame | RawFile) -> dict:
    """One entry of GET /3/Frames (FrameSynopsisV3); a raw file is a one-column text frame."""
    if isinstance(value, RawFile):
        rows, cols, size, is_text = value.size, 1, value.size, True
    else:
        rows, cols, size, is_text = value.nrows, value.ncols, value.byte_size, False
    return {"__meta": meta("FrameSynopsisV3"), "frame_id": frame_key(value.key),
            "byte_size": size, "is_text": is_text, "rows": rows, "columns": cols}
