"""`h2o-backend` / `python -m h2o_backend`: start the REST server."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile

from h2o_backend import __version__


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="h2o-backend",
                                     description="Deep learning server speaking H2O's REST protocol")
    parser.add_argument("--ip", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=54321, help="port to listen on (default 54321)")
    parser.add_argument("--name", default="h2o_backend", help="cloud name reported by /3/Cloud")
    parser.add_argument("--nthreads", type=int, default=0,
                        help="training threads (default: all cores)")
    parser.add_argument("--log-dir", default=os.path.join(tempfile.gettempdir(), "h2o_backend_logs"),
                        help="folder of the log file")
    parser.add_argument("--log-level", default="INFO",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"], help="log verbosity")
    parser.add_argument("--dask-scheduler", default=None, metavar="ADDRESS",
                        help="join the Dask cluster of this scheduler (tcp://HOST:8786) and train on its workers")
    parser.add_argument("--dask-workers", type=int, default=0, metavar="N",
                        help="start a local Dask cluster of N worker processes and train on it")
    parser.add_argument("--dask-threads", type=int, default=1, metavar="K",
                        help="threads per worker of the local Dask cluster (default 1)")
    parser.add_argument("--http-threads", type=int, default=8, help="threads serving HTTP requests")
    parser.add_argument("--version", action="version", version=f"h2o-backend {__version__}")
    args = parser.parse_args(argv)
    if args.dask_scheduler and args.dask_workers:
        parser.error("--dask-scheduler and --dask-workers exclude each other")
    if args.dask_workers < 0 or args.dask_threads < 1:
        parser.error("--dask-workers must be >= 1 and --dask-threads >= 1")
    return args


def setup_logging(log_dir: str, level: str, port: int) -> str:
    os.makedirs(log_dir, exist_ok=True)
    log_path = os.path.join(log_dir, f"h2o_backend_{port}.log")
    fmt = logging.Formatter("%(asctime)s %(levelname)-5s %(name)s: %(message)s")
    root = logging.getLogger()
    root.setLevel(level)
    for handler in (logging.StreamHandler(sys.stderr), logging.FileHandler(log_path)):
        handler.setFormatter(fmt)
        root.addHandler(handler)
    return log_path


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    log_path = setup_logging(args.log_dir, args.log_level, args.port)
    if args.nthreads > 0:
        os.environ.setdefault("NUMBA_NUM_THREADS", str(args.nthreads))

    import threading

    import waitress

    from h2o_backend.server import create_app

    app = create_app({"ip": args.ip, "port": args.port, "cloud_name": args.name,
                      "nthreads": args.nthreads or None, "dask_scheduler": args.dask_scheduler,
                      "dask_workers": args.dask_workers, "dask_threads": args.dask_threads})
    log = logging.getLogger("h2o_backend")
    from h2o_backend.engine.kernels.cache import clear_stale_cache
    if clear_stale_cache():  # before any kernel loads, so nothing reads a file being removed
        log.info("kernel sources changed: numba cache cleared, kernels recompile (about 30 s)")
    threading.Thread(target=_warm_up_kernels, args=(log,), name="kernel-warm-up", daemon=True).start()
    log.info("h2o-backend %s listening on http://%s:%d (log: %s)", __version__, args.ip, args.port, log_path)
    try:
        waitress.serve(app, host=args.ip, port=args.port, threads=args.http_threads,
                       ident="h2o-backend", max_request_body_size=64 * 1024 ** 3,
                       channel_timeout=600)
    finally:
        app.config["SERVICES"].jobs.shutdown()
        if app.config["SERVICES"].cluster is not None:
            app.config["SERVICES"].cluster.close()


def _warm_up_kernels(log: logging.Logger) -> None:
    """Load the numba kernels from their on-disk cache (or compile them) while the server already
    answers, so the first training request does not wait for them."""
    from h2o_backend.engine.sgd import warm_up
    log.info("kernels ready in %.2f s", warm_up())


if __name__ == "__main__":
    main()
