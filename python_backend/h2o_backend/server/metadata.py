"""H2O-3's schema metadata (MetadataV3): the field lists of the schemas the official Python client
reads when it connects (`GET /3/Metadata/schemas/{name}`) and builds its response classes from, and
the endpoint listing (`GET /3/Metadata/endpoints`) built from the route table.

Field names are H2O-3 3.46's; each is a field this server answers (or may answer) in that schema.
"""
from __future__ import annotations

from h2o_backend.server.schema import meta

_ERROR_FIELDS = [
    ("timestamp", "long", "Milliseconds since the epoch for the time that this H2OError instance was created."),
    ("error_url", "string", "Error url"),
    ("msg", "string", "Message intended for the end user (a data scientist)."),
    ("dev_msg", "string", "Potentially more detailed message intended for a developer."),
    ("http_status", "int", "HTTP status code for this error."),
    ("values", "Map", "Any values that are relevant to reporting or handling this error."),
    ("exception_type", "string", "Exception type, if any."),
    ("exception_msg", "string", "Raw exception message, if any."),
    ("stacktrace", "string[]", "Stacktrace, if any."),
]

SCHEMAS: dict[str, list[tuple[str, str, str]]] = {
    "CloudV3": [
        ("skip_ticks", "boolean", "skip_ticks"),
        ("version", "string", "version"),
        ("branch_name", "string", "branch_name"),
        ("last_commit_hash", "string", "last_commit_hash"),
        ("describe", "string", "describe"),
        ("compiled_by", "string", "compiled_by"),
        ("compiled_on", "string", "compiled_on"),
        ("build_number", "string", "build_number"),
        ("build_age", "string", "build_age"),
        ("build_too_old", "boolean", "build_too_old"),
        ("node_idx", "int", "Node index number cloud status is collected from (zero-based)"),
        ("cloud_name", "string", "cloud_name"),
        ("cloud_size", "int", "cloud_size"),
        ("cloud_uptime_millis", "long", "cloud_uptime_millis"),
        ("cloud_internal_timezone", "string", "Cloud internal timezone"),
        ("datafile_parser_timezone", "string", "Timezone used for parsing datafiles"),
        ("cloud_healthy", "boolean", "cloud_healthy"),
        ("bad_nodes", "int", "Nodes reporting unhealthy"),
        ("consensus", "boolean", "Cloud voting is stable"),
        ("locked", "boolean", "Cloud is accepting new members or not"),
        ("is_client", "boolean", "Cloud is in client mode."),
        ("nodes", "NodeV3[]", "nodes"),
        ("internal_security_enabled", "boolean", "internal_security_enabled"),
        ("leader_idx", "int", "leader_idx"),
        ("web_ip", "string", "web_ip"),
    ],
    "H2OErrorV3": _ERROR_FIELDS,
    "H2OModelBuilderErrorV3": _ERROR_FIELDS + [
        ("parameters", "ModelParametersSchemaV3", "Model builder parameters."),
        ("messages", "ValidationMessageV3[]", "Parameter validation messages"),
        ("error_count", "int", "Count of parameter validation errors"),
    ],
}


def _field(name: str, type_: str, help_: str) -> dict:
    return {"__meta": meta("FieldMetadataV3", "FieldMetadata"), "name": name, "type": type_,
            "is_schema": type_.endswith("V3") or type_.endswith("V3[]"), "schema_name": None,
            "value": None, "help": help_, "label": name, "required": False, "level": "critical",
            "direction": "OUTPUT", "is_inherited": False, "inherited_from": None, "is_gridable": False,
            "values": [], "json": True, "is_member_of_frames": None, "is_mutually_exclusive_with": None}


def schema_metadata(name: str) -> dict | None:
    """The MetadataV3 answer for one schema, or None when this server does not describe it."""
    fields = SCHEMAS.get(name)
    if fields is None:
        return None
    schema = {"__meta": meta("SchemaMetadataV3", "SchemaMetadata"), "version": 3, "name": name,
              "superclass": "RequestSchemaV3", "type": name[:-2], "fields": [_field(*f) for f in fields],
              "markdown": None}
    return metadata([schema], [])


def endpoints_metadata(routes) -> dict:
    """The MetadataV3 answer listing every route the server serves."""
    listed = [{"__meta": meta("RouteV3", "Route"), "http_method": r.method, "url_pattern": r.path,
               "summary": (r.view.__doc__ or "").strip().split("\n")[0], "api_name": r.view.__name__,
               "handler_class": r.view.__module__, "handler_method": r.view.__name__,
               "input_schema": None, "output_schema": None, "path_params": [], "markdown": None}
              for r in routes]
    return metadata([], listed)


def metadata(schemas: list, routes: list) -> dict:
    return {"__meta": meta("MetadataV3", "Iced"), "num": None, "http_method": None, "path": None,
            "classname": None, "schemaname": None, "routes": routes, "schemas": schemas, "markdown": ""}


def schema_names() -> list[str]:
    return list(SCHEMAS)
