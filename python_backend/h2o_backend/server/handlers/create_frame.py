"""POST /3/CreateFrame (H2O-3's CreateFrameV3, h2o.create_frame): a job that makes a frame of
random columns (frames/create_frame.py), checked against --max-mem before it starts."""
from __future__ import annotations

import dataclasses

from flask import jsonify

from h2o_backend.engine.memory import Estimate
from h2o_backend.frames.frame import Frame
from h2o_backend.frames.create_frame import CreateFrameSpec, column_counts, create_frame, estimated_bytes, problems
from h2o_backend.server.context import services
from h2o_backend.server.errors import bad_request
from h2o_backend.server.job_json import job_to_json
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import get_bool, get_int, get_str, parse_float, request_params
from h2o_backend.server.routes import Route

INT_FIELDS = ("rows", "cols", "factors", "integer_range", "response_factors")
BOOL_FIELDS = ("randomize", "has_response", "positive_response")
SEED_FIELDS = ("seed", "seed_for_column_types")
# real_fraction: the client may send it; H2O-3 takes the real columns as what the others leave
FIELDS = ("dest", "real_fraction", *(f.name for f in dataclasses.fields(CreateFrameSpec)))


def _spec(params) -> CreateFrameSpec:
    spec = CreateFrameSpec()
    for f in dataclasses.fields(CreateFrameSpec):
        if params.get(f.name) in (None, ""):
            continue
        if f.name in INT_FIELDS:
            value = get_int(params, f.name)
        elif f.name in BOOL_FIELDS:
            value = get_bool(params, f.name)
        elif f.name in SEED_FIELDS:
            value = get_int(params, f.name)
            value = None if value == -1 else value % (1 << 64)      # -1: a random seed (the client's "none")
        else:
            value = parse_float(params[f.name], f.name)
        setattr(spec, f.name, value)
    return spec


def post_create_frame():
    params = request_params()
    reject_unknown(params, FIELDS, "CreateFrameV3")
    spec = _spec(params)
    found = problems(spec)
    if found:
        name, message = found[0]
        raise bad_request(message, field=name, values={name: str(params.get(name, getattr(spec, name)))})
    svc = services()
    dest = get_str(params, "dest") or svc.store.unique_key("frame")
    if svc.store.get(dest) is not None and svc.store.get(dest, Frame) is None:
        raise bad_request(f"dest '{dest}' is the key of a model or another object, not a frame", field="dest")
    est = Estimate(f"CreateFrame {dest}", field="rows")
    counts = ", ".join(f"{n} {t}" for t, n in column_counts(spec).items() if n)
    est.add(f"{spec.rows} rows x {spec.cols + spec.has_response} columns ({counts})", estimated_bytes(spec))

    def work(job):
        svc.store.put(dest, create_frame(spec, dest))
        job.update(1.0, "Done.")

    job = svc.jobs.submit("CreateFrame", svc.memory.guarded(est, work), dest_key=dest, dest_type="Key<Frame>")
    return jsonify(job_to_json(job))


ROUTES = [Route("POST", "/3/CreateFrame", post_create_frame)]
