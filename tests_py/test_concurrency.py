"""Jobs at the same time: two trainings and a prediction started at the same moment on a real
server all finish, and give what they give alone (reproducible=TRUE, seeded); the kernels run
under numba's thread-safe TBB layer (cli.py pins it), which shares the cores between the jobs."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from conftest import DATA, ServerProcess, finished_job


@pytest.fixture(scope="module")
def busy_server():
    proc = ServerProcess()
    url = proc.url
    requests.get(f"{url}/3/ImportFiles", params={"path": str(DATA / "covtype.20k.csv.gz")},
                 timeout=60).raise_for_status()
    raw = "nfs:/" + str(DATA / "covtype.20k.csv.gz")
    requests.post(f"{url}/3/Parse", data={"source_frames": f'["{raw}"]', "destination_frame": "covtype.hex",
                                          "blocking": "true"}, timeout=300).raise_for_status()
    assert finished_job(url, start_training(url, "base", seed="7"))["status"] == "DONE"
    yield proc
    proc.stop()


def start_training(url: str, model_id: str, seed: str) -> str:
    reply = requests.post(f"{url}/3/ModelBuilders/deeplearning", data={
        "training_frame": "covtype.hex", "response_column": "C55", "classification": "true",
        "model_id": model_id, "hidden": "[16,16]", "epochs": "2", "reproducible": "true", "seed": seed},
        timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()["job"]["key"]["name"]


def predict(url: str, model_id: str, dest: str) -> int:
    reply = requests.post(f"{url}/3/Predictions/models/{model_id}/frames/covtype.hex",
                          data={"predictions_frame": dest}, timeout=300)
    return reply.status_code


def csv_of(url: str, frame: str) -> str:
    reply = requests.get(f"{url}/3/DownloadDataset", params={"frame_id": frame}, timeout=120)
    reply.raise_for_status()
    return reply.text


def training_metrics(url: str, model_id: str) -> tuple:
    model = requests.get(f"{url}/3/Models/{model_id}", timeout=60).json()["models"][0]
    metrics = model["output"]["training_metrics"]
    return metrics["MSE"], metrics["logloss"]


def test_two_trainings_and_a_prediction_at_once_match_their_runs_alone(busy_server):
    url = busy_server.url
    keys: dict[str, str] = {}
    statuses: dict[str, int] = {}
    barrier = threading.Barrier(3)

    def train_at_once(model_id: str, seed: str) -> None:
        barrier.wait()
        keys[model_id] = start_training(url, model_id, seed)

    def predict_at_once() -> None:
        barrier.wait()
        statuses["prediction"] = predict(url, "base", "pred_together")

    threads = [threading.Thread(target=train_at_once, args=("together_a", "1")),
               threading.Thread(target=train_at_once, args=("together_b", "2")),
               threading.Thread(target=predict_at_once)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    jobs = {m: finished_job(url, k) for m, k in keys.items()}
    assert {m: j["status"] for m, j in jobs.items()} == {"together_a": "DONE", "together_b": "DONE"}, jobs
    assert statuses["prediction"] == 200

    # the same work, one job at a time
    assert finished_job(url, start_training(url, "alone_a", "1"))["status"] == "DONE"
    assert finished_job(url, start_training(url, "alone_b", "2"))["status"] == "DONE"
    assert predict(url, "base", "pred_alone") == 200

    assert training_metrics(url, "together_a") == training_metrics(url, "alone_a")
    assert training_metrics(url, "together_b") == training_metrics(url, "alone_b")
    assert training_metrics(url, "together_a") != training_metrics(url, "together_b")
    assert csv_of(url, "pred_together") == csv_of(url, "pred_alone")
    for m in ("a", "b"):
        predict(url, f"together_{m}", f"p_together_{m}")
        predict(url, f"alone_{m}", f"p_alone_{m}")
        assert csv_of(url, f"p_together_{m}") == csv_of(url, f"p_alone_{m}")


def test_the_kernels_run_under_the_tbb_threading_layer(busy_server):
    log = next(iter(__import__("pathlib").Path(busy_server.log_dir).glob("h2o_backend_*.log")))
    deadline = time.time() + 120
    while time.time() < deadline and "numba threading layer" not in log.read_text():
        time.sleep(0.5)
    assert "numba threading layer: tbb" in log.read_text()
