"""What model averaging itself costs in accuracy, without Dask: two copies of the MNIST trial
network trained per sample (one thread each, one after the other, on all rows as with
replicate_training_data), averaged after every iteration.

    python bench/averaging_limit.py average 5 1     # 5 iterations of 1 epoch per copy (tspi -1)
    python bench/averaging_limit.py keep 5 1        # the copies keep training on their own
                                                    # state; only the printed model is averaged

Each line: the epochs of samples over both copies, the test error of the average and of copy 0.
The single-process run of the same network reaches ~3.2-3.5 % after 10 epochs (mnist_trial.py);
the average of two copies that each saw 5 epochs cannot be better than what 5 sequential epochs
plus the averaging give, which is the point of this script.
"""
from __future__ import annotations

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python_backend"))
sys.path.insert(0, HERE)

STATE = ("w", "b", "ada_g_w", "ada_dx_w", "ada_g_b", "ada_dx_b")


def averaged(models):
    """The mean of the copies' weights, biases and ADADELTA state (as the Dask session averages)."""
    out = models[0].copy()
    for name in STATE:
        setattr(out, name, np.mean([getattr(m, name) for m in models], axis=0).astype(np.float32))
    out.processed = sum(m.processed for m in models)
    return out


def main() -> None:
    from speed_vs_pytorch import prepared_mnist

    from h2o_backend.engine import activations as act
    from h2o_backend.engine.batch_sgd import forward
    from h2o_backend.engine.model_info import ModelInfo
    from h2o_backend.engine.sgd import SGDConfig, SGDRunner
    mode, n_iter, per_copy = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    X, y, Xt, yt = prepared_mnist()
    cfg = SGDConfig(seed=1, input_dropout=0.2, hidden_dropout=[0.5] * 3, l1=1e-5)
    ratios = np.array([0.2, 0.5, 0.5, 0.5, 0.0], np.float32)

    def error(mi):
        return 100.0 * float(np.mean(forward(mi, Xt, ratios)[0].argmax(1) != yt))

    model = ModelInfo.create([X.shape[1], 200, 200, 200, 10], act.ACT_RECTIFIER, act.ACT_SOFTMAX,
                             optimizer="adadelta", seed=1, classifier=True)
    rng = np.random.default_rng(0)
    copies = None
    for it in range(n_iter):
        starts = [model.copy(), model.copy()] if (mode == "average" or copies is None) else copies
        for copy in starts:
            SGDRunner(copy, cfg, 1).run(rng.permutation(X.shape[0])[:int(per_copy * X.shape[0])], X, y)
        copies = starts
        model = averaged(copies)
        print(f"{mode} iteration {it + 1}: epochs {2 * per_copy * (it + 1):.1f}, "
              f"average {error(model):.2f} %, copy 0 {error(copies[0]):.2f} %", flush=True)


if __name__ == "__main__":
    main()
