"""The engine's errors reach REST clients as H2O's error JSON, mapped in one place."""
from __future__ import annotations

from h2o_backend.engine.errors import InvalidInput, NumericalInstability, ValidationError
from h2o_backend.server.errors import from_engine_error


def test_a_bad_value_is_a_400_naming_its_field():
    body = from_engine_error(InvalidInput("Actual levels ['x'] are not in domain ['a', 'b']", "domain")).to_json()
    assert body["http_status"] == 400
    assert body["msg"] == "Actual levels ['x'] are not in domain ['a', 'b']"
    assert body["values"]["argument"] == "domain"
    assert body["exception_type"] == "H2OIllegalArgumentException"


def test_settings_that_cannot_train_are_a_412_listing_every_problem():
    problems = [{"field": "epochs", "level": "ERRR", "message": "must be finite"},
                {"field": "l1", "level": "WARN", "message": "ignored"}]
    body = from_engine_error(ValidationError(problems)).to_json()
    assert body["http_status"] == 412
    assert body["__meta"]["schema_name"] == "H2OModelBuilderErrorV3"
    assert "ERRR on field: epochs: must be finite" in body["msg"] and "l1" not in body["msg"]
    assert [(m["field_name"], m["message_type"]) for m in body["messages"]] == [("epochs", "ERRR"), ("l1", "WARN")]
    assert body["error_count"] == 1


def test_numerical_instability_is_not_an_input_error():
    # a training failure, reported as the job's failure, never as a 4xx of the request
    assert not isinstance(NumericalInstability(), ValueError)
