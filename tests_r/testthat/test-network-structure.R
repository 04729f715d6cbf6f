# H2O-3's network-structure arguments of h2o.deeplearning: hidden = c() (no hidden layer),
# epochs = 0, initial_weights / initial_biases, pretrained_autoencoder and
# export_weights_and_biases with h2o.weights / h2o.biases.

test_that("the structure arguments are sent under H2O-3's names", {
  form <- capture_post(h2o.deeplearning(x = c("a", "k"), y = "y", data = fake_frame(), hidden = c(),
                                        epochs = 0, initial_weights = list(fake_frame("w0.hex"), NULL),
                                        initial_biases = list("b0.hex", NULL),
                                        pretrained_autoencoder = "ae_model",
                                        export_weights_and_biases = TRUE))
  expect_equal(form[["hidden"]], "[]")
  expect_equal(form[["epochs"]], "0")
  expect_equal(form[["initial_weights"]], '["w0.hex",null]')
  expect_equal(form[["initial_biases"]], '["b0.hex",null]')
  expect_equal(form[["pretrained_autoencoder"]], "ae_model")
  expect_equal(form[["export_weights_and_biases"]], "true")
  plain <- capture_post(h2o.deeplearning(x = "a", y = "y", data = fake_frame(), hidden = 3))
  expect_false(any(c("initial_weights", "pretrained_autoencoder", "export_weights_and_biases") %in% names(plain)))
  expect_error(h2o.deeplearning(x = "a", y = "y", data = fake_frame(), initial_weights = list(3)),
               "initial_weights must be a list of H2O parsed datasets or frame keys")
  expect_error(h2o.deeplearning(x = "a", y = "y", data = fake_frame(), pretrained_autoencoder = 3),
               "pretrained_autoencoder must be a model key")
  expect_error(h2o.deeplearning(x = "a", y = "y", data = fake_frame(), export_weights_and_biases = "yes"),
               "export_weights_and_biases must be TRUE or FALSE")
})

test_that("exported weights start another model that predicts the same; no hidden layer trains", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate, key = "ns_source", export_weights_and_biases = TRUE)
  w1 <- h2o.weights(m, 1)
  expect_s4_class(w1, "H2OParsedData")
  expect_equal(dim(w1), c(5L, 7L))
  expect_equal(dim(h2o.biases(m, 2)), c(2L, 1L))
  expect_error(h2o.weights(m, 3), "matrix_id must be between 1 and 2")
  copy <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = 5, epochs = 0, seed = 99,
                           key = "ns_copy", initial_weights = list(w1, h2o.weights(m, 2)),
                           initial_biases = list(h2o.biases(m, 1), h2o.biases(m, 2)))
  a <- as.data.frame(h2o.predict(m, prostate))
  b <- as.data.frame(h2o.predict(copy, prostate))
  expect_equal(a, b)
  expect_error(h2o.weights(copy, 1), "export_weights_and_biases = TRUE")

  flat <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = c(), epochs = 1, seed = 7,
                           key = "ns_flat", variable_importances = TRUE)
  expect_null(flat@model$params$hidden)
  expect_equal(nrow(h2o.varimp(flat)), 7L)
  expect_error(h2o.deepfeatures(prostate, flat), "no hidden layer")
})

test_that("pretrained_autoencoder starts the hidden layers; a mismatch names the field", {
  client <- test_client()
  prostate <- prostate_frame(client)
  ae <- h2o.deeplearning(x = 3:9, data = prostate, autoencoder = TRUE, hidden = 4, epochs = 1, seed = 7,
                         activation = "Tanh", key = "ns_ae")
  tuned <- h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = 4, epochs = 1, seed = 7,
                            activation = "Tanh", pretrained_autoencoder = ae, key = "ns_tuned")
  expect_true(is.numeric(tuned@model$train_class_error))
  expect_error(h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = 3, epochs = 1,
                                activation = "Tanh", pretrained_autoencoder = "ns_ae"),
               "Mismatch between weights in pretrained model")
  expect_error(h2o.deeplearning(x = 3:9, y = 2, data = prostate, hidden = 4, pretrained_autoencoder = tuned),
               "must be unsupervised")
})
