# Connecting to the server: h2o.init (connect, or start the Python backend locally),
# h2o.clusterInfo, h2o.shutdown, version check, and stopping a backend this R session started.

.pkg.env <- new.env(parent = emptyenv())

.h2o.__MEM_REGEX <- "^[1-9][0-9]*[gGmM]$"

# The default port of h2o.init() when `port` is not given: option h2o.port, else the
# environment variable H2O_PORT, else 54321. This lets unchanged booklet scripts
# (which call h2o.init() without arguments) reach a server on another port.
.h2o.__defaultPort <- function() {
  port <- getOption("h2o.port", Sys.getenv("H2O_PORT", ""))
  if (is.null(port) || identical(port, "")) return(54321)
  value <- suppressWarnings(as.numeric(port))
  if (length(value) != 1L || is.na(value) || value < 1 || value > 65535 || value != round(value))
    stop("the default port (option h2o.port or environment variable H2O_PORT) must be ",
         "an integer between 1 and 65535, not '", port, "'", call. = FALSE)
  value
}

h2o.init <- function(ip = "127.0.0.1", port = 54321, startH2O = TRUE, forceDL = FALSE, Xmx,
                     beta = FALSE, assertion = TRUE, license = NULL, nthreads = -2,
                     max_mem_size = NULL, min_mem_size = NULL, ice_root = NULL,
                     strict_version_check = TRUE, data_max_factor_levels = 1000000,
                     many_cols = FALSE, chunk_bytes = 22, https = FALSE, insecure = FALSE,
                     username = NA_character_, password = NA_character_,
                     cacert = NA_character_) {
  if (missing(port)) port <- .h2o.__defaultPort()
  .h2o.__checkInitArgs(ip, port, startH2O, forceDL, if (missing(Xmx)) NULL else Xmx, beta,
                       assertion, license, nthreads, max_mem_size, min_mem_size, ice_root,
                       strict_version_check, data_max_factor_levels, many_cols, chunk_bytes)
  .h2o.__checkConnArgs(https, insecure, username, password, cacert)
  username <- as.character(username)
  password <- as.character(password)
  cacert <- if (is.na(cacert)) NA_character_ else normalizePath(cacert)
  if (!missing(Xmx)) {
    warning("Xmx is a deprecated parameter. Use `max_mem_size` and `min_mem_size` to set the ",
            "memory boundaries. Using `Xmx` to set these.")
    max_mem_size <- Xmx
    min_mem_size <- Xmx
  }
  client <- new("H2OClient", ip = ip, port = port, username = username, password = password,
                 https = https, insecure = insecure, cacert = cacert)
  url <- .h2o.__url(client, "")
  url <- substr(url, 1L, nchar(url) - 1L)
  limitedThreads <- FALSE
  probe <- .h2o.__probe(client)
  # Something answers but not with 200 (e.g. 401: the credentials are missing or wrong; 400
  # from an HTTPS server asked in plain HTTP): say what it answered, start nothing.
  if (!probe$response$status %in% c(0L, 200L))
    .h2o.__checkResponse(probe$response, client, probe$request)
  if (!identical(probe$response$status, 200L)) {
    if (https)
      stop(sprintf(paste0("Cannot connect to H2O server at %s (%s). A backend started by ",
                          "h2o.init speaks plain HTTP, so none is started with https = TRUE."),
                   url, probe$response$error %||% sprintf("HTTP %d", probe$response$status)),
           call. = FALSE)
    if (!startH2O)
      stop(paste("Cannot connect to H2O server. Please check that H2O is running at", url))
    if (!ip %in% c("localhost", "127.0.0.1"))
      stop("Can only start H2O launcher if IP address is localhost.")
    if (.h2o.__portInUse(port))
      stop(sprintf(paste0("Cannot connect to H2O server at %s (%s): something listens on port ",
                          "%s but does not answer as H2O does, so no backend is started there. ",
                          "If it serves HTTPS, use https = TRUE."),
                   url, probe$response$error %||% "no answer", format(port)), call. = FALSE)
    cat("\nH2O is not running yet, starting it now...\n")
    if (nthreads == -2) {
      limitedThreads <- TRUE
      nthreads <- 2
    }
    .h2o.__warnJvmOnly(forceDL = forceDL, beta = beta, assertion = !assertion,
                       license = license, max_mem_size = max_mem_size,
                       min_mem_size = min_mem_size,
                       data_max_factor_levels = data_max_factor_levels != 1000000,
                       many_cols = many_cols, chunk_bytes = chunk_bytes != 22)
    .h2o.__startBackend(client, nthreads = nthreads, log_dir = ice_root)
  }
  cat("Successfully connected to", url, "\n\n")
  h2o.clusterInfo(client)
  cat("\n")
  .h2o.__checkVersion(client, strict_version_check)
  if (limitedThreads) {
    cat("Note:  As started, H2O is limited to the CRAN default of 2 CPUs.\n")
    cat("       Restart R and start H2O as shown below to use all your CPUs.\n")
    cat("           > localH2O = h2o.init(nthreads = -1)\n")
    cat("\n")
  }
  assign("SERVER", client, envir = .pkg.env)
  client
}

.h2o.__checkInitArgs <- function(ip, port, startH2O, forceDL, Xmx, beta, assertion, license,
                                 nthreads, max_mem_size, min_mem_size, ice_root,
                                 strict_version_check, data_max_factor_levels, many_cols,
                                 chunk_bytes) {
  .h2o.__checkScalar(ip, "ip", is.character, "character")
  .h2o.__checkScalar(port, "port", is.numeric, "numeric")
  if (is.na(port) || port < 1 || port > 65535 || port != round(port))
    stop("port must be an integer between 1 and 65535", call. = FALSE)
  .h2o.__checkScalar(startH2O, "startH2O", is.logical, "logical")
  .h2o.__checkScalar(forceDL, "forceDL", is.logical, "logical")
  .h2o.__checkMem(Xmx, "Xmx")
  .h2o.__checkScalar(nthreads, "nthreads", is.numeric, "numeric")
  if (is.na(nthreads) || nthreads != round(nthreads) || (nthreads < 1 && !nthreads %in% c(-1, -2)))
    stop("nthreads must be -2 (two CPUs), -1 (all CPUs) or a positive integer", call. = FALSE)
  .h2o.__checkMem(max_mem_size, "max_mem_size")
  .h2o.__checkMem(min_mem_size, "min_mem_size")
  .h2o.__checkScalar(beta, "beta", is.logical, "logical")
  .h2o.__checkScalar(assertion, "assertion", is.logical, "logical")
  if (!is.null(license)) .h2o.__checkScalar(license, "license", is.character, "character")
  if (!is.null(ice_root)) .h2o.__checkScalar(ice_root, "ice_root", is.character, "character")
  .h2o.__checkScalar(strict_version_check, "strict_version_check", is.logical, "logical")
  if (!is.numeric(data_max_factor_levels)) stop("`data_max_factor_levels` must be numeric.", call. = FALSE)
  if (!is.logical(many_cols)) stop("`many_cols` must be logical", call. = FALSE)
  if (!is.numeric(chunk_bytes)) stop("`chunk_bytes` must be numeric", call. = FALSE)
  invisible(TRUE)
}

# H2O-3's connection arguments: credentials go together; insecure and cacert need https.
.h2o.__checkConnArgs <- function(https, insecure, username, password, cacert) {
  .h2o.__checkScalar(https, "https", is.logical, "logical")
  .h2o.__checkScalar(insecure, "insecure", is.logical, "logical")
  for (arg in list(list(username, "username"), list(password, "password"), list(cacert, "cacert")))
    if (!(is.character(arg[[1]]) || identical(arg[[1]], NA)) || length(arg[[1]]) != 1L)
      stop(sprintf("%s must be of class character", arg[[2]]), call. = FALSE)
  if (is.na(username) != is.na(password))
    stop("username and password go together: give both (HTTP basic authentication) or neither",
         call. = FALSE)
  if (!is.na(username) && grepl(":", username, fixed = TRUE))
    stop("username must not contain ':' (HTTP basic authentication)", call. = FALSE)
  if ((insecure || !is.na(cacert)) && !https)
    stop("insecure and cacert apply to HTTPS connections: set https = TRUE", call. = FALSE)
  if (!is.na(cacert) && !file.exists(cacert))
    stop(sprintf("cacert: the file %s does not exist", cacert), call. = FALSE)
  invisible(TRUE)
}

# A length-one value of the right type, else "<name> must be of class <type>".
.h2o.__checkScalar <- function(x, name, test, type) {
  if (!test(x) || length(x) != 1L || is.na(x))
    stop(sprintf("%s must be of class %s", name, type), call. = FALSE)
}

.h2o.__checkMem <- function(x, name) {
  if (is.null(x)) return(invisible(TRUE))
  .h2o.__checkScalar(x, name, is.character, "character")
  if (!grepl(.h2o.__MEM_REGEX, x))
    stop(sprintf("%s option must be like 1g or 1024m", name), call. = FALSE)
}

# Arguments that configured the Java H2O launcher have no counterpart in the Python backend:
# when set to a non-default value while starting it, say so.
.h2o.__warnJvmOnly <- function(...) {
  set <- list(...)
  given <- names(set)[vapply(set, function(v) !is.null(v) && !identical(v, FALSE), TRUE)]
  if (length(given))
    warning(sprintf("%s only configured the Java H2O launcher; the Python backend ignores %s",
                    paste(given, collapse = ", "), if (length(given) == 1L) "it" else "them"),
            call. = FALSE)
}

# Whether a local port is taken (it cannot be bound).
.h2o.__portInUse <- function(port) {
  tryCatch({ close(serverSocket(port)); FALSE }, error = function(e) TRUE)
}

# GET /3/Cloud with the client's settings: list(request, response); never stops.
.h2o.__probe <- function(client) {
  request <- .h2o.__request(client, "GET", .h2o.__PAGE_CLOUD, query = character(),
                            form = character(), timeout = 10, connect_timeout = 3)
  list(request = request, response = .h2o.__transport(request))
}

.h2o.__isUp <- function(client) identical(.h2o.__probe(client)$response$status, 200L)

#----------------------------------------------------------------------------------------
# Starting the Python backend (python from H2O_BACKEND_PYTHON, else python3), in the
# background, its output in a log file in tempdir(). This R session stops it when it exits.

.h2o.__backendPython <- function() {
  python <- Sys.getenv("H2O_BACKEND_PYTHON", "")
  if (nzchar(python)) python else "python3"
}

.h2o.__startBackend <- function(client, nthreads = -1, log_dir = NULL, timeout = 60) {
  log_file <- file.path(tempdir(), sprintf("h2o_backend_%s.out", format(client@port)))
  args <- c("--name", "H2O_started_from_R")
  if (nthreads > 0) args <- c(args, "--nthreads", format(nthreads))
  pid <- .h2o.__launchBackend(client@port, log_dir %||% tempdir(), log_file, args)
  if (is.na(pid))
    stop("H2O failed to start, stopping execution. Could not launch ", .h2o.__backendPython(),
         "; see the log file ", log_file, call. = FALSE)
  assign("STARTED", list(pid = pid, port = client@port, log = log_file), envir = .pkg.env)
  .h2o.__waitUp(client, pid, log_file, timeout)
}

# Launches `python -m h2o_backend` on 127.0.0.1:port in the background (output to out_file);
# returns its process id (NA if the shell could not start it). Also used by tests_r.
.h2o.__launchBackend <- function(port, log_dir, out_file, extra_args = character(),
                                 python = .h2o.__backendPython()) {
  args <- c("-m", "h2o_backend", "--ip", "127.0.0.1", "--port", format(port),
            "--log-dir", log_dir, extra_args)
  command <- sprintf("%s nohup %s %s > %s 2>&1 < /dev/null & echo $!", .h2o.__libraryPathReset(),
                     shQuote(python), paste(shQuote(args), collapse = " "), shQuote(out_file))
  pid <- suppressWarnings(as.integer(system2("/bin/sh", c("-c", shQuote(command)),
                                             stdout = TRUE)))
  if (length(pid) != 1L) NA_integer_ else pid
}

# R prepends its own library folders to LD_LIBRARY_PATH (etc/ldpaths). A Python linked
# against its own libpython could then load the system's one and lose its site-packages,
# so the backend gets the library path the user had before R started.
.h2o.__libraryPathReset <- function() {
  current <- Sys.getenv("LD_LIBRARY_PATH")
  ldpaths <- file.path(R.home("etc"), "ldpaths")
  if (!nzchar(current) || !file.exists(ldpaths)) return("")
  script <- sprintf('unset LD_LIBRARY_PATH; . %s >/dev/null 2>&1; printf %%s "$LD_LIBRARY_PATH"',
                    shQuote(ldpaths))
  added <- tryCatch(system2("/bin/sh", c("-c", shQuote(script)), stdout = TRUE),
                    error = function(e) character())
  if (length(added) != 1L || !nzchar(added) || !startsWith(current, added)) return("")
  rest <- current
  while (startsWith(rest, added))   # nested R processes prepend it again each time
    rest <- sub("^:", "", substring(rest, nchar(added) + 1L))
  if (nzchar(rest)) sprintf("LD_LIBRARY_PATH=%s; export LD_LIBRARY_PATH;", shQuote(rest))
  else "unset LD_LIBRARY_PATH;"
}

.h2o.__waitUp <- function(client, pid, log_file, timeout) {
  deadline <- Sys.time() + timeout
  while (Sys.time() < deadline) {
    if (.h2o.__isUp(client)) return(invisible(TRUE))
    if (!.h2o.__alive(pid)) {
      .h2o.__forgetStarted()
      stop(sprintf(paste0("H2O failed to start, stopping execution. The backend (%s -m ",
                          "h2o_backend) exited; see the log file %s%s"),
                   .h2o.__backendPython(), log_file, .h2o.__logTail(log_file)), call. = FALSE)
    }
    Sys.sleep(0.25)
  }
  .h2o.__stopStarted()
  stop(sprintf(paste0("H2O failed to start within %d seconds, stopping execution. ",
                      "See the log file %s%s"), timeout, log_file, .h2o.__logTail(log_file)),
       call. = FALSE)
}

.h2o.__alive <- function(pid) isTRUE(tools::pskill(pid, 0L))

.h2o.__logTail <- function(log_file, n = 5L) {
  lines <- tryCatch(readLines(log_file, warn = FALSE), error = function(e) character())
  if (length(lines) == 0L) return("")
  paste0(":\n", paste0("  ", utils::tail(lines, n), collapse = "\n"))
}

.h2o.__forgetStarted <- function() {
  if (exists("STARTED", envir = .pkg.env, inherits = FALSE)) rm("STARTED", envir = .pkg.env)
}

# Stops the backend this R session started (if any and still running). Called when R exits.
.h2o.__stopStarted <- function() {
  started <- get0("STARTED", envir = .pkg.env, inherits = FALSE)
  if (is.null(started)) return(invisible(FALSE))
  .h2o.__forgetStarted()
  if (!.h2o.__alive(started$pid)) return(invisible(FALSE))
  tools::pskill(started$pid, tools::SIGTERM)
  for (i in 1:40) {
    if (!.h2o.__alive(started$pid)) break
    Sys.sleep(0.05)
  }
  invisible(TRUE)
}

#----------------------------------------------------------------------------------------
# Cluster information and version

h2o.clusterInfo <- function(client) {
  if (missing(client) || !is(client, "H2OClient")) stop("client must be a H2OClient object")
  res <- .h2o.__remoteSend(client, .h2o.__PAGE_CLOUD, "GET")
  nodes <- res$nodes
  field <- function(n, ...) {
    for (name in c(...)) if (!is.null(n[[name]])) return(as.numeric(n[[name]]))
    NA_real_
  }
  maxMem <- sum(vapply(nodes, field, 0, "max_mem", "max_mem_bytes")) / 1024^3
  numCPU <- sum(vapply(nodes, field, 0, "num_cpus"))
  allowedCPU <- sum(vapply(nodes, field, 0, "cpus_allowed"))
  healthy <- isTRUE(res$cloud_healthy) &&
    all(vapply(nodes, function(n) !identical(n$healthy, FALSE), TRUE))
  cat("R is connected to H2O cluster:\n")
  cat("    H2O cluster uptime:        ", .h2o.__readableTime(.h2o.__num(res$cloud_uptime_millis)), "\n")
  cat("    H2O cluster version:       ", res$version, "\n")
  cat("    H2O cluster name:          ", res$cloud_name, "\n")
  cat("    H2O cluster total nodes:   ", res$cloud_size, "\n")
  cat("    H2O cluster total memory:  ", sprintf("%.2f GB", maxMem), "\n")
  cat("    H2O cluster total cores:   ", numCPU, "\n")
  cat("    H2O cluster allowed cores: ", allowedCPU, "\n")
  cat("    H2O cluster healthy:       ", healthy, "\n")
  if (length(nodes) > 1L) {   # a backend training on a Dask cluster: one node per worker
    for (i in seq_along(nodes)) {
      n <- nodes[[i]]
      cat(sprintf("    Node %d: %s, %g cores, %.2f GB, %s\n", i, n$ip_port %||% n$h2o,
                  field(n, "num_cpus"), field(n, "max_mem") / 1024^3,
                  if (identical(n$healthy, FALSE)) "unhealthy" else "healthy"))
    }
  }
  invisible(res)
}

# Legacy h2o.shutdown: asks "Are you sure ... (Y/N)?" unless prompt = FALSE; any answer but one
# starting with Y/y leaves the server running. The server answers, then stops cleanly (running
# jobs cancelled, saves in flight finished).
h2o.shutdown <- function(client, prompt = TRUE) {
  if (missing(client) || !is(client, "H2OClient")) stop("client must be of class H2OClient", call. = FALSE)
  .h2o.__checkScalar(prompt, "prompt", is.logical, "logical")
  url <- .h2o.__url(client, "")
  url <- substr(url, 1L, nchar(url) - 1L)
  if (!.h2o.__isUp(client)) stop(paste("There is no H2O instance running at", url), call. = FALSE)
  answer <- if (prompt) {
    readline(paste0("Are you sure you want to shutdown the H2O instance running at ", url, " (Y/N)? "))
  } else "y"
  if (!tolower(substr(answer, 1L, 1L)) %in% "y") return(invisible(FALSE))
  .h2o.__remoteSend(client, .h2o.__PAGE_SHUTDOWN, "POST")
  started <- get0("STARTED", envir = .pkg.env, inherits = FALSE)
  if (!is.null(started) && identical(started$port, client@port)) .h2o.__forgetStarted()
  invisible(TRUE)
}

# "3 minutes 12 seconds": the two largest non-zero units.
.h2o.__readableTime <- function(millis) {
  units <- c(days = 86400000, hours = 3600000, minutes = 60000, seconds = 1000,
             milliseconds = 1)
  left <- max(0, floor(millis))
  values <- numeric(length(units))
  for (i in seq_along(units)) {
    values[i] <- left %/% units[i]
    left <- left - values[i] * units[i]
  }
  names(values) <- names(units)
  shown <- values[values > 0]
  if (length(shown) == 0L) return("0 milliseconds")
  shown <- shown[seq_len(min(2L, length(shown)))]
  paste(shown, names(shown), collapse = " ")
}

.h2o.__version <- function(client) {
  as.character(.h2o.__remoteSend(client, .h2o.__PAGE_CLOUD, "GET")$version %||% "")
}

# Decision "versions": a server version other than the package's gives a warning
# (strict_version_check = TRUE) or a message (FALSE), never an error.
.h2o.__checkVersion <- function(client, strict = TRUE) {
  server <- .h2o.__version(client)
  package <- as.character(utils::packageVersion("h2o"))
  same <- tryCatch(numeric_version(server) == numeric_version(package), error = function(e) FALSE)
  if (isTRUE(same)) return(invisible(TRUE))
  text <- sprintf("Version mismatch! H2O is running version %s but R package is version %s",
                  server, package)
  if (strict) warning(text, call. = FALSE) else message(text)
  invisible(FALSE)
}
