"""Our mini-batch path against PyTorch (CPU) on the booklet's MNIST trial network, in one run.

    python bench/speed_vs_pytorch.py            # from the repository root, no arguments, < 5 min

Network: inputs (the engine's prepared MNIST columns: constant pixels dropped, standardised,
the same matrix for both), hidden 200,200,200 ReLU, input dropout 0.2, softmax output,
60,000 training rows, the 10,000 test rows scored after every epoch.

- PyTorch (the `bench` extra's pinned version): Adam (lr 1e-3), batch 128, cross-entropy.
- Ours (engine/batch_sgd.py, the path `mini_batch_size` > 1 trains with; settings chosen here):
  mini_batch_size 128, Rectifier, input_dropout_ratio 0.2, ADADELTA with rho 0.95 and epsilon 1e-6
  (the engine's 0.99 / 1e-8 warm up too slowly when an epoch makes only rows/batch updates),
  initial_weight_distribution Uniform with initial_weight_scale 0.05 (UniformAdaptive's x4 output
  weights and the Rectifier biases of 0.5/1 start the network saturated), no l1/l2. In our trials
  (5 epochs each) batch 128 reached 2.4 % in 4 epochs; batch 32 needed 7, batch 256 5; Nesterov
  momentum (rate 0.1-0.5, momentum 0.9) reached it later or diverged (rate >= 0.5).
  Same number of threads (all cores) for both. Ours trains as the server does when
  `reproducible` is off: HOGWILD! over batches (each thread trains whole batches and updates the
  shared weights without waiting; engine/batch_sgd.py). With `reproducible` on, the threads split
  every batch instead (bit-identical reruns); the thread scaling is printed for both.

Epochs alternate (ours, then PyTorch) so that load from other processes hits both alike. Training
time excludes the test scoring for both. Printed for both: samples/s, wall time to reach 2.4 %
test error, error after 10 epochs; then the mini-batch path's samples/s with 1 and 2 threads (for
batches of 128, 256 and 512 rows; HOGWILD! and reproducible), the machine's float32 GEMM peak (numpy's BLAS, measured here)
and the fraction of it training reaches, and the prediction speed with 1 and 2 threads. The last line is `time-to-2.4% ratio ours/pytorch: X`. If the run nears 5 minutes it
stops early and says so. OPENBLAS_CORETYPE is removed from this process's environment (the script
re-executes itself) so that BLAS picks its kernel for the machine; the kernel in use is printed.
"""
from __future__ import annotations

import os
import sys
import time

if os.environ.pop("OPENBLAS_CORETYPE", None) is not None:
    os.execve(sys.executable, [sys.executable, *sys.argv], os.environ)

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python_backend"))
sys.path.insert(0, HERE)

HIDDEN = [200, 200, 200]
EPOCHS = 10
TARGET = 2.4
BUDGET_S = 270.0
BATCH = 128          # PyTorch's
OUR_BATCH = 128
OURS = dict(optimizer="adadelta", rho=0.95, epsilon=1e-6, input_dropout=0.2, l1=0.0, l2=0.0)
OUR_INIT = dict(distribution="Uniform", scale=0.05)
T0 = time.perf_counter()


def prepared_mnist():
    """(X_train, y_train, X_test, y_test): the engine's DataInfo encoding of the MNIST CSVs."""
    from mnist_trial import params_for, read_mnist

    from h2o_backend.engine.data.datainfo import DataInfo
    from h2o_backend.engine.parameters import effective_parameters
    train, test = read_mnist("train"), read_mnist("test")
    eff = effective_parameters(params_for(), train=train, valid=test)
    info = DataInfo.fit(train, eff)
    X = np.ascontiguousarray(info.transform(train), np.float32)
    Xt = np.ascontiguousarray(info.transform(test), np.float32)
    return X, np.asarray(info.response(train), np.int32), Xt, np.asarray(info.response(test), np.int32)


class Ours:
    def __init__(self, X, threads, seed=1, batch=OUR_BATCH, hogwild=True):
        from h2o_backend.engine import activations as act
        from h2o_backend.engine.batch_sgd import BatchRunner
        from h2o_backend.engine.model_info import ModelInfo
        from h2o_backend.engine.sgd import SGDConfig
        from h2o_backend.engine.training import _first_layer_major
        from h2o_backend.engine.kernels.layout import MAJOR_INPUT
        majors = [_first_layer_major(X, 0.2, seed)] + [MAJOR_INPUT] * len(HIDDEN)
        self.mi = ModelInfo.create([X.shape[1], *HIDDEN, 10], act.ACT_RECTIFIER, act.ACT_SOFTMAX,
                                   optimizer=OURS["optimizer"], seed=seed, classifier=True, majors=majors,
                                   **OUR_INIT)
        self.runner = BatchRunner(self.mi, SGDConfig(seed=seed, **OURS), threads, batch, hogwild=hogwild)
        self.rng = np.random.default_rng(seed)
        self.ratios = np.array([0.2] + [0.0] * (len(HIDDEN) + 1), np.float32)

    def epoch(self, X, y, rows=None):
        order = self.rng.permutation(X.shape[0]) if rows is None else rows
        self.runner.run(order, X, y)

    def error(self, Xt, yt):
        from h2o_backend.engine.batch_sgd import forward
        out = forward(self.mi, Xt, self.ratios)[0]
        return 100.0 * float(np.mean(out.argmax(1) != yt))


class Torch:
    def __init__(self, n_in, threads, seed=1):
        import torch
        torch.manual_seed(seed)
        torch.set_num_threads(threads)
        nn = torch.nn
        layers, width = [nn.Dropout(0.2)], n_in
        for h in HIDDEN:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, 10))
        self.torch = torch
        self.net = nn.Sequential(*layers)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
        self.loss = nn.CrossEntropyLoss()
        self.gen = torch.Generator().manual_seed(seed)

    def epoch(self, X, y):
        torch = self.torch
        self.net.train()
        perm = torch.randperm(X.shape[0], generator=self.gen)
        for lo in range(0, X.shape[0], BATCH):
            idx = perm[lo:lo + BATCH]
            self.opt.zero_grad(set_to_none=True)
            self.loss(self.net(X[idx]), y[idx]).backward()
            self.opt.step()

    def error(self, Xt, yt):
        torch = self.torch
        self.net.eval()
        with torch.no_grad():
            pred = self.net(Xt).argmax(1)
        return 100.0 * float((pred != yt).float().mean())


def thread_scaling(X, y, batch: int, hogwild: bool, repeats: int = 3) -> dict[int, float]:
    """Training samples/s of the mini-batch path with 1 and 2 threads (best of ``repeats``
    alternating epochs of the 60,000 rows in a random order, so that a burst of load elsewhere
    hits both alike)."""
    best = {1: 0.0, 2: 0.0}
    for repeat in range(repeats):
        for n in (1, 2):
            probe = Ours(X, n, seed=5, batch=batch, hogwild=hogwild)
            probe.epoch(X, y, rows=np.arange(batch * 4))
            rows = np.random.default_rng(repeat).permutation(X.shape[0])
            t = time.perf_counter()
            probe.epoch(X, y, rows=rows)
            best[n] = max(best[n], rows.size / (time.perf_counter() - t))
    return best


def prediction_speed(mi, Xt, threads: int) -> tuple[float, float]:
    """Rows/s of scoring the test rows: the server's matrix-product path and the per-row kernel."""
    import numba

    from h2o_backend.engine.batch_sgd import forward
    from h2o_backend.engine.sgd import forward as row_forward
    ratios = np.array([0.2] + [0.0] * (len(HIDDEN) + 1), np.float32)
    numba.set_num_threads(threads)
    rates = []
    for fn in (lambda: forward(mi, Xt, ratios, n_threads=threads), lambda: row_forward(mi, Xt, ratios)):
        fn()
        best = 0.0
        for _ in range(3):
            t = time.perf_counter()
            fn()
            best = max(best, Xt.shape[0] / (time.perf_counter() - t))
        rates.append(best)
    return rates[0], rates[1]


def gemm_peak(threads: int, seconds: float = 1.5) -> float:
    """float32 GFLOP/s of numpy's BLAS on 2048 x 2048 products (the best of a few)."""
    from h2o_backend.engine.batch_sgd import thread_limits
    a = np.random.default_rng(0).random((2048, 2048), np.float32)
    out = np.empty_like(a)
    best = 0.0
    with thread_limits(threads):
        np.matmul(a, a, out=out)
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t = time.perf_counter()
            np.matmul(a, a, out=out)
            best = max(best, 2 * 2048 ** 3 / (time.perf_counter() - t) / 1e9)
    return best


def flops_per_sample(n_in: int) -> float:
    """FLOPs (2 per multiply-add) of the matrix products one training sample takes: per layer the
    forward product and the weight gradient, and the errors of every layer's inputs but the
    network's inputs (which nobody needs)."""
    units = [n_in, *HIDDEN, 10]
    macs = [units[i] * units[i + 1] for i in range(len(units) - 1)]
    return 2.0 * (3 * sum(macs) - macs[0])


def first_reach(curve, target):
    for t, err in curve:
        if err <= target:
            return t
    return None


def fmt(t):
    return "not reached" if t is None else f"{t:.1f} s"


def main() -> None:
    import torch
    from threadpoolctl import threadpool_info
    threads = os.cpu_count() or 1
    blas = [(d["internal_api"], d.get("architecture"), d.get("version")) for d in threadpool_info()
            if d["user_api"] == "blas"]
    print(f"threads {threads}; numpy BLAS {blas}; torch {torch.__version__} ({torch.__config__.parallel_info().splitlines()[0]})")
    X, y, Xt, yt = prepared_mnist()
    print(f"data: {X.shape[0]} x {X.shape[1]} train, {Xt.shape[0]} test, prepared in {time.perf_counter() - T0:.1f} s")
    tX, ty, tXt, tyt = (torch.from_numpy(X), torch.from_numpy(y.astype(np.int64)), torch.from_numpy(Xt),
                        torch.from_numpy(yt.astype(np.int64)))
    ours, theirs = Ours(X, threads), Torch(X.shape[1], threads)
    ours.epoch(X, y, rows=np.arange(OUR_BATCH * 4))    # kernels loaded (numba cache) before timing
    ours.mi.processed = 0
    curves = {"ours": [], "pytorch": []}
    clock = {"ours": 0.0, "pytorch": 0.0}
    errors = {}
    for e in range(1, EPOCHS + 1):
        for name, model, data in (("ours", ours, (X, y)), ("pytorch", theirs, (tX, ty))):
            t = time.perf_counter()
            model.epoch(*data)
            clock[name] += time.perf_counter() - t
            err = model.error(Xt, yt) if name == "ours" else model.error(tXt, tyt)
            curves[name].append((clock[name], err))
            errors[name] = (e, err)
            print(f"epoch {e:2d} {name:8s} {clock[name]:6.1f} s  test error {err:.2f} %", flush=True)
        if time.perf_counter() - T0 > BUDGET_S and e < EPOCHS:
            print(f"stopping after {e} epochs: the run would exceed 5 minutes on this machine's current load")
            break
    print()
    for name in ("ours", "pytorch"):
        e, err = errors[name]
        print(f"{name:8s} samples/s {e * X.shape[0] / clock[name]:8.0f}   time to {TARGET} %: "
              f"{fmt(first_reach(curves[name], TARGET))}   error after {e} epochs: {err:.2f} %")
    fps = flops_per_sample(X.shape[1])
    for hogwild, mode in ((True, "HOGWILD!"), (False, "reproducible")):
        for batch in (128, 256, 512):
            rates = thread_scaling(X, y, batch, hogwild)
            print(f"mini-batch path samples/s, {mode}, batch {batch}: 1 thread {rates[1]:.0f}, 2 threads "
                  f"{rates[2]:.0f} (x{rates[2] / rates[1]:.2f} from the second core)", flush=True)
    peak = gemm_peak(threads)
    train_rate = len(curves["ours"]) * X.shape[0] / clock["ours"]
    print(f"float32 GEMM peak here {peak:.1f} GFLOP/s; training {train_rate * fps / 1e9:.1f} GFLOP/s "
          f"({fps / 1e6:.2f} MFLOP per sample) = {100 * train_rate * fps / 1e9 / peak:.0f} % of peak")
    for n in (1, threads):
        matrix, per_row = prediction_speed(ours.mi, Xt, n)
        print(f"prediction rows/s (trial network, 10,000 rows, {n} thread{'s' if n > 1 else ''}): "
              f"matrix products {matrix:.0f}, per-row reference kernel {per_row:.0f}", flush=True)
    mine, other = first_reach(curves["ours"], TARGET), first_reach(curves["pytorch"], TARGET)
    ratio = "n/a" if mine is None or other is None else f"{mine / other:.3f}"
    print(f"total wall time {time.perf_counter() - T0:.0f} s")
    print(f"time-to-2.4% ratio ours/pytorch: {ratio}")


if __name__ == "__main__":
    main()
