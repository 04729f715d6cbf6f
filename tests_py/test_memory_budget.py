"""The memory budget (--max-mem): estimates, refusals before anything is allocated, /3/Cloud's
memory fields, --max-upload, and cancel of a network whose rows take long."""
from __future__ import annotations

import json
import shutil
import tempfile
import time

import numpy as np
import pytest
import requests

from conftest import ServerProcess
from model_rest_helpers import assert_h2o_error, import_frame, job_of, model_of, wait_job
from protocol_schema import assert_matches_schema

MB = 1024 ** 2
GB = 1024 ** 3


@pytest.fixture()
def make_app():
    apps = []

    def make(**config):
        from h2o_backend.server import create_app
        app = create_app({"spool_dir": tempfile.mkdtemp(prefix="h2o_backend_spool_test_"), **config})
        apps.append(app)
        return app
    yield make
    for app in apps:
        app.config["SERVICES"].jobs.shutdown()
        shutil.rmtree(app.config["SERVICES"].spool_dir, ignore_errors=True)


def wide_csv(path, columns: int, rows: int, seed: int = 0):
    """A CSV of `columns` integer inputs and a two-class response `y`."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 255, size=(rows, columns))
    lines = [",".join([f"x{i}" for i in range(columns)] + ["y"])]
    lines += [",".join(map(str, r)) + ("," + ("a" if r[0] > 127 else "b")) for r in x]
    path.write_text("\n".join(lines) + "\n")
    return path


def model_jobs(client) -> list[dict]:
    """The jobs that build models or grids (not the parses)."""
    return [j for j in client.get("/3/Jobs").get_json()["jobs"] if j["description"] != "Parse"]


# ---------------------------------------------------------------------------- sizes and estimates
def test_sizes_accept_h2o_suffixes():
    from h2o_backend.server.memory import parse_size
    assert parse_size("8g") == 8 * GB and parse_size("200m") == 200 * MB and parse_size("1024k") == MB
    assert parse_size("1T") == 1024 * GB and parse_size("12345") == 12345 and parse_size("1.5g") == int(1.5 * GB)
    for bad in ("", "g", "-1g", "8x", "0"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_network_estimate_counts_weights_and_optimizer_state():
    from h2o_backend.engine.memory import network_estimate
    units = [717, 50000, 50000, 10]
    n_params = 717 * 50000 + 50000 * 50000 + 50000 * 10 + 50000 + 50000 + 10
    parts = dict(network_estimate(units, "Rectifier", "adadelta", n_threads=2).parts)
    assert parts["weights"] == 4 * n_params
    assert parts["ADADELTA state"] == 2 * 4 * n_params              # E[g^2] and E[dx^2] per weight
    assert parts["best-model copy"] == 3 * 4 * n_params
    momentum = dict(network_estimate(units, "Rectifier", "momentum", n_threads=2, best_copy=False).parts)
    assert momentum["momentum state"] == 4 * n_params and "ADADELTA state" not in momentum
    maxout = dict(network_estimate([10, 100, 2], "Maxout", "sgd", n_threads=1).parts)
    assert maxout["weights"] == 4 * (10 * 100 * 2 + 100 * 2 + 100 * 2 + 2)   # 2 pieces per hidden unit


def _traced_bytes(make):
    """Bytes that ``make()`` allocates and keeps (numpy reports its buffers to tracemalloc), and the result."""
    import gc
    import tracemalloc
    gc.collect()
    tracemalloc.start()
    try:
        result = make()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    return held, result


@pytest.mark.parametrize("activation,hogwild,optimizer", [("Rectifier", True, "adadelta"),
                                                          ("Rectifier", False, "momentum"),
                                                          ("Maxout", True, "sgd")])
def test_mini_batch_buffer_estimate_is_what_batch_runner_allocates(activation, hogwild, optimizer):
    from h2o_backend.engine import activations as act
    from h2o_backend.engine.batch_buffers import training_buffer_bytes
    from h2o_backend.engine.batch_sgd import BatchRunner
    from h2o_backend.engine.kernels.layout import MAJOR_INPUT, MAJOR_UNIT
    from h2o_backend.engine.model_info import ModelInfo
    from h2o_backend.engine.sgd import SGDConfig
    code, _ = act.parse_activation(activation)
    units, majors = [300, 400, 200, 3], [MAJOR_UNIT, MAJOR_INPUT, MAJOR_INPUT]
    mi = ModelInfo.create(units, code, act.ACT_SOFTMAX, optimizer=optimizer, classifier=True, majors=majors)
    cfg = SGDConfig(optimizer=optimizer)
    held, runner = _traced_bytes(lambda: BatchRunner(mi, cfg, n_threads=3, batch_size=256, hogwild=hogwild))
    expected = training_buffer_bytes(units, mi.pieces, 256, 3, hogwild, majors)
    assert expected > 3 * mi.w.nbytes        # the buffers, not the weights, are what counts here
    assert expected <= held <= expected + 64 * 1024, (held, expected)
    # the synchronous path keeps one buffer set, HOGWILD! one per thread
    one_set = training_buffer_bytes(units, mi.pieces, 256, 3, False, majors)
    assert training_buffer_bytes(units, mi.pieces, 256, 3, True, majors) > 2.5 * one_set


@pytest.mark.parametrize("rows,input_dropout", [(5000, 0.0), (700, 0.2)])
def test_scoring_buffer_estimate_is_what_forward_allocates(rows, input_dropout):
    from h2o_backend.engine import activations as act
    from h2o_backend.engine.batch_buffers import scoring_buffer_bytes
    from h2o_backend.engine.batch_sgd import forward
    from h2o_backend.engine.model_info import ModelInfo
    units = [50, 300, 300, 2]
    mi = ModelInfo.create(units, act.ACT_TANH, act.ACT_SOFTMAX, optimizer="sgd", classifier=True)
    X = np.random.default_rng(1).random((rows, 50), dtype=np.float32)
    ratios = np.array([input_dropout, 0, 0, 0], np.float32)
    forward(mi, X[:8], ratios, n_threads=2)      # compiled before measuring

    def peak():
        import tracemalloc
        tracemalloc.start()
        try:
            out, _, _ = forward(mi, X, ratios, n_threads=2)
            return tracemalloc.get_traced_memory()[1] - out.nbytes
        finally:
            tracemalloc.stop()
    expected = scoring_buffer_bytes(units, mi.pieces, rows, 2, input_dropout > 0)
    held = peak()
    assert expected <= held <= expected + 256 * 1024, (held, expected)


def test_mini_batch_network_whose_buffers_exceed_the_budget_is_refused(make_app, tmp_path):
    """Weights and optimizer state of a few MB fit; the HOGWILD! buffer sets of 4 threads with
    batches of 2000 rows do not."""
    from h2o_backend.engine import memory
    app = make_app(max_mem=100 * MB, nthreads=4)
    client = app.test_client()
    import_frame(client, wide_csv(tmp_path / "w.csv", 100, 2000), "w.hex")
    fields = {"training_frame": "w.hex", "response_column": "y", "hidden": "[500,500]", "epochs": "1",
              "mini_batch_size": "2000"}
    reply = client.post("/3/ModelBuilders/deeplearning", data={**fields, "model_id": "batched"})
    body = assert_h2o_error(reply, 412, "DeepLearning model needs", "mini-batch buffers of 4 threads",
                            "free of --max-mem 100.0 MB")
    assert [m["field_name"] for m in body["messages"] if m["message_type"] == "ERRR"] == ["mini_batch_size"]
    assert model_jobs(client) == []
    parts = dict(memory.network_estimate([100, 500, 500, 2], "Rectifier", "adadelta", 4, batch_size=2000,
                                         score_rows=2000).parts)
    assert parts["mini-batch buffers of 4 threads"] > 100 * MB > 4 * parts["weights"]
    # the synchronous path holds one buffer set: it fits, as does the per-sample path
    for extra in ({"reproducible": "true"}, {"mini_batch_size": "1"}):
        ok = client.post("/3/ModelBuilders/deeplearning", data={**fields, **extra})
        assert ok.status_code == 200, ok.get_json()
        assert wait_job(client, ok.get_json()["job"]["key"]["name"])["status"] == "DONE"


def test_frame_estimate_of_plain_gzip_and_zip_files(tmp_path):
    import gzip
    import zipfile

    from h2o_backend.parse.estimate import decompressed_size, frame_bytes
    plain = wide_csv(tmp_path / "w.csv", 30, 20000)
    text = plain.read_bytes()
    packed = tmp_path / "w.csv.gz"
    packed.write_bytes(gzip.compress(text))
    zipped = tmp_path / "w.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("w.csv", text)
    for path in (plain, packed, zipped):
        assert decompressed_size(str(path)) == len(text)            # gzip: from its trailer
        nbytes, rows = frame_bytes([str(path)], 31)
        assert abs(rows - 20001) < 20001 * 0.05 and nbytes == rows * 31 * 8


# ---------------------------------------------------------------------------- /3/Cloud
def test_cloud_reports_the_budget_and_what_the_store_holds(make_app, data_dir):
    app = make_app(max_mem=300 * MB)
    client = app.test_client()
    node = client.get("/3/Cloud").get_json()["nodes"][0]
    assert node["max_mem"] == 300 * MB and node["free_mem"] == 300 * MB and node["mem_value_size"] == 0
    import_frame(client, data_dir / "iris.csv", "iris.hex")
    body = client.get("/3/Cloud").get_json()
    assert_matches_schema("/3/Cloud", "get", 200, body)
    node = body["nodes"][0]
    frame_bytes = app.config["SERVICES"].store.get("iris.hex").byte_size
    assert node["mem_value_size"] == frame_bytes > 0
    assert node["free_mem"] == 300 * MB - frame_bytes
    assert node["pojo_mem"] > 0


# ---------------------------------------------------------------------------- model builds
def test_network_larger_than_the_budget_is_refused_before_training(make_app, tmp_path):
    app = make_app(max_mem=8 * GB)
    client = app.test_client()
    import_frame(client, wide_csv(tmp_path / "wide.csv", 717, 20), "wide.hex")
    fields = {"training_frame": "wide.hex", "response_column": "y", "hidden": "[50000,50000]", "epochs": "1"}
    reply = client.post("/3/ModelBuilders/deeplearning", data={**fields, "model_id": "huge"})
    body = assert_h2o_error(reply, 412, "DeepLearning model needs", "weights 9.4 GB", "ADADELTA state 18.9 GB",
                            "free of --max-mem 8.0 GB", "too much")
    assert_matches_schema("/3/ModelBuilders/deeplearning", "post", 412, body)
    assert [m["field_name"] for m in body["messages"] if m["message_type"] == "ERRR"] == ["hidden"]
    assert model_jobs(client) == []      # refused before any job started
    assert client.get("/3/Models/huge").status_code == 404
    # the validation endpoint says the same without starting anything
    check = client.post("/3/ModelBuilders/deeplearning/parameters", data=fields).get_json()
    assert check["error_count"] == 1 and "needs" in check["messages"][-1]["message"]
    # a network that fits is accepted on the same server
    ok = client.post("/3/ModelBuilders/deeplearning", data={**fields, "hidden": "[20]", "model_id": "small"})
    assert ok.status_code == 200
    assert wait_job(client, ok.get_json()["job"]["key"]["name"])["status"] == "DONE"


def test_moderate_network_over_a_small_budget_and_a_grid_holding_one(make_app, data_dir):
    app = make_app(max_mem=200 * MB)
    client = app.test_client()
    import_frame(client, data_dir / "iris.csv", "iris.hex")
    reply = client.post("/3/ModelBuilders/deeplearning",
                        data={"training_frame": "iris.hex", "response_column": "C5", "hidden": "[5000,5000]"})
    assert_h2o_error(reply, 412, "DeepLearning model needs", "ADADELTA state", "free of --max-mem 200.0 MB")
    # momentum keeps one array per weight instead of two: still too large, and said so
    reply = client.post("/3/ModelBuilders/deeplearning",
                        data={"training_frame": "iris.hex", "response_column": "C5", "hidden": "[5000,5000]",
                              "adaptive_rate": "false", "momentum_start": "0.5"})
    assert_h2o_error(reply, 412, "momentum state")
    grid = client.post("/99/Grid/deeplearning", data={
        "training_frame": "iris.hex", "response_column": "C5", "grid_id": "g",
        "hyper_parameters": json.dumps({"hidden": [[5], [5000, 5000]]})})
    assert_h2o_error(grid, 412, "DeepLearning model needs")
    assert client.get("/99/Grids/g").status_code == 404
    assert model_jobs(client) == []


def test_running_jobs_reserve_their_estimate(make_app, data_dir):
    app = make_app(max_mem=200 * MB)
    svc = app.config["SERVICES"]
    client = app.test_client()
    import_frame(client, data_dir / "iris.csv", "iris.hex")
    reply = client.post("/3/ModelBuilders/deeplearning",
                        data={"training_frame": "iris.hex", "response_column": "C5", "hidden": "[200]",
                              "epochs": "100000", "model_id": "long"})
    job = reply.get_json()["job"]["key"]["name"]
    held = svc.memory.reserved
    assert held > 0
    assert client.get("/3/Cloud").get_json()["nodes"][0]["free_mem"] <= 200 * MB - held
    client.post(f"/3/Jobs/{job}/cancel")
    assert wait_job(client, job)["status"] == "CANCELLED"
    assert svc.memory.reserved == 0                   # released when the job ended
    model = app.config["SERVICES"].store.get("long")
    node = client.get("/3/Cloud").get_json()["nodes"][0]
    assert node["mem_value_size"] == svc.store.get("iris.hex").byte_size + model.model_info.w.nbytes * 3 + \
        model.model_info.b.nbytes * 3


# ---------------------------------------------------------------------------- predictions
def test_prediction_whose_output_does_not_fit_is_refused(make_app, data_dir):
    app = make_app(max_mem=200 * MB)
    client = app.test_client()
    import_frame(client, data_dir / "iris.csv", "iris.hex")
    reply = client.post("/3/ModelBuilders/deeplearning", data={"training_frame": "iris.hex", "response_column": "C5",
                                                                "hidden": "[3]", "epochs": "1", "model_id": "m"})
    wait_job(client, reply.get_json()["job"]["key"]["name"])
    memory = app.config["SERVICES"].memory
    memory.max_bytes = memory.used() + 1000           # less than 150 rows of predictions need
    reply = client.post("/3/Predictions/models/m/frames/iris.hex")
    body = assert_h2o_error(reply, 412, "Prediction needs", "output frame", "free of --max-mem")
    assert body["values"]["argument"] == "frame_id"
    assert not [k for k in app.config["SERVICES"].store.keys() if k.startswith("predict")]


# ---------------------------------------------------------------------------- Rapids
def test_rapids_result_that_does_not_fit_is_refused_before_it_is_made(make_app, data_dir):
    app = make_app(max_mem=200 * MB)
    client = app.test_client()
    import_frame(client, data_dir / "iris.csv", "iris.hex")
    svc = app.config["SERVICES"]
    iris_bytes = svc.store.get("iris.hex").byte_size
    svc.memory.max_bytes = svc.memory.used() + 3 * iris_bytes        # room for about three copies
    keys_before = set(svc.store.keys())
    reply = client.post("/99/Rapids", data={"ast": "(assign wide (cbind iris.hex iris.hex iris.hex iris.hex))"})
    body = assert_h2o_error(reply, 412, "Rapids expression needs", "free of --max-mem")
    assert body["values"]["argument"] == "ast"
    assert set(svc.store.keys()) == keys_before and svc.memory.reserved == 0
    fits = client.post("/99/Rapids", data={"ast": "(assign two (cbind iris.hex iris.hex))"})
    assert fits.status_code == 200 and fits.get_json()["num_cols"] == 10
    assert client.post("/99/Rapids", data={"ast": "(nrow iris.hex)"}).status_code == 200
    assert svc.memory.reserved == 0


# ---------------------------------------------------------------------------- a real server
def test_frame_larger_than_the_budget_and_upload_larger_than_max_upload(tmp_path):
    big = wide_csv(tmp_path / "big.csv", 40, 12000)               # about 2 MB of text, 3.9 MB parsed
    server = ServerProcess(extra_args=["--max-mem", "2m", "--max-upload", "3m"])
    try:
        base = server.url
        node = requests.get(base + "/3/Cloud").json()["nodes"][0]
        assert node["max_mem"] == 2 * MB
        with open(big, "rb") as fh:
            up = requests.post(base + "/3/PostFile.bin", params={"destination_frame": "big.csv"}, files={"file": fh})
        assert up.status_code == 200, up.text
        parse = requests.post(base + "/3/Parse", data={"source_frames": '["big.csv"]', "blocking": "true",
                                                       "destination_frame": "big.hex"})
        assert parse.status_code == 412, parse.text
        body = parse.json()
        assert "Parsing big.csv needs" in body["msg"] and "41 columns" in body["msg"]
        assert "free of --max-mem 2.0 MB" in body["msg"] and body["values"]["argument"] == "source_frames"
        assert requests.get(base + "/3/Frames/big.hex").status_code == 404
        # an upload over --max-upload: refused up front (Content-Length) ...
        payload = b"x,y\n" + b"1,2\n" * (1024 * 1024)                  # 4 MB
        reply = requests.post(base + "/3/PostFile.bin", params={"destination_frame": "huge"},
                              files={"file": ("huge.csv", payload)})
        assert reply.status_code == 413 and reply.json()["http_status"] == 413
        assert "--max-upload of 3.0 MB" in reply.json()["msg"]
        # ... and, without a declared length (chunked), as soon as the bytes read pass it
        body = payload[:3 * MB + 500_000]          # over --max-upload, under the HTTP layer's own cap
        chunked = requests.post(base + "/3/PostFile.bin", params={"destination_frame": "huge"},
                                data=(body[i:i + 65536] for i in range(0, len(body), 65536)))
        assert chunked.status_code == 413 and "--max-upload" in chunked.json()["msg"]
        assert requests.get(base + "/3/Cloud").status_code == 200     # still serving
        listed = requests.get(base + "/3/Frames").json()["frames"]
        assert "huge" not in [f["frame_id"]["name"] for f in listed]
    finally:
        server.stop()


# ---------------------------------------------------------------------------- cancel
def test_cancel_stops_a_network_whose_rows_take_long_after_few_rows():
    """hidden=[1000000] on 4 inputs: ~7 M weights, a row costs tens of ms; the first compiled call
    used to train 128 rows per thread before the cancel flag was read."""
    from h2o_backend.engine.parameters import DeepLearningParameters
    from h2o_backend.engine.training import train_deeplearning
    from h2o_backend.frames.frame import Column, Frame
    import numba

    rng = np.random.default_rng(1)
    frame = Frame("f", [Column(f"x{i}", "real", rng.normal(size=200)) for i in range(4)]
                  + [Column("y", "enum", rng.integers(0, 3, 200).astype(np.int32), ["a", "b", "c"])])
    p = DeepLearningParameters()
    p.hidden, p.response_column, p.epochs, p.score_training_samples = [1_000_000], "y", 100.0, 50
    p.score_interval = 60.0   # the final scoring must end within one scoring interval of the cancel: not 5 s on a loaded machine

    class CancelAtFirstProgress:
        stop_requested = False

        def update(self, progress, msg=None):
            if msg and msg.startswith("Training"):
                self.stop_requested = True

    model = train_deeplearning(p, frame, job=CancelAtFirstProgress())
    assert model.output["status"] == "CANCELLED"
    assert 0 < model.model_info.processed < 128 * numba.get_num_threads()
    assert model.output["training_metrics"] is not None      # the final scoring of a cancelled run


def test_scoring_stops_on_cancel_between_slices():
    from h2o_backend.engine import activations as act
    from h2o_backend.engine.model_info import ModelInfo
    from h2o_backend.engine.sgd import ScoringStopped, forward, rows_within

    mi = ModelInfo.create([4, 30000, 3], act.ACT_RECTIFIER, act.ACT_SOFTMAX, optimizer="sgd", classifier=True)
    X = np.random.default_rng(0).normal(size=(20000, 4)).astype(np.float32)
    full = forward(mi, X, np.zeros(3, np.float32))[0]
    left = []
    sliced = forward(mi, X, np.zeros(3, np.float32), stop=lambda seconds_left: left.append(seconds_left) and False)[0]
    np.testing.assert_array_equal(full, sliced)   # slices give the same outputs (the per-row kernel: no BLAS, rows independent)
    assert len(left) > 1 and all(s > 0 for s in left)     # estimated, then projected from measured speed
    with pytest.raises(ScoringStopped):
        forward(mi, X, np.zeros(3, np.float32), stop=lambda seconds_left: True)
    with pytest.raises(ScoringStopped):                        # stops once the rest would take too long
        forward(mi, X, np.zeros(3, np.float32), stop=lambda seconds_left: seconds_left > 1e-9)
    assert rows_within(0.25, 10 ** 9, 2) == 2 and rows_within(0.25, 1000, 2) > 10_000


def test_rest_cancel_of_a_slow_network(make_app, data_dir):
    app = make_app(max_mem=2 * GB)
    client = app.test_client()
    import_frame(client, data_dir / "iris.csv", "iris.hex")
    reply = client.post("/3/ModelBuilders/deeplearning", data={
        "training_frame": "iris.hex", "response_column": "C5", "hidden": "[1000000]", "epochs": "1000",
        "score_training_samples": "50", "model_id": "slow"})
    assert reply.status_code == 200, reply.get_json()
    key = reply.get_json()["job"]["key"]["name"]
    deadline = time.time() + 60
    while job_of(client, key)["status"] in ("CREATED",) and time.time() < deadline:
        time.sleep(0.05)
    assert client.post(f"/3/Jobs/{key}/cancel").status_code == 200
    assert wait_job(client, key)["status"] == "CANCELLED"
    model = model_of(client, "slow")
    assert model["output"]["status"] == "CANCELLED"
    assert app.config["SERVICES"].memory.reserved == 0


def test_upload_limit_applies_to_saved_model_uploads_too(make_app, tmp_path):
    import io
    app = make_app(max_upload=4096)
    client = app.test_client()
    reply = client.post("/99/Models.upload.bin/", data={"file": (io.BytesIO(b"x" * 10_000), "m.bin")},
                        content_type="multipart/form-data")
    body = assert_h2o_error(reply, 413, "larger than the server's --max-upload of 4.0 KB")
    assert body["values"]["argument"] == "file"
    small = client.post("/3/PostFile.bin", query_string={"destination_frame": "s"},
                        data={"file": (io.BytesIO(b"a,b\n1,2\n"), "s.csv")}, content_type="multipart/form-data")
    assert small.status_code == 200
