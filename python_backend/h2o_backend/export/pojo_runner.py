"""Compile a generated POJO with javac and score rows with it from Python (tests, benchmarks).

``java/PojoRunner.java`` loads the class by name and calls ``score0`` on every row of a binary
file; rows go in and predictions come back as little-endian doubles, so nothing is lost to text.
"""
from __future__ import annotations

import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import numpy as np

RUNNER = Path(__file__).resolve().parent / "java" / "PojoRunner.java"


def java_tools() -> tuple[str, str] | None:
    """Paths of ``javac`` and ``java``, or None when no JDK is installed."""
    javac, java = shutil.which("javac"), shutil.which("java")
    return (javac, java) if javac and java else None


def compile_sources(sources: dict[str, str], out_dir: Path, with_runner: bool = True,
                    timeout: float = 600) -> Path:
    """Write ``{class_name: source}`` to ``out_dir`` and compile them (and the runner) there."""
    tools = java_tools()
    if tools is None:
        raise RuntimeError("javac not found: install a JDK (Debian: default-jdk-headless)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = []
    for name, text in sources.items():
        path = out_dir / f"{name}.java"
        path.write_text(text, encoding="ascii")
        files.append(str(path))
    if with_runner:
        files.append(str(RUNNER))
    proc = subprocess.run([tools[0], "-J-Xmx1g", "-nowarn", "-encoding", "US-ASCII", "-d", str(out_dir), *files],
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"javac failed:\n{proc.stderr[-4000:]}")
    return out_dir


def score_rows(class_dir: Path, class_name: str, rows: np.ndarray, passes: int = 1,
               timeout: float = 600) -> tuple[np.ndarray, float]:
    """Run ``score0`` on every row (float64 [n, n_cols]); returns (preds [n, PREDS_SIZE], rows/s
    of the fastest pass)."""
    tools = java_tools()
    if tools is None:
        raise RuntimeError("java not found: install a JDK (Debian: default-jdk-headless)")
    rows = np.ascontiguousarray(rows, dtype="<f8")
    with tempfile.TemporaryDirectory(prefix="pojo_rows_") as tmp:
        src, dst = Path(tmp) / "in.bin", Path(tmp) / "out.bin"
        src.write_bytes(struct.pack("<ii", *rows.shape) + rows.tobytes())
        proc = subprocess.run([tools[1], "-Xmx2g", "-cp", str(class_dir), "PojoRunner", class_name, str(src),
                               str(dst), str(passes)], capture_output=True, text=True, timeout=timeout)
        if proc.returncode != 0:
            raise RuntimeError(f"java failed:\n{proc.stderr[-4000:]}")
        raw = dst.read_bytes()
    n, p = struct.unpack("<ii", raw[:8])
    preds = np.frombuffer(raw[8:], dtype="<f8").reshape(n, p).copy()
    speed = float(proc.stdout.split()[-1])
    return preds, speed


def pojo_rows(datainfo, frame) -> np.ndarray:
    """A frame's rows as a POJO reads them: the predictors in NAMES order, a categorical as the
    index of its label in the training domain, NaN for missing values and unseen levels."""
    from h2o_backend.engine.data.datainfo import codes_in_domain, numeric_values
    n = frame.nrows
    rows = np.empty((n, len(datainfo.predictor_names)), dtype=np.float64)
    for i, name in enumerate(datainfo.predictor_names):
        col = frame.column(name) if frame.has_column(name) else None
        domain = datainfo.predictor_domains[i]
        if domain is None:
            rows[:, i] = numeric_values(col, n)
        else:
            codes = codes_in_domain(col, domain, n).astype(np.float64)
            codes[codes < 0] = np.nan
            rows[:, i] = codes
    return rows
