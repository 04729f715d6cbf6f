"""Jobs as H2O-3 JSON: JobV3, the shape every handler that starts work answers with, and JobsV3."""
from __future__ import annotations

from h2o_backend.jobs import CREATED, Job
from h2o_backend.server.context import services
from h2o_backend.server.keys import typed_key
from h2o_backend.server.schema import meta


def job_to_json(job: Job) -> dict:
    """One job as H2O-3's JobV3 (status CREATED/RUNNING/DONE/FAILED/CANCELLED, progress 0..1,
    start_time in ms since the epoch, msec the run time so far). Texts name no spool path."""
    hide = services().files.hide_spool
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
        "warnings": [hide(w) for w in job.warnings] or None,
        "exception": hide(job.exception),
        "stacktrace": "\n".join(job.stacktrace) if job.stacktrace else None,
        "auto_recoverable": False,
        "ready_for_view": job.status != CREATED,
    }


def jobs_response(jobs: list[Job], job_id: str | None = None) -> dict:
    return {"__meta": meta("JobsV3"), "job_id": typed_key(job_id, "Key<Job>"),
            "jobs": [job_to_json(j) for j in jobs]}
