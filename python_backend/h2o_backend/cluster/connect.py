"""Starting or joining the Dask cluster, and what /3/Cloud says about its workers.

``start(scheduler=None, n_workers=0, threads=1)``: with ``scheduler`` (``tcp://HOST:8786``) join
that cluster (its workers started with ``dask worker ADDRESS --nthreads K``); else start a local
cluster of ``n_workers`` processes with ``threads`` threads each, on the loopback interface only.
The workers load the numba kernels in the background once they are up.

The local cluster shares the machine's cores with the server, so its housekeeping is kept small
(``LOCAL_CLUSTER_CONFIG``, for the scheduler, nannies and workers): no statistical profiler on the
workers (it samples every thread's stack 100 times a second: 6-9 % of a training worker's CPU, and
no dashboard shows it here), and the event-loop tick, memory and system monitors at 1-2 s instead of
20-500 ms (at 20 ms the ticks alone kept the idle server at 4 % of a core and each worker at 1.5 %;
0.9 % and 0.4 % now).
"""
from __future__ import annotations

import logging
import time

log = logging.getLogger(__name__)

HEALTHY_SECONDS = 10.0   # a worker unheard of for longer is reported unhealthy
LOCAL_CLUSTER_CONFIG = {          # dotted keys: a nanny hands them to its worker one by one
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}


class DaskCluster:
    """The server's handle on the cluster: a distributed.Client (and the LocalCluster it owns)."""

    def __init__(self, client, local_cluster=None):
        self.client = client
        self.local_cluster = local_cluster

    # ------------------------------------------------------------------ workers
    def _workers(self) -> dict:
        # Asked of the scheduler directly: Client.scheduler_info() returns a cache that the
        # client's periodic refresh can overwrite, at any moment, with one listing no workers.
        identity = self.client.sync(self.client.scheduler.identity, n_workers=-1)
        return dict(identity.get("workers", {}))

    def worker_addresses(self) -> list[str]:
        """The current workers' addresses, sorted: the rank order of shards, seeds and averaging."""
        return sorted(self._workers())

    @property
    def n_nodes(self) -> int:
        return len(self._workers())

    def worker_threads(self) -> dict[str, int]:
        return {w: int(info.get("nthreads", 1) or 1) for w, info in self._workers().items()}

    def memory_limits(self) -> dict[str, int]:
        return {w: int(info.get("memory_limit", 0) or 0) for w, info in self._workers().items()}

    def nodes(self) -> list[dict]:
        """One /3/Cloud ``nodes`` entry per worker (H2O-3's NodeV3 fields)."""
        now = time.time()
        out = []
        for address, info in sorted(self._workers().items()):
            metrics = info.get("metrics", {}) or {}
            limit = int(info.get("memory_limit", 0) or 0)
            used = int(metrics.get("memory", 0) or 0)
            last_seen = float(info.get("last_seen", now) or now)
            host_port = address.split("://", 1)[-1]
            out.append({
                "h2o": host_port, "ip_port": host_port,
                "healthy": (now - last_seen) < HEALTHY_SECONDS,
                "last_ping": int(last_seen * 1000),
                "pid": int(info.get("pid", 0) or 0),
                "num_cpus": int(info.get("nthreads", 1) or 1),
                "cpus_allowed": int(info.get("nthreads", 1) or 1),
                "nthreads": int(info.get("nthreads", 1) or 1),
                "sys_load": float(metrics.get("cpu", 0.0) or 0.0) / 100.0,
                "max_mem": limit, "free_mem": max(0, limit - used),
                "num_keys": int(metrics.get("task_counts", {}).get("memory", 0)
                                if isinstance(metrics.get("task_counts"), dict) else 0),
            })
        return out

    # ------------------------------------------------------------------ training
    def session(self, run):
        from h2o_backend.cluster.session import DaskTrainingSession
        return DaskTrainingSession(self, run)

    def training_data(self, frame, datainfo):
        """engine/training.py's training data of a frame the workers hold (frame_training.py)."""
        from h2o_backend.cluster.frame_training import ClusterTrainingData
        return ClusterTrainingData.build(self, frame, datainfo)

    # ------------------------------------------------------------------ predictions
    def forward(self, mi, X, drop_ratios, *, row_mse: bool = False, hidden_layer: int = 0,
                n_threads: int | None = None, stop=None):
        """batch_sgd.forward, the rows scored on the workers (scoring.py): what the server passes to
        DeepLearningModel.predict (and anomaly, deep_features, score) for large frames."""
        from h2o_backend.cluster import scoring
        return scoring.forward(self, mi, X, drop_ratios, row_mse=row_mse, hidden_layer=hidden_layer,
                               n_threads=n_threads, stop=stop)

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.local_cluster is not None:
                self.local_cluster.close()


def start(scheduler: str | None = None, n_workers: int = 0, threads: int = 1) -> DaskCluster:
    """Join ``scheduler`` or start a local cluster (see module doc)."""
    from distributed import Client, LocalCluster
    if scheduler:
        client = Client(scheduler, timeout="30s", set_as_default=False)
        cluster = DaskCluster(client)
    else:
        if n_workers < 1:
            raise ValueError("--dask-workers must be at least 1")
        import dask
        with dask.config.set(LOCAL_CLUSTER_CONFIG):      # the scheduler's and the nannies' own
            local = LocalCluster(n_workers=int(n_workers), threads_per_worker=max(1, int(threads)),
                                 processes=True, host="127.0.0.1", dashboard_address=None,
                                 worker_dashboard_address=None,
                                 env={"NUMBA_NUM_THREADS": str(max(1, int(threads)))},
                                 config=LOCAL_CLUSTER_CONFIG)
        client = Client(local, set_as_default=False)
        cluster = DaskCluster(client, local)
    _warm_up_workers(client)
    log.info("Dask cluster: scheduler %s, %d worker(s)", client.scheduler.address, cluster.n_nodes)
    return cluster


def _warm_up_workers(client) -> None:
    """Load the kernels on every worker (in the background: the workers answer meanwhile)."""
    import threading

    from h2o_backend.cluster import tasks

    def run():
        try:
            log.info("Dask workers' kernels ready in %s s", client.run(tasks.warm_up))
        except Exception:  # warm-up only saves time later
            log.debug("worker warm-up failed", exc_info=True)
    threading.Thread(target=run, name="dask-warm-up", daemon=True).start()
