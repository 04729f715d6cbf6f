# h2o.deepfeatures: hidden-layer activations, DF.L<layer>.C<j> columns, layer -1 = the last.

test_that("h2o.deepfeatures: each hidden layer's activations, one row per input row", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = c(4, 3), epochs = 1, seed = 7)
  first <- h2o.deepfeatures(prostate, m, layer = 1)
  expect_s4_class(first, "H2OParsedData")
  expect_equal(first@col_names, paste0("DF.L1.C", 1:4))
  expect_equal(nrow(first), nrow(prostate))
  last <- h2o.deepfeatures(prostate, m, key = "dlt_features")
  expect_equal(last@key, "dlt_features")
  expect_equal(last@col_names, paste0("DF.L2.C", 1:3))
  second <- as.data.frame(h2o.deepfeatures(prostate, m, layer = 2))
  expect_equal(second, as.data.frame(last))
  acts <- as.data.frame(first)
  expect_true(all(as.matrix(acts) >= 0))  # Rectifier (the default activation)
})

test_that("h2o.deepfeatures: argument errors", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate)
  expect_error(h2o.deepfeatures(model = m), "Must specify data", fixed = TRUE)
  expect_error(h2o.deepfeatures("x", m), "data must be an H2O parsed dataset", fixed = TRUE)
  expect_error(h2o.deepfeatures(prostate), "Must specify model", fixed = TRUE)
  expect_error(h2o.deepfeatures(prostate, "m"), "model must be an H2O deep learning model",
               fixed = TRUE)
  expect_error(h2o.deepfeatures(prostate, m, key = 1), "key must be of class character",
               fixed = TRUE)
  expect_error(h2o.deepfeatures(prostate, m, layer = "1"), "layer must be of class numeric",
               fixed = TRUE)
  expect_error(h2o.deepfeatures(prostate, m, layer = 2), "layer must be between 1 and 1",
               fixed = TRUE)
  expect_error(h2o.deepfeatures(prostate, m, layer = 0), "layer must be between 1 and 1",
               fixed = TRUE)
})
