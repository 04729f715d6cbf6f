# Frame helpers of the legacy package (legacy_h2o.md section 1.13) on the Rapids evaluator:
# h2o.runif, h2o.confusionMatrix, h2o.insertMissingValues.

# One column `rnd` of uniform random numbers in [min, max), one per row of `data`;
# seed -1 lets the server draw one.
h2o.runif <- function(data, min = 0, max = 1, seed = -1) {
  if (missing(data)) stop("Must specify data", call. = FALSE)
  if (!is(data, "H2OParsedData")) stop("data must be an H2O parsed dataset", call. = FALSE)
  .h2o.__checkScalar(min, "min", is.numeric, "numeric")
  .h2o.__checkScalar(max, "max", is.numeric, "numeric")
  .h2o.__checkScalar(seed, "seed", is.numeric, "numeric")
  if (is.na(min) || is.na(max) || min > max) stop("min must be a number no larger than max", call. = FALSE)
  if (seed != -1 && (seed < 0 || seed != round(seed)))
    stop("seed must be -1 or a non-negative whole number", call. = FALSE)
  expr <- sprintf("(h2o.runif %s %s)", data@key, format(seed, scientific = FALSE))
  if (min != 0 || max != 1) expr <- sprintf("(+ %.17g (* %.17g %s))", min, max - min, expr)
  .h2o.__opFrame(data@h2o, data@key, expr)
}

# The confusion matrix of predicted classes `data` against actual classes `reference`
# (one column each): counts with a Totals row and an Error column (legacy_h2o.md 2.4); the
# classes are the actual column's levels followed by predicted levels it lacks.
h2o.confusionMatrix <- function(data, reference) {
  if (missing(data)) stop("Must specify data", call. = FALSE)
  if (missing(reference)) stop("Must specify reference", call. = FALSE)
  if (!is(data, "H2OParsedData")) stop("data must be an H2O parsed dataset", call. = FALSE)
  if (!is(reference, "H2OParsedData")) stop("reference must be an H2O parsed dataset", call. = FALSE)
  if (data@ncols != 1 || reference@ncols != 1)
    stop("data and reference must be single columns", call. = FALSE)
  if (data@nrows != reference@nrows)
    stop("data and reference must have the same number of rows", call. = FALSE)
  actual <- .h2o.__frameInfo(reference@h2o, reference@key)
  predicted <- .h2o.__frameInfo(data@h2o, data@key)
  counts <- .h2o.__rapidsRows(data@h2o, sprintf("(table %s %s 1)", reference@key, data@key),
                              data@nrows)
  a <- as.character(counts[[1L]])
  p <- as.character(counts[[2L]])
  domain <- unique(c(.h2o.__classes(actual, a), .h2o.__classes(predicted, p)))
  cm <- matrix(0, length(domain), length(domain))
  cm[cbind(match(a, domain), match(p, domain))] <- as.numeric(counts[[3L]])
  .h2o.__cmTable(cm, domain)
}

# A column's classes: its levels if categorical, else the values that occur.
.h2o.__classes <- function(info, values) {
  if (info$types[1L] == "enum") info$domains[[1L]] else sort(unique(values))
}

# Counts (actual x predicted) as legacy H2O's matrix: a Totals row (column sums) and an Error
# column (per-class error, overall error bottom right), errors rounded to 5 digits.
.h2o.__cmTable <- function(counts, domain) {
  totals <- colSums(counts)
  errors <- round(1 - diag(counts) / rowSums(counts), 5L)
  overall <- round(1 - sum(diag(counts)) / sum(counts), 5L)
  cm <- rbind(cbind(counts, errors), c(totals, overall))
  dimnames(cm) <- list(Actual = c(domain, "Totals"), Predicted = c(domain, "Error"))
  cm
}

# Replace a fraction of the values by NA, each cell independently, in place (the frame under
# data's key changes, as in legacy H2O); seed -1 draws one from R's generator.
h2o.insertMissingValues <- function(data, fraction = 0.01, seed = -1) {
  if (missing(data)) stop("Must specify data", call. = FALSE)
  if (!is(data, "H2OParsedData")) stop("data must be an H2O parsed dataset", call. = FALSE)
  .h2o.__checkScalar(fraction, "fraction", is.numeric, "numeric")
  .h2o.__checkScalar(seed, "seed", is.numeric, "numeric")
  if (is.na(fraction) || fraction < 0 || fraction > 1)
    stop("fraction must be between 0 and 1", call. = FALSE)
  if (seed != -1 && (seed < 0 || seed != round(seed)))
    stop("seed must be -1 or a non-negative whole number", call. = FALSE)
  res <- .h2o.__remoteSend(data@h2o, .h2o.__PAGE_MISSING_INSERTER, "POST", dataset = data@key,
                           fraction = fraction,
                           seed = if (seed == -1) NULL else format(seed, scientific = FALSE))
  .h2o.__waitOnJob(data@h2o, .h2o.__keyName(res$key))
  invisible(.h2o.__parsedData(data@h2o, data@key))
}
