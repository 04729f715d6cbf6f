"""The part of H2O-3's Rapids language this server evaluates (POST /99/Rapids).

``parser`` reads the s-expression; ``evaluator`` dispatches each call through one operator table
filled by the operator modules: ``selection`` (cols, cols_py, rows), ``assign`` (tmp=, assign,
:=, append, colnames=), ``elementwise`` (arithmetic, comparisons, logic), ``reduce`` (mean, sd,
min, max, sum, quantile, nrow, ncol) and ``columns`` (cbind, as.factor, is.factor, levels,
nlevels, h2o.runif, table), ``session`` (setTimeZone, getTimeZone, ls), ``transform`` (the data-preparation methods) and ``merge``. An operator not in the table is refused with an error naming it.
"""
from h2o_backend.frames.rapids import assign, columns, elementwise, merge, reduce, selection, session, transform  # noqa: F401
from h2o_backend.frames.rapids.evaluator import OPERATORS, evaluate
from h2o_backend.frames.rapids.parser import MAX_DEPTH, Atom, RapidsError, parse, show
from h2o_backend.frames.rapids.values import Num, Nums, Str, Strs

__all__ = ["OPERATORS", "MAX_DEPTH", "Atom", "Num", "Nums", "RapidsError", "Str", "Strs", "evaluate",
           "parse", "show"]
