"""GET /3/Jobs, GET /3/Jobs/{job_id}, POST /3/Jobs/{job_id}/cancel — and `job_to_json`,
the H2O-3 JobV3 shape every handler that starts work answers with."""
from __future__ import annotations

from flask import jsonify

from h2o_backend.errors import not_found
from h2o_backend.jobs import CREATED, Job
from h2o_backend.server.context import services
from h2o_backend.server.keys import typed_key
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import request_params
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import meta


def job_to_json(job: Job) -> dict:
    """One job as H2O-3's JobV3 (status CREATED/RUNNING/DONE/FAILED/CANCELLED, progress 0..1,
    start_time in ms since the epoch, msec the run time so far)."""
    return {
        "__meta": meta("JobV3", "Job"),
        "key": typed_key(job.key, "Key<Job>"),
        "description": job.description,
        "status": job.status,
        "progress": float(job.progress),
        "progress_msg": job.progress_msg,
        "start_time": int(job.start_time * 1000),
        "msec": job.run_time_ms,
        "dest": typed_key(job.dest_key, job.dest_type),
        "warnings": list(job.warnings) or None,
        "exception": job.exception,
        "stacktrace": "\n".join(job.stacktrace) if job.stacktrace else None,
        "auto_recoverable": False,
        "ready_for_view": job.status != CREATED,
    }


def jobs_response(jobs: list[Job], job_id: str | None = None) -> dict:
    return {"__meta": meta("JobsV3"), "job_id": typed_key(job_id, "Key<Job>"),
            "jobs": [job_to_json(j) for j in jobs]}


def get_job(job_id: str) -> Job:
    job = services().store.get(job_id, Job)
    if job is None:
        raise not_found("Job", job_id, field="job_id")
    return job


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
