# Grid search through h2o.deeplearning: which arguments make a grid, the one request sent
# (hyper_parameters), H2ODeepLearningGrid with models and sumtable best first, show().

SUMTABLE_FIELDS <- c("model_key", "activation", "hidden", "rate", "rate_annealing",
                     "momentum_start", "momentum_ramp", "momentum_stable", "l1_reg", "l2_reg",
                     "epochs", "prediction_error", "run_time")

test_that("hidden as a list and l1 as a vector: every combination, sorted by validation error", {
  client <- test_client()
  prostate <- prostate_frame(client)
  g <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = list(c(3), c(4, 4)),
                        l1 = c(1e-5, 1e-7), validation = prostate, epochs = 1, seed = 3)
  expect_s4_class(g, "H2ODeepLearningGrid")
  expect_equal(g@data@key, "dlt_prostate.hex")
  expect_equal(length(g@model), 4L)
  expect_equal(length(g@sumtable), 4L)
  expect_true(all(vapply(g@model, is, TRUE, "H2ODeepLearningModel")))
  for (s in g@sumtable) expect_equal(names(s), SUMTABLE_FIELDS)
  errors <- vapply(g@sumtable, function(s) s$prediction_error, 0)
  expect_false(is.unsorted(errors))
  expect_equal(errors, vapply(g@model, function(m) m@model$valid_class_error, 0))
  expect_equal(vapply(g@sumtable, function(s) s$model_key, ""), vapply(g@model, function(m) m@key, ""))
  combos <- vapply(g@model, function(m) paste(paste(m@model$params$hidden, collapse = "x"),
                                              m@model$params$l1), "")
  expect_setequal(combos, c("3 1e-05", "3 1e-07", "4x4 1e-05", "4x4 1e-07"))
  l1 <- lapply(g@model, function(x) x@model$params$l1)
  expect_equal(unlist(l1), vapply(g@sumtable, function(s) s$l1_reg, 0))
  expect_true(all(vapply(g@model, function(m) m@valid@key, "") == "dlt_prostate.hex"))
  expect_true(all(vapply(g@sumtable, function(s) s$run_time, 0) >= 0))
  out <- printed(g)
  expect_match(out, paste("Grid Search Model Key:", g@key), fixed = TRUE)
  expect_match(out, "Summary", fixed = TRUE)
  expect_match(out, "prediction_error", fixed = TRUE)
  expect_match(out, "1e-07", fixed = TRUE)
  expect_match(out, "4, 4", fixed = TRUE)
  # a grid model is an ordinary model on the server
  again <- h2o.getModel(client, g@model[[1]]@key)
  expect_equal(again@model, g@model[[1]]@model)
})

test_that("without validation the grid is ranked by training error; key names the grid", {
  client <- test_client()
  prostate <- prostate_frame(client)
  g <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, activation = c("Tanh", "Rectifier"),
                        hidden = 3, epochs = 1, key = "dlt_grid")
  expect_equal(g@key, "dlt_grid")
  errors <- vapply(g@sumtable, function(s) s$prediction_error, 0)
  expect_false(is.unsorted(errors))
  expect_equal(errors, vapply(g@model, function(m) m@model$train_class_error, 0))
  expect_setequal(vapply(g@sumtable, function(s) s$activation, ""), c("Tanh", "Rectifier"))
})

test_that("a list of one topology, and non-grid arguments, train a single model", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = list(c(3, 2)), epochs = 1)
  expect_s4_class(m, "H2ODeepLearningModel")
  expect_equal(m@model$params$hidden, c(3, 2))
})

test_that("the grid request: one POST with the hyper-parameters as JSON", {
  form <- capture_post(h2o.deeplearning(x = c("a", "n"), y = "y", data = fake_frame(),
                                        hidden = list(c(200, 200), c(100, 300, 100)),
                                        l1 = c(1e-5, 1e-7), rate = c(0.1, 0.01), epochs = 1,
                                        key = "gk"))
  expect_match(form[["url"]], "/99/Grid/deeplearning$")
  hyper <- jsonlite::fromJSON(form[["hyper_parameters"]], simplifyVector = FALSE)
  expect_setequal(names(hyper), c("hidden", "l1", "rate"))
  expect_equal(hyper$hidden, list(list(200L, 200L), list(100L, 300L, 100L)))
  expect_equal(unlist(hyper$l1), c(1e-5, 1e-7))
  expect_equal(form[["grid_id"]], "gk")
  expect_false(any(c("hidden", "l1", "model_id") %in% names(form)))
  expect_equal(form[["epochs"]], "1")
  expect_equal(form[["training_frame"]], "fake.hex")
  # a list of scalars is a grid over one-layer topologies
  one <- capture_post(h2o.deeplearning(x = "a", y = "y", data = fake_frame(), hidden = list(10, 20)))
  expect_equal(jsonlite::fromJSON(one[["hyper_parameters"]], simplifyVector = FALSE)$hidden,
               list(list(10L), list(20L)))
})

test_that("a grid over hidden is checked with each topology, not the default (200, 200)", {
  client <- test_client()
  prostate <- prostate_frame(client)
  g <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, activation = "RectifierWithDropout",
                        hidden = list(c(3, 3, 3), c(4, 4, 4)), hidden_dropout_ratios = c(.5, .5, .5),
                        epochs = 1, seed = 3)
  expect_equal(length(g@model), 2L)
  expect_setequal(vapply(g@model, function(m) paste(m@model$params$hidden, collapse = "x"), ""),
                  c("3x3x3", "4x4x4"))
})

test_that("a checkpoint restart over several epochs values: each total is the checkpoint's plus it", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m1 <- tiny_model(prostate, key = "dlt_grid_ckpt")
  g <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, checkpoint = m1, epochs = c(1, 2))
  expect_s4_class(g, "H2ODeepLearningGrid")
  expect_setequal(vapply(g@model, function(m) m@model$params$epochs, 0), c(2, 3))
})

test_that("the server's warnings on a grid reach R as warnings", {
  client <- test_client()
  prostate <- prostate_frame(client)
  expect_warning(h2o.deeplearning(x = 3:9, y = 2, data = prostate, activation = "Tanh", hidden = 3,
                                  hidden_dropout_ratios = 0.5, l1 = c(0, 1e-4), epochs = 1),
                 "hidden_dropout_ratios are used only with")
})
