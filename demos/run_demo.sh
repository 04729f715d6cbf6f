#!/usr/bin/env bash
# The booklet's walkthrough: start the backend on $PORT, run the example scripts unchanged
# in a working folder holding the data files they name, stop the backend we started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PYTHON=${PYTHON:-python3}
PORT=${PORT:-54321}
export H2O_PORT=$PORT
WORK=${DEMO_DIR:-build/demo}
SCRIPTS=${DEMO_SCRIPTS:-"01_start.R 02_weather.R 03_mnist.R 04_anomaly.R"}

mkdir -p "$WORK"
cp demos/data/weather.csv demos/data/ecg_train.csv demos/data/ecg_test.csv "$WORK"/
for f in mnist_train mnist_test; do
  [ -s "$WORK/$f.csv" ] || gzip -dc "demos/data/$f.csv.gz" > "$WORK/$f.csv"
done

started=""
if ! curl -sf "http://127.0.0.1:$PORT/3/Cloud" >/dev/null; then
  echo "Starting the backend on port $PORT (log: $WORK/backend.log)"
  "$PYTHON" -m h2o_backend --port "$PORT" --log-dir "$WORK" >"$WORK/backend.log" 2>&1 &
  started=$!
  trap '[ -n "$started" ] && kill "$started" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    curl -sf "http://127.0.0.1:$PORT/3/Cloud" >/dev/null && break
    sleep 0.5
  done
fi

for script in $SCRIPTS; do
  echo "=================== $script ==================="
  (cd "$WORK" && Rscript "$ROOT/demos/$script")
done
