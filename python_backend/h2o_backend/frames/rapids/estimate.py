"""What a Rapids expression will allocate, estimated from its tree and the sizes of the frames it
names, before it is evaluated (so that POST /99/Rapids can refuse with 412 under --max-mem).

Every call that makes a frame allocates at most as much as all the frames its arguments name
together, each counted once per mention (``(cbind a a a)``: three copies of ``a``; ``(+ a 1)``:
one), and intermediate results exist while the outer call runs, so the estimate sums this over
every call of the tree. Selections and reductions allocate less; the estimate stays an upper
bound for them. A call that names no frame (numbers, strings) counts nothing.
"""
from __future__ import annotations

from typing import Callable

from h2o_backend.frames.frame import Frame
from h2o_backend.frames.rapids.parser import Atom

# operators that return a number or strings, never a new frame (their arguments' calls still count)
NO_FRAME_RESULT = frozenset({"nrow", "ncol", "mean", "sd", "min", "max", "sum", "minNA", "maxNA", "sumNA",
                             "levels", "nlevels", "is.factor", "ls", "getTimeZone", "setTimeZone", "rm",
                             "colnames="})
# operators that keep the frame their argument made under a key, allocating nothing of their own
KEEPS_ITS_ARGUMENT = frozenset({"assign", "tmp="})


def expression_bytes(tree, lookup_frame: Callable[[str], Frame | None]) -> int:
    """Upper estimate of the bytes the frames made while evaluating ``tree`` hold."""
    total, _ = _walk(tree, lookup_frame)
    return total


def _walk(node, lookup_frame) -> tuple[int, int]:
    """(bytes allocated by the calls in ``node``, bytes of the frames ``node`` names)."""
    if isinstance(node, Atom):
        frame = lookup_frame(node.text)
        return 0, frame.byte_size if frame is not None else 0
    if isinstance(node, list):
        parts = [_walk(item, lookup_frame) for item in node]
        return sum(p[0] for p in parts), sum(p[1] for p in parts)
    if not isinstance(node, tuple) or not node:
        return 0, 0
    op = node[0].text if isinstance(node[0], Atom) else ""
    parts = [_walk(arg, lookup_frame) for arg in node[1:]]
    inner = sum(p[0] for p in parts)
    named = sum(p[1] for p in parts)
    made = 0 if op in NO_FRAME_RESULT or op in KEEPS_ITS_ARGUMENT else named
    return inner + made, named
