"""Model downloads: GET /3/Models.java/{model_id}, the model as one self-contained Java source file
(POJO), GET /3/Models/{model_id}/mojo (and /99/Models.mojo/{model_id}), the model as a MOJO zip for
H2O's Java runtime h2o-genmodel (export/mojo.py), GET /99/Models.onnx/{model_id}, the model as an
ONNX graph with its data preparation (export/onnx.py), and GET /3/Models.fetch.bin/{model_id},
the saved-model file as bytes.

The POJO needs only the JDK; the MOJO needs h2o-genmodel, which this server does not serve (no
/3/h2o-genmodel.jar): it ships with H2O-3 and on Maven Central (ai.h2o:h2o-genmodel).
"""
from __future__ import annotations

import os
import re
import tempfile

from flask import Response

from h2o_backend.export import mojo, pojo, saved_model
from h2o_backend.server.context import services
from h2o_backend.server.errors import bad_request
from h2o_backend.server.known_params import reject_cv_predictions_export, reject_unknown
from h2o_backend.server.lookup import get_model
from h2o_backend.server.model_builder import parameter_listing
from h2o_backend.server.model_json import model_json
from h2o_backend.server.params import get_bool, request_params
from h2o_backend.server.routes import Route


def model_java(model_id: str):
    params = request_params()
    reject_unknown(params, {"preview"}, "ModelsV3")
    preview = bool(get_bool(params, "preview", False))
    model = get_model(model_id)
    text = pojo.pojo_source(model, preview=preview)
    headers = {"Content-Disposition": f'attachment; filename="{pojo.java_id(model_id)}.java"'}
    return Response(text, mimetype="text/plain", headers=headers)


def model_mojo(model_id: str):
    reject_unknown(request_params(), (), "ModelsV3")
    model = get_model(model_id)
    details = model_json(model, parameter_listing(model.params, model.input_params))
    try:
        body = mojo.mojo_bytes(model, details)
    except mojo.MojoExportError as exc:
        raise bad_request(f"Model '{model_id}' cannot be exported as a MOJO: {exc}", field="model_id")
    headers = {"Content-Disposition": f'attachment; filename="{_file_name(model_id)}.zip"'}
    return Response(body, mimetype="application/zip", headers=headers)


def model_onnx(model_id: str):
    reject_unknown(request_params(), (), "ModelsV3")
    model = get_model(model_id)
    from h2o_backend.export import onnx as onnx_export   # loads the onnx package on first use
    try:
        body = onnx_export.onnx_bytes(model)
    except ValueError as exc:
        raise bad_request(f"Model '{model_id}' cannot be exported: {exc}", field="model_id")
    headers = {"Content-Disposition": f'attachment; filename="{_file_name(model_id)}.onnx"'}
    return Response(body, mimetype="application/octet-stream", headers=headers)


def _file_name(model_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", model_id) or "model"


def _saved_model_bytes(model) -> bytes:
    """The saved-model file of `model` (the format of /99/Models.bin), written to a spool file and read back."""
    fd, target = tempfile.mkstemp(prefix=".fetch_model_", dir=services().spool_dir)
    os.close(fd)
    try:
        saved_model.save(model.to_state(), "deeplearning", model.model_id, target, force=True)
        with open(target, "rb") as fh:
            return fh.read()
    finally:
        os.unlink(target)


def model_fetch_bin(model_id: str):
    params = request_params()
    reject_unknown(params, {"export_cross_validation_predictions"}, "ModelsV3")
    reject_cv_predictions_export(params)
    model = get_model(model_id)
    headers = {"Content-Disposition": f'attachment; filename="{_file_name(model_id)}"'}
    return Response(_saved_model_bytes(model), mimetype="application/octet-stream", headers=headers)


ROUTES = [
    Route("GET", "/3/Models.java/{model_id}", model_java),
    Route("GET", "/3/Models.fetch.bin/{model_id}", model_fetch_bin),
    Route("GET", "/3/Models/{model_id}/mojo", model_mojo),
    Route("GET", "/99/Models.mojo/{model_id}", model_mojo),
    Route("GET", "/99/Models.onnx/{model_id}", model_onnx),
]
