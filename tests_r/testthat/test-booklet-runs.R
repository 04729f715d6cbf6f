# The booklet's demos/01_start.R, 03_mnist.R and 04_anomaly.R, unchanged, each in a fresh
# Rscript process against the suite's server (H2O_PORT). 03 reads stratified MNIST slices
# (3,000 training and 1,000 test rows, tests_r/data/make_mnist_slices.py) under the names the
# script expects; the script text is never edited.

booklet_script <- function(name) file.path(test_repo(), "demos", name)

booklet_dir <- function(files = character(), slices = character()) {
  dir <- tempfile("booklet_")
  dir.create(dir)
  for (f in files) file.copy(data_file(f), dir)
  for (name in names(slices)) {
    con <- gzfile(file.path(test_repo(), "tests_r", "data", slices[[name]]))
    writeLines(readLines(con), file.path(dir, name))
    close(con)
  }
  dir
}

run_booklet <- function(name, dir) {
  res <- run_rscript(booklet_script(name), dir, env = sprintf("H2O_PORT=%d", test_port()))
  text <- paste(res$output, collapse = "\n")
  expect_equal(res$status, 0L, info = text)
  # R's error lines ("Error in f(): ...", "Error: ..."), not a printed row named "Error"
  # (h2o.performance's table in the demo)
  expect_false(any(grepl("^Error( in .*)?:", res$output)), info = text)
  text
}

# The rows "12  0.0034" of a one-column data.frame printed below the line matching `header`.
printed_rows <- function(lines, header) {
  start <- grep(header, lines)[1L]
  rows <- list()
  for (line in lines[-seq_len(start)]) {
    m <- regmatches(line, regexec("^\\s*([0-9]+)\\s+([-0-9.eE+]+)\\s*$", line))[[1L]]
    if (length(m) == 0L) break
    rows[[length(rows) + 1L]] <- c(as.numeric(m[2L]), as.numeric(m[3L]))
  }
  do.call(rbind, rows)
}

printed_number <- function(text, label) {
  m <- regmatches(text, regexec(paste0(label, "\\s*([-0-9.eE+]+)"), text))[[1L]]
  if (length(m) == 0L) NA_real_ else as.numeric(m[2L])
}

test_that("01_start.R connects and runs demo(h2o.deeplearning) on the shipped prostate data", {
  skip_if_no_server()
  text <- run_booklet("01_start.R", booklet_dir())
  expect_match(text, "R is connected to H2O cluster:", fixed = TRUE)
  expect_match(text, "demo(h2o.deeplearning)", fixed = TRUE)
  expect_match(text, "prostate", fixed = TRUE)
  expect_match(text, "Deep Learning Model Key:", fixed = TRUE)
  # the demo's h2o.performance(prediction[, 3], train[, 2], measure = "F1")
  expect_match(text, "Best Cutoff for F1", fixed = TRUE)
  expect_match(text, "Confusion matrix:", fixed = TRUE)
})

test_that("03_mnist.R runs unchanged: trial, variable importances, grid, checkpoints, save/load", {
  skip_if_no_server()
  dir <- booklet_dir(slices = c(mnist_train.csv = "mnist_train_slice.csv.gz",
                                mnist_test.csv = "mnist_test_slice.csv.gz"))
  started <- Sys.time() - 1
  text <- run_booklet("03_mnist.R", dir)
  # the trial model's show(): key, errors on train and on the validation frame, confusion matrix
  expect_match(text, "Deep Learning Model Key:", fixed = TRUE)
  train_err <- printed_number(text, "Training classification error:")
  valid_err <- printed_number(text, "Validation classification error:")
  expect_true(train_err >= 0 && train_err < 0.2, info = text)
  expect_true(valid_err >= 0 && valid_err < 0.25, info = text)
  expect_match(text, "Reported on test_images.hex", fixed = TRUE)
  expect_match(text, "Hit Ratios for Multi-class Classification:", fixed = TRUE)
  # @model$params of the trial run
  expect_match(text, "RectifierWithDropout", fixed = TRUE)
  # the grid: its key, the summary table, six models with both l1 values
  expect_match(text, "Grid Search Model Key:", fixed = TRUE)
  expect_match(text, "Summary", fixed = TRUE)
  expect_match(text, "prediction_error", fixed = TRUE)
  expect_match(text, "1e-07", fixed = TRUE)
  # the model saved by name (by this run: a file left by an earlier one does not count) and loaded back
  expect_true(file.exists("/tmp/mymodel"))
  expect_true(file.info("/tmp/mymodel")$mtime >= started, info = "/tmp/mymodel was not written by this run")
  client <- test_client()
  grid_models <- h2o.ls(client)
  expect_true(nrow(grid_models) > 0)
})

test_that("04_anomaly.R runs unchanged and ranks the last three ECG heartbeats as the anomalies", {
  skip_if_no_server()
  text <- run_booklet("04_anomaly.R", booklet_dir(c("ecg_train.csv", "ecg_test.csv")))
  lines <- strsplit(text, "\n", fixed = TRUE)[[1L]]
  recon <- printed_rows(lines, "Reconstruction.MSE")
  n_test <- length(readLines(data_file("ecg_test.csv")))
  expect_equal(nrow(recon), n_test, info = text)
  top3 <- recon[order(recon[, 2L], decreasing = TRUE)[1:3], 1L]
  expect_setequal(top3, (n_test - 2L):n_test)
  # head(test_recon.hex): the reconstruction has one column per input
  expect_match(text, "reconstr_", fixed = TRUE)
})
