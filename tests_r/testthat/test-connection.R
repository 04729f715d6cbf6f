# h2o.init, h2o.clusterInfo, version check, starting the backend.

cloud_json <- function(version = "3.46.0.12") {
  json(list(version = version, cloud_name = "fake", cloud_size = 1,
            cloud_uptime_millis = 192000, cloud_healthy = TRUE,
            nodes = list(list(healthy = TRUE, num_cpus = 4, cpus_allowed = 2,
                              max_mem = 2 * 1024^3, nthreads = 2))))
}

test_that("h2o.init checks its arguments with the legacy messages", {
  expect_error(h2o.init(ip = 1), "ip must be of class character")
  expect_error(h2o.init(port = "54321"), "port must be of class numeric")
  expect_error(h2o.init(port = 70000), "port must be an integer between 1 and 65535")
  expect_error(h2o.init(startH2O = "yes"), "startH2O must be of class logical")
  expect_error(h2o.init(forceDL = 1), "forceDL must be of class logical")
  expect_error(h2o.init(nthreads = "all"), "nthreads must be of class numeric")
  expect_error(h2o.init(nthreads = 0), "nthreads must be -2")
  expect_error(h2o.init(max_mem_size = "lots"), "max_mem_size option must be like 1g or 1024m")
  expect_error(h2o.init(min_mem_size = 1), "min_mem_size must be of class character")
  expect_error(h2o.init(Xmx = "1x"), "Xmx option must be like 1g or 1024m")
  expect_error(h2o.init(beta = NA), "beta must be of class logical")
  expect_error(h2o.init(license = 3), "license must be of class character")
  expect_error(h2o.init(ice_root = 3), "ice_root must be of class character")
  expect_error(h2o.init(strict_version_check = "no"), "strict_version_check must be of class logical")
  expect_error(h2o.init(data_max_factor_levels = "x"), "`data_max_factor_levels` must be numeric.")
  expect_error(h2o.init(many_cols = 1), "`many_cols` must be logical")
  expect_error(h2o.init(chunk_bytes = "x"), "`chunk_bytes` must be numeric")
})

test_that("h2o.init without a server and without startH2O says where it looked", {
  port <- dead_port()
  expect_error(h2o.init(port = port, startH2O = FALSE),
               sprintf("Cannot connect to H2O server. Please check that H2O is running at http://127.0.0.1:%d", port),
               fixed = TRUE)
})

test_that("h2o.init only starts a backend on the local address", {
  expect_error(capture.output(h2o.init(ip = "127.0.0.2", port = dead_port())),
               "Can only start H2O launcher if IP address is localhost.", fixed = TRUE)
})

test_that("h2o.init connects and prints the cluster information", {
  with_transport(function(r) cloud_json(), {
    out <- capture.output(client <- h2o.init(port = 5555))
  })
  expect_s4_class(client, "H2OClient")
  expect_equal(client@port, 5555)
  expect_equal(out[1], "Successfully connected to http://127.0.0.1:5555 ")
  expect_true("R is connected to H2O cluster:" %in% out)
  expect_true("    H2O cluster uptime:         3 minutes 12 seconds " %in% out)
  expect_true("    H2O cluster version:        3.46.0.12 " %in% out)
  expect_true("    H2O cluster name:           fake " %in% out)
  expect_true("    H2O cluster total nodes:    1 " %in% out)
  expect_true("    H2O cluster total memory:   2.00 GB " %in% out)
  expect_true("    H2O cluster total cores:    4 " %in% out)
  expect_true("    H2O cluster allowed cores:  2 " %in% out)
  expect_true("    H2O cluster healthy:        TRUE " %in% out)
  expect_identical(h2o:::.pkg.env$SERVER, client)
})

test_that("a server of another version gives a warning, not an error", {
  with_transport(function(r) cloud_json("3.10.0.1"), {
    expect_warning(capture.output(h2o.init(port = 5555)),
                   "Version mismatch! H2O is running version 3.10.0.1 but R package is version 3.46.0.12",
                   fixed = TRUE)
    expect_message(capture.output(h2o.init(port = 5555, strict_version_check = FALSE)),
                   "Version mismatch!")
  })
})

test_that("the default port comes from option h2o.port or H2O_PORT", {
  seen <- NULL
  old <- options(h2o.port = 6001)
  on.exit(options(old))
  with_transport(function(r) { seen <<- r$url; cloud_json() }, {
    capture.output(client <- h2o.init())
    expect_equal(client@port, 6001)
    expect_match(seen, "http://127.0.0.1:6001/3/Cloud", fixed = TRUE)
    expect_equal(capture.output(h2o.init(port = 6002))[1],
                 "Successfully connected to http://127.0.0.1:6002 ")
    options(h2o.port = NULL)
    Sys.setenv(H2O_PORT = "6003")
    on.exit(Sys.unsetenv("H2O_PORT"), add = TRUE)
    capture.output(client <- h2o.init())
    expect_equal(client@port, 6003)
    Sys.setenv(H2O_PORT = "not-a-port")
    expect_error(h2o.init(), "H2O_PORT")
  })
})

test_that("h2o.init connects to the real test server", {
  port <- test_port()
  skip_if_no_server()
  expect_warning(out <- capture.output(client <- h2o.init(port = port)), NA)
  expect_equal(out[1], sprintf("Successfully connected to http://127.0.0.1:%d ", port))
  expect_true(any(grepl("H2O cluster version: +3.46.0.12", out)))
  expect_output(print(client), sprintf("IP Address: 127.0.0.1 \nPort      : %d ", port),
                fixed = TRUE)
  expect_output(h2o.clusterInfo(client), "H2O cluster healthy:        TRUE")
})

test_that("h2o.clusterInfo checks its argument", {
  expect_error(h2o.clusterInfo("localhost"), "client must be a H2OClient object")
  expect_error(h2o.clusterInfo(), "client must be a H2OClient object")
})

test_that("a backend that cannot start gives a clear message naming the log file", {
  old <- Sys.getenv("H2O_BACKEND_PYTHON")
  on.exit(Sys.setenv(H2O_BACKEND_PYTHON = old))
  Sys.setenv(H2O_BACKEND_PYTHON = "/nonexistent/python3")
  port <- dead_port()
  out <- capture.output(err <- tryCatch(h2o.init(port = port), error = function(e) e))
  expect_true(any(grepl("H2O is not running yet, starting it now...", out, fixed = TRUE)))
  expect_match(conditionMessage(err), "H2O failed to start, stopping execution.", fixed = TRUE)
  expect_match(conditionMessage(err), sprintf("h2o_backend_%d.out", port), fixed = TRUE)
  expect_null(h2o:::.pkg.env$STARTED)
})

test_that("uptime reads like the legacy package", {
  expect_equal(h2o:::.h2o.__readableTime(192000), "3 minutes 12 seconds")
  expect_equal(h2o:::.h2o.__readableTime(2345), "2 seconds 345 milliseconds")
  expect_equal(h2o:::.h2o.__readableTime(90061001), "1 days 1 hours")
  expect_equal(h2o:::.h2o.__readableTime(0), "0 milliseconds")
})
