# Grid search from h2o.deeplearning: one POST /99/Grid/deeplearning with the base
# parameters and the hyper-parameters (JSON: name -> list of values); the server trains
# every combination in one job. GET /99/Grids/{id} answers the model keys best first
# (ascending validation error, training error without validation; ties in creation
# order) with their errors. The result is an H2ODeepLearningGrid whose @model and
# @sumtable follow that order (legacy_h2o.md 1.7 and 2.5).

.h2o.__runGrid <- function(client, data, valid, request, hyper, key, progress) {
  if (!is.null(request$seed)) request$seed <- .h2o.__encodeSeed(request$seed)
  request$hyper_parameters <- .h2o.__asJSON(hyper, na = "string")
  if (nzchar(key)) request$grid_id <- key
  res <- .h2o.__remoteSend(client, .h2o.__PAGE_DL_GRID, "POST", .params = request)
  .h2o.__forwardWarnings(res$messages)
  grid_id <- .h2o.__keyName(res$grid_id)
  .h2o.__waitOnJob(client, .h2o.__keyName(res$job$key), progressBar = progress)
  grid <- .h2o.__remoteSend(client, .h2o.__page(.h2o.__PAGE_GRIDS, grid_id), "GET")
  .h2o.__gridFailures(grid)
  ids <- vapply(grid$model_ids %||% list(), .h2o.__keyName, "")
  if (length(ids) == 0L)
    stop(sprintf("Grid search %s trained no model: %s", grid_id,
                 paste(.h2o.__chr(grid$failure_details), collapse = "; ")), call. = FALSE)
  errors <- .h2o.__num(grid$prediction_errors)
  if (length(errors) != length(ids)) errors <- rep(NA_real_, length(ids))
  order <- order(errors, na.last = TRUE)   # stable: the server's order when already sorted
  ids <- ids[order]
  errors <- errors[order]
  valid <- valid %||% .h2o.__noFrame(client)
  jsons <- lapply(ids, function(id) .h2o.__modelJSON(client, id))
  models <- lapply(jsons, function(j) .h2o.__makeModel(client, j, data = data, valid = valid))
  sumtable <- mapply(.h2o.__gridSummary, jsons, errors, SIMPLIFY = FALSE, USE.NAMES = FALSE)
  new("H2ODeepLearningGrid", key = grid_id, data = data, model = models, sumtable = sumtable)
}

# Combinations the server could not train: one warning each.
.h2o.__gridFailures <- function(grid) {
  details <- .h2o.__chr(grid$failure_details)
  failed <- grid$failed_params %||% list()
  for (i in seq_along(details)) {
    combo <- if (i <= length(failed)) .h2o.__describeCombo(failed[[i]]) else ""
    warning(sprintf("grid model%s failed: %s", combo, details[i]), call. = FALSE)
  }
}

.h2o.__describeCombo <- function(combo) {
  if (length(combo) == 0L) return("")
  parts <- vapply(names(combo), function(n)
    sprintf("%s = %s", n, paste(unlist(combo[[n]]), collapse = ",")), "")
  sprintf(" (%s)", paste(parts, collapse = ", "))
}

# One @sumtable entry: the model key, the tunables the booklet's grid varies (the fields
# of the September 2014 release), the prediction error and the run time in milliseconds.
.h2o.__gridSummary <- function(json, error) {
  p <- .h2o.__paramValues(json$parameters)
  list(model_key = .h2o.__keyName(json$model_id), activation = p$activation, hidden = p$hidden,
       rate = p$rate, rate_annealing = p$rate_annealing, momentum_start = p$momentum_start,
       momentum_ramp = p$momentum_ramp, momentum_stable = p$momentum_stable,
       l1_reg = p$l1, l2_reg = p$l2, epochs = p$epochs, prediction_error = error,
       run_time = .h2o.__num(json$output$run_time)[1L])
}
