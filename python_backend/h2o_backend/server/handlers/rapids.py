"""POST /99/Rapids: H2O-3's expression endpoint (frames/rapids evaluates; this answers each kind
of result in H2O-3's schema: RapidsFrameV3, RapidsNumberV3, RapidsNumbersV3, RapidsStringsV3)."""
from __future__ import annotations

from flask import jsonify

from h2o_backend.engine.memory import Estimate
from h2o_backend.frames import rapids
from h2o_backend.frames.rapids.estimate import expression_bytes
from h2o_backend.frames.frame import Frame
from h2o_backend.server.context import services
from h2o_backend.server.errors import bad_request, not_found
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.model_json import json_number
from h2o_backend.server.params import get_str, request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import key_ref, meta
from h2o_backend.store import KeyStore


def evaluate_rapids():
    params = request_params()
    # session_id is sent by H2O-3 clients; this server keeps no per-session temporaries.
    reject_unknown(params, ("ast", "session_id"), "RapidsSchemaV3")
    ast = get_str(params, "ast", required=True)
    store = services().store

    def keep(frame: Frame) -> None:
        if store.get(frame.key) is not None and store.get(frame.key, Frame) is None:
            raise rapids.RapidsError(f"'{frame.key}' is the key of a model or another object, not a frame")
        store.put(frame.key, frame)

    def remove(key: str) -> None:
        if store.get(key) is not None and store.get(key, Frame) is None:
            raise rapids.RapidsError(f"'rm' removes frames; '{key}' is a model or another object")
        store.remove(key)

    if services().cluster is not None and _names_cluster_frame(ast, store):
        return jsonify(_on_cluster(ast, store))
    reservation = services().memory.reserve(_estimate(ast, store))
    try:
        result = rapids.evaluate(ast, lambda key: store.get(key, Frame), keep, remove, store.keys)
    except KeyError as exc:
        raise not_found("Frame", exc.args[0], field="ast")
    except rapids.RapidsError as exc:
        raise bad_request(f"Rapids expression {ast!r}: {exc}", field="ast", values={"ast": ast})
    finally:
        reservation.release()           # what the result holds is counted from the store from now on
    return jsonify(_answer(result, store))


def _names_cluster_frame(ast: str, store) -> bool:
    from h2o_backend.cluster import frame_rapids
    try:
        tree = rapids.parse(ast)
    except rapids.RapidsError as exc:
        raise bad_request(f"Rapids expression {ast!r}: {exc}", field="ast", values={"ast": ast})
    return frame_rapids.names_frames(tree, lambda key: getattr(store.get(key), "held_on_cluster", False))


def _on_cluster(ast: str, store) -> dict:
    """An expression over frames held by the Dask workers (cluster/frame_rapids.py): a new one."""
    from h2o_backend.cluster import frame_rapids
    from h2o_backend.parse.imports import remove_key
    try:
        dest, frame = frame_rapids.evaluate(services().cluster, ast, store.get)
    except rapids.RapidsError as exc:
        raise bad_request(f"Rapids expression {ast!r}: {exc}", field="ast", values={"ast": ast})
    if dest is not None:
        existing = store.get(dest)
        if existing is not None and not hasattr(existing, "columns"):
            raise bad_request(f"Rapids expression {ast!r}: '{dest}' is the key of a model or another object, "
                              f"not a frame", field="ast")
        remove_key(store, dest)
    store.put(frame.key, frame)
    return {"__meta": meta("RapidsFrameV3", "Iced", 99), "key": key_ref(frame.key, "Key<Frame>"),
            "num_rows": frame.nrows, "num_cols": frame.ncols}


def _estimate(ast: str, store) -> Estimate:
    """The frames the expression will make (rapids/estimate.py), checked before it runs."""
    try:
        tree = rapids.parse(ast)
    except rapids.RapidsError as exc:
        raise bad_request(f"Rapids expression {ast!r}: {exc}", field="ast", values={"ast": ast})
    est = Estimate("Rapids expression", field="ast")
    est.add("the frames it makes (at most the frames it names, once per mention and call)",
            expression_bytes(tree, lambda key: store.get(key, Frame)))
    return est


def _answer(result, store) -> dict:
    if isinstance(result, rapids.Num):
        return {"__meta": meta("RapidsNumberV3", "Iced", 99), "scalar": json_number(result.value)}
    if isinstance(result, rapids.Nums):
        return {"__meta": meta("RapidsNumbersV3", "Iced", 99), "scalar": [json_number(v) for v in result.values]}
    if isinstance(result, rapids.Str):
        return {"__meta": meta("RapidsStringV3", "Iced", 99), "string": result.value}
    if isinstance(result, rapids.Strs):
        return {"__meta": meta("RapidsStringsV3", "Iced", 99), "string": list(result.values)}
    frame = result
    if store.get(frame.key) is not frame:       # not assigned: kept under a key of its own, as H2O-3 does
        frame = Frame(KeyStore.random_key("rapids"), frame.columns)
        store.put(frame.key, frame)
    return {"__meta": meta("RapidsFrameV3", "Iced", 99), "key": key_ref(frame.key, "Key<Frame>"),
            "num_rows": frame.nrows, "num_cols": frame.ncols}


ROUTES = [Route("POST", "/99/Rapids", evaluate_rapids)]
