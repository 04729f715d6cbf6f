# Frame operations on the Rapids evaluator, each checked against base R on the same data
# downloaded with as.data.frame: arithmetic, comparisons and logic, row conditions,
# assignment in place, cbind, as.factor, summaries, h2o.runif, shuffled splits,
# h2o.confusionMatrix and h2o.insertMissingValues.

weather_frame <- function(client) model_frame(client, "weather.csv", "fo_weather.hex")

column <- function(frame) as.data.frame(frame)[[1L]]

test_that("arithmetic between columns and with numbers, NA propagated, as base R", {
  client <- test_client()
  w <- weather_frame(client)
  d <- as.data.frame(w)
  expect_equal(column(w$Sunshine + w$EvapMM), d$Sunshine + d$EvapMM)
  expect_equal(column(w$Temp3pm - w$Temp9am), d$Temp3pm - d$Temp9am)
  expect_equal(column(w$Sunshine * 2), d$Sunshine * 2)
  expect_equal(column(10 / w$WindSpeed9am), 10 / d$WindSpeed9am)
  expect_equal(column(w$Sunshine^2), d$Sunshine^2)
  expect_equal(column(w$MaxWindSpeed %% 7), d$MaxWindSpeed %% 7)
  expect_equal(column(w$MaxWindSpeed %/% 7), d$MaxWindSpeed %/% 7)
  expect_equal(column((w$ChangeTemp - 1) %% 3), (d$ChangeTemp - 1) %% 3)      # negative operands
  expect_equal(column((w$ChangeTemp - 1) %/% 3), (d$ChangeTemp - 1) %/% 3)
  expect_equal(column(-w$Temp9am), -d$Temp9am)
  both <- w[, c("Temp9am", "Temp3pm")] * 10
  expect_equal(both@col_names, c("Temp9am", "Temp3pm"))
  expect_equal(as.data.frame(both), d[, c("Temp9am", "Temp3pm")] * 10)
  expect_true(anyNA(column(w$Sunshine + 1)))
  expect_error(w$ChangeTempDir + 1, "'\\+' needs numeric columns, but column 'ChangeTempDir' is categorical")
})

test_that("comparisons and logic give 0/1 columns (NA where an operand is NA)", {
  client <- test_client()
  w <- weather_frame(client)
  d <- as.data.frame(w)
  cases <- list(
    list(w$Sunshine > 8, d$Sunshine > 8), list(w$Sunshine >= 8, d$Sunshine >= 8),
    list(w$Sunshine < 8, d$Sunshine < 8), list(w$Sunshine <= 8, d$Sunshine <= 8),
    list(w$Cloud9am == w$Cloud3pm, d$Cloud9am == d$Cloud3pm),
    list(w$Cloud9am != 7, d$Cloud9am != 7),
    list(w$Sunshine > 8 & w$EvapMM > 5, d$Sunshine > 8 & d$EvapMM > 5),
    list(w$Sunshine > 8 | w$EvapMM > 5, d$Sunshine > 8 | d$EvapMM > 5),
    list(!(w$Sunshine > 8), !(d$Sunshine > 8)),
    list(w$ChangeTempDir == "up", d$ChangeTempDir == "up"),
    list(w$MaxWindPeriod != "lateAM", d$MaxWindPeriod != "lateAM"))
  for (case in cases) expect_equal(column(case[[1L]]), as.numeric(case[[2L]]))
})

test_that("rows by a condition: data[data$AGE > 60, ], also with & and a column choice", {
  client <- test_client()
  prostate <- prostate_frame(client)
  d <- as.data.frame(prostate)
  old <- prostate[prostate$AGE > 60, ]
  expect_equal(dim(old), c(sum(d$AGE > 60), 9))
  got <- as.data.frame(old)
  want <- d[d$AGE > 60, ]
  rownames(want) <- NULL
  expect_equal(got, want)
  sel <- as.data.frame(prostate[prostate$AGE > 60 & prostate$PSA < 10, c("AGE", "PSA")])
  want <- d[d$AGE > 60 & d$PSA < 10, c("AGE", "PSA")]
  rownames(want) <- NULL
  expect_equal(sel, want)
  # NA in the condition drops the row, as which() does
  w <- weather_frame(client)
  dw <- as.data.frame(w)
  sunny <- as.data.frame(w[w$Sunshine > 10, ])
  want <- dw[which(dw$Sunshine > 10), ]
  rownames(want) <- NULL
  expect_equal(sunny, want)
  expect_error(prostate[prostate[, 2:3] > 1, ], "a row condition must be a single column")
  # a numeric column as the condition: its non-zero rows (H2O's conditional slice)
  expect_equal(nrow(prostate[prostate$CAPSULE, ]), sum(d$CAPSULE != 0))
})

test_that("as.factor on a column and in place: data[, 2] <- as.factor(data[, 2])", {
  client <- test_client()
  prostate <- model_frame(client, "prostate.csv", "fo_factor.hex")     # changed in place
  d <- as.data.frame(prostate)
  f <- as.factor(prostate$GLEASON)
  expect_true(is.factor(f))
  expect_equal(levels(f), levels(as.factor(d$GLEASON)))
  expect_equal(nlevels(f), nlevels(as.factor(d$GLEASON)))
  expect_equal(column(f), as.factor(d$GLEASON))
  key <- prostate@key
  prostate[, 2] <- as.factor(prostate[, 2])
  expect_equal(prostate@key, key)
  expect_equal(is.factor(prostate), c(FALSE, TRUE, rep(FALSE, 7)))
  again <- as.data.frame(h2o.getFrame(client, key))
  expect_equal(again$CAPSULE, as.factor(d$CAPSULE))
  expect_equal(again[, -2], d[, -2])
  expect_false(is.factor(prostate$AGE))
  expect_null(levels(prostate$AGE))
})

test_that("column assignment in place: [<- and $<- with frames, numbers, NA; new columns", {
  client <- test_client()
  prostate <- model_frame(client, "prostate.csv", "fo_assign.hex")     # changed in place
  d <- as.data.frame(prostate)
  key <- prostate@key
  prostate$PSA <- prostate$PSA * 2
  d$PSA <- d$PSA * 2
  prostate[, "VOL"] <- 0
  d$VOL <- 0
  prostate[1:3, "AGE"] <- NA
  d[1:3, "AGE"] <- NA
  prostate[prostate$GLEASON > 7, "DPROS"] <- 9
  d[d$GLEASON > 7, "DPROS"] <- 9
  prostate$RATIO <- prostate$PSA / prostate$AGE
  d$RATIO <- d$PSA / d$AGE
  prostate[c(2, 4), 3] <- prostate[c(5, 6), 3]
  d[c(2, 4), 3] <- d[c(5, 6), 3]
  expect_equal(prostate@key, key)
  expect_equal(prostate@col_names, names(d))
  expect_equal(as.data.frame(h2o.getFrame(client, key)), d)
  expect_error(prostate[, 2] <- 1:3, "value must be an H2O frame or a single value")
  expect_error(prostate[, 12] <- 1, "Array index out of bounds")
})

test_that("cbind of frames and numbers keeps the names (repeated ones made unique)", {
  client <- test_client()
  prostate <- prostate_frame(client)
  d <- as.data.frame(prostate)
  both <- cbind(prostate$AGE, prostate[, c("PSA", "VOL")])
  expect_s4_class(both, "H2OParsedData")
  expect_equal(both@col_names, c("AGE", "PSA", "VOL"))
  expect_equal(as.data.frame(both), d[, c("AGE", "PSA", "VOL")])
  twice <- cbind(prostate$AGE, prostate$AGE)
  expect_equal(twice@col_names, c("AGE", "AGE0"))
  iris <- iris_frame(client)
  expect_error(cbind(prostate$AGE, iris$C1), "cbind frames must have all the same rows")
})

test_that("mean, sd, min, max, range, sum, quantile of columns, with and without NAs", {
  client <- test_client()
  w <- weather_frame(client)
  d <- as.data.frame(w)
  expect_equal(mean(w$Temp9am), mean(d$Temp9am))
  expect_equal(mean(w$Sunshine), NA_real_)
  expect_equal(mean(w$Sunshine, na.rm = TRUE), mean(d$Sunshine, na.rm = TRUE))
  expect_equal(sd(w$Temp9am), sd(d$Temp9am))
  expect_equal(sd(w$Sunshine, na.rm = TRUE), sd(d$Sunshine, na.rm = TRUE))
  expect_true(is.na(sd(w$Sunshine)))
  expect_equal(min(w$Temp9am), min(d$Temp9am))
  expect_equal(max(w$Pressure3pm), max(d$Pressure3pm))
  expect_true(is.na(max(w$Sunshine)))
  expect_equal(max(w$Sunshine, na.rm = TRUE), max(d$Sunshine, na.rm = TRUE))
  expect_equal(range(w$Temp3pm), range(d$Temp3pm))
  expect_equal(sum(w$Cloud9am), sum(d$Cloud9am))
  expect_equal(quantile(w$Temp9am), quantile(d$Temp9am))
  probs <- c(0.01, 0.333, 0.9)
  expect_equal(quantile(w$Sunshine, probs, na.rm = TRUE), quantile(d$Sunshine, probs, na.rm = TRUE))
  expect_error(quantile(w$Sunshine), "missing values and NaN's not allowed if 'na.rm' is FALSE")
  expect_true(is.na(mean(w$ChangeTempDir)))
  expect_equal(levels(w$ChangeTempDir), levels(factor(d$ChangeTempDir)))
  expect_equal(nlevels(w$ChangeTempDir), 2L)
  expect_equal(is.factor(w$ChangeTempDir), TRUE)
  expect_error(min(w$ChangeTempDir), "'min' needs numeric columns")
})

test_that("h2o.runif: one column rnd in [min, max), the same for the same seed", {
  client <- test_client()
  prostate <- prostate_frame(client)
  r <- h2o.runif(prostate, seed = 42)
  expect_equal(r@col_names, "rnd")
  expect_equal(nrow(r), 380)
  v <- column(r)
  expect_true(all(v >= 0 & v < 1))
  expect_equal(column(h2o.runif(prostate, seed = 42)), v)
  expect_false(isTRUE(all.equal(column(h2o.runif(prostate, seed = 43)), v)))
  scaled <- column(h2o.runif(prostate, min = 5, max = 7, seed = 42))
  expect_equal(scaled, 5 + 2 * v)
  expect_error(h2o.runif(prostate, seed = 1.5), "seed must be -1 or a non-negative whole number")
})

test_that("h2o.splitFrame(shuffle = TRUE): disjoint random parts that together are the frame", {
  client <- test_client()
  prostate <- prostate_frame(client)
  set.seed(3)
  parts <- h2o.splitFrame(prostate, ratios = c(0.5, 0.25), shuffle = TRUE)
  expect_equal(vapply(parts, function(p) p@key, ""), paste0(prostate@key, "_part", 0:2))
  ids <- lapply(parts, function(p) as.data.frame(p)$ID)
  expect_equal(sort(unlist(ids)), as.data.frame(prostate)$ID)
  expect_true(abs(length(ids[[1L]]) - 190) < 50)
  expect_false(identical(ids[[1L]], seq_along(ids[[1L]])))       # not the first rows in order
  set.seed(3)
  again <- h2o.splitFrame(prostate, ratios = c(0.5, 0.25), shuffle = TRUE)
  expect_equal(as.data.frame(again[[2L]])$ID, ids[[2L]])
})

test_that("h2o.confusionMatrix of predicted against actual classes, legacy layout", {
  client <- test_client()
  iris <- iris_frame(client)
  d <- as.data.frame(iris)
  pred <- as.factor(iris$C3 > 4)
  actual <- iris$C5
  cm <- h2o.confusionMatrix(pred, actual)
  p <- as.character(as.numeric(d$C3 > 4))
  counts <- unclass(table(factor(d$C5, levels = c(levels(d$C5), "0", "1")),
                          factor(p, levels = c(levels(d$C5), "0", "1"))))
  dimnames(counts) <- NULL
  expect_equal(unname(cm[1:5, 1:5]), counts)
  expect_equal(dimnames(cm), list(Actual = c(levels(d$C5), "0", "1", "Totals"),
                                  Predicted = c(levels(d$C5), "0", "1", "Error")))
  expect_equal(unname(cm[6, 1:5]), colSums(counts))
  expect_equal(unname(cm[6, 6]), 1)
  same <- h2o.confusionMatrix(actual, actual)
  expect_equal(unname(same[1:3, 1:3]), diag(50, 3))
  expect_equal(unname(same[, 4]), c(0, 0, 0, 0))
  expect_error(h2o.confusionMatrix(iris[, 1:2], actual), "data and reference must be single columns")
})

test_that("h2o.insertMissingValues replaces about the fraction of cells, in place", {
  client <- test_client()
  prostate <- model_frame(client, "prostate.csv", "fo_missing.hex")
  before <- as.data.frame(prostate)
  out <- h2o.insertMissingValues(prostate, fraction = 0.1, seed = 5)
  expect_equal(out@key, prostate@key)
  after <- as.data.frame(h2o.getFrame(client, prostate@key))
  hit <- is.na(after)
  expect_true(abs(mean(hit) - 0.1) < 0.03)
  expect_equal(after[!hit], before[!hit])
  expect_error(h2o.insertMissingValues(prostate, fraction = 2), "fraction must be between 0 and 1")
})
