# h2o.init(username =, password =, https =, insecure =, cacert =) against backends started here
# with --auth-file (an `htpasswd -B` file) and with --certfile/--keyfile (a self-signed
# certificate made by `openssl req -x509`): every request of the package sends the credentials.

auth_dir <- function() {
  dir <- tempfile("h2o_auth_test_")
  dir.create(dir)
  dir
}

make_htpasswd <- function(dir, user, password) {
  file <- file.path(dir, "users")
  status <- system2("htpasswd", c("-cbB", shQuote(file), shQuote(user), shQuote(password)),
                    stdout = FALSE, stderr = FALSE)
  if (!identical(status, 0L)) stop("htpasswd failed (apt-get install apache2-utils)")
  file
}

make_certificate <- function(dir) {
  cert <- file.path(dir, "cert.pem")
  key <- file.path(dir, "key.pem")
  status <- system2("openssl", c("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                                 "-keyout", shQuote(key), "-out", shQuote(cert),
                                 "-subj", "/CN=localhost",
                                 "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"),
                    stdout = FALSE, stderr = FALSE)
  if (!identical(status, 0L)) stop("openssl req failed")
  c(cert = cert, key = key)
}

# A backend with extra options on a free port; up once /3/Cloud answers at all (401 counts).
start_gated_backend <- function(dir, args, scheme = "http") {
  port <- dead_port()
  out <- file.path(dir, "server.out")
  pid <- h2o:::.h2o.__launchBackend(port, dir, out, extra_args = args,
                                    python = Sys.getenv("H2O_BACKEND_PYTHON", "python3"))
  url <- sprintf("%s://127.0.0.1:%d/3/Cloud", scheme, port)
  deadline <- Sys.time() + 60
  repeat {
    status <- tryCatch(curl::curl_fetch_memory(url, handle = curl::new_handle(
      timeout = 2, ssl_verifypeer = 0L, ssl_verifyhost = 0L))$status_code, error = function(e) 0L)
    if (status %in% c(200L, 401L)) break
    if (Sys.time() > deadline || !isTRUE(tools::pskill(pid, 0L)))
      stop("the backend did not start: ", paste(readLines(out, warn = FALSE), collapse = "\n"))
    Sys.sleep(0.2)
  }
  list(pid = pid, port = port)
}

stop_gated_backend <- function(backend) {
  tools::pskill(backend$pid, tools::SIGTERM)
  for (i in 1:100) {
    if (!isTRUE(tools::pskill(backend$pid, 0L))) return(invisible(TRUE))
    Sys.sleep(0.05)
  }
  tools::pskill(backend$pid, tools::SIGKILL)
}

quiet_init <- function(...) {
  out <- capture.output(client <- h2o.init(...))
  client
}

test_that("h2o.init checks the connection arguments", {
  expect_error(h2o.init(https = "yes"), "https must be of class logical")
  expect_error(h2o.init(insecure = 1), "insecure must be of class logical")
  expect_error(h2o.init(username = "a"), "username and password go together")
  expect_error(h2o.init(password = "p"), "username and password go together")
  expect_error(h2o.init(username = 1, password = "p"), "username must be of class character")
  expect_error(h2o.init(username = "a:b", password = "p"), "must not contain ':'")
  expect_error(h2o.init(insecure = TRUE), "set https = TRUE")
  expect_error(h2o.init(https = TRUE, cacert = "/no/such/ca.pem"), "does not exist")
})

test_that("every request sends the client's credentials and TLS settings", {
  seen <- list()
  client <- new("H2OClient", ip = "127.0.0.1", port = 5555, username = "u", password = "p w",
                https = TRUE, insecure = TRUE)
  with_transport(function(r) { seen[[length(seen) + 1L]] <<- r; json(list(frames = list())) }, {
    h2o.ls(client)
    h2o:::.h2o.__remoteSend(client, h2o:::.h2o.__PAGE_DKV, "DELETE")
  })
  expect_gte(length(seen), 2L)
  for (r in seen) {
    expect_equal(r$username, "u")
    expect_equal(r$password, "p w")
    expect_true(r$insecure)
    expect_match(r$url, "^https://127.0.0.1:5555/")
  }
  legacy <- new("H2OClient", ip = "127.0.0.1", port = 5555)   # the legacy two-slot form
  with_transport(function(r) { seen <<- list(r); json(list(frames = list())) }, h2o.ls(legacy))
  expect_true(is.na(seen[[1]]$username))
  expect_match(seen[[1]]$url, "^http://")
})

test_that("h2o.init with username and password works against --auth-file; a wrong one is a 401", {
  dir <- auth_dir()
  backend <- start_gated_backend(dir, c("--auth-file", make_htpasswd(dir, "ruser", "r pass")))
  on.exit(stop_gated_backend(backend), add = TRUE)
  client <- quiet_init(port = backend$port, username = "ruser", password = "r pass",
                       startH2O = FALSE, strict_version_check = FALSE)
  expect_equal(client@username, "ruser")
  iris <- h2o.uploadFile(client, data_file("iris.csv"), key = "auth_iris.hex", header = FALSE)
  expect_equal(dim(iris), c(150, 5))
  expect_equal(nrow(as.data.frame(iris)), 150)
  model <- h2o.deeplearning(x = 1:4, y = 5, data = iris, hidden = 3, epochs = 1, seed = 1)
  expect_equal(nrow(as.data.frame(h2o.predict(model, iris))), 150)
  path <- h2o.saveModel(model, dir = tempfile("auth_model_"))
  expect_equal(h2o.loadModel(client, path)@key, model@key)

  err <- tryCatch(quiet_init(port = backend$port, username = "ruser", password = "wrong",
                             startH2O = FALSE), error = function(e) e)
  expect_s3_class(err, "h2o_auth_error")
  expect_match(conditionMessage(err), "HTTP 401")
  expect_match(conditionMessage(err), "Authentication failed")
  expect_match(conditionMessage(err), "username and password")
  # no credentials at all: the same clear error, and no local backend is started instead
  expect_error(quiet_init(port = backend$port), "HTTP 401[^\n]*\n  Authentication required",
               class = "h2o_auth_error")
  expect_null(get0("STARTED", envir = h2o:::.pkg.env, inherits = FALSE))
  # an existing client object without credentials
  bare <- new("H2OClient", ip = "127.0.0.1", port = backend$port)
  expect_error(h2o.ls(bare), "HTTP 401", class = "h2o_http_error")
})

test_that("h2o.init(https = TRUE) reaches an HTTPS backend with insecure or cacert", {
  dir <- auth_dir()
  tls <- make_certificate(dir)
  backend <- start_gated_backend(dir, c("--certfile", tls[["cert"]], "--keyfile", tls[["key"]],
                                        "--auth-file", make_htpasswd(dir, "tls", "pw")),
                                 scheme = "https")
  on.exit(stop_gated_backend(backend), add = TRUE)
  client <- quiet_init(port = backend$port, https = TRUE, insecure = TRUE, username = "tls",
                       password = "pw", startH2O = FALSE, strict_version_check = FALSE)
  out <- capture.output(print(client))
  expect_true(any(grepl("https", out)) && !any(grepl("pw", out, fixed = TRUE)))
  frame <- h2o.uploadFile(client, data_file("iris.csv"), key = "tls_iris.hex", header = FALSE)
  expect_equal(dim(frame), c(150, 5))
  verified <- quiet_init(port = backend$port, https = TRUE, cacert = tls[["cert"]],
                         username = "tls", password = "pw", startH2O = FALSE,
                         strict_version_check = FALSE)
  expect_equal(dim(h2o.getFrame(verified, "tls_iris.hex")), c(150, 5))
  # the self-signed certificate without insecure: a clear error, no local backend started
  expect_error(quiet_init(port = backend$port, https = TRUE, username = "tls", password = "pw"),
               "Cannot connect to H2O server at https://127.0.0.1:[0-9]+ \\(.*certificate")
  # plain HTTP to the HTTPS port: a clear error, and no attempt to start a backend there
  expect_error(quiet_init(port = backend$port, username = "tls", password = "pw"),
               "does not answer as H2O does.*use https = TRUE")
  expect_null(get0("STARTED", envir = h2o:::.pkg.env, inherits = FALSE))
})
