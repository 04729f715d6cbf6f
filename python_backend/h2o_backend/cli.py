"""`h2o-backend` / `python -m h2o_backend`: start the REST server."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile

from h2o_backend import __version__


THREADING_LAYER = "tbb"


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
    parser.add_argument("--dask-predict-min-rows", type=int, default=None, metavar="N",
                        help="with a Dask cluster, predictions on frames of at least N rows run on the "
                             "workers, one contiguous range of rows each, with the same results as on the "
                             "server (default 100000)")
    parser.add_argument("--http-threads", type=int, default=8, help="threads serving HTTP requests")
    parser.add_argument("--max-mem", type=_size, default=None, metavar="SIZE",
                        help="memory budget, as H2O's -Xmx (k/m/g/t suffixes, e.g. 8g): the frames and "
                             "models held plus what running jobs reserve; a parse, model or prediction "
                             "that would pass it is refused up front with 412. Default: 60%% of physical "
                             "memory, leaving the rest for what the budget does not count (the Python "
                             "interpreter and libraries, about 0.5 GB; pyarrow's buffers while a parse "
                             "builds its columns; request and scoring buffers) and for the OS")
    parser.add_argument("--max-upload", type=_size, default=None, metavar="SIZE",
                        help="largest upload accepted (k/m/g/t suffixes); larger ones get 413. Default: "
                             "--max-mem, since a parsed CSV holds 8 bytes per value, about as much as its "
                             "text, so a larger file could not be parsed within the budget")
    parser.add_argument("--recovery-dir", default=None, metavar="DIR",
                        help="folder where every trained model is also saved (atomically); a server "
                             "started with the same folder loads them back (frames are not kept)")
    access = parser.add_argument_group("access control")
    access.add_argument("--auth-file", metavar="FILE",
                        help="HTTP basic authentication on every route: one user:hash line per "
                             "user, bcrypt hashes as `htpasswd -B` writes them")
    access.add_argument("--allow-unauthenticated", action="store_true",
                        help="listen on a non-loopback --ip without --auth-file (anyone who "
                             "reaches the address can read and write files and run jobs)")
    access.add_argument("--data-dir", metavar="FOLDER", action="append",
                        help="a folder whose files requests may read and write (ImportFiles, "
                             "Models.bin); repeatable. Default: the working folder, the user's "
                             "home and the temporary folder")
    access.add_argument("--data-url", metavar="PREFIX", action="append",
                        help="a URL prefix (an fsspec filesystem's: s3://bucket/data/, gs://..., hdfs://..., "
                             "file:///shared/) whose files ImportFiles may read; the Dask workers read them, "
                             "so it needs --dask-workers or --dask-scheduler; repeatable. Default: none")
    access.add_argument("--allow-custom-code", action="store_true",
                        help="let clients upload Python code that the server runs with its own rights "
                             "(H2O-3's custom_metric_func via POST /3/PutKey); refused with 403 otherwise")
    access.add_argument("--certfile", metavar="FILE", help="serve HTTPS with this PEM certificate")
    access.add_argument("--keyfile", metavar="FILE", help="the certificate's PEM private key")
    parser.add_argument("--version", action="version", version=f"h2o-backend {__version__}")
    args = parser.parse_args(argv)
    if args.dask_scheduler and args.dask_workers:
        parser.error("--dask-scheduler and --dask-workers exclude each other")
    if args.dask_workers < 0 or args.dask_threads < 1:
        parser.error("--dask-workers must be >= 1 and --dask-threads >= 1")
    if args.dask_predict_min_rows is not None:
        if not (args.dask_scheduler or args.dask_workers):
            parser.error("--dask-predict-min-rows needs a Dask cluster: give --dask-workers or --dask-scheduler")
        if args.dask_predict_min_rows < 0:
            parser.error("--dask-predict-min-rows must be >= 0")
    if args.data_url and not (args.dask_scheduler or args.dask_workers):
        parser.error("--data-url needs a Dask cluster (its workers read the URLs): give --dask-workers or "
                     "--dask-scheduler")
    check_access_args(parser, args)
    return args


def check_access_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Exit with a clear message (status 2) on access settings that cannot work or that would
    expose the server unauthenticated."""
    from h2o_backend.server.access import AuthFileError, is_loopback, read_auth_file
    if bool(args.certfile) != bool(args.keyfile):
        parser.error("--certfile and --keyfile go together: give both to serve HTTPS")
    for option, path in (("--certfile", args.certfile), ("--keyfile", args.keyfile)):
        if path and not os.path.isfile(path):
            parser.error(f"{option} {path}: no such file")
    if args.certfile:
        import ssl
        try:
            ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(args.certfile,
                                                                                args.keyfile)
        except (ssl.SSLError, OSError) as exc:
            parser.error(f"--certfile/--keyfile: cannot load {args.certfile} with {args.keyfile} "
                         f"as a PEM certificate and its private key ({exc})")
    for folder in args.data_dir or []:
        if not os.path.isdir(folder):
            parser.error(f"--data-dir {folder}: not a folder")
    args.auth_users = {}
    if args.auth_file:
        try:
            args.auth_users = read_auth_file(args.auth_file)
        except AuthFileError as exc:
            parser.error(f"--auth-file: {exc}")
    if not is_loopback(args.ip) and not args.auth_users and not args.allow_unauthenticated:
        parser.error(f"refusing to listen on {args.ip} without authentication: anyone who can "
                     f"reach that address could read and write files and run jobs. Give "
                     f"--auth-file FILE (users and bcrypt hashes, as `htpasswd -B` writes them), "
                     f"or --allow-unauthenticated to accept the risk")


def _size(text: str) -> int:
    from h2o_backend.server.memory import parse_size
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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


def configure_threads(nthreads: int) -> int:
    """One thread count for numba's kernels and BLAS (they alternate, never run at once, so the
    cores are not oversubscribed): ``nthreads`` > 0 wins over NUMBA_NUM_THREADS and the BLAS
    variables of the environment; 0 keeps numba's count and caps BLAS to it. Call before numba is
    imported (numba reads NUMBA_NUM_THREADS once). Returns the count in force."""
    if nthreads > 0:
        os.environ["NUMBA_NUM_THREADS"] = str(nthreads)
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ[var] = str(nthreads)
    import numba
    from threadpoolctl import threadpool_limits
    if nthreads > 0:
        _numba_rereads_threads()
    count = numba.config.NUMBA_NUM_THREADS
    if nthreads > 0 and count != nthreads:   # numba was imported before: keep within its pool
        count = min(nthreads, count)
    numba.set_num_threads(count)
    threadpool_limits(limits=count, user_api="blas")
    return count


def _numba_rereads_threads() -> None:
    """numba reads NUMBA_NUM_THREADS at import and again at every compilation, where a value other
    than its running pool's raises ("Cannot set NUMBA_NUM_THREADS ... once the threads have been
    launched"). The argument parsing imports numba before --nthreads sets the variable: numba reads
    it now, before its pool starts; if the pool already runs, the variable goes back to the pool's
    size (--nthreads then only limits the threads used, as numba.set_num_threads does)."""
    from numba.core import config
    try:
        config.reload_config()
    except RuntimeError:
        os.environ["NUMBA_NUM_THREADS"] = str(config.NUMBA_NUM_THREADS)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    log_path = setup_logging(args.log_dir, args.log_level, args.port)
    # Jobs call the parallel kernels from several threads at once (two trainings, a prediction):
    # TBB is safe for that and shares one pool of cores between them (numba's workqueue layer is
    # not thread-safe; OpenMP gives each calling thread a team of its own, oversubscribing).
    # Set before numba is imported (configure_threads imports it).
    os.environ.setdefault("NUMBA_THREADING_LAYER", THREADING_LAYER)
    configure_threads(args.nthreads)

    import threading

    from h2o_backend.server import create_app, housekeeping
    from h2o_backend.server.memory import default_max_mem

    log = logging.getLogger("h2o_backend")
    _clean_leftovers(log, housekeeping)
    max_mem = args.max_mem or default_max_mem()
    max_upload = args.max_upload or max_mem
    app = create_app({"ip": args.ip, "port": args.port, "cloud_name": args.name,
                      "nthreads": args.nthreads or None, "max_mem": max_mem, "max_upload": max_upload,
                      "recovery_dir": os.path.abspath(args.recovery_dir) if args.recovery_dir else None,
                      "auth_users": args.auth_users, "data_dirs": args.data_dir, "data_urls": args.data_url,
                      "dask_scheduler": args.dask_scheduler, "dask_workers": args.dask_workers,
                      "dask_threads": args.dask_threads, "dask_predict_min_rows": args.dask_predict_min_rows,
                      "allow_custom_code": args.allow_custom_code})
    _warn_about_access(args, log)
    from h2o_backend.engine.kernels.cache import clear_stale_cache
    if clear_stale_cache():  # before any kernel loads, so nothing reads a file being removed
        log.info("kernel sources changed: numba cache cleared, kernels recompile (about 30 s)")
    threading.Thread(target=_warm_up_kernels, args=(log,), name="kernel-warm-up", daemon=True).start()
    _serve(app, args, log, log_path, max_mem, max_upload)


def _clean_leftovers(log: logging.Logger, housekeeping) -> None:
    """Spool folders and temporary model files of servers that died without cleaning up."""
    spools = housekeeping.remove_stale_spools()
    temps = housekeeping.clean_save_folders()
    if spools or temps:
        log.info("removed %d stale spool folders and %d stale temporary model files",
                 len(spools), len(temps))


def _serve(app, args, log: logging.Logger, log_path: str, max_mem: int, max_upload: int) -> None:
    """Serve until SIGTERM, SIGINT or POST /3/Shutdown, then stop cleanly (housekeeping.shutdown)."""
    import signal
    import threading
    import time

    import waitress

    from h2o_backend.engine.memory import format_bytes
    from h2o_backend.server import housekeeping

    services = app.config["SERVICES"]

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)   # a second SIGTERM must not cut the shutdown
        raise SystemExit(0)

    def stop_soon():       # after the response to POST /3/Shutdown is on its way
        def later():
            time.sleep(0.3)
            os.kill(os.getpid(), signal.SIGTERM)
        threading.Thread(target=later, name="shutdown", daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    services.lifecycle.on_shutdown = stop_soon
    # the HTTP layer's own cap (a plain-text 413; waitress buffers bodies to disk before the
    # application sees them) sits above --max-upload, so the application answers 413 in H2O's error
    # shape for bodies up to a quarter (at least 64 MiB) over it
    # the HTTP layer's own cap sits above --max-upload (see above)
    body_cap = max_upload + max(64 << 20, max_upload // 4)
    if args.certfile:
        server = _https_server(app, args, body_cap)
        run, close = server.start, server.stop
    else:
        server = waitress.create_server(app, host=args.ip, port=args.port, threads=args.http_threads,
                                        ident="h2o-backend", max_request_body_size=body_cap,
                                        channel_timeout=600)
        run, close = server.run, server.close
    log.info("h2o-backend %s listening on %s://%s:%d (log: %s; --max-mem %s, --max-upload %s)", __version__,
             "https" if args.certfile else "http", args.ip, args.port, log_path, format_bytes(max_mem),
             format_bytes(max_upload))
    log.info("files readable and writable under: %s", ", ".join(services.files.data_dirs))
    try:
        run()
    except KeyboardInterrupt:
        pass
    finally:
        log.info("shutting down")
        close()
        housekeeping.shutdown(services)
        if services.cluster is not None:
            services.cluster.close()


def _warn_about_access(args: argparse.Namespace, log: logging.Logger) -> None:
    from h2o_backend.server.access import is_loopback
    if is_loopback(args.ip):
        return
    if not args.auth_users:
        log.warning("WARNING: listening on %s WITHOUT AUTHENTICATION (--allow-unauthenticated): "
                    "anyone who can reach this address can read and write files under the data "
                    "folders and run jobs", args.ip)
    elif not args.certfile:
        log.warning("WARNING: passwords travel in clear over plain HTTP on %s; give --certfile "
                    "and --keyfile to serve HTTPS", args.ip)


def _https_server(app, args: argparse.Namespace, body_cap: int):
    """HTTPS with cheroot's WSGI server and the ssl module: waitress has no TLS."""
    from cheroot import wsgi
    from h2o_backend.server.tls import DeferredHandshakeAdapter
    server = wsgi.Server((args.ip, args.port), app, numthreads=args.http_threads,
                         server_name="h2o-backend", timeout=600)
    server.max_request_body_size = body_cap
    server.ssl_adapter = DeferredHandshakeAdapter(args.certfile, args.keyfile)
    return server


def _warm_up_kernels(log: logging.Logger) -> None:
    """Load the numba kernels from their on-disk cache (or compile them) while the server already
    answers, so the first training request does not wait for them."""
    from h2o_backend.engine.sgd import warm_up
    seconds = warm_up()
    import numba
    try:
        layer = numba.threading_layer()
    except ValueError:       # no parallel kernel has run yet
        layer = numba.config.THREADING_LAYER
    log.info("kernels ready in %.2f s (numba threading layer: %s)", seconds, layer)


if __name__ == "__main__":
    main()
