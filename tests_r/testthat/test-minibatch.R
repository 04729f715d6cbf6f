# h2o.deeplearning(mini_batch_size = ): the mini-batch path through the R API, its parameter
# echoed back, reproducible reruns, a checkpoint switching paths, and bad values refused.

test_that("mini_batch_size trains a classifier on mini-batches", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = c(20, 20), epochs = 20, seed = 7,
                        mini_batch_size = 16, key = "dlt_minibatch")
  expect_equal(m@model$params$mini_batch_size, 16)
  expect_true(m@model$train_class_error < 0.4)
  pred <- as.data.frame(h2o.predict(m, prostate))
  expect_equal(nrow(pred), 380L)
  expect_true(all(pred$predict %in% c(0, 1)))
})

test_that("reproducible mini-batch runs are identical, and a checkpoint may go back to one row", {
  client <- test_client()
  prostate <- prostate_frame(client)
  run <- function(key) h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = 10, epochs = 3,
                                        seed = 11, mini_batch_size = 8, reproducible = TRUE, key = key)
  a <- run("dlt_mb_a")
  b <- run("dlt_mb_b")
  expect_equal(as.data.frame(h2o.predict(a, prostate)), as.data.frame(h2o.predict(b, prostate)))
  c <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = 10, epochs = 2, seed = 11,
                        checkpoint = a, mini_batch_size = 1, key = "dlt_mb_c")
  expect_equal(c@model$params$mini_batch_size, 1)
  expect_equal(c@model$params$epochs, 5, tolerance = 1e-6)
})

test_that("bad mini_batch_size values are refused naming the argument", {
  client <- test_client()
  prostate <- prostate_frame(client)
  expect_error(tiny_model(prostate, mini_batch_size = 0), "mini_batch_size")
  expect_error(tiny_model(prostate, mini_batch_size = -3), "mini_batch_size")
  expect_error(tiny_model(prostate, mini_batch_size = 2.5), "mini_batch_size")
  expect_error(tiny_model(prostate, mini_batch_size = 1000), "mini_batch_size")
})
