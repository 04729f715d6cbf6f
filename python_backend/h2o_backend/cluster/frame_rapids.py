"""Rapids expressions on frames held by the Dask workers (issue 20): the frame operations the R
package sends (column selection, ``as.factor``, comparisons and arithmetic, ``h2o.runif`` and the
row conditions of ``h2o.splitFrame``, row ranges).

Two kinds are served, each giving a new cluster frame (``(tmp= DEST ...)`` / ``(assign DEST ...)``
name it, as on the server):

- ``(rows KEY [start:count ...])``: rows by their 0-based position in the frame: each chunk keeps
  the part of the selection that falls in it;
- an expression of row-local operators only (``ROW_LOCAL``: each result row depends on the same
  row of its inputs) over cluster frames of the same chunk layout: the server's own Rapids
  evaluator runs on every chunk on the worker that holds it, with each frame's key standing for
  that chunk; the chunks' results (their enum levels unified, cluster/frames.py ``built``) are the
  new frame. ``h2o.runif``'s seed is mixed with the chunk's index, so chunks draw other numbers.

Anything else on a cluster frame (reductions, sorting, merges, ...) is refused naming the operator.
"""
from __future__ import annotations

import numpy as np

from h2o_backend.cluster import frame_chunks, frames
from h2o_backend.frames.rapids import OPERATORS, Atom, RapidsError, parse, show
from h2o_backend.frames.rapids.elementwise import BINARY, UNARY
from h2o_backend.store import KeyStore

ROW_LOCAL = frozenset({"cols", "cols_py", "rows", "as.factor", "as.numeric", "as.character", "is.na", "ifelse",
                       "h2o.runif", "cbind", "append", "colnames=", ":=", *BINARY, *UNARY})
ASSIGN = ("tmp=", "assign")


def names_frames(tree, is_cluster_key) -> bool:
    """Whether the parsed expression names a cluster frame."""
    if isinstance(tree, Atom):
        return is_cluster_key(tree.text)
    if isinstance(tree, str):
        return is_cluster_key(tree)
    if isinstance(tree, (list, tuple)):
        return any(names_frames(n, is_cluster_key) for n in tree)
    return False


def evaluate(cluster, text: str, lookup):
    """(destination key or None, the new ClusterFrame) of the expression ``text``; ``lookup(key)``
    gives the stored value under a key."""
    tree = parse(text)
    dest = None
    if isinstance(tree, tuple) and tree and isinstance(tree[0], Atom) and tree[0].text in ASSIGN:
        if len(tree) != 3:
            raise RapidsError(f"({tree[0].text} dest expression) takes a key and an expression")
        dest, tree = (tree[1].text if isinstance(tree[1], Atom) else tree[1]), tree[2]
    key = dest or KeyStore.random_key("rapids")
    ranged = _row_range(tree, lookup)
    if ranged is not None:
        return dest, _take_rows(cluster, key, *ranged)
    held = _frames_named(tree, lookup)
    _check_row_local(tree)
    layouts = {tuple(f.chunk_rows) for f in held.values()}
    if len(layouts) != 1:
        raise RapidsError("frames held by the Dask workers are combined row by row only when they have the same "
                          "chunks (one made from the other); these do not")
    return dest, _per_chunk(cluster, key, tree, held)


# ---------------------------------------------------------------------------- row ranges
def _row_range(tree, lookup):
    """(frame, sorted row indices) of ``(rows KEY [ranges])`` on a cluster frame, else None."""
    if not (isinstance(tree, tuple) and len(tree) == 3 and isinstance(tree[0], Atom) and tree[0].text == "rows"):
        return None
    source = lookup(tree[1].text) if isinstance(tree[1], Atom) else None
    selection = tree[2]
    if not (getattr(source, "held_on_cluster", False) and _is_position(selection)):
        return None
    from h2o_backend.frames.rapids.selection import row_indices
    rows = row_indices(selection, _Shape(source.nrows, source.key))
    return source, np.unique(rows)


def _is_position(selection) -> bool:
    """A row selection by 0-based position or range (not a condition frame)."""
    if isinstance(selection, list):
        return True
    return isinstance(selection, Atom) and selection.text.partition(":")[0].lstrip("-").replace(".", "", 1).isdigit()


class _Shape:
    """What selection.row_indices reads of a frame."""
    def __init__(self, nrows: int, key: str):
        self.nrows, self.key, self.ncols = nrows, key, 0


def _take_rows(cluster, key: str, frame, rows: np.ndarray):
    local, placed = [], []
    for chunk, mine, w in zip(frame.chunks, frames.positions_by_chunk(rows, frame.chunk_starts()),
                              frames.first_holders(cluster, frame)):
        if mine.size:
            local.append(frames.submit_on(cluster.client, w, frame_chunks.take, chunk, mine))
            placed.append(w)
    if not local:
        raise RapidsError("the row selection is empty")
    return frames.built(cluster, key, local, placed, level_order="kept", keep=_lineage([frame]))


def _lineage(parents) -> list:
    """The futures a frame made from ``parents`` keeps, so that the scheduler can rebuild its chunks
    from the source even after the parents are removed (their chunks then stay on the workers)."""
    return [f for p in parents for f in p.references()]


# ---------------------------------------------------------------------------- row-local expressions
def _frames_named(tree, lookup) -> dict:
    out = {}

    def visit(node):
        if isinstance(node, Atom):
            value = lookup(node.text)
            if getattr(value, "held_on_cluster", False):
                out[node.text] = value
            elif value is not None and hasattr(value, "columns"):
                raise RapidsError(f"frame '{node.text}' is held by the server and cannot be combined with frames "
                                  f"held by the Dask workers")
        elif isinstance(node, (list, tuple)):
            for n in node:
                visit(n)
    visit(tree)
    return out


def _check_row_local(tree) -> None:
    if isinstance(tree, tuple) and tree and isinstance(tree[0], Atom):
        op = tree[0].text
        if op not in ROW_LOCAL:
            known = "is not supported by this server" if op not in OPERATORS else \
                "is not supported on frames held by the Dask workers yet"
            raise RapidsError(f"operator '{op}' {known} (in {show(tree)[:80]}); on cluster frames: "
                              f"{' '.join(sorted(ROW_LOCAL))} and (rows frame [ranges])")
        if op == ":=" and not (len(tree) == 5 and tree[4] == []):
            raise RapidsError(f"(:= frame value columns rows) on frames held by the Dask workers writes whole columns "
                              f"only (rows []), not {show(tree)[:80]}")
        if op == "rows" and len(tree) == 3 and _is_position(tree[2]):
            raise RapidsError(f"rows by position inside an expression are not supported on frames held by the "
                              f"Dask workers (in {show(tree)[:80]}); select them at the top: (rows frame [ranges])")
        for node in tree[1:]:
            _check_row_local(node)


def _per_chunk(cluster, key: str, tree, held: dict):
    placed = frames.first_holders(cluster, next(iter(held.values())))
    local = []
    for i, w in enumerate(placed):
        chunks = {k: f.chunks[i] for k, f in held.items()}
        local.append(frames.submit_on(cluster.client, w, evaluate_chunk, show(_seeded(tree, i)), list(chunks),
                                      *chunks.values()))
    return frames.built(cluster, key, local, placed, level_order="auto", keep=_lineage(held.values()))


def _seeded(tree, index: int):
    """``tree`` with every ``(h2o.runif X seed)``'s seed mixed with the chunk's index."""
    if isinstance(tree, tuple) and tree and isinstance(tree[0], Atom):
        if tree[0].text == "h2o.runif" and len(tree) == 3 and isinstance(tree[2], Atom):
            seed = float(tree[2].text)
            if seed != -1:
                mixed = np.random.SeedSequence([int(seed), index]).generate_state(1, np.uint32)[0]
                return (tree[0], _seeded(tree[1], index), Atom(str(int(mixed))))
        return tuple(_seeded(n, index) for n in tree)
    return tree


def evaluate_chunk(text: str, keys: list[str], *chunks):
    """On a worker: the expression with each key standing for its chunk; a frame of the chunk's rows."""
    from h2o_backend.frames.frame import Frame
    from h2o_backend.frames.rapids import evaluate as evaluate_rapids
    by_key = dict(zip(keys, chunks))

    def refuse(_frame):
        raise RapidsError("assignments inside an expression are not supported on frames held by the Dask workers")
    result = evaluate_rapids(text, by_key.get, refuse)
    if not isinstance(result, Frame):
        raise RapidsError(f"{text[:80]} does not give a frame")
    return result
