"""POST /3/MissingInserter (H2O-3's MissingInserterV3: dataset, fraction, seed): a job that
replaces a fraction of a frame's cells by missing values, in place (the frame under the key
changes)."""
from __future__ import annotations

from flask import jsonify

from h2o_backend.frames.frame import Frame
from h2o_backend.frames.missing import insert_missing
from h2o_backend.server.context import services
from h2o_backend.server.errors import bad_request
from h2o_backend.server.job_json import job_to_json
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.lookup import get_frame
from h2o_backend.server.params import get_int, get_str, parse_float, request_params
from h2o_backend.server.routes import Route


def insert_missing_values():
    params = request_params()
    reject_unknown(params, ("dataset", "fraction", "seed"), "MissingInserterV3")
    key = get_str(params, "dataset", required=True)
    get_frame(key, field="dataset")
    if params.get("fraction") in (None, ""):
        raise bad_request("Argument 'fraction' is required", field="fraction")
    fraction = parse_float(params["fraction"], "fraction")
    if not 0 <= fraction <= 1:
        raise bad_request(f"Argument 'fraction': {fraction:g} is not between 0 and 1", field="fraction")
    seed = get_int(params, "seed", None)
    if seed is not None and seed < 0:
        seed = seed % (1 << 64)                 # H2O-3 seeds are Java longs
    store = services().store

    def work(job):
        frame = store.get(key, Frame)
        if frame is None:
            raise ValueError(f"Frame '{key}' was removed before missing values could be inserted")
        store.put(key, insert_missing(frame, fraction, seed))
        job.update(1.0, "Done.")

    job = services().jobs.submit("MissingInserter", work, dest_key=key, dest_type="Key<Frame>")
    return jsonify(job_to_json(job))


ROUTES = [Route("POST", "/3/MissingInserter", insert_missing_values)]
