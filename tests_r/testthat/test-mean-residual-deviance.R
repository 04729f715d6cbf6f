# h2o.mean_residual_deviance (H2O-3's): the deviance of the model's distribution from its
# metrics, for training, validation and cross-validation, as H2O-3's flags select them.

test_that("a gaussian regression's mean residual deviance is its MSE, per part asked for", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- h2o.deeplearning(x = 3:9, y = "PSA", data = prostate, hidden = 5, epochs = 1, seed = 7,
                        validation = prostate)
  train <- h2o.mean_residual_deviance(m)
  expect_equal(train, m@model$train_sqr_error, tolerance = 1e-9)
  expect_identical(h2o.mean_residual_deviance(m, train = TRUE), train)
  both <- h2o.mean_residual_deviance(m, train = TRUE, valid = TRUE)
  expect_named(both, c("train", "valid"))
  expect_equal(both[["valid"]], m@model$valid_sqr_error, tolerance = 1e-9)
  expect_warning(none <- h2o.mean_residual_deviance(m, xval = TRUE), "no xval metrics")
  expect_null(none)
  expect_true(is.na(h2o.mean_residual_deviance(tiny_model(prostate))))   # a classifier
  expect_error(h2o.mean_residual_deviance(prostate), "object must be an H2O model")
  expect_error(h2o.mean_residual_deviance(m, valid = "yes"), "valid must be TRUE or FALSE")
})
