"""MNIST trial network on one process and on a local Dask cluster (issue 11), optionally against
H2O-3 as a multi-node cloud on this machine.

hidden 200,200,200, RectifierWithDropout, input_dropout_ratio 0.2, l1 1e-5, 10 epochs on the 60,000
rows of mnist_train.csv.gz, validated on mnist_test.csv.gz (bench/mnist_trial.py's TRIAL):

1. single process, 1 thread (the engine's local iterations);
2. a local Dask cluster of 2 workers x 1 thread (cluster/connect.py), model averaging with
   replicate_training_data TRUE and FALSE, through the same train_deeplearning entry point;
3. a simulated larger cluster: 4 workers x 1 thread (more workers than this machine's cores: it
   shows that averaging over 4 copies trains as well, not a speed-up);
4. ``--with-h2o3``: H2O-3 as a 2-node cloud (two JVMs of 1 thread each joined with a flatfile).

    cd bench && python dask_scaling.py                 # everything but H2O-3
    cd bench && python dask_scaling.py --epochs 2 --with-h2o3

Prints wall seconds, samples per wall second, test error, the seconds spent scoring (on the server,
while the workers wait) and the speed-up of 2 workers over 1 process (wall time of the same number of
epochs). The kernels are loaded before each timed run, in the benchmark's process (which scores, and
trains the single-process run) and on the workers, as a server does at start.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "python_backend"))

from mnist_trial import DATA, TRIAL, params_for, read_mnist  # noqa: E402


def summarize(label: str, model, wall: float) -> dict:
    out = model.output
    samples = out["scoring_history"][-1]["samples"]
    r = {"run": label, "wall_s": wall, "samples": samples, "samples_per_wall_s": samples / wall,
         "epochs": out["epoch_counter"], "iterations": out["iterations"],
         "train_samples_per_iteration": out.get("train_samples_per_iteration"),
         "test_error": out["validation_metrics"]["classification_error"],
         "train_error": out["training_metrics"]["classification_error"],
         "scoring_events": len(out["scoring_history"]), "scoring_s": out["total_scoring_time_ms"] / 1000.0,
         "warnings": out.get("warnings")}
    print(f"{label:<44} wall {wall:7.1f} s  {r['samples_per_wall_s']:8.0f} samples/s  "
          f"test error {100 * r['test_error']:5.2f}%  epochs {r['epochs']:.2f}  iterations {r['iterations']}  "
          f"tspi {r['train_samples_per_iteration']}  scoring {r['scoring_s']:.1f} s", flush=True)
    return r


def single_process(train, test, epochs: float, seed: int) -> dict:
    import numba

    from h2o_backend.engine.sgd import warm_up
    from h2o_backend.engine.training import train_deeplearning
    prev = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        warm_up()
        t = time.perf_counter()
        model = train_deeplearning(params_for(epochs=epochs, seed=seed), train, test)
        return summarize("single process, 1 thread", model, time.perf_counter() - t)
    finally:
        numba.set_num_threads(prev)


AVERAGING = {        # --averaging NAME: the parameters of that combination of the copies
    "plain": {},
    "block_momentum": {"block_momentum": -1.0},           # eta = 1 - 1/N (cluster/averaging.py)
    "elastic": {"elastic_averaging": True},               # H2O-3's defaults: moving rate 0.9, regularization 1e-3
}


def on_cluster(train, test, n_workers: int, epochs: float, seed: int, label: str, tspi: int = -2,
               averaging=("plain",), replicates=(True, False)) -> list[dict]:
    from h2o_backend.cluster import connect
    from h2o_backend.cluster.tasks import warm_up
    from h2o_backend.engine.training import train_deeplearning
    cluster = connect.start(n_workers=n_workers, threads=1)
    try:
        cluster.client.run(warm_up)
        warm_up()           # the scoring kernels of this process (the server), with its threads
        runs = []
        for mode in averaging:
            for replicate in replicates:
                p = params_for(epochs=epochs, seed=seed, replicate_training_data=replicate,
                               train_samples_per_iteration=tspi, **AVERAGING[mode])
                t = time.perf_counter()
                model = train_deeplearning(p, train, test, cluster=cluster)
                r = summarize(f"{label}, {mode}, replicate={str(replicate).upper()}", model, time.perf_counter() - t)
                r["averaging"] = mode
                runs.append(r)
        return runs
    finally:
        cluster.close()


def h2o3_cloud(epochs: float, nodes: int) -> dict:
    from h2o3_reference import H2O3Server
    with H2O3Server(nthreads=1, nodes=nodes) as ref:
        train, _ = ref.import_csv(os.path.join(DATA, "mnist_train.csv.gz"))
        test, _ = ref.import_csv(os.path.join(DATA, "mnist_test.csv.gz"))
        for frame in (train, test):
            ref.as_factor(frame, 784)
        res = ref.train_deeplearning(train, "C785", validation_frame=test, **dict(TRIAL, epochs=epochs))
    r = {"run": f"H2O-3 3.46, {nodes}-node cloud x 1 thread", "wall_s": res.wall_s,
         "samples_per_wall_s": (res.samples or 0) / res.wall_s, "samples_per_s_h2o": res.samples_per_s,
         "test_error": res.test_error, "epochs": res.epochs}
    print(f"{r['run']:<44} wall {res.wall_s:7.1f} s  {r['samples_per_wall_s']:8.0f} samples/s  "
          f"test error {100 * (res.test_error or 0):5.2f}%  epochs {res.epochs}  "
          f"(H2O-3's own training_speed {res.samples_per_s})", flush=True)
    return r


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=float, default=TRIAL["epochs"])
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--tspi", type=int, default=-2,
                    help="train_samples_per_iteration of the cluster runs (-2 auto, -1 all local rows, 0 one epoch)")
    ap.add_argument("--with-h2o3", action="store_true", help="also train H2O-3 as a 2-node cloud")
    ap.add_argument("--no-simulated", action="store_true", help="skip the 4-worker run")
    ap.add_argument("--averaging", default="plain", help="comma-separated: " + ", ".join(AVERAGING))
    ap.add_argument("--replicate", choices=("both", "true", "false"), default="both",
                    help="replicate_training_data of the cluster runs")
    ap.add_argument("--json", help="write the figures to this JSON file")
    args = ap.parse_args(argv)
    modes = tuple(m.strip() for m in args.averaging.split(",") if m.strip())
    unknown = [m for m in modes if m not in AVERAGING]
    if unknown:
        ap.error(f"--averaging: unknown mode(s) {', '.join(unknown)}")
    replicates = {"both": (True, False), "true": (True,), "false": (False,)}[args.replicate]
    import logging
    logging.basicConfig(level=logging.WARNING, format="    %(name)s: %(message)s")
    logging.getLogger("h2o_backend.cluster").setLevel(logging.INFO)
    logging.getLogger("distributed").setLevel(logging.ERROR)
    import h2o_backend
    print(f"h2o_backend from {h2o_backend.__file__}", flush=True)
    train, test = read_mnist("train"), read_mnist("test")
    report = {"epochs": args.epochs, "cpus": os.cpu_count(), "load_before": os.getloadavg()}
    print(f"MNIST trial network, {args.epochs:g} epochs, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
          flush=True)
    one = single_process(train, test, args.epochs, args.seed)
    two = on_cluster(train, test, 2, args.epochs, args.seed, "Dask 2 workers x 1 thread", args.tspi, modes, replicates)
    report["runs"] = [one, *two]
    for r in two:
        r["speed_up"] = one["wall_s"] / r["wall_s"]
        r["test_error_points_vs_single"] = 100 * (r["test_error"] - one["test_error"])
        print(f"  speed-up of {r['run']}: {r['speed_up']:.2f}x, test error "
              f"{r['test_error_points_vs_single']:+.2f} points vs single process", flush=True)
    if not args.no_simulated:
        four = on_cluster(train, test, 4, args.epochs, args.seed, "SIMULATED Dask 4 workers x 1 thread", args.tspi,
                          modes, replicates)
        for r in four:
            r["test_error_points_vs_single"] = 100 * (r["test_error"] - one["test_error"])
            print(f"  {r['run']}: test error {r['test_error_points_vs_single']:+.2f} points vs single process",
                  flush=True)
        report["runs"] += four
    if args.with_h2o3:
        h = h2o3_cloud(args.epochs, 2)
        report["h2o3"] = h
        best = min(two, key=lambda r: r["wall_s"])
        print(f"  our 2-worker run ({best['run']}) vs H2O-3 2-node cloud: "
              f"{h['wall_s'] / best['wall_s']:.2f}x faster", flush=True)
    report["load_after"] = os.getloadavg()
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(report, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
