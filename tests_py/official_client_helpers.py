"""The official H2O-3 Python client (`h2o`, pinned in the `test` extra) connected to a server that
the test module starts: shared by test_official_client.py and test_official_client_frames.py."""
from __future__ import annotations

import contextlib
import functools

import matplotlib

matplotlib.use("Agg")       # model.plot() in tests: no display

import h2o  # noqa: E402

from conftest import ServerProcess  # noqa: E402


@contextlib.contextmanager
def connected_server(*extra_args: str):
    """A fresh server on a free port (started with ``extra_args``) with the client connected to it
    (h2o keeps one global connection); closed and stopped afterwards."""
    proc = ServerProcess(extra_args=list(extra_args) or None)
    try:
        h2o.connect(url=proc.url, verbose=False)
        yield proc
    finally:
        with contextlib.suppress(Exception):
            h2o.connection().close()
        proc.stop()


def plain_failures(namespace: dict) -> None:
    """Wrap every test_* function of a module so that an exception raised inside the client fails
    the test with its message only: pytest 9 on CPython 3.11 crashes (INTERNALERROR, AST recursion)
    while rendering tracebacks through some of the client's source files."""
    for name, fn in list(namespace.items()):
        if name.startswith("test_") and callable(fn):
            namespace[name] = _plain(fn)


def _plain(fn):
    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AssertionError:
            raise
        except Exception as exc:
            if type(exc).__module__.split(".")[0] != "h2o":
                raise
            raise AssertionError(f"{type(exc).__name__}: {exc}") from None
    return run
