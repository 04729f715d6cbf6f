"""DataInfo: how a frame becomes the network's input matrix (legacy_h2o.md §3.3 items 1-3; H2O
``FrameTask.DataInfo``).

Fitting on the training frame decides:
- the predictors: every column except the response (an autoencoder keeps it as an input), the
  ignored columns, string columns (H2O cannot use them) and, with ``ignore_const_cols``, columns
  whose non-missing values are all equal (or that have none); factors first, sorted by decreasing
  number of levels (ties in frame order), then numeric columns in frame order;
- one-hot blocks: a factor gets one input per level (without ``use_all_factor_levels`` the first
  level is the all-zero reference and has none) plus ``<col>.missing(NA)`` when the training
  column had missing values; expanded names ``<col>.<level>``, ``<col>.missing(NA)``, then the
  numeric column names;
- numeric scaling: ``(x - mean) * mul`` with ``mul = 1/sd`` (sample sd; 1 when 0), or for
  autoencoders ``1/(max - min)`` (1 when max = min); a missing value becomes 0 (mean imputation);
- the response: classes (an enum's levels, or the sorted distinct values of an integer column as
  strings), or for regression its mean and sample sd (the network learns the standardised value)
  when the family's link is the identity (gaussian, laplace, quantile, huber); the log-link
  families (poisson, gamma, tweedie) learn the response as it is (H2O-3's makeDataInfo
  standardizes the response only for an identity link);
- row weights (``weights_column``): the means and sds are weighted as H2O-3's (YMUTask /
  BasicStats: over the rows of non-zero weight, ``var = n/(n-1) * sum w (x - m)^2 / sum w``, n
  the count of such rows; without weights the sample variance), so rows of weight 0 count as
  removed; ``weights(frame)`` gives a frame's weights (1 when it lacks the column);
- row offsets (``offset_column``): ``offsets(frame)`` on the response's link scale, refused for
  a frame without the column (H2O-3's message). A standardized response is standardized with the
  mean and sd of ``y - offset`` (the part the network learns), so the network sees the offset as
  ``offset / sd`` and its prediction is ``net * sd + mean + offset``: the model is the one trained
  on ``y - offset`` without offset. (H2O-3 keeps y's own statistics and adds ``(offset - mean) /
  sd``, noting that the statistics should include the offset terms.)

Scoring frames are matched by column name; factor levels by their label. An unseen or missing
level switches on the column's missing input if it had one, gives all zeros with
``use_all_factor_levels``, and is an error otherwise (legacy message). A predictor absent from
the frame counts as all missing (see ``missing_columns``).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from h2o_backend.engine import distributions
from h2o_backend.frames.frame import Column, Frame
from h2o_backend.engine.problems import CLASSIFICATION

MAX_CATEGORICAL_DEFAULT = 2 ** 31 - 1     # max_categorical_features: no limit (the parameter table's default)

CHUNK_CELLS = 1 << 22          # numeric columns are scaled in row chunks of about this many cells
MISSING_OFFSET = ("Test/Validation dataset is missing offset column '{name}'. If your intention is to "
                  "disable the effect of the offset add a zero offset column.")
UNSEEN_LEVEL = ("Model was built without missing categorical factors in column {col}, but found unknown "
                "(or missing) categorical factors during scoring. The model needs to be built with "
                "use_all_factor_levels=true for this to work.")


# ---------------------------------------------------------------------------- column helpers
def number_label(value: float) -> str:
    """The class label of a numeric value: whole numbers without a decimal point."""
    v = float(value)
    if math.isfinite(v) and v == math.floor(v) and abs(v) < 2 ** 53:
        return str(int(v))
    return repr(v)


def held_on_cluster(col) -> bool:
    """A column of a frame held by the Dask workers (frames/cluster_frame.py): its statistics are
    known from the rollups computed there, its values are not in this process."""
    return getattr(col, "rollups", None) is not None and not hasattr(col, "data")


def value_range(col) -> tuple[float, float] | None:
    """(min, max) of the finite values of a numeric or enum column (codes), None without any."""
    if held_on_cluster(col):
        r = col.rollups
        return (float(r.mins[0]), float(r.maxs[0])) if r.mins else None
    v = finite_values(col)
    return (float(v.min()), float(v.max())) if v.size else None


def has_missing(col) -> bool:
    if held_on_cluster(col):
        return col.rollups.missing_count > 0
    return bool(np.any(col.missing_mask()))


def finite_values(col: Column) -> np.ndarray:
    """The non-missing values of a numeric or enum column (enum: codes) as float64."""
    if col.type == "string":
        raise TypeError(f"column {col.name!r} is a string column")
    v = col.as_float()
    return v[np.isfinite(v)]


def is_constant(col: Column) -> bool:
    """True when the column's non-missing values are all equal, or it has none (H2O's isConst/isBad)."""
    if col.type == "string":
        return False
    span = value_range(col)
    return span is None or span[0] == span[1]


def is_integer_valued(col: Column) -> bool:
    """Numeric column whose non-missing values are all whole numbers (H2O's isInt)."""
    if not col.is_numeric:
        return False
    if held_on_cluster(col):
        return col.type == "int"
    v = finite_values(col)
    return bool(np.all(v == np.floor(v)))


def class_labels(col: Column) -> list[str]:
    """Classes of a response column: an enum's levels, else the sorted distinct values."""
    if col.is_enum:
        return [str(d) for d in col.domain]
    if held_on_cluster(col):
        raise ValueError(f"Classification on the numeric column '{col.name}' of a frame held by the Dask "
                         f"workers is not supported: parse it as Enum (column_types)")
    return [number_label(v) for v in np.unique(finite_values(col))]


def _labels_of(col: Column) -> tuple[np.ndarray, list[str]]:
    """(codes int64 with -1 for missing, labels) of any column, for matching levels by label."""
    if col.is_enum:
        return col.data.astype(np.int64), [str(d) for d in col.domain]
    if col.type == "string":
        present = np.array([v is not None for v in col.data], dtype=bool)
        uniq, inv = np.unique(np.array([v if v is not None else "" for v in col.data], dtype=object).astype(str),
                              return_inverse=True)
        return np.where(present, inv, -1).astype(np.int64), [str(u) for u in uniq]
    v = col.data.astype(np.float64)
    ok = np.isfinite(v)
    uniq, inv = np.unique(v[ok], return_inverse=True)
    codes = np.full(v.shape, -1, dtype=np.int64)
    codes[ok] = inv
    return codes, [number_label(u) for u in uniq]


def codes_in_domain(col: Column | None, domain: list[str], n_rows: int) -> np.ndarray:
    """Codes of ``col`` in the training ``domain`` (int64; -1 for missing or unseen labels)."""
    if col is None:
        return np.full(n_rows, -1, dtype=np.int64)
    if col.is_enum and list(col.domain) == list(domain):
        return col.data.astype(np.int64)
    codes, labels = _labels_of(col)
    index = {label: i for i, label in enumerate(domain)}
    lut = np.array([index.get(label, -1) for label in labels] + [-1], dtype=np.int64)
    return lut[np.where(codes >= 0, codes, len(labels))]


def numeric_values(col: Column | None, n_rows: int) -> np.ndarray:
    """Values of ``col`` as float64 (NaN missing); enum / string labels must be numbers."""
    if col is None:
        return np.full(n_rows, np.nan)
    if col.is_numeric:
        return col.data.astype(np.float64, copy=False)
    codes, labels = _labels_of(col)
    try:
        lut = np.array([float(label) for label in labels] + [np.nan], dtype=np.float64)
    except ValueError:
        raise ValueError(f"Column '{col.name}' is numeric in the training frame but holds non-numeric "
                         f"values ({col.type}) in this frame") from None
    return lut[np.where(codes >= 0, codes, len(labels))]


# ---------------------------------------------------------------------------- predictor choice
@dataclass
class Selection:
    predictors: list[str]          # in input order: factors by decreasing cardinality, then numerics
    constant: list[str]            # dropped by ignore_const_cols
    strings: list[str]             # dropped: string columns


def select_predictors(train: Frame, params) -> Selection:
    """The predictor columns of ``train`` for ``params`` (see the module doc)."""
    ignored = set(getattr(params, "ignored_columns", None) or [])
    for special in ("fold_column", "weights_column", "offset_column"):
        if getattr(params, special, None):
            ignored.add(getattr(params, special))     # H2O-3: never a predictor
    autoencoder = bool(getattr(params, "autoencoder", False))
    response = None if autoencoder else getattr(params, "response_column", None)
    drop_const = bool(getattr(params, "ignore_const_cols", True))
    enums, nums, constant, strings = [], [], [], []
    for col in train.columns:
        if col.name in ignored or col.name == response:
            continue
        if col.type == "string":
            strings.append(col.name)
        elif drop_const and is_constant(col):
            constant.append(col.name)
        else:
            (enums if col.is_enum else nums).append(col)
    enums.sort(key=lambda c: -len(c.domain or []))
    return Selection([c.name for c in enums] + [c.name for c in nums], constant, strings)


def resolve_problem(params, train: Frame) -> str:
    """Binomial / Multinomial / Regression / AutoEncoder for ``params`` on ``train``.

    ``classification`` None follows the response type (enum -> classification)."""
    if getattr(params, "autoencoder", False):
        return "AutoEncoder"
    col = train.column(params.response_column)
    flag = getattr(params, "classification", None)
    classify = col.is_enum if flag is None else bool(flag)
    if not classify:
        return "Regression"
    return "Binomial" if len(class_labels(col)) <= 2 else "Multinomial"


# ---------------------------------------------------------------------------- DataInfo
@dataclass
class DataInfo:
    predictor_names: list[str]
    predictor_domains: list[list[str] | None]
    cat_offsets: list[int]             # start of each factor's block, plus the end of the last one
    cat_missing: list[bool]            # factor had missing values in training: last input of its block
    num_sub: list[float]               # numeric scaling: (x - sub) * mul
    num_mul: list[float]
    use_all_factor_levels: bool
    expanded_names: list[str]
    problem: str
    response_name: str | None
    response_domain: list[str] | None = None
    response_mean: float = 0.0
    response_sigma: float = 1.0
    normalization: str = "standardize"     # "standardize" or "normalize" (autoencoders)
    constant_columns: list[str] = field(default_factory=list)
    string_columns: list[str] = field(default_factory=list)
    weights_name: str | None = None
    offset_name: str | None = None

    # ------------------------------------------------------------------ sizes
    @property
    def n_cats(self) -> int:
        return len(self.cat_missing)

    @property
    def n_nums(self) -> int:
        return len(self.num_sub)

    @property
    def num_offset(self) -> int:
        return self.cat_offsets[-1]

    @property
    def n_inputs(self) -> int:
        return len(self.expanded_names)

    @property
    def n_outputs(self) -> int:
        if self.problem in CLASSIFICATION:
            return len(self.response_domain)
        return 1 if self.problem == "Regression" else self.n_inputs

    @property
    def is_classifier(self) -> bool:
        return self.problem in CLASSIFICATION

    # ------------------------------------------------------------------ fitting
    @classmethod
    def fit(cls, train: Frame, params) -> "DataInfo":
        """Data preparation of ``train`` for (effective) parameters ``params``."""
        sel = select_predictors(train, params)
        problem = resolve_problem(params, train)
        autoencoder = problem == "AutoEncoder"
        use_all = bool(getattr(params, "use_all_factor_levels", True)) or autoencoder
        cols = [train.column(n) for n in sel.predictors]
        cats = [c for c in cols if c.is_enum]
        nums = [c for c in cols if not c.is_enum]
        offsets, missing, names = [0], [], []
        for c in cats:
            levels = list(c.domain)[0 if use_all else 1:]
            had_na = has_missing(c)
            names += [f"{c.name}.{lv}" for lv in levels] + ([f"{c.name}.missing(NA)"] if had_na else [])
            missing.append(had_na)
            offsets.append(offsets[-1] + len(levels) + int(had_na))
        cap = int(getattr(params, "max_categorical_features", MAX_CATEGORICAL_DEFAULT))
        if offsets[-1] > cap:
            raise ValueError(f"max_categorical_features={cap} is smaller than the {offsets[-1]} categorical "
                             "inputs; hashing categorical features is not supported")
        weights = _training_weights(train, params)
        subs, muls = zip(*[_scaling(c, autoencoder, weights) for c in nums]) if nums else ((), ())
        info = cls(predictor_names=[c.name for c in cols],
                   predictor_domains=[list(map(str, c.domain)) if c.is_enum else None for c in cols],
                   cat_offsets=offsets, cat_missing=missing, num_sub=list(subs), num_mul=list(muls),
                   use_all_factor_levels=use_all, expanded_names=names + [c.name for c in nums],
                   problem=problem, response_name=None if autoencoder else params.response_column,
                   normalization="normalize" if autoencoder else "standardize",
                   constant_columns=sel.constant, string_columns=sel.strings,
                   weights_name=getattr(params, "weights_column", None),
                   offset_name=getattr(params, "offset_column", None) if problem == "Regression" else None)
        if problem in CLASSIFICATION:
            info.response_domain = class_labels(train.column(params.response_column))
        elif problem == "Regression" and not distributions.uses_log_link(getattr(params, "distribution", "AUTO")):
            response = train.column(params.response_column)
            if held_on_cluster(response):
                info.response_mean, info.response_sigma = _rollup_mean_sd(response)
                return info
            y = numeric_values(response, train.nrows)
            if info.offset_name:
                y = y - info.offsets(train)
            info.response_mean, info.response_sigma = weighted_mean_sd(y, weights)
        return info

    # ------------------------------------------------------------------ scoring-time input
    def missing_columns(self, frame: Frame) -> list[str]:
        """Predictors absent from ``frame`` (they are scored as all missing)."""
        return [n for n in self.predictor_names if not frame.has_column(n)]

    def _column(self, frame: Frame, name: str) -> Column | None:
        return frame.column(name) if frame.has_column(name) else None

    def transform(self, frame: Frame) -> np.ndarray:
        """The input matrix [n, n_inputs] float32, C-contiguous."""
        n = frame.nrows
        X = np.zeros((n, self.n_inputs), dtype=np.float32)
        for c in range(self.n_cats):
            self._one_hot(X, c, self._column(frame, self.predictor_names[c]), n)
        if self.n_nums:
            self._scale_numerics(X, frame, n)
        return X

    def _one_hot(self, X: np.ndarray, c: int, col: Column | None, n: int) -> None:
        name = self.predictor_names[c]
        codes = codes_in_domain(col, self.predictor_domains[c], n)
        start, stop = self.cat_offsets[c], self.cat_offsets[c + 1]
        pos = codes - (0 if self.use_all_factor_levels else 1)
        hot = np.flatnonzero(pos >= 0)
        X[hot, start + pos[hot]] = 1.0
        bad = codes < 0
        if bad.any():
            if self.cat_missing[c]:
                X[bad, stop - 1] = 1.0
            elif not self.use_all_factor_levels:
                raise ValueError(UNSEEN_LEVEL.format(col=name))

    def _scale_numerics(self, X: np.ndarray, frame: Frame, n: int) -> None:
        names = self.predictor_names[self.n_cats:]
        values = [numeric_values(self._column(frame, name), n) for name in names]
        sub = np.asarray(self.num_sub, dtype=np.float64)
        mul = np.asarray(self.num_mul, dtype=np.float64)
        step = max(1, CHUNK_CELLS // max(1, len(names)))
        off = self.num_offset
        for lo in range(0, n, step):
            hi = min(n, lo + step)
            block = np.stack([v[lo:hi] for v in values], axis=1)
            block = (block - sub) * mul
            block[~np.isfinite(block)] = 0.0
            X[lo:hi, off:] = block

    # ------------------------------------------------------------------ weights and offsets
    def weights(self, frame: Frame) -> np.ndarray | None:
        """Row weights of ``frame`` (float64; 1 for a frame without the column), or None for a
        model without weights."""
        if not self.weights_name:
            return None
        if not frame.has_column(self.weights_name):
            return np.ones(frame.nrows)
        return numeric_values(frame.column(self.weights_name), frame.nrows).astype(np.float64, copy=True)

    def offsets(self, frame: Frame) -> np.ndarray | None:
        """Row offsets of ``frame`` on the response's link scale (float64), or None for a model
        without offsets; ValueError naming the column when ``frame`` lacks it."""
        if not self.offset_name:
            return None
        if not frame.has_column(self.offset_name):
            raise ValueError(MISSING_OFFSET.format(name=self.offset_name))
        return numeric_values(frame.column(self.offset_name), frame.nrows).astype(np.float64, copy=True)

    def network_offsets(self, offsets) -> np.ndarray | None:
        """Offsets as the network adds them to its (standardized) output: ``offset / sd``."""
        return None if offsets is None else np.asarray(offsets, np.float64) / self.response_sigma

    # ------------------------------------------------------------------ response
    def response(self, frame: Frame) -> np.ndarray | None:
        """Class codes (int32, -1 missing or unseen) or standardised values (float64, NaN
        missing); None for autoencoders."""
        if self.problem == "AutoEncoder":
            return None
        if not frame.has_column(self.response_name):
            raise ValueError(f"Frame '{frame.key}' has no response column '{self.response_name}'")
        col = frame.column(self.response_name)
        if self.is_classifier:
            return codes_in_domain(col, self.response_domain, frame.nrows).astype(np.int32)
        return (numeric_values(col, frame.nrows) - self.response_mean) / self.response_sigma

    def unstandardize(self, y):
        """Regression outputs back on the response's scale: ``y * sigma + mean``."""
        return np.asarray(y, dtype=np.float64) * self.response_sigma + self.response_mean

    def denormalize(self, X: np.ndarray) -> np.ndarray:
        """Reconstructed inputs [n, n_inputs] with numeric columns back on their own scale
        (``x / mul + sub``); one-hot columns unchanged."""
        out = np.array(X, dtype=np.float64, copy=True)
        if self.n_nums:
            off = self.num_offset
            out[:, off:] = out[:, off:] / np.asarray(self.num_mul) + np.asarray(self.num_sub)
        return out

    # ------------------------------------------------------------------ saved state
    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "DataInfo":
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise ValueError(f"unknown DataInfo fields {sorted(unknown)}")
        return cls(**{k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in d.items()})


def _rollup_mean_sd(col) -> tuple[float, float]:
    """weighted_mean_sd (unweighted) of a cluster frame's column, from its rollups."""
    r = col.rollups
    if r.mean is None:
        return 0.0, 1.0
    return float(r.mean), _usable(float(r.sigma or 0.0))


def _usable(scale: float) -> float:
    """A standard deviation or a range to divide by: 1 when it is 0 or undefined."""
    return scale if scale > 0 and math.isfinite(scale) else 1.0


def _training_weights(train: Frame, params) -> np.ndarray | None:
    name = getattr(params, "weights_column", None)
    return numeric_values(train.column(name), train.nrows) if name and train.has_column(name) else None


def _counted(v: np.ndarray, weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """(values, weights) of the rows that count in the statistics: finite, of non-zero weight."""
    ok = np.isfinite(v) if weights is None else np.isfinite(v) & (weights != 0)
    return v[ok], (np.ones(int(ok.sum())) if weights is None else weights[ok])


def weighted_mean_sd(v: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float]:
    """H2O-3's (weighted) mean and sd (module doc); sd 1 when it is 0 or undefined."""
    v, w = _counted(np.asarray(v, np.float64), weights)
    n = v.size
    if n == 0:
        return 0.0, 1.0
    if weights is None:
        mean, sd = float(v.mean()), (float(v.std(ddof=1)) if n > 1 else 0.0)
    else:
        wsum = float(w.sum())
        mean = float(np.dot(w, v) / wsum)
        sd = math.sqrt(n / (n - 1) * float(np.dot(w, (v - mean) ** 2)) / wsum) if n > 1 else 0.0
    return mean, _usable(sd)


def _scaling(col: Column, autoencoder: bool, weights: np.ndarray | None = None) -> tuple[float, float]:
    """(sub, mul) of a numeric predictor: standardisation, or the autoencoder's normalisation."""
    held = held_on_cluster(col)
    if not autoencoder:
        mean, sd = _rollup_mean_sd(col) if held else weighted_mean_sd(col.as_float(), weights)
        return mean, 1.0 / sd
    if held:
        mean = _rollup_mean_sd(col)[0]
        low, high = value_range(col) or (0.0, 0.0)
        spread = high - low
    else:
        v, w = _counted(col.as_float(), weights)
        mean = 0.0 if not v.size else float(v.mean() if weights is None else np.dot(w, v) / w.sum())
        spread = float(v.max() - v.min()) if v.size else 0.0
    return mean, 1.0 / _usable(spread)
