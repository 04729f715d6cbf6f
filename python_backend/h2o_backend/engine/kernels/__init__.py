"""numba kernels of the deep-learning engine (float32, cache=True): forward, backward, training
chunks (HOGWILD!) and batch scoring. Kernels take arrays and scalars only; see layout.py.

numba's on-disk cache checks only the timestamp of the file defining a function, not of the
functions it calls (and inlines) from other files. So this package keys its cache on a hash of
all kernel sources: when any of them changes, the cached machine code of every kernel is dropped.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path


def _drop_stale_cache() -> None:
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
            return
        for d in cache_dirs:
            for pattern in ("*.nbi", "*.nbc"):
                for f in d.glob(pattern):
                    f.unlink(missing_ok=True)
        if custom:  # a custom cache dir mirrors the package path; drop our entries there too
            for f in Path(custom).rglob("*"):
                if f.suffix in (".nbi", ".nbc") and ("kernels" in f.parts or "engine" in f.parts):
                    f.unlink(missing_ok=True)
        stamp.parent.mkdir(exist_ok=True)
        stamp.write_text(key)
    except OSError:  # read-only installs keep whatever cache they have
        pass


_drop_stale_cache()
