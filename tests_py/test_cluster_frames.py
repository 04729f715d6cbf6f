"""Frames parsed and held by the Dask workers (issue 20), on a local cluster of 2 worker processes
started by the test: the frame equals the same file parsed by the single-process parser (names,
types, domains, every value, the rollups and the summary); training on it matches training on
the same rows held by the server (same cluster shape, reproducible, replicated rows); the rows
where they lie; what is refused for such frames; a worker killed after the parse; and through
the REST API of a server started with --dask-workers 2."""
from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest
import requests

from h2o_backend.engine.errors import ValidationError
from h2o_backend.engine.training import train_deeplearning
from h2o_backend.frames import summary as stats
from h2o_backend.parse import parser
from test_engine_training import params

CHUNK = 1 << 16        # the smallest byte range: the test file parses into several chunks


def write_csv(path, n=6000, seed=0) -> None:
    """Five numeric columns with missing values, an int column, a factor (with missing values and
    levels that first appear late in the file), a text column and a 3-class response."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, 5)) + y[:, None]
    late = np.where(np.arange(n) > n - 300, "zz", "")
    levels = np.array(["u", "v", "w", "x"])[rng.integers(0, 4, n)]
    with open(path, "w") as f:
        f.write("a,b,c,d,e,count,cat,note,y,flag\n")
        for i in range(n):
            nums = ["" if (i * 7 + j) % 53 == 0 else f"{X[i, j]:.6f}" for j in range(5)]
            cat = "" if i % 41 == 0 else (late[i] or levels[i])
            flag = "yes" if X[i, 0] + rng.normal() > 1 else "no"
            f.write(",".join(nums + [str(int(rng.integers(0, 9))), cat, f"n{i}", f"k{y[i]}", flag]) + "\n")


@pytest.fixture(scope="module")
def cluster():
    from h2o_backend.cluster import connect
    cl = connect.start(n_workers=2, threads=1)
    yield cl
    cl.close()


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("cluster_frames") / "mixed.csv"
    write_csv(path)
    return str(path)


def parse_on(cluster, path):
    from h2o_backend.cluster import frames
    setup = parser.guess_setup([path])
    setup.chunk_size = CHUNK
    return frames.parse(cluster, [path], setup, "mixed.hex")


@pytest.fixture(scope="module")
def held(cluster, csv_path):
    return parse_on(cluster, csv_path)


def assert_same_frame(cluster, held, local) -> None:
    from h2o_backend.cluster import frames
    assert held.names == local.names and held.nrows == local.nrows
    rows = frames.rows(cluster, held, 0, held.nrows)
    for h, r, c in zip(held.columns, rows.columns, local.columns):
        assert (h.type, h.domain) == (c.type, c.domain), h.name
        if c.type == "string":
            assert list(r.data) == list(c.data)
        else:
            np.testing.assert_array_equal(r.data, c.data, err_msg=h.name)
        want = stats.summary(c)
        got_roll, want_roll = h.rollups, want.rollups
        assert (got_roll.missing_count, got_roll.zero_count, got_roll.mins, got_roll.maxs) == \
            (want_roll.missing_count, want_roll.zero_count, want_roll.mins, want_roll.maxs), h.name
        for a, b in ((got_roll.mean, want_roll.mean), (got_roll.sigma, want_roll.sigma)):
            assert (a is None) == (b is None) and (a is None or a == pytest.approx(b, rel=1e-12)), h.name
        assert h.summary.histogram_bins == want.histogram_bins, h.name
        assert (h.summary.histogram_base, h.summary.histogram_stride) == (want.histogram_base, want.histogram_stride)
        if want.percentiles is None:
            assert h.summary.percentiles is None
        else:
            np.testing.assert_allclose(h.summary.percentiles, want.percentiles, rtol=1e-12, err_msg=h.name)


def test_a_frame_parsed_on_the_workers_equals_the_single_process_parse(cluster, held, csv_path):
    assert len(held.chunks) >= 4
    assert "zz" in held.column("cat").domain            # a level only the last chunk has
    assert_same_frame(cluster, held, parser.parse_file(csv_path))


def test_byte_ranges_that_start_inside_a_long_last_line_are_empty_chunks(cluster, tmp_path):
    path = tmp_path / "long_line.csv"
    path.write_text("a,note\n" + "".join(f"{i},n{i}\n" for i in range(10)) + "10," + "x" * 140_000 + "\n")
    frame = parse_on(cluster, str(path))
    assert len(frame.chunks) == 3 and frame.chunk_rows[1:] == [0, 0]
    assert_same_frame(cluster, frame, parser.parse_file(str(path)))


def test_the_workers_hold_the_chunks_and_say_how_many_bytes(cluster, held):
    from h2o_backend.cluster import frames
    by_worker = frames.bytes_by_worker(cluster, [held])
    assert set(by_worker) == set(cluster.worker_addresses())
    assert sum(by_worker.values()) >= held.byte_size


def train_kw(**kw):
    base = dict(response_column="y", hidden=[8], epochs=2, seed=7, reproducible=True, ignored_columns=["note"],
                replicate_training_data=True)
    base.update(kw)
    return params(**base)


@pytest.mark.parametrize("kind", ["classification", "regression"])
def test_training_on_a_cluster_frame_matches_the_same_rows_held_by_the_server(cluster, held, csv_path, kind):
    local = parser.parse_file(csv_path)
    kw = {} if kind == "classification" else dict(response_column="a", ignored_columns=["note", "y"])
    on_workers = train_deeplearning(train_kw(**kw), held, cluster=cluster)
    on_server = train_deeplearning(train_kw(**kw), local, cluster=cluster)
    for name in ("MSE", "logloss", "classification_error", "mean_residual_deviance"):
        a, b = on_workers.output["training_metrics"].get(name), on_server.output["training_metrics"].get(name)
        assert (a is None) == (b is None) and (a is None or a == pytest.approx(b, rel=1e-6)), name
    for layer in range(on_server.model_info.n_layers):
        np.testing.assert_allclose(on_workers.model_info.weights(layer), on_server.model_info.weights(layer),
                                   rtol=1e-4, atol=1e-6)
    assert on_workers.output["training_rows"] == on_server.output["training_rows"]


@pytest.mark.parametrize("placement", [dict(replicate_training_data=False),
                                       dict(replicate_training_data=False, force_load_balance=True)])
def test_training_on_the_chunks_where_they_lie_learns(cluster, held, placement):
    model = train_deeplearning(train_kw(epochs=5, reproducible=False, **placement), held, cluster=cluster)
    assert model.output["training_metrics"]["classification_error"] < 0.3     # 2/3 by chance


@pytest.mark.parametrize("kind", [dict(response_column="y"), dict(response_column="flag"),
                                  dict(response_column="a", distribution="poisson"),
                                  dict(response_column="a", distribution="huber"), dict(autoencoder=True)])
def test_metrics_reduced_on_the_workers_equal_the_metrics_of_the_rows_held_by_the_server(cluster, held, csv_path, kind):
    from h2o_backend.cluster import frame_predictions
    local = parser.parse_file(csv_path)
    kw = dict(kind, ignored_columns=["note", "y" if kind.get("response_column") != "y" else "flag"])
    if kind.get("autoencoder"):
        kw["ignored_columns"] = ["note", "y", "flag"]
    if kind.get("distribution") == "poisson":        # a non-negative response
        kw["response_column"], kw["ignored_columns"] = "count", ["note", "y", "flag"]
    model = train_deeplearning(train_kw(epochs=1, **kw), local, cluster=cluster)
    on_workers = frame_predictions.metrics(cluster, model, held)
    on_server = model.score(local)
    for name in ("MSE", "RMSE", "nobs", "logloss", "AUC", "mean_per_class_error", "mae", "rmsle", "r2",
                 "mean_residual_deviance", "classification_error"):
        a, b = on_workers.get(name), on_server.get(name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert a == pytest.approx(b, rel=1e-6, nan_ok=True), name
    for table in ("cm", "hit_ratio_table", "gains_lift_table"):
        assert (on_workers.get(table) is None) == (on_server.get(table) is None), table


@pytest.mark.parametrize("setting", [dict(weights_column="count"), dict(nfolds=2), dict(balance_classes=True)])
def test_what_a_cluster_frame_cannot_train_with_is_refused_by_name(cluster, held, setting):
    with pytest.raises(ValidationError) as err:
        train_deeplearning(train_kw(**setting), held, cluster=cluster)
    name = next(iter(setting))
    assert any(p["field"] == name and "Dask workers" in p["message"] for p in err.value.problems)


def test_a_worker_killed_after_the_parse_the_chunks_are_rebuilt_and_training_completes(cluster, csv_path):
    frame = parse_on(cluster, csv_path)
    victim = cluster.worker_addresses()[0]
    pid = cluster.client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    deadline = time.time() + 60
    while victim in cluster.worker_addresses() and time.time() < deadline:
        time.sleep(0.2)
    model = train_deeplearning(train_kw(epochs=1, reproducible=False), frame, cluster=cluster)
    assert model.output["training_metrics"]["classification_error"] < 0.5
    assert_same_frame(cluster, frame, parser.parse_file(csv_path))


# ---------------------------------------------------------------------------- REST
@pytest.fixture(scope="module")
def dask_server():
    from conftest import ServerProcess
    import tempfile
    srv = ServerProcess(extra_args=["--dask-workers", "2", "--data-url", f"file://{tempfile.gettempdir()}/"])
    yield srv
    srv.stop()


def test_import_parse_summary_train_and_download_through_the_server(dask_server, csv_path):
    from conftest import finished_job
    url = dask_server.url
    key = requests.post(f"{url}/3/ImportFiles", data={"path": csv_path}).json()["destination_frames"][0]
    setup = requests.post(f"{url}/3/ParseSetup", data={"source_frames": f'["{key}"]'}).json()
    parsed = requests.post(f"{url}/3/Parse", data={
        "source_frames": f'["{key}"]', "destination_frame": "mixed.hex", "chunk_size": CHUNK,
        "column_names": str(setup["column_names"]).replace("'", '"'),
        "column_types": str(setup["column_types"]).replace("'", '"')}).json()
    assert finished_job(url, parsed["job"]["key"]["name"])["status"] == "DONE"
    local = parser.parse_file(csv_path)
    summary = requests.get(f"{url}/3/Frames/mixed.hex/summary").json()["frames"][0]
    assert summary["rows"] == local.nrows
    cat = next(c for c in summary["columns"] if c["label"] == "cat")
    assert cat["domain"] == local.column("cat").domain
    assert cat["histogram_bins"] == stats.summary(local.column("cat")).histogram_bins
    window = requests.get(f"{url}/3/Frames/mixed.hex", params={"row_offset": 1300, "row_count": 10}).json()
    a = next(c for c in window["frames"][0]["columns"] if c["label"] == "a")
    expected = local.column("a").data[1300:1310]
    assert [np.nan if v is None else v for v in a["data"]] == pytest.approx(list(expected), nan_ok=True)
    cloud = requests.get(f"{url}/3/Cloud").json()
    assert sum(n["mem_value_size"] for n in cloud["nodes"]) >= 0.5 * local.byte_size
    csv = requests.get(f"{url}/3/DownloadDataset", params={"frame_id": "mixed.hex"}).text.splitlines()
    assert len(csv) == local.nrows + 1
    build = requests.post(f"{url}/3/ModelBuilders/deeplearning", data={
        "training_frame": "mixed.hex", "response_column": "y", "hidden": "[8]", "epochs": 1,
        "ignored_columns": '["note"]', "model_id": "on_workers"}).json()
    assert finished_job(url, build["job"]["key"]["name"])["status"] == "DONE"
    model = requests.get(f"{url}/3/Models/on_workers").json()["models"][0]
    assert model["output"]["training_metrics"]["MSE"] > 0
    refused = requests.post(f"{url}/99/Rapids", data={"ast": "(nrow mixed.hex)"})
    assert refused.status_code == 400 and "Dask workers" in refused.json()["msg"]
    _predictions_and_metrics_match_the_uploaded_frame(url, csv_path, setup)
    assert requests.delete(f"{url}/3/Frames/mixed.hex").status_code == 200
    assert requests.get(f"{url}/3/Frames/mixed.hex").status_code == 404


def _parse(url, key, dest, setup, chunk=None):
    from conftest import finished_job
    data = {"source_frames": f'["{key}"]', "destination_frame": dest,
            "column_names": str(setup["column_names"]).replace("'", '"'),
            "column_types": str(setup["column_types"]).replace("'", '"')}
    if chunk:
        data["chunk_size"] = chunk
    parsed = requests.post(f"{url}/3/Parse", data=data).json()
    assert finished_job(url, parsed["job"]["key"]["name"])["status"] == "DONE"


def _predictions_and_metrics_match_the_uploaded_frame(url, csv_path, setup):
    """Predictions of the cluster frame are a cluster frame (on the workers, listed by /3/Cloud's
    memory), equal to those of the same file uploaded to the server; so are the metrics."""
    with open(csv_path, "rb") as fh:
        requests.post(f"{url}/3/PostFile", params={"destination_frame": "upload.csv"}, files={"file": fh})
    _parse(url, "upload.csv", "uploaded.hex", setup)
    on_workers = requests.post(f"{url}/3/Predictions/models/on_workers/frames/mixed.hex",
                               data={"predictions_frame": "pred_workers"}).json()
    on_server = requests.post(f"{url}/3/Predictions/models/on_workers/frames/uploaded.hex",
                              data={"predictions_frame": "pred_server"}).json()
    held = sum(n["mem_value_size"] for n in requests.get(f"{url}/3/Cloud").json()["nodes"])
    sizes = [requests.get(f"{url}/3/Frames/{k}").json()["frames"][0]["byte_size"] for k in ("mixed.hex", "pred_workers")]
    assert held >= sum(sizes), on_workers                # the predictions are chunks on the workers too
    a, b = on_workers["model_metrics"][0], on_server["model_metrics"][0]
    for name in ("MSE", "logloss", "AUC", "mean_per_class_error"):
        assert a.get(name) == pytest.approx(b.get(name), rel=1e-6), name
    left = requests.get(f"{url}/3/Frames/pred_workers", params={"row_count": -1}).json()["frames"][0]
    right = requests.get(f"{url}/3/Frames/pred_server", params={"row_count": -1}).json()["frames"][0]
    assert left["rows"] == right["rows"] == 6000
    for x, y in zip(left["columns"], right["columns"]):
        assert (x["label"], x["domain"]) == (y["label"], y["domain"])
        assert x["data"] == pytest.approx(y["data"], rel=1e-5, abs=1e-6)     # float32 outputs, other blocks
    metrics = requests.get(f"{url}/3/ModelMetrics/models/on_workers/frames/mixed.hex").json()["model_metrics"][0]
    assert metrics["logloss"] == pytest.approx(b["logloss"], rel=1e-6)


def _frame(url, key):
    return requests.get(f"{url}/3/Frames/{key}", params={"row_count": -1}).json()["frames"][0]


def _rapids(url, ast):
    reply = requests.post(f"{url}/99/Rapids", data={"ast": ast})
    assert reply.status_code == 200, reply.text
    return reply.json()


def test_rapids_column_selection_as_factor_and_row_ranges_give_the_server_frames_result(dask_server, csv_path):
    """Each expression on the cluster frame gives the frame the same expression gives on the same
    file uploaded to the server (names, types, domains, values)."""
    url = dask_server.url
    key = requests.post(f"{url}/3/ImportFiles", data={"path": csv_path}).json()["destination_frames"][0]
    setup = requests.post(f"{url}/3/ParseSetup", data={"source_frames": f'["{key}"]'}).json()
    _parse(url, key, "held.hex", setup, chunk=CHUNK)
    with open(csv_path, "rb") as fh:
        requests.post(f"{url}/3/PostFile", params={"destination_frame": "up2.csv"}, files={"file": fh})
    _parse(url, "up2.csv", "local.hex", setup)
    for i, expr in enumerate(["(cols_py {} [0 6 8])", "(as.factor (cols_py {} [5]))", "(rows {} [10:4000 5990:10])",
                              "(cols {} [-7 -8])", "(rows {} (> (cols_py {} [0]) 0.5))",
                              "(cbind (cols_py {} [1]) (is.na (cols_py {} [6])))",
                              "(:= {} (as.factor (cols_py {} [5])) [5] [])"]):
        _rapids(url, f"(tmp= c{i} {expr.replace('{}', 'held.hex')})")
        _rapids(url, f"(tmp= s{i} {expr.replace('{}', 'local.hex')})")
        held, local = _frame(url, f"c{i}"), _frame(url, f"s{i}")
        assert held["rows"] == local["rows"], expr
        for x, y in zip(held["columns"], local["columns"]):
            assert (x["label"], x["type"], x["domain"]) == (y["label"], y["type"], y["domain"]), expr
            assert x["data"] == y["data"] and x["string_data"] == y["string_data"], expr
            assert x["mean"] == pytest.approx(y["mean"], rel=1e-12, nan_ok=True), expr
    _rapids(url, "(tmp= rnd (h2o.runif held.hex 42))")
    parts = [_rapids(url, f"(tmp= part{k} (rows held.hex {cond}))")["num_rows"]
             for k, cond in enumerate(["(< rnd 0.75)", "(>= rnd 0.75)"])]
    assert sum(parts) == 6000 and 0.7 < parts[0] / 6000 < 0.8
    refused = requests.post(f"{url}/99/Rapids", data={"ast": "(sort held.hex [0] [1])"})
    assert refused.status_code == 400 and "'sort'" in refused.json()["msg"]
    assert "Dask workers" in refused.json()["msg"]
    for _ in range(2):        # replacing a frame made from held.hex leaves held.hex's own chunks alone
        _rapids(url, "(tmp= c2 (rows held.hex [10:4000 5990:10]))")
    assert _rapids(url, "(tmp= again (rows held.hex [0:100]))")["num_rows"] == 100
    assert _frame(url, "held.hex")["rows"] == 6000
    before = _frame(url, "c0")
    assert requests.delete(f"{url}/3/Frames/held.hex").status_code == 200
    assert _frame(url, "c0")["columns"][0]["data"] == before["columns"][0]["data"]   # made from it: kept


def test_a_parse_larger_than_the_workers_memory_is_refused_before_it_starts(csv_path):
    from h2o_backend.cluster import frames

    class SmallWorkers:
        def memory_limits(self):
            return {"tcp://a:1": 200_000, "tcp://b:1": 200_000}
    with pytest.raises(frames.ClusterMemoryError) as err:
        frames.check_fits(SmallWorkers(), [csv_path], 9)
    assert "MB" in str(err.value) and "2 Dask workers" in str(err.value)


def test_a_worker_killed_while_training_on_a_cluster_frame_training_goes_on_with_a_warning(cluster, csv_path):
    """The lost worker's chunks are rebuilt from the file for the remaining workers; the model says so."""
    from test_dask_cluster import _run_job, _wait, kill_a_worker_mid_training
    frame = parse_on(cluster, csv_path)
    p = train_kw(epochs=5000, reproducible=False, replicate_training_data=False, train_samples_per_iteration=0)
    runner, job, result = _run_job(lambda j: train_deeplearning(p, frame, job=j, cluster=cluster))
    victim = kill_a_worker_mid_training(cluster, job)
    model = result["model"]
    assert any(victim in w and "remaining" in w for w in model.output["warnings"]), model.output["warnings"]
    assert model.output["training_metrics"]["classification_error"] < 0.5
    _wait(lambda: cluster.n_nodes == 2, "the nanny to restart the worker")


def test_a_url_of_an_fsspec_filesystem_parses_on_the_workers_under_its_data_url_prefix(dask_server, csv_path):
    url = dask_server.url
    address = f"file://{csv_path}"
    imported = requests.post(f"{url}/3/ImportFiles", data={"path": address}).json()
    assert imported["destination_frames"] == [address]
    setup = requests.post(f"{url}/3/ParseSetup", data={"source_frames": f'["{address}"]'}).json()
    _parse(url, address, "from_url.hex", setup, chunk=CHUNK)
    frame = _frame(url, "from_url.hex")
    local = parser.parse_file(csv_path)
    assert frame["rows"] == local.nrows
    a = next(c for c in frame["columns"] if c["label"] == "a")
    assert [np.nan if v is None else v for v in a["data"]] == pytest.approx(list(local.column("a").data), nan_ok=True)
    folder = requests.post(f"{url}/3/ImportFiles", data={"path": address.rsplit("/", 1)[0] + "/"}).json()
    assert address in folder["files"]
    outside = requests.post(f"{url}/3/ImportFiles", data={"path": "file:///etc/hostname"})
    assert outside.status_code == 403 and "--data-url" in outside.json()["msg"]
    unknown = requests.post(f"{url}/3/ImportFiles", data={"path": "nosuchfs://bucket/x.csv"})
    assert unknown.status_code == 403
