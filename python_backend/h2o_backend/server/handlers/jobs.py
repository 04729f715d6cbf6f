"""GET /3/Jobs, GET /3/Jobs/{job_id}, POST /3/Jobs/{job_id}/cancel."""
from __future__ import annotations

from flask import jsonify

from h2o_backend.server.context import services
from h2o_backend.server.job_json import jobs_response
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.lookup import get_job


def list_jobs():
    reject_unknown(request_params(), (), "JobsV3")
    return jsonify(jobs_response(services().jobs.jobs()))


def fetch_job(job_id: str):
    reject_unknown(request_params(), (), "JobsV3")
    return jsonify(jobs_response([get_job(job_id)], job_id))


def cancel_job(job_id: str):
    reject_unknown(request_params(), (), "JobsV3")
    job = get_job(job_id)
    job.cancel()            # a finished job stays as it is (no error: cancel races completion)
    return jsonify(jobs_response([job], job_id))


ROUTES = [
    Route("GET", "/3/Jobs", list_jobs),
    Route("GET", "/3/Jobs/{job_id}", fetch_job),
    Route("POST", "/3/Jobs/{job_id}/cancel", cancel_job),
]
