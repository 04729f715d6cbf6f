# Models on the server as R objects: reading a model (GET /3/Models/{id}) into an
# H2ODeepLearningModel with the legacy @model list (legacy_h2o.md sections 2.3-2.4),
# h2o.getModel, h2o.predict, h2o.anomaly, h2o.saveModel / h2o.loadModel and the POJO.

#----------------------------------------------------------------------------------------
# Reading a model

# The model's JSON (models[[1]] of GET /3/Models/{key}); an unknown key stops with the
# server's message.
.h2o.__modelJSON <- function(client, key) {
  res <- .h2o.__remoteSend(client, .h2o.__page(.h2o.__PAGE_MODELS, key), "GET")
  if (length(res$models) < 1L) stop(sprintf("Model '%s' not found", key), call. = FALSE)
  res$models[[1L]]
}

# An H2ODeepLearningModel from the model's JSON. `data` and `valid` are the frames the
# caller trained with; NULL = look them up on the server by the model's parameters.
.h2o.__makeModel <- function(client, json, data = NULL, valid = NULL) {
  params <- .h2o.__paramValues(json$parameters)
  if (is.null(data)) data <- .h2o.__frameOrPlaceholder(client, params$training_frame)
  if (is.null(valid)) valid <- .h2o.__frameOrPlaceholder(client, params$validation_frame)
  output <- json$output
  new("H2ODeepLearningModel", key = .h2o.__keyName(json$model_id), data = data,
      model = .h2o.__modelList(json, params), valid = valid,
      xval = .h2o.__xvalModels(client, output$cross_validation_models, data))
}

# The cross-validation models still on the server (a model loaded without them has none).
.h2o.__xvalModels <- function(client, keys, data) {
  models <- lapply(keys %||% list(), function(k) {
    json <- tryCatch(.h2o.__modelJSON(client, .h2o.__keyName(k)),
                     h2o_http_error = function(e) if (e$status == 404L) NULL else stop(e))
    if (is.null(json)) NULL
    else .h2o.__makeModel(client, json, data = data, valid = .h2o.__noFrame(client))
  })
  models[!vapply(models, is.null, TRUE)]
}

# The frame of that key if the server still has it; else a placeholder (key "NA", as
# legacy) when a key was recorded, or an NA key when none was (no validation frame).
.h2o.__frameOrPlaceholder <- function(client, key) {
  if (is.null(key) || is.na(key) || !nzchar(key)) return(.h2o.__noFrame(client))
  tryCatch(.h2o.__parsedData(client, key),
           h2o_http_error = function(e) new("H2OParsedData", h2o = client, key = "NA"))
}

.h2o.__noFrame <- function(client) new("H2OParsedData", h2o = client, key = NA_character_)

# Every parameter's actual value, converted to R by its H2O-3 type.
.h2o.__paramValues <- function(parameters) {
  values <- lapply(parameters, function(p) .h2o.__paramValue(p$actual_value, p$type))
  names(values) <- vapply(parameters, function(p) as.character(p$name), "")
  values
}

.h2o.__paramValue <- function(value, type) {
  if (is.null(value)) return(NULL)
  type <- as.character(type %||% "")
  if (type %in% c("Key<Frame>", "Key<Model>")) return(.h2o.__keyName(value))
  if (type == "VecSpecifier") return(as.character(value$column_name %||% NA_character_))
  if (type == "boolean") return(as.logical(value))
  if (type %in% c("double", "float", "int", "long", "int[]", "double[]", "float[]"))
    return(.h2o.__num(value))
  if (type %in% c("string[]")) return(.h2o.__chr(value))
  if (is.list(value)) return(unlist(value))
  value
}

# Parameters the legacy @model$params left out (the frames and columns are slots or
# arguments of their own there).
.h2o.__PARAMS_DROPPED <- c("model_id", "training_frame", "validation_frame", "response_column",
                           "ignored_columns")

# @model$params: start and end time, then what training used, nfolds last (legacy order).
.h2o.__legacyParams <- function(params, output) {
  out <- list(start_time = .h2o.__num(output$start_time), end_time = .h2o.__num(output$end_time))
  rest <- params[setdiff(names(params), c(.h2o.__PARAMS_DROPPED, "nfolds"))]
  out <- c(out, rest, list(nfolds = params$nfolds))
  out[!vapply(out, function(v) is.null(v) || length(v) == 0L, TRUE)]
}

# The legacy @model list (legacy_h2o.md 2.3), plus the scoring history.
.h2o.__modelList <- function(json, params) {
  output <- json$output
  category <- as.character(output$model_category %||% "")
  classifier <- category %in% c("Binomial", "Multinomial")
  train <- output$training_metrics
  held <- output$validation_metrics %||% output$cross_validation_metrics
  model <- list(params = .h2o.__legacyParams(params, output))
  if (!is.null(params$validation_frame)) model$validationKey <- params$validation_frame
  if (classifier) {
    cm <- (held %||% train)$cm
    if (!is.null(cm$table)) model$confusion <- .h2o.__confusion(cm$table)
    model$train_class_error <- .h2o.__classError(train)
    if (!is.null(held)) model$valid_class_error <- .h2o.__classError(held)
  } else {
    model$train_sqr_error <- .h2o.__num(train$MSE)
    if (!is.null(held)) model$valid_sqr_error <- .h2o.__num(held$MSE)
  }
  if (category == "Binomial") {
    if (!is.null(held)) model <- c(model, .h2o.__perfResults(held))
    model$train_auc <- .h2o.__num(train$AUC)
  }
  if (category == "Multinomial" && !is.null(held$hit_ratio_table))
    model$hit_ratios <- .h2o.__hitRatios(held$hit_ratio_table)
  if (!is.null(output$variable_importances)) model$varimp <- .h2o.__varimp(output$variable_importances)
  if (!is.null(output$scoring_history)) model$scoring_history <- .h2o.__table(output$scoring_history)
  if (!is.null(output$weights)) model$weights <- vapply(output$weights, .h2o.__keyName, "")
  if (!is.null(output$biases)) model$biases <- vapply(output$biases, .h2o.__keyName, "")
  model
}

# H2O-3's h2o.weights / h2o.biases: the frame of weight layer `matrix_id` (1 = inputs to the
# first layer; one row per unit of the next layer, one column per unit of this one) or its
# biases (one column), written when the model was built with export_weights_and_biases = TRUE.
h2o.weights <- function(object, matrix_id = 1) .h2o.__layerFrame(object, matrix_id, "weights", "matrix_id")

h2o.biases <- function(object, vector_id = 1) .h2o.__layerFrame(object, vector_id, "biases", "vector_id")

.h2o.__layerFrame <- function(object, id, what, arg) {
  if (!is(object, "H2ODeepLearningModel"))
    stop(sprintf("object must be an H2O deep learning model (no %s for %s)", what, class(object)[1L]),
         call. = FALSE)
  .h2o.__checkScalar(id, arg, is.numeric, "numeric")
  keys <- object@model[[what]]
  if (is.null(keys))
    stop(sprintf("model %s has no %s frames: build it with export_weights_and_biases = TRUE", object@key, what),
         call. = FALSE)
  if (id < 1 || id > length(keys) || id != round(id))
    stop(sprintf("%s must be between 1 and %d (the model's weight layers)", arg, length(keys)), call. = FALSE)
  .h2o.__parsedData(object@data@h2o, keys[[id]])
}

# A TwoDimTableV3 (column-major data) as a data.frame.
.h2o.__table <- function(tab) {
  names <- vapply(tab$columns, function(c) as.character(c$name), "")
  types <- vapply(tab$columns, function(c) as.character(c$type %||% ""), "")
  cols <- lapply(seq_along(names), function(j) {
    v <- tab$data[[j]] %||% list()
    if (types[j] %in% c("string", "")) .h2o.__chr(v) else .h2o.__num(v)
  })
  names(cols) <- names
  as.data.frame(cols, stringsAsFactors = FALSE, optional = TRUE)
}

# The legacy confusion matrix (legacy_h2o.md 2.4) from H2O-3's table (rows: classes then
# Totals; columns: classes, Error, Rate): counts, a Totals row and an Error column.
.h2o.__confusion <- function(tab) {
  domain <- vapply(tab$columns, function(c) as.character(c$name), "")
  k <- length(domain) - 2L
  domain <- domain[seq_len(k)]
  counts <- vapply(seq_len(k), function(j) .h2o.__num(tab$data[[j]])[seq_len(k)], numeric(k))
  counts <- matrix(counts, k, k)
  totals <- colSums(counts)
  errors <- round(1 - diag(counts) / rowSums(counts), 5L)
  overall <- round(1 - sum(diag(counts)) / sum(counts), 5L)
  cm <- rbind(cbind(counts, errors), c(totals, overall))
  dimnames(cm) <- list(Actual = c(domain, "Totals"), Predicted = c(domain, "Error"))
  cm
}

# A classifier's error as H2O-3's metrics JSON carries it: the confusion matrix's Totals row,
# Error column (the binomial one is at the max-F1 threshold); without a confusion matrix (a
# multinomial model of many classes) 1 - the top-1 hit ratio.
.h2o.__classError <- function(m) {
  tab <- m$cm$table
  if (!is.null(tab)) {
    errors <- .h2o.__num(tab$data[[length(tab$data) - 1L]])      # columns: classes, Error, Rate
    return(errors[length(errors)])
  }
  if (!is.null(m$hit_ratio_table)) return(1 - .h2o.__hitRatios(m$hit_ratio_table)$hit_ratios[1L])
  NA_real_
}

# The binomial max-F1 threshold: the "max f1" row of H2O-3's max_criteria_and_metric_scores.
.h2o.__maxF1Threshold <- function(m) {
  if (is.null(m$max_criteria_and_metric_scores)) return(NA_real_)
  maxima <- .h2o.__table(m$max_criteria_and_metric_scores)
  maxima$threshold[match("max f1", maxima$metric)]
}

# Binomial validation metrics at the max-F1 threshold (legacy .h2o.__getPerfResults).
.h2o.__perfResults <- function(m) {
  out <- list(auc = .h2o.__num(m$AUC), gini = .h2o.__num(m$Gini))
  if (is.null(m$thresholds_and_metric_scores)) return(out)
  scores <- .h2o.__table(m$thresholds_and_metric_scores)
  best <- .h2o.__maxF1Threshold(m)
  if (length(best) != 1L || is.na(best)) return(out)
  row <- scores[which.min(abs(scores$threshold - best)), , drop = FALSE]
  get <- function(name) if (!is.null(row[[name]])) row[[name]] else NA_real_
  c(out, list(best_cutoff = best, F1 = get("f1"), F2 = get("f2"), accuracy = get("accuracy"),
              error = 1 - get("accuracy"), precision = get("precision"), recall = get("recall"),
              specificity = get("specificity"), mcc = get("absolute_mcc"),
              max_per_class_err = 1 - get("min_per_class_accuracy")))
}

.h2o.__hitRatios <- function(tab) {
  df <- .h2o.__table(tab)
  data.frame(k = as.integer(df[[1L]]), hit_ratios = df[[ncol(df)]])
}

# Legacy @model$varimp: a one-row data.frame, one column per input named by it, the relative
# importances (max 1), columns sorted decreasing.
.h2o.__varimp <- function(tab) {
  df <- .h2o.__table(tab)
  values <- stats::setNames(df$scaled_importance, df$variable)
  values <- values[order(-values, seq_along(values))]
  as.data.frame(as.list(values), check.names = FALSE, optional = TRUE)
}

# H2O-3's h2o.varimp(model): a data.frame of variable, relative_importance, scaled_importance
# and percentage, largest first; NULL (with a message) when the model has none.
h2o.varimp <- function(object) {
  if (missing(object)) stop("Must specify object", call. = FALSE)
  if (!is(object, "H2OModel")) stop("object must be an H2O model", call. = FALSE)
  json <- .h2o.__modelJSON(object@data@h2o, object@key)
  tab <- json$output$variable_importances
  if (is.null(tab)) {
    message("This model doesn't have variable importances (train it with variable_importances = TRUE)")
    return(invisible(NULL))
  }
  df <- .h2o.__table(tab)
  df <- df[order(-df$scaled_importance, seq_len(nrow(df))),
           c("variable", "relative_importance", "scaled_importance", "percentage")]
  rownames(df) <- NULL
  df
}

# H2O-3's h2o.mean_residual_deviance: the model's mean residual deviance (that of its
# distribution) on the training data (no flag TRUE), the validation data or the
# cross-validation holdouts; a named vector when several flags are TRUE. NA for a part
# whose metrics have no deviance (classifiers); a warning and NULL when the part is missing.
h2o.mean_residual_deviance <- function(object, train = FALSE, valid = FALSE, xval = FALSE) {
  if (missing(object)) stop("Must specify object", call. = FALSE)
  if (!is(object, "H2OModel")) stop("object must be an H2O model", call. = FALSE)
  .h2o.__checkLogical(train, "train")
  .h2o.__checkLogical(valid, "valid")
  .h2o.__checkLogical(xval, "xval")
  wanted <- c(train = train, valid = valid, xval = xval)
  if (!any(wanted)) wanted[["train"]] <- TRUE
  output <- .h2o.__modelJSON(object@data@h2o, object@key)$output
  fields <- c(train = "training_metrics", valid = "validation_metrics",
              xval = "cross_validation_metrics")
  parts <- lapply(fields[wanted], function(field) output[[field]])
  missing_part <- names(parts)[vapply(parts, is.null, TRUE)]
  if (length(missing_part)) {
    warning(sprintf("the model has no %s metrics", paste(missing_part, collapse = ", ")),
            call. = FALSE)
    return(invisible(NULL))
  }
  values <- vapply(parts, function(m) .h2o.__num(m$mean_residual_deviance %||% NA)[1L], 0)
  if (length(values) == 1L) unname(values) else values
}

#----------------------------------------------------------------------------------------
# h2o.getModel

h2o.getModel <- function(h2o, key) {
  .h2o.__checkClient(h2o, "h2o")
  if (missing(key)) stop("Must specify key", call. = FALSE)
  .h2o.__checkScalar(key, "key", is.character, "character")
  .h2o.__makeModel(h2o, .h2o.__modelJSON(h2o, key))
}

#----------------------------------------------------------------------------------------
# Scoring

h2o.predict <- function(object, newdata, ...) {
  .h2o.__noExtraArgs(list(...), "h2o.predict")
  if (!is(object, "H2OModel")) stop("object must be an H2O model", call. = FALSE)
  if (missing(newdata)) newdata <- object@data
  if (!is(newdata, "H2OParsedData")) stop("newdata must be a H2O dataset", call. = FALSE)
  .h2o.__score(object, newdata)
}

# The legacy checks of h2o.anomaly and h2o.deepfeatures (after their "Must specify" ones).
.h2o.__checkDataModelKey <- function(data, model, key) {
  if (!is(data, "H2OParsedData")) stop("data must be an H2O parsed dataset", call. = FALSE)
  if (!is(model, "H2ODeepLearningModel"))
    stop("model must be an H2O deep learning model", call. = FALSE)
  .h2o.__checkKey(key)
}

h2o.anomaly <- function(data, model, key = "", threshold = -1.0) {
  if (missing(data)) stop("Must specify data", call. = FALSE)
  if (missing(model)) stop("Must specify model", call. = FALSE)
  .h2o.__checkDataModelKey(data, model, key)
  .h2o.__checkScalar(threshold, "threshold", is.numeric, "numeric")
  if (threshold != -1)
    stop("threshold is not supported (legacy H2O only logged the rows above it); keep -1 and ",
         "compare the Reconstruction.MSE column yourself", call. = FALSE)
  .h2o.__score(model, data, reconstruction_error = TRUE,
               predictions_frame = if (nzchar(key)) key else NULL)
}

# The activations of hidden layer `layer` (1-based; -1 = the last) for each row of `data`, in
# legacy H2O's layout: the response column first when `data` has it, then DF.C1, ..., DF.Ck.
h2o.deepfeatures <- function(data, model, key = "", layer = -1) {
  if (missing(data)) stop("Must specify data", call. = FALSE)
  if (missing(model)) stop("Must specify model", call. = FALSE)
  .h2o.__checkDataModelKey(data, model, key)
  .h2o.__checkScalar(layer, "layer", is.numeric, "numeric")
  hidden <- length(model@model$params$hidden)
  if (hidden == 0L)
    stop(sprintf("model %s has no hidden layer (hidden = c()): there are no deep features", model@key),
         call. = FALSE)
  if (layer != -1 && (layer < 1 || layer > hidden || layer != round(layer)))
    stop(sprintf("layer must be between 1 and %d (the model's hidden layers), or -1 for the last",
                 hidden), call. = FALSE)
  index <- if (layer == -1) hidden - 1L else as.integer(layer) - 1L
  feats <- .h2o.__score(model, data, deep_features_hidden_layer = as.integer(index),
                        predictions_frame = if (nzchar(key)) key else NULL)
  k <- feats@ncols
  names <- paste0('"', "DF.C", seq_len(k), '"', collapse = " ")
  expr <- sprintf("(colnames= %s [0:%d] [%s])", feats@key, k, names)
  response <- .h2o.__paramValues(.h2o.__modelJSON(data@h2o, model@key)$parameters)$response_column
  if (length(response) == 1L && !is.na(response) && response %in% data@col_names)
    expr <- sprintf("(cbind (cols_py %s %s) %s)", data@key, .h2o.__operand(response), expr)
  .h2o.__rapidsFrame(data@h2o, feats@key, expr)
}

# POST /3/Predictions (the server waits for the scoring job): the predictions frame.
.h2o.__score <- function(model, newdata, ...) {
  client <- newdata@h2o
  page <- .h2o.__page(.h2o.__PAGE_PREDICTIONS, model@key, "frames", newdata@key)
  res <- .h2o.__remoteSend(client, page, "POST", ...)
  .h2o.__parsedData(client, .h2o.__keyName(res$predictions_frame))
}

# Functions with `...` for legacy signatures accept no other arguments.
.h2o.__noExtraArgs <- function(extra, fun) {
  if (length(extra) == 0L) return(invisible(TRUE))
  given <- names(extra) %||% rep("", length(extra))
  given[!nzchar(given)] <- "<unnamed>"
  stop(sprintf("%s: unused argument(s): %s", fun, paste(given, collapse = ", ")), call. = FALSE)
}

#----------------------------------------------------------------------------------------
# Saving and loading (a model is one file on the server's disk; with save_cv, each
# cross-validation model is saved next to it, named <path> + the rest of its key)

h2o.saveModel <- function(object, dir = "", name = "", filename = "", save_cv = TRUE,
                          force = FALSE) {
  if (missing(object)) stop("Must specify object", call. = FALSE)
  if (!is(object, "H2OModel")) stop("object must be an H2O model", call. = FALSE)
  .h2o.__checkScalar(dir, "dir", is.character, "character")
  .h2o.__checkScalar(name, "name", is.character, "character")
  .h2o.__checkScalar(filename, "filename", is.character, "character")
  if (!is.logical(force) || length(force) != 1L || is.na(force))
    stop("force must be either TRUE or FALSE", call. = FALSE)
  if (!is.logical(save_cv) || length(save_cv) != 1L || is.na(save_cv))
    stop("save_cv must be either TRUE or FALSE", call. = FALSE)
  if (nzchar(filename) && nzchar(name))
    stop("give the file name as name or as filename (its older spelling), not both", call. = FALSE)
  path <- .h2o.__modelPath(object@key, dir, if (nzchar(filename)) filename else name)
  client <- object@data@h2o
  written <- .h2o.__saveOne(client, object@key, path, force)
  if (save_cv && is(object, "H2ODeepLearningModel"))
    for (m in object@xval) .h2o.__saveOne(client, m@key, .h2o.__cvPath(written, object@key, m@key), force)
  written
}

# name/filename: the file (in dir when dir is given); else dir/<model key>. A relative
# path is taken from R's working directory.
.h2o.__modelPath <- function(key, dir, name) {
  path <- if (nzchar(name) && nzchar(dir)) file.path(dir, name)
          else if (nzchar(name)) name
          else file.path(if (nzchar(dir)) dir else ".", key)
  path <- path.expand(path)
  if (!grepl("^(/|[A-Za-z]:)", path)) path <- file.path(getwd(), sub("^\\./", "", path))
  path
}

.h2o.__cvPath <- function(path, key, cv_key) {
  suffix <- if (startsWith(cv_key, key)) substring(cv_key, nchar(key) + 1L) else paste0("_", cv_key)
  paste0(path, suffix)
}

.h2o.__saveOne <- function(client, key, path, force) {
  res <- tryCatch(
    .h2o.__remoteSend(client, .h2o.__page(.h2o.__PAGE_MODELS_BIN, key), "GET",
                      dir = path, force = force),
    h2o_http_error = function(e) {
      if (!force && grepl("already exists", e$server_msg %||% "", fixed = TRUE))
        stop(sprintf("h2o.saveModel: %s already exists; use force = TRUE to overwrite it",
                     path), call. = FALSE)
      stop(e)
    })
  as.character(res$dir %||% path)
}

h2o.loadModel <- function(object, path = "") {
  if (missing(object)) stop("Must specify object", call. = FALSE)
  .h2o.__checkClient(object)
  .h2o.__checkScalar(path, "path", is.character, "character")
  if (!nzchar(path)) stop("Must specify path", call. = FALSE)
  path <- .h2o.__modelPath("", "", path)
  res <- .h2o.__remoteSend(object, .h2o.__PAGE_MODELS_BIN, "POST", dir = path)
  json <- res$models[[1L]]
  key <- .h2o.__keyName(json$model_id)
  for (cv in json$output$cross_validation_models %||% list())
    .h2o.__loadIfSaved(object, .h2o.__cvPath(path, key, .h2o.__keyName(cv)))
  h2o.getModel(object, key)
}

# A cross-validation model saved next to its main model; absent when saved with save_cv = FALSE.
.h2o.__loadIfSaved <- function(client, path) {
  tryCatch(.h2o.__remoteSend(client, .h2o.__PAGE_MODELS_BIN, "POST", dir = path),
           h2o_http_error = function(e) if (e$status == 404L) NULL else stop(e))
}

#----------------------------------------------------------------------------------------
# The model as Java source (POJO): it needs only the JDK, so no jar is downloaded

h2o.getPOJO <- function(model) {
  if (!is(model, "H2OModel")) stop("model must be an H2O model", call. = FALSE)
  .h2o.__remoteSend(model@data@h2o, .h2o.__page(.h2o.__PAGE_MODELS_JAVA, model@key), "GET",
                    .raw = TRUE)
}

h2o.download_pojo <- function(model, path = "") {
  .h2o.__checkScalar(path, "path", is.character, "character")
  source <- h2o.getPOJO(model)
  if (!nzchar(path)) {
    cat(source)
    return(invisible(source))
  }
  if (!dir.exists(path)) stop(sprintf("path: folder '%s' does not exist", path), call. = FALSE)
  class_name <- regmatches(source, regexec("(?m)^public class ([A-Za-z_$][A-Za-z0-9_$]*)",
                                           source, perl = TRUE))[[1L]]
  if (length(class_name) < 2L) stop("the server's POJO has no public class", call. = FALSE)
  file <- file.path(path, paste0(class_name[2L], ".java"))
  .h2o.__writeAtomically(source, file)
  file
}

h2o.download_onnx <- function(model, path) {
  if (!is(model, "H2OModel")) stop("model must be an H2O model", call. = FALSE)
  .h2o.__checkScalar(path, "path", is.character, "character")
  if (!nzchar(path)) stop("path: give a folder or a file name ending in .onnx", call. = FALSE)
  file <- if (dir.exists(path)) file.path(path, paste0(gsub("[^A-Za-z0-9._-]", "_", model@key), ".onnx")) else path
  if (!dir.exists(dirname(file))) stop(sprintf("path: folder '%s' does not exist", dirname(file)), call. = FALSE)
  bytes <- .h2o.__remoteSend(model@data@h2o, .h2o.__page(.h2o.__PAGE_MODELS_ONNX, model@key), "GET",
                             .binary = TRUE)
  .h2o.__writeAtomically(bytes, file)
  file
}

#----------------------------------------------------------------------------------------
# The model as a MOJO: the zip H2O's Java runtime (h2o-genmodel) scores. H2O-3's signature; the
# server does not serve h2o-genmodel.jar, so the arguments that download it are refused.

h2o.download_mojo <- function(model, path = getwd(), get_genmodel_jar = FALSE, genmodel_name = "",
                              genmodel_path = "", filename = "") {
  if (!is(model, "H2OModel")) stop("model must be an H2O model", call. = FALSE)
  .h2o.__checkScalar(path, "path", is.character, "character")
  .h2o.__checkScalar(get_genmodel_jar, "get_genmodel_jar", is.logical, "logical")
  .h2o.__checkScalar(genmodel_name, "genmodel_name", is.character, "character")
  .h2o.__checkScalar(genmodel_path, "genmodel_path", is.character, "character")
  .h2o.__checkScalar(filename, "filename", is.character, "character")
  if (isTRUE(get_genmodel_jar) || nzchar(genmodel_name) || nzchar(genmodel_path))
    stop(paste("get_genmodel_jar, genmodel_name, genmodel_path: this server does not serve h2o-genmodel.jar;",
               "it is inside H2O-3's h2o.jar and on Maven Central (ai.h2o:h2o-genmodel)"), call. = FALSE)
  if (!dir.exists(path)) stop(sprintf("path: folder '%s' does not exist", path), call. = FALSE)
  if (!nzchar(filename)) filename <- paste0(gsub("[^A-Za-z0-9._-]", "_", model@key), ".zip")
  bytes <- .h2o.__remoteSend(model@data@h2o, .h2o.__page(.h2o.__PAGE_MODELS, model@key, "mojo"), "GET",
                             .binary = TRUE)
  .h2o.__writeAtomically(bytes, file.path(path, filename))
  filename
}

# Written beside the target, then renamed over it, so an interrupted write leaves no half file.
# `text`: a string, or a raw vector written as bytes.
.h2o.__writeAtomically <- function(text, file) {
  tmp <- tempfile(paste0(".", basename(file), "."), tmpdir = dirname(file))
  on.exit(if (file.exists(tmp)) unlink(tmp))
  if (is.raw(text)) writeBin(text, tmp) else writeLines(text, tmp, sep = "")
  if (!file.rename(tmp, file)) stop(sprintf("could not write '%s'", file), call. = FALSE)
}
