"""``(merge left right all_x all_y [by_x] [by_y] method)``: H2OFrame.merge, as H2O-3 3.46 answers it.

Behaviour observed on H2O-3 3.46's own server (the client sends the common column names'
indices when ``by`` is not given; an empty list means the same):

- the result's columns are the key columns (left's names, in left's column order), then left's
  other columns, then right's other columns;
- categorical keys match by level name; a missing key matches a missing key;
- ``auto``/``radix`` (a sorting join): rows ordered by the key, missing keys first, a left level
  that right lacks before those; within a key every left row (in its order) with every matching
  right row (in its order). ``all_x`` keeps left rows without a match; ``all_y`` runs the same
  join with the frames swapped (so right's rows lead and its levels give the key's domain), then
  puts the columns back in left/right order;
- ``hash``: the walked frame (the ``all`` one; else the one with more rows, left on a tie) keeps
  its row order and takes the first matching row of the other; the walked frame's columns come
  first;
- ``all_x`` and ``all_y`` together are refused, as are string key columns and keys of different
  types (enum against a number).
"""
from __future__ import annotations

import numpy as np

from h2o_backend.frames.frame import Column, Frame
from h2o_backend.frames.rapids.evaluator import expect_args, operator, parse_number
from h2o_backend.frames.rapids.parser import Atom, RapidsError, show
from h2o_backend.frames.rapids.selection import column_indices
from h2o_backend.frames.rapids.values import Str, unique_names

METHODS = ("auto", "radix", "hash")
_NOT_IN_OTHER = -2          # a categorical level the other frame lacks: sorts before missing (-1)


@operator("merge")
def merge(ctx, op, args):
    expect_args(op, args, (7,), "(merge left right all_x all_y [by_x] [by_y] method)")
    left, right = ctx.frame(args[0], op), ctx.frame(args[1], op)
    all_x, all_y = _flag(args[2]), _flag(args[3])
    if all_x and all_y:
        raise RapidsError("merge: all_x and all_y together are not supported (as in H2O-3); choose one")
    by_x, by_y = _join_columns(left, right, args[4], args[5])
    method = ctx.eval(args[6])
    if not isinstance(method, Str) or method.value not in METHODS:
        raise RapidsError(f"merge: method must be one of {', '.join(METHODS)}, not {show(args[6])}")
    if method.value == "hash":
        return _hash_join(left, right, by_x, by_y, all_x, all_y)
    if all_y:
        swapped = _sorting_join(right, left, by_y, by_x, keep_unmatched=True)
        return _left_columns_first(swapped, right, left, len(by_x))
    return _sorting_join(left, right, by_x, by_y, keep_unmatched=all_x)


def _flag(node) -> bool:
    value = parse_number(node.text) if isinstance(node, Atom) else None
    if value is None or value != value:
        raise RapidsError(f"merge needs TRUE or FALSE for all_x and all_y, not {show(node)}")
    return value == 1


def _join_columns(left: Frame, right: Frame, by_x_node, by_y_node) -> tuple[list[int], list[int]]:
    """The key column pairs, in left's column order."""
    by_x = column_indices(by_x_node, left, allow_empty=True)
    by_y = column_indices(by_y_node, right, allow_empty=True)
    if not by_x and not by_y:
        by_x = [j for j, name in enumerate(left.names) if right.has_column(name)]
        by_y = [right.index_of(left.names[j]) for j in by_x]
        if not by_x:
            raise RapidsError("merge: no join columns given and the frames have no column name in common")
    if len(by_x) != len(by_y):
        raise RapidsError(f"merge: by_x has {len(by_x)} columns but by_y has {len(by_y)}")
    pairs = sorted(zip(by_x, by_y))
    for jx, jy in pairs:
        _check_key_types(left.columns[jx], right.columns[jy])
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _check_key_types(a: Column, b: Column) -> None:
    if a.type == "string" or b.type == "string":
        raise RapidsError(f"merge: string key columns ('{a.name}', '{b.name}') are not supported; "
                          "convert them with asfactor() first")
    if a.is_enum != b.is_enum:
        raise RapidsError(f"merge: key columns must have the same type; '{a.name}' is {a.type} "
                          f"and '{b.name}' is {b.type}")


# ---------------------------------------------------------------------------- key encoding
def _key_groups(primary: Frame, other: Frame, by_p: list[int], by_o: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Dense group ids of every row's key in both frames, ordered as the sorting join orders them
    (missing first; a primary level the other frame lacks before that). Equal keys, equal ids."""
    p_parts, o_parts = [], []
    for jp, jo in zip(by_p, by_o):
        p_codes, o_codes = _comparable(primary.columns[jp], other.columns[jo])
        p_parts.append(p_codes)
        o_parts.append(o_codes)
    both = np.concatenate([np.column_stack(p_parts), np.column_stack(o_parts)])
    _, ids = np.unique(both, axis=0, return_inverse=True)
    ids = ids.ravel()
    return ids[:primary.nrows], ids[primary.nrows:]


def _comparable(p: Column, o: Column) -> tuple[np.ndarray, np.ndarray]:
    """Integer ranks of a key column's values, shared by both frames: numbers by value, levels by
    the other frame's level order (matched by name); -1 for missing."""
    if p.is_enum:
        position = {level: i for i, level in enumerate(o.domain)}
        to_other = np.array([position.get(level, _NOT_IN_OTHER) for level in p.domain] + [-1], dtype=np.int64)
        return to_other[p.data], o.data.astype(np.int64)
    values = np.concatenate([p.data, o.data]).astype(np.float64)
    missing = np.isnan(values)
    _, ranks = np.unique(np.where(missing, 0.0, values), return_inverse=True)
    ranks = np.where(missing, -1, ranks.ravel())
    return ranks[:p.data.size], ranks[p.data.size:]


# ---------------------------------------------------------------------------- sorting join
def _sorting_join(left: Frame, right: Frame, by_x, by_y, keep_unmatched: bool) -> Frame:
    gl, gr = _key_groups(left, right, by_x, by_y)
    groups = int(max(gl.max(initial=-1), gr.max(initial=-1))) + 1
    right_order = np.argsort(gr, kind="stable")
    right_count = np.bincount(gr, minlength=groups)
    right_start = np.cumsum(right_count) - right_count
    left_order = np.argsort(gl, kind="stable")
    matches = right_count[gl[left_order]]
    reps = np.maximum(matches, 1) if keep_unmatched else matches
    left_rows = np.repeat(left_order, reps)
    within = np.arange(left_rows.size) - np.repeat(np.cumsum(reps) - reps, reps)
    matched = np.repeat(matches, reps) > 0
    position = np.where(matched, right_start[gl[left_rows]] + within, 0)
    right_rows = np.where(matched, right_order[position], -1) if gr.size else np.full(left_rows.size, -1)
    return _joined(left, right, by_x, by_y, left_rows, right_rows)


def _left_columns_first(swapped: Frame, right: Frame, left: Frame, nkeys: int) -> Frame:
    """The all_y join ran with right as its first frame: its columns back to keys, left's, right's."""
    n_right_rest = right.ncols - nkeys
    keys = swapped.columns[:nkeys]
    right_rest = swapped.columns[nkeys:nkeys + n_right_rest]
    left_rest = swapped.columns[nkeys + n_right_rest:]
    return Frame(left.key, keys + left_rest + right_rest)


# ---------------------------------------------------------------------------- hash join
def _hash_join(left: Frame, right: Frame, by_x, by_y, all_x: bool, all_y: bool) -> Frame:
    walk_left = all_x if all_x != all_y else left.nrows > right.nrows
    walked, hashed = (left, right) if walk_left else (right, left)
    by_w, by_h = (by_x, by_y) if walk_left else (by_y, by_x)
    gw, gh = _key_groups(walked, hashed, by_w, by_h)
    groups = int(max(gw.max(initial=-1), gh.max(initial=-1))) + 1
    first_row = np.full(groups, -1, dtype=np.int64)
    first_row[gh[::-1]] = np.arange(gh.size)[::-1]      # the last write wins: the first row per key
    hashed_rows = first_row[gw]
    walked_rows = np.arange(walked.nrows)
    if not (all_x or all_y):
        walked_rows, hashed_rows = walked_rows[hashed_rows >= 0], hashed_rows[hashed_rows >= 0]
    return _joined(walked, hashed, by_w, by_h, walked_rows, hashed_rows)


# ---------------------------------------------------------------------------- result frame
def _joined(first: Frame, second: Frame, by_f, by_s, first_rows, second_rows) -> Frame:
    keys = [first.columns[j].take(first_rows) for j in by_f]
    first_rest = [c.take(first_rows) for j, c in enumerate(first.columns) if j not in by_f]
    second_rest = [_take_or_missing(c, second_rows) for j, c in enumerate(second.columns) if j not in by_s]
    columns = keys + first_rest + second_rest
    names = unique_names([c.name for c in columns])
    return Frame(first.key, [Column(n, c.type, c.data, c.domain) for n, c in zip(names, columns)])


def _take_or_missing(col: Column, rows: np.ndarray) -> Column:
    """Rows of ``col``; -1 (a row without a match) gives a missing value."""
    missing = rows < 0
    if col.is_enum:
        data = np.full(rows.size, -1, np.int32)
    elif col.type == "string":
        data = np.full(rows.size, None, object)
    else:
        data = np.full(rows.size, np.nan)
    data[~missing] = col.data[rows[~missing]]
    return Column(col.name, col.type, data, col.domain)
