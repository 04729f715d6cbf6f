"""The part of H2O-3's Rapids language this server evaluates: column selection.

H2O-3 clients slice frames by sending an s-expression to POST /99/Rapids, e.g.
``(tmp= prostate_cols (cols_py prostate.hex [1 2]))``. Supported here:

- ``(tmp= DEST EXPR)`` and ``(assign DEST EXPR)``: evaluate EXPR and store the frame under DEST;
- ``(cols_py FRAME SEL)`` and ``(cols FRAME SEL)``: the columns SEL of FRAME, where SEL is a
  0-based index, a quoted name, or a list of either (``[0 2 5]``, ``["AGE" "PSA"]``, ``[0:3]``
  meaning 3 columns from index 0); FRAME is a key or a nested expression;
- ``(rows FRAME SEL)``: the rows SEL of FRAME, SEL being 0-based indices and ranges as above
  (``[0:100 250]``), in the order given.

Anything else is refused with an error that names it. The selected columns share their arrays
with the source frame (frames are never modified in place).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from h2o_backend.frames.frame import Frame

SUPPORTED = "(tmp= dest expr) with expr (cols_py frame columns), (cols frame columns) or (rows frame rows)"
_TOKEN = re.compile(r'\s*(?:(?P<open>[(\[])|(?P<close>[)\]])|"(?P<dq>[^"]*)"|\'(?P<sq>[^\']*)\'|(?P<atom>[^\s()\[\]]+))')


# Deepest nesting of ( and [ accepted; deeper expressions are refused (400) before any recursion
# could exhaust Python's stack. Client slicing expressions nest three or four levels.
MAX_DEPTH = 100


class RapidsError(ValueError):
    """An expression this server cannot evaluate; the message says why."""


@dataclass(frozen=True)
class Atom:
    text: str


def _tokens(text: str) -> list:
    out, pos = [], 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if m is None:
            raise RapidsError(f"cannot read the expression at character {pos}: {text[pos:pos + 20]!r}")
        pos = m.end()
        if m.group("open") or m.group("close"):
            out.append(m.group("open") or m.group("close"))
        elif m.group("dq") is not None or m.group("sq") is not None:
            out.append(m.group("dq") if m.group("dq") is not None else m.group("sq"))
        else:
            out.append(Atom(m.group("atom")))
    return out


def parse(text: str):
    """Nested tuples ("(" call) and lists ("[" list); strings stay str, other tokens Atom."""
    tokens = _tokens(text)
    if not tokens:
        raise RapidsError("the expression is empty")
    _check_depth(tokens)
    node, end = _parse_at(tokens, 0)
    if end != len(tokens):
        raise RapidsError("unexpected text after the end of the expression")
    return node


def _check_depth(tokens: list) -> None:
    depth = 0
    for token in tokens:
        if token in ("(", "["):
            depth += 1
            if depth > MAX_DEPTH:
                raise RapidsError(f"the expression nests deeper than {MAX_DEPTH} levels of ( and [")
        elif token in (")", "]"):
            depth -= 1


def _parse_at(tokens: list, i: int):
    token = tokens[i]
    if token in ("(", "["):
        closer = ")" if token == "(" else "]"
        items, i = [], i + 1
        while i < len(tokens) and tokens[i] != closer:
            if tokens[i] in (")", "]"):
                raise RapidsError(f"'{tokens[i]}' does not close '{token}'")
            item, i = _parse_at(tokens, i)
            items.append(item)
        if i == len(tokens):
            raise RapidsError(f"'{token}' is never closed")
        return (tuple(items) if token == "(" else list(items)), i + 1
    if token in (")", "]"):
        raise RapidsError(f"unexpected '{token}'")
    return token, i + 1


def evaluate(text: str, lookup_frame, store_frame) -> Frame:
    """The frame `text` evaluates to. `lookup_frame(key)` answers a Frame or None;
    `store_frame(frame)` keeps an assigned result."""
    return _eval(parse(text), lookup_frame, store_frame)


def _eval(node, lookup_frame, store_frame) -> Frame:
    if isinstance(node, Atom):
        frame = lookup_frame(node.text)
        if frame is None:
            raise KeyError(node.text)
        return frame
    if not isinstance(node, tuple) or not node or not isinstance(node[0], Atom):
        raise RapidsError(f"not supported by this server: {_show(node)}; it evaluates {SUPPORTED}")
    op, args = node[0].text, node[1:]
    if op in ("tmp=", "assign"):
        if len(args) != 2 or not isinstance(args[0], (Atom, str)):
            raise RapidsError(f"({op} dest expression) takes a key and an expression")
        dest = args[0].text if isinstance(args[0], Atom) else args[0]
        result = _eval(args[1], lookup_frame, store_frame)
        frame = Frame(dest, list(result.columns))
        store_frame(frame)
        return frame
    if op in ("cols_py", "cols"):
        if len(args) != 2:
            raise RapidsError(f"({op} frame columns) takes a frame and a column selection")
        source = _eval(args[0], lookup_frame, store_frame)
        picked = [source.columns[i] for i in _column_indices(args[1], source)]
        return Frame(f"{source.key}_cols", picked)
    if op == "rows":
        if len(args) != 2:
            raise RapidsError("(rows frame rows) takes a frame and a row selection")
        source = _eval(args[0], lookup_frame, store_frame)
        return source.take_rows(_row_indices(args[1], source), key=f"{source.key}_rows")
    raise RapidsError(f"'{op}' is not supported by this server; it evaluates {SUPPORTED}")


def _row_indices(selection, frame: Frame) -> np.ndarray:
    items = selection if isinstance(selection, list) else [selection]
    parts = []
    for item in items:
        if not isinstance(item, Atom):
            raise RapidsError(f"rows are selected by 0-based index or range start:count, not {_show(item)}")
        first, n = _index_range(item.text, "row")
        if first + n > frame.nrows:
            raise RapidsError(f"row index {item.text} is out of range: frame '{frame.key}' has {frame.nrows} "
                              f"rows (0-based indices 0 to {frame.nrows - 1})")
        parts.append(np.arange(first, first + n, dtype=np.int64))
    if not parts:
        raise RapidsError("the row selection is empty")
    return np.concatenate(parts)


def _index_range(text: str, what: str) -> tuple[int, int]:
    """(first, count) of an index ``i`` or a range ``start:count``."""
    start, _, count = text.partition(":")
    try:
        first = int(float(start))
        n = int(float(count)) if count else 1
    except ValueError:
        raise RapidsError(f"'{text}' is not a {what} index or a range start:count")
    if n < 1 or first < 0:
        raise RapidsError(f"{what} index {text} is out of range (indices are 0-based, counts at least 1)")
    return first, n


def _column_indices(selection, frame: Frame) -> list[int]:
    items = selection if isinstance(selection, list) else [selection]
    indices: list[int] = []
    for item in items:
        indices.extend(_one_selection(item, frame))
    if not indices:
        raise RapidsError("the column selection is empty")
    return indices


def _one_selection(item, frame: Frame) -> list[int]:
    if isinstance(item, str):
        if not frame.has_column(item):
            raise RapidsError(f"frame '{frame.key}' has no column '{item}'")
        return [frame.index_of(item)]
    if isinstance(item, Atom):
        first, n = _index_range(item.text, "column")
        if first + n > frame.ncols:
            raise RapidsError(f"column index {item.text} is out of range: frame '{frame.key}' has "
                              f"{frame.ncols} columns (0-based indices 0 to {frame.ncols - 1})")
        return list(range(first, first + n))
    raise RapidsError(f"not a column selection: {_show(item)}")


def _show(node) -> str:
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, str):
        return f'"{node}"'
    if isinstance(node, tuple):
        return "(" + " ".join(_show(n) for n in node) + ")"
    return "[" + " ".join(_show(n) for n in node) + "]"
