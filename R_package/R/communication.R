# The one request ladder (style.md items 13-14):
#   transport (curl; returns status and body, never stops)
#   -> checker (transport failures and non-2xx replies become classed R errors)
#   -> .h2o.__remoteSend(client, page, method, ...) (encodes parameters, decodes JSON)
#   -> .h2o.__waitOnJob(client, job_key, ...) for endpoints that start a job.
# Endpoints appear only as the .h2o.__PAGE_* constants below; other files never build URLs.

#----------------------------------------------------------------------------------------
# Endpoints (H2O-3 /3/ protocol, ../shared/spec/h2o3_rest.md)

.h2o.__PAGE_CLOUD       <- "3/Cloud"
.h2o.__PAGE_SHUTDOWN    <- "3/Shutdown"           # POST: the server stops cleanly
.h2o.__PAGE_POSTFILE    <- "3/PostFile.bin"     # ?destination_frame=K, multipart field `file`
.h2o.__PAGE_IMPORTFILES <- "3/ImportFiles"
.h2o.__PAGE_PARSESETUP  <- "3/ParseSetup"
.h2o.__PAGE_PARSE       <- "3/Parse"
.h2o.__PAGE_JOBS        <- "3/Jobs"             # /{job_id}, /{job_id}/cancel
.h2o.__PAGE_FRAMES      <- "3/Frames"           # /{frame_id}, /{frame_id}/summary
.h2o.__PAGE_DOWNLOAD    <- "3/DownloadDataset"
.h2o.__PAGE_DKV         <- "3/DKV"              # /{key}
.h2o.__PAGE_MODELS      <- "3/Models"           # /{model_id}
.h2o.__PAGE_DL_BUILDER  <- "3/ModelBuilders/deeplearning"   # /parameters validates only
.h2o.__PAGE_PREDICTIONS <- "3/Predictions/models"            # /{model}/frames/{frame}
.h2o.__PAGE_METRICS     <- "3/ModelMetrics/models"           # /{model}/frames/{frame}
.h2o.__PAGE_DL_GRID     <- "99/Grid/deeplearning"
.h2o.__PAGE_GRIDS       <- "99/Grids"                        # /{grid_id}
.h2o.__PAGE_MODELS_BIN  <- "99/Models.bin"                   # /{model_id}?dir= saves; /?dir= loads
.h2o.__PAGE_MODELS_JAVA <- "3/Models.java"                   # /{model_id}: the POJO source
.h2o.__PAGE_MODELS_ONNX <- "99/Models.onnx"                  # /{model_id}: the ONNX model
.h2o.__PAGE_RAPIDS      <- "99/Rapids"                       # form field `ast`
.h2o.__PAGE_MISSING_INSERTER <- "3/MissingInserter"           # a job: dataset, fraction, seed
.h2o.__PAGE_METRICS_PRED <- "3/ModelMetrics/predictions_frame" # /{pred}/actuals_frame/{actual}

# A page with path segments appended, each URL-escaped: .h2o.__page(.h2o.__PAGE_FRAMES, key, "summary")
.h2o.__page <- function(page, ...) {
  segments <- c(...)
  if (length(segments) == 0L) return(page)
  paste(c(page, vapply(as.character(segments), curl::curl_escape, "")), collapse = "/")
}

.h2o.__url <- function(client, page = "") {
  scheme <- if (.h2o.__conn(client)$https) "https" else "http"
  paste0(scheme, "://", client@ip, ":", format(client@port, scientific = FALSE), "/", page)
}

# The connection settings of a client (H2O-3's h2o.init arguments), with defaults for an
# H2OClient made before these slots existed (or by new("H2OClient", ip =, port =)).
.h2o.__conn <- function(client) {
  slot <- function(name, default) {
    if (!methods::.hasSlot(client, name)) return(default)
    value <- methods::slot(client, name)
    if (length(value) != 1L) default else value
  }
  list(username = slot("username", NA_character_), password = slot("password", NA_character_),
       https = isTRUE(slot("https", FALSE)), insecure = isTRUE(slot("insecure", FALSE)),
       cacert = slot("cacert", NA_character_))
}

# The request every exchange starts from: method, URL and the client's connection settings
# (credentials and TLS options, sent with every request by the transport).
.h2o.__request <- function(client, method, page, ...) {
  conn <- .h2o.__conn(client)
  c(list(method = method, url = .h2o.__url(client, page), username = conn$username,
         password = conn$password, insecure = conn$insecure, cacert = conn$cacert),
    list(...))
}

#----------------------------------------------------------------------------------------
# Conditions

# An error condition of class c(<class>, "h2o_failure", "error", "condition").
.h2o.__condition <- function(message, class = character(), ...) {
  structure(class = c(class, "h2o_failure", "error", "condition"),
            list(message = message, call = NULL, ...))
}

.h2o.__stop <- function(message, class = character(), ...) {
  stop(.h2o.__condition(message, class, ...))
}

#----------------------------------------------------------------------------------------
# Parameter encoding: unset (NULL) values are not sent; logicals as true/false; numbers with
# enough digits to round-trip; vectors (and values wrapped by .h2o.__asList) as H2O-3 lists.

.h2o.__asList <- function(x) structure(as.vector(x), class = "h2o_list")

# A value sent as JSON text (e.g. hyper_parameters, na_strings); NULL stays unset.
.h2o.__asJSON <- function(x, ...) {
  if (is.null(x)) return(NULL)
  structure(as.character(jsonlite::toJSON(x, null = "null", digits = NA, ...)), class = "h2o_json")
}

.h2o.__num2str <- function(x) {
  out <- sprintf("%.15g", x)
  inexact <- is.finite(x) & as.numeric(out) != x
  out[inexact] <- sprintf("%.17g", x[inexact])
  out[is.na(x) & !is.nan(x)] <- "NA"
  out[is.nan(x)] <- "NaN"
  out
}

.h2o.__scalar2str <- function(x) {
  if (is.logical(x)) return(ifelse(x, "true", "false"))
  if (is.numeric(x)) return(.h2o.__num2str(x))
  as.character(x)
}

.h2o.__encodeValue <- function(x) {
  if (inherits(x, "h2o_json")) return(unclass(x))
  if (inherits(x, "h2o_list") || length(x) != 1L) {
    x <- unclass(x)
    items <- if (is.character(x) || is.factor(x)) {
      vapply(as.character(x), function(s) as.character(jsonlite::toJSON(s, auto_unbox = TRUE)), "")
    } else .h2o.__scalar2str(x)
    return(paste0("[", paste(items, collapse = ","), "]"))
  }
  .h2o.__scalar2str(x)
}

.h2o.__encodeParams <- function(params) {
  params <- params[!vapply(params, is.null, TRUE)]
  if (length(params) == 0L) return(character())
  if (is.null(names(params)) || any(names(params) == ""))
    stop("internal error: every request parameter must be named", call. = FALSE)
  vapply(params, .h2o.__encodeValue, "")
}

.h2o.__formEncode <- function(values) {
  if (length(values) == 0L) return("")
  paste(curl::curl_escape(names(values)), curl::curl_escape(values), sep = "=", collapse = "&")
}

#----------------------------------------------------------------------------------------
# Transport: one HTTP exchange on curl. Returns list(status, body (character; raw when
# request$binary), type, error); status 0 and `error` set when no HTTP answer came back. Never stops.
# Swappable for tests: options(h2o.transport = function(request) list(status=, body=, ...)).

.h2o.__curlTransport <- function(request) {
  h <- curl::new_handle()
  curl::handle_setopt(h, connecttimeout = request$connect_timeout %||% 10,
                      useragent = paste("R h2o", utils::packageVersion("h2o")))
  if (!is.null(request$timeout)) curl::handle_setopt(h, timeout = request$timeout)
  if (!is.null(request$username) && !is.na(request$username))   # basic auth, sent up front
    curl::handle_setopt(h, httpauth = 1L, userpwd = paste0(request$username, ":",
                                                           request$password %||% ""))
  if (isTRUE(request$insecure)) curl::handle_setopt(h, ssl_verifypeer = 0L, ssl_verifyhost = 0L)
  if (!is.null(request$cacert) && !is.na(request$cacert))
    curl::handle_setopt(h, cainfo = request$cacert)
  url <- request$url
  query <- .h2o.__formEncode(request$query)
  if (nzchar(query)) url <- paste0(url, "?", query)
  if (!is.null(request$file)) {
    curl::handle_setform(h, file = curl::form_file(request$file))
    if (isTRUE(request$verbose)) curl::handle_setopt(h, verbose = TRUE)
  } else if (request$method == "POST") {
    curl::handle_setheaders(h, "Content-Type" = "application/x-www-form-urlencoded",
                            "Expect" = "")
    curl::handle_setopt(h, copypostfields = .h2o.__formEncode(request$form))
  } else if (request$method != "GET") {
    curl::handle_setopt(h, customrequest = request$method)
  }
  res <- tryCatch(curl::curl_fetch_memory(url, handle = h),
                  error = function(e) list(status_code = 0L, content = raw(0),
                                           type = NA_character_, error = conditionMessage(e)))
  ok <- res$status_code >= 200L && res$status_code < 300L
  list(status = as.integer(res$status_code),
       body = if (isTRUE(request$binary) && ok) res$content else rawToChar(res$content),
       type = res$type %||% NA_character_,
       error = res$error)
}

.h2o.__transport <- function(request) {
  transport <- getOption("h2o.transport", .h2o.__curlTransport)
  transport(request)
}

`%||%` <- function(a, b) if (is.null(a)) b else a

#----------------------------------------------------------------------------------------
# Checker: non-2xx replies and transport failures become classed errors carrying the URL,
# the HTTP status and the server's message (H2OErrorV3 `msg`).

.h2o.__checkResponse <- function(response, client, request) {
  status <- response$status
  if (status >= 200L && status < 300L) return(invisible(response))
  if (status == 0L) {
    .h2o.__stop(sprintf("Cannot connect to H2O instance at %s (%s)",
                        .h2o.__url(client, ""), response$error %||% "no answer"),
                "h2o_connection_error", url = request$url, status = 0L)
  }
  msg <- .h2o.__serverMessage(response$body)
  text <- sprintf("%s returned the following error (HTTP %d):\n%s", request$url, status,
                  paste0("  ", strsplit(msg, "\n", fixed = TRUE)[[1]], collapse = "\n"))
  class <- "h2o_http_error"
  if (status == 401L) {
    text <- paste0(text, "\nThe server requires authentication: give h2o.init() the right ",
                   "username and password.")
    class <- c("h2o_auth_error", class)
  }
  .h2o.__stop(text, class, url = request$url, status = status, server_msg = msg)
}

# The user-facing text of an error body: `msg` plus the ERRR messages of a model-builder
# error that `msg` does not already contain; the raw body when it is not H2O's JSON.
.h2o.__serverMessage <- function(body) {
  json <- tryCatch(.h2o.__fromJSON(body), error = function(e) NULL)
  if (!is.list(json) || is.null(json$msg)) {
    body <- trimws(body)
    return(if (nzchar(body)) body else "(empty reply)")
  }
  msg <- as.character(json$msg)
  for (m in json$messages) {
    if (identical(m$message_type, "ERRR") && !grepl(m$message, msg, fixed = TRUE))
      msg <- paste0(msg, "\n", m$field_name, ": ", m$message)
  }
  msg
}

#----------------------------------------------------------------------------------------
# JSON decoding. Lists stay lists (simplifyVector = FALSE); helpers below convert values.
# Bare NaN / Infinity tokens (Python's json default) are tolerated.

.h2o.__fromJSON <- function(text) {
  tryCatch(jsonlite::fromJSON(text, simplifyVector = FALSE), error = function(e) {
    fixed <- gsub("([\\[,:]\\s*)(-?Infinity|NaN)(?=\\s*[,\\]}])", "\\1\"\\2\"", text,
                  perl = TRUE)
    jsonlite::fromJSON(fixed, simplifyVector = FALSE)
  })
}

# Numbers from JSON values: null, "NaN" -> NA; "Infinity"/"Inf" -> Inf. Numbers stay
# numbers (never through as.character, which keeps only 15 significant digits).
.h2o.__num <- function(x) {
  if (is.null(x)) return(numeric())
  if (is.list(x)) {
    if (all(vapply(x, function(v) is.numeric(v) && length(v) == 1L, TRUE)))
      return(as.numeric(unlist(x, use.names = FALSE)))
    return(vapply(x, function(v) if (length(v) == 0L) NA_real_ else .h2o.__num(v[[1L]]), 0,
                  USE.NAMES = FALSE))
  }
  if (is.numeric(x)) return(as.numeric(x))
  x <- as.character(x)
  x[x %in% c("Infinity", "+Infinity", "Inf")] <- "Inf"
  x[x %in% c("-Infinity", "-Inf")] <- "-Inf"
  x[x %in% c("NaN", "NA", "")] <- NA
  suppressWarnings(as.numeric(x))
}

.h2o.__chr <- function(x) {
  if (is.null(x)) return(character())
  vapply(x, function(v) if (is.null(v)) NA_character_ else as.character(v), "", USE.NAMES = FALSE)
}

# A key reference ({name: ...}) or a plain string -> the key name.
.h2o.__keyName <- function(x) {
  if (is.null(x)) return(NA_character_)
  if (is.list(x)) return(as.character(x$name %||% NA_character_))
  as.character(x)
}

#----------------------------------------------------------------------------------------
# .h2o.__remoteSend: the one request function.
#   page     : a .h2o.__PAGE_* constant, optionally extended by .h2o.__page()
#   method   : "GET", "POST" or "DELETE"
#   ...      : named parameters (NULL = not sent); .params: more of them as a list
#   .file    : a local file sent as multipart field `file` (POST)
#   .raw     : return the body text instead of decoded JSON
#   .binary  : return the body as a raw vector (a file download)
#   .timeout : seconds for the whole exchange (NULL = no limit)

.h2o.__remoteSend <- function(client, page, method = c("GET", "POST", "DELETE"), ...,
                              .params = list(), .file = NULL, .raw = FALSE, .binary = FALSE,
                              .timeout = NULL, .verbose = FALSE, .connect_timeout = 10) {
  method <- match.arg(method)
  if (!is(client, "H2OClient")) stop("client must be of class H2OClient", call. = FALSE)
  values <- .h2o.__encodeParams(c(list(...), .params))
  in_body <- method == "POST" && is.null(.file)
  request <- .h2o.__request(client, method, page,
                            query = if (in_body) character() else values,
                            form = if (in_body) values else character(),
                            file = .file, timeout = .timeout, connect_timeout = .connect_timeout,
                            verbose = .verbose, binary = .binary)
  response <- .h2o.__transport(request)
  .h2o.__checkResponse(response, client, request)
  if (.raw || .binary) return(response$body)
  if (!nzchar(trimws(response$body))) return(list())
  .h2o.__fromJSON(response$body)
}

#----------------------------------------------------------------------------------------
# Jobs

.h2o.__isQuiet <- function() isTRUE(getOption("h2o.quiet", FALSE))

.h2o.__jobStatus <- function(client, job_key) {
  res <- .h2o.__remoteSend(client, .h2o.__page(.h2o.__PAGE_JOBS, job_key), "GET")
  if (length(res$jobs) < 1L) .h2o.__stop(sprintf("Job %s not found", job_key), "h2o_job_error")
  res$jobs[[1L]]
}

.h2o.__cancelJob <- function(client, job_key) {
  .h2o.__remoteSend(client, .h2o.__page(.h2o.__PAGE_JOBS, job_key, "cancel"), "POST")
}

# Polls the job until it ends. DONE -> the job (invisibly), after forwarding its warnings;
# FAILED -> error with the server's exception text; CANCELLED -> error. A user interrupt
# (Ctrl-C / Esc) cancels the job on the server. The bar shows the job's progress fraction.
.h2o.__waitOnJob <- function(client, job_key, pollInterval = 1, progressBar = TRUE) {
  show <- isTRUE(progressBar) && !.h2o.__isQuiet()
  pb <- if (show) utils::txtProgressBar(style = 3) else NULL
  on.exit(if (!is.null(pb)) close(pb))
  job <- withCallingHandlers(
    .h2o.__pollJob(client, job_key, pollInterval, pb),
    interrupt = function(e) {
      tryCatch(.h2o.__cancelJob(client, job_key), error = function(e2) NULL)
      message("Job key ", job_key, " was cancelled by user")
    })
  for (w in .h2o.__chr(job$warnings)) warning(w, call. = FALSE)
  invisible(job)
}

.h2o.__pollJob <- function(client, job_key, pollInterval, pb) {
  wait <- min(0.05, pollInterval)
  repeat {
    job <- .h2o.__jobStatus(client, job_key)
    status <- toupper(as.character(job$status %||% "RUNNING"))
    if (!is.null(pb)) {
      progress <- .h2o.__num(job$progress)
      if (length(progress) == 1L && !is.na(progress))
        utils::setTxtProgressBar(pb, max(0, min(1, progress)))
    }
    if (status == "DONE") {
      if (!is.null(pb)) utils::setTxtProgressBar(pb, 1)
      return(job)
    }
    if (status == "FAILED") .h2o.__jobFailed(job_key, job)
    if (status == "CANCELLED")
      .h2o.__stop(paste("Job key", job_key, "was cancelled by user"), "h2o_job_cancelled",
                  job = job)
    Sys.sleep(wait)
    wait <- min(pollInterval, wait * 2)
  }
}

.h2o.__jobFailed <- function(job_key, job) {
  text <- job$exception %||% job$progress_msg %||% "unknown failure"
  .h2o.__stop(paste0("Job ", job_key, " failed: ", paste(.h2o.__chr(text), collapse = "\n")),
              "h2o_job_error", job = job)
}
