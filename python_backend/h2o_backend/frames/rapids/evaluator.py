"""Evaluating a parsed Rapids expression: literals, keys, and the operator table.

Operators register themselves with ``@operator(name, ...)``; each receives the evaluation context
and its argument nodes unevaluated (column and row selections read their lists literally).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from h2o_backend.frames.frame import Frame
from h2o_backend.frames.rapids.parser import Atom, RapidsError, show
from h2o_backend.frames.rapids.values import Num, Str

OPERATORS: dict[str, Callable] = {}
_KEYWORDS = {"TRUE": 1.0, "True": 1.0, "true": 1.0, "FALSE": 0.0, "False": 0.0, "false": 0.0,
             "NA": math.nan, "NaN": math.nan, "nan": math.nan}


def operator(*names: str):
    def register(fn):
        for name in names:
            OPERATORS[name] = fn
        return fn
    return register


@dataclass
class Context:
    """`lookup_frame(key)` answers a Frame or None; `store_frame(frame)` keeps an assigned one;
    `remove_frame(key)` removes one (None: ``rm`` is refused); `list_keys()` the store's keys
    (None: ``ls`` is refused)."""
    lookup_frame: Callable[[str], Frame | None]
    store_frame: Callable[[Frame], None]
    remove_frame: Callable[[str], None] | None = None
    list_keys: Callable[[], list[str]] | None = None

    def eval(self, node):
        if isinstance(node, Atom):
            return self._atom(node.text)
        if isinstance(node, str):
            return Str(node)
        if isinstance(node, list):
            raise RapidsError(f"a list {show(node)} is not a value here")
        if not node or not isinstance(node[0], Atom):
            raise RapidsError(f"not an operator call: {show(node)}")
        op = node[0].text
        fn = OPERATORS.get(op)
        if fn is None:
            raise RapidsError(f"operator '{op}' is not supported by this server (in {show(node)[:80]}); "
                              f"supported: {' '.join(sorted(OPERATORS))}")
        return fn(self, op, node[1:])

    def frame(self, node, op: str) -> Frame:
        value = self.eval(node)
        if not isinstance(value, Frame):
            raise RapidsError(f"'{op}' needs a frame, but {show(node)} is not one")
        return value

    def _atom(self, text: str):
        number = parse_number(text)
        if number is not None:
            return Num(number)
        frame = self.lookup_frame(text)
        if frame is None:
            raise KeyError(text)
        return frame


def parse_number(text: str) -> float | None:
    if text in _KEYWORDS:
        return _KEYWORDS[text]
    try:
        return float(text)
    except ValueError:
        return None


def expect_args(op: str, args: tuple, counts: tuple[int, ...], usage: str) -> None:
    if len(args) not in counts:
        raise RapidsError(f"'{op}' takes {' or '.join(str(c) for c in counts)} argument(s): {usage}")


def evaluate(text: str, lookup_frame, store_frame, remove_frame=None, list_keys=None):
    """What `text` evaluates to: a Frame, Num, Nums, Str or Strs."""
    from h2o_backend.frames.rapids.parser import parse
    return Context(lookup_frame, store_frame, remove_frame, list_keys).eval(parse(text))
