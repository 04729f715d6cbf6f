"""The one declarative table of deep-learning parameters.

Each ``ParamSpec`` gives a parameter's H2O name, H2O-3 type name, default, allowed range or
choices, whether it may change on a checkpoint restart (legacy ``cp_modifiable``), its H2O-3
level (critical / secondary / expert), whether it can be a grid hyper-parameter, and its help
text. The table drives wire parsing, validation, the REST ``parameters`` listing and the web form;
``DeepLearningParameters`` (a plain dataclass) is generated from it, fields in table order.

Order = legacy declaration order (frame fields first, then the DeepLearning fields of
legacy_h2o.md §3.1): a grid's first hyper-parameter in this order varies fastest.
Defaults are the engine's (rho 0.99, epsilon 1e-8, train_samples_per_iteration -2): the booklet's
Appendix A lists older values (rho 0.95, epsilon 1e-6, train_samples_per_iteration -1).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from h2o_backend.engine.data.datainfo import MAX_CATEGORICAL_DEFAULT
from h2o_backend.engine.stopping import STOPPING_METRICS_SUPPORTED

INF = float("inf")
ACTIVATIONS = ("Tanh", "TanhWithDropout", "Rectifier", "RectifierWithDropout", "Maxout", "MaxoutWithDropout")
LOSSES = ("Automatic", "MeanSquare", "CrossEntropy")
DISTRIBUTIONS = ("UniformAdaptive", "Uniform", "Normal")
SAMPLINGS = ("Uniform", "Stratified")


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: str                       # H2O-3 type name: enum, int, long, double, float, boolean, int[], ...
    default: object
    help: str
    checkpoint_modifiable: bool
    level: str = "secondary"        # critical | secondary | expert
    choices: tuple = ()
    min: float | None = None        # inclusive bounds
    max: float | None = None
    max_exclusive: bool = False     # the upper bound itself is not allowed
    nullable: bool = False          # None is a valid value (not given)
    gridable: bool = True
    required: bool = False
    # H2O-3 options this engine does not implement: when given, only these values are accepted
    # (the rest are refused by name, validate_h2o3.py). Empty: every valid value is implemented.
    supported: tuple = ()

    @property
    def label(self) -> str:
        return self.name

    def range_text(self) -> str:
        if self.choices:
            return "one of " + ", ".join(self.choices)
        if self.min is not None and self.max is not None:
            return f"in [{_num(self.min)}, {_num(self.max)}{')' if self.max_exclusive else ']'}"
        if self.min is not None:
            return f">= {_num(self.min)}"
        if self.max is not None:
            return f"<= {_num(self.max)}"
        return ""


def _num(x: float) -> str:
    return repr(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(x)


def _p(name, type_, default, help_, ckpt, **kw) -> ParamSpec:
    return ParamSpec(name, type_, default, help_, ckpt, **kw)


FRAME = dict(gridable=False)
PARAMETERS: tuple[ParamSpec, ...] = (
    # ------------------------------------------------------------------ frames and columns
    _p("model_id", "Key<Model>", None, "Key of the model to build; generated when not given "
       "(R: key).", False, level="critical", nullable=True, **FRAME),
    _p("training_frame", "Key<Frame>", None, "Key of the training frame (R: data).", False,
       level="critical", nullable=True, required=True, **FRAME),
    _p("response_column", "VecSpecifier", None, "Name of the response column (R: y). Not needed for an "
       "autoencoder.", False, level="critical", nullable=True, **FRAME),
    _p("ignored_columns", "string[]", None, "Columns of the training frame that are not predictors "
       "(R: the columns not in x).", False, level="critical", nullable=True, **FRAME),
    _p("classification", "boolean", None, "Classification (true) or regression (false); not given: "
       "classification for an enum response, regression for a numeric one. An integer response "
       "with classification=true becomes classes (its sorted distinct values).", False,
       level="critical", nullable=True, **FRAME),
    _p("validation_frame", "Key<Frame>", None, "Key of a validation frame, scored during training "
       "(R: validation). Not together with nfolds; not for autoencoders.", False,
       level="critical", nullable=True, **FRAME),
    _p("nfolds", "int", 0, "Number of folds for n-fold cross-validation (0 = none, else >= 2). Not "
       "together with a validation frame.", False, level="critical", min=0),
    _p("holdout_fraction", "double", 0.0, "Legacy: fraction of the training rows held out as "
       "validation data. Only 0 is supported.", False, level="expert", min=0, max=1,
       max_exclusive=True),
    _p("checkpoint", "Key<Model>", None, "Key of a deep-learning model to continue training from. "
       "On a restart epochs is the total number of epochs (the R client adds the checkpoint's "
       "epochs); only checkpoint-modifiable parameters may change.", False, level="secondary",
       nullable=True, **FRAME),
    _p("override_with_best_model", "boolean", True, "Replace the final model by the best model "
       "scored during training (lowest validation error, else training error). Off with nfolds.",
       False, level="expert"),
    _p("autoencoder", "boolean", False, "Train an autoencoder (unsupervised: the network learns to "
       "reconstruct its inputs).", False, level="secondary"),
    _p("use_all_factor_levels", "boolean", True, "Use all factor levels of categorical variables; "
       "otherwise the first level is omitted (without loss of accuracy). Useful for variable "
       "importances; always on for autoencoders.", False, level="secondary"),
    # ------------------------------------------------------------------ network and training
    _p("activation", "enum", "Rectifier", "Activation function of the hidden layers. The "
       "*WithDropout variants enable hidden-layer dropout.", False, level="critical",
       choices=ACTIVATIONS),
    _p("hidden", "int[]", [200, 200], "Hidden layer sizes, e.g. [100,200,100] for three layers; [] "
       "for none (the inputs feed the output layer directly).", False, level="critical"),
    _p("epochs", "double", 10.0, "How many times the training data are iterated (may be "
       "fractional). 0: no training, the initial network (random, initial_weights or "
       "pretrained_autoencoder) is scored once. On a checkpoint restart: the total, including the "
       "checkpoint's epochs.", True, level="critical", min=0),
    _p("train_samples_per_iteration", "long", -2, "Training samples per iteration (between "
       "scorings): -2 auto-tuned, -1 all rows (times the nodes), 0 one epoch, N > 0 that many. "
       "The booklet lists -1 as the default; the engine's default is -2.", True, level="secondary",
       min=-2),
    _p("seed", "long", -1, "Random seed for weight initialisation and sampling (-1: random). "
       "Results are reproducible only with reproducible=true.", True, level="expert"),
    _p("adaptive_rate", "boolean", True, "Adaptive learning rate (ADADELTA). When on, the momentum "
       "settings are not used (reported as 0); when off, rho and epsilon are not used.", False,
       level="secondary"),
    _p("rho", "double", 0.99, "ADADELTA decay of the squared-gradient averages (the booklet lists "
       "0.95, the engine's default is 0.99).", False, level="expert", min=0.01, max=1),
    _p("epsilon", "double", 1e-8, "ADADELTA smoothing term (the booklet lists 1e-6, the engine's "
       "default is 1e-8).", False, level="expert", min=1e-15, max=1),
    _p("rate", "double", 0.005, "Learning rate (without adaptive_rate). Higher: less stable, "
       "lower: slower convergence.", False, level="expert", min=1e-10, max=1),
    _p("rate_annealing", "double", 1e-6, "Learning rate annealing: rate / (1 + rate_annealing * "
       "samples) (without adaptive_rate).", False, level="expert", min=0, max=1),
    _p("rate_decay", "double", 1.0, "Learning rate decay from one layer to the next: layer k uses "
       "rate * rate_decay^(k-1) (without adaptive_rate).", False, level="expert", min=0),
    _p("momentum_start", "double", 0.0, "Momentum at the beginning of training (without "
       "adaptive_rate).", False, level="expert", min=0, max=0.9999999999),
    _p("momentum_ramp", "double", 1e6, "Number of training samples over which the momentum rises "
       "linearly from momentum_start to momentum_stable (without adaptive_rate).", False,
       level="expert", min=1),
    _p("momentum_stable", "double", 0.0, "Momentum reached after momentum_ramp samples (without "
       "adaptive_rate).", False, level="expert", min=0, max=0.9999999999),
    _p("nesterov_accelerated_gradient", "boolean", True, "Use Nesterov accelerated gradient "
       "(without adaptive_rate).", False, level="expert"),
    _p("input_dropout_ratio", "double", 0.0, "Fraction of the inputs dropped for each training row "
       "(improves generalisation).", False, level="secondary", min=0, max=1, max_exclusive=True),
    _p("hidden_dropout_ratios", "double[]", None, "Dropout ratio of each hidden layer, one per layer "
       "(only with the *WithDropout activations; default 0.5 each).", False, level="secondary",
       nullable=True),
    _p("l1", "double", 0.0, "L1 regularisation: adds stability and improves generalisation; many "
       "weights become 0.", True, level="secondary", min=0, max=1),
    _p("l2", "double", 0.0, "L2 regularisation: adds stability and improves generalisation; many "
       "weights become small.", True, level="secondary", min=0, max=1),
    _p("max_w2", "float", INF, "Upper limit for the sum of the squared incoming weights of a neuron "
       "(Infinity: no limit). Helps with Rectifier and Maxout.", True, level="expert", min=1e-10),
    _p("initial_weight_distribution", "enum", "UniformAdaptive", "Distribution of the initial "
       "weights.", False, level="expert", choices=DISTRIBUTIONS),
    _p("initial_weight_scale", "double", 1.0, "Scale of the Uniform (-scale, scale) or Normal "
       "(standard deviation) initial weight distribution.", False, level="expert", min=0),
    _p("loss", "enum", "Automatic", "Loss function: Automatic is CrossEntropy for classification, "
       "MeanSquare for regression and autoencoders.", False, level="secondary", choices=LOSSES),
    # ------------------------------------------------------------------ scoring and stopping
    _p("score_interval", "double", 5.0, "Shortest time between two scorings of the model, in "
       "seconds.", True, level="secondary", min=0),
    _p("score_training_samples", "long", 10000, "Number of training rows used for scoring (0: all; "
       "otherwise a random sample).", False, level="secondary", min=0),
    _p("score_validation_samples", "long", 0, "Number of validation rows used for scoring (0: all).",
       False, level="secondary", min=0),
    _p("score_duty_cycle", "double", 0.1, "Largest fraction of the time spent on scoring rather than "
       "training.", True, level="secondary", min=0, max=1),
    _p("classification_stop", "double", 0.0, "Stop when the training classification error is at or "
       "below this (-1: never).", True, level="expert", min=-1, max=1),
    _p("regression_stop", "double", 1e-6, "Stop when the training MSE is at or below this (-1: "
       "never).", True, level="expert", min=-1),
    _p("quiet_mode", "boolean", False, "No line in the server log at each scoring (the R client also hides its progress bar).", True, level="expert"),
    _p("max_confusion_matrix_size", "int", 20, "Confusion matrices are reported only for fewer "
       "classes than this.", True, level="secondary", min=0),
    _p("max_hit_ratio_k", "int", 10, "Largest k of the top-k hit ratios of multi-class models (0: "
       "none).", True, level="secondary", min=0),
    _p("balance_classes", "boolean", False, "Balance the class counts of the training data by over- "
       "and under-sampling (classification).", False, level="secondary"),
    _p("class_sampling_factors", "float[]", None, "Over/under-sampling ratio of each class, in the "
       "order of the response's levels (only with balance_classes; default: balanced).", False,
       level="expert", nullable=True),
    _p("max_after_balance_size", "float", 5.0, "Largest size of the balanced training data, as a "
       "multiple of the original row count (may be below 1).", False, level="expert", min=1e-3),
    _p("score_validation_sampling", "enum", "Uniform", "How validation rows are sampled for "
       "scoring (Stratified only with balance_classes).", False, level="expert", choices=SAMPLINGS),
    _p("diagnostics", "boolean", True, "Report per-layer statistics (mean and RMS of rates, weights "
       "and biases) in the model summary.", True, level="expert"),
    _p("variable_importances", "boolean", False, "Compute variable importances (Gedeon's method on "
       "the first two weight layers).", True, level="critical"),
    _p("fast_mode", "boolean", True, "Fast mode: a minor approximation in back-propagation (skips "
       "updates of weights whose input is 0).", False, level="expert"),
    _p("ignore_const_cols", "boolean", True, "Ignore constant training columns.", False,
       level="critical"),
    _p("force_load_balance", "boolean", True, "Split small data into many chunks so that all cores "
       "are used. Single node: rows are always spread over all threads, so true and false train alike.", True, level="expert"),
    _p("replicate_training_data", "boolean", True, "Replicate the training data on every node "
       "(off on a single node).", True, level="secondary"),
    _p("single_node_mode", "boolean", False, "Train on a single node (off unless the cloud has "
       "several nodes).", True, level="expert"),
    _p("shuffle_training_data", "boolean", False, "Shuffle the training data on each node. Single node: "
       "rows are visited in a fresh random order every epoch either way (H2O samples each iteration at "
       "random and forces shuffling for train_samples_per_iteration=-1), so true and false train alike.", True,
       level="expert"),
    _p("sparse", "boolean", False, "Legacy: sparse data handling. It changes only the data layout; "
       "this engine chooses the layout itself, so results are the same either way.", True,
       level="expert"),
    _p("col_major", "boolean", False, "Legacy: column-major weights for sparse data (requires "
       "sparse); a layout choice made by this engine itself.", True, level="expert"),
    _p("average_activation", "double", 0.0, "Average activation target of the sparse autoencoder "
       "(only used with sparsity_beta > 0).", False, level="expert"),
    _p("sparsity_beta", "double", 0.0, "Sparsity penalty of the sparse autoencoder. Only 0 is "
       "supported.", False, level="expert", min=0),
    _p("max_categorical_features", "int", MAX_CATEGORICAL_DEFAULT, "Largest number of categorical "
       "inputs (one-hot columns); larger inputs would need the hashing trick, which is not "
       "supported: training stops with an error instead.", False, level="expert", min=1),
    _p("reproducible", "boolean", False, "Reproducible training: one thread, fixed row order "
       "(slower). Use with a seed.", False, level="expert"),
    _p("mini_batch_size", "int", 1, "Training rows per weight update. 1 (the default): per-sample "
       "HOGWILD! training. Above 1: each batch's forward and backward passes are float32 matrix "
       "products and the weights are updated once per batch with the MEAN of the rows' gradients; "
       "rate (with its annealing, decay and momentum), l1, l2 and max_w2 act as in one per-sample "
       "update, so a step keeps its size whatever the batch (and ADADELTA sees gradients of the "
       "same scale), while an epoch makes rows/mini_batch_size updates: the regularisation applied "
       "per epoch shrinks by that factor. Rate annealing and the momentum ramp still count samples. "
       "Threads train whole batches HOGWILD!; with reproducible=true they split every batch and "
       "the run is bit-identical with the same number of threads. At most "
       "the number of training rows.", True, level="expert", min=1),
)

# H2O-3's deep-learning parameters that legacy H2O lacked (the official Python client sends them all).
H2O3_DISTRIBUTIONS = ("AUTO", "bernoulli", "quasibinomial", "multinomial", "gaussian", "poisson", "gamma",
                      "tweedie", "laplace", "quantile", "huber", "ordinal", "modified_huber", "custom")
STOPPING_METRICS = ("AUTO", "deviance", "logloss", "MSE", "RMSE", "MAE", "RMSLE", "AUC", "AUCPR",
                    "lift_top_group", "misclassification", "mean_per_class_error", "custom",
                    "custom_increasing")
CATEGORICAL_ENCODINGS = ("AUTO", "Enum", "OneHotInternal", "OneHotExplicit", "Binary", "Eigen",
                         "LabelEncoder", "SortByResponse", "EnumLimited")
H2O3 = dict(gridable=True)
PARAMETERS = PARAMETERS + (
    _p("score_each_iteration", "boolean", False, "Score the model after every iteration (ignores "
       "score_interval and score_duty_cycle).", True, level="secondary"),
    _p("stopping_rounds", "int", 0, "Early stopping (H2O-3): stop when the simple moving average of "
       "length k of stopping_metric does not improve by stopping_tolerance for k scoring events "
       "(0: off). The official client sends H2O-3's default 5.", True, level="secondary", min=0),
    _p("stopping_metric", "enum", "AUTO", "Metric for early stopping: AUTO is logloss for "
       "classification, deviance for regression, MSE for autoencoders; custom (less is better) and "
       "custom_increasing (more is better) stop on the custom_metric_func's value, which they need.", True, level="secondary",
       choices=STOPPING_METRICS, supported=STOPPING_METRICS_SUPPORTED),
    _p("stopping_tolerance", "double", 0.0, "Relative improvement below which the stopping_metric "
       "counts as not improved.", True, level="secondary", min=0),
    _p("max_runtime_secs", "double", 0.0, "Largest training time in seconds (0: no limit); the model "
       "trained so far is scored and kept.", True, level="secondary", min=0),
    _p("distribution", "enum", "AUTO", "Distribution of the response (H2O-3): AUTO is bernoulli for two "
       "classes, multinomial for more, gaussian for a numeric response (and autoencoders). Classification "
       "takes bernoulli (two classes) and multinomial, regression gaussian, poisson, gamma and tweedie "
       "(log link, response >= 0), laplace, quantile and huber. The network's output is the link-space "
       "value; each trains on its deviance. quasibinomial, ordinal, modified_huber and custom are not "
       "trained.", False, level="secondary", choices=H2O3_DISTRIBUTIONS,
       supported=("AUTO", "bernoulli", "multinomial", "gaussian", "poisson", "gamma", "tweedie", "laplace",
                  "quantile", "huber")),
    _p("quantile_alpha", "double", 0.5, "Quantile of the quantile distribution (distribution=quantile).",
       False, level="secondary", min=0, max=1),
    _p("tweedie_power", "double", 1.5, "Power of the tweedie distribution (distribution=tweedie), in "
       "(1, 2).", False, level="secondary", min=1, max=2, max_exclusive=True),
    _p("huber_alpha", "double", 0.9, "Quantile of the absolute residuals on the training data that sets "
       "huber's delta after each scoring (distribution=huber).", False, level="secondary", min=0, max=1),
    _p("categorical_encoding", "enum", "AUTO", "Encoding of categorical predictors: AUTO and "
       "OneHotInternal are the network's one-hot input layer.", False, level="secondary",
       choices=CATEGORICAL_ENCODINGS, supported=("AUTO", "OneHotInternal")),
    _p("export_weights_and_biases", "boolean", False, "Store the weights and biases of each weight "
       "layer i (0 = inputs to the first layer) as frames <model_id>.weights.<i> (one row per unit of "
       "layer i+1, one column per unit of layer i; layer 0's columns named after the inputs) and "
       "<model_id>.biases.<i> (one column), listed in the model output (weights, biases); they can be "
       "given back as initial_weights / initial_biases. May change on a checkpoint restart (H2O-3).", True,
       level="secondary"),
    _p("weights_column", "VecSpecifier", None, "Column of row weights (numeric, >= 0, no missing values, "
       "not a predictor): a row's weight scales its gradient and its share of every metric; rows of "
       "weight 0 are not trained on. A scoring frame without it weighs every row 1.", False,
       level="secondary", nullable=True, gridable=False),
    _p("offset_column", "VecSpecifier", None, "Column of row offsets (regression only; numeric, no missing "
       "values, not a predictor), added to the network's output in link space before the inverse link. "
       "Every frame scored by the model must have it.", False, level="secondary", nullable=True,
       gridable=False),
    _p("pretrained_autoencoder", "Key<Model>", None, "Autoencoder model whose input and hidden layers "
       "initialise this (supervised) model's: the same inputs, and hidden the first layers of the "
       "autoencoder's; the output layer starts at random.", False, level="secondary", nullable=True,
       gridable=False),
    _p("standardize", "boolean", True, "Standardise numeric predictors (and the response of the "
       "identity-link regression families: gaussian, laplace, quantile, huber); only true is supported.", False,
       level="secondary", supported=(True,)),
    _p("missing_values_handling", "enum", "MeanImputation", "Missing numeric values are replaced by "
       "the column mean (MeanImputation); Skip is not supported.", False, level="expert",
       choices=("MeanImputation", "Skip"), supported=("MeanImputation",)),
    _p("fold_assignment", "enum", "AUTO", "Assignment of rows to cross-validation folds: AUTO and "
       "Random put each row in a random fold, Modulo row i in fold i mod nfolds, Stratified each "
       "class of the response in every fold in proportion (classification only).", False,
       level="secondary", choices=("AUTO", "Random", "Modulo", "Stratified"), gridable=False),
    _p("fold_column", "VecSpecifier", None, "Column with each row's cross-validation fold (an enum, or "
       "integers): one fold per distinct value; not a predictor. Instead of nfolds.", False,
       level="secondary", nullable=True, gridable=False),
    _p("keep_cross_validation_models", "boolean", True, "Keep the cross-validation models (only true "
       "is supported).", False, level="expert", gridable=False, supported=(True,)),
    _p("keep_cross_validation_predictions", "boolean", False, "Keep the fold models' predictions on "
       "their held-out rows: frames prediction_<cv model> (zeros outside the fold) and "
       "cv_holdout_prediction_<model> (all rows).", False, level="expert", gridable=False),
    _p("keep_cross_validation_fold_assignment", "boolean", False, "Keep the fold of every training "
       "row: frame cv_fold_assignment_<model>, column fold_assignment.", False, level="expert",
       gridable=False),
    _p("target_ratio_comm_to_comp", "double", 0.05, "Multi-node: target ratio of communication to "
       "computation time for train_samples_per_iteration=-2. This server is one node: no effect.",
       True, level="expert", min=0),
    _p("initial_weights", "Key<Frame>[]", None, "Frames of initial weights, one per weight layer "
       "(len(hidden)+1): frame i has one row per unit of layer i+1 and one column per unit of layer "
       "i (as export_weights_and_biases writes them); a null entry keeps that layer's random "
       "weights. Not on a checkpoint restart.", False, level="expert", nullable=True, gridable=False),
    _p("initial_biases", "Key<Frame>[]", None, "Frames of initial biases, one per weight layer "
       "(len(hidden)+1), each one column with a row per unit of layer i+1; a null entry keeps that "
       "layer's initial biases.", False, level="expert", nullable=True, gridable=False),
    _p("elastic_averaging", "boolean", False, "Multi-node: elastic averaging (H2O-3, experimental). "
       "Each Dask worker keeps training its own copy, pulled towards the model (the elastic centre), "
       "which moves towards the copies' mean after every iteration. One node (no Dask cluster): no "
       "effect, with a warning.", True, level="expert"),
    _p("elastic_averaging_moving_rate", "double", 0.9, "Elastic averaging: how far the centre moves "
       "towards the copies' mean per iteration (1: it becomes the mean).", True, level="expert",
       min=0, max=1),
    _p("elastic_averaging_regularization", "double", 0.001, "Elastic averaging: strength of the pull "
       "of each copy towards the centre, per sample (a gradient term reg * (w - centre)).", True,
       level="expert", min=0),
    _p("block_momentum", "double", 0.0, "Multi-node (this server's extension, not H2O-3): block "
       "momentum of the model averaging (BMUF, Nesterov form). 0: H2O's plain averaging; in (0, 1): "
       "the model moves by the block update Delta = block_momentum * Delta + (copies' mean - "
       "start), the copies start from model + block_momentum * Delta; -1: 1 - 1/N for N workers. "
       "One node: no effect, with a warning.", True, level="expert", min=-1, max=1,
       max_exclusive=True),
    _p("export_checkpoints_dir", "string", None, "Directory to export each model to (H2O-3); not "
       "supported by this server.", False, level="expert", nullable=True, gridable=False,
       supported=(None,)),
    _p("auc_type", "enum", "AUTO", "AUC type of multinomial models (H2O-3): no multinomial AUC is "
       "computed, so only AUTO and NONE are supported.",
       False, level="secondary", choices=("AUTO", "NONE", "MACRO_OVR", "WEIGHTED_OVR", "MACRO_OVO",
                                          "WEIGHTED_OVO"), supported=("AUTO", "NONE")),
    _p("custom_metric_func", "string", None, "Reference to a custom metric function "
       "(python:<key>=<module>.<class>, as h2o.upload_custom_metric returns it): computed at every "
       "scoring and reported as the metrics' custom_metric_value (servers started with "
       "--allow-custom-code only).", False, level="expert", nullable=True, gridable=False),
    _p("gainslift_bins", "int", -1, "Number of gains/lift bins (H2O-3); only -1 (the default "
       "binning) is supported.", False, level="expert", min=-1, supported=(-1,)),
)

# H2O-3's names for legacy parameters (request names -> table names).
ALIASES: dict[str, str] = {"overwrite_with_best_model": "override_with_best_model"}

SPECS: dict[str, ParamSpec] = {s.name: s for s in PARAMETERS}
CHECKPOINT_MODIFIABLE: frozenset[str] = frozenset(s.name for s in PARAMETERS if s.checkpoint_modifiable)
# A checkpoint restart that asks for another value of one of these is refused, as H2O-3 refuses it
# (hidden: its own check; the others: DeepLearningParameters.Sanity.cp_not_modifiable). Other
# parameters that are not modifiable keep the checkpoint's value with a warning.
CHECKPOINT_REFUSED: frozenset[str] = frozenset({
    "hidden", "activation", "use_all_factor_levels", "adaptive_rate", "autoencoder", "rho",
    "epsilon", "sparse", "sparsity_beta", "col_major", "rate", "rate_annealing", "rate_decay",
    "momentum_start", "momentum_ramp", "momentum_stable", "nesterov_accelerated_gradient",
    "ignore_const_cols", "max_categorical_features", "distribution", "quantile_alpha", "huber_alpha",
    "tweedie_power"})
# Taken from the new request on a restart although not "modifiable" in H2O's sense.
CHECKPOINT_FROM_REQUEST: frozenset[str] = frozenset(
    {"model_id", "training_frame", "validation_frame", "checkpoint"})


def _field(spec: ParamSpec):
    if isinstance(spec.default, list):
        default = list(spec.default)
        return dataclasses.field(default_factory=lambda: list(default))
    return dataclasses.field(default=spec.default)


DeepLearningParameters = dataclasses.make_dataclass(
    "DeepLearningParameters", [(s.name, object, _field(s)) for s in PARAMETERS],
    namespace={"__doc__": "Deep-learning settings under their H2O names (see parameters.table.PARAMETERS); "
                          "defaults as in the table."})
DeepLearningParameters.__module__ = "h2o_backend.engine.parameters"
