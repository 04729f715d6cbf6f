#!/usr/bin/env python3
"""POJO benchmark and check on the booklet's MNIST trial model.

Trains the trial model (hidden 200,200,200, RectifierWithDropout, input_dropout_ratio 0.2,
l1 1e-5; C785 as classes) on mnist_train.csv.gz, exports it as a POJO, compiles it with javac,
scores the 10,000 rows of mnist_test.csv.gz with the POJO and with the server's batch prediction
(``DeepLearningModel.predict``, the code behind POST /3/Predictions), and prints

- whether the predicted class is the same on every row, the largest absolute and relative
  probability differences and the share of bit-equal probabilities;
- POJO scoring rows/s (one Java thread, ``score0`` per row, fastest of ``--passes`` passes after
  the JIT warmed up) next to the server's rows/s (fastest of ``--repeats`` predictions, numba
  kernel on all the process's threads, frame in and prediction frame out).

    python bench/pojo_bench.py [--epochs 1] [--passes 5] [--repeats 3] [--json results/pojo_bench.json]

``--epochs`` only changes how long training takes (the trial's 10 epochs take a while on a small
machine); the layout the POJO has to reproduce is the same.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "demos" / "data"
sys.path.insert(0, str(REPO / "python_backend"))

TRIAL = dict(hidden=[200, 200, 200], activation="RectifierWithDropout", input_dropout_ratio=0.2, l1=1e-5)


def load(name: str):
    from h2o_backend.parse.parser import parse_file
    t = time.time()
    frame = parse_file(str(DATA / name), key=name.split(".")[0])
    print(f"parsed {name}: {frame.nrows} x {frame.ncols} in {time.time() - t:.1f} s", flush=True)
    return frame


def train(frame, epochs: float, seed: int):
    from h2o_backend.engine.parameters import DeepLearningParameters
    from h2o_backend.engine.training import train_deeplearning
    p = DeepLearningParameters()
    for k, v in dict(TRIAL, training_frame=frame.key, response_column="C785", classification=True,
                     epochs=float(epochs), seed=seed).items():
        setattr(p, k, v)
    t = time.time()
    model = train_deeplearning(p, frame, model_id="mnist_trial")
    print(f"trained {model.model_id}: {model.model_info.units[0]} inputs, hidden {model.model_info.units[1:-1]}, "
          f"{model.model_info.epoch_counter:.2f} epochs in {time.time() - t:.1f} s", flush=True)
    return model


def server_predictions(model, test, repeats: int):
    best, frame = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        frame = model.predict(test, "mnist_pred")
        best = min(best, time.perf_counter() - t)
    preds = np.column_stack([c.data.astype(np.float64) for c in frame.columns])
    return preds, test.nrows / best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--passes", type=int, default=5, help="POJO passes over the test rows (JIT warm-up)")
    ap.add_argument("--repeats", type=int, default=3, help="server predictions timed")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args(argv)

    from h2o_backend.export import pojo, pojo_runner
    if pojo_runner.java_tools() is None:
        print("javac/java not found: install a JDK (Debian: default-jdk-headless)")
        return 2
    train_frame, test = load("mnist_train.csv.gz"), load("mnist_test.csv.gz")
    model = train(train_frame, args.epochs, args.seed)

    t = time.time()
    src = pojo.pojo_source(model)
    t_gen = time.time() - t
    cls = pojo.java_id(model.model_id)
    with tempfile.TemporaryDirectory(prefix="pojo_bench_") as tmp:
        t = time.time()
        pojo_runner.compile_sources({cls: src}, Path(tmp))
        t_javac = time.time() - t
        rows = pojo_runner.pojo_rows(model.datainfo, test)
        java_preds, pojo_rps = pojo_runner.score_rows(Path(tmp), cls, rows, passes=args.passes)
    server_preds, server_rps = server_predictions(model, test, args.repeats)

    same_class = int(np.sum(java_preds[:, 0] == server_preds[:, 0]))
    diff = np.abs(java_preds[:, 1:] - server_preds[:, 1:])
    rel = diff / np.maximum(np.abs(server_preds[:, 1:]), 1e-300)
    figures = {
        "rows": int(test.nrows), "inputs_used": int(model.model_info.units[0]),
        "epochs": float(model.model_info.epoch_counter),
        "source_chars": len(src), "generate_s": round(t_gen, 2), "javac_s": round(t_javac, 2),
        "same_class_rows": same_class, "max_abs_prob_diff": float(diff.max()),
        "max_rel_prob_diff": float(rel.max()), "bit_equal_probs": float(np.mean(diff == 0)),
        "pojo_rows_per_s": round(pojo_rps), "server_rows_per_s": round(server_rps),
        "server_threads": int(os.environ.get("NUMBA_NUM_THREADS", os.cpu_count() or 1)),
    }
    print(f"POJO source {len(src):,} chars, generated in {t_gen:.1f} s, javac {t_javac:.1f} s")
    print(f"same class on {same_class} of {test.nrows} rows; probabilities: max abs diff {diff.max():.3g}, "
          f"max rel diff {rel.max():.3g}, bit-equal {100 * figures['bit_equal_probs']:.2f} %")
    print(f"scoring rows/s: POJO {pojo_rps:,.0f} (1 Java thread)   server batch {server_rps:,.0f} "
          f"({figures['server_threads']} threads)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if same_class == test.nrows and diff.max() <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main())
