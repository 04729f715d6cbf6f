"""Key references as H2O-3 writes them: {name, type, URL}, the URL pointing at the resource."""
from __future__ import annotations

from h2o_backend.server.schema import meta

_KINDS = {
    "Key<Job>": ("JobKeyV3", "/3/Jobs/"),
    "Key<Frame>": ("FrameKeyV3", "/3/Frames/"),
    "Key<Model>": ("ModelKeyV3", "/3/Models/"),
    "Key<Grid>": ("GridKeyV3", "/99/Grids/"),
}


def typed_key(name: str | None, type_: str) -> dict | None:
    if name is None:
        return None
    schema, url = _KINDS.get(type_, ("KeyV3", None))
    return {"__meta": meta(schema, type_), "name": name, "type": type_,
            "URL": url + name if url else None}


def frame_key(name: str | None) -> dict | None:
    return typed_key(name, "Key<Frame>")
