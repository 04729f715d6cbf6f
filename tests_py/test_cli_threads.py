"""--nthreads governs numba's and BLAS's thread counts, even when the environment says otherwise."""
from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = ("import json; from h2o_backend.cli import configure_threads; n = configure_threads({n}); "
         "import numba; from threadpoolctl import threadpool_info; "
         "print(json.dumps([n, numba.config.NUMBA_NUM_THREADS, numba.get_num_threads(), "
         "[d['num_threads'] for d in threadpool_info() if d['user_api'] == 'blas']]))")


def _probe(nthreads: int, **env) -> list:
    environ = {**os.environ, **env}
    out = subprocess.run([sys.executable, "-c", PROBE.format(n=nthreads)], env=environ, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_nthreads_wins_over_the_environment():
    n, pool, used, blas = _probe(2, NUMBA_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    assert n == pool == used == 2
    assert blas and all(b == 2 for b in blas)


def test_one_thread_limits_numba_and_blas():
    n, pool, used, blas = _probe(1, NUMBA_NUM_THREADS="2")
    assert n == pool == used == 1
    assert blas and all(b == 1 for b in blas)


def test_without_nthreads_blas_follows_numba():
    n, pool, used, blas = _probe(0, NUMBA_NUM_THREADS="1")
    assert n == used == 1
    assert all(b == 1 for b in blas)


LATE = """
import numba, numpy as np                      # imported first, as the server's argument parsing does
from h2o_backend.cli import configure_threads
n = configure_threads(1)

@numba.njit(parallel=True, cache=False)
def total(x):
    s = 0.0
    for i in numba.prange(x.size):
        s += x[i]
    return s

total(np.ones(100))                            # the pool starts

@numba.njit(cache=False)
def later(x):                                  # a kernel compiled afterwards (the POJO export's probe)
    return x + 1.0

print(n, numba.get_num_threads(), later(1.0))
"""


def test_a_kernel_compiled_after_the_pool_started_when_numba_came_first():
    """numba re-reads NUMBA_NUM_THREADS at every compilation and refuses a value other than its
    running pool's: --nthreads set after numba's import must not make later compilations fail."""
    out = subprocess.run([sys.executable, "-c", LATE], env={**os.environ, "NUMBA_NUM_THREADS": "2"},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["1", "1", "2.0"]
