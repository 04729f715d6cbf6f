# h2o.deeplearning: arguments (legacy names, x/y, checks), the request sent, the model
# object and its show(), classification / regression / multinomial / autoencoder,
# cross-validation, checkpoint restarts, the progress bar and every error path.

test_that("a classifier on prostate: slots, params, confusion matrix, errors and show()", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate, key = "dlt_classifier")
  expect_s4_class(m, "H2ODeepLearningModel")
  expect_equal(m@key, "dlt_classifier")
  expect_equal(m@data@key, "dlt_prostate.hex")
  expect_true(is.na(m@valid@key))
  expect_equal(m@xval, list())
  p <- m@model$params
  expect_true(p$classification)
  expect_equal(p$hidden, 5)
  expect_equal(p$epochs, 1)
  expect_equal(p$seed, 7)
  expect_equal(p$activation, "Rectifier")
  expect_equal(p$loss, "CrossEntropy")               # Automatic resolved
  expect_equal(c(p$momentum_start, p$momentum_stable), c(0, 0))
  expect_equal(names(p)[1:2], c("start_time", "end_time"))
  expect_equal(utils::tail(names(p), 1), "nfolds")
  expect_false(any(c("training_frame", "response_column", "model_id") %in% names(p)))
  cm <- m@model$confusion
  expect_equal(dim(cm), c(3L, 3L))
  expect_equal(dimnames(cm), list(Actual = c("0", "1", "Totals"), Predicted = c("0", "1", "Error")))
  expect_equal(sum(cm[1:2, 1:2]), 380)
  expect_equal(cm[3, 3], round(m@model$train_class_error, 5), tolerance = 1e-5)
  expect_true(m@model$train_class_error >= 0 && m@model$train_class_error <= 1)
  expect_null(m@model$valid_class_error)
  expect_null(m@model$train_sqr_error)
  expect_true(is.numeric(m@model$train_auc))
  expect_s3_class(m@model$scoring_history, "data.frame")
  out <- printed(m)
  expect_match(out, "Deep Learning Model Key: dlt_classifier", fixed = TRUE)
  expect_match(out, "Training classification error:", fixed = TRUE)
  expect_match(out, "Confusion matrix:\nReported on dlt_prostate.hex", fixed = TRUE)
  expect_match(out, "AUC = ", fixed = TRUE)
  expect_false(grepl("Validation", out))
})

test_that("x and y by name, a validation frame, variable importances", {
  client <- test_client()
  prostate <- prostate_frame(client)
  x <- c("AGE", "RACE", "DPROS", "DCAPS", "PSA", "VOL", "GLEASON")
  m <- h2o.deeplearning(x = x, y = "CAPSULE", data = prostate, hidden = c(4, 3), epochs = 1,
                        validation = prostate, variable_importances = TRUE)
  expect_equal(m@valid@key, "dlt_prostate.hex")
  expect_true(is.numeric(m@model$valid_class_error))
  expect_equal(m@model$params$hidden, c(4, 3))
  vi <- m@model$varimp
  expect_true(is.data.frame(vi))                     # legacy: one row, a column per input
  expect_equal(nrow(vi), 1L)
  expect_setequal(names(vi), x)
  expect_false(is.unsorted(rev(unlist(vi))))
  expect_equal(max(unlist(vi)), 1)
  table <- h2o.varimp(m)
  expect_equal(names(table), c("variable", "relative_importance", "scaled_importance", "percentage"))
  expect_equal(table$variable, names(vi))
  expect_equal(table$scaled_importance, unname(unlist(vi)))
  expect_equal(sum(table$percentage), 1)
  expect_message(expect_null(h2o.varimp(tiny_model(prostate))), "variable importances")
  out <- printed(m)
  expect_match(out, "Validation classification error:", fixed = TRUE)
  expect_match(out, "Reported on dlt_prostate.hex", fixed = TRUE)
  expect_match(out, "Relative Variable Importance:", fixed = TRUE)
  expect_match(out, "AUC =  [0-9.]+ \\(on validation\\)")
  expect_true(all(c("auc", "best_cutoff", "F1", "accuracy", "error") %in% names(m@model)))
})

test_that("regression: a real response, or classification = FALSE on an integer one", {
  client <- test_client()
  prostate <- prostate_frame(client)
  real <- h2o.deeplearning(x = c(3, 4, 5), y = "PSA", data = prostate, hidden = 3, epochs = 1)
  expect_false(real@model$params$classification)
  expect_true(is.numeric(real@model$train_sqr_error))
  expect_null(real@model$confusion)
  expect_match(printed(real), "Training mean square error:", fixed = TRUE)
  int <- tiny_model(prostate, classification = FALSE)
  expect_false(int@model$params$classification)
  expect_null(int@model$train_class_error)
})

test_that("multinomial with validation: 4x4 confusion matrix and hit ratios", {
  client <- test_client()
  iris <- iris_frame(client)
  m <- h2o.deeplearning(x = 1:4, y = 5, data = iris, validation = iris, hidden = 5, epochs = 2)
  expect_equal(dim(m@model$confusion), c(4L, 4L))
  expect_equal(names(m@model$hit_ratios), c("k", "hit_ratios"))
  expect_equal(m@model$hit_ratios$k, 1:3)
  expect_match(printed(m), "Hit Ratios for Multi-class Classification:", fixed = TRUE)
})

test_that("cross-validation: the fold models are in @xval and show() says so", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate, nfolds = 2, key = "dlt_cv")
  expect_equal(length(m@xval), 2L)
  expect_true(all(vapply(m@xval, is, TRUE, "H2ODeepLearningModel")))
  expect_equal(vapply(m@xval, function(x) x@key, ""), c("dlt_cv_cv_1", "dlt_cv_cv_2"))
  expect_equal(m@model$params$nfolds, 2)
  expect_true(is.numeric(m@model$valid_class_error))
  out <- printed(m)
  expect_match(out, "Reported on 2-fold cross-validated data", fixed = TRUE)
  expect_match(out, "Cross-Validation Models:\n  dlt_cv_cv_1", fixed = TRUE)
})

test_that("an autoencoder: anomaly scores as a one-column frame, reconstruction by predict", {
  client <- test_client()
  train <- model_frame(client, "ecg_train.csv", "dlt_ecg_train.hex", header = FALSE)
  test <- model_frame(client, "ecg_test.csv", "dlt_ecg_test.hex", header = FALSE)
  ae <- h2o.deeplearning(x = 1:210, y = 1, train, activation = "Tanh", classification = F,
                         autoencoder = T, hidden = c(5), epochs = 2)
  expect_true(ae@model$params$autoencoder)
  expect_true(is.numeric(ae@model$train_sqr_error))
  expect_match(printed(ae), "Training mean square error:", fixed = TRUE)
  err <- h2o.anomaly(test, ae, key = "dlt_anomaly")
  expect_s4_class(err, "H2OParsedData")
  expect_equal(err@key, "dlt_anomaly")
  expect_equal(err@col_names, "Reconstruction.MSE")
  df <- as.data.frame(err)
  expect_equal(dim(df), c(23L, 1L))
  expect_true(all(df$Reconstruction.MSE >= 0))
  grDevices::pdf(NULL)
  expect_silent(plot.ts(df))
  grDevices::dev.off()
  recon <- h2o.predict(ae, test)
  expect_equal(ncol(recon), 210)
  expect_true(all(startsWith(recon@col_names, "reconstr_")))
  expect_equal(nrow(head(recon)), 6L)
})

test_that("checkpoint: epochs are additional, the history continues, by object or key", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m1 <- tiny_model(prostate, key = "dlt_ckpt1")
  m2 <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, checkpoint = m1, epochs = 2,
                         key = "dlt_ckpt2")
  expect_equal(m2@model$params$epochs, 3)
  expect_equal(m2@model$params$checkpoint, "dlt_ckpt1")
  h1 <- m1@model$scoring_history
  h2 <- m2@model$scoring_history
  expect_equal(h2$epochs[seq_len(nrow(h1))], h1$epochs)
  expect_false(is.unsorted(h2$epochs))
  expect_equal(utils::tail(h2$epochs, 1), 3, tolerance = 0.01)
  expect_equal(m2@model$params$hidden, 5)
  m3 <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, checkpoint = "dlt_ckpt2", epochs = 1)
  expect_equal(m3@model$params$epochs, 4)
  # the checkpoint is left as it was
  expect_equal(h2o.getModel(client, "dlt_ckpt1")@model$params$epochs, 1)
})

test_that("an autoencoder refuses classification = TRUE", {
  client <- test_client()
  prostate <- prostate_frame(client)
  expect_error(h2o.deeplearning(x = 3:9, data = prostate, autoencoder = TRUE, classification = TRUE,
                                hidden = 3, epochs = 1),
               "classification must be FALSE for an autoencoder", fixed = TRUE)
})

test_that("checkpoint errors: another response, missing or ignored columns, unknown key", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m1 <- tiny_model(prostate, key = "dlt_ckpt_err")
  expect_error(h2o.deeplearning(x = 3:9, y = 3, data = prostate, checkpoint = m1, epochs = 1),
               "response column y ('AGE') differs from that of the checkpointed model dlt_ckpt_err ('CAPSULE')",
               fixed = TRUE)
  expect_error(h2o.deeplearning(x = 3:8, y = 2, data = prostate, checkpoint = m1, epochs = 1),
               "x lacks column(s) that the checkpointed model dlt_ckpt_err uses: GLEASON", fixed = TRUE)
  m4 <- h2o.deeplearning(x = 3:8, y = 2, data = prostate, hidden = 3, epochs = 1)
  expect_error(h2o.deeplearning(x = 3:9, y = 2, data = prostate, checkpoint = m4, epochs = 1),
               "x has column\\(s\\) that the checkpointed model .* ignored: GLEASON")
  expect_error(h2o.deeplearning(x = 3:9, y = 2, data = prostate, checkpoint = "no_such_model"),
               "Model 'no_such_model' not found", fixed = TRUE)
  expect_error(h2o.deeplearning(x = 3:9, y = 2, data = prostate, checkpoint = 3),
               "checkpoint must be valid key or an object of type H2ODeepLearningModel", fixed = TRUE)
})

test_that("a checkpoint restart that changes the layers or the activation stops naming both values", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m1 <- tiny_model(prostate, key = "dlt_ckpt_struct")
  expect_error(h2o.deeplearning(x = 3:9, y = 2, data = prostate, checkpoint = m1, epochs = 1, hidden = 7),
               "Cannot change parameter hidden on a checkpoint restart: the checkpointed model has [5], the request [7]",
               fixed = TRUE)
  expect_error(h2o.deeplearning(x = 3:9, y = 2, data = prostate, checkpoint = m1, epochs = 1,
                                activation = "Tanh"),
               "Cannot change parameter activation", fixed = TRUE)
  expect_error(h2o.deeplearning(x = 3:9, y = 2, data = prostate, epochs = Inf, hidden = 3),
               "epochs must be a finite number", fixed = TRUE)
})

test_that("argument errors are stopped in R with legacy messages", {
  client <- test_client()
  prostate <- prostate_frame(client)
  dl <- function(...) h2o.deeplearning(x = 3:9, y = 2, data = prostate, epochs = 1, ...)
  expect_error(dl(activaton = "Tanh"),
               "h2o.deeplearning: unknown argument(s): activaton (did you mean activation?)", fixed = TRUE)
  expect_error(dl(foo = 1, bar = 2), "unknown argument(s): foo, bar", fixed = TRUE)
  expect_error(h2o:::.h2o.__unknownArgs(list(1, 2), "x", "h2o.deeplearning"),
               "2 unnamed argument(s) beyond x, y and data", fixed = TRUE)
  expect_error(h2o.deeplearning(x = 1:20, y = 2, data = prostate), "Out of range explanatory variable 10",
               fixed = TRUE)
  expect_error(h2o.deeplearning(x = c("AGE", "nope"), y = 2, data = prostate),
               "nope is not a valid column name", fixed = TRUE)
  expect_error(h2o.deeplearning(x = 3:9, y = 99, data = prostate),
               "Response variable index 99 is out of range", fixed = TRUE)
  expect_error(h2o.deeplearning(x = 3:9, y = "nope", data = prostate), "nope is not a column name",
               fixed = TRUE)
  expect_error(h2o.deeplearning(x = 3:9, data = prostate), "Must specify y", fixed = TRUE)
  expect_error(h2o.deeplearning(y = 2, data = prostate), "Must specify x", fixed = TRUE)
  expect_error(h2o.deeplearning(x = 3:9, y = 2), "Must specify data", fixed = TRUE)
  expect_error(h2o.deeplearning(x = 3:9, y = 2, data = "prostate"),
               "data must be an H2O parsed dataset", fixed = TRUE)
  expect_error(h2o.deeplearning(x = TRUE, y = 2, data = prostate), "x must be column names or indices",
               fixed = TRUE)
  expect_error(dl(l1 = "a"), "l1 must be of type numeric", fixed = TRUE)
  expect_error(dl(activation = 1), "activation must be of type character", fixed = TRUE)
  expect_error(dl(fast_mode = "yes"), "fast_mode must be of type logical", fixed = TRUE)
  expect_error(dl(hidden = "big"), "hidden must be of type numeric", fixed = TRUE)
  expect_error(dl(classification = NA), "classification must be TRUE or FALSE", fixed = TRUE)
  expect_error(dl(key = "1bad"), "key must match the regular expression", fixed = TRUE)
  expect_error(dl(nfolds = 1), "nfolds cannot be 1", fixed = TRUE)
  expect_error(dl(nfolds = 3, validation = prostate),
               "Cannot set both validation and nfolds at the same time", fixed = TRUE)
  expect_error(dl(validation = "v"), "validation must be an H2O parsed dataset", fixed = TRUE)
  expect_error(dl(score_interval = c(1, 2)), "score_interval must be a single value", fixed = TRUE)
  expect_error(dl(class_sampling_factors = list(1, 2)), "class_sampling_factors must be a numeric vector",
               fixed = TRUE)
})

test_that("values the server refuses stop with the server's message", {
  client <- test_client()
  prostate <- prostate_frame(client)
  expect_error(tiny_model(prostate, activation = "Sigmoid"),
               "activation: 'Sigmoid' is not a valid value; expected one of Tanh", fixed = TRUE)
  expect_error(tiny_model(prostate, l1 = 2), "l1", fixed = TRUE)
  expect_error(tiny_model(prostate, holdout_fraction = 0.2), "holdout_fraction")
})

test_that("partial argument names work as in the legacy package (no ... swallowing)", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate, input_dropout = 0.2)
  expect_equal(m@model$params$input_dropout_ratio, 0.2)
})

test_that("the progress bar shows unless quiet", {
  client <- test_client()
  prostate <- prostate_frame(client)
  old <- options(h2o.quiet = FALSE)
  on.exit(options(old))
  out <- paste(capture.output(m <- tiny_model(prostate)), collapse = "")
  expect_match(out, "100%", fixed = TRUE)
  quiet <- paste(capture.output(m <- tiny_model(prostate, quiet_mode = TRUE)), collapse = "")
  expect_equal(quiet, "")
})

test_that("the request: legacy names mapped to H2O-3's, only given arguments sent", {
  form <- capture_post(h2o.deeplearning(x = c("a", "k"), y = "y", data = fake_frame(), key = "mk",
                                        hidden = c(20, 10), l1 = 1e-5, seed = 123456789012,
                                        validation = fake_frame("v.hex")))
  expect_match(form[["url"]], "/3/ModelBuilders/deeplearning$")
  expect_equal(form[["training_frame"]], "fake.hex")
  expect_equal(form[["validation_frame"]], "v.hex")
  expect_equal(form[["response_column"]], "y")
  expect_equal(form[["ignored_columns"]], "[\"n\"]")
  expect_equal(form[["model_id"]], "mk")
  expect_equal(form[["hidden"]], "[20,10]")
  expect_equal(form[["l1"]], "1e-05")
  expect_equal(form[["seed"]], "123456789012")
  expect_equal(form[["classification"]], "true")        # integer response: legacy default
  expect_false(any(c("epochs", "activation", "rho", "nfolds") %in% names(form)))
  # a real response: regression left to the server; an autoencoder sends no response
  real <- capture_post(h2o.deeplearning(x = "n", y = "a", data = fake_frame(), hidden = 3))
  expect_false("classification" %in% names(real))
  expect_equal(real[["hidden"]], "[3]")
  ae <- capture_post(h2o.deeplearning(x = c("a", "n"), y = "y", data = fake_frame(),
                                      autoencoder = TRUE, classification = FALSE))
  expect_false(any(c("response_column", "classification") %in% names(ae)))
  expect_equal(ae[["ignored_columns"]], "[\"k\",\"y\"]")
  expect_equal(ae[["autoencoder"]], "true")
})
