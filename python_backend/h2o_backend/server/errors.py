"""The one error type of the REST layer, rendered in H2O-3's error shape (H2OErrorV3), and the
mapping of the engine's errors onto it."""
from __future__ import annotations

from h2o_backend.engine.errors import EngineError, ValidationError
from h2o_backend.server.schema import meta


class ApiError(Exception):
    """A failure to report to the client: HTTP status, a message naming the bad field or value.

    `messages` carries per-field validation messages (H2OModelBuilderErrorV3): a list of
    dicts {message_type, field_name, message}.
    """

    def __init__(self, status: int, msg: str, *, field: str | None = None,
                 exception_type: str = "H2OIllegalArgumentException",
                 values: dict | None = None, messages: list[dict] | None = None):
        super().__init__(msg)
        self.status = status
        self.msg = msg
        self.field = field
        self.exception_type = exception_type
        self.values = dict(values or {})
        if field is not None:
            self.values.setdefault("argument", field)
        self.messages = messages

    def to_json(self) -> dict:
        body = {
            "__meta": {"schema_version": 3, "schema_name": "H2OErrorV3", "schema_type": "H2OError"},
            "http_status": self.status,
            "msg": self.msg,
            "dev_msg": self.msg,
            "exception_type": self.exception_type,
            "exception_msg": self.msg,
            "stacktrace": [],
            "values": self.values,
        }
        if self.messages is not None:
            body["__meta"]["schema_name"] = "H2OModelBuilderErrorV3"
            body["messages"] = self.messages
            body["error_count"] = sum(1 for m in self.messages if m.get("message_type") == "ERRR")
        return body


def bad_request(msg: str, field: str | None = None, **kw) -> ApiError:
    return ApiError(400, msg, field=field, **kw)


def not_found(what: str, key: str, field: str | None = None) -> ApiError:
    return ApiError(404, f"{what} '{key}' not found", field=field,
                    exception_type="H2OKeyNotFoundArgumentException", values={"key": key})


def validation_messages(problems: list[dict]) -> list[dict]:
    """``{field, level, message}`` problems as H2O-3's ValidationMessageV3 entries."""
    return [{"__meta": meta("ValidationMessageV3", "ValidationMessage"), "message_type": p.get("level", "ERRR"),
             "field_name": p["field"], "message": p["message"]} for p in problems]


def model_builder_error(problems: list[dict], model_name: str | None = None) -> ApiError:
    """H2O-3's 412 H2OModelBuilderErrorV3 for ``{field, level, message}`` problems: the message
    lists every ERRR problem by field, ``messages`` every problem."""
    errors = [p for p in problems if p.get("level", "ERRR") == "ERRR"]
    details = "; ".join(f"ERRR on field: {p['field']}: {p['message']}" for p in errors)
    name = model_name or "(no model_id given)"
    return ApiError(412, f"Illegal argument(s) for DeepLearning model: {name}.  Details: {details}",
                    field=errors[0]["field"] if errors else None,
                    exception_type="H2OModelBuilderIllegalArgumentException", messages=validation_messages(problems))


def from_engine_error(err: EngineError) -> ApiError:
    """The one place where the engine's errors become H2O's error JSON: a bad value is a 400
    naming its field; settings that cannot train are a 412 listing every problem."""
    if isinstance(err, ValidationError):
        return model_builder_error(err.problems)
    return ApiError(400, str(err), field=getattr(err, "field", None))
