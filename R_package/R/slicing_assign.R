# Assignment into a frame on the server, in place as legacy H2O did: x[i, j] <- value,
# x[j] <- value, x$name <- value. The server replaces the frame under x's key (Rapids
# `(assign key (:= key value cols rows))`, or `append` for a new column by name); the returned
# H2OParsedData keeps the key, with the new column names and types.

setReplaceMethod("[", "H2OParsedData", function(x, i, j, ..., value) {
  if (length(list(...)) > 0L) stop("x[i, j] <- value: too many indices (a frame has two)", call. = FALSE)
  if (nargs() == 3L) {
    # x[j] <- value, as for a data.frame: columns
    return(.h2o.__assign(x, NULL, if (missing(i)) NULL else i, value))
  }
  .h2o.__assign(x, if (missing(i)) NULL else i, if (missing(j)) NULL else j, value)
})

setReplaceMethod("$", "H2OParsedData", function(x, name, value) {
  .h2o.__assign(x, NULL, name, value)
})

# Write `value` (a frame, a number, NA or a level) over rows `i` (NULL: all; numbers, a
# logical vector or a one-column 0/1 frame) of columns `j` (NULL: all; indices or names).
.h2o.__assign <- function(x, i, j, value) {
  src <- .h2o.__operand(value, "value")
  if (is.character(j) && length(j) == 1L && !is.na(j) && !j %in% x@col_names) {
    if (!is.null(i)) stop(sprintf("x[i, \"%s\"] <- value: a new column takes all rows", j), call. = FALSE)
    return(.h2o.__inPlace(x, sprintf("(append %s %s %s)", x@key, src, .h2o.__operand(j))))
  }
  cols <- if (is.null(j)) "[]" else .h2o.__rapidsList(.h2o.__columnIndices(j, x@col_names))
  rows <- if (is.null(i)) "[]" else if (is(i, "H2OParsedData")) .h2o.__conditionKey(i, x)
          else .h2o.__rapidsList(.h2o.__positions(.h2o.__checkRows(i), x@nrows, "row"))
  .h2o.__inPlace(x, sprintf("(:= %s %s %s %s)", x@key, src, cols, rows))
}

.h2o.__checkRows <- function(i) {
  if (!is.logical(i) && !is.numeric(i))
    stop("x[i, ] <- value: i must be row numbers, a logical vector or an H2O condition", call. = FALSE)
  i
}

# The key of a one-column row condition on `x`.
.h2o.__conditionKey <- function(cond, x) {
  if (cond@ncols != 1) stop("a row condition must be a single column", call. = FALSE)
  if (cond@nrows != x@nrows)
    stop(sprintf("the row condition has %s rows but the frame has %s", format(cond@nrows),
                 format(x@nrows)), call. = FALSE)
  cond@key
}

# Replace the frame under x's key by the frame `expr` gives; x with its new metadata.
.h2o.__inPlace <- function(x, expr) {
  .h2o.__rapids(x@h2o, sprintf("(assign %s %s)", x@key, expr))
  .h2o.__parsedData(x@h2o, x@key)
}
