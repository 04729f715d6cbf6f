"""The bit-identity claims (tests marked ``blas_determinism``) rerun under each OpenBLAS kernel
this CPU can run, so that a claim true of one BLAS kernel only fails here, whatever machine runs
the suite.

numpy's and scipy's OpenBLAS (DYNAMIC_ARCH builds) pick their kernels when they load, from the CPU
or from ``OPENBLAS_CORETYPE``: each kernel gets its own pytest process (and the Dask workers it
starts inherit the variable). Kernels are chosen from the CPU's flags: Nehalem (SSE4.2),
Sandybridge (AVX), Haswell (AVX2 + FMA; what OpenBLAS runs on AMD Zen) and SkylakeX (AVX-512)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
CLAIMS = ["test_scoring_blocks.py", "test_minibatch.py", "test_engine_kernels.py", "test_engine_training.py",
          "test_dask_cluster.py"]
NEEDS = {"Nehalem": {"sse4_2"}, "Sandybridge": {"avx"}, "Haswell": {"avx2", "fma"},
         "SkylakeX": {"avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"}}


def _cpu_flags() -> set[str]:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    raise AssertionError("no flags line in /proc/cpuinfo")


KERNELS = [k for k, need in NEEDS.items() if need <= _cpu_flags()]
PROBE = ("import json, numpy, scipy.linalg, threadpoolctl; "
         "print(json.dumps(sorted({(i['filepath'].rsplit('/', 1)[-1], i.get('architecture'))"
         " for i in threadpoolctl.threadpool_info() if i['internal_api'] == 'openblas'})))")


def _env(kernel: str) -> dict:
    return {**os.environ, "OPENBLAS_CORETYPE": kernel}


def test_this_cpu_runs_at_least_three_kernels():
    assert len(KERNELS) >= 3, f"an x86-64 CPU with AVX2 runs Nehalem, Sandybridge and Haswell; this one: {KERNELS}"


@pytest.mark.parametrize("kernel", KERNELS)
def test_bit_identity_claims_hold_under_the_blas_kernel(kernel):
    libs = json.loads(subprocess.run([sys.executable, "-c", PROBE], env=_env(kernel), capture_output=True,
                                     text=True, check=True, timeout=120).stdout)
    assert len(libs) >= 2 and all(arch.lower() == kernel.lower() for _, arch in libs), libs   # numpy's and scipy's
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "blas_determinism",
                          *CLAIMS], cwd=HERE, env=_env(kernel), capture_output=True, text=True, timeout=900)
    tail = "\n".join((run.stdout + run.stderr).splitlines()[-40:])
    assert run.returncode == 0, f"under OpenBLAS {kernel}:\n{tail}"
    assert " passed" in tail and " deselected" in tail, tail
