"""POST /3/PutKey (h2o.upload_custom_metric): an uploaded zip archive of Python modules kept
under a key, for ``custom_metric_func`` (engine/metrics/custom.py). The archive's code runs with
the server's rights when a model uses it, so uploads are refused with 403 unless the server was
started with --allow-custom-code."""
from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass, field

from flask import jsonify, request

from h2o_backend.server.context import services
from h2o_backend.server.errors import ApiError, bad_request
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import get_bool, get_str
from h2o_backend.server.routes import Route
from h2o_backend.server.schema import meta
from h2o_backend.server.uploads import receive_upload

MAX_ARCHIVE_BYTES = 16 << 20
CUSTOM_CODE_REFUSED = ("custom code (custom_metric_func, PutKey uploads) runs in the server's process with its "
                       "rights; this server was not started with --allow-custom-code")


@dataclass
class UploadedArchive:
    """The Python sources of an uploaded archive, by file name."""
    key: str
    files: dict[str, str] = field(default_factory=dict)

    @property
    def byte_size(self) -> int:
        return sum(len(v) for v in self.files.values())


def require_custom_code_allowed(field_name: str) -> None:
    if not services().allow_custom_code:
        raise ApiError(403, CUSTOM_CODE_REFUSED, field=field_name, exception_type="H2OSecurityException")


def put_key():
    params = request.args.to_dict()
    reject_unknown(params, ("destination_key", "overwrite"), "PutKeyV3")
    require_custom_code_allowed("destination_key")
    svc = services()
    key = get_str(params, "destination_key") or svc.store.random_key("func")
    if svc.store.get(key) is not None and not get_bool(params, "overwrite", True):
        raise bad_request(f"key '{key}' exists and overwrite is false", field="destination_key")
    path, size, _ = receive_upload(svc.spool_dir, MAX_ARCHIVE_BYTES)
    try:
        with open(path, "rb") as fh:
            files = _python_sources(fh.read())
    finally:
        os.remove(path)
    svc.store.put(key, UploadedArchive(key, files))
    return jsonify({"__meta": meta("PutKeyV3"), "destination_key": key})


def _python_sources(data: bytes) -> dict[str, str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                    if name.endswith(".py")}
    except (zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise bad_request(f"the upload is not a zip archive of Python sources: {exc}", field="file")


ROUTES = [Route("POST", "/3/PutKey", put_key)]
