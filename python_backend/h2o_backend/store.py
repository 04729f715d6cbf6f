"""The key-value store (H2O's DKV): frames, raw files, models and grids by key."""
from __future__ import annotations

import itertools
import threading
import uuid


class KeyStore:
    """Thread-safe mapping of key -> value. Values are Frame, RawFile, Model, Grid objects."""

    def __init__(self):
        self._items: dict[str, object] = {}
        self._lock = threading.RLock()
        self._counter = itertools.count(1)
        self.on_remove: list = []          # callables (key, value) run after a key is removed
        self.on_put: list = []             # callables (key, value) run after a key is stored

    def put(self, key: str, value) -> None:
        with self._lock:
            self._items[key] = value
        for hook in self.on_put:
            hook(key, value)

    def get(self, key: str, kind: type | None = None):
        """The value under `key`, or None; with `kind`, None unless it is an instance of it."""
        with self._lock:
            value = self._items.get(key)
        if kind is not None and not isinstance(value, kind):
            return None
        return value

    def remove(self, key: str):
        with self._lock:
            value = self._items.pop(key, None)
        if value is not None:
            for hook in self.on_remove:
                hook(key, value)
        return value

    def keys(self, kind: type | None = None) -> list[str]:
        with self._lock:
            items = list(self._items.items())
        return [k for k, v in items if kind is None or isinstance(v, kind)]

    def values(self, kind: type | None = None) -> list:
        with self._lock:
            items = list(self._items.values())
        return [v for v in items if kind is None or isinstance(v, kind)]

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._items

    def unique_key(self, base: str) -> str:
        """`base` if free, else `base_<n>` with the smallest free n (H2O's NewH2OHexKey)."""
        with self._lock:
            if base not in self._items:
                return base
            for n in itertools.count(1):
                candidate = f"{base}_{n}"
                if candidate not in self._items:
                    return candidate

    @staticmethod
    def random_key(prefix: str) -> str:
        return f"{prefix}_{uuid.uuid4().hex}"
