# Entry of `make test-r`: starts ONE backend on a free port, runs the testthat suite in
# tests_r/testthat against it, stops it, and exits non-zero on any failure.
#   R_LIBS=build/Rlib H2O_BACKEND_PYTHON=python3 Rscript tests_r/run_tests.R [filter]
# The optional argument is a regular expression selecting test files (testthat's filter).
# The last line printed is `testthat: N passed, M failed[, K skipped]` (expectations).
# A skip fails the run unless its message is listed in EXPECTED_SKIPS: the suite has a server,
# so a test that skips here did not run, and a green run must mean every test ran.

suppressPackageStartupMessages({
  library(testthat)
  library(h2o)
})

script_dir <- function() {
  arg <- grep("^--file=", commandArgs(trailingOnly = FALSE), value = TRUE)
  if (length(arg) == 0L) return(normalizePath("tests_r"))
  dirname(normalizePath(sub("^--file=", "", arg[1L])))
}

free_port <- function() {
  for (i in 1:100) {
    port <- sample(20000:50000, 1L)
    ok <- tryCatch({ close(serverSocket(port)); TRUE }, error = function(e) FALSE)
    busy <- tryCatch({
      curl::curl_fetch_memory(sprintf("http://127.0.0.1:%d/", port),
                              handle = curl::new_handle(connecttimeout = 1, timeout = 2))
      TRUE
    }, error = function(e) FALSE)
    if (ok && !busy) return(port)
  }
  stop("no free port found")
}

start_server <- function(python, port, log_dir) {
  out <- file.path(log_dir, "server.out")
  pid <- h2o:::.h2o.__launchBackend(port, log_dir, out, python = python)
  if (is.na(pid)) stop("could not launch ", python)
  url <- sprintf("http://127.0.0.1:%d/3/Cloud", port)
  deadline <- Sys.time() + 60
  while (Sys.time() < deadline) {
    up <- tryCatch(curl::curl_fetch_memory(url, handle = curl::new_handle(timeout = 2))$status_code == 200,
                   error = function(e) FALSE)
    if (up) return(pid)
    if (!isTRUE(tools::pskill(pid, 0L))) break
    Sys.sleep(0.25)
  }
  tools::pskill(pid, tools::SIGTERM)
  cat(readLines(out, warn = FALSE), sep = "\n")
  stop("the backend did not start on port ", port, "; see ", out)
}

stop_server <- function(pid) {
  tools::pskill(pid, tools::SIGTERM)
  for (i in 1:100) {
    if (!isTRUE(tools::pskill(pid, 0L))) return(invisible(TRUE))
    Sys.sleep(0.05)
  }
  tools::pskill(pid, tools::SIGKILL)
}

# Skip messages that may appear in a run through this script (none today).
EXPECTED_SKIPS <- character(0)

skip_messages <- function(results) {
  msgs <- character(0)
  for (test in results) {
    for (res in test$results) {
      if (inherits(res, "expectation_skip")) msgs <- c(msgs, sprintf("%s: %s", test$test, conditionMessage(res)))
    }
  }
  msgs
}

count_results <- function(results) {
  df <- as.data.frame(results)
  if (nrow(df) == 0L) return(c(passed = 0, failed = 0, skipped = 0))
  c(passed = sum(df$passed), failed = sum(df$failed) + sum(df$error),
    skipped = sum(df$skipped))
}

main <- function() {
  here <- script_dir()
  repo <- dirname(here)
  python <- Sys.getenv("H2O_BACKEND_PYTHON", "python3")
  if (!nzchar(python)) python <- "python3"
  log_dir <- tempfile("h2o_r_tests_")
  dir.create(log_dir)
  port <- free_port()
  pid <- start_server(python, port, log_dir)
  on.exit(stop_server(pid), add = TRUE)
  Sys.setenv(R_LIBS = paste(normalizePath(.libPaths()), collapse = .Platform$path.sep))
  Sys.setenv(H2O_TEST_PORT = port, H2O_TEST_REPO = repo, H2O_BACKEND_PYTHON = python)
  filter <- commandArgs(trailingOnly = TRUE)
  reporter <- testthat::SummaryReporter$new(show_praise = FALSE, max_reports = Inf)
  results <- testthat::test_dir(file.path(here, "testthat"), reporter = reporter,
                                filter = if (length(filter)) filter[1L] else NULL,
                                stop_on_failure = FALSE, stop_on_warning = FALSE)
  n <- count_results(results)
  line <- sprintf("testthat: %d passed, %d failed", n[["passed"]], n[["failed"]])
  if (n[["skipped"]] > 0) line <- sprintf("%s, %d skipped", line, n[["skipped"]])
  unexpected <- Filter(function(m) !any(vapply(EXPECTED_SKIPS, grepl, logical(1), x = m, fixed = TRUE)),
                       skip_messages(results))
  if (length(unexpected)) {
    cat("\nrun_tests.R: tests skipped that must run here:\n", paste0("  ", unexpected, "\n"), sep = "")
    line <- sprintf("testthat: %d passed, %d failed", n[["passed"]], n[["failed"]] + length(unexpected))
  }
  cat("\n", line, "\n", sep = "")
  n[["failed"]] == 0 && length(unexpected) == 0
}

ok <- tryCatch(main(), error = function(e) {
  cat("run_tests.R:", conditionMessage(e), "\n")
  FALSE
})
quit(save = "no", status = if (isTRUE(ok)) 0L else 1L)
