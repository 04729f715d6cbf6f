"""Custom metrics as H2O-3 runs them (``custom_metric_func``): a Python class with
``map(pred, act, weight, offset, model)`` (a row's list of partial results), ``reduce(l, r)``
(two lists into one) and ``metric(l)`` (the number), uploaded by the client as a zip archive of
one module (h2o.upload_custom_metric), referenced as ``python:<key>=<module>.<class>``.

The client's generated module imports ``water.udf.CMetricFunc`` (H2O-3's Java interface, which
its Jython implements); here that name is a plain base class. Per row, ``pred`` is
``[label, p_0, ..., p_K-1]`` for classifiers, ``[value]`` for regression and the reconstruction
for autoencoders; ``act`` is ``[class index]`` or ``[value]`` (``[]`` for autoencoders).

The code runs in the server's own Python process with the server's rights: the server loads it
only when started with --allow-custom-code (server/handlers/put_key.py refuses it otherwise).
"""
from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass

import numpy as np

REFERENCE = re.compile(r"^python:(?P<key>[^=]+)=(?P<module>[A-Za-z_][A-Za-z0-9_]*)\.(?P<cls>[A-Za-z_][A-Za-z0-9_]*)$")


class CustomCodeError(ValueError):
    """The uploaded metric cannot be loaded or evaluated; the message says why."""


class CMetricFunc:
    """The base class the client's generated wrapper derives from (H2O-3's water.udf.CMetricFunc)."""


def _install_h2o3_names() -> None:
    if "water.udf.CMetricFunc" in sys.modules:
        return
    water, udf = types.ModuleType("water"), types.ModuleType("water.udf")
    water.udf, udf.CMetricFunc = udf, CMetricFunc
    sys.modules.update({"water": water, "water.udf": udf, "water.udf.CMetricFunc": CMetricFunc})


@dataclass
class CustomMetric:
    name: str
    instance: object

    def value(self, preds: np.ndarray, actual: np.ndarray | None, weights=None, offsets=None) -> float:
        """The metric over rows: ``preds`` [n, k] (see the module doc), ``actual`` [n] or None."""
        n = preds.shape[0]
        w = np.ones(n) if weights is None else np.asarray(weights, np.float64)
        o = np.zeros(n) if offsets is None else np.asarray(offsets, np.float64)
        state = None
        try:
            for i in range(n):
                act = [] if actual is None else [float(actual[i])]
                part = self.instance.map(preds[i].tolist(), act, float(w[i]), float(o[i]), None)
                state = part if state is None else self.instance.reduce(state, part)
            return float(self.instance.metric(state if state is not None else []))
        except Exception as exc:          # the user's code: any error it raises is reported by name
            raise CustomCodeError(f"custom metric '{self.name}' failed: {type(exc).__name__}: {exc}") from exc


def load(reference: str, files: dict[str, str]) -> CustomMetric:
    """The metric named by ``reference`` from an uploaded archive's ``files`` {name: source}."""
    m = REFERENCE.match(reference or "")
    if m is None:
        raise CustomCodeError(f"custom_metric_func '{reference}' is not a reference "
                              "python:<key>=<module>.<class> (as h2o.upload_custom_metric returns it)")
    source = files.get(f"{m['module']}.py")
    if source is None:
        raise CustomCodeError(f"the archive under '{m['key']}' has no module {m['module']}.py")
    _install_h2o3_names()
    module = types.ModuleType(f"h2o_custom_metric_{m['module']}")
    try:
        exec(compile(source, f"{m['module']}.py", "exec"), module.__dict__)
        instance = getattr(module, m["cls"])()
    except Exception as exc:
        raise CustomCodeError(f"custom metric {m['module']}.{m['cls']} cannot be loaded: "
                              f"{type(exc).__name__}: {exc}") from exc
    for method in ("map", "reduce", "metric"):
        if not callable(getattr(instance, method, None)):
            raise CustomCodeError(f"custom metric class {m['cls']} has no method {method}()")
    return CustomMetric(m["key"], instance)
