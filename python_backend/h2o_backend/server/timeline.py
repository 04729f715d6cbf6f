"""GET /3/Timeline: the server's recent events in H2O-3's TimelineV3 shape. H2O-3 lists the
messages its nodes exchanged; this server's only network traffic is the HTTP requests it
answers, so each request is one ``network_msg`` event (TCP, received from the client), the last
``CAPACITY`` of them, oldest first."""
from __future__ import annotations

import collections
import threading
import time

CAPACITY = 1000
EVENT_META = {"schema_version": -1, "schema_name": "NetworkEvent", "schema_type": "Iced"}


class Timeline:
    def __init__(self, capacity: int = CAPACITY):
        self._events = collections.deque(maxlen=capacity)
        self._lock = threading.Lock()

    def record_request(self, method: str, path: str, client: str, server: str) -> None:
        now = time.time()
        event = {"__meta": dict(EVENT_META),
                 "date": time.strftime("%H:%M:%S", time.localtime(now)) + f":{int(now * 1000) % 1000:03d}",
                 "nanos": time.monotonic_ns(), "type": "network_msg", "is_send": False, "protocol": "TCP",
                 "msg_type": "http", "from": client, "to": server, "data": f"{method} {path}"}
        with self._lock:
            self._events.append(event)

    def events(self) -> list[dict]:
        with self._lock:
            return list(self._events)


def install(app, timeline: Timeline) -> None:
    """Record every request the app answers."""
    from flask import request

    @app.after_request
    def _record(response):
        client = f"{request.remote_addr}:{request.environ.get('REMOTE_PORT', '')}"
        timeline.record_request(request.method, request.path, client, request.host)
        return response
