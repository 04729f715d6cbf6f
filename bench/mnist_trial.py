"""Our side of the booklet's MNIST trial run (section 3.2), optionally against H2O-3.

hidden 200,200,200, RectifierWithDropout, input_dropout_ratio 0.2, l1 1e-5, epochs 10, trained
on the 60,000 rows of mnist_train.csv.gz, validated on the 10,000 rows of mnist_test.csv.gz
(as bench/mnist_trial_reference.py does for H2O-3); everything else the engine's defaults.

    cd bench && python mnist_trial.py                      # full trial, all cores
    cd bench && python mnist_trial.py --quick --threads 1  # 1 epoch, one thread
    cd bench && python mnist_trial.py --speed              # samples/s with 1 and 2 threads
    cd bench && python mnist_trial.py --with-h2o3          # also run H2O-3, print the ratio

It goes through the engine's public entry point (train_deeplearning on Frames); the CSVs are
read with pyarrow (the fastest way for a benchmark). Reports: first-call latency of the kernels
(numba cache load or compile), wall seconds of training, samples/s, test error.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "demos", "data")
sys.path.insert(0, HERE)
TRIAL = dict(hidden=[200, 200, 200], activation="RectifierWithDropout", input_dropout_ratio=0.2, l1=1e-5,
             epochs=10.0)


def read_mnist(name: str):
    """An engine Frame of mnist_<name>.csv.gz: C1..C784 numeric, C785 the digit as a factor."""
    import pyarrow.csv as pc

    from h2o_backend.frames.frame import Column, Frame
    table = pc.read_csv(os.path.join(DATA, f"mnist_{name}.csv.gz"),
                        read_options=pc.ReadOptions(autogenerate_column_names=True))
    cols = []
    for i in range(table.num_columns - 1):
        cols.append(Column(f"C{i + 1}", "int", table.column(i).to_numpy().astype(np.float64)))
    y = table.column(table.num_columns - 1).to_numpy().astype(np.int32)
    cols.append(Column(f"C{table.num_columns}", "enum", y, [str(d) for d in range(10)]))
    return Frame(f"mnist_{name}", cols)


def params_for(**overrides):
    from h2o_backend.engine.parameters import DeepLearningParameters
    p = DeepLearningParameters()
    for k, v in {**TRIAL, "response_column": "C785", "training_frame": "mnist_train",
                 "validation_frame": "mnist_test", **overrides}.items():
        setattr(p, k, v)
    return p


def first_call_latency() -> float:
    """Time of a tiny training run in a fresh process state: loading (or compiling) the kernels."""
    from h2o_backend.engine.training import train_deeplearning
    from h2o_backend.frames.frame import Column, Frame
    rng = np.random.default_rng(0)
    fr = Frame("tiny", [Column("a", "real", rng.normal(size=50)), Column("b", "real", rng.normal(size=50)),
                        Column("y", "enum", rng.integers(0, 2, 50).astype(np.int32), ["n", "y"])])
    p = params_for(hidden=[4], epochs=1.0, response_column="y", training_frame="tiny", validation_frame=None,
                   input_dropout_ratio=0.0, l1=0.0, activation="Rectifier")
    t = time.perf_counter()
    train_deeplearning(p, fr)
    return time.perf_counter() - t


def run_ours(train, test, threads: int | None, **overrides) -> dict:
    import numba

    from h2o_backend.engine.training import train_deeplearning
    prev = numba.get_num_threads()
    if threads:
        numba.set_num_threads(threads)
    try:
        p = params_for(**overrides)
        t = time.perf_counter()
        model = train_deeplearning(p, train, test)
        wall = time.perf_counter() - t
    finally:
        numba.set_num_threads(prev)
    out = model.output
    last = out["scoring_history"][-1]
    return {"threads": threads or prev, "wall_s": wall, "epochs": out["epoch_counter"],
            "samples": last["samples"], "samples_per_s": last["training_speed_obs"],
            "samples_per_wall_s": last["samples"] / wall,
            "test_error": out["validation_metrics"]["classification_error"],
            "train_error": out["training_metrics"]["classification_error"],
            "scoring_events": len(out["scoring_history"]),
            "history": [{k: e.get(k) for k in ("duration", "training_speed", "epochs", "samples",
                                                 "training_classification_error",
                                                 "validation_classification_error")}
                        for e in out["scoring_history"]]}


def run_h2o3(epochs: float, threads: int) -> dict:
    from h2o3_reference import H2O3Server
    params = dict(TRIAL, epochs=epochs)
    with H2O3Server(nthreads=threads) as ref:
        train, _ = ref.import_csv(os.path.join(DATA, "mnist_train.csv.gz"))
        test, _ = ref.import_csv(os.path.join(DATA, "mnist_test.csv.gz"))
        for frame in (train, test):
            ref.as_factor(frame, 784)
        res = ref.train_deeplearning(train, "C785", validation_frame=test, **params)
    return {"threads": threads, "wall_s": res.wall_s, "samples_per_s": res.samples_per_s,
            "test_error": res.test_error, "epochs": res.epochs}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="epochs 1")
    ap.add_argument("--epochs", type=float)
    ap.add_argument("--threads", type=int, help="numba threads (default: all)")
    ap.add_argument("--seed", type=int, default=-1)
    ap.add_argument("--speed", action="store_true", help="samples/s with 1 and 2 threads (0.5 epoch each)")
    ap.add_argument("--with-h2o3", action="store_true", help="also train H2O-3 (bench/h2o3_reference.py)")
    ap.add_argument("--json", help="write the figures to this JSON file")
    args = ap.parse_args(argv)
    epochs = 1.0 if args.quick else (args.epochs or TRIAL["epochs"])

    t = time.perf_counter()
    latency = first_call_latency()
    print(f"first-call latency (kernel load/compile + tiny run): {latency:.2f} s", flush=True)
    train, test = read_mnist("train"), read_mnist("test")
    print(f"read MNIST with pyarrow: {time.perf_counter() - t - latency:.1f} s", flush=True)
    report = {"first_call_latency_s": latency, "runs": []}
    if args.speed:
        for threads in (1, 2):
            r = run_ours(train, test, threads, epochs=0.5, seed=args.seed, score_interval=1e9)
            print(f"  {threads} thread(s): {r['samples_per_s']:.0f} samples/s (training speed), "
                  f"{r['samples_per_wall_s']:.0f} samples per wall second", flush=True)
            report["runs"].append(r)
    else:
        r = run_ours(train, test, args.threads, epochs=epochs, seed=args.seed)
        report["runs"].append(r)
        print(f"ours: {r['threads']} threads, epochs {r['epochs']:.3f}, wall {r['wall_s']:.1f} s, "
              f"{r['samples_per_s']:.0f} samples/s, test error {100 * r['test_error']:.2f}% "
              f"(train {100 * r['train_error']:.2f}%), {r['scoring_events']} scoring events", flush=True)
        for e in r["history"]:
            print(f"   {e['duration']:>16} {e['training_speed']:>16} epochs {e['epochs']:.3f} "
                  f"train_err {e['training_classification_error']:.4f} "
                  f"valid_err {e['validation_classification_error']:.4f}")
        if args.with_h2o3:
            h = run_h2o3(epochs, args.threads or 2)
            report["h2o3"] = h
            print(f"H2O-3: wall {h['wall_s']:.1f} s, {h['samples_per_s']:.0f} samples/s, "
                  f"test error {100 * h['test_error']:.2f}%")
            print(f"ratio ours/H2O-3 wall time: {r['wall_s'] / h['wall_s']:.3f}; test error difference "
                  f"{100 * (r['test_error'] - h['test_error']):+.2f} points")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
