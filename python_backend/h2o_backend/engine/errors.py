"""The engine's errors. The server turns each into H2O's error JSON in one place
(server/errors.py, ``from_engine_error``); the engine itself knows nothing of HTTP."""
from __future__ import annotations

INSTABILITY_MESSAGE = "Job was aborted due to observed numerical instability (exponential growth)."


class EngineError(ValueError):
    """Base of the errors the engine raises on bad input."""


class InvalidInput(EngineError):
    """One bad value, named by ``field`` (a parameter or argument name)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationError(EngineError):
    """Settings that cannot train: a list of ``{field, level, message}`` problems."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__("; ".join(f"{p['field']}: {p['message']}" for p in problems))


class NumericalInstability(RuntimeError):
    """Weights or outputs became NaN or infinite during training."""

    def __init__(self):
        super().__init__(INSTABILITY_MESSAGE)
