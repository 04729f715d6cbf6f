"""GET /3/Models.java/{model_id}: the model as one self-contained Java source file (POJO).

The class needs only the JDK, so no runtime jar is served (no /3/h2o-genmodel.jar).
"""
from __future__ import annotations

from flask import Response

from h2o_backend.errors import ApiError
from h2o_backend.export import pojo
from h2o_backend.server.handlers.models import get_model
from h2o_backend.server.params import get_bool, request_params
from h2o_backend.server.routes import Route


def model_java(model_id: str):
    params = request_params()
    unknown = sorted(set(params) - {"preview", "_exclude_fields"})
    if unknown:
        raise ApiError(400, f"Unknown parameter(s) for /3/Models.java: {', '.join(unknown)}", field=unknown[0])
    preview = bool(get_bool(params, "preview", False))
    model = get_model(model_id)
    text = pojo.pojo_source(model, preview=preview)
    headers = {"Content-Disposition": f'attachment; filename="{pojo.java_id(model_id)}.java"'}
    return Response(text, mimetype="text/plain", headers=headers)


ROUTES = [
    Route("GET", "/3/Models.java/{model_id}", model_java),
]
