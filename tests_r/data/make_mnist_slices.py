"""Stratified MNIST slices for the booklet run in tests_r (keeps `make test` short).

Takes the same share of every digit from demos/data/mnist_{train,test}.csv.gz, rows in their
original order, with a fixed seed, and writes tests_r/data/mnist_{train,test}_slice.csv.gz:
    python tests_r/data/make_mnist_slices.py [--train 3000] [--test 1000]
"""
import argparse
import gzip
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "demos", "data")


def stratified_rows(labels: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    picked = []
    for digit in np.unique(labels):
        rows = np.flatnonzero(labels == digit)
        take = int(round(n * len(rows) / len(labels)))
        picked.append(rng.choice(rows, size=min(take, len(rows)), replace=False))
    return np.sort(np.concatenate(picked))


def write_slice(name: str, n: int, seed: int) -> None:
    with gzip.open(os.path.join(DATA, f"mnist_{name}.csv.gz"), "rt") as f:
        lines = f.read().splitlines()
    labels = np.array([int(line.rsplit(",", 1)[1]) for line in lines])
    rows = stratified_rows(labels, n, np.random.default_rng(seed))
    out = os.path.join(HERE, f"mnist_{name}_slice.csv.gz")
    with gzip.GzipFile(out, "wb", mtime=0) as f:
        f.write(("\n".join(lines[i] for i in rows) + "\n").encode())
    print(f"{out}: {len(rows)} rows, digits {np.bincount(labels[rows]).tolist()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=int, default=3000)
    ap.add_argument("--test", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20141)
    args = ap.parse_args()
    write_slice("train", args.train, args.seed)
    write_slice("test", args.test, args.seed + 1)


if __name__ == "__main__":
    main()
