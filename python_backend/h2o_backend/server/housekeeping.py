"""What the server leaves on disk, and stopping cleanly.

- The upload spool folder is `h2o_backend_spool_<pid>_*` in the temp folder: removed at shutdown,
  and at start every such folder whose server process is gone is removed too.
- Saved models are written through `.tmp_model_<pid>_*` files beside their target
  (export/saved_model.py). Each folder a model is saved to is recorded, before the save starts, in
  `h2o_backend_save_folders.txt` in the temp folder (shared by the servers of this machine); at start
  the leftovers of dead servers are removed from those folders, at shutdown this server's own.
- Shutdown (POST /3/Shutdown, SIGTERM): running jobs are cancelled (and given a few seconds to
  end), saves in flight are finished (never cut in half), then the spool and temporary files are
  removed.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time

from h2o_backend.export import saved_model

log = logging.getLogger("h2o_backend")

SPOOL_PREFIX = "h2o_backend_spool_"
SAVE_FOLDERS_FILE = "h2o_backend_save_folders.txt"
MAX_RECORDED_FOLDERS = 1000


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ---------------------------------------------------------------------------- spool folders
def make_spool_dir(parent: str | None = None) -> str:
    return tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}{os.getpid()}_", dir=parent)


def remove_stale_spools(parent: str | None = None) -> list[str]:
    """Remove the spool folders of servers that are no longer running; returns them."""
    parent = parent or tempfile.gettempdir()
    removed = []
    for name in os.listdir(parent):
        if not name.startswith(SPOOL_PREFIX):
            continue
        pid_text = name[len(SPOOL_PREFIX):].split("_", 1)[0]
        if pid_text.isdigit() and not pid_alive(int(pid_text)):
            path = os.path.join(parent, name)
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


# ---------------------------------------------------------------------------- save folders
def _folders_file(parent: str | None = None) -> str:
    return os.path.join(parent or tempfile.gettempdir(), SAVE_FOLDERS_FILE)


def record_save_folder(folder: str, parent: str | None = None) -> None:
    """Remember `folder` (before a save into it starts) so a restarted server can clean it."""
    folder = os.path.abspath(folder)
    path = _folders_file(parent)
    if folder in recorded_save_folders(parent):
        return
    with open(path, "a", encoding="utf-8") as fh:   # one short append: atomic between servers
        fh.write(folder + "\n")


def recorded_save_folders(parent: str | None = None) -> list[str]:
    try:
        with open(_folders_file(parent), encoding="utf-8") as fh:
            return list(dict.fromkeys(line.strip() for line in fh if line.strip()))
    except OSError:
        return []


def clean_save_folders(own_pid: int | None = None, parent: str | None = None) -> list[str]:
    """Remove stale `.tmp_model_*` files from every recorded folder (and this server's own when
    `own_pid` is given); folders that no longer exist are forgotten. Returns the removed files."""
    removed, kept = [], []
    for folder in recorded_save_folders(parent):
        if os.path.isdir(folder):
            kept.append(folder)
            removed += saved_model.remove_stale_temps(folder, pid_alive, own_pid)
    if own_pid is None:       # at start: rewrite the list without the folders that are gone
        _rewrite_folders(kept[-MAX_RECORDED_FOLDERS:], parent)
    return removed


def _rewrite_folders(folders: list[str], parent: str | None) -> None:
    path = _folders_file(parent)
    tmp = f"{path}.{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.writelines(f + "\n" for f in folders)
        os.replace(tmp, path)
    except OSError:
        if os.path.exists(tmp):
            os.unlink(tmp)


# ---------------------------------------------------------------------------- lifecycle
class Lifecycle:
    """Saves in flight and the shutdown request of one server."""

    def __init__(self):
        self._saves = 0
        self._cond = threading.Condition()
        self.shutting_down = threading.Event()
        self.on_shutdown = None      # set by the command line: stops the HTTP server

    def saving(self):
        lifecycle = self

        class _Saving:
            def __enter__(self):
                with lifecycle._cond:
                    lifecycle._saves += 1

            def __exit__(self, *exc):
                with lifecycle._cond:
                    lifecycle._saves -= 1
                    lifecycle._cond.notify_all()
        return _Saving()

    @property
    def saves_in_flight(self) -> int:
        return self._saves

    def wait_for_saves(self, timeout: float) -> bool:
        deadline = time.time() + timeout
        with self._cond:
            while self._saves > 0:
                left = deadline - time.time()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def request_shutdown(self) -> None:
        """Stop the server soon (after the current response is sent)."""
        self.shutting_down.set()
        if self.on_shutdown is not None:
            self.on_shutdown()


def shutdown(services, save_timeout: float = 600.0, job_timeout: float = 10.0) -> None:
    """Cancel the jobs, finish the saves, remove the spool and this server's temporary files."""
    from h2o_backend.jobs import Job
    services.lifecycle.shutting_down.set()
    running = [j for j in services.store.values(Job) if j.status in ("CREATED", "RUNNING")]
    for job in running:
        job.cancel()
    deadline = time.time() + job_timeout          # a cancelled training stores (and may save) its model
    for job in running:
        job.wait(max(0.0, deadline - time.time()))
    if not services.lifecycle.wait_for_saves(save_timeout):
        log.warning("shutdown: %d saves still running after %.0f s", services.lifecycle.saves_in_flight,
                    save_timeout)
    services.jobs.shutdown()
    shutil.rmtree(services.spool_dir, ignore_errors=True)
    clean_save_folders(own_pid=os.getpid())
    log.info("shutdown complete: %d jobs cancelled, spool %s removed", len(running), services.spool_dir)
