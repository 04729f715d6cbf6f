"""Frames parsed and held by the Dask workers (issue 20), seen from the server.

``parse`` cuts every file into byte ranges (``setup.chunk_size`` bytes, at least one per worker;
a compressed file is one range), and builds one task graph per chunk on the workers: parse the
lines of the range (frame_chunks.parse_chunk), then recode its enums into the frame's domains. Only
the chunks' levels, column types, row counts and statistics come back to the server; the chunks
stay in the workers' memory as futures of that graph, so the scheduler recomputes a lost worker's
chunks from the file (every worker must read the same path: a shared folder). Chunk ``i`` is placed
on worker ``i mod N`` (the workers sorted by address) and may move when that worker is gone.

The statistics are frames.summary's, combined from the chunks: counts and extremes by sums and
merges, the mean and sigma by Chan's formula (equal to one pass's within rounding), the histogram
by summing the chunks' bin counts, and each percentile exactly, from the values of the histogram
bins its order statistics fall in (a bin of more than ``EXACT_BIN_VALUES`` values is interpolated
within its bounds instead).
"""
from __future__ import annotations

import math

import numpy as np

from h2o_backend.cluster import frame_chunks
from h2o_backend.frames.cluster_frame import ClusterColumn, ClusterFrame
from h2o_backend.frames.frame import Column, Frame
from h2o_backend.frames.summary import EXTREMES, PERCENTILES, Rollups, Summary, histogram_spec
from h2o_backend.parse.location import file_size
from h2o_backend.parse import parser
from h2o_backend.parse.source import ParseError, compression_of

EXACT_BIN_VALUES = 1 << 18
MEMORY_FRACTION = 0.6          # a cluster frame may take this share of the workers' memory limits


class ClusterMemoryError(ValueError):
    """The frame would not fit in the workers' memory (raised before the parse starts)."""


# ---------------------------------------------------------------------------- placement
def byte_ranges(paths: list[str], chunk_bytes: int, n_workers: int) -> list[tuple[str, int, int, bool]]:
    """(path, start, end, first range of its file) for every chunk, in row order."""
    total = sum(file_size(p) for p in paths)
    size = max(1 << 16, min(int(chunk_bytes), math.ceil(total / max(1, n_workers))))
    out = []
    for path in paths:
        length = file_size(path)
        if compression_of(path) is not None or length == 0:
            out.append((path, 0, length, True))
            continue
        for start in range(0, length, size):
            out.append((path, start, min(length, start + size), start == 0))
    return out


def check_fits(cluster, paths: list[str], n_columns: int) -> None:
    """Refuse, before any work, a frame larger than the workers can hold."""
    from h2o_backend.parse.estimate import frame_bytes
    need, rows = frame_bytes(paths, n_columns)
    limits = cluster.memory_limits()
    have = int(MEMORY_FRACTION * sum(limits.values()))
    if limits and all(limits.values()) and need > have:
        raise ClusterMemoryError(
            f"the parsed frame would take about {need / 2**20:.0f} MB ({n_columns} columns x ~{rows} rows), "
            f"more than {MEMORY_FRACTION:.0%} of the {len(limits)} Dask workers' memory limits "
            f"({sum(limits.values()) / 2**20:.0f} MB in all)")


def submit_on(client, worker: str | None, function, *args):
    """``function(*args)`` on ``worker`` (where the chunk it reads lies), or on any worker when that
    one is gone or None; a task graph Dask can recompute."""
    return client.submit(function, *args, workers=[worker] if worker else None, allow_other_workers=True,
                         pure=False)


def holders(cluster, frame: ClusterFrame) -> list[list[str]]:
    """The workers that hold each chunk now, in chunk order."""
    who = cluster.client.who_has(list(frame.chunks))
    return [list(who.get(c.key, ())) for c in frame.chunks]


def first_holders(cluster, frame: ClusterFrame) -> list[str | None]:
    return [held[0] if held else None for held in holders(cluster, frame)]


def positions_by_chunk(rows: np.ndarray, starts: np.ndarray) -> list[np.ndarray]:
    """Sorted row indices (of the frame, or of its labelled rows with ``starts`` theirs) as
    positions within each chunk."""
    which = np.searchsorted(starts, rows, side="right") - 1
    return [rows[which == i] - starts[i] for i in range(len(starts) - 1)]


# ---------------------------------------------------------------------------- parse
def parse(cluster, paths: list[str], setup, key: str, job=None) -> ClusterFrame:
    """Parse the files on the workers into a ClusterFrame under ``key`` (see module doc)."""
    parser.validate_setup(setup)
    client, workers = cluster.client, cluster.worker_addresses()
    if not workers:
        raise ParseError("the Dask cluster has no workers to parse on", field="source_frames")
    ranges = byte_ranges(paths, setup.chunk_size, len(workers))
    placed = [workers[i % len(workers)] for i in range(len(ranges))]
    parsed = [submit_on(client, w, frame_chunks.parse_chunk, path, start, end, setup, first, key)
              for (path, start, end, first), w in zip(ranges, placed)]
    local = [submit_on(client, w, frame_chunks.chunk_frame, p) for p, w in zip(parsed, placed)]
    _progress(job, 0.1, f"Parsing {len(ranges)} chunks on {len(workers)} Dask workers")
    notes = _gather(client, [client.submit(lambda p: p[1], p, pure=False) for p in parsed], job)
    del parsed                             # the graph keeps them to rebuild a lost chunk
    frame = built(cluster, key, local, placed, job)
    for chunk_notes in notes:
        setup.warnings.extend(n for n in chunk_notes if n not in setup.warnings)
    frame.sources = list(paths)
    return frame


def built(cluster, key: str, local: list, placed: list[str] | None = None, job=None, keep=(),
          level_order: str = "text") -> ClusterFrame:
    """A ClusterFrame of chunk futures ``local`` (Frames on the workers, their enum codes into
    their own levels): recoded into the unified domains (``_unified``), with the frame's
    statistics. ``keep``: futures the chunks' task graph needs (a scattered model: it cannot be
    recomputed)."""
    client = cluster.client
    placed = placed or [None] * len(local)
    levels = _gather(client, [client.submit(frame_chunks.levels, c, pure=False) for c in local], job)
    types = _gather(client, [client.submit(frame_chunks.column_types, c, pure=False) for c in local], job)
    names = client.submit(frame_chunks.column_names, local[0], pure=False).result()
    domains, kinds = _unified(levels, types, level_order)
    chunks = [submit_on(client, w, frame_chunks.recode, c, domains, kinds) for c, w in zip(local, placed)]
    _progress(job, 0.6, "Computing the frame's statistics on the workers")
    moments = _gather(client, [client.submit(frame_chunks.moments, c, pure=False) for c in chunks], job)
    sizes = _gather(client, [client.submit(frame_chunks.size, c, pure=False) for c in chunks], job)
    columns = _columns(client, chunks, names, kinds, domains, moments, job)
    return ClusterFrame(key, columns, chunks, [int(r) for r, _, _ in sizes], [int(b) for _, b, _ in sizes],
                        chunk_digests=[d for _, _, d in sizes], keep=list(keep))


def _progress(job, fraction: float, message: str) -> None:
    if job is not None:
        parser.check_cancel(job)
        job.update(fraction, message)


def _gather(client, futures: list, job) -> list:
    if job is not None and job.stop_requested:
        client.cancel(futures)
        parser.check_cancel(job)
    return client.gather(futures)


def _unified(levels: list[list], types: list[list[str]], order: str = "text") -> tuple[list, list[str]]:
    """The frame's domains and column types. A domain is the union of the chunks' levels: sorted as
    text (a parse: H2O's order); with ``order`` "kept" or "auto", the chunks' own list when they all
    have the same one (a column taken from a frame keeps its domain); with "auto", sorted by value
    when every level is a number and every chunk lists them so (as.factor of numbers), else as text."""
    n = len(types[0])
    domains = []
    for j in range(n):
        per_chunk = [lv[j] for lv in levels]
        domains.append(None if per_chunk[0] is None else _union(per_chunk, order))
    kinds = []
    for j in range(n):
        seen = {t[j] for t in types}
        kinds.append(seen.pop() if len(seen) == 1 else "real")      # int and real chunks: real
    return domains, kinds


def _union(per_chunk: list[list[str]], order: str) -> list[str]:
    if order != "text" and all(lv == per_chunk[0] for lv in per_chunk):
        return list(per_chunk[0])
    union = set().union(*per_chunk)
    if order == "auto":
        try:
            values = {level: float(level) for level in union}
        except ValueError:
            values = None
        if values is not None and all([values[v] for v in lv] == sorted(values[v] for v in lv) for lv in per_chunk):
            return sorted(union, key=values.get)
    return sorted(union)


# ---------------------------------------------------------------------------- statistics
def _columns(client, chunks, names, kinds, domains, moments, job) -> list[ClusterColumn]:
    rollups = [_rollups([m[j] for m in moments], kinds[j], domains[j]) for j in range(len(names))]
    specs = [_histogram_spec(r, kinds[j]) for j, r in enumerate(rollups)]
    bins = _sum_bins(_gather(client, [client.submit(frame_chunks.histogram, c, specs, pure=False)
                                      for c in chunks], job), len(names))
    out = []
    for j, name in enumerate(names):
        full = Summary(rollups[j])
        if kinds[j] == "enum":
            counts = np.sum([m[j]["levels"] for m in moments], axis=0).astype(np.int64) if domains[j] \
                else np.zeros(0, np.int64)
            full.histogram_bins, full.histogram_stride = counts.tolist(), 1.0
            if counts.sum():
                full.percentiles = _percentiles(counts, lambda wanted: {b: _Constant(float(b)) for b in wanted})
        elif kinds[j] != "string" and specs[j] is not None:
            low, stride, nbins = specs[j]
            full.histogram_bins, full.histogram_base, full.histogram_stride = bins[j].tolist(), low, stride
            full.percentiles = _percentiles(bins[j], lambda wanted, j=j: _bin_values(client, chunks, j, specs[j],
                                                                                     wanted, bins[j], kinds[j]))
        out.append(ClusterColumn(name, kinds[j], domains[j], rollups[j], full))
    return out


def _rollups(parts: list[dict], kind: str, domain) -> Rollups:
    missing = sum(p["missing"] for p in parts)
    if kind == "string":
        return Rollups(missing_count=missing)
    out = Rollups(missing_count=missing, zero_count=sum(p["zeros"] for p in parts),
                  positive_infinity_count=sum(p["pinf"] for p in parts),
                  negative_infinity_count=sum(p["ninf"] for p in parts))
    n = sum(p["count"] for p in parts)
    if n:
        out.mins = sorted(v for p in parts for v in p["mins"])[:EXTREMES]
        out.maxs = sorted((v for p in parts for v in p["maxs"]), reverse=True)[:EXTREMES]
        if kind != "enum" or len(domain or []) <= 2:
            mean = sum(p["count"] * p["mean"] for p in parts) / n
            m2 = sum(p["m2"] + p["count"] * (p["mean"] - mean) ** 2 for p in parts if p["count"])
            out.mean, out.sigma = float(mean), float(math.sqrt(m2 / (n - 1))) if n > 1 else 0.0
    return out


def _histogram_spec(roll: Rollups, kind: str) -> tuple | None:
    """summary._fill_histogram's bins: (low, stride, nbins), None without finite values."""
    if kind in ("string", "enum") or not roll.mins:
        return None
    return histogram_spec(float(roll.mins[0]), float(roll.maxs[0]), kind == "int")


def _sum_bins(per_chunk: list[list], n_columns: int) -> list[np.ndarray | None]:
    out = []
    for j in range(n_columns):
        parts = [c[j] for c in per_chunk if c[j] is not None]
        out.append(np.sum(parts, axis=0).astype(np.int64) if parts else None)
    return out


class _Constant:
    """The sorted values of a bin that holds one value only (an enum level, an integer's own bin)."""
    def __init__(self, value: float):
        self.value = value

    def __getitem__(self, _rank: int) -> float:
        return self.value


class _Spread:
    """A bin's values taken as spread evenly over it (too many to fetch: an approximation)."""
    def __init__(self, start: float, width: float, count: int):
        self.start, self.width, self.count = start, width, count

    def __getitem__(self, rank: int) -> float:
        return self.start + self.width * (rank + 0.5) / self.count


def _bin_values(client, chunks, column: int, spec, wanted: list[int], counts, kind: str) -> dict:
    low, stride, nbins = spec
    if kind == "int" and stride == 1.0:           # one bin per integer: its values are known
        return {b: _Constant(low + b) for b in wanted}
    exact = [b for b in wanted if counts[b] <= EXACT_BIN_VALUES]
    found = client.gather([client.submit(frame_chunks.values_in_bins, c, column, spec, exact, pure=False)
                           for c in chunks]) if exact else []
    out = {b: np.sort(np.concatenate([f[i] for f in found])) for i, b in enumerate(exact)}
    for b in wanted:       # too many values to fetch: spread evenly over the bin
        if b not in out:
            out[b] = _Spread(low + stride * b, stride, int(counts[b]))
    return out


def _percentiles(counts: np.ndarray, values_of) -> list[float]:
    """numpy's 'linear' quantiles of the values counted in ``counts`` (bins in value order)."""
    n = int(counts.sum())
    cumulative = np.cumsum(counts)
    q = np.asarray(PERCENTILES, dtype=np.float64)
    virtual = (n - 1) * q
    below = np.clip(np.floor(virtual), 0, n - 1).astype(np.int64)
    above = np.clip(below + 1, 0, n - 1)
    ranks = sorted(set(below.tolist()) | set(above.tolist()))
    bin_of = {k: int(np.searchsorted(cumulative, k, side="right")) for k in ranks}
    values = values_of(sorted(set(bin_of.values())))
    start = np.concatenate([[0], cumulative])

    def order_statistic(k: int) -> float:
        b = bin_of[k]
        return float(values[b][k - start[b]])
    a = np.array([order_statistic(k) for k in below])
    b = np.array([order_statistic(k) for k in above])
    t = virtual - below
    diff = b - a
    out = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
    return [float(v) for v in out]


# ---------------------------------------------------------------------------- rows
def rows(cluster, frame: ClusterFrame, start: int, stop: int) -> Frame:
    """Rows ``[start, stop)`` as a Frame in the server's memory (a window for display)."""
    starts = frame.chunk_starts()
    stop = min(stop, frame.nrows)
    parts = []
    for i, chunk in enumerate(frame.chunks):
        lo, hi = max(start, starts[i]), min(stop, starts[i + 1])
        if lo < hi:
            parts.append(cluster.client.submit(frame_chunks.take, chunk, slice(int(lo - starts[i]), int(hi - starts[i])),
                                               pure=False))
    got = cluster.client.gather(parts)
    return concatenated(frame, got)


def concatenated(frame: ClusterFrame, parts: list[Frame]) -> Frame:
    columns = []
    for j, col in enumerate(frame.columns):
        data = [p.columns[j].data for p in parts]
        empty = np.empty(0, dtype=object if col.type == "string" else np.int32 if col.is_enum else np.float64)
        columns.append(Column(col.name, col.type, np.concatenate(data) if data else empty, col.domain))
    return Frame(frame.key, columns)


def chunk_frames(cluster, frame: ClusterFrame):
    """The chunks one at a time, as Frames in the server's memory (a download's stream)."""
    for i in range(len(frame.chunks)):
        yield concatenated(frame, [frame.chunks[i].result()])


def bytes_by_worker(cluster, frames: list[ClusterFrame]) -> dict[str, int]:
    """The bytes of cluster frames' chunks each worker holds."""
    futures = [(f, size) for frame in frames for f, size in zip(frame.chunks, frame.chunk_bytes)]
    if not futures:
        return {}
    who = cluster.client.who_has([f for f, _ in futures])
    out: dict[str, int] = {}
    for f, size in futures:
        for w in who.get(f.key, ()):
            out[w] = out.get(w, 0) + int(size)
    return out
