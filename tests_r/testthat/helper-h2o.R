# Shared helpers. run_tests.R exports H2O_TEST_PORT (the suite's backend) and H2O_TEST_REPO.
suppressPackageStartupMessages(library(h2o))
options(h2o.quiet = TRUE)

test_port <- function() as.numeric(Sys.getenv("H2O_TEST_PORT", "0"))
test_repo <- function() Sys.getenv("H2O_TEST_REPO", normalizePath("../.."))

skip_if_no_server <- function() {
  if (test_port() == 0) skip("no test server (run through tests_r/run_tests.R)")
}

test_client <- function() {
  skip_if_no_server()
  new("H2OClient", ip = "127.0.0.1", port = test_port())
}

data_file <- function(name) file.path(test_repo(), "demos", "data", name)

# A port nothing listens on.
dead_port <- function() {
  for (i in 1:100) {
    port <- sample(20000:50000, 1L)
    free <- tryCatch({ close(serverSocket(port)); TRUE }, error = function(e) FALSE)
    if (free) return(port)
  }
  stop("no free port")
}

# A fake transport: `answer(request)` returns list(status, body) or a body string (200).
with_transport <- function(answer, code) {
  old <- options(h2o.transport = function(request) {
    res <- answer(request)
    if (is.character(res)) res <- list(status = 200L, body = res)
    res
  })
  on.exit(options(old))
  force(code)
}

json <- function(x) as.character(jsonlite::toJSON(x, auto_unbox = TRUE, null = "null"))

fake_client <- function() new("H2OClient", ip = "127.0.0.1", port = 1)

# Runs an R script in a fresh Rscript process inside `dir`; returns list(status, output).
run_rscript <- function(script, dir, env = character()) {
  old <- setwd(dir)
  on.exit(setwd(old))
  rscript <- file.path(R.home("bin"), "Rscript")
  libs <- paste(normalizePath(.libPaths()), collapse = .Platform$path.sep)
  out <- suppressWarnings(system2(rscript, shQuote(script), stdout = TRUE, stderr = TRUE,
                                  env = c(paste0("R_LIBS=", shQuote(libs)), env)))
  list(status = attr(out, "status") %||% 0L, output = out)
}

`%||%` <- function(a, b) if (is.null(a)) b else a

port_answers <- function(port) {
  tryCatch(curl::curl_fetch_memory(sprintf("http://127.0.0.1:%d/3/Cloud", port),
                                   handle = curl::new_handle(timeout = 2))$status_code == 200,
           error = function(e) FALSE)
}
