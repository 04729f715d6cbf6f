"""Gains/lift table of a binomial prediction (H2O-3's ``gains_lift_table``).

Rows are sorted by the predicted probability of class 1, highest first, and cut into ``groups``
quantile groups. Rows sharing a probability always fall in the same group, so a group made only
of ties with the group above disappears and the table can have fewer rows than ``groups``. With
row weights every count is a sum of weights (H2O-3's weighted quantiles and GainsLiftBuilder):
integer weights give the table of the rows repeated, rows of weight 0 are left out.
Column names and formulas follow H2O-3: lift = response rate of the group / overall response
rate, capture rate = the group's share of all positives, gain = 100 (lift - 1), and
Kolmogorov-Smirnov = cumulative share of positives - cumulative share of negatives.
"""
from __future__ import annotations

import math

import numpy as np

from h2o_backend.engine.metrics.tables import column, table_column, two_dim_table

DEFAULT_GROUPS = 16


def gains_lift_table(actual, p1, groups: int = DEFAULT_GROUPS, weights=None) -> dict | None:
    """The table for 0/1 ``actual`` against ``p1`` (rows with a missing value left out)."""
    actual = np.asarray(actual)
    p1 = np.asarray(p1, dtype=np.float64)
    w = np.ones(p1.shape[0]) if weights is None else np.asarray(weights, np.float64)
    keep = np.isfinite(p1) & ((actual == 0) | (actual == 1)) & (w != 0)
    y, p, w = actual[keep].astype(np.float64), p1[keep], w[keep]
    n, positives = float(w.sum()), float(np.sum(w * y))
    if y.size == 0 or positives == 0:
        return None
    order = np.argsort(-p, kind="stable")
    ps, ys, ws = p[order], y[order], w[order]
    ends = _group_ends(ps, ws, groups)
    cum_rows = np.cumsum(ws)[ends - 1]
    cum_pos = np.cumsum(ws * ys)[ends - 1]
    cum_score = np.cumsum(ws * ps)[ends - 1]
    rows_in = np.diff(np.concatenate(([0.0], cum_rows)))
    pos_in = np.diff(np.concatenate(([0.0], cum_pos)))
    score_in = np.diff(np.concatenate(([0.0], cum_score)))
    rate = positives / n
    negatives = n - positives
    table = []
    for g in range(ends.size):
        response = pos_in[g] / rows_in[g]
        cum_response = cum_pos[g] / cum_rows[g]
        lift, cum_lift = response / rate, cum_response / rate
        ks = cum_pos[g] / positives - ((cum_rows[g] - cum_pos[g]) / negatives if negatives else 0.0)
        table.append([g + 1, cum_rows[g] / n, float(ps[ends[g] - 1]), lift, cum_lift, response,
                      score_in[g] / rows_in[g], cum_response, cum_score[g] / cum_rows[g],
                      pos_in[g] / positives, cum_pos[g] / positives, 100.0 * (lift - 1.0),
                      100.0 * (cum_lift - 1.0), ks])
    return two_dim_table("Gains/Lift Table", _COLUMNS, table,
                         f"Avg response rate: {100.0 * rate:.2f} %, avg score: {100.0 * cum_score[-1] / n:.2f} %")


def _group_ends(ps: np.ndarray, ws: np.ndarray, groups: int) -> np.ndarray:
    """Exclusive end (row index) of each group in the descending scores ``ps`` of weights ``ws``:
    group k ends at the first row where the cumulative weight reaches k W / groups (unit weights:
    row ceil(k n / groups)); ties kept together."""
    cum = np.cumsum(ws)
    nominal = np.arange(1, groups + 1) * cum[-1] / groups
    last = np.minimum(np.searchsorted(cum, nominal, side="left"), ps.size - 1)
    thresholds = ps[last]
    # rows with p >= threshold: searchsorted on the ascending negation
    ends = np.searchsorted(-ps, -thresholds, side="right")
    return np.unique(ends[ends > 0])


_COLUMNS = [column("Group", "int", "%d"), column("Cumulative Data Fraction", "double", "%.8f"),
            column("Lower Threshold", "double", "%5f"), column("Lift", "double", "%5f"),
            column("Cumulative Lift", "double", "%5f"), column("Response Rate", "double", "%5f"),
            column("Score", "double", "%5f"), column("Cumulative Response Rate", "double", "%5f"),
            column("Cumulative Score", "double", "%5f"), column("Capture Rate", "double", "%5f"),
            column("Cumulative Capture Rate", "double", "%5f"), column("Gain", "double", "%5f"),
            column("Cumulative Gain", "double", "%5f"), column("Kolmogorov Smirnov", "double", "%5f")]


def top_group_lift(table: dict | None) -> float:
    """H2O-3's ``lift_top_group``: the lift of the first (highest-scored) group; NaN without a table."""
    if not table or not table["rowcount"]:
        return math.nan
    return float(table_column(table, "lift")[0])
