"""Keeping numba's on-disk cache of the kernels in step with their sources.

numba checks only the timestamp of the file that defines a function, not of the functions it
calls (and inlines) from other files, so an edit to forward.py could leave train.py's cached
machine code stale. ``clear_stale_cache`` keys the cache on a hash of every kernel source and
drops this package's cache files when the hash changed. It is called explicitly, once, by the
server's start-up and by the test session, never at import (two processes importing at once
must not delete each other's files).
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def clear_stale_cache() -> bool:
    """Drop this package's cached machine code when any kernel source changed since it was
    compiled; True when it did. Only this package's own cache files are touched."""
    here = Path(__file__).resolve().parent
    sources = sorted(here.glob("*.py")) + [here.parent / "schedules.py", here.parent / "activations.py"]
    digest = hashlib.sha256()
    for path in sources:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    key = digest.hexdigest()
    cache_dirs = [here / "__pycache__", here.parent / "__pycache__"]
    custom = os.environ.get("NUMBA_CACHE_DIR")
    stamp = here / "__pycache__" / "kernel_sources.sha256"
    try:
        if stamp.exists() and stamp.read_text() == key:
            return False
        for d in cache_dirs:
            for pattern in ("*.nbi", "*.nbc"):
                for f in d.glob(pattern):
                    f.unlink(missing_ok=True)
        if custom:  # a custom cache dir mirrors the package path: drop only this package's entries
            for d in (Path(custom) / here.relative_to(here.anchor), Path(custom) / here.parent.relative_to(here.anchor)):
                for pattern in ("*.nbi", "*.nbc"):
                    for f in d.glob(pattern):
                        f.unlink(missing_ok=True)
        stamp.parent.mkdir(exist_ok=True)
        stamp.write_text(key)
        return True
    except OSError:  # read-only installs keep whatever cache they have
        return False
