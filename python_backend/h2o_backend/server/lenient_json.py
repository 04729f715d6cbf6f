"""JSON as H2O-3 reads a grid's ``hyper_parameters`` and ``search_criteria`` (Gson in lenient
mode): besides strict JSON, names and string values may be unquoted or single-quoted, which is
what the official Python client sends (``{"activation": [Rectifier,Tanh], "hidden": [[5],[10]]}``).
An unquoted value is a number when it reads as one, true / false / null when it is exactly that,
else a string (``True`` stays the string "True", as in Gson)."""
from __future__ import annotations

import json
import re

_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
_DELIMITERS = set("{}[],:\"'") | set(" \t\r\n")
_LITERALS = {"true": True, "false": False, "null": None}


class LenientJsonError(ValueError):
    pass


def loads(text: str):
    parser = _Parser(text)
    value = parser.value()
    parser.skip_space()
    if parser.pos != len(text):
        parser.fail("unexpected text after the value")
    return value


class _Parser:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def fail(self, what: str):
        raise LenientJsonError(f"{what} at character {self.pos + 1}")

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] in " \t\r\n":
            self.pos += 1

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            self.fail(f"expected '{char}'")
        self.pos += 1

    def value(self):
        char = self.peek()
        if char == "{":
            return self.members()
        if char == "[":
            return self.elements()
        if char in ("\"", "'"):
            return self.quoted(char)
        if not char:
            self.fail("expected a value")
        return self.unquoted()

    def members(self) -> dict:
        self.expect("{")
        out = {}
        while self.peek() != "}":
            key = self.quoted(self.peek()) if self.peek() in ("\"", "'") else self.word()
            self.expect(":")
            out[str(key)] = self.value()
            if self.peek() != ",":
                break
            self.pos += 1
        self.expect("}")
        return out

    def elements(self) -> list:
        self.expect("[")
        out = []
        while self.peek() != "]":
            out.append(self.value())
            if self.peek() != ",":
                break
            self.pos += 1
        self.expect("]")
        return out

    def quoted(self, quote: str) -> str:
        start = self.pos
        self.pos += 1
        while self.pos < len(self.text) and self.text[self.pos] != quote:
            self.pos += 2 if self.text[self.pos] == "\\" else 1
        if self.pos >= len(self.text):
            self.pos = start
            self.fail("unterminated string")
        body = self.text[start + 1:self.pos]
        self.pos += 1
        return json.loads(f'"{body}"') if quote == "\"" else json.loads('"' + body.replace('"', '\\"') + '"')

    def word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _DELIMITERS:
            self.pos += 1
        if self.pos == start:
            self.fail("expected a name or value")
        return self.text[start:self.pos]

    def unquoted(self):
        word = self.word()
        if word in _LITERALS:
            return _LITERALS[word]
        if _NUMBER.match(word):
            return float(word) if any(c in word for c in ".eE") else int(word)
        return word
