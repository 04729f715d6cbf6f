"""Writing a frame as CSV the way H2O-3's DownloadDataset does, with pyarrow's CSV writer.

Header quoted; enum levels and strings quoted; missing values empty; int and time columns as
integers (time in milliseconds since the epoch); reals in the shortest form that reads back
to the same double (so R's read.csv recovers them exactly).
"""
from __future__ import annotations

import io
from typing import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from h2o_backend.frames import Column, Frame

BATCH_ROWS = 65536


def _arrow(column: Column, start: int, stop: int) -> pa.Array:
    data = column.data[start:stop]
    if column.type == "enum":
        codes = pa.array(data, type=pa.int32(), mask=data < 0)
        return pa.DictionaryArray.from_arrays(codes, pa.array(column.domain or [], pa.string()))
    if column.type == "string":
        return pa.array(data, type=pa.string())
    missing = np.isnan(data)
    if column.type in ("int", "time"):
        whole = np.where(missing, 0, data).astype(np.int64)
        return pa.array(whole, mask=missing)
    return pa.array(data, type=pa.float64(), mask=missing)


def _batch(frame: Frame, start: int, stop: int) -> pa.RecordBatch:
    return pa.record_batch([_arrow(c, start, stop) for c in frame.columns], names=frame.names)


def frame_csv_chunks(frame: Frame, batch_rows: int = BATCH_ROWS) -> Iterator[bytes]:
    """The CSV text in pieces of about `batch_rows` rows (header first)."""
    buffer = io.BytesIO()
    schema = _batch(frame, 0, 0).schema
    with pacsv.CSVWriter(buffer, schema, write_options=pacsv.WriteOptions(include_header=True)) as writer:
        yield _drain(buffer)
        for start in range(0, frame.nrows, batch_rows):
            writer.write_batch(_batch(frame, start, min(frame.nrows, start + batch_rows)))
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.BytesIO) -> bytes:
    data = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return data


def write_frame_csv(frame: Frame, path: str) -> None:
    with open(path, "wb") as fh:
        for chunk in frame_csv_chunks(frame):
            fh.write(chunk)
