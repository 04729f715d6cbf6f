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
