# Frame operations evaluated on the server through Rapids (POST /99/Rapids), with H2O-3's
# operator names: column arithmetic, comparisons and logic (the Ops group), cbind, as.factor,
# and the summaries people call on columns (mean, sd, min, max, range, sum, quantile,
# is.factor, levels, nlevels). Results that are frames are new frames on the server; numbers
# come back as R numbers. Comparisons give 0/1 numeric columns (NA where an operand is NA),
# usable as row conditions: data[data$AGE > 60, ].

# Evaluate `ast`; the server's answer (a frame reference, `scalar` or `string`).
.h2o.__rapids <- function(client, ast) {
  .h2o.__remoteSend(client, .h2o.__PAGE_RAPIDS, "POST", ast = ast)
}

# An R value as a Rapids operand: a frame's key, a number (NA, Inf), TRUE/FALSE as 1/0, or
# a quoted string.
.h2o.__operand <- function(x, what = "operand") {
  if (is(x, "H2OParsedData")) return(x@key)
  if (is.factor(x)) x <- as.character(x)
  if (length(x) != 1L)
    stop(sprintf("%s must be an H2O frame or a single value (a vector of length %d is not supported)",
                 what, length(x)), call. = FALSE)
  if (is.logical(x) || is.numeric(x)) {
    x <- as.numeric(x)
    return(if (is.na(x)) "NA" else sprintf("%.17g", x))
  }
  if (is.character(x) && !is.na(x)) {
    if (!grepl('"', x, fixed = TRUE)) return(sprintf('"%s"', x))
    if (!grepl("'", x, fixed = TRUE)) return(sprintf("'%s'", x))
    stop(sprintf("%s: a string with both kinds of quotes cannot be sent", what), call. = FALSE)
  }
  stop(sprintf("%s must be an H2O frame, a number, a logical or a string", what), call. = FALSE)
}

# The frame `expr` gives, kept under a new key derived from `src`.
.h2o.__opFrame <- function(client, src, expr) {
  .h2o.__rapidsFrame(client, .h2o.__sliceKey(src), expr)
}

# The first `n` rows of the frame `expr` gives (a temporary, removed afterwards), as a data.frame.
.h2o.__rapidsRows <- function(client, expr, n = 1L) {
  res <- .h2o.__rapids(client, expr)
  key <- .h2o.__keyName(res$key)
  on.exit(.h2o.__remoteSend(client, .h2o.__page(.h2o.__PAGE_DKV, key), "DELETE"))
  tmp <- new("H2OParsedData", h2o = client, key = key, nrows = .h2o.__num(res$num_rows),
             ncols = .h2o.__num(res$num_cols))
  .h2o.__rows(tmp, 0, n)
}

.h2o.__scalar <- function(client, expr) .h2o.__num(.h2o.__rapids(client, expr)$scalar)

#----------------------------------------------------------------------------------------
# Arithmetic, comparisons, logic

# R's %% and %/% (the quotient rounded down), written with floor so that negative operands
# give base R's answer (H2O-3's %% and %/% truncate towards zero).
.h2o.__binaryExpr <- function(op, a, b) {
  switch(op,
         "%%" = sprintf("(- %s (* %s (floor (/ %s %s))))", a, b, a, b),
         "%/%" = sprintf("(floor (/ %s %s))", a, b),
         sprintf("(%s %s %s)", op, a, b))
}

.h2o.__binary <- function(op, e1, e2) {
  frame <- if (is(e1, "H2OParsedData")) e1 else e2
  expr <- .h2o.__binaryExpr(op, .h2o.__operand(e1, "e1"), .h2o.__operand(e2, "e2"))
  .h2o.__opFrame(frame@h2o, frame@key, expr)
}

for (.sig in list(c("H2OParsedData", "H2OParsedData"), c("H2OParsedData", "numeric"),
                  c("numeric", "H2OParsedData"), c("H2OParsedData", "logical"),
                  c("logical", "H2OParsedData"), c("H2OParsedData", "character"),
                  c("character", "H2OParsedData"))) {
  setMethod("Ops", signature(e1 = .sig[1L], e2 = .sig[2L]),
            function(e1, e2) .h2o.__binary(.Generic, e1, e2))
}
rm(.sig)

# Unary minus and plus.
setMethod("Ops", signature(e1 = "H2OParsedData", e2 = "missing"), function(e1, e2) {
  if (.Generic == "+") return(e1)
  if (.Generic != "-") stop(sprintf("unary %s is not defined for H2O frames", .Generic), call. = FALSE)
  .h2o.__opFrame(e1@h2o, e1@key, sprintf("(* -1 %s)", e1@key))
})

setMethod("!", "H2OParsedData", function(x) .h2o.__opFrame(x@h2o, x@key, sprintf("(!! %s)", x@key)))

#----------------------------------------------------------------------------------------
# cbind, as.factor, is.factor, levels

# cbind(h2o_frame, ...): frames (same row count) and single numbers, side by side.
cbind.H2OParsedData <- function(..., deparse.level = 1) {
  args <- list(...)
  frames <- Filter(function(a) is(a, "H2OParsedData"), args)
  operands <- vapply(args, .h2o.__operand, "", what = "cbind argument")
  .h2o.__opFrame(frames[[1L]]@h2o, frames[[1L]]@key,
                 sprintf("(cbind %s)", paste(operands, collapse = " ")))
}

setGeneric("as.factor")
setMethod("as.factor", "H2OParsedData", function(x) {
  .h2o.__opFrame(x@h2o, x@key, sprintf("(as.factor %s)", x@key))
})

setGeneric("is.factor")
setMethod("is.factor", "H2OParsedData", function(x) {
  .h2o.__frameInfo(x@h2o, x@key)$types == "enum"
})

# The levels of the (first) column; NULL when it is not categorical, as for a base vector.
levels.H2OParsedData <- function(x) {
  info <- .h2o.__frameInfo(x@h2o, x@key)
  if (info$types[1L] != "enum") return(NULL)
  info$domains[[1L]]
}

#----------------------------------------------------------------------------------------
# Summaries

.h2o.__checkNaRm <- function(na.rm) .h2o.__checkFlag(na.rm, "na.rm")

mean.H2OParsedData <- function(x, na.rm = FALSE, ...) {
  .h2o.__noExtraArgs(list(...), "mean")
  .h2o.__checkNaRm(na.rm)
  row <- .h2o.__rapidsRows(x@h2o, sprintf("(mean %s %d 0)", x@key, as.integer(na.rm)))
  stats::setNames(as.numeric(unlist(row, use.names = FALSE)), if (x@ncols > 1) x@col_names else NULL)
}

setGeneric("sd")
setMethod("sd", "H2OParsedData", function(x, na.rm = FALSE) {
  .h2o.__checkNaRm(na.rm)
  .h2o.__scalar(x@h2o, sprintf("(sd %s %d)", x@key, as.integer(na.rm)))
})

# min, max, range, sum over every value of the frame's columns (NA if any is missing,
# unless na.rm = TRUE).
setMethod("Summary", "H2OParsedData", function(x, ..., na.rm = FALSE) {
  if (length(list(...)) > 0L)
    stop(sprintf("%s: only one H2O frame can be summarised at a time", .Generic), call. = FALSE)
  .h2o.__checkNaRm(na.rm)
  one <- function(op) .h2o.__scalar(x@h2o, sprintf("(%s%s %s)", op, if (na.rm) "NA" else "", x@key))
  switch(.Generic,
         min = one("min"), max = one("max"), sum = one("sum"),
         range = c(one("min"), one("max")),
         stop(sprintf("%s() is not supported for H2O frames", .Generic), call. = FALSE))
})

# Quantiles of one numeric column, as stats::quantile(type = 7) gives them.
quantile.H2OParsedData <- function(x, probs = seq(0, 1, 0.25), na.rm = FALSE, names = TRUE,
                                   type = 7, ...) {
  .h2o.__noExtraArgs(list(...), "quantile")
  if (x@ncols != 1) stop("quantile: x must be a single column", call. = FALSE)
  .h2o.__checkNaRm(na.rm)
  .h2o.__checkFlag(names, "names")
  if (!identical(as.numeric(type), 7)) stop("quantile: only type = 7 is supported", call. = FALSE)
  if (!is.numeric(probs) || length(probs) == 0L || anyNA(probs) || any(probs < 0 | probs > 1))
    stop("'probs' outside [0,1]", call. = FALSE)
  if (!na.rm && .h2o.__scalar(x@h2o, sprintf("(sum (is.na %s))", x@key)) > 0)
    stop("missing values and NaN's not allowed if 'na.rm' is FALSE", call. = FALSE)
  list <- paste0("[", paste(sprintf("%.17g", probs), collapse = " "), "]")
  rows <- .h2o.__rapidsRows(x@h2o, sprintf('(quantile %s %s "interpolate" "_")', x@key, list),
                            length(probs))
  q <- as.numeric(rows[[2L]])
  if (names) names(q) <- paste0(formatC(100 * probs, format = "fg", width = 1,
                                        digits = max(2L, getOption("digits"))), "%")
  q
}
