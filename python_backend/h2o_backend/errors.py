"""The one error type of the REST layer, rendered in H2O-3's error shape (H2OErrorV3)."""
from __future__ import annotations


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


class ValidationError(ValueError):
    """Raised by engine-side validation: a list of {field, level, message} problems."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__("; ".join(f"{p['field']}: {p['message']}" for p in problems))
