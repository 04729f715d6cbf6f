"""What H2O-3 records with every metrics object about how it was made: when it was scored
(``scoring_time``, ms since the epoch), of which model (``model_checksum``: a digest of the
trained weights, biases and effective parameters) and on which data (``frame_checksum``)."""
from __future__ import annotations

import dataclasses
import hashlib
import time

from h2o_backend.frames.checksum import digest_int64, frame_checksum


def now_ms() -> int:
    return int(time.time() * 1000)


def model_checksum(model) -> int:
    h = hashlib.blake2b(digest_size=16)
    h.update(model.model_id.encode())
    h.update(repr(sorted(dataclasses.asdict(model.params).items())).encode())
    h.update(model.model_info.w.view("uint8"))
    h.update(model.model_info.b.view("uint8"))
    return digest_int64(h)


def stamp(metrics: dict | None, model, frame, checksum: int | None = None) -> dict | None:
    """Add the provenance fields to ``metrics`` (in place; ``scoring_time`` kept when set)."""
    if metrics is None:
        return None
    metrics.setdefault("scoring_time", now_ms())
    metrics["model_checksum"] = model_checksum(model) if checksum is None else checksum
    metrics["frame_checksum"] = frame_checksum(frame) if frame is not None else 0
    return metrics
