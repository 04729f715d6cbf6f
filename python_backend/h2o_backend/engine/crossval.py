"""n-fold cross-validation (nfolds >= 2): the main model is trained on all rows; fold model k
(key ``<model_id>_cv_<k>``, k = 1..nfolds) on the other folds' rows, with the same parameters,
nfolds 0 and its own held-out rows as validation frame (scored, and early-stopped on, as in
H2O-3); the rows carry their weights and offsets columns with them (H2O-3 gives each fold model
the rows' weights, 0 on the held-out fold, which is the same). The fold models' predictions on
their held-out rows, put back in row order, give the main model's ``cross_validation_metrics``
(each row weighted by the training frame's weights); their metrics fold by fold its
``cross_validation_metrics_summary``; their scoring histories its ``cv_scoring_history``.

Folds are assigned as H2O-3's fold_assignment says: AUTO and Random at random from the seed (not
in contiguous blocks as legacy H2O did: blocks fail on data sorted by the response), Modulo by
row number (row i in fold i mod nfolds), Stratified at random within each class of the response.
Progress of the whole job runs over nfolds + 1 models.
"""
from __future__ import annotations

import copy
import dataclasses

import numpy as np

from h2o_backend.engine.metrics import cv_summary, gains_lift, provenance
from h2o_backend.frames.frame import Column, Frame


class _Share:
    """A job view that maps one model's progress 0..1 onto its share of the whole job."""

    def __init__(self, job, index: int, count: int, label: str):
        self._job, self._index, self._count, self._label = job, index, count, label

    def update(self, progress: float, msg: str | None = None) -> None:
        if self._job is not None:
            self._job.update((self._index + progress) / self._count, f"{self._label}: {msg}" if msg else self._label)

    @property
    def stop_requested(self) -> bool:
        return self._job is not None and bool(self._job.stop_requested)

    @property
    def warnings(self):
        """The whole job's warnings list (None without a job)."""
        return getattr(self._job, "warnings", None)


def fold_assignment(n_rows: int, nfolds: int, seed: int) -> np.ndarray:
    """Fold number (0-based) of every row: a seeded random permutation dealt round-robin."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFFFFFFFFFF, 0xF01D])
    folds = np.empty(n_rows, dtype=np.int64)
    folds[rng.permutation(n_rows)] = np.arange(n_rows) % nfolds
    return folds


def modulo_folds(n_rows: int, nfolds: int) -> np.ndarray:
    """H2O-3's Modulo fold assignment: row i in fold i mod nfolds."""
    return np.arange(n_rows, dtype=np.int64) % nfolds


def stratified_folds(classes: np.ndarray, nfolds: int, seed: int) -> np.ndarray:
    """Each class's rows (missing responses as one class of their own) shuffled from the seed and
    dealt round-robin, continuing from the previous class, so that every fold holds each class in
    proportion and the folds' sizes differ by at most one."""
    rng = np.random.default_rng([int(seed) & 0xFFFFFFFFFFFFFFFF, 0x57A7])
    classes = np.asarray(classes)
    folds = np.empty(classes.size, dtype=np.int64)
    dealt = 0
    for c in np.unique(classes):
        rows = rng.permutation(np.flatnonzero(classes == c))
        folds[rows] = (dealt + np.arange(rows.size)) % nfolds
        dealt += rows.size
    return folds


def column_folds(col) -> np.ndarray:
    """H2O-3's fold_column: each distinct value (an enum's level, an integer) is one fold, in
    sorted order; validation has checked there are no missing values and at least two folds."""
    values = np.asarray(col.data if col.is_enum else col.as_float())
    _, folds = np.unique(values, return_inverse=True)
    return folds.astype(np.int64).reshape(-1)


def assign_folds(main, train: Frame, nfolds: int, seed: int) -> np.ndarray:
    """Fold number of every training row: the fold column's, else by the model's fold_assignment."""
    if getattr(main.params, "fold_column", None):
        return column_folds(train.column(main.params.fold_column))
    how = getattr(main.params, "fold_assignment", "AUTO")
    if how == "Modulo":
        return modulo_folds(train.nrows, nfolds)
    if how == "Stratified":
        codes = np.asarray(main.datainfo.response(train))
        return stratified_folds(np.where(codes >= 0, codes, -1), nfolds, seed)
    return fold_assignment(train.nrows, nfolds, seed)


def train_cross_validated(params, train: Frame, job, model_id: str, train_single):
    """Main model + fold models; ``train_single(params, train, valid, job, checkpoint, model_id)``."""
    fold_column = getattr(params, "fold_column", None)
    k = int(np.unique(column_folds(train.column(fold_column))).size) if fold_column else int(params.nfolds)
    main = train_single(params, train, None, _Share(job, 0, k + 1, "Main model"), None, model_id)
    if main.status == "CANCELLED":
        return main
    seed = main.params.seed
    folds = assign_folds(main, train, k, seed)
    ignored = list(params.ignored_columns or []) + ([fold_column] if fold_column else [])
    fold_params = dataclasses.replace(copy.deepcopy(params), nfolds=0, validation_frame=None, seed=seed,
                                      override_with_best_model=False, fold_column=None,
                                      ignored_columns=ignored or None)
    holdout = []
    for f in range(k):
        fold_id = f"{model_id}_cv_{f + 1}"
        share = _Share(job, f + 1, k + 1, f"Cross-validation model {f + 1}/{k}")
        fold_train = train.take_rows(np.flatnonzero(folds != f), key=f"{train.key}_cv_{f + 1}_train")
        fold_valid = train.take_rows(np.flatnonzero(folds == f), key=f"{train.key}_cv_{f + 1}_valid")
        fold_model = train_single(dataclasses.replace(fold_params, model_id=fold_id), fold_train, fold_valid,
                                  share, None, fold_id)
        main.cv_models.append(fold_model)
        if fold_model.status == "CANCELLED":
            main.output["status"] = "CANCELLED"
            break
        holdout.append((np.flatnonzero(folds == f), fold_model))
    main.output["cross_validation_models"] = [m.model_id for m in main.cv_models]
    main.output["cv_scoring_history"] = [m.output.get("scoring_history", []) for m in main.cv_models]
    if len(holdout) == k:
        combined, per_fold = cv_metrics(main, train, holdout)
        combined["description"] = (f"{k}-fold cross-validation on the training data (metrics of the "
                                   "combined holdout predictions)")
        main.output["cross_validation_metrics"] = provenance.stamp(combined, main, train)
        main.output["cross_validation_metrics_summary"] = cv_summary.summary_table(per_fold, main.problem)
        keep_cv_frames(main, params, train, folds, holdout)
    return main


def keep_cv_frames(main, params, train: Frame, folds: np.ndarray, holdout) -> None:
    """H2O-3's keep_cross_validation_predictions (one frame per fold model, its predictions on
    its held-out rows and zeros elsewhere, ``prediction_<cv model>``, and all held-out
    predictions in row order, ``cv_holdout_prediction_<model>``) and
    keep_cross_validation_fold_assignment (``cv_fold_assignment_<model>``, one column
    ``fold_assignment``). Frames to keep go to ``main.cv_frames``; their keys to the output."""
    if getattr(params, "keep_cross_validation_fold_assignment", False):
        frame = Frame(f"cv_fold_assignment_{main.model_id}", [Column("fold_assignment", "int", folds.astype(np.float64))])
        main.cv_frames.append(frame)
        main.output["cross_validation_fold_assignment_frame_id"] = frame.key
    if not getattr(params, "keep_cross_validation_predictions", False):
        return
    predictions = [(rows, m, _holdout_prediction(main, m, train.take_rows(rows))) for rows, m in holdout]
    names = [c.name for c in predictions[0][2]]
    combined = [Column(c.name, c.type, np.zeros(train.nrows, c.data.dtype), c.domain) for c in predictions[0][2]]
    for rows, fold_model, columns in predictions:
        by_name = {c.name: c for c in columns}
        full = [Column(c.name, c.type, np.zeros(train.nrows, c.data.dtype), c.domain) for c in combined]
        for whole, one, name in zip(combined, full, names):
            if name in by_name:             # an autoencoder's level missing in a fold stays 0
                whole.data[rows] = by_name[name].data
                one.data[rows] = by_name[name].data
        frame = Frame(f"prediction_{fold_model.model_id}", full)
        main.cv_frames.append(frame)
        main.output.setdefault("cross_validation_predictions", []).append(frame.key)
    frame = Frame(f"cv_holdout_prediction_{main.model_id}", combined)
    main.cv_frames.append(frame)
    main.output["cross_validation_holdout_predictions_frame_id"] = frame.key


def _holdout_prediction(main, fold_model, part: Frame) -> list:
    """A fold model's prediction columns on its held-out rows, classes in the main model's
    order (a fold may lack a class)."""
    columns = fold_model.predict(part, key="holdout").columns
    if not main.is_classifier:
        return columns
    domain = list(main.datainfo.response_domain)
    fold_domain = list(fold_model.datainfo.response_domain)
    to_main = np.array([domain.index(d) for d in fold_domain], dtype=np.int32)
    labels = to_main[columns[0].data]
    probs = _align_classes(np.column_stack([c.data for c in columns[1:]]), fold_domain, domain)
    return [Column("predict", "enum", labels, domain)] + [Column(str(d), "real", probs[:, k])
                                                          for k, d in enumerate(domain)]


def cv_metrics(main, train: Frame, holdout) -> tuple[dict, list[dict]]:
    """Metrics of the concatenated holdout predictions against the main model's response, and
    the metrics of each fold model on its own held-out rows (for the metrics summary); each row
    weighted by the training frame's weights (rows of weight 0 left out)."""
    n = train.nrows
    y = None if main.problem == "AutoEncoder" else np.asarray(main.datainfo.response(train))
    w = main.datainfo.weights(train)
    scores = None
    per_fold = []
    for rows, m in holdout:
        fold_scores = _holdout_scores(main, m, train.take_rows(rows))
        if scores is None:
            scores = np.zeros((n,) + fold_scores.shape[1:])
        scores[rows] = fold_scores
        per_fold.append(_scored_metrics(main, None if y is None else y[rows], fold_scores,
                                        None if w is None else w[rows]))
    return _scored_metrics(main, y, scores, w), per_fold


def _holdout_scores(main, fold_model, part: Frame) -> np.ndarray:
    """A fold model's scores of its held-out rows: reconstruction MSEs (autoencoder), class
    probabilities in the main model's class order, or predicted values (with the rows' offsets)."""
    X, _, _, offsets = fold_model.prepared(part, labelled=False)
    if main.problem == "AutoEncoder":
        return fold_model.outputs(X, row_mse=True)[1]
    if main.is_classifier:
        return _align_classes(fold_model.class_probabilities(X), list(fold_model.datainfo.response_domain),
                              list(main.datainfo.response_domain))
    return fold_model.regression_values(X, offsets)


def _scored_metrics(main, y, scores: np.ndarray, weights) -> dict:
    from h2o_backend.engine.metrics import model_metrics as metrics
    counted = np.ones(scores.shape[0], bool) if weights is None else weights != 0

    def kept(keep):
        return None if weights is None else weights[keep]
    if main.problem == "AutoEncoder":
        return metrics.autoencoder_metrics(scores[counted], weights=kept(counted))
    if main.is_classifier:
        keep = (y >= 0) & counted
        return _classifier_metrics(main, y[keep], scores[keep], kept(keep))
    keep = ~np.isnan(y) & counted
    return metrics.regression_metrics(np.asarray(main.datainfo.unstandardize(y[keep])), scores[keep],
                                      weights=kept(keep), family=main.family())


def _align_classes(p: np.ndarray, domain: list, target: list) -> np.ndarray:
    if domain == target:
        return p
    out = np.zeros((p.shape[0], len(target)))
    for j, label in enumerate(domain):
        if label in target:
            out[:, target.index(label)] = p[:, j]
    return out


def _classifier_metrics(main, y, probs, weights=None) -> dict:
    from h2o_backend.engine.metrics import model_metrics as metrics
    domain = list(main.datainfo.response_domain)
    if main.problem == "Binomial":
        return metrics.binomial_metrics(y, probs, domain, gains_lift_groups=gains_lift.DEFAULT_GROUPS,
                                        weights=weights)
    p = main.params
    return metrics.multinomial_metrics(y, probs, domain, max_hit_ratio_k=p.max_hit_ratio_k,
                                       max_confusion_matrix_size=p.max_confusion_matrix_size, weights=weights)
