"""Java text for the POJO: identifiers, literals, and the packed data blob.

Why the weights travel as base64 text (the "blob") instead of array literals:
- javac limits a method's bytecode to 64 KB and a class's constant pool to 65,535 entries. An array
  literal costs ~8 bytes of <clinit> code per element and one constant-pool entry per distinct
  float, so a 784x500 + 2x500x500 + 500x10 network (~900,000 weights) would need hundreds of
  generated methods spread over dozens of nested classes (H2O-3's layout), a ~10 MB source file
  and minutes of javac time.
- Base64 of the little-endian float32 bytes is exact bit for bit (no decimal round trip), 1.33 bytes
  of source per byte of weight, and costs one constant-pool entry per 60,000-character string:
  the 900,000-weight network is 80 strings, compiles in seconds and loads in milliseconds
  (``java.util.Base64`` + ``ByteBuffer``, both in the JDK since Java 8).
Each string stays under javac's 65,535-byte limit for one constant. The strings are elements of a
``String[]`` (javac folds ``"a" + "b"`` into one constant, which would break that limit).

Small metadata arrays (names, domains, standardisation constants) are written as readable literals;
past ``LITERAL_LIMIT`` elements they go into the blob too, so very wide frames or huge domains
still compile.
"""
from __future__ import annotations

import base64
import math
import re
import struct

import numpy as np

CHUNK_CHARS = 60_000          # base64 characters per string constant (< 65,535 bytes, multiple of 4)
LITERAL_LIMIT = 2_000         # longest metadata array written as a literal
LITERAL_CHARS_LIMIT = 30_000  # most characters of strings in one literal string array
LITERAL_BUDGET = 4_000        # most literal elements in the whole static initialiser

JAVA_KEYWORDS = frozenset("""
abstract assert boolean break byte case catch char class const continue default do double else enum
extends final finally float for goto if implements import instanceof int interface long native new
package private protected public return short static strictfp super switch synchronized this throw
throws transient try void volatile while true false null var yield record sealed permits _
""".split())

_ID_BAD = re.compile(r"[^A-Za-z0-9_$]")


def java_id(key: str) -> str:
    """A valid Java class name made from a model key.

    As H2O's ``toJavaId``, characters that cannot appear in an identifier become ``_`` (here every
    character outside ``[A-Za-z0-9_$]``, so non-ASCII letters too: the file stays ASCII); a leading
    digit or an empty key gets a ``_`` prefix; a Java keyword gets a ``_`` suffix."""
    name = _ID_BAD.sub("_", key or "")
    if not name or name[0].isdigit():
        name = "_" + name
    if name in JAVA_KEYWORDS:
        name += "_"
    return name


# ------------------------------------------------------------------ literals
_SIMPLE_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def java_string(s: str | None) -> str:
    """A Java string literal in pure ASCII.

    Quote, backslash and line breaks use their escapes (a ``\\u000a`` would end the line before
    the lexer runs); other control characters use octal escapes; non-ASCII characters use
    ``\\uXXXX`` per UTF-16 unit."""
    if s is None:
        return "null"
    out = ['"']
    for ch in s:
        if ch in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\%03o" % ord(ch))
        elif ord(ch) < 0x80:
            out.append(ch)
        else:
            units = ch.encode("utf-16-be")
            for k in range(0, len(units), 2):
                out.append("\\u%02x%02x" % (units[k], units[k + 1]))
    out.append('"')
    return "".join(out)


def java_comment_text(s: str) -> str:
    """Text safe inside a ``/* */`` or ``//`` comment: printable ASCII, no ``*/``, no backslashes
    (javac translates ``\\u`` escapes even inside comments)."""
    text = "".join(ch if 0x20 <= ord(ch) < 0x7F and ch != "\\" else "?" for ch in s)
    return text.replace("*/", "*?")


def java_double(v: float) -> str:
    """An exact double literal (Python's shortest repr parses back to the same double in Java)."""
    v = float(v)
    if math.isnan(v):
        return "Double.NaN"
    if math.isinf(v):
        return "Double.POSITIVE_INFINITY" if v > 0 else "Double.NEGATIVE_INFINITY"
    text = repr(v)
    return text if ("." in text or "e" in text) else text + ".0"


def java_float(v) -> str:
    """An exact float literal from a float32 value."""
    f = np.float32(v)
    if np.isnan(f):
        return "Float.NaN"
    if np.isinf(f):
        return "Float.POSITIVE_INFINITY" if f > 0 else "Float.NEGATIVE_INFINITY"
    return java_double(float(f)) + "f"


def java_bool(v: bool) -> str:
    return "true" if v else "false"


def wrap_items(items: list[str], indent: str, width: int = 100) -> str:
    lines, line = [], indent
    for item in items:
        piece = item + ", "
        if len(line) + len(piece) > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += piece
    if line.strip():
        lines.append(line.rstrip().rstrip(","))
    elif lines:
        lines[-1] = lines[-1].rstrip(",")
    return "\n".join(lines)


def array_literal(java_type: str, items: list[str], indent: str = "      ") -> str:
    if not items:
        return f"new {java_type}[0]"
    return f"new {java_type}[] {{\n{wrap_items(items, indent)}\n    }}"


# ------------------------------------------------------------------ the blob
class Blob:
    """Little-endian binary data read back in the same order by the class's static initialiser.

    Every ``add_*`` returns the Java expression that reads the value from ``in`` (a ByteBuffer in
    the generated static block), so the Python writer and the Java reader cannot drift apart."""

    def __init__(self):
        self._parts: list[bytes] = []

    def add_floats(self, values) -> str:
        arr = np.ascontiguousarray(values, dtype="<f4").ravel()
        self._parts.append(struct.pack("<i", arr.size) + arr.tobytes())
        return "floats(in)"

    def add_doubles(self, values) -> str:
        arr = np.ascontiguousarray(values, dtype="<f8").ravel()
        self._parts.append(struct.pack("<i", arr.size) + arr.tobytes())
        return "doubles(in)"

    def add_ints(self, values) -> str:
        arr = np.ascontiguousarray(values, dtype="<i4").ravel()
        self._parts.append(struct.pack("<i", arr.size) + arr.tobytes())
        return "ints(in)"

    def add_bools(self, values) -> str:
        self.add_ints([1 if v else 0 for v in values])
        return "bools(in)"

    def add_strings(self, values) -> str:
        buf = [struct.pack("<i", len(values))]
        for s in values:
            if s is None:
                buf.append(struct.pack("<i", -1))
            else:
                raw = s.encode("utf-8")
                buf.append(struct.pack("<i", len(raw)) + raw)
        self._parts.append(b"".join(buf))
        return "strings(in)"

    @property
    def nbytes(self) -> int:
        return sum(len(p) for p in self._parts)

    def chunks(self) -> list[str]:
        text = base64.b64encode(b"".join(self._parts)).decode("ascii")
        return [text[i:i + CHUNK_CHARS] for i in range(0, len(text), CHUNK_CHARS)] or [""]


# ------------------------------------------------------------------ metadata arrays (literal or blob)
class Emitter:
    """Chooses, array by array, between a readable literal and the blob.

    Literals cost about 8 bytes of static-initialiser bytecode per element; ``budget`` caps their
    total (``LITERAL_BUDGET`` elements, ~32 KB of the 64 KB a method may hold), and any array past
    it, or longer than ``LITERAL_LIMIT``, is read from the blob instead."""

    def __init__(self, budget: int = LITERAL_BUDGET):
        self.blob = Blob()
        self.budget = budget

    def _literal_ok(self, n: int, chars: int = 0) -> bool:
        if n <= LITERAL_LIMIT and chars <= LITERAL_CHARS_LIMIT and n <= self.budget:
            self.budget -= n
            return True
        return False

    def strings(self, values) -> str:
        values = list(values)
        if self._literal_ok(len(values), sum(len(v or "") for v in values)):
            return array_literal("String", [java_string(v) for v in values])
        return self.blob.add_strings(values)

    def domains(self, domains) -> str:
        """``String[][]``: one entry per column, ``null`` for a numeric column."""
        n = sum(len(d) for d in domains if d is not None) + len(domains)
        chars = sum(len(v) for d in domains if d is not None for v in d)
        if self._literal_ok(n, chars):
            items = ["null" if d is None else
                     "{" + ", ".join(java_string(v) for v in d) + "}" for d in domains]
            return "new String[][] {\n" + wrap_items(items, "      ") + "\n    }"
        exprs = ["null" if d is None else self.blob.add_strings(d) for d in domains]
        return "new String[][] {" + ", ".join(exprs) + "}"

    def doubles(self, values) -> str:
        values = [float(v) for v in values]
        if self._literal_ok(len(values)):
            return array_literal("double", [java_double(v) for v in values])
        return self.blob.add_doubles(values)

    def ints(self, values) -> str:
        values = [int(v) for v in values]
        if self._literal_ok(len(values)):
            return array_literal("int", [str(v) for v in values])
        return self.blob.add_ints(values)

    def bools(self, values) -> str:
        values = [bool(v) for v in values]
        if self._literal_ok(len(values)):
            return array_literal("boolean", [java_bool(v) for v in values])
        return self.blob.add_bools(values)

    def floats(self, values) -> str:
        """Weights and biases: always the blob (exact bits, no code size)."""
        return self.blob.add_floats(values)

    def chunks_literal(self, preview: bool = False) -> str:
        """The ``String[]`` initialiser holding the blob (or, in a preview, a stand-in comment)."""
        chunks = self.blob.chunks()
        if preview:
            return (f"{{ /* preview: {len(chunks)} base64 strings ({self.blob.nbytes:,} bytes of weights and "
                    f"data) omitted; download without preview=true to compile */ }}")
        return "{\n" + ",\n".join(f'    "{c}"' for c in chunks) + "\n  }"
