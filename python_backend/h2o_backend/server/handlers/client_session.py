"""What the official Python client asks before and around its work: schema metadata
(GET /3/Metadata/schemas/{schema_name}, GET /3/Metadata/endpoints), Rapids sessions
(POST /4/sessions, DELETE /4/sessions/{session_key}, GET /3/InitID) and the server's
capabilities (GET /3/Capabilities...)."""
from __future__ import annotations

import itertools

from flask import jsonify

from h2o_backend.server import metadata
from h2o_backend.server.errors import ApiError
from h2o_backend.server.known_params import reject_unknown
from h2o_backend.server.params import request_params
from h2o_backend.server.routes import Route, all_routes
from h2o_backend.server.schema import meta

_session_numbers = itertools.count(1)


def schema_metadata(schema_name: str):
    reject_unknown(request_params(), (), "MetadataV3")
    answer = metadata.schema_metadata(schema_name)
    if answer is None:
        raise ApiError(404, f"Schema '{schema_name}' is not described by this server; it describes "
                       f"{', '.join(metadata.schema_names())}", field="schemaname",
                       exception_type="H2ONotFoundArgumentException", values={"schemaname": schema_name})
    return jsonify(answer)


def endpoints_metadata():
    reject_unknown(request_params(), (), "MetadataV3")
    return jsonify(metadata.endpoints_metadata(all_routes()))


def _session_key() -> str:
    return f"_sid_{next(_session_numbers):04x}"


def open_session():
    """A Rapids session key. This server keeps no per-session temporaries: the key is only echoed
    back by the client with each Rapids call."""
    reject_unknown(request_params(), (), "SessionIdV4")
    return jsonify({"__meta": meta("SessionIdV4", "Iced", 4), "_exclude_fields": "",
                    "session_key": _session_key()})


def close_session(session_key: str):
    reject_unknown(request_params(), (), "SessionIdV4")
    return jsonify({"__meta": meta("SessionIdV4", "Iced", 4), "_exclude_fields": "",
                    "session_key": session_key})


def init_id():
    reject_unknown(request_params(), ("session_key",), "InitIDV3")
    return jsonify({"__meta": meta("InitIDV3"), "_exclude_fields": "", "session_key": _session_key(),
                    "session_properties_allowed": False, "is_session_properties_allowed": False})


def capabilities():
    reject_unknown(request_params(), (), "CapabilitiesV3")
    return jsonify({"__meta": meta("CapabilitiesV3"), "capabilities": []})


ROUTES = [
    Route("GET", "/3/Metadata/schemas/{schema_name}", schema_metadata),
    Route("GET", "/3/Metadata/endpoints", endpoints_metadata),
    Route("POST", "/4/sessions", open_session),
    Route("DELETE", "/4/sessions/{session_key}", close_session),
    Route("GET", "/3/InitID", init_id),
    Route("GET", "/3/Capabilities", capabilities),
    Route("GET", "/3/Capabilities/Core", capabilities),
    Route("GET", "/3/Capabilities/API", capabilities),
]
