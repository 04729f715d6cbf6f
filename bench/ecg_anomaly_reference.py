"""H2O-3 side of the booklet's ECG anomaly detection (section 4.2), as reference figures.

Deep autoencoder on the 20 "normal" heartbeats of ecg_train.csv (no header, all 210 columns as
inputs): hidden 50,20,50, Tanh, l1 1e-4, epochs 100; then the per-row reconstruction MSE of the 23
rows of ecg_test.csv (h2o.anomaly). The booklet says rows 21-23 (1-based) are the anomalies.

    cd bench && python ecg_anomaly_reference.py                 # 3 runs, seeds 1..3
    cd bench && python ecg_anomaly_reference.py --runs 5 --json results/ecg_h2o3.json
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
AUTOENCODER = dict(autoencoder=True, hidden=[50, 20, 50], activation="Tanh", l1=1e-4, epochs=100)


def top_rows(errors: list[float], k: int = 3) -> list[tuple[int, float]]:
    """The k largest errors as (1-based row, value), largest first."""
    order = sorted(range(len(errors)), key=lambda i: errors[i], reverse=True)[:k]
    return [(i + 1, errors[i]) for i in order]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3, help="independent trainings (seeds 1..runs)")
    ap.add_argument("--nthreads", type=int, default=2)
    ap.add_argument("--reproducible", action="store_true", help="pass reproducible=True (1 thread)")
    ap.add_argument("--json", help="also write the figures to this JSON file")
    args = ap.parse_args(argv)

    import h2o

    h2o.no_progress()
    runs = []
    with H2O3Server(nthreads=args.nthreads) as ref:
        train, _ = ref.import_csv(os.path.join(DATA, "ecg_train.csv"))
        test, _ = ref.import_csv(os.path.join(DATA, "ecg_test.csv"))
        print(f"train {ref.frame_dims(train)}, test {ref.frame_dims(test)}")
        for seed in range(1, args.runs + 1):
            params = dict(AUTOENCODER, seed=seed, reproducible=args.reproducible)
            res = ref.train_deeplearning(train, **params)
            errors = ref.reconstruction_errors(res.model_id, test)
            top = top_rows(errors)
            train_mse = res.scoring_history[-1].get("training_mse") if res.scoring_history else None
            runs.append({"seed": seed, "params": params, "wall_s": res.wall_s,
                         "samples_per_s": res.samples_per_s, "training_mse": train_mse,
                         "errors": errors, "top3": top})
            print(f"seed {seed}: wall {res.wall_s:.1f} s, training MSE {train_mse}, top-3 rows "
                  + ", ".join(f"{r} ({v:.5f})" for r, v in top)
                  + ("  [rows 21-23 as in the booklet]" if {r for r, _ in top} == {21, 22, 23} else ""))
        print("reconstruction MSE per test row (last run):")
        for i, e in enumerate(runs[-1]["errors"], start=1):
            print(f"  row {i:2d}: {e:.6f}")
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        with open(args.json, "w") as fh:
            json.dump({"date": datetime.datetime.now().isoformat(timespec="seconds"),
                       "h2o_version": h2o.__version__, "nthreads": args.nthreads, "runs": runs},
                      fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
