# h2o.deeplearning: the legacy h2o-2 signature (the booklet's Appendix A) on the server's
# H2O-3 model builder (POST /3/ModelBuilders/deeplearning, or POST /99/Grid/deeplearning
# when a tunable argument is given several values). Legacy names map to H2O-3 ones:
# data -> training_frame, key -> model_id, validation -> validation_frame,
# y -> response_column, x -> ignored_columns (the frame's other columns); every other
# argument keeps its name. Only the arguments the caller gives (and not as NULL) are sent, so
# the server's defaults apply to the rest (the defaults in the signature are those same values).
# The arguments after mini_batch_size are H2O-3's, under its R names (its defaults too, but
# for stopping_rounds: the server's 0, where H2O-3's clients send 5).

# The legacy argument names and the server parameters they stand for (see above), and the
# arguments that are R's own (no server parameter). Every other argument is sent under its name.
.h2o.__DL_LEGACY_NAMES <- c(data = "training_frame", key = "model_id",
                            validation = "validation_frame", y = "response_column",
                            x = "ignored_columns")
.h2o.__DL_R_ONLY <- "..."

# The type of every tunable argument. "array": a numeric vector (a list of vectors for a
# grid search over hidden or hidden_dropout_ratios).
.h2o.__DL_TYPES <- c(
  override_with_best_model = "logical", nfolds = "numeric", holdout_fraction = "numeric",
  autoencoder = "logical", use_all_factor_levels = "logical", activation = "character",
  hidden = "array", epochs = "numeric", train_samples_per_iteration = "numeric",
  seed = "numeric", adaptive_rate = "logical", rho = "numeric", epsilon = "numeric",
  rate = "numeric", rate_annealing = "numeric", rate_decay = "numeric",
  momentum_start = "numeric", momentum_ramp = "numeric", momentum_stable = "numeric",
  nesterov_accelerated_gradient = "logical", input_dropout_ratio = "numeric",
  hidden_dropout_ratios = "array", l1 = "numeric", l2 = "numeric", max_w2 = "numeric",
  initial_weight_distribution = "character", initial_weight_scale = "numeric",
  loss = "character", score_interval = "numeric", score_training_samples = "numeric",
  score_validation_samples = "numeric", score_duty_cycle = "numeric",
  classification_stop = "numeric", regression_stop = "numeric", quiet_mode = "logical",
  max_confusion_matrix_size = "numeric", max_hit_ratio_k = "numeric",
  balance_classes = "logical", class_sampling_factors = "array",
  max_after_balance_size = "numeric", score_validation_sampling = "character",
  diagnostics = "logical", variable_importances = "logical", fast_mode = "logical",
  ignore_const_cols = "logical", force_load_balance = "logical",
  replicate_training_data = "logical", single_node_mode = "logical",
  shuffle_training_data = "logical", sparse = "logical", col_major = "logical",
  max_categorical_features = "numeric", reproducible = "logical", mini_batch_size = "numeric",
  distribution = "character", tweedie_power = "numeric", quantile_alpha = "numeric",
  huber_alpha = "numeric", fold_assignment = "character",
  keep_cross_validation_models = "logical", keep_cross_validation_predictions = "logical",
  keep_cross_validation_fold_assignment = "logical", score_each_iteration = "logical",
  stopping_rounds = "numeric", stopping_metric = "character", stopping_tolerance = "numeric",
  max_runtime_secs = "numeric", categorical_encoding = "character", standardize = "logical",
  missing_values_handling = "character", average_activation = "numeric",
  sparsity_beta = "numeric", target_ratio_comm_to_comp = "numeric",
  elastic_averaging = "logical", elastic_averaging_moving_rate = "numeric",
  elastic_averaging_regularization = "numeric", block_momentum = "numeric",
  export_checkpoints_dir = "character",
  auc_type = "character", custom_metric_func = "character", gainslift_bins = "numeric")

# Columns with a role other than predictor (H2O-3): a column name or index each, sent by name
# and never among the ignored columns (the server keeps them out of the predictors).
.h2o.__DL_ROLE_COLUMNS <- c("weights_column", "offset_column", "fold_column")

# Arguments that start a grid search when given several values: the legacy R rule
# (legacy_h2o.md 1.7) with rate, the distribution family and early stopping added.
# hidden and hidden_dropout_ratios: a list of more than one vector.
.h2o.__DL_GRIDABLE <- c(
  "hidden", "hidden_dropout_ratios", "l1", "l2", "activation", "rho", "epsilon", "epochs",
  "train_samples_per_iteration", "adaptive_rate", "rate", "rate_annealing", "rate_decay",
  "momentum_ramp", "momentum_stable", "momentum_start", "nesterov_accelerated_gradient",
  "override_with_best_model", "seed", "input_dropout_ratio", "max_w2",
  "initial_weight_distribution", "initial_weight_scale", "loss", "balance_classes",
  "max_after_balance_size", "fast_mode", "shuffle_training_data", "max_categorical_features",
  "mini_batch_size", "distribution", "tweedie_power", "quantile_alpha", "huber_alpha",
  "stopping_rounds", "stopping_metric", "stopping_tolerance")

.h2o.__DL_DEFAULT_EPOCHS <- 10

h2o.deeplearning <- function(x, y, data, key = "", override_with_best_model = TRUE,
                             classification, nfolds = 0, validation, holdout_fraction = 0,
                             checkpoint, pretrained_autoencoder = NULL, autoencoder = FALSE,
                             use_all_factor_levels = TRUE,
                             activation = "Rectifier", hidden = c(200, 200), epochs = 10,
                             train_samples_per_iteration = -2, seed, adaptive_rate = TRUE,
                             rho = 0.99, epsilon = 1e-8, rate = 0.005, rate_annealing = 1e-6,
                             rate_decay = 1, momentum_start = 0, momentum_ramp = 1e6,
                             momentum_stable = 0, nesterov_accelerated_gradient = TRUE,
                             input_dropout_ratio = 0, hidden_dropout_ratios, l1 = 0, l2 = 0,
                             max_w2 = Inf, initial_weight_distribution = "UniformAdaptive",
                             initial_weight_scale = 1, initial_weights = NULL, initial_biases = NULL,
                             loss = "Automatic", score_interval = 5,
                             score_training_samples = 10000, score_validation_samples = 0,
                             score_duty_cycle = 0.1, classification_stop = 0,
                             regression_stop = 1e-6, quiet_mode = FALSE,
                             max_confusion_matrix_size = 20, max_hit_ratio_k = 10,
                             balance_classes = FALSE, class_sampling_factors,
                             max_after_balance_size = 5, score_validation_sampling = "Uniform",
                             diagnostics = TRUE, variable_importances = FALSE,
                             export_weights_and_biases = FALSE, fast_mode = TRUE, ignore_const_cols = TRUE,
                             force_load_balance = TRUE, replicate_training_data = TRUE,
                             single_node_mode = FALSE, shuffle_training_data = FALSE,
                             sparse = FALSE, col_major = FALSE,
                             max_categorical_features = 2147483647, reproducible = FALSE,
                             mini_batch_size = 1,
                             distribution = "AUTO", tweedie_power = 1.5, quantile_alpha = 0.5,
                             huber_alpha = 0.9, weights_column = NULL, offset_column = NULL,
                             fold_assignment = "AUTO", fold_column = NULL,
                             keep_cross_validation_models = TRUE,
                             keep_cross_validation_predictions = FALSE,
                             keep_cross_validation_fold_assignment = FALSE,
                             score_each_iteration = FALSE, stopping_rounds = 0,
                             stopping_metric = "AUTO", stopping_tolerance = 0,
                             max_runtime_secs = 0, categorical_encoding = "AUTO",
                             standardize = TRUE, missing_values_handling = "MeanImputation",
                             average_activation = 0, sparsity_beta = 0,
                             target_ratio_comm_to_comp = 0.05, elastic_averaging = FALSE,
                             elastic_averaging_moving_rate = 0.9,
                             elastic_averaging_regularization = 0.001, block_momentum = 0,
                             export_checkpoints_dir = NULL, auc_type = "AUTO",
                             custom_metric_func = NULL, gainslift_bins = -1, ...) {
  call <- match.call(expand.dots = FALSE)
  .h2o.__unknownArgs(call$..., setdiff(names(formals(sys.function())), "..."),
                     "h2o.deeplearning")
  given <- setdiff(names(call)[-1L], "...")
  env <- environment()
  tunables <- lapply(stats::setNames(nm = intersect(given, names(.h2o.__DL_TYPES))), get,
                     envir = env)
  tunables <- Filter(Negate(is.null), tunables)         # NULL: as if not given
  if ("hidden" %in% given && length(hidden) == 0L) tunables["hidden"] <- list(numeric(0))  # no hidden layer
  for (name in names(tunables)) .h2o.__checkTunable(name, tunables[[name]])
  structure <- .h2o.__structureArgs(
    if (missing(pretrained_autoencoder)) NULL else pretrained_autoencoder,
    if (missing(initial_weights)) NULL else initial_weights,
    if (missing(initial_biases)) NULL else initial_biases,
    if (missing(export_weights_and_biases)) NULL else export_weights_and_biases)

  if (missing(data)) stop("Must specify data", call. = FALSE)
  if (!is(data, "H2OParsedData")) stop("data must be an H2O parsed dataset", call. = FALSE)
  ae <- isTRUE(tunables$autoencoder)
  cols <- .h2o.__xyColumns(data, if (missing(x)) NULL else x, if (missing(y)) NULL else y,
                           ae, identical(tunables$autoencoder, FALSE))
  roles <- .h2o.__roleColumns(mget(.h2o.__DL_ROLE_COLUMNS, envir = env), data@col_names)
  cols$ignored <- setdiff(cols$ignored, unlist(roles))
  if (!missing(classification)) .h2o.__checkLogical(classification, "classification")
  if (ae && !missing(classification) && isTRUE(classification))
    stop("classification must be FALSE for an autoencoder (autoencoder = TRUE is unsupervised)",
         call. = FALSE)
  .h2o.__checkKey(key)
  valid <- if (missing(validation)) NULL else validation
  .h2o.__checkFolds(tunables, valid)

  client <- data@h2o
  ckpt <- if (missing(checkpoint)) NULL else .h2o.__checkpointInfo(client, checkpoint, cols, ae)
  if (!is.null(ckpt))
    tunables$epochs <- ckpt$epochs + (tunables$epochs %||% .h2o.__DL_DEFAULT_EPOCHS)
  split <- .h2o.__splitGrid(tunables)
  request <- c(list(training_frame = data@key,
                    response_column = if (ae) NULL else cols$y,
                    ignored_columns = if (length(cols$ignored)) .h2o.__asList(cols$ignored),
                    validation_frame = if (!is.null(valid)) valid@key,
                    checkpoint = ckpt$key,
                    classification = .h2o.__classification(
                      if (missing(classification)) NULL else classification, ae, ckpt, data,
                      cols$y, tunables$distribution)),
               roles, structure, split$single)
  progress <- !isTRUE(tunables$quiet_mode)
  if (length(split$grid) > 0L)
    return(.h2o.__runGrid(client, data, valid, request, split$grid, key, progress))
  if (nzchar(key)) request$model_id <- key
  .h2o.__runSingle(client, data, valid, request, progress)
}

#----------------------------------------------------------------------------------------
# Arguments

# Names that match no argument: an error naming them (with the nearest argument name).
.h2o.__unknownArgs <- function(extra, known, fun) {
  if (length(extra) == 0L) return(invisible(TRUE))
  given <- names(extra) %||% rep("", length(extra))
  if (any(!nzchar(given)))
    stop(sprintf("%s: %d unnamed argument(s) beyond x, y and data; name the others",
                 fun, sum(!nzchar(given))), call. = FALSE)
  hint <- vapply(given, function(g) {
    d <- utils::adist(g, known, ignore.case = TRUE)
    close <- min(d) <= max(1L, min(3L, nchar(g) %/% 3L))
    if (close) sprintf(" (did you mean %s?)", known[which.min(d)]) else ""
  }, "")
  stop(sprintf("%s: unknown argument(s): %s", fun, paste0(given, hint, collapse = ", ")),
       call. = FALSE)
}

.h2o.__checkLogical <- function(value, name) {
  if (!is.logical(value) || length(value) != 1L || is.na(value))
    stop(sprintf("%s must be TRUE or FALSE", name), call. = FALSE)
}

.h2o.__checkTunable <- function(name, value) {
  type <- .h2o.__DL_TYPES[[name]]
  ok <- switch(type,
               logical = is.logical(value) && length(value) >= 1L && !anyNA(value),
               numeric = is.numeric(value) && length(value) >= 1L && !anyNA(value),
               character = is.character(value) && length(value) >= 1L && !anyNA(value),
               array = .h2o.__isNumericArray(value))
  if (!ok) {
    what <- if (type == "array") "numeric (a vector, or a list of vectors for a grid search)"
            else type
    stop(sprintf("%s must be of type %s", name, what), call. = FALSE)
  }
}

.h2o.__isNumericArray <- function(value) {
  if (is.numeric(value) && length(value) == 0L) return(TRUE)   # hidden = c(): no hidden layer
  parts <- if (is.list(value)) value else list(value)
  length(parts) >= 1L &&
    all(vapply(parts, function(v) is.numeric(v) && length(v) >= 1L && !anyNA(v), TRUE))
}

# H2O-3's network-structure arguments as request fields: pretrained_autoencoder (a model or
# its key), initial_weights / initial_biases (lists with one frame, key or NULL per weight
# layer: length(hidden) + 1; NULL keeps that layer's random start) and
# export_weights_and_biases (TRUE: the model lists frames for h2o.weights / h2o.biases).
.h2o.__structureArgs <- function(pretrained, weights, biases, export) {
  out <- list()
  if (!is.null(pretrained)) out$pretrained_autoencoder <- .h2o.__modelKeyArg(pretrained, "pretrained_autoencoder")
  if (!is.null(weights)) out$initial_weights <- .h2o.__frameKeyList(weights, "initial_weights")
  if (!is.null(biases)) out$initial_biases <- .h2o.__frameKeyList(biases, "initial_biases")
  if (!is.null(export)) {
    .h2o.__checkLogical(export, "export_weights_and_biases")
    out$export_weights_and_biases <- export
  }
  out
}

.h2o.__modelKeyArg <- function(model, name) {
  if (is(model, "H2ODeepLearningModel")) return(model@key)
  if (is.character(model) && length(model) == 1L && !is.na(model) && nzchar(model)) return(model)
  stop(sprintf("%s must be a model key or an object of type H2ODeepLearningModel", name), call. = FALSE)
}

.h2o.__frameKeyList <- function(frames, name) {
  if (is(frames, "H2OParsedData") || is.character(frames)) frames <- as.list(frames)
  if (!is.list(frames) || length(frames) == 0L)
    stop(sprintf("%s must be a list of H2O parsed datasets or frame keys (NULL for a layer that starts at random)",
                 name), call. = FALSE)
  items <- vapply(frames, function(f) {
    if (is.null(f)) return("null")
    key <- if (is(f, "H2OParsedData")) f@key else if (is.character(f) && length(f) == 1L && !is.na(f)) f else NA
    if (is.na(key))
      stop(sprintf("%s must be a list of H2O parsed datasets or frame keys (NULL for a layer that starts at random)",
                   name), call. = FALSE)
    as.character(jsonlite::toJSON(key, auto_unbox = TRUE))
  }, "")
  structure(paste0("[", paste(items, collapse = ","), "]"), class = "h2o_json")
}

# x and y as column names; the ignored columns are the frame's other columns.
# Autoencoders: y is not needed and, when given, is an input only if it is in x.
.h2o.__xyColumns <- function(data, x, y, ae, ae_off) {
  names <- data@col_names
  if (is.null(x)) stop("Must specify x", call. = FALSE)
  if (!(is.numeric(x) || is.character(x)) || length(x) == 0L || anyNA(x))
    stop("x must be column names or indices", call. = FALSE)
  x <- .h2o.__columnNames(x, names)
  if (is.null(y) && !ae) stop("Must specify y", call. = FALSE)
  if (!is.null(y)) y <- .h2o.__responseName(y, names)
  if (ae) return(list(x = x, y = y, ignored = setdiff(names, x)))
  if (y %in% x) {
    if (ae_off) warning("Response variable in explanatory variables", call. = FALSE)
    x <- setdiff(x, y)
  }
  list(x = x, y = y, ignored = setdiff(names, c(x, y)))
}

.h2o.__columnNames <- function(x, names) {
  if (is.character(x)) {
    bad <- setdiff(x, names)
    if (length(bad))
      stop(paste(bad, collapse = ", "), " is not a valid column name", call. = FALSE)
    return(unique(x))
  }
  bad <- x[x < 1 | x > length(names) | x != round(x)]
  if (length(bad))
    stop("Out of range explanatory variable ", paste(bad, collapse = ", "), call. = FALSE)
  unique(names[x])
}

# weights_column, offset_column, fold_column: NULL (none), or one column name or index each.
.h2o.__roleColumns <- function(values, names) {
  values <- Filter(Negate(is.null), values)
  lapply(stats::setNames(nm = names(values)),
         function(arg) .h2o.__columnName(values[[arg]], names, arg))
}

.h2o.__columnName <- function(value, names, arg) {
  if (!(is.numeric(value) || is.character(value)) || length(value) != 1L || is.na(value))
    stop(sprintf("%s must be a column name or index", arg), call. = FALSE)
  if (is.character(value)) {
    if (!value %in% names) stop(sprintf("%s: %s is not a column name", arg, value), call. = FALSE)
    return(value)
  }
  if (value < 1 || value > length(names) || value != round(value))
    stop(sprintf("%s: column index %s is out of range", arg, value), call. = FALSE)
  names[value]
}

.h2o.__responseName <- function(y, names) {
  if (!(is.numeric(y) || is.character(y)) || length(y) != 1L || is.na(y))
    stop("y must be a column name or index", call. = FALSE)
  if (is.character(y)) {
    if (!y %in% names) stop(y, " is not a column name", call. = FALSE)
    return(y)
  }
  if (y < 1 || y > length(names) || y != round(y))
    stop("Response variable index ", y, " is out of range", call. = FALSE)
  names[y]
}

.h2o.__checkFolds <- function(tunables, valid) {
  nfolds <- tunables$nfolds %||% 0
  if (length(nfolds) != 1L) stop("nfolds must be a single number", call. = FALSE)
  if (nfolds == 1) stop("nfolds cannot be 1", call. = FALSE)
  if (!is.null(valid) && !is(valid, "H2OParsedData"))
    stop("validation must be an H2O parsed dataset", call. = FALSE)
  if (!is.null(valid) && nfolds != 0)
    stop("Cannot set both validation and nfolds at the same time", call. = FALSE)
  holdout <- tunables$holdout_fraction %||% 0
  if (length(holdout) == 1L && holdout > 0 && (!is.null(valid) || nfolds > 1))
    stop("holdout_fraction cannot be combined with validation or nfolds", call. = FALSE)
}

# classification as legacy: given -> sent; on a restart the checkpoint's; otherwise TRUE
# for an integer response (legacy default: its values become classes), unless a regression
# distribution is asked for (counts for poisson, ...), and left to the server (a factor:
# classification, a real column: regression) for other responses.
# Autoencoders are never classifiers (TRUE is refused earlier), so nothing is sent for them.
.h2o.__REGRESSION_DISTRIBUTIONS <- c("gaussian", "poisson", "gamma", "tweedie", "laplace",
                                     "quantile", "huber")

.h2o.__classification <- function(value, ae, ckpt, data, y, distribution = NULL) {
  if (ae) return(NULL)
  if (!is.null(value)) return(value)
  if (!is.null(ckpt)) return(ckpt$classification)
  if (length(distribution) && all(distribution %in% .h2o.__REGRESSION_DISTRIBUTIONS))
    return(NULL)
  info <- .h2o.__frameInfo(data@h2o, data@key)
  if (identical(info$types[match(y, info$names)], "int")) TRUE else NULL
}

#----------------------------------------------------------------------------------------
# Checkpoint restarts: the checkpoint's key, epochs trained and classification flag. The
# response and the predictors must be the checkpoint's (an error says what differs).

.h2o.__checkpointInfo <- function(client, checkpoint, cols, ae) {
  key <- if (is.character(checkpoint)) {
    .h2o.__checkKey(checkpoint, "checkpoint")
    checkpoint
  } else if (is(checkpoint, "H2ODeepLearningModel")) {
    checkpoint@key
  } else {
    stop("checkpoint must be valid key or an object of type H2ODeepLearningModel", call. = FALSE)
  }
  json <- .h2o.__modelJSON(client, key)
  params <- .h2o.__paramValues(json$parameters)
  .h2o.__checkSameColumns(json, params, cols, ae, key)
  list(key = key, epochs = .h2o.__epochsTrained(json$output),
       classification = params$classification)
}

# The epochs a model trained: the last row of its scoring history (H2O-3's JSON has no other).
.h2o.__epochsTrained <- function(output) {
  epochs <- .h2o.__table(output$scoring_history)$epochs
  if (!length(epochs)) stop("the model's scoring history has no epochs column", call. = FALSE)
  epochs[length(epochs)]
}

.h2o.__checkSameColumns <- function(json, params, cols, ae, key) {
  output <- json$output
  response <- if (identical(output$model_category, "AutoEncoder")) NULL
              else json$response_column_name
  if (!is.null(response) && (ae || !identical(cols$y, response)))
    stop(sprintf("checkpoint: the response column y ('%s') differs from that of the checkpointed model %s ('%s')",
                 if (ae) "none: autoencoder" else cols$y, key, response), call. = FALSE)
  if (is.null(response) && !ae)
    stop(sprintf("checkpoint: %s is an autoencoder; continue it with autoencoder = TRUE", key),
         call. = FALSE)
  predictors <- setdiff(.h2o.__chr(output$names), response)
  lacking <- setdiff(predictors, cols$x)
  if (length(lacking))
    stop(sprintf("checkpoint: x lacks column(s) that the checkpointed model %s uses: %s",
                 key, paste(lacking, collapse = ", ")), call. = FALSE)
  added <- intersect(setdiff(cols$x, predictors), params$ignored_columns)
  if (length(added))
    stop(sprintf("checkpoint: x has column(s) that the checkpointed model %s ignored: %s",
                 key, paste(added, collapse = ", ")), call. = FALSE)
}

#----------------------------------------------------------------------------------------
# Single values and grid values

# Tunables given several values (by the grid rule) form the grid; a non-gridable one with
# several values is an error.
.h2o.__splitGrid <- function(tunables) {
  single <- list()
  grid <- list()
  for (name in names(tunables)) {
    value <- tunables[[name]]
    if (is.list(value) && length(value) > 1L && name %in% .h2o.__DL_GRIDABLE) {
      grid[[name]] <- lapply(value, as.numeric)
    } else if (is.list(value)) {
      if (length(value) > 1L)
        stop(sprintf("%s must be a numeric vector (a list of several is a grid search, which %s does not take part in)",
                     name, name), call. = FALSE)
      single[[name]] <- .h2o.__asList(as.numeric(value[[1L]]))
    } else if (.h2o.__DL_TYPES[[name]] == "array") {
      single[[name]] <- .h2o.__asList(as.numeric(value))
    } else if (length(value) > 1L) {
      if (!name %in% .h2o.__DL_GRIDABLE)
        stop(sprintf("%s must be a single value; grid search takes several values of: %s",
                     name, paste(.h2o.__DL_GRIDABLE, collapse = ", ")), call. = FALSE)
      grid[[name]] <- value
    } else {
      single[[name]] <- value
    }
  }
  list(single = single, grid = grid)
}

# The seed is a long: written as an integer, never in exponent notation.
.h2o.__encodeSeed <- function(seed) sprintf("%.0f", seed)

#----------------------------------------------------------------------------------------
# Running a single model

.h2o.__runSingle <- function(client, data, valid, request, progress) {
  if (!is.null(request$seed)) request$seed <- .h2o.__encodeSeed(request$seed)
  res <- .h2o.__remoteSend(client, .h2o.__PAGE_DL_BUILDER, "POST", .params = request)
  .h2o.__forwardWarnings(res$messages)
  .h2o.__waitOnJob(client, .h2o.__keyName(res$job$key), progressBar = progress)
  key <- .h2o.__keyName(res$job$dest)
  .h2o.__makeModel(client, .h2o.__modelJSON(client, key), data = data,
                   valid = valid %||% .h2o.__noFrame(client))
}

# The builder's WARN messages (e.g. a setting that cannot change on a restart) as R warnings.
.h2o.__forwardWarnings <- function(messages) {
  for (m in messages %||% list())
    if (identical(m$message_type, "WARN")) warning(as.character(m$message), call. = FALSE)
}
