"""Deep-learning parameters: the declarative table (names, types, defaults, ranges, help), the
checks made before training, and the adjustments H2O makes silently. Takes typed values: decoding
request strings is the server's job (server/parameter_wire.py). Imports only engine.data and
engine.distributions.

- ``DeepLearningParameters``: plain dataclass, one field per ``PARAMETERS`` row (H2O names).
- ``PARAMETERS`` / ``SPECS``: the table (``table.ParamSpec``); ``CHECKPOINT_MODIFIABLE``.
- ``validate(params, train, valid=None, checkpoint=None) -> problems``.
- ``effective_parameters(params, train=None, valid=None, problem=None, n_nodes=1)``.
"""
from h2o_backend.engine.parameters.effective import effective_parameters  # noqa: F401
from h2o_backend.engine.parameters.table import (  # noqa: F401
    ACTIVATIONS, CHECKPOINT_FROM_REQUEST, CHECKPOINT_MODIFIABLE, LOSSES, PARAMETERS, SPECS,
    DeepLearningParameters, ParamSpec)
from h2o_backend.engine.parameters.validate import validate  # noqa: F401
