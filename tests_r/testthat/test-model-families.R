# H2O-3's model families through h2o.deeplearning: a poisson model of counts trained with a
# weights_column reports its distribution and its (weighted poisson) mean residual deviance;
# with reproducible = TRUE a row of weight 0 is as if the row were not there.

counts_data <- function() {
  set.seed(11)
  n <- 80
  x1 <- round(stats::runif(n), 3)
  x2 <- round(stats::runif(n), 3)
  data.frame(x1 = x1, x2 = x2, w = rep(c(1, 2), length.out = n),
             y = stats::rpois(n, exp(0.3 + x1 - x2)))
}

upload_data <- function(client, df, key) {
  path <- tempfile(fileext = ".csv")
  utils::write.csv(df, path, row.names = FALSE)
  h2o.uploadFile(client, path, key = key, header = TRUE, sep = ",")
}

poisson_model <- function(frame, ...) {
  h2o.deeplearning(x = c("x1", "x2"), y = "y", data = frame, hidden = 4, epochs = 5,
                   seed = 5, reproducible = TRUE, distribution = "poisson",
                   weights_column = "w", ...)
}

# H2O-3's mean poisson deviance of predictions mu for counts y: -2 w (y log mu - mu) per row
# (no saturated-model term), summed and divided by the sum of the weights.
poisson_deviance <- function(y, mu, w) sum(-2 * w * (y * log(mu) - mu)) / sum(w)

test_that("a weighted poisson model reports its distribution and its mean residual deviance", {
  client <- test_client()
  df <- counts_data()
  frame <- upload_data(client, df, "fam_counts.hex")
  m <- poisson_model(frame)
  expect_equal(m@model$params$distribution, "poisson")
  expect_equal(m@model$params$weights_column, "w")
  expect_false(m@model$params$classification)             # integer counts: a regression
  deviance <- h2o.mean_residual_deviance(m)
  expect_true(is.finite(deviance) && deviance > 0)
  mu <- as.data.frame(h2o.predict(m, frame))[[1L]]
  expect_true(all(mu > 0))                                 # the log link's mean
  expect_equal(deviance, poisson_deviance(df$y, mu, df$w), tolerance = 1e-4)
})

test_that("a row of weight 0 leaves the model as it is without that row", {
  client <- test_client()
  df <- counts_data()
  zero <- df
  zero$w[7] <- 0
  with_zero <- poisson_model(upload_data(client, zero, "fam_zero.hex"))
  without <- poisson_model(upload_data(client, df[-7, ], "fam_without.hex"))
  deviance <- h2o.mean_residual_deviance(without)
  expect_true(is.finite(deviance))
  expect_equal(h2o.mean_residual_deviance(with_zero), deviance, tolerance = 1e-9)
  expect_equal(with_zero@model$train_sqr_error, without@model$train_sqr_error, tolerance = 1e-9)
  # the row does count when its weight is not 0
  full <- poisson_model(upload_data(client, df, "fam_full.hex"))
  expect_false(isTRUE(all.equal(h2o.mean_residual_deviance(full), deviance, tolerance = 1e-9)))
})
