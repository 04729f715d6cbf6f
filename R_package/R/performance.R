# A binary classifier's performance from two one-column frames, predicted probabilities of
# class 1 and actual labels (legacy_h2o.md section 1.12): h2o.performance (H2OPerfModel),
# h2o.gains, and show() / plot() of the result. One server call, POST
# /3/ModelMetrics/predictions_frame/{data}/actuals_frame/{reference}, answers H2O-3's binomial
# metrics: a row per distinct predicted probability (exact counts) and the gains/lift table.

# measure -> the column of thresholds_and_metric_scores it is read from. max_per_class_error
# is 1 - min_per_class_accuracy, so its best cutoff maximises min_per_class_accuracy.
.h2o.__MEASURES <- c(F1 = "f1", F2 = "f2", accuracy = "accuracy", precision = "precision",
                     recall = "recall", specificity = "specificity", mcc = "absolute_mcc",
                     max_per_class_error = "min_per_class_accuracy")

h2o.performance <- function(data, reference, measure = "accuracy", thresholds, gains = TRUE, ...) {
  .h2o.__checkPerfFrames(data, reference, "data", "reference")
  if (!is.character(measure) || length(measure) != 1L || !measure %in% names(.h2o.__MEASURES))
    stop("measure must be one of [F1, F2, accuracy, precision, recall, specificity, mcc, ",
         "max_per_class_error]", call. = FALSE)
  if (!missing(thresholds)) {
    if (!is.numeric(thresholds) || length(thresholds) == 0L)
      stop("thresholds must be a numeric vector", call. = FALSE)
    if (!all(is.finite(thresholds))) stop("thresholds must be finite numbers", call. = FALSE)
  }
  .h2o.__checkFlag(gains, "gains")
  opts <- .h2o.__gainsOptions(list(...))
  metrics <- .h2o.__binomialMetrics(data, reference, if (gains) opts$groups else NULL,
                                    if (missing(thresholds)) NULL else thresholds)
  scores <- .h2o.__table(metrics$thresholds_and_metric_scores)
  rows <- if (missing(thresholds)) scores else .h2o.__rowsAt(scores, as.numeric(thresholds))
  column <- .h2o.__MEASURES[[measure]]
  values <- rows[[column]]
  best <- .h2o.__bestRow(values)
  if (measure == "max_per_class_error") values <- 1 - values
  model <- .h2o.__perfList(metrics, rows[best, , drop = FALSE], .h2o.__chr(metrics$domain))
  table <- if (gains) .h2o.__gainsTable(metrics, opts$percents) else NULL
  new("H2OPerfModel", cutoffs = rows$threshold, measure = values, perf = measure,
      model = model, roc = .h2o.__roc(rows), gains = table)
}

h2o.gains <- function(actual, predicted, groups = 10, percents = FALSE) {
  if (!is(actual, "H2OParsedData")) stop("`actual` must be an H2O parsed dataset", call. = FALSE)
  if (!is(predicted, "H2OParsedData"))
    stop("`predicted` must be an H2O parsed dataset", call. = FALSE)
  if (ncol(actual) != 1) stop("Must specify exactly one column for `actual`", call. = FALSE)
  if (ncol(predicted) != 1) stop("Must specify exactly one column for `predicted`", call. = FALSE)
  .h2o.__checkGroups(groups)
  .h2o.__checkFlag(percents, "percents")
  metrics <- .h2o.__binomialMetrics(predicted, actual, groups)
  .h2o.__gainsTable(metrics, percents)
}

.h2o.__checkPerfFrames <- function(data, reference, dname, rname) {
  if (!is(data, "H2OParsedData")) stop(dname, " must be an H2O parsed dataset", call. = FALSE)
  if (!is(reference, "H2OParsedData"))
    stop(rname, " must be an H2O parsed dataset", call. = FALSE)
  if (ncol(data) != 1) stop("Must specify exactly one column for ", dname, call. = FALSE)
  if (ncol(reference) != 1) stop("Must specify exactly one column for ", rname, call. = FALSE)
}

.h2o.__checkGroups <- function(groups) {
  if (!is.numeric(groups) || length(groups) != 1L || is.na(groups) || groups != round(groups))
    stop("`groups` must be a single whole number", call. = FALSE)
  if (groups < 1) stop("`groups` must be >= 1. Got: ", groups, call. = FALSE)
}

# h2o.performance's `...`: the gains table's `groups` and `percents` (legacy), nothing else.
.h2o.__gainsOptions <- function(extra) {
  given <- names(extra) %||% rep("", length(extra))
  unknown <- given[!given %in% c("groups", "percents")]
  if (length(unknown)) {
    unknown[!nzchar(unknown)] <- "<unnamed>"
    stop(sprintf("h2o.performance: unused argument(s): %s (only groups and percents are passed on to h2o.gains)",
                 paste(unknown, collapse = ", ")), call. = FALSE)
  }
  opts <- list(groups = extra$groups %||% 10, percents = extra$percents %||% FALSE)
  .h2o.__checkGroups(opts$groups)
  .h2o.__checkFlag(opts$percents, "percents")
  opts
}

# The server's binomial metrics of `predicted` (probabilities of class 1) against `actual`.
# With `thresholds`, its threshold table has exactly those cutoffs (else every distinct
# probability, or a subset of them that keeps each criterion's best when there are many).
.h2o.__binomialMetrics <- function(predicted, actual, groups, thresholds = NULL) {
  info <- .h2o.__frameInfo(actual@h2o, actual@key)
  pinfo <- .h2o.__frameInfo(predicted@h2o, predicted@key)
  if (!pinfo$types[1L] %in% c("real", "int"))
    stop(sprintf("the predictions (%s) must be a numeric column of probabilities of class 1, not %s",
                 predicted@key, pinfo$types[1L]), call. = FALSE)
  page <- .h2o.__page(.h2o.__PAGE_METRICS_PRED, predicted@key, "actuals_frame", actual@key)
  res <- .h2o.__remoteSend(actual@h2o, page, "POST",
                           domain = .h2o.__asList(.h2o.__labels(info, actual@key)),
                           gainslift_bins = if (is.null(groups)) NULL else as.integer(groups),
                           thresholds = if (is.null(thresholds)) NULL else .h2o.__asList(thresholds))
  res$model_metrics
}

# The two class labels: "0","1" for a numeric 0/1 column, else the factor's two levels.
.h2o.__labels <- function(info, key) {
  type <- info$types[1L]
  if (type == "enum") {
    levels <- info$domains[[1L]]
    if (length(levels) != 2L)
      stop(sprintf("the actual labels (%s) must have 2 levels, not %d", key, length(levels)),
           call. = FALSE)
    return(levels)
  }
  if (!type %in% c("real", "int"))
    stop(sprintf("the actual labels (%s) must be 0/1 or a 2-level factor, not %s", key, type),
         call. = FALSE)
  c("0", "1")
}

# The server's rows in the order of the given cutoffs (it answers each distinct one once,
# in decreasing order).
.h2o.__rowsAt <- function(scores, thresholds) {
  at <- vapply(thresholds, function(t) which.min(abs(scores$threshold - t)), 1L)
  rows <- scores[at, , drop = FALSE]
  rows$threshold <- thresholds
  rownames(rows) <- NULL
  rows
}

# The first (highest) cutoff where the criterion is largest; NaN never wins.
.h2o.__bestRow <- function(values) {
  if (length(values) == 0L || all(is.na(values)))
    stop("the server's metrics have no cutoff where the measure is defined", call. = FALSE)
  which.max(ifelse(is.na(values), -Inf, values))
}

.h2o.__perfList <- function(metrics, row, domain) {
  get <- function(name) as.numeric(row[[name]])
  list(auc = .h2o.__num(metrics$AUC), gini = .h2o.__num(metrics$Gini), best_cutoff = get("threshold"),
       F1 = get("f1"), F2 = get("f2"), accuracy = get("accuracy"), error = 1 - get("accuracy"),
       precision = get("precision"), recall = get("recall"), specificity = get("specificity"),
       mcc = get("absolute_mcc"), max_per_class_err = 1 - get("min_per_class_accuracy"),
       confusion = .h2o.__binaryConfusion(get("tns"), get("fps"), get("fns"), get("tps"), domain))
}

# The legacy confusion matrix (legacy_h2o.md 2.4) of the counts at one cutoff.
.h2o.__binaryConfusion <- function(tn, fp, fn, tp, domain) {
  counts <- matrix(c(tn, fn, fp, tp), 2L, 2L)
  errors <- round(1 - diag(counts) / rowSums(counts), 5L)
  overall <- round(1 - sum(diag(counts)) / sum(counts), 5L)
  cm <- rbind(cbind(counts, errors), c(colSums(counts), overall))
  dimnames(cm) <- list(Actual = c(domain, "Totals"), Predicted = c(domain, "Error"))
  cm
}

.h2o.__roc <- function(rows) {
  data.frame(TN = rows$tns, FP = rows$fps, FN = rows$fns, TP = rows$tps,
             TPR = rows$tps / (rows$tps + rows$fns), FPR = rows$fps / (rows$fps + rows$tns))
}

# The legacy gains table from the server's gains_lift_table.
.h2o.__gainsTable <- function(metrics, percents) {
  tab <- metrics$gains_lift_table
  if (is.null(tab)) stop("the server's metrics have no gains/lift table", call. = FALSE)
  g <- .h2o.__table(tab)
  scale <- if (percents) 100 else 1
  data.frame(Quantile = g$cumulative_data_fraction * scale,
             Mean.Response = g$response_rate * scale,
             Lift = g$lift,
             Cume.Pct.Total.Lift = g$cumulative_capture_rate * scale)
}

#----------------------------------------------------------------------------------------
# show() and plot()

setMethod("show", "H2OPerfModel", function(object) {
  model <- object@model
  values <- unlist(model[c("auc", "gini", "best_cutoff", "F1", "F2", "accuracy", "error",
                           "precision", "recall", "specificity", "mcc", "max_per_class_err")])
  tab <- matrix(values, ncol = 1L, dimnames = list(
    c("AUC", "Gini", paste("Best Cutoff for", .h2o.__measureLabel(object@perf)), "F1", "F2",
      "Accuracy", "Error", "Precision", "Recall", "Specificity", "MCC", "Max per Class Error"),
    "Value"))
  print(tab)
  cat("\n\nConfusion matrix:\n")
  print(model$confusion)
})

.h2o.__measureLabel <- function(perf) {
  if (perf == "mcc") return("MCC")
  paste0(toupper(substring(perf, 1L, 1L)), substring(perf, 2L))
}

plot.H2OPerfModel <- function(x, type = "cutoffs", ...) {
  if (!is.character(type) || length(type) != 1L || !type %in% c("cutoffs", "roc"))
    stop("type must be either 'cutoffs' or 'roc'", call. = FALSE)
  if (type == "roc") {
    xaxis <- "False Positive Rate"
    yaxis <- "True Positive Rate"
    plot(x@roc$FPR, x@roc$TPR, main = paste(yaxis, "vs", xaxis), xlab = xaxis, ylab = yaxis, ...)
    graphics::abline(0, 1, lty = 2)
  } else {
    xaxis <- "Cutoff"
    yaxis <- .h2o.__measureLabel(x@perf)
    plot(x@cutoffs, x@measure, main = paste(yaxis, "vs.", xaxis), xlab = xaxis, ylab = yaxis, ...)
    graphics::abline(v = x@model$best_cutoff, lty = 2)
  }
  invisible(x)
}
