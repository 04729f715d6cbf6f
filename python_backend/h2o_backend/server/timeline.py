"""The server's recent events for GET /3/Timeline (H2O-3's TimelineV3 lists a node's last
network events; this server is one process, so its events are the HTTP requests it answered),
kept in a ring buffer of the last EVENTS_KEPT."""
from __future__ import annotations

import collections
import threading
import time

EVENTS_KEPT = 1000


class Timeline:
    def __init__(self, size: int = EVENTS_KEPT):
        self._events: collections.deque = collections.deque(maxlen=size)
        self._lock = threading.Lock()

    def record(self, kind: str, **details) -> None:
        with self._lock:
            self._events.append({"type": kind, "when_ms": int(time.time() * 1000), **details})

    def events(self) -> list[dict]:
        with self._lock:
            return list(self._events)


def install(app, timeline: Timeline) -> None:
    """Record every answered request (method, path, status, milliseconds)."""
    from flask import g, request

    @app.before_request
    def _started():
        g.timeline_start = time.perf_counter()

    @app.after_request
    def _answered(response):
        began = getattr(g, "timeline_start", None)
        if request.path != "/3/Timeline":
            timeline.record("http", method=request.method, path=request.path, status=response.status_code,
                            duration_ms=round((time.perf_counter() - began) * 1000.0, 3) if began else None)
        return response
