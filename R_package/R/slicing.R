# Frame slicing: x[i, j], x[j] and x$name (legacy_h2o.md section 1.10), and h2o.splitFrame.
# The slice becomes a new frame on the server through POST /99/Rapids (`rows` and `cols_py`).
# Rows are chosen by position (positive or negative indices, or a logical vector) or by a
# condition, a one-column 0/1 H2O frame (x[x$AGE > 60, ]): the rows where it is 1.

setMethod("[", "H2OParsedData", function(x, i, j, ..., drop = TRUE) {
  if (length(list(...)) > 0L) stop("x[i, j]: too many indices (a frame has two)", call. = FALSE)
  given <- nargs() - if (missing(drop)) 0L else 1L
  if (given == 2L) {
    # x[j], as for a data.frame: columns
    if (missing(i)) return(x)
    return(.h2o.__slice(x, NULL, i))
  }
  .h2o.__slice(x, if (missing(i)) NULL else i, if (missing(j)) NULL else j)
})

setMethod("$", "H2OParsedData", function(x, name) {
  if (!name %in% x@col_names) stop(sprintf("Column %s does not exist!", name), call. = FALSE)
  .h2o.__slice(x, NULL, name)
})

# Rows `i` and columns `j` of `x` (NULL: all) as a new frame.
.h2o.__slice <- function(x, i, j) {
  if (is.null(i) && is.null(j)) return(x)
  expr <- x@key
  if (is(i, "H2OParsedData"))
    expr <- sprintf("(rows %s %s)", expr, .h2o.__conditionKey(i, x))
  else if (!is.null(i))
    expr <- sprintf("(rows %s %s)", expr, .h2o.__rapidsList(.h2o.__rowIndices(i, x@nrows)))
  if (!is.null(j))
    expr <- sprintf("(cols_py %s %s)", expr, .h2o.__rapidsList(.h2o.__columnIndices(j, x@col_names)))
  .h2o.__rapidsFrame(x@h2o, .h2o.__sliceKey(x@key), expr)
}

# Keep the frame `expr` gives under `dest`; the H2OParsedData of it.
.h2o.__rapidsFrame <- function(client, dest, expr) {
  res <- .h2o.__remoteSend(client, .h2o.__PAGE_RAPIDS, "POST", ast = sprintf("(tmp= %s %s)", dest, expr))
  .h2o.__parsedData(client, .h2o.__keyName(res$key %||% dest))
}

# 1-based positions as a Rapids list of 0-based indices, runs written as ranges start:count.
.h2o.__rapidsList <- function(idx) {
  idx <- as.numeric(idx) - 1
  breaks <- c(0L, which(diff(idx) != 1), length(idx))
  runs <- vapply(seq_len(length(breaks) - 1L), function(r) {
    first <- idx[breaks[r] + 1L]
    n <- breaks[r + 1L] - breaks[r]
    if (n == 1L) format(first, scientific = FALSE) else sprintf("%s:%d", format(first, scientific = FALSE), n)
  }, "")
  paste0("[", paste(runs, collapse = " "), "]")
}

# 1-based row positions from the user's i.
.h2o.__rowIndices <- function(i, n) {
  if (!is.logical(i) && !is.numeric(i))
    stop("x[i, ]: i must be row numbers or a logical vector", call. = FALSE)
  .h2o.__positions(i, n, "row")
}

# Legacy h2o.splitFrame: parts <key>_part0, <key>_part1, ... by `ratios` (the last part takes
# the rest). Without shuffle, consecutive blocks of rows; with shuffle, each row goes to the part
# whose share of [0, 1) holds its uniform random number (H2O-3's split), so part sizes vary
# around the ratios; the seed is drawn from R's generator (set.seed makes the split repeatable).
h2o.splitFrame <- function(data, ratios = 0.75, shuffle = FALSE) {
  if (!is(data, "H2OParsedData")) stop("data must be an H2O parsed dataset", call. = FALSE)
  if (!is.numeric(ratios) || length(ratios) == 0L || anyNA(ratios))
    stop("ratios must be a numeric vector", call. = FALSE)
  if (any(ratios <= 0 | ratios >= 1)) stop("Split ration has to be in (0,1) interval!", call. = FALSE)
  if (sum(ratios) >= 1) stop("Sum of split ratios has to be less than 1!", call. = FALSE)
  .h2o.__checkFlag(shuffle, "shuffle")
  if (shuffle) return(.h2o.__shuffleSplit(data, ratios))
  ends <- c(floor(data@nrows * cumsum(ratios)), data@nrows)
  starts <- c(0, ends[-length(ends)])
  if (any(ends - starts < 1)) stop("Dataset does not have enough row to be split!", call. = FALSE)
  lapply(seq_along(ends), function(k) {
    block <- sprintf("[%s:%s]", format(starts[k], scientific = FALSE),
                     format(ends[k] - starts[k], scientific = FALSE))
    .h2o.__rapidsFrame(data@h2o, sprintf("%s_part%d", data@key, k - 1L),
                       sprintf("(rows %s %s)", data@key, block))
  })
}

.h2o.__shuffleSplit <- function(data, ratios) {
  seed <- sample.int(.Machine$integer.max, 1L)
  rnd <- .h2o.__rapidsFrame(data@h2o, .h2o.__sliceKey(data@key),
                            sprintf("(h2o.runif %s %d)", data@key, seed))
  on.exit(.h2o.__remoteSend(data@h2o, .h2o.__page(.h2o.__PAGE_DKV, rnd@key), "DELETE"))
  bounds <- c(0, cumsum(ratios), 1)
  parts <- lapply(seq_len(length(bounds) - 1L), function(k) {
    upper <- if (k == length(bounds) - 1L) "" else sprintf(" (< %s %.17g)", rnd@key, bounds[k + 1L])
    cond <- sprintf("(& (>= %s %.17g)%s)", rnd@key, bounds[k], upper)
    if (!nzchar(upper)) cond <- sprintf("(>= %s %.17g)", rnd@key, bounds[k])
    .h2o.__rapidsFrame(data@h2o, sprintf("%s_part%d", data@key, k - 1L),
                       sprintf("(rows %s %s)", data@key, cond))
  })
  if (any(vapply(parts, nrow, 0) < 1)) {
    for (p in parts) .h2o.__remoteSend(data@h2o, .h2o.__page(.h2o.__PAGE_DKV, p@key), "DELETE")
    stop("Dataset does not have enough row to be split!", call. = FALSE)
  }
  parts
}

# 1-based column positions from the user's j.
.h2o.__columnIndices <- function(j, names) {
  if (is.factor(j)) j <- as.character(j)
  if (is.character(j)) {
    if (anyNA(j)) stop("x[, j]: column names must not be NA", call. = FALSE)
    if (length(j) == 0L) stop("x[, j]: no columns selected", call. = FALSE)
    unknown <- setdiff(j, names)
    if (length(unknown))
      stop(sprintf("Undefined columns selected: %s (the frame's columns are %s)",
                   paste(unknown, collapse = ", "), paste(names, collapse = ", ")), call. = FALSE)
    return(match(j, names))
  }
  if (!is.logical(j) && !is.numeric(j))
    stop("x[, j]: j must be column indices, names or logicals", call. = FALSE)
  .h2o.__positions(j, length(names), "column")
}

# 1-based positions (`what`: "row" or "column") out of `n` from a logical vector or numbers
# (negative numbers drop positions, zeros are ignored), as R selects them; at least one.
.h2o.__positions <- function(index, n, what) {
  arg <- if (what == "row") "x[i, ]" else "x[, j]"
  fail <- function(...) stop(arg, ": ", sprintf(...), call. = FALSE)
  if (is.logical(index)) {
    if (anyNA(index)) fail("logical %s index must not be NA", what)
    if (length(index) > n) fail("logical index of length %d but the frame has %d %ss", length(index), n, what)
    out <- which(rep_len(index, n))
  } else {
    if (anyNA(index)) fail("%s index must not be NA", what)
    index <- trunc(index)
    index <- index[index != 0]
    if (any(index < 0) && any(index > 0)) fail("cannot mix positive and negative %s indices", what)
    if (any(abs(index) > n))
      stop(sprintf("Array index out of bounds: %s %s (the frame has %d %ss)", what,
                   paste(utils::head(index[abs(index) > n], 5), collapse = ", "), n, what), call. = FALSE)
    out <- if (any(index < 0)) setdiff(seq_len(n), -index) else as.integer(index)
  }
  if (length(out) == 0L) fail("no %ss selected", what)
  out
}

# A new key for a slice of `src`; made without R's random number generator, so slicing
# leaves the user's random seed alone.
.h2o.__sliceKey <- function(src) {
  n <- (get0("SLICES", envir = .pkg.env, inherits = FALSE) %||% 0) + 1
  assign("SLICES", n, envir = .pkg.env)
  stamp <- as.numeric(Sys.time()) * 1000
  sprintf("%s_slice_%08x%04x%04x", src, as.integer(stamp %% 2^31), Sys.getpid() %% 65536L,
          as.integer(n %% 65536))
}
