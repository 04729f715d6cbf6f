# h2o.deepfeatures: hidden-layer activations in legacy H2O's layout (the response column first
# when the data has it, then DF.C1..DF.Ck), layer -1 = the last.

test_that("h2o.deepfeatures: each hidden layer's activations, one row per input row", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = c(4, 3), epochs = 1, seed = 7)
  first <- h2o.deepfeatures(prostate, m, layer = 1)
  expect_s4_class(first, "H2OParsedData")
  expect_equal(first@col_names, c("CAPSULE", paste0("DF.C", 1:4)))
  expect_equal(as.data.frame(first)$CAPSULE, as.data.frame(prostate)$CAPSULE)
  expect_equal(nrow(first), nrow(prostate))
  last <- h2o.deepfeatures(prostate, m, key = "dlt_features")
  expect_equal(last@key, "dlt_features")
  expect_equal(last@col_names, c("CAPSULE", paste0("DF.C", 1:3)))
  without <- h2o.deepfeatures(prostate[, -2], m)              # no response column in the data
  expect_equal(without@col_names, paste0("DF.C", 1:3))
  expect_equal(as.data.frame(without), as.data.frame(last)[, -1])
  second <- as.data.frame(h2o.deepfeatures(prostate, m, layer = 2))
  expect_equal(second, as.data.frame(last))
  acts <- as.data.frame(first)[, -1]
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
