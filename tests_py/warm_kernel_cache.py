"""Fill the numba cache of the kernels with two processes at once; `make test` runs it before the
test suites (python tests_py/warm_kernel_cache.py).

A cold cache (a fresh clone) takes minutes of compilation on one core: sgd.warm_up compiles one
specialisation after another. Here two processes share sgd.warm_up_steps(), one taking steps
from the front of the list and the other from the back until they meet (the steps that only load
what an earlier step compiled sit right after it, at the front, so the two rarely compile the same
thing). Then warm_up runs once more in this process: it only loads, and compiles whatever the
two missed. With a warm cache the whole script takes a few seconds.

numba writes each cache file by an atomic rename, but a function's index by read-modify-write: two
processes saving specialisations of one function at the same moment could both give theirs the
same data file. Each save here holds a lock file (the servers and test sessions that read the cache
afterwards only load, or compile one at a time as before).
"""
from __future__ import annotations

import fcntl
import multiprocessing
import os
import sys
import tempfile
import time

LOCK = os.path.join(tempfile.gettempdir(), f"h2o_backend_warm_kernel_cache_{os.getpid()}.lock")


def _lock_cache_saves(lock_path: str) -> None:
    from numba.core import caching
    save = caching.IndexDataCacheFile.save

    def locked_save(self, key, data):
        with open(lock_path, "a") as fh:     # closing the file releases the lock
            fcntl.flock(fh, fcntl.LOCK_EX)
            return save(self, key, data)

    caching.IndexDataCacheFile.save = locked_save


def _worker(from_back: bool, bounds, lock_path: str) -> None:
    _lock_cache_saves(lock_path)
    from h2o_backend.engine.sgd import warm_up_steps
    steps = warm_up_steps()
    while True:
        with bounds.get_lock():          # bounds: [next from the front, one past the next from the back]
            if bounds[0] >= bounds[1]:
                return
            if from_back:
                bounds[1] -= 1
                i = bounds[1]
            else:
                i = bounds[0]
                bounds[0] += 1
        steps[i]()


def main() -> int:
    t = time.perf_counter()
    from h2o_backend.engine.kernels.cache import clear_stale_cache
    clear_stale_cache()                      # once, before any process loads a kernel
    from h2o_backend.engine.sgd import warm_up, warm_up_steps
    if (os.cpu_count() or 1) > 1:
        ctx = multiprocessing.get_context("spawn")
        bounds = ctx.Array("i", [0, len(warm_up_steps())])
        workers = [ctx.Process(target=_worker, args=(from_back, bounds, LOCK)) for from_back in (False, True)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        if os.path.exists(LOCK):
            os.unlink(LOCK)
        failed = [w.exitcode for w in workers if w.exitcode != 0]
        if failed:
            print(f"warm_kernel_cache: a worker exited with {failed[0]}", file=sys.stderr)
            return 1
    warm_up()
    print(f"numba kernel cache ready in {time.perf_counter() - t:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
