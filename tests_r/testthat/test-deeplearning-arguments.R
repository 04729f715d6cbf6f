# h2o.deeplearning's arguments are the server's deeplearning parameters: every parameter of
# GET /3/ModelBuilders/deeplearning has an argument (under its name or its legacy alias), and
# every argument is a parameter, a legacy alias of one, or one of R's own arguments. Both sides
# and the alias table are read at run time (the R package's .h2o.__DL_LEGACY_NAMES / _R_ONLY).

server_parameter_names <- function() {
  client <- test_client()
  url <- sprintf("http://%s:%d/3/ModelBuilders/deeplearning", client@ip, client@port)
  reply <- curl::curl_fetch_memory(url)
  expect_equal(reply$status_code, 200L)
  body <- jsonlite::fromJSON(rawToChar(reply$content), simplifyVector = FALSE)
  vapply(body$model_builders$deeplearning$parameters, function(p) p$name, "")
}

test_that("every server parameter has an h2o.deeplearning argument and every argument a parameter", {
  server <- server_parameter_names()
  expect_gt(length(server), 50L)
  aliases <- h2o:::.h2o.__DL_LEGACY_NAMES
  r_only <- h2o:::.h2o.__DL_R_ONLY
  arguments <- names(formals(h2o::h2o.deeplearning))
  expect_true(all(aliases %in% server))                 # the aliases name real parameters
  as_server <- ifelse(arguments %in% names(aliases), aliases[arguments], arguments)
  no_argument <- setdiff(server, as_server)
  no_parameter <- setdiff(arguments[!arguments %in% r_only], c(server, names(aliases)))
  expect(length(no_argument) == 0L,
         paste("server parameters without an h2o.deeplearning argument:",
               paste(no_argument, collapse = ", ")))
  expect(length(no_parameter) == 0L,
         paste("h2o.deeplearning arguments the server does not know:",
               paste(no_parameter, collapse = ", ")))
  # an argument and its legacy alias are never both there
  expect_length(intersect(arguments, aliases), 0L)
})

test_that("H2O-3's arguments are sent under their names, only when given", {
  plain <- capture_post(h2o.deeplearning(x = c("a", "n"), y = "y", data = fake_frame()))
  arguments <- names(formals(h2o::h2o.deeplearning))
  added <- arguments[seq_along(arguments) > match("mini_batch_size", arguments)]
  expect_length(intersect(names(plain), added), 0L)     # none sent when not given
  form <- capture_post(h2o.deeplearning(x = c("a", "n"), y = "y", data = fake_frame(),
                                        distribution = "poisson", tweedie_power = 1.2,
                                        stopping_rounds = 3, stopping_metric = "deviance",
                                        max_runtime_secs = 60, standardize = TRUE,
                                        score_each_iteration = TRUE,
                                        export_checkpoints_dir = NULL))
  expect_equal(form[["distribution"]], "poisson")
  expect_equal(form[["tweedie_power"]], "1.2")
  expect_equal(form[["stopping_rounds"]], "3")
  expect_equal(form[["stopping_metric"]], "deviance")
  expect_equal(form[["max_runtime_secs"]], "60")
  expect_equal(form[["standardize"]], "true")
  expect_equal(form[["score_each_iteration"]], "true")
  expect_false("export_checkpoints_dir" %in% names(form))   # NULL: not sent
  expect_error(h2o.deeplearning(x = 1:2, y = 4, data = fake_frame(), distribution = 1),
               "distribution must be of type character", fixed = TRUE)
  expect_error(h2o.deeplearning(x = 1:2, y = 4, data = fake_frame(), standardize = c(TRUE, FALSE)),
               "standardize must be a single value", fixed = TRUE)
})

test_that("weights_column, offset_column and fold_column: a name or an index, never ignored", {
  form <- capture_post(h2o.deeplearning(x = "a", y = "y", data = fake_frame(),
                                        weights_column = "n", offset_column = 3))
  expect_equal(form[["weights_column"]], "n")
  expect_equal(form[["offset_column"]], "k")
  expect_false("ignored_columns" %in% names(form))      # a, y, n, k: nothing left to ignore
  folds <- capture_post(h2o.deeplearning(x = "a", y = "y", data = fake_frame(), fold_column = 2))
  expect_equal(folds[["fold_column"]], "n")
  expect_equal(folds[["ignored_columns"]], "[\"k\"]")
  none <- capture_post(h2o.deeplearning(x = "a", y = "y", data = fake_frame(), weights_column = NULL))
  expect_false("weights_column" %in% names(none))
  expect_error(h2o.deeplearning(x = "a", y = "y", data = fake_frame(), weights_column = "w"),
               "weights_column: w is not a column name", fixed = TRUE)
  expect_error(h2o.deeplearning(x = "a", y = "y", data = fake_frame(), offset_column = 9),
               "offset_column: column index 9 is out of range", fixed = TRUE)
  expect_error(h2o.deeplearning(x = "a", y = "y", data = fake_frame(), fold_column = c("n", "k")),
               "fold_column must be a column name or index", fixed = TRUE)
})

test_that("the distribution family is searched over as a grid", {
  form <- capture_post(h2o.deeplearning(x = "a", y = "n", data = fake_frame(),
                                        distribution = "tweedie", tweedie_power = c(1.2, 1.8)))
  expect_match(form[["url"]], "/99/Grid/deeplearning$")
  expect_equal(form[["distribution"]], "tweedie")
  expect_match(form[["hyper_parameters"]], "\"tweedie_power\":[1.2,1.8]", fixed = TRUE)
})

test_that("an integer response with a regression distribution is a regression", {
  counts <- capture_post(h2o.deeplearning(x = "a", y = "y", data = fake_frame(),
                                          distribution = "poisson"))
  expect_false("classification" %in% names(counts))      # left to the server: numeric -> regression
  classes <- capture_post(h2o.deeplearning(x = "a", y = "y", data = fake_frame(),
                                           distribution = "bernoulli"))
  expect_equal(classes[["classification"]], "true")
  forced <- capture_post(h2o.deeplearning(x = "a", y = "y", data = fake_frame(),
                                          distribution = "poisson", classification = TRUE))
  expect_equal(forced[["classification"]], "true")
})
