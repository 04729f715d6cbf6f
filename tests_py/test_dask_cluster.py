"""Training on a local Dask cluster of 2 worker processes (issue 11): H2O's model averaging with
every train_samples_per_iteration mode and both replication settings, mini-batches on the workers,
reproducibility, cancel, a worker killed mid-training, /3/Cloud listing the workers, and the single-process server never
importing dask; predictions of large frames on the workers (the same numbers as on the server, a
lost or unreachable worker's rows scored on the server)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from h2o_backend.engine.training import train_deeplearning
from h2o_backend.frames.frame import Column, Frame
from h2o_backend.jobs import JobRunner
from h2o_backend.store import KeyStore
from test_engine_training import csv_frame, params

ERR = "classification_error"


@pytest.fixture(scope="module")
def cluster():
    from h2o_backend.cluster import connect
    cl = connect.start(n_workers=2, threads=1)
    cl.client.run(lambda: __import__("h2o_backend.engine.sgd", fromlist=["warm_up"]).warm_up())
    yield cl
    cl.close()


@pytest.fixture(scope="module")
def iris(data_dir):
    return csv_frame(data_dir / "iris.csv", "iris")


def blobs(n=6000, d=20, seed=0) -> Frame:
    """Three separable classes, enough rows for iterations that last a while."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, d)) + y[:, None] * 1.5
    cols = [Column(f"x{i}", "real", X[:, i]) for i in range(d)]
    return Frame("blobs", cols + [Column("y", "enum", y.astype(np.int32), ["a", "b", "c"])])


def iris_params(**kw):
    base = dict(response_column="C5", hidden=[10], epochs=20, seed=3)
    base.update(kw)
    return params(**base)


@pytest.fixture(scope="module")
def single_process_error(iris):
    model = train_deeplearning(iris_params(), iris)
    return model.output["training_metrics"][ERR]


@pytest.mark.parametrize("replicate", [True, False])
@pytest.mark.parametrize("tspi", [-2, -1, 0, 40])
def test_model_averaging_trains_as_well_as_one_process(cluster, iris, single_process_error, replicate, tspi):
    model = train_deeplearning(iris_params(train_samples_per_iteration=tspi, replicate_training_data=replicate),
                               iris, cluster=cluster)
    out = model.output
    assert out["status"] == "DONE"
    assert model.params.replicate_training_data is replicate       # kept on a 2-node cloud
    assert out["epoch_counter"] == pytest.approx(20.0)
    assert out["training_metrics"][ERR] <= max(0.12, single_process_error + 0.08)
    samples = out["train_samples_per_iteration"]
    expected = {-1: 300 if replicate else 150, 0: 150, 40: 40}
    if tspi in expected:
        assert samples == expected[tspi]
    assert out["iterations"] == pytest.approx(20 * 150 / samples, abs=1)


def test_shards_are_disjoint_without_replication():
    from h2o_backend.cluster.shards import assign_rows
    rows = np.arange(1000)
    parts = assign_rows(rows, 3, replicate=False, single_node=False, shuffle=True, force_load_balance=True, seed=1)
    assert sorted(np.concatenate(parts).tolist()) == rows.tolist()
    assert [p.size for p in parts] == [334, 333, 333]
    assert all(p.size == 1000 for p in assign_rows(rows, 3, replicate=True, single_node=False, shuffle=False,
                                                   force_load_balance=True, seed=1))
    one = assign_rows(rows, 3, replicate=False, single_node=False, shuffle=False, force_load_balance=False, seed=1)
    assert [p.size for p in one] == [1000, 0, 0]      # one 4 MB chunk: a small frame stays on one node


def test_multi_node_train_samples_per_iteration():
    from h2o_backend.engine.iterations import auto_train_samples_multi, resolve_train_samples_multi as tspi
    assert tspi(-1, 1000, 10, 4, replicate=True) == 4000              # all local rows on every node
    assert tspi(-1, 1000, 10, 4, replicate=True, single_node=True) == 1000
    assert tspi(-1, 1000, 10, 4, replicate=False) == 1000             # each node its own share
    assert tspi(0, 1000, 10, 4, replicate=True) == 1000
    assert tspi(2500, 1000, 10, 4, replicate=True) == 2500
    assert tspi(-2, 1000, 10, 4, replicate=True, reproducible=True) == 4000
    # auto-tuning: 100 ms of communication, 5 % target, 1 ms a row on one node, 2 nodes -> 3,800 rows
    assert auto_train_samples_multi(100_000, 10, 2, 1000.0, 1e5) == 3800
    # twice the communication -> twice the rows per iteration
    assert auto_train_samples_multi(100_000, 10, 2, 1000.0, 2e5) == 7600


def test_single_node_mode_puts_every_row_on_the_first_worker():
    from h2o_backend.cluster.shards import assign_rows
    parts = assign_rows(np.arange(10), 3, replicate=True, single_node=True, shuffle=False,
                        force_load_balance=True, seed=0)
    assert [p.size for p in parts] == [10, 0, 0]


def test_checkpoint_autoencoder_and_cross_validation_on_the_cluster(cluster, iris):
    first = train_deeplearning(iris_params(epochs=5), iris, cluster=cluster)
    resumed = train_deeplearning(iris_params(epochs=10, checkpoint=first.model_id), iris, checkpoint_model=first,
                                 cluster=cluster)
    assert resumed.output["epoch_counter"] == pytest.approx(10.0)
    assert len(resumed.output["scoring_history"]) > len(first.output["scoring_history"])
    cv = train_deeplearning(iris_params(nfolds=2, epochs=5, variable_importances=True), iris, cluster=cluster)
    assert [m.output["status"] for m in cv.cv_models] == ["DONE", "DONE"]
    assert cv.output["cross_validation_metrics"][ERR] < 0.3
    assert cv.output["variable_importances"]
    ae = train_deeplearning(params(autoencoder=True, hidden=[2], epochs=5, seed=1, ignored_columns=["C5"]),
                            iris, cluster=cluster)
    history = ae.output["scoring_history"]
    assert history[-1]["training_mse"] < history[0]["training_mse"]


def _moved_copies(start, shifts=(1.0, 3.0), samples=10):
    """Copies of ``start`` whose weights and E[g^2] moved by each shift, after ``samples`` samples."""
    copies = []
    for k in shifts:
        c = start.copy()
        c.w += k
        c.ada_g_w += k
        c.processed += samples
        copies.append(c)
    return copies


def test_averaging_follows_h2o(cluster):
    from h2o_backend.cluster.averaging import average_into
    from h2o_backend.engine.model_info import ModelInfo
    base = ModelInfo.create([3, 4, 2], 1, 3, optimizer="adadelta", classifier=True, seed=1)
    copies = _moved_copies(base)
    idle = base.copy()                      # a node without rows does not dilute the average
    before = base.w.copy()
    assert average_into(base, copies + [idle]) == 20
    np.testing.assert_allclose(base.w, before + 2.0, rtol=1e-6)
    np.testing.assert_allclose(base.ada_g_w, 2.0, rtol=1e-6)
    assert base.processed == 20


def test_block_momentum_and_elastic_averaging_follow_their_rules():
    from h2o_backend.cluster import averaging
    from h2o_backend.engine.model_info import ModelInfo
    model = ModelInfo.create([3, 4, 2], 1, 3, optimizer="adadelta", classifier=True, seed=1)
    w0 = model.w.copy()
    start = averaging.block_start(model, 0.5)           # no block update yet: the model itself
    np.testing.assert_array_equal(start.w, w0)
    copies = _moved_copies(start)
    assert averaging.block_momentum_into(model, start, copies, 0.5) == 20
    np.testing.assert_allclose(model.block_w, 2.0, rtol=1e-6)          # Delta = 0.5 * 0 + (mean - start)
    np.testing.assert_allclose(model.w, w0 + 2.0, rtol=1e-6)
    np.testing.assert_allclose(model.ada_g_w, 2.0, rtol=1e-6)          # optimizer state: plain mean
    start = averaging.block_start(model, 0.5)                          # look-ahead W + eta * Delta
    np.testing.assert_allclose(start.w, w0 + 3.0, rtol=1e-6)
    again = start.copy()
    again.w += 1.0
    again.processed += 5
    averaging.block_momentum_into(model, start, [again], 0.5)
    np.testing.assert_allclose(model.block_w, 0.5 * 2.0 + 1.0, rtol=1e-6)
    np.testing.assert_allclose(model.w, w0 + 4.0, rtol=1e-6)
    params = iris_params(block_momentum=-1.0)
    assert averaging.mode_of(params) == "block_momentum" and averaging.block_momentum_for(params, 4) == 0.75
    # elastic: the centre becomes the copies' mean first, then moves by moving_rate towards it
    centre = ModelInfo.create([3, 4, 2], 1, 3, optimizer="adadelta", classifier=True, seed=1)
    c0 = centre.w.copy()
    copy = centre.copy()
    copy.w += 1.0
    copy.processed += 10
    averaging.elastic_into(centre, [copy], 0.9, first=True)
    np.testing.assert_allclose(centre.w, c0 + 1.0, rtol=1e-6)
    copy.w += 1.0
    copy.processed += 10
    averaging.elastic_into(centre, [copy], 0.25, first=False)
    np.testing.assert_allclose(centre.w, c0 + 1.25, rtol=1e-6)
    assert centre.processed == 20      # the copy counts from the centre after each combine (session._combine)


# iris.csv is sorted by class, so disjoint shards hold different classes: block momentum restarts
# the copies from the model each iteration and learns from them; elastic averaging's copies keep
# their own state and drift towards their shard's classes (the pull is weak), so it is tested with
# replicated data, the booklet's default
@pytest.mark.parametrize("averaging", [dict(block_momentum=-1.0, replicate_training_data=False),
                                       dict(elastic_averaging=True, replicate_training_data=True)])
def test_block_momentum_and_elastic_averaging_learn_reproducibly(cluster, iris, single_process_error, averaging):
    p = iris_params(reproducible=True, **averaging)
    model = train_deeplearning(p, iris, cluster=cluster)
    out = model.output
    assert out["status"] == "DONE" and out["epoch_counter"] == pytest.approx(20.0)
    assert out["training_metrics"][ERR] <= max(0.12, single_process_error + 0.08)
    assert not out.get("warnings")
    again = train_deeplearning(p, iris, cluster=cluster).model_info
    np.testing.assert_array_equal(model.model_info.w, again.w)
    plain = train_deeplearning(iris_params(reproducible=True, replicate_training_data=averaging["replicate_training_data"]), iris,
                               cluster=cluster).model_info
    assert not np.array_equal(plain.w, again.w)


def test_block_momentum_and_elastic_averaging_survive_a_checkpoint_restart(cluster, iris, tmp_path):
    from h2o_backend.engine.model import DeepLearningModel
    from h2o_backend.export import saved_model
    p = iris_params(epochs=5, block_momentum=0.5, reproducible=True, replicate_training_data=False)
    first = train_deeplearning(p, iris, cluster=cluster)
    delta = first.model_info.block_w
    assert delta.size == first.model_info.w.size and np.abs(delta).max() > 0
    path = saved_model.save(first.to_state(), "deeplearning", first.model_id, str(tmp_path / "bm"))
    loaded = DeepLearningModel.from_state(saved_model.load(path)[2])
    np.testing.assert_array_equal(loaded.model_info.block_w, delta)

    def resume(checkpoint, **kw):
        q = iris_params(epochs=10, reproducible=True, replicate_training_data=False, checkpoint=first.model_id, **kw)
        return train_deeplearning(q, iris, checkpoint_model=checkpoint, cluster=cluster)
    resumed = resume(loaded, block_momentum=0.5)
    assert resumed.output["status"] == "DONE" and resumed.output["epoch_counter"] == pytest.approx(10.0)
    assert resumed.output["training_metrics"][ERR] < 0.2
    cold = DeepLearningModel.from_state(saved_model.load(path)[2])
    cold.model_info.block_w[:] = 0                   # the same restart without the saved block update
    assert not np.array_equal(resume(cold, block_momentum=0.5).model_info.w, resumed.model_info.w)
    elastic = resume(loaded, elastic_averaging=True, block_momentum=0.0)     # both are modifiable on a restart
    assert elastic.output["status"] == "DONE" and elastic.output["training_metrics"][ERR] < 0.2


def test_averaging_settings_are_checked_and_warned_about_on_one_node(iris):
    from h2o_backend.engine import parameters
    problems = parameters.validate(iris_params(block_momentum=-0.5), iris)
    assert any(p["field"] == "block_momentum" and "-1" in p["message"] for p in problems)
    problems = parameters.validate(iris_params(block_momentum=0.5, elastic_averaging=True), iris)
    assert any(p["field"] == "block_momentum" and "elastic" in p["message"] for p in problems)
    assert parameters.validate(iris_params(block_momentum=1.0), iris)
    assert not parameters.validate(iris_params(block_momentum=0.9, elastic_averaging_moving_rate=0.5), iris)
    model = train_deeplearning(iris_params(epochs=1, block_momentum=-1.0, elastic_averaging=False), iris)
    assert any("block_momentum" in w and "one node" in w for w in model.output["warnings"])


@pytest.mark.blas_determinism
def test_reproducible_on_the_same_cluster_shape(cluster, iris):
    """reproducible, the same cluster shape and machine: bit-identical (each copy trains on one thread)."""
    p = iris_params(reproducible=True, replicate_training_data=False, train_samples_per_iteration=-2)
    a = train_deeplearning(p, iris, cluster=cluster).model_info
    b = train_deeplearning(p, iris, cluster=cluster).model_info
    np.testing.assert_array_equal(a.w, b.w)
    np.testing.assert_array_equal(a.b, b.b)
    c = train_deeplearning(iris_params(reproducible=True, seed=4), iris, cluster=cluster).model_info
    assert not np.array_equal(a.w, c.w)


def _run_job(work):
    runner = JobRunner(KeyStore())
    result = {}
    job = runner.submit("dask test", lambda j: result.setdefault("model", work(j)))
    return runner, job, result


def _wait(predicate, what, timeout=120.0):
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def kill_a_worker_mid_training(cluster, job) -> str:
    """After a few iterations of ``job``, kill the second worker; once the job has warned and gone
    on training, cancel it and wait for it. Returns the killed worker's address."""
    _wait(lambda: "iteration 3" in job.progress_msg, "a few iterations")
    victim = cluster.worker_addresses()[1]
    os.kill(cluster.client.run(os.getpid, workers=[victim])[victim], signal.SIGKILL)
    _wait(lambda: job.warnings, "the lost worker's warning")
    seen = job.progress
    _wait(lambda: job.progress > seen, "training to go on")
    job.cancel()
    job.wait(120)
    return victim


def test_cancel_stops_the_workers_within_an_iteration(cluster):
    frame = blobs()
    # one iteration = 200 epochs over 2 replicated nodes: far longer than the test waits
    p = params(response_column="y", hidden=[64, 64], epochs=400, seed=5, train_samples_per_iteration=-1,
               replicate_training_data=True, score_interval=0)
    p.train_samples_per_iteration = 200 * frame.nrows
    runner, job, result = _run_job(lambda j: train_deeplearning(p, frame, job=j, cluster=cluster))
    _wait(lambda: "Dask workers" in job.progress_msg, "the first iteration")
    time.sleep(1.0)
    job.cancel()
    job.wait(120)
    model = result["model"]
    assert model.output["status"] == "CANCELLED"
    processed = model.model_info.processed
    assert 0 < processed < 200 * frame.nrows          # the workers stopped inside the iteration
    assert model.output["training_metrics"] is not None


def test_a_worker_killed_mid_training_leaves_a_model_trained_on_the_rest(cluster):
    frame = blobs(seed=1)
    p = params(response_column="y", hidden=[32], epochs=2000, seed=6, train_samples_per_iteration=0,
               replicate_training_data=False)
    runner, job, result = _run_job(lambda j: train_deeplearning(p, frame, job=j, cluster=cluster))
    victim = kill_a_worker_mid_training(cluster, job)
    model = result["model"]
    assert job.status == "CANCELLED" and model.output["status"] == "CANCELLED"
    assert any(victim in w and "remaining" in w for w in model.output["warnings"]), model.output["warnings"]
    assert job.warnings == model.output["warnings"]
    assert model.output["training_metrics"][ERR] < 0.2
    _wait(lambda: cluster.n_nodes == 2, "the nanny to restart the worker")


def test_cloud_lists_the_workers(cluster, tmp_path):
    from h2o_backend.server import create_app
    app = create_app({"spool_dir": str(tmp_path)})
    app.config["SERVICES"].cluster = cluster
    body = app.test_client().get("/3/Cloud").get_json()
    assert body["cloud_size"] == 2 and body["cloud_healthy"]
    assert sorted(f"tcp://{n['ip_port']}" for n in body["nodes"]) == cluster.worker_addresses()
    assert all(n["nthreads"] == 1 and n["max_mem"] > 0 for n in body["nodes"])
    app.config["SERVICES"].jobs.shutdown()


def test_a_server_joins_an_existing_scheduler(cluster, iris):
    from h2o_backend.cluster import connect
    joined = connect.start(scheduler=cluster.client.scheduler.address)    # --dask-scheduler ADDRESS
    try:
        assert joined.local_cluster is None
        assert [n["ip_port"] for n in joined.nodes()] == [n["ip_port"] for n in cluster.nodes()]
        model = train_deeplearning(iris_params(epochs=5), iris, cluster=joined)
        assert model.output["status"] == "DONE" and model.output["training_metrics"][ERR] < 0.3
    finally:
        joined.close()
    assert cluster.n_nodes == 2                     # closing a joined client leaves the cluster up


def test_the_single_process_server_never_imports_dask(data_dir):
    script = f"""
import sys, tempfile
sys.path.insert(0, {os.path.dirname(__file__)!r})
from h2o_backend.server import create_app
from test_engine_training import csv_frame, params
from h2o_backend.engine.training import train_deeplearning
app = create_app({{"spool_dir": tempfile.mkdtemp()}})
assert app.test_client().get("/3/Cloud").get_json()["cloud_size"] == 1
model = train_deeplearning(params(response_column="C5", hidden=[3], epochs=1), csv_frame({str(data_dir / 'iris.csv')!r}, "iris"))
assert model.output["status"] == "DONE"
assert model.predict(csv_frame({str(data_dir / 'iris.csv')!r}, "iris"), "p").nrows == 150
print(sorted(m for m in sys.modules if m.split(".")[0] in ("dask", "distributed")))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_dask_options_are_checked():
    from h2o_backend.cli import parse_args
    args = parse_args(["--dask-workers", "3", "--dask-threads", "2"])
    assert (args.dask_workers, args.dask_threads, args.dask_scheduler) == (3, 2, None)
    assert parse_args([]).dask_workers == 0 and parse_args([]).dask_scheduler is None
    assert parse_args(["--dask-workers", "2", "--dask-predict-min-rows", "50"]).dask_predict_min_rows == 50
    for bad in (["--dask-workers", "2", "--dask-scheduler", "tcp://127.0.0.1:8786"], ["--dask-threads", "0"],
                ["--dask-predict-min-rows", "50"], ["--dask-workers", "2", "--dask-predict-min-rows", "-1"],
                ["--data-url", "s3://bucket/"]):      # URLs are read by the workers
        with pytest.raises(SystemExit):
            parse_args(bad)


def test_mini_batches_train_on_the_cluster(cluster, iris, single_process_error):
    """mini_batch_size > 1: each worker trains its copy on mini-batches, the copies are averaged;
    reproducible with a seed on the same cluster shape."""
    p = iris_params(mini_batch_size=8, replicate_training_data=False, reproducible=True, epochs=40)
    model = train_deeplearning(p, iris, cluster=cluster)
    out = model.output
    assert out["status"] == "DONE" and out["epoch_counter"] == pytest.approx(40.0)
    assert out["training_metrics"][ERR] <= max(0.12, single_process_error + 0.08)
    again = train_deeplearning(p, iris, cluster=cluster).model_info
    np.testing.assert_array_equal(model.model_info.w, again.w)
    per_sample = train_deeplearning(iris_params(replicate_training_data=False, reproducible=True, epochs=40),
                                    iris, cluster=cluster).model_info
    assert not np.array_equal(per_sample.w, again.w)


def test_the_local_cluster_keeps_its_housekeeping_off_the_cores(cluster):
    # Dask's profiler samples every thread 100 times a second: 6-9 % of a training worker's CPU
    running = cluster.client.run(lambda dask_worker: sorted(
        name for name, pc in dask_worker.periodic_callbacks.items() if "profile" in name and pc.is_running()))
    assert list(running.values()) == [[], []]
    # the event-loop ticks every second, not every 20 ms, on the workers and in the server's scheduler
    ticks = cluster.client.run(lambda dask_worker: dask_worker.periodic_callbacks["tick"].callback_time)
    assert list(ticks.values()) == [1000, 1000]
    assert cluster.local_cluster.scheduler.periodic_callbacks["tick"].callback_time == 1000


class _ProfilerWatch:
    """A job (update / stop_requested) that notes whether the worker's profiler ran at each update."""

    def __init__(self, worker):
        self.worker, self.stop_requested, self.running = worker, False, []

    def update(self, progress, msg):
        self.running.append(self.worker.periodic_callbacks["profile"].is_running())


def test_a_joined_clusters_profiler_is_paused_while_it_trains(iris):
    from distributed import LocalCluster

    from h2o_backend.cluster import connect, tasks
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as users:
        worker = next(iter(users.workers.values()))
        profiler = worker.periodic_callbacks["profile"]
        assert profiler.is_running()                    # a user's cluster, its profiler on
        assert tasks.pause_profiler(worker) and tasks.pause_profiler(worker)
        assert tasks.resume_profiler(worker) and not profiler.is_running()   # another training still runs
        assert tasks.resume_profiler(worker) and profiler.is_running()
        assert not tasks.resume_profiler(worker) and profiler.is_running()
        joined = connect.start(scheduler=users.scheduler_address)
        try:
            watch = _ProfilerWatch(worker)
            model = train_deeplearning(iris_params(epochs=5), iris, job=watch, cluster=joined)
        finally:
            joined.close()
        assert model.output["status"] == "DONE"
        assert watch.running and not any(watch.running)     # paused while it trained
        assert profiler.is_running()                    # and running again after it


def test_replicated_shards_send_the_prepared_rows_without_a_copy():
    from h2o_backend.cluster.session import _shard
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    y_cls, y_reg = np.arange(6, dtype=np.int32), np.zeros(6, np.float32)
    every = _shard(X, y_cls, y_reg, np.arange(6))
    assert every[0] is X and every[1] is y_cls                  # all rows in order: the arrays themselves
    part = _shard(X, y_cls, y_reg, np.array([4, 1]))
    np.testing.assert_array_equal(part[0], X[[4, 1]])
    np.testing.assert_array_equal(part[1], [4, 1])
    assert not np.shares_memory(part[0], X)
    shuffled = _shard(X, y_cls, y_reg, np.array([1, 0, 2, 3, 4, 5]))
    np.testing.assert_array_equal(shuffled[0][:2], X[[1, 0]])


# ----------------------------------------------------------------------------- predictions on the workers
GHOST = "tcp://127.0.0.1:9"          # a worker the scheduler has never heard of: unreachable


def _scoring_net():
    """An autoencoder network with dropout scaling and 3001 rows (ranges of unequal length)."""
    from h2o_backend.engine import activations as act
    from h2o_backend.engine.model_info import ModelInfo
    mi = ModelInfo.create([6, 32, 16, 6], act.ACT_TANH, act.output_activation("AutoEncoder", act.ACT_TANH),
                          optimizer="adadelta", seed=1, distribution="Normal", scale=0.3)
    X = np.random.default_rng(0).normal(size=(3001, 6)).astype(np.float32)
    return mi, X, np.array([0.1, 0.2, 0.0, 0.0], np.float32)


def _scored_on(stream) -> list[str]:
    """The workers that ran a prediction's scoring task, from Dask's task stream."""
    return sorted({r["worker"] for r in stream.data if str(r["key"]).startswith("h2o-score")})


@pytest.mark.blas_determinism
def test_the_cluster_forward_scores_one_range_per_worker_like_the_server(cluster):
    from distributed import get_task_stream

    from h2o_backend.cluster.scoring import split_rows
    from h2o_backend.engine.batch_sgd import SCORE_BLOCK, forward
    mi, X, ratios = _scoring_net()
    want = forward(mi, X, ratios, row_mse=True, hidden_layer=2)
    with get_task_stream(client=cluster.client) as stream:
        got = cluster.forward(mi, X, ratios, row_mse=True, hidden_layer=2)
    assert _scored_on(stream) == cluster.worker_addresses()
    for a, b in zip(want, got):                 # outputs, row MSEs, deep features: bit for bit
        assert a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    one = cluster.forward(mi, X[:1], ratios)    # fewer rows than workers
    np.testing.assert_array_equal(one[0], want[0][:1])
    assert one[1] is None and one[2] is None
    B = SCORE_BLOCK              # ranges start at block multiples (batch_sgd's split-invariance)
    assert split_rows(3001, ["a", "b"]) == {"a": (0, 12 * B), "b": (12 * B, 3001)}      # 24 blocks
    assert split_rows(1, ["a", "b"]) == {"b": (0, 1)}


@pytest.mark.blas_determinism
def test_rows_of_an_unreachable_worker_are_scored_on_the_server(cluster, monkeypatch, caplog):
    import logging

    from h2o_backend.cluster import connect, scoring
    from h2o_backend.engine.batch_sgd import forward

    class WithAGhost(connect.DaskCluster):
        def worker_addresses(self):
            return super().worker_addresses() + [GHOST]
    monkeypatch.setattr(scoring, "SEND_TIMEOUT", 1)
    mi, X, ratios = _scoring_net()
    with caplog.at_level(logging.WARNING, logger="h2o_backend.cluster.scoring"):
        got = WithAGhost(cluster.client).forward(mi, X, ratios, hidden_layer=1)
    want = forward(mi, X, ratios, hidden_layer=1)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[2], want[2])
    warned = [r.getMessage() for r in caplog.records if GHOST in r.getMessage()]
    lo, hi = scoring.split_rows(X.shape[0], ["w0", "w1", GHOST])[GHOST]
    assert warned and f"rows {lo} to {hi - 1}" in warned[0] and "on the server" in warned[0], warned


@pytest.mark.blas_determinism
def test_a_worker_lost_while_it_scores_leaves_its_rows_to_the_server(cluster, caplog):
    import logging
    from concurrent.futures import ThreadPoolExecutor

    from h2o_backend.cluster.scoring import split_rows
    from h2o_backend.engine.batch_sgd import forward
    mi, X, ratios = _scoring_net()
    victim = cluster.worker_addresses()[1]
    lo, hi = split_rows(X.shape[0], cluster.worker_addresses())[victim]
    client = cluster.client
    # the victim's one thread is busy, so its scoring task waits there until the worker is killed
    blocker = client.submit(time.sleep, 600, workers=[victim], allow_other_workers=False, pure=False)
    _wait(lambda: client.processing(workers=[victim])[victim], "the blocking task")
    with caplog.at_level(logging.WARNING, logger="h2o_backend.cluster.scoring"), ThreadPoolExecutor(1) as pool:
        scoring = pool.submit(cluster.forward, mi, X, ratios, row_mse=True)
        _wait(lambda: any(str(k).startswith("h2o-score") for k in client.processing(workers=[victim])[victim]),
              "the scoring task on the victim")
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
        got = scoring.result(120)
    client.cancel([blocker])
    want = forward(mi, X, ratios, row_mse=True)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    assert any(victim in r.getMessage() and f"rows {lo} to {hi - 1}" in r.getMessage() for r in caplog.records)
    _wait(lambda: victim not in cluster.worker_addresses() and cluster.n_nodes == 2, "the nanny to restart the worker")


def test_a_large_frame_is_predicted_on_the_workers_over_rest(cluster, data_dir, tmp_path):
    """A server joined to the cluster with --dask-predict-min-rows 50: the 150 rows of iris are
    scored on both workers, a frame of its first 38 rows on the server, and their rows'
    predictions are the same, bit for bit (the same rows at the same positions of their scoring
    blocks: batch_sgd's split-invariance; rows at other positions would agree to float32 rounding)."""
    import requests
    from distributed import get_task_stream

    from conftest import ServerProcess, finished_job
    rows = (data_dir / "iris.csv").read_text().splitlines()
    (tmp_path / "iris_part.csv").write_text("\n".join(rows[:38]) + "\n")
    server = ServerProcess(extra_args=["--dask-scheduler", cluster.client.scheduler.address,
                                       "--dask-predict-min-rows", "50"])
    url = server.url
    try:
        for path, key in ((data_dir / "iris.csv", "iris.hex"), (tmp_path / "iris_part.csv", "part.hex")):
            with open(path, "rb") as fh:    # uploaded: held by the server (an imported file would be parsed
                requests.post(f"{url}/3/PostFile", params={"destination_frame": f"{key}.raw"},   # on the workers)
                              files={"file": fh}, timeout=60).raise_for_status()
            requests.post(f"{url}/3/Parse", data={"source_frames": f'["{key}.raw"]', "destination_frame": key,
                                                  "blocking": "true"}, timeout=120).raise_for_status()
        job = requests.post(f"{url}/3/ModelBuilders/deeplearning", data={
            "training_frame": "iris.hex", "response_column": "C5", "model_id": "m", "hidden": "[10]",
            "epochs": "5", "seed": "3"}, timeout=60).json()["job"]["key"]["name"]
        assert finished_job(url, job)["status"] == "DONE"

        def predict(frame, dest):
            with get_task_stream(client=cluster.client) as stream:
                reply = requests.post(f"{url}/3/Predictions/models/m/frames/{frame}",
                                      data={"predictions_frame": dest}, timeout=120)
            assert reply.status_code == 200, reply.text
            csv = requests.get(f"{url}/3/DownloadDataset", params={"frame_id": dest}, timeout=60)
            return csv.text.splitlines(), _scored_on(stream)
        every, on_every = predict("iris.hex", "p_all")
        part, on_part = predict("part.hex", "p_part")
    finally:
        server.stop()
    assert on_every == cluster.worker_addresses() and on_part == []
    assert len(every) == 151 and len(part) == 39 and every[0] == part[0]   # header and rows
    assert every[1:39] == part[1:]
    assert len({line.split(",")[0] for line in every[1:]}) == 3
