# Data in and out: upload/import + parse, frame metadata, summary, conversion to R,
# head/tail, dimensions and names, listing and removing keys.

.h2o.__KEY_REGEX <- "^[a-zA-Z_][a-zA-Z0-9_.]*$"
.h2o.__PARSER_TYPES <- c("AUTO", "CSV", "XLS", "XLSX", "SVMLight")

.h2o.__checkClient <- function(object, name = "object") {
  if (missing(object) || !is(object, "H2OClient"))
    stop(sprintf("%s must be of class H2OClient", name), call. = FALSE)
}

.h2o.__checkParsed <- function(x, name = "x") {
  if (!is(x, "H2OParsedData")) stop(sprintf("%s must be of class H2OParsedData", name), call. = FALSE)
}

.h2o.__checkKey <- function(key, name = "key") {
  .h2o.__checkScalar(key, name, is.character, "character")
  if (nzchar(key) && !grepl(.h2o.__KEY_REGEX, key))
    stop(sprintf("%s must match the regular expression '%s'", name, .h2o.__KEY_REGEX), call. = FALSE)
}

.h2o.__checkFlag <- function(x, name) {
  if (!is.logical(x) || length(x) != 1L || is.na(x))
    stop(sprintf("%s must be TRUE or FALSE", name), call. = FALSE)
}

#----------------------------------------------------------------------------------------
# Upload, import, parse

h2o.uploadFile <- function(object, path, key = "", parse = TRUE, header, header_with_hash,
                           sep = "", col.names, silent = TRUE, parser_type = "AUTO") {
  .h2o.__checkClient(object)
  if (missing(path)) stop("Must specify path", call. = FALSE)
  .h2o.__checkScalar(path, "path", is.character, "character")
  if (!nzchar(path)) stop("path must be a non-empty string", call. = FALSE)
  .h2o.__checkFlag(parse, "parse")
  .h2o.__checkFlag(silent, "silent")
  opts <- .h2o.__parseOptions(key, if (missing(header)) NULL else header,
                              if (missing(header_with_hash)) FALSE else header_with_hash,
                              sep, if (missing(col.names)) NULL else col.names, parser_type)
  if (!file.exists(path) || dir.exists(path))
    stop(sprintf("path: file '%s' does not exist (working directory %s)", path, getwd()),
         call. = FALSE)
  if (opts$header_with_hash) opts$hash_line <- .h2o.__hashLine(path)
  res <- .h2o.__remoteSend(object, .h2o.__PAGE_POSTFILE, "POST", destination_frame = path,
                           .file = normalizePath(path), .verbose = !silent)
  raw <- new("H2ORawData", h2o = object, key = .h2o.__keyName(res$destination_frame %||% path))
  if (!parse) return(raw)
  .h2o.__parseRaw(raw, opts)
}

h2o.importFile <- function(object, path, key = "", parse = TRUE, header, header_with_hash,
                           sep = "", col.names, parser_type = "AUTO") {
  .h2o.__checkClient(object)
  if (missing(path)) stop("Must specify path", call. = FALSE)
  .h2o.__checkScalar(path, "path", is.character, "character")
  if (!nzchar(path)) stop("path must be a non-empty string", call. = FALSE)
  .h2o.__checkFlag(parse, "parse")
  opts <- .h2o.__parseOptions(key, if (missing(header)) NULL else header,
                              if (missing(header_with_hash)) FALSE else header_with_hash,
                              sep, if (missing(col.names)) NULL else col.names, parser_type)
  .h2o.__noHashHeader(opts, "h2o.importFile")
  res <- .h2o.__remoteSend(object, .h2o.__PAGE_IMPORTFILES, "GET", path = path)
  for (f in .h2o.__chr(res$fails)) cat(f, "failed to import\n")
  keys <- .h2o.__chr(res$destination_frames)
  if (length(keys) == 0L) stop("All files failed to import!", call. = FALSE)
  raw <- new("H2ORawData", h2o = object, key = keys)
  if (!parse) return(raw)
  .h2o.__parseRaw(raw, opts)
}

h2o.parseRaw <- function(data, key = "", header, header_with_hash, sep = "", col.names,
                         parser_type = "AUTO") {
  if (!is(data, "H2ORawData")) stop("data must be of class H2ORawData", call. = FALSE)
  opts <- .h2o.__parseOptions(key, if (missing(header)) NULL else header,
                              if (missing(header_with_hash)) FALSE else header_with_hash,
                              sep, if (missing(col.names)) NULL else col.names, parser_type)
  .h2o.__noHashHeader(opts, "h2o.parseRaw")
  .h2o.__parseRaw(data, opts)
}

# Checks the parse arguments shared by upload, import and parseRaw (NULL = not given).
.h2o.__parseOptions <- function(key, header, header_with_hash, sep, col.names, parser_type) {
  .h2o.__checkKey(key)
  if (!is.null(header)) .h2o.__checkFlag(header, "header")
  .h2o.__checkFlag(header_with_hash, "header_with_hash")
  .h2o.__checkScalar(sep, "sep", is.character, "character")
  if (nchar(sep, type = "bytes") > 1L) stop("sep must be a single character", call. = FALSE)
  names <- if (is.null(col.names)) NULL else .h2o.__colNamesArg(col.names)
  .h2o.__checkScalar(parser_type, "parser_type", is.character, "character")
  if (!parser_type %in% .h2o.__PARSER_TYPES)
    stop(sprintf("parser_type must be one of %s", paste(.h2o.__PARSER_TYPES, collapse = ", ")),
         call. = FALSE)
  list(key = key, header = header, header_with_hash = header_with_hash, sep = sep,
       names = names, parser_type = parser_type, hash_line = NULL)
}

# The server skips lines starting with # (comments), so a "#"-header is read by the client
# from the local file; only h2o.uploadFile has one.
.h2o.__noHashHeader <- function(opts, fun) {
  if (opts$header_with_hash)
    stop(sprintf(paste0("header_with_hash = TRUE is only supported by h2o.uploadFile (%s ",
                        "cannot read the header line, which the server skips as a comment); ",
                        "use col.names instead"), fun), call. = FALSE)
}

.h2o.__hashLine <- function(path) {
  first <- readLines(path, n = 1L, warn = FALSE)
  if (length(first) == 0L || !startsWith(first, "#"))
    stop(sprintf("header_with_hash: the first line of '%s' does not start with #", path),
         call. = FALSE)
  sub("^#\\s*", "", first)
}

# Column names from a "#"-header line split on the (given or guessed) separator.
.h2o.__hashNames <- function(line, setup) {
  sep <- rawToChar(as.raw(as.integer(.h2o.__num(setup$separator))))
  names <- strsplit(line, sep, fixed = TRUE)[[1L]]
  if (sep == " ") names <- names[nzchar(names)]
  gsub("^\\s*[\"']?|[\"']?\\s*$", "", names)
}

.h2o.__parseRaw <- function(data, opts) {
  hash <- !is.null(opts$hash_line)
  check_header <- if (hash) -1L else if (is.null(opts$header)) NULL else if (opts$header) 1L else -1L
  setup <- .h2o.__parseSetup(data, check_header, opts$sep, opts$parser_type)
  names <- opts$names
  if (is.null(names) && hash) names <- .h2o.__hashNames(opts$hash_line, setup)
  if (!is.null(names)) setup$column_names <- .h2o.__givenNames(names, setup)
  dest <- if (nzchar(opts$key)) opts$key else .h2o.__keyName(setup$destination_frame)
  .h2o.__parse(data, dest, setup)
  .h2o.__parsedData(data@h2o, dest)
}

# col.names: a parsed frame whose column names are used (legacy), or a character vector.
.h2o.__colNamesArg <- function(col.names) {
  if (is(col.names, "H2OParsedData")) return(col.names@col_names)
  if (is.character(col.names) && length(col.names) > 0L && !anyNA(col.names)) return(col.names)
  stop("col.names must be an H2OParsedData object or a character vector", call. = FALSE)
}

# Names given by the user replace the guessed ones, one per column.
.h2o.__givenNames <- function(names, setup) {
  n <- as.integer(.h2o.__num(setup$number_columns))
  if (length(names) != n)
    stop(sprintf("col.names has %d names but the data has %d columns", length(names), n),
         call. = FALSE)
  as.list(names)
}

.h2o.__parseSetup <- function(data, check_header, sep, parser_type) {
  .h2o.__remoteSend(data@h2o, .h2o.__PAGE_PARSESETUP, "POST",
                    source_frames = .h2o.__asList(data@key),
                    check_header = check_header,
                    separator = if (nzchar(sep)) as.integer(charToRaw(sep)) else NULL,
                    parse_type = if (parser_type == "AUTO") NULL else parser_type)
}

.h2o.__parse <- function(data, dest, setup) {
  res <- .h2o.__remoteSend(data@h2o, .h2o.__PAGE_PARSE, "POST",
                           destination_frame = dest,
                           source_frames = .h2o.__asList(data@key),
                           parse_type = setup$parse_type,
                           separator = setup$separator,
                           number_columns = setup$number_columns,
                           single_quotes = setup$single_quotes,
                           column_names = .h2o.__asList(.h2o.__chr(setup$column_names)),
                           column_types = .h2o.__asList(.h2o.__chr(setup$column_types)),
                           na_strings = .h2o.__naStrings(setup$na_strings),
                           check_header = setup$check_header,
                           chunk_size = setup$chunk_size,
                           delete_on_done = TRUE,
                           blocking = FALSE)
  .h2o.__waitOnJob(data@h2o, .h2o.__keyName(res$job$key))
}

# ParseSetup answers na_strings per column (a list of lists, or null): send it back as is.
.h2o.__naStrings <- function(na) {
  if (is.null(na) || length(na) == 0L) return(NULL)
  .h2o.__asJSON(na, auto_unbox = FALSE)
}

#----------------------------------------------------------------------------------------
# Frame metadata and the H2OParsedData handle

# Column names, types, levels and dimensions of a frame (no data rows).
.h2o.__frameInfo <- function(client, key) {
  res <- .h2o.__remoteSend(client, .h2o.__page(.h2o.__PAGE_FRAMES, key), "GET",
                           row_count = 0L)
  .h2o.__frameFromJSON(res$frames[[1L]])
}

.h2o.__frameFromJSON <- function(fr) {
  cols <- fr$columns
  list(key = .h2o.__keyName(fr$frame_id),
       nrows = .h2o.__num(fr$rows),
       ncols = .h2o.__num(fr$total_column_count %||% fr$num_columns %||% length(cols)),
       names = vapply(cols, function(c) as.character(c$label), ""),
       types = vapply(cols, function(c) as.character(c$type), ""),
       domains = lapply(cols, function(c) .h2o.__chr(c$domain)),
       columns = cols)
}

.h2o.__parsedData <- function(client, key) {
  info <- .h2o.__frameInfo(client, key)
  new("H2OParsedData", h2o = client, key = key, col_names = info$names,
      nrows = info$nrows, ncols = info$ncols, any_enum = any(info$types == "enum"))
}

h2o.getFrame <- function(h2o, key) {
  .h2o.__checkClient(h2o, "h2o")
  if (missing(key)) stop("Must specify key", call. = FALSE)
  .h2o.__checkScalar(key, "key", is.character, "character")
  .h2o.__parsedData(h2o, key)
}

#----------------------------------------------------------------------------------------
# Dimensions and names: read from the slots

setMethod("dim", "H2OParsedData", function(x) c(x@nrows, x@ncols))
setMethod("dimnames", "H2OParsedData", function(x) list(NULL, x@col_names))
setMethod("names", "H2OParsedData", function(x) x@col_names)
setMethod("colnames", "H2OParsedData", function(x, do.NULL = TRUE, prefix = "col") x@col_names)
setMethod("length", "H2OParsedData", function(x) if (x@ncols == 1) x@nrows else x@ncols)

#----------------------------------------------------------------------------------------
# Rows into R: head, tail, as.data.frame

head.H2OParsedData <- function(x, n = 6L, ...) {
  .h2o.__checkCount(n)
  total <- nrow(x)
  n <- if (n < 0L) max(total + n, 0L) else min(n, total)
  if (n == 0) return(data.frame())
  .h2o.__rows(x, 0, n)
}

tail.H2OParsedData <- function(x, n = 6L, ...) {
  .h2o.__checkCount(n)
  total <- nrow(x)
  n <- if (n < 0L) max(total + n, 0L) else min(n, total)
  if (n == 0) return(data.frame())
  df <- .h2o.__rows(x, total - n, n)
  rownames(df) <- seq.int(to = total, length.out = n)
  df
}

.h2o.__checkCount <- function(n) {
  if (!is.numeric(n) || length(n) != 1L || is.na(n))
    stop("n must be a single number", call. = FALSE)
}

# Rows [offset, offset + n) of every column as a data.frame (factors for enum columns).
.h2o.__rows <- function(x, offset, n) {
  res <- .h2o.__remoteSend(x@h2o, .h2o.__page(.h2o.__PAGE_FRAMES, x@key), "GET",
                           row_offset = as.integer(offset), row_count = as.integer(n),
                           column_offset = 0L, column_count = as.integer(x@ncols))
  info <- .h2o.__frameFromJSON(res$frames[[1L]])
  values <- lapply(info$columns, .h2o.__columnValues)
  names(values) <- info$names
  df <- as.data.frame(values, stringsAsFactors = FALSE, optional = TRUE)
  names(df) <- make.names(info$names, unique = TRUE)
  df
}

.h2o.__columnValues <- function(col) {
  type <- as.character(col$type)
  if (type == "enum") {
    domain <- .h2o.__chr(col$domain)
    codes <- .h2o.__num(col$data)
    return(factor(domain[codes + 1], levels = domain))
  }
  if (type %in% c("string", "uuid")) return(.h2o.__chr(col$string_data))
  .h2o.__num(col$data)
}

as.data.frame.H2OParsedData <- function(x, ...) {
  .h2o.__checkParsed(x)
  info <- .h2o.__frameInfo(x@h2o, x@key)
  text <- .h2o.__remoteSend(x@h2o, .h2o.__PAGE_DOWNLOAD, "GET", frame_id = x@key,
                            hex_string = FALSE, .raw = TRUE)
  classes <- ifelse(info$types %in% c("enum", "string", "uuid"), "character", "numeric")
  con <- textConnection(sub("\r?\n$", "", text))
  on.exit(close(con))
  df <- utils::read.csv(con, blank.lines.skip = FALSE, colClasses = classes,
                        na.strings = c("NA", ""), ...)
  for (j in which(info$types == "enum")) df[[j]] <- factor(df[[j]], levels = info$domains[[j]])
  df
}

#----------------------------------------------------------------------------------------
# summary(): per-column statistics printed like base R's summary of a data.frame

# Probabilities of H2O-3's default percentiles, used when the server does not list them.
.h2o.__DEFAULT_PERCENTILES <- c(0.001, 0.01, 0.1, 0.2, 0.25, 0.3, 1/3, 0.4, 0.5, 0.6, 2/3,
                                0.7, 0.75, 0.8, 0.9, 0.99, 0.999)

setMethod("summary", "H2OParsedData", function(object, ...) {
  res <- .h2o.__remoteSend(object@h2o, .h2o.__page(.h2o.__PAGE_FRAMES, object@key, "summary"),
                           "GET")
  fr <- res$frames[[1L]]
  probs <- .h2o.__num(fr$default_percentiles %||% fr$percentiles)
  if (length(probs) == 0L) probs <- .h2o.__DEFAULT_PERCENTILES
  nrows <- .h2o.__num(fr$rows)
  cols <- lapply(fr$columns, .h2o.__summaryColumn, probs = probs, nrows = nrows)
  labels <- vapply(fr$columns, function(c) as.character(c$label), "")
  .h2o.__summaryTable(cols, labels)
})

.h2o.__summaryColumn <- function(col, probs, nrows) {
  type <- as.character(col$type)
  if (type == "enum") return(.h2o.__summaryFactor(col))
  if (type %in% c("string", "uuid")) return(.h2o.__summaryString(nrows))
  .h2o.__summaryNumeric(col, probs)
}

.h2o.__summaryNumeric <- function(col, probs) {
  quantile <- function(p) {
    i <- which(abs(probs - p) < 1e-9)
    pct <- .h2o.__num(col$percentiles)
    if (length(i) == 1L && length(pct) >= i) pct[i] else NA_real_
  }
  first <- function(v) if (length(v)) v[1L] else NaN
  mean <- .h2o.__num(col$mean)
  v <- c(first(.h2o.__num(col$mins)), quantile(0.25), quantile(0.5), mean, quantile(0.75),
         first(.h2o.__num(col$maxs)))
  if (anyNA(v[c(2, 3, 5)])) v <- rep(mean, 6L)
  shown <- format(signif(v, 12L), digits = 4L)
  out <- paste0(c("Min.   :", "1st Qu.:", "Median :", "Mean   :", "3rd Qu.:", "Max.   :"),
                shown, "  ")
  na <- .h2o.__num(col$missing_count)
  if (length(na) == 1L && !is.na(na) && na > 0) out <- c(out, paste0("NA's   :", na, "  "))
  out
}

# The six most frequent levels with their counts; NA's in the first free slot (or the 6th).
.h2o.__summaryFactor <- function(col) {
  domain <- .h2o.__chr(col$domain)
  counts <- .h2o.__num(col$histogram_bins %||% col$domain_counts)
  if (length(counts) != length(domain)) counts <- rep(NA_real_, length(domain))
  top <- order(-counts, seq_along(counts))[1:6]
  levels <- domain[top]
  shown <- counts[top]
  na <- .h2o.__num(col$missing_count)
  if (length(na) == 1L && !is.na(na) && na > 0) {
    slot <- if (anyNA(top)) which(is.na(top))[1L] else 6L
    levels[slot] <- "NA's"
    shown[slot] <- na
  }
  shown <- format(shown, scientific = FALSE, trim = TRUE)
  present <- !is.na(levels)
  out <- paste0(sprintf("%-*s", max(nchar(levels[present])), levels), ":",
                sprintf("%*s", max(nchar(shown[present])), shown), " ")
  out[is.na(levels)] <- NA
  out
}

.h2o.__summaryString <- function(nrows) {
  c(paste0("Length:", format(nrows, scientific = FALSE), "  "),
    "Class :character  ", "Mode  :character  ")
}

# Bind the per-column vectors into a character table like base R's summary.data.frame.
.h2o.__summaryTable <- function(cols, labels) {
  rows <- max(vapply(cols, length, 0L), 0L)
  m <- vapply(cols, function(v) c(v, rep(NA_character_, rows - length(v))),
              character(rows))
  m <- matrix(m, nrow = rows, ncol = length(cols))
  keep <- apply(m, 1L, function(r) any(!is.na(r)))
  m <- m[keep, , drop = FALSE]
  dimnames(m) <- list(rep("", nrow(m)), labels)
  as.table(m)
}

#----------------------------------------------------------------------------------------
# Keys on the server

h2o.ls <- function(object, pattern = "") {
  .h2o.__checkClient(object)
  .h2o.__checkScalar(pattern, "pattern", is.character, "character")
  frames <- .h2o.__remoteSend(object, .h2o.__PAGE_FRAMES, "GET")$frames
  keys <- vapply(frames, function(f) .h2o.__keyName(f$frame_id), "")
  sizes <- vapply(frames, function(f) .h2o.__num(f$byte_size %||% NA)[1L], 0)
  models <- .h2o.__listModels(object)
  keys <- c(keys, models$keys)
  sizes <- c(sizes, models$sizes)
  keep <- if (nzchar(pattern)) grepl(pattern, keys) else rep(TRUE, length(keys))
  ord <- order(keys[keep])
  data.frame(Key = keys[keep][ord], Bytesize = sizes[keep][ord], stringsAsFactors = FALSE)
}

# Model keys, where the server offers /3/Models.
.h2o.__listModels <- function(object) {
  models <- tryCatch(.h2o.__remoteSend(object, .h2o.__PAGE_MODELS, "GET")$models,
                     h2o_http_error = function(e) if (e$status == 404L) list() else stop(e))
  list(keys = vapply(models, function(m) .h2o.__keyName(m$model_id), ""),
       sizes = vapply(models, function(m) .h2o.__num(m$byte_size %||% NA)[1L], 0))
}

h2o.rm <- function(object, keys) {
  .h2o.__checkClient(object)
  if (missing(keys)) stop("Must specify keys", call. = FALSE)
  if (!is.character(keys) || anyNA(keys)) stop("keys must be of class character", call. = FALSE)
  for (key in keys) .h2o.__remoteSend(object, .h2o.__page(.h2o.__PAGE_DKV, key), "DELETE")
  invisible(NULL)
}
