# h2o.performance and h2o.gains against what R computes from the same frames, show(),
# plot(), and the error paths.

# Predictions of the tiny model on prostate, the probability of class 1 and CAPSULE in R.
perf_setup <- function() {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate)
  pred <- h2o.predict(m, prostate)
  list(client = client, prostate = prostate, model = m, pred = pred,
       p = as.data.frame(pred[, 3])[[1]], y = as.data.frame(prostate[, 2])[[1]])
}

counts_at <- function(p, y, t) {
  c(TN = sum(p < t & y == 0), FP = sum(p >= t & y == 0), FN = sum(p < t & y == 1),
    TP = sum(p >= t & y == 1))
}

# AUC as the probability that a positive scores above a negative (ties count half).
r_auc <- function(p, y) {
  pos <- p[y == 1]
  neg <- p[y == 0]
  mean(outer(pos, neg, ">") + 0.5 * outer(pos, neg, "=="))
}

test_that("h2o.performance: AUC of the model, the best F1 cutoff, the confusion matrix", {
  s <- perf_setup()
  perf <- h2o.performance(s$pred[, 3], s$prostate[, 2], measure = "F1")
  expect_s4_class(perf, "H2OPerfModel")
  expect_equal(perf@perf, "F1")
  expect_equal(perf@model$auc, s$model@model$train_auc, tolerance = 1e-9)
  expect_equal(perf@model$auc, r_auc(s$p, s$y), tolerance = 1e-9)
  expect_equal(perf@model$gini, 2 * perf@model$auc - 1, tolerance = 1e-9)
  expect_equal(sort(perf@cutoffs, decreasing = TRUE), sort(unique(s$p), decreasing = TRUE),
               tolerance = 1e-12)
  expect_equal(length(perf@measure), length(perf@cutoffs))
  best <- which.max(perf@measure)
  expect_equal(perf@model$best_cutoff, perf@cutoffs[best])
  expect_equal(perf@model$F1, max(perf@measure, na.rm = TRUE))
  cm <- perf@model$confusion
  expect_equal(dimnames(cm), list(Actual = c("0", "1", "Totals"), Predicted = c("0", "1", "Error")))
  expect_equal(sum(cm[1:2, 1:2]), 380)
  expected <- counts_at(s$p, s$y, perf@model$best_cutoff)
  expect_equal(unname(c(cm[1, 1], cm[1, 2], cm[2, 1], cm[2, 2])), unname(expected))
  expect_equal(cm[3, 3], round(1 - (expected[["TN"]] + expected[["TP"]]) / 380, 5))
  expect_equal(perf@model$error, 1 - perf@model$accuracy)
  expect_equal(perf@model$accuracy, (expected[["TN"]] + expected[["TP"]]) / 380)
  expect_equal(names(perf@roc), c("TN", "FP", "FN", "TP", "TPR", "FPR"))
  expect_equal(nrow(perf@roc), length(perf@cutoffs))
  expect_equal(perf@model$max_per_class_err,
               max(expected[["FP"]] / (expected[["TN"]] + expected[["FP"]]),
                   expected[["FN"]] / (expected[["FN"]] + expected[["TP"]])))
  text <- printed(perf)
  expect_match(text, "Best Cutoff for F1", fixed = TRUE)
  expect_match(text, "Max per Class Error", fixed = TRUE)
  expect_match(text, "Confusion matrix:", fixed = TRUE)
  expect_match(text, "Totals", fixed = TRUE)
})

test_that("h2o.performance at given thresholds: the counts R computes, all 0 above the scores", {
  s <- perf_setup()
  perf <- h2o.performance(s$pred[, 3], s$prostate[, 2], thresholds = c(0.3, 0.5), gains = FALSE)
  expect_equal(perf@cutoffs, c(0.3, 0.5))
  expect_equal(length(perf@measure), 2L)
  expect_null(perf@gains)
  # unsorted, a cutoff above every score, and one equal to a score (p >= t is predicted 1)
  cutoffs <- c(0.5, 1.5, sort(s$p)[300], 0.3)
  perf <- h2o.performance(s$pred[, 3], s$prostate[, 2], measure = "accuracy",
                          thresholds = cutoffs, gains = FALSE)
  expect_equal(perf@cutoffs, cutoffs)
  for (k in seq_along(cutoffs)) {
    expected <- counts_at(s$p, s$y, cutoffs[k])
    expect_equal(unlist(perf@roc[k, c("TN", "FP", "FN", "TP")]), expected, info = cutoffs[k])
    expect_equal(perf@measure[k], (expected[["TN"]] + expected[["TP"]]) / 380)
  }
  expect_equal(perf@roc$TPR[2], 0)
  expect_equal(perf@model$best_cutoff, perf@cutoffs[which.max(perf@measure)])
  expect_match(printed(perf), "Best Cutoff for Accuracy", fixed = TRUE)
  expect_error(h2o.performance(s$pred[, 3], s$prostate[, 2], thresholds = c(0.5, NA)),
               "thresholds must be finite numbers", fixed = TRUE)
})

test_that("h2o.performance: each measure's best cutoff; max_per_class_error is minimised", {
  s <- perf_setup()
  for (measure in c("F2", "precision", "recall", "specificity", "mcc")) {
    perf <- h2o.performance(s$pred[, 3], s$prostate[, 2], measure = measure, gains = FALSE)
    expect_equal(perf@model$best_cutoff, perf@cutoffs[which.max(perf@measure)], info = measure)
  }
  perf <- h2o.performance(s$pred[, 3], s$prostate[, 2], measure = "max_per_class_error",
                          gains = FALSE)
  expect_equal(perf@model$best_cutoff, perf@cutoffs[which.min(perf@measure)])
  expect_equal(perf@model$max_per_class_err, min(perf@measure))
  expect_match(printed(perf), "Best Cutoff for Max_per_class_error", fixed = TRUE)
  expect_match(printed(h2o.performance(s$pred[, 3], s$prostate[, 2], measure = "mcc",
                                       gains = FALSE)), "Best Cutoff for MCC", fixed = TRUE)
  pdf(NULL)
  on.exit(dev.off())
  expect_invisible(plot(perf))
  expect_invisible(plot(perf, type = "roc"))
  expect_error(plot(perf, type = "lift"), "type must be either 'cutoffs' or 'roc'", fixed = TRUE)
})

test_that("gains table: groups rows, cumulative capture up to 1, the top group's response", {
  s <- perf_setup()
  perf <- h2o.performance(s$pred[, 3], s$prostate[, 2], measure = "F1", groups = 5)
  g <- perf@gains
  expect_equal(names(g), c("Quantile", "Mean.Response", "Lift", "Cume.Pct.Total.Lift"))
  expect_equal(nrow(g), 5)
  expect_equal(g$Quantile[5], 1)
  expect_equal(g$Cume.Pct.Total.Lift[5], 1)
  expect_true(all(diff(g$Cume.Pct.Total.Lift) >= 0))
  expect_equal(g, h2o.gains(s$prostate[, 2], s$pred[, 3], groups = 5))
  ord <- order(s$p, decreasing = TRUE)
  k <- round(g$Quantile[1] * 380)
  if (s$p[ord][k] != s$p[ord][k + 1])
    expect_equal(g$Mean.Response[1], mean(s$y[ord][1:k]), tolerance = 1e-9)
  expect_equal(g$Lift[1], g$Mean.Response[1] / mean(s$y), tolerance = 1e-9)
  g10 <- h2o.gains(s$prostate[, 2], s$pred[, 3])
  expect_equal(nrow(g10), 10)
  pct <- h2o.gains(s$prostate[, 2], s$pred[, 3], percents = TRUE)
  expect_equal(pct$Quantile, 100 * g10$Quantile)
  expect_equal(pct$Mean.Response, 100 * g10$Mean.Response)
  expect_equal(pct$Cume.Pct.Total.Lift, 100 * g10$Cume.Pct.Total.Lift)
  expect_equal(pct$Lift, g10$Lift)
})

test_that("a factor reference: its two levels label the confusion matrix", {
  client <- test_client()
  p <- c(0.9, 0.8, 0.8, 0.7, 0.6, 0.4, 0.35, 0.3, 0.2, 0.1, 0.05, 0.65)
  y <- c("yes", "yes", "no", "yes", "no", "yes", "no", "no", "no", "no", "yes", "no")
  file <- tempfile(fileext = ".csv")
  write.csv(data.frame(p = p, y = y), file, row.names = FALSE)
  fr <- h2o.uploadFile(client, file, key = "perf_factor.hex", header = TRUE, sep = ",")
  perf <- h2o.performance(fr[, "p"], fr$y, measure = "F1", thresholds = c(0.5, 0.32))
  expect_equal(perf@model$auc, r_auc(p, as.numeric(y == "yes")), tolerance = 1e-9)
  expect_equal(unlist(perf@roc[2, c("TN", "FP", "FN", "TP")]),
               counts_at(p, as.numeric(y == "yes"), 0.32))
  expect_equal(dimnames(perf@model$confusion)$Actual, c("no", "yes", "Totals"))
  expect_error(h2o.performance(fr$y, fr$p), "must be a numeric column of probabilities",
               fixed = TRUE)
})

test_that("h2o.performance and h2o.gains: argument errors", {
  s <- perf_setup()
  p1 <- s$pred[, 3]
  y <- s$prostate[, 2]
  expect_error(h2o.performance("x", y), "data must be an H2O parsed dataset", fixed = TRUE)
  expect_error(h2o.performance(p1, 1), "reference must be an H2O parsed dataset", fixed = TRUE)
  expect_error(h2o.performance(s$pred, y), "Must specify exactly one column for data", fixed = TRUE)
  expect_error(h2o.performance(p1, s$prostate), "Must specify exactly one column for reference",
               fixed = TRUE)
  expect_error(h2o.performance(p1, y, measure = "auc"),
               "measure must be one of [F1, F2, accuracy, precision, recall, specificity, mcc, max_per_class_error]",
               fixed = TRUE)
  expect_error(h2o.performance(p1, y, thresholds = "0.5"), "thresholds must be a numeric vector",
               fixed = TRUE)
  expect_error(h2o.performance(p1, y, foo = 1), "unused argument(s): foo", fixed = TRUE)
  expect_error(h2o.performance(p1, y, groups = 0), "`groups` must be >= 1", fixed = TRUE)
  expect_error(h2o.performance(p1, y, gains = NA), "gains must be TRUE or FALSE", fixed = TRUE)
  expect_error(h2o.gains("x", p1), "`actual` must be an H2O parsed dataset", fixed = TRUE)
  expect_error(h2o.gains(y, "x"), "`predicted` must be an H2O parsed dataset", fixed = TRUE)
  expect_error(h2o.gains(s$prostate, p1), "Must specify exactly one column for `actual`",
               fixed = TRUE)
  expect_error(h2o.gains(y, s$pred), "Must specify exactly one column for `predicted`",
               fixed = TRUE)
  expect_error(h2o.gains(y, p1, groups = 0), "`groups` must be >= 1", fixed = TRUE)
})

test_that("h2o.performance sends the labels and the number of groups", {
  form <- capture_post(h2o:::.h2o.__binomialMetrics(
    new("H2OParsedData", h2o = fake_client(), key = "p.hex", col_names = "a", nrows = 10, ncols = 1),
    new("H2OParsedData", h2o = fake_client(), key = "a.hex", col_names = "y", nrows = 10, ncols = 1),
    7))
  expect_match(form[["url"]], "/3/ModelMetrics/predictions_frame/p.hex/actuals_frame/a.hex$")
  expect_equal(form[["domain"]], "[\"0\",\"1\"]")
  expect_equal(form[["gainslift_bins"]], "7")
})
