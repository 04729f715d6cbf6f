"""The silent adjustments H2O makes to the parameters before training (``effective_parameters``)."""
from __future__ import annotations

import copy

from h2o_backend.engine import distributions
from h2o_backend.engine.problems import CLASSIFICATION


# ---------------------------------------------------------------------------- adjustments
def effective_parameters(params, train=None, valid=None, problem: str | None = None, n_nodes: int = 1):
    """A copy of ``params`` with H2O's silent adjustments (legacy_h2o.md §3.1 and Decisions):

    - adaptive_rate -> momentum_start = momentum_stable = 0; without it rho = epsilon = 0;
    - *WithDropout without hidden_dropout_ratios -> 0.5 per hidden layer; other activations -> None;
    - autoencoder -> use_all_factor_levels, no classification;
    - classification None -> resolved from the response (``problem`` or the training frame);
    - distribution AUTO -> bernoulli (two classes), multinomial (more), gaussian (regression,
      autoencoder), as H2O-3's DeepLearningParameters.Sanity (distributions.resolve);
    - loss Automatic -> CrossEntropy (classification) or MeanSquare (gaussian regression,
      autoencoder); the other regression families keep Automatic: their deviance (H2O-3 names
      laplace's, quantile's and huber's Absolute, Quantile and Huber, which legacy H2O's loss
      choices lack);
    - nfolds >= 2 -> no override_with_best_model; a validation frame -> nfolds 0;
    - a single node -> replicate_training_data and single_node_mode off;
    - regression with a validation frame -> score_validation_sampling Uniform;
    - AUTO resolved as H2O-3 3.46 reports it in a model's parameters: stopping_metric -> logloss
      (classification), deviance (regression), MSE (autoencoder); categorical_encoding ->
      OneHotInternal; fold_assignment -> Random with nfolds, none (null) without cross-validation.
    """
    eff = copy.deepcopy(params)
    if eff.adaptive_rate:
        eff.momentum_start = eff.momentum_stable = 0.0
    else:
        eff.rho = eff.epsilon = 0.0
    if str(eff.activation).endswith("WithDropout"):
        if not eff.hidden_dropout_ratios:
            eff.hidden_dropout_ratios = [0.5] * len(eff.hidden)
    else:
        eff.hidden_dropout_ratios = None
    if eff.autoencoder:
        eff.use_all_factor_levels = True
        eff.classification = False
    problem = problem or _problem(eff, train)
    if problem is not None:
        eff.classification = problem in CLASSIFICATION
        eff.distribution = distributions.resolve(eff.distribution, problem)
        if eff.loss == "Automatic" and (problem in CLASSIFICATION or eff.distribution == "gaussian"):
            eff.loss = "CrossEntropy" if problem in CLASSIFICATION else "MeanSquare"
    has_valid = valid is not None or bool(eff.validation_frame)
    if has_valid:
        eff.nfolds = 0
    if eff.nfolds or getattr(eff, "fold_column", None):
        eff.override_with_best_model = False
    if n_nodes <= 1:
        eff.replicate_training_data = False
        eff.single_node_mode = False
    if problem == "Regression" and has_valid:
        eff.score_validation_sampling = "Uniform"
    _resolve_auto(eff, problem)
    return eff


def _resolve_auto(eff, problem: str | None) -> None:
    from h2o_backend.engine.stopping import resolve_metric
    if problem is not None:
        eff.stopping_metric = resolve_metric(eff.stopping_metric, problem)
    if eff.categorical_encoding == "AUTO":
        eff.categorical_encoding = "OneHotInternal"
    if getattr(eff, "fold_column", None):
        return
    if eff.nfolds >= 2:
        eff.fold_assignment = "Random" if eff.fold_assignment == "AUTO" else eff.fold_assignment
    else:
        eff.fold_assignment = None


def _problem(params, train) -> str | None:
    from h2o_backend.engine.data.datainfo import resolve_problem
    if params.autoencoder:
        return "AutoEncoder"
    if train is None or not params.response_column or not train.has_column(params.response_column):
        return None
    return resolve_problem(params, train)
