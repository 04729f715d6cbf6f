"""Reading a Rapids s-expression into nested tuples (calls) and lists (``[...]``).

Strings (single or double quoted) stay ``str``; every other token is an ``Atom`` (a number, a
range ``start:count``, an operator name or a key). Nesting deeper than ``MAX_DEPTH`` levels is
refused, so a hostile expression cannot exhaust the Python stack.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DEPTH = 200
_TOKEN = re.compile(r'\s*(?:(?P<open>[(\[])|(?P<close>[)\]])|"(?P<dq>[^"]*)"|\'(?P<sq>[^\']*)\'|(?P<atom>[^\s()\[\]]+))')


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
    node, end = _parse_at(tokens, 0, 1)
    if end != len(tokens):
        raise RapidsError("unexpected text after the end of the expression")
    return node


def _parse_at(tokens: list, i: int, depth: int):
    token = tokens[i]
    if token in ("(", "["):
        if depth > MAX_DEPTH:
            raise RapidsError(f"the expression is nested more than {MAX_DEPTH} levels deep "
                              f"(the limit is {MAX_DEPTH})")
        closer = ")" if token == "(" else "]"
        items, i = [], i + 1
        while i < len(tokens) and tokens[i] != closer:
            if tokens[i] in (")", "]"):
                raise RapidsError(f"'{tokens[i]}' does not close '{token}'")
            item, i = _parse_at(tokens, i, depth + 1)
            items.append(item)
        if i == len(tokens):
            raise RapidsError(f"'{token}' is never closed")
        return (tuple(items) if token == "(" else list(items)), i + 1
    if token in (")", "]"):
        raise RapidsError(f"unexpected '{token}'")
    return token, i + 1


def show(node) -> str:
    """The expression text of a parsed node (for error messages)."""
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, str):
        return f'"{node}"'
    if isinstance(node, tuple):
        return "(" + " ".join(show(n) for n in node) + ")"
    return "[" + " ".join(show(n) for n in node) + "]"
