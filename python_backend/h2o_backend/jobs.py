"""Background jobs: every long operation (parse, training, grid, prediction) runs as one.

A job's work function receives the Job and reports progress through `job.update()`;
it checks `job.stop_requested` between chunks of work and returns early when it is set
(a cancelled training keeps what it learnt so far).
"""
from __future__ import annotations

import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from h2o_backend import install_paths
from h2o_backend.store import KeyStore

CREATED, RUNNING, DONE, FAILED, CANCELLED = "CREATED", "RUNNING", "DONE", "FAILED", "CANCELLED"


class JobCancelled(Exception):
    """Raised inside a work function to abandon the job after a cancel request."""


class Job:
    def __init__(self, key: str, description: str, dest_key: str | None, dest_type: str):
        self.key = key
        self.description = description
        self.dest_key = dest_key
        self.dest_type = dest_type
        self.status = CREATED
        self.progress = 0.0
        self.progress_msg = ""
        self.start_time = time.time()
        self.end_time: float | None = None
        self.exception: str | None = None
        self.stacktrace: list[str] = []
        self.warnings: list[str] = []
        self._stop = threading.Event()
        self._finished = threading.Event()

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def cancel(self) -> None:
        if self.status in (CREATED, RUNNING):
            self._stop.set()

    def update(self, progress: float, msg: str | None = None) -> None:
        self.progress = min(1.0, max(0.0, float(progress)))
        if msg is not None:
            self.progress_msg = msg

    def wait(self, timeout: float | None = None) -> bool:
        return self._finished.wait(timeout)

    @property
    def run_time_ms(self) -> int:
        end = self.end_time if self.end_time is not None else time.time()
        return int((end - self.start_time) * 1000)

    def _finish(self, status: str) -> None:
        self.status = status
        self.end_time = time.time()
        if status == DONE:
            self.progress = 1.0
        self._finished.set()


class JobRunner:
    """Runs work functions on background threads and keeps every Job in the store."""

    def __init__(self, store: KeyStore, max_workers: int = 4):
        self.store = store
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="h2o-job")

    def submit(self, description: str, work: Callable[[Job], object], *,
               dest_key: str | None = None, dest_type: str = "Key<Frame>") -> Job:
        job = Job(KeyStore.random_key("$03010000ffffffff$_job"), description, dest_key, dest_type)
        self.store.put(job.key, job)
        self._pool.submit(self._run, job, work)
        return job

    def jobs(self) -> list[Job]:
        return sorted(self.store.values(Job), key=lambda j: j.start_time, reverse=True)

    @staticmethod
    def _run(job: Job, work: Callable[[Job], object]) -> None:
        job.status = RUNNING
        try:
            work(job)
        except JobCancelled:
            job._finish(CANCELLED)
            return
        except Exception as exc:  # a failed job reports its exception, the server keeps running
            job.exception = install_paths.hide(f"{type(exc).__name__}: {exc}" if not str(exc) else str(exc))
            job.stacktrace = install_paths.hide(traceback.format_exc()).splitlines()
            job._finish(FAILED)
            return
        job._finish(CANCELLED if job.stop_requested else DONE)

    def shutdown(self) -> None:
        for job in self.store.values(Job):
            job.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
