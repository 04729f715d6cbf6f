"""H2O-3 side of the booklet's MNIST trial run (section 3.2), as reference figures.

hidden 200,200,200, RectifierWithDropout, input_dropout_ratio 0.2, l1 1e-5, epochs 10, trained on
the 60,000 rows of mnist_train.csv.gz and validated on the 10,000 rows of mnist_test.csv.gz; all
other parameters are H2O-3's defaults (train_samples_per_iteration=-2, not reproducible).

    cd bench && python mnist_trial_reference.py            # full trial, -nthreads 2
    cd bench && python mnist_trial_reference.py --quick    # epochs 1
    cd bench && python mnist_trial_reference.py --nthreads 1 --epochs 1 --json results/x.json
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from h2o3_reference import H2O3Server  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "demos", "data")
TRIAL = dict(hidden=[200, 200, 200], activation="RectifierWithDropout",
             input_dropout_ratio=0.2, l1=1e-5, epochs=10)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="epochs 1")
    ap.add_argument("--epochs", type=float, help="override the number of epochs")
    ap.add_argument("--nthreads", type=int, default=2)
    ap.add_argument("--seed", type=int, help="pass a seed (H2O-3's default is random)")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--keep-logs", help="copy H2O-3's logs into this directory at exit")
    args = ap.parse_args(argv)

    import h2o

    h2o.no_progress()
    params = dict(TRIAL)
    if args.quick:
        params["epochs"] = 1
    if args.epochs is not None:
        params["epochs"] = args.epochs
    if args.seed is not None:
        params["seed"] = args.seed

    with H2O3Server(nthreads=args.nthreads, keep_logs=args.keep_logs) as ref:
        train, t_train = ref.import_csv(os.path.join(DATA, "mnist_train.csv.gz"))
        test, t_test = ref.import_csv(os.path.join(DATA, "mnist_test.csv.gz"))
        for frame in (train, test):
            ref.as_factor(frame, 784)
        print(f"parse: train {ref.frame_dims(train)} in {t_train:.1f} s, test {ref.frame_dims(test)} "
              f"in {t_test:.1f} s", flush=True)
        res = ref.train_deeplearning(train, "C785", validation_frame=test, **params)
        notes = ref.dl_log_notes()

    print(f"H2O-3 {h2o.__version__}, nthreads {args.nthreads}, params {params}")
    print(res.summary())
    print(f"test error: {100 * res.test_error:.2f}%")
    print(f"wall time: {res.wall_s:.1f} s")
    print(f"samples/s: {res.samples_per_s:.0f}")
    print("scoring history:")
    for row in res.scoring_history:
        print(f"  {row.get('duration')!s:>14} {row.get('training_speed')!s:>16} epochs {row.get('epochs')} "
              f"samples {row.get('samples')} train_err {row.get('training_classification_error')} "
              f"valid_err {row.get('validation_classification_error')}")
    print("H2O-3 log notes (auto-tuning, last progress line):")
    progress = [n for n in notes if n.startswith(("Training time:", "Iterations:"))]
    for line in [n for n in notes if n not in progress] + progress[-2:]:
        print("  " + line)
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump({"date": datetime.datetime.now().isoformat(timespec="seconds"),
                       "h2o_version": h2o.__version__, "nthreads": args.nthreads, "params": params,
                       "parse_s": {"train": t_train, "test": t_test}, "result": vars(res),
                       "log_notes": notes}, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
