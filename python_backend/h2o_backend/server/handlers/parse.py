"""Data in: POST /3/PostFile(.bin), GET|POST /3/ImportFiles, POST /3/ImportFilesMulti,
POST /3/ParseSetup, POST /3/Parse (a background job)."""
from __future__ import annotations

import contextlib

from flask import jsonify, request

from h2o_backend.parse import parser as parse
from h2o_backend.server.errors import ApiError, bad_request, not_found
from h2o_backend.frames.frame import RawFile
from h2o_backend.parse.imports import import_files, remove_key, resolve_paths
from h2o_backend.parse.estimate import frame_bytes
from h2o_backend.parse.source import ParseError
from h2o_backend.server.context import services
from h2o_backend.server.job_json import job_to_json
from h2o_backend.server.keys import frame_key
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import get_bool, get_int, get_list, get_str, request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import meta
from h2o_backend.server.uploads import receive_upload
from h2o_backend.store import KeyStore

HINT_FIELDS = ("source_frames", "parse_type", "separator", "single_quotes", "check_header",
               "column_names", "column_types", "na_strings", "skipped_columns", "escapechar",
               "force_col_types", "custom_non_data_line_markers", "partition_by",
               "tz_adjust_to_local", "decrypt_tool")
PARSE_FIELDS = HINT_FIELDS + ("destination_frame", "number_columns", "chunk_size",
                              "delete_on_done", "blocking", "domains")
MIN_CHUNK = 1 << 16


def hide_spool(text: str, raws: list[RawFile], files) -> str:
    """`text` with uploaded files named by their keys, and any other path in the spool folder
    masked (`files`: the server's FileAccess)."""
    for raw in raws:
        if raw.delete_after_parse:
            text = text.replace(raw.path, f"'{raw.key}'")
    return files.hide_spool(text)


@contextlib.contextmanager
def api_errors(raws: list[RawFile] = ()):
    """Parse problems as 400 naming the field; missing files as 404."""
    try:
        yield
    except ParseError as exc:
        raise bad_request(hide_spool(str(exc), raws, services().files), field=exc.field) from None
    except FileNotFoundError as exc:
        raise ApiError(404, str(exc), field="path", exception_type="H2ONotFoundArgumentException",
                       values={"path": str(exc)}) from None


# ---------------------------------------------------------------------------- files in

def post_file():
    reject_unknown(request.args.to_dict(), ("destination_frame",), "PostFileV3")
    path, size, filename = receive_upload(services().spool_dir, services().max_upload)
    key = request.args.get("destination_frame") or filename or KeyStore.random_key("upload")
    remove_key(services().store, key)
    services().store.put(key, RawFile(key, path, size, delete_after_parse=True))
    return jsonify({"__meta": meta("PostFileV3"), "destination_frame": key, "total_bytes": size})


def _import(paths: list[str], pattern: str | None, shown_path, field: str) -> dict:
    access = services().files
    access.check_all(paths, field)
    with api_errors():
        files = [f for p in paths for f in resolve_paths(p, pattern)]
    access.check_all(files, field)      # a folder's or a glob's files: links leading out
    keys, fails, dels = import_files(services().store, files)
    return {"__meta": meta("ImportFilesV3", "ImportFiles"), "path": shown_path,
            "pattern": pattern, "files": files, "destination_frames": keys,
            "fails": fails, "dels": dels}


def import_path():
    params = request_params()
    reject_unknown(params, ("path", "pattern"), "ImportFilesV3")
    path = get_str(params, "path", required=True)
    return jsonify(_import([path], get_str(params, "pattern"), path, "path"))


def import_paths():
    params = request_params()
    reject_unknown(params, ("paths", "pattern"), "ImportFilesMultiV3")
    paths = [str(p) for p in get_list(params, "paths", []) or []]
    if not paths:
        raise bad_request("Argument 'paths' is required, but not specified", field="paths")
    body = _import(paths, get_str(params, "pattern"), None, "paths")
    body.pop("path")
    body["paths"] = paths
    body["__meta"] = meta("ImportFilesMultiV3", "ImportFilesMulti")
    return jsonify(body)


# ---------------------------------------------------------------------------- hints

def _raw_files(params: dict) -> list[RawFile]:
    keys = [str(k) for k in get_list(params, "source_frames", []) or []]
    if not keys:
        raise bad_request("Argument 'source_frames' is required, but not specified",
                          field="source_frames")
    raws = []
    for key in keys:
        raw = services().store.get(key, RawFile)
        if raw is None:
            raise not_found("Raw file", key, field="source_frames")
        if not raw.delete_after_parse:    # an imported file: still inside the data folders?
            services().files.check(raw.path, "source_frames")
        raws.append(raw)
    return raws


def _separator(params: dict) -> int | None:
    value = params.get("separator")
    if value is None or value == "":
        return None
    text = str(value)
    if text.lstrip("-").isdigit():
        return int(text)
    if len(text) == 1 or text in ("\\t",):
        return ord("\t") if text == "\\t" else ord(text)
    raise bad_request(f"separator must be a byte value such as 44 (or one character), not "
                      f"'{value}'", field="separator")


def _reject_unsupported(params: dict) -> None:
    parse_type = (get_str(params, "parse_type") or "CSV").upper()
    if parse_type not in ("CSV", "GUESS", "AUTO"):
        raise bad_request(f"parse_type '{params['parse_type']}' is not supported: only CSV",
                          field="parse_type")
    for name in ("custom_non_data_line_markers", "partition_by", "decrypt_tool", "domains"):
        value = params.get(name)
        if value not in (None, "", "[]", [], "null"):
            raise bad_request(f"{name} is not supported by this server", field=name)
    if get_bool(params, "tz_adjust_to_local", False):
        raise bad_request("tz_adjust_to_local=true is not supported: times are read as UTC",
                          field="tz_adjust_to_local")
    get_bool(params, "force_col_types", False)     # given column_types are always honoured


def _hints(params: dict) -> dict:
    _reject_unsupported(params)
    return {
        "separator": _separator(params),
        "check_header": get_int(params, "check_header", 0),
        "column_names": _optional_list(params, "column_names"),
        "column_types": _optional_list(params, "column_types"),
        "na_strings": _optional_list(params, "na_strings"),
        "single_quotes": get_bool(params, "single_quotes", False),
        "skipped_columns": [_int_item(v, "skipped_columns")
                            for v in get_list(params, "skipped_columns", []) or []],
        "escapechar": get_int(params, "escapechar", 0),
    }


def _optional_list(params: dict, name: str) -> list | None:
    value = params.get(name)
    if value in (None, "", "null"):
        return None
    return get_list(params, name)


def _int_item(value, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"{name}: '{value}' is not a column index", field=name) from None


# ---------------------------------------------------------------------------- setup & parse

def setup_json(setup: parse.ParseSetup, raws: list[RawFile], names_given: bool) -> dict:
    """ParseSetupV3: column_names is null for a header-less file unless names were given."""
    show_names = setup.check_header == 1 or names_given
    return {
        "__meta": meta("ParseSetupV3", "ParseSetup"),
        "source_frames": [frame_key(r.key) for r in raws],
        "parse_type": "CSV",
        "separator": setup.separator,
        "single_quotes": setup.single_quotes,
        "check_header": setup.check_header,
        "column_names": setup.column_names if show_names else None,
        "skipped_columns": setup.skipped_columns or None,
        "column_types": setup.column_types,
        "na_strings": setup.na_strings,
        "destination_frame": services().store.unique_key(setup.destination_frame),
        "header_lines": 0,
        "number_columns": setup.number_columns,
        "data": setup.data,
        "warnings": [hide_spool(w, raws, services().files) for w in setup.warnings] or None,
        "chunk_size": setup.chunk_size,
        "total_filtered_column_count": setup.number_columns,
        "escapechar": setup.escapechar,
        "force_col_types": False,
        "tz_adjust_to_local": False,
        "custom_non_data_line_markers": None,
        "partition_by": None,
        "decrypt_tool": None,
    }


def post_parse_setup():
    params = request_params()
    reject_unknown(params, HINT_FIELDS, "ParseSetupV3")
    raws = _raw_files(params)
    hints = _hints(params)
    with api_errors(raws):
        setup = parse.guess_setup([r.path for r in raws], **hints)
    setup.destination_frame = parse.hex_key(raws[0].key)
    return jsonify(setup_json(setup, raws, hints["column_names"] is not None))


def _parse_setup(params: dict, raws: list[RawFile]) -> parse.ParseSetup:
    with api_errors(raws):
        setup = parse.guess_setup([r.path for r in raws], **_hints(params))
        setup.destination_frame = parse.hex_key(raws[0].key)
        count = get_int(params, "number_columns")
        if count is not None and count != setup.number_columns:
            raise ParseError(f"number_columns is {count} but the setup has "
                             f"{setup.number_columns} columns", field="number_columns")
        chunk = get_int(params, "chunk_size", minimum=1)
        if chunk is not None:
            setup.chunk_size = max(MIN_CHUNK, chunk)
        parse.validate_setup(setup)
    return setup


def _parse_work(raws: list[RawFile], setup: parse.ParseSetup, dest: str, delete_on_done: bool,
                parse_files=parse.parse_frame):
    """The parse job: ``parse_files(paths, setup, dest, job)`` (the server's parser, or the Dask
    workers'), its frame stored under ``dest`` (a cluster frame it replaces lets go of its chunks)."""
    store = services().store

    files = services().files     # jobs run outside the request

    def shown(text: str) -> str:
        return hide_spool(text, raws, files)

    def work(job):
        try:
            frame = parse_files([r.path for r in raws], setup, dest, job)
        except ParseError as exc:
            raise ParseError(shown(str(exc)), field=exc.field) from None
        except (OSError, ValueError) as exc:
            raise ParseError(shown(f"{type(exc).__name__}: {exc}")) from None
        replaced = store.get(dest)
        if getattr(replaced, "held_on_cluster", False):
            replaced.release()
        store.put(dest, frame)
        job.warnings = [shown(w) for w in setup.warnings]
        job.update(1.0, "Done.")
        if delete_on_done:
            for raw in raws:
                remove_key(store, raw.key)
    return work


def _on_cluster(raws: list[RawFile]) -> bool:
    """Imported files parse on the Dask workers when there is a cluster (every worker reads the
    same path); uploads, which only the server holds, parse on the server."""
    return services().cluster is not None and all(not r.delete_after_parse for r in raws)


def _cluster_parse_work(raws: list[RawFile], setup: parse.ParseSetup, dest: str, delete_on_done: bool):
    """The parse on the workers (cluster/frames.py): refused at once when the frame would not fit
    in their memory; the server keeps the frame's metadata only."""
    from h2o_backend.cluster import frames as cluster_frames
    cluster = services().cluster
    kept = setup.number_columns - len(setup.skipped_columns or [])
    try:
        with api_errors(raws):
            cluster_frames.check_fits(cluster, [r.path for r in raws], kept)
    except cluster_frames.ClusterMemoryError as exc:
        raise ApiError(412, f"Parsing {', '.join(r.key for r in raws)}: {exc}", field="source_frames") from None
    return _parse_work(raws, setup, dest, delete_on_done,
                       lambda paths, setup, dest, job: cluster_frames.parse(cluster, paths, setup, dest, job))


def _frame_estimate(raws: list[RawFile], setup: parse.ParseSetup):
    """The parsed frame's bytes (parse/estimate.py), checked against --max-mem before reading."""
    from h2o_backend.engine.memory import Estimate
    kept = setup.number_columns - len(setup.skipped_columns or [])
    with api_errors():
        nbytes, rows = frame_bytes([r.path for r in raws], kept)
    est = Estimate(f"Parsing {', '.join(r.key for r in raws)}", field="source_frames")
    est.add(f"frame of {kept} columns x ~{rows} rows x 8 bytes", nbytes)
    return est


def post_parse():
    params = request_params()
    reject_unknown(params, PARSE_FIELDS, "ParseV3")
    raws = _raw_files(params)
    setup = _parse_setup(params, raws)
    dest = (get_str(params, "destination_frame")
            or services().store.unique_key(setup.destination_frame))
    delete_on_done = get_bool(params, "delete_on_done", True)
    blocking = get_bool(params, "blocking", False)
    if _on_cluster(raws):
        work = _cluster_parse_work(raws, setup, dest, delete_on_done)
    else:
        work = services().memory.guarded(_frame_estimate(raws, setup), _parse_work(raws, setup, dest, delete_on_done))
    job = services().jobs.submit("Parse", work, dest_key=dest, dest_type="Key<Frame>")
    if blocking:
        job.wait()
    frame = services().store.get(dest) if job.status == "DONE" else None
    return jsonify({
        "__meta": meta("ParseV3"),
        "destination_frame": frame_key(dest),
        "source_frames": [frame_key(r.key) for r in raws],
        "parse_type": "CSV", "separator": setup.separator, "single_quotes": setup.single_quotes,
        "check_header": setup.check_header, "number_columns": setup.number_columns,
        "column_names": setup.column_names, "column_types": setup.column_types,
        "skipped_columns": setup.skipped_columns or None, "na_strings": setup.na_strings,
        "chunk_size": setup.chunk_size, "delete_on_done": delete_on_done, "blocking": blocking,
        "job": job_to_json(job), "rows": frame.nrows if frame is not None else 0,
    })


ROUTES = [
    Route("POST", "/3/PostFile", post_file),
    Route("POST", "/3/PostFile.bin", post_file),
    Route("GET", "/3/ImportFiles", import_path),
    Route("POST", "/3/ImportFiles", import_path),
    Route("POST", "/3/ImportFilesMulti", import_paths),
    Route("POST", "/3/ParseSetup", post_parse_setup),
    Route("POST", "/3/Parse", post_parse),
]
