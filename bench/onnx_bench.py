#!/usr/bin/env python3
"""ONNX benchmark and check on the booklet's MNIST trial model.

Trains the trial model (hidden 200,200,200, RectifierWithDropout, input_dropout_ratio 0.2,
l1 1e-5; C785 as classes) on mnist_train.csv.gz, exports it with GET /99/Models.onnx's code
(``export.onnx.model_to_onnx``), scores the 10,000 rows of mnist_test.csv.gz in onnxruntime (the
784 raw columns as inputs, data preparation inside the graph) and with the server's batch
prediction (``DeepLearningModel.predict``, the code behind POST /3/Predictions), and prints

- whether the predicted class is the same on every row and the largest probability differences;
- onnxruntime rows/s next to the server's rows/s (fastest of ``--repeats`` each; both on all the
  process's threads; onnxruntime from columns in to outputs out, the server from frame in to
  prediction frame out).

    python bench/onnx_bench.py [--epochs 1] [--repeats 5]

``--epochs`` only changes how long training takes; the graph is the same.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from pojo_bench import load, train  # noqa: E402  (same data and trial model)


def best_of(repeats: int, fn):
    best, result = float("inf"), None
    for _ in range(repeats):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)

    import onnxruntime as ort

    from h2o_backend.export.onnx import model_to_onnx

    train_frame, test = load("mnist_train.csv.gz"), load("mnist_test.csv.gz")
    model = train(train_frame, args.epochs, args.seed)
    t = time.perf_counter()
    proto = model_to_onnx(model).SerializeToString()
    print(f"exported ONNX: {len(proto) / 1e6:.1f} MB in {time.perf_counter() - t:.2f} s")
    session = ort.InferenceSession(proto, providers=["CPUExecutionProvider"])
    feeds = {name: test.column(name).data.astype(np.float32).reshape(-1, 1)
             for name in model.datainfo.predictor_names}
    outputs = [o.name for o in session.get_outputs()]

    onnx_s, got = best_of(args.repeats, lambda: dict(zip(outputs, session.run(None, feeds))))
    server_s, want = best_of(args.repeats, lambda: model.predict(test, "mnist_pred"))

    labels = [want.column("predict").domain[c] for c in want.column("predict").data]
    same = int(np.sum(got["predict"].ravel() == np.array(labels, dtype=object)))
    domain = model.datainfo.response_domain
    diff = max(float(np.max(np.abs(got[d].ravel() - want.column(d).data))) for d in domain)
    print(f"rows: {test.nrows}; same class: {same} of {test.nrows}; largest probability difference {diff:.2e}")
    print(f"onnxruntime {onnxruntime_version()}: {test.nrows / onnx_s:,.0f} rows/s; "
          f"server predict: {test.nrows / server_s:,.0f} rows/s; ratio onnx/server {server_s / onnx_s:.2f}")
    return 0 if same == test.nrows else 1


def onnxruntime_version() -> str:
    import onnxruntime
    return onnxruntime.__version__


if __name__ == "__main__":
    sys.exit(main())
