"""What model averaging costs in accuracy, without Dask: N copies of the MNIST trial network
trained per sample (one thread each, one after the other, on all rows as with
replicate_training_data), combined after every iteration by cluster/averaging.py, as the Dask
session combines them.

    python bench/averaging_limit.py plain 10 0.5            # 2 copies, 10 iterations of 0.5 epoch each
    python bench/averaging_limit.py block_momentum 10 0.5   # block momentum, eta 1 - 1/N
    python bench/averaging_limit.py block_momentum 10 0.5 --eta 0.4 --copies 4
    python bench/averaging_limit.py elastic 10 0.5 --moving-rate 0.9 --reg 0.001
    python bench/averaging_limit.py keep 10 0.5             # the copies keep training on their own
                                                            # state; only the printed model is averaged

Each line: the epochs of samples over all copies, the test error of the model and of copy 0.
The single-process run of the same network reaches ~3.2-3.5 % after 10 epochs (mnist_trial.py);
plain averaging of two copies that each saw 5 epochs ends near 4.2 % (RESULTS.md, issue 11).
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python_backend"))
sys.path.insert(0, HERE)

CHUNK = 2000      # rows per compiled call (elastic: the pull is applied after each)


def train(copy, cfg, rows, X, y, center=None, reg=0.0):
    from h2o_backend.cluster import elastic
    from h2o_backend.engine.sgd import SGDRunner
    runner = SGDRunner(copy, cfg, 1)
    for lo in range(0, rows.size, CHUNK):
        part = rows[lo:lo + CHUNK]
        runner.run(part, X, y)
        if center is not None:
            elastic.pull(copy, center, reg, part.size, cfg)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("plain", "block_momentum", "elastic", "keep"))
    ap.add_argument("iterations", type=int)
    ap.add_argument("per_copy", type=float, help="epochs of samples per copy and iteration")
    ap.add_argument("--copies", type=int, default=2)
    ap.add_argument("--eta", type=float, default=-1.0, help="block momentum (-1: 1 - 1/copies)")
    ap.add_argument("--moving-rate", type=float, default=0.9)
    ap.add_argument("--reg", type=float, default=0.001)
    args = ap.parse_args()
    from speed_vs_pytorch import prepared_mnist

    from h2o_backend.cluster import averaging
    from h2o_backend.engine import activations as act
    from h2o_backend.engine.batch_sgd import forward
    from h2o_backend.engine.model_info import ModelInfo
    from h2o_backend.engine.sgd import SGDConfig
    X, y, Xt, yt = prepared_mnist()
    cfg = SGDConfig(seed=1, input_dropout=0.2, hidden_dropout=[0.5] * 3, l1=1e-5)
    ratios = np.array([0.2, 0.5, 0.5, 0.5, 0.0], np.float32)
    n = args.copies
    eta = 1.0 - 1.0 / n if args.eta == -1 else args.eta

    def error(mi):
        return 100.0 * float(np.mean(forward(mi, Xt, ratios)[0].argmax(1) != yt))

    model = ModelInfo.create([X.shape[1], 200, 200, 200, 10], act.ACT_RECTIFIER, act.ACT_SOFTMAX,
                             optimizer="adadelta", seed=1, classifier=True)
    rng = np.random.default_rng(0)
    copies = None
    for it in range(args.iterations):
        if args.mode == "block_momentum":
            start = averaging.block_start(model, eta)
            copies = [start.copy() for _ in range(n)]
        elif args.mode in ("elastic", "keep") and copies is not None:
            for c in copies:       # the copies keep their own state (and sample count)
                c.processed = model.processed
        else:
            copies = [model.copy() for _ in range(n)]
        center = model if (args.mode == "elastic" and it > 0) else None
        for c in copies:
            train(c, cfg, rng.permutation(X.shape[0])[:int(args.per_copy * X.shape[0])], X, y, center, args.reg)
        if args.mode == "block_momentum":
            averaging.block_momentum_into(model, start, copies, eta)
        elif args.mode == "elastic":
            averaging.elastic_into(model, copies, args.moving_rate, first=it == 0)
        else:
            averaging.average_into(model, [c.copy() for c in copies] if args.mode == "keep" else copies)
        print(f"{args.mode} iteration {it + 1}: epochs {n * args.per_copy * (it + 1):.1f}, "
              f"model {error(model):.2f} %, copy 0 {error(copies[0]):.2f} %", flush=True)


if __name__ == "__main__":
    main()
