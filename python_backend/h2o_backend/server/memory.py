"""The memory budget (``--max-mem``, H2O's ``-Xmx``): what the store holds plus what running jobs
reserved must stay under it. A parse, a model build or a prediction whose estimate does not fit
is refused before it allocates anything, with a 412 naming what is too large and by how much."""
from __future__ import annotations

import os
import threading

from h2o_backend.engine.memory import Estimate, format_bytes, model_bytes
from h2o_backend.server.errors import ApiError

SIZE_SUFFIXES = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4}
DEFAULT_SHARE = 0.6         # of physical memory; see cli.py's help text for why
MEMORY_STATUS = 412


def parse_size(text: str) -> int:
    """'8g', '200m', '1024k', '1t', '123' (bytes) -> bytes; ValueError otherwise."""
    value = str(text).strip().lower()
    unit = value[-1:] if value[-1:] in "bkmgt" and value[-1:] != "" else ""
    number = value[:-1] if unit else value
    try:
        amount = float(number)
    except ValueError:
        raise ValueError(f"'{text}' is not a size such as 8g, 512m, 1024k or a number of bytes") from None
    if not amount > 0:
        raise ValueError(f"'{text}' must be a positive size")
    return int(amount * SIZE_SUFFIXES[unit])


def physical_memory() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 0


def default_max_mem() -> int:
    return int(physical_memory() * DEFAULT_SHARE) or 4 * 1024 ** 3


def resident_bytes() -> int:
    """The process's resident set size (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def stored_bytes(store) -> int:
    """Bytes of the frames and models held in the store (their numpy arrays)."""
    from h2o_backend.frames.frame import Frame
    total = 0
    for value in store.values():
        if isinstance(value, Frame):
            total += value.byte_size
        elif getattr(value, "model_info", None) is not None:
            total += model_bytes(value)
    return total


class Reservation:
    """Bytes a running job holds against the budget until ``release()``."""

    def __init__(self, budget: "MemoryBudget", nbytes: int):
        self.budget, self.nbytes, self._released = budget, nbytes, False

    def release(self) -> None:
        with self.budget._lock:
            if not self._released:
                self._released = True
                self.budget._reserved -= self.nbytes


class MemoryBudget:
    def __init__(self, store, max_bytes: int | None = None):
        self.store = store
        self.max_bytes = int(max_bytes or default_max_mem())
        self._reserved = 0
        self._lock = threading.Lock()

    @property
    def reserved(self) -> int:
        return self._reserved

    def used(self) -> int:
        return stored_bytes(self.store) + self._reserved

    def free(self) -> int:
        return max(0, self.max_bytes - self.used())

    def problem(self, est: Estimate) -> str | None:
        """The refusal message when ``est`` does not fit in what is free, else None."""
        free = self.free()
        if est.total <= free:
            return None
        return (f"{est.describe()} but the server has {format_bytes(free)} free of --max-mem "
                f"{format_bytes(self.max_bytes)} ({format_bytes(est.total - free)} too much); "
                f"remove frames or models, ask for less, or restart the server with a larger --max-mem")

    def reserve(self, est: Estimate) -> Reservation:
        """Hold ``est.total`` bytes for a job, or raise the 412 refusal."""
        with self._lock:
            message = self.problem(est)
            if message is not None:
                raise ApiError(MEMORY_STATUS, message, field=est.field,
                               exception_type="H2OMemoryBudgetExceededException",
                               values={"needed_bytes": est.total, "free_bytes": self.free(),
                                       "max_mem": self.max_bytes})
            self._reserved += est.total
            return Reservation(self, est.total)

    def guarded(self, est: Estimate, work):
        """``work`` (a job function) holding a reservation of ``est`` while it runs."""
        reservation = self.reserve(est)

        def run(job):
            try:
                return work(job)
            finally:
                reservation.release()
        run.reservation = reservation
        return run
