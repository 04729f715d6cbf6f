# Column selection on frames: x[, j], x[j] and x$name (legacy_h2o.md section 1.10). The
# selected columns become a new frame on the server (POST /99/Rapids with `cols_py`); row
# selection is not supported.

setMethod("[", "H2OParsedData", function(x, i, j, ..., drop = TRUE) {
  if (length(list(...)) > 0L) stop("x[i, j]: too many indices (a frame has two)", call. = FALSE)
  given <- nargs() - if (missing(drop)) 0L else 1L
  if (given == 2L) {
    # x[j], as for a data.frame: columns
    if (missing(i)) return(x)
    return(.h2o.__selectColumns(x, i))
  }
  if (!missing(i))
    stop("x[i, j]: row selection is not supported (only column selection x[, j])", call. = FALSE)
  if (missing(j)) return(x)
  .h2o.__selectColumns(x, j)
})

setMethod("$", "H2OParsedData", function(x, name) {
  if (!name %in% x@col_names) stop(sprintf("Column %s does not exist!", name), call. = FALSE)
  .h2o.__selectColumns(x, name)
})

# The columns `j` (1-based indices, negative ones dropped; names; or logicals) of `x` as a
# new frame.
.h2o.__selectColumns <- function(x, j) {
  idx <- .h2o.__columnIndices(j, x@col_names)
  if (length(idx) == 0L) stop("x[, j]: no columns selected", call. = FALSE)
  dest <- .h2o.__sliceKey(x@key)
  sel <- if (length(idx) == 1L) as.character(idx - 1L)
         else paste0("[", paste(idx - 1L, collapse = " "), "]")
  ast <- sprintf("(tmp= %s (cols_py %s %s))", dest, x@key, sel)
  res <- .h2o.__remoteSend(x@h2o, .h2o.__PAGE_RAPIDS, "POST", ast = ast)
  .h2o.__parsedData(x@h2o, .h2o.__keyName(res$key %||% dest))
}

# 1-based column positions from the user's j.
.h2o.__columnIndices <- function(j, names) {
  n <- length(names)
  if (is.factor(j)) j <- as.character(j)
  if (is.character(j)) {
    if (anyNA(j)) stop("x[, j]: column names must not be NA", call. = FALSE)
    unknown <- setdiff(j, names)
    if (length(unknown))
      stop(sprintf("Undefined columns selected: %s (the frame's columns are %s)",
                   paste(unknown, collapse = ", "), paste(names, collapse = ", ")), call. = FALSE)
    return(match(j, names))
  }
  if (is.logical(j)) {
    if (anyNA(j)) stop("x[, j]: logical column index must not be NA", call. = FALSE)
    if (length(j) > n)
      stop(sprintf("x[, j]: logical index of length %d but the frame has %d columns",
                   length(j), n), call. = FALSE)
    return(which(rep_len(j, n)))
  }
  if (!is.numeric(j)) stop("x[, j]: j must be column indices, names or logicals", call. = FALSE)
  .h2o.__numericIndices(j, n)
}

.h2o.__numericIndices <- function(j, n) {
  if (anyNA(j)) stop("x[, j]: column index must not be NA", call. = FALSE)
  j <- trunc(j)
  j <- j[j != 0]
  if (any(j < 0) && any(j > 0))
    stop("x[, j]: cannot mix positive and negative column indices", call. = FALSE)
  out <- abs(j)[abs(j) > n]
  if (length(out))
    stop(sprintf("Array index out of bounds: column %s (the frame has %d columns)",
                 paste(j[abs(j) > n], collapse = ", "), n), call. = FALSE)
  if (any(j < 0)) return(setdiff(seq_len(n), -j))
  as.integer(j)
}

# A new key for a slice of `src`; made without R's random number generator, so slicing
# leaves the user's random seed alone.
.h2o.__sliceKey <- function(src) {
  n <- (get0("SLICES", envir = .pkg.env, inherits = FALSE) %||% 0) + 1
  assign("SLICES", n, envir = .pkg.env)
  stamp <- as.numeric(Sys.time()) * 1000
  sprintf("%s_cols_%08x%04x%04x", src, as.integer(stamp %% 2^31), Sys.getpid() %% 65536L,
          as.integer(n %% 65536))
}
