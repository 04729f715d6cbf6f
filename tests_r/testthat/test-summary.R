# summary() layout from fake /3/Frames/{id}/summary answers (no server needed).

summary_answer <- function(columns, rows = 10) {
  json(list(frames = list(list(frame_id = list(name = "f.hex"), rows = rows,
                               default_percentiles = c(0.001, 0.01, 0.1, 0.2, 0.25, 0.3, 1/3, 0.4,
                                                       0.5, 0.6, 2/3, 0.7, 0.75, 0.8, 0.9, 0.99, 0.999),
                               columns = columns))))
}

fake_frame <- function() new("H2OParsedData", h2o = fake_client(), key = "f.hex", nrows = 10, ncols = 3)

test_that("numeric columns show six statistics and NA's; factors their top levels", {
  pct <- c(0, 0, 1, 2, 2.5, 3, 3, 4, 5, 6, 6, 7, 7.5, 8, 9, 10, 10)
  cols <- list(
    list(label = "num", type = "real", missing_count = 1, mins = list(0), maxs = list(10),
         mean = 5, percentiles = pct),
    list(label = "fac", type = "enum", missing_count = 2, domain = c("a", "bb", "c"),
         histogram_bins = c(3, 4, 1)),
    list(label = "txt", type = "string", missing_count = 0))
  s <- with_transport(function(r) {
    expect_match(r$url, "/3/Frames/f.hex/summary$")
    summary_answer(cols)
  }, summary(fake_frame()))
  expect_s3_class(s, "table")
  expect_equal(colnames(s), c("num", "fac", "txt"))
  expect_equal(rownames(s), rep("", 7))
  expect_equal(unname(s[, "num"]),
               c("Min.   : 0.0  ", "1st Qu.: 2.5  ", "Median : 5.0  ", "Mean   : 5.0  ",
                 "3rd Qu.: 7.5  ", "Max.   :10.0  ", "NA's   :1  "))
  expect_equal(unname(s[1:4, "fac"]), c("bb  :4 ", "a   :3 ", "c   :1 ", "NA's:2 "))
  expect_true(all(is.na(s[5:7, "fac"])))
  expect_equal(unname(s[1, "txt"]), "Length:10  ")
  printed <- capture.output(print(s))
  expect_match(printed[1], "num.*fac.*txt")
})

test_that("without percentiles the mean is repeated; NA's take the 6th slot of a full factor", {
  cols <- list(
    list(label = "m", type = "int", missing_count = 0, mins = list(1), maxs = list(3), mean = 2,
         percentiles = NULL),
    list(label = "f", type = "enum", missing_count = 5, domain = letters[1:7],
         histogram_bins = 7:1))
  s <- with_transport(function(r) summary_answer(cols), summary(fake_frame()))
  expect_equal(nrow(s), 6)
  expect_true(all(grepl(":2  $", s[, "m"])))
  expect_equal(unname(s[, "f"]), c("a   :7 ", "b   :6 ", "c   :5 ", "d   :4 ", "e   :3 ", "NA's:5 "))
})

test_that("show() of models and grids follows the legacy layout", {
  data <- new("H2OParsedData", h2o = new("H2OClient", ip = "127.0.0.1", port = 54321),
              key = "train.hex")
  cm <- matrix(c(5, 1, 6, 0, 4, 4, 0, 0.2, 0.1), 3,
               dimnames = list(Actual = c("a", "b", "Totals"), Predicted = c("a", "b", "Error")))
  m <- new("H2ODeepLearningModel", key = "dl_1", data = data,
           model = list(params = list(classification = TRUE, nfolds = 0),
                        train_class_error = 0.1, confusion = cm, train_auc = 0.9),
           valid = new("H2OParsedData", key = NA_character_), xval = list())
  out <- capture.output(show(m))
  expect_equal(out[1:4], c("IP Address: 127.0.0.1 ", "Port      : 54321 ",
                           "Parsed Data Key: train.hex ", ""))
  expect_true("Deep Learning Model Key: dl_1" %in% out)
  expect_true("Training classification error: 0.1" %in% out)
  expect_false(any(grepl("Validation", out)))
  expect_true("Reported on train.hex " %in% out)
  expect_true("AUC =  0.9 (on train) " %in% out)
  m@valid <- new("H2OParsedData", key = "valid.hex")
  m@model$valid_class_error <- 0.2
  out <- capture.output(show(m))
  expect_true("Validation classification error: 0.2" %in% out)
  expect_true("Reported on valid.hex " %in% out)
  r <- new("H2ODeepLearningModel", key = "dl_2", data = data,
           model = list(params = list(classification = FALSE), train_sqr_error = 0.5))
  out <- capture.output(show(r))
  expect_true("Training mean square error: 0.5" %in% out)
  g <- new("H2ODeepLearningGrid", key = "grid_1", data = data, model = list(m, r),
           sumtable = list(list(model_key = "dl_1", prediction_error = 0.2),
                           list(model_key = "dl_2", prediction_error = 0.5)))
  out <- capture.output(show(g))
  expect_true("Grid Search Model Key: grid_1 " %in% out)
  expect_true("Summary" %in% out)
  expect_true(any(grepl("dl_2 +0.5", out)))
})
