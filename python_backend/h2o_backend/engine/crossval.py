"""n-fold cross-validation (nfolds >= 2): the main model is trained on all rows; fold model k
(key ``<model_id>_cv_<k>``, k = 1..nfolds) on the other folds' rows, with the same parameters,
nfolds 0 and no validation frame. The fold models' predictions on their held-out rows, put back
in row order, give the main model's ``cross_validation_metrics``.

Folds are assigned at random from the seed (H2O-3's default fold_assignment "AUTO" = Random),
not in contiguous blocks as legacy H2O did: blocks fail on data sorted by the response.
Progress of the whole job runs over nfolds + 1 models.
"""
from __future__ import annotations

import copy
import dataclasses

import numpy as np

from h2o_backend.frames.frame import Frame


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


def train_cross_validated(params, train: Frame, job, model_id: str, train_single):
    """Main model + fold models; ``train_single(params, train, valid, job, checkpoint, model_id)``."""
    k = int(params.nfolds)
    main = train_single(params, train, None, _Share(job, 0, k + 1, "Main model"), None, model_id)
    if main.status == "CANCELLED":
        return main
    seed = main.params.seed
    folds = fold_assignment(train.nrows, k, seed)
    fold_params = dataclasses.replace(copy.deepcopy(params), nfolds=0, validation_frame=None, seed=seed,
                                      override_with_best_model=False)
    holdout = []
    for f in range(k):
        fold_id = f"{model_id}_cv_{f + 1}"
        share = _Share(job, f + 1, k + 1, f"Cross-validation model {f + 1}/{k}")
        fold_train = train.take_rows(np.flatnonzero(folds != f), key=f"{train.key}_cv_{f + 1}_train")
        fold_model = train_single(dataclasses.replace(fold_params, model_id=fold_id), fold_train, None, share,
                                  None, fold_id)
        main.cv_models.append(fold_model)
        if fold_model.status == "CANCELLED":
            main.output["status"] = "CANCELLED"
            break
        holdout.append((np.flatnonzero(folds == f), fold_model))
    main.output["cross_validation_models"] = [m.model_id for m in main.cv_models]
    if len(holdout) == k:
        main.output["cross_validation_metrics"] = cv_metrics(main, train, holdout)
    return main


def cv_metrics(main, train: Frame, holdout) -> dict:
    """Metrics of the concatenated holdout predictions, against the main model's response."""
    di = main.datainfo
    n = train.nrows
    if main.problem == "AutoEncoder":
        mse = np.zeros(n)
        for rows, m in holdout:
            mse[rows] = m.outputs(m.datainfo.transform(train.take_rows(rows)), row_mse=True)[1]
        from h2o_backend.engine.metrics import model_metrics as metrics
        return metrics.autoencoder_metrics(mse)
    y = np.asarray(di.response(train))
    if main.is_classifier:
        probs = np.zeros((n, di.n_outputs))
        for rows, m in holdout:
            p = m.class_probabilities(m.datainfo.transform(train.take_rows(rows)))
            probs[rows] = _align_classes(p, list(m.datainfo.response_domain), list(di.response_domain))
        keep = y >= 0
        return _classifier_metrics(main, y[keep], probs[keep])
    pred = np.zeros(n)
    for rows, m in holdout:
        pred[rows] = m.regression_values(m.datainfo.transform(train.take_rows(rows)))
    keep = ~np.isnan(y)
    from h2o_backend.engine.metrics import model_metrics as metrics
    return metrics.regression_metrics(np.asarray(di.unstandardize(y[keep])), pred[keep])


def _align_classes(p: np.ndarray, domain: list, target: list) -> np.ndarray:
    if domain == target:
        return p
    out = np.zeros((p.shape[0], len(target)))
    for j, label in enumerate(domain):
        if label in target:
            out[:, target.index(label)] = p[:, j]
    return out


def _classifier_metrics(main, y, probs) -> dict:
    from h2o_backend.engine.metrics import model_metrics as metrics
    domain = list(main.datainfo.response_domain)
    if main.problem == "Binomial":
        return metrics.binomial_metrics(y, probs, domain)
    p = main.params
    return metrics.multinomial_metrics(y, probs, domain, max_hit_ratio_k=p.max_hit_ratio_k,
                                       max_confusion_matrix_size=p.max_confusion_matrix_size)
