# The request ladder and the job waiter, against a fake transport (no server needed).

test_that("parameters are encoded the H2O-3 way and unset ones are not sent", {
  enc <- h2o:::.h2o.__encodeParams(list(a = NULL, b = TRUE, c = FALSE, d = 0.1, e = 200,
                                        f = c(200, 200), g = c("x", "y\""), h = "plain",
                                        i = h2o:::.h2o.__asList("one"), j = 1e-5, k = Inf))
  expect_false("a" %in% names(enc))
  expect_equal(unname(enc[c("b", "c", "d", "e", "h", "j", "k")]),
               c("true", "false", "0.1", "200", "plain", "1e-05", "Inf"))
  expect_equal(unname(enc["f"]), "[200,200]")
  expect_equal(unname(enc["g"]), "[\"x\",\"y\\\"\"]")
  expect_equal(unname(enc["i"]), "[\"one\"]")
  third <- 1 / 3
  expect_identical(as.numeric(h2o:::.h2o.__num2str(third)), third)
})

test_that("page paths escape key segments", {
  expect_equal(h2o:::.h2o.__page("3/Frames", "a b/c", "summary"), "3/Frames/a%20b%2Fc/summary")
  expect_equal(h2o:::.h2o.__page("3/Cloud"), "3/Cloud")
})

test_that("GET sends parameters in the query, POST in a form body", {
  seen <- NULL
  with_transport(function(r) { seen <<- r; "{}" }, {
    h2o:::.h2o.__remoteSend(fake_client(), "3/Frames", "GET", row_count = 2L)
    expect_equal(seen$method, "GET")
    expect_equal(seen$query, c(row_count = "2"))
    h2o:::.h2o.__remoteSend(fake_client(), "3/Parse", "POST", blocking = FALSE, x = NULL)
    expect_equal(seen$method, "POST")
    expect_equal(seen$form, c(blocking = "false"))
    expect_length(seen$query, 0)
  })
})

test_that("a non-2xx reply becomes an h2o_http_error carrying the server's msg", {
  body <- json(list(http_status = 404, msg = "Frame 'nope' not found", dev_msg = "x"))
  with_transport(function(r) list(status = 404L, body = body), {
    err <- tryCatch(h2o:::.h2o.__remoteSend(fake_client(), "3/Frames/nope", "GET"),
                    error = function(e) e)
  })
  expect_s3_class(err, "h2o_http_error")
  expect_s3_class(err, "h2o_failure")
  expect_equal(err$status, 404L)
  expect_equal(err$server_msg, "Frame 'nope' not found")
  expect_match(conditionMessage(err), "Frame 'nope' not found", fixed = TRUE)
  expect_match(conditionMessage(err), "http://127.0.0.1:1/3/Frames/nope", fixed = TRUE)
})

test_that("model-builder messages are added to the error text", {
  body <- json(list(msg = "Illegal argument(s)",
                    messages = list(list(message_type = "ERRR", field_name = "hidden",
                                         message = "must be positive"),
                                    list(message_type = "WARN", field_name = "x",
                                         message = "just a warning"))))
  with_transport(function(r) list(status = 412L, body = body), {
    expect_error(h2o:::.h2o.__remoteSend(fake_client(), "3/ModelBuilders/deeplearning", "POST"),
                 "hidden: must be positive", class = "h2o_http_error")
  })
})

test_that("a non-JSON error body is reported as it is", {
  with_transport(function(r) list(status = 500L, body = "Internal meltdown"), {
    expect_error(h2o:::.h2o.__remoteSend(fake_client(), "3/Cloud", "GET"),
                 "Internal meltdown", class = "h2o_http_error")
  })
})

test_that("a transport failure becomes an h2o_connection_error", {
  with_transport(function(r) list(status = 0L, body = "", error = "Connection refused"), {
    expect_error(h2o:::.h2o.__remoteSend(fake_client(), "3/Cloud", "GET"),
                 "Cannot connect to H2O instance at http://127.0.0.1:1/",
                 class = "h2o_connection_error")
  })
})

test_that("the real transport reports a server that is down", {
  client <- new("H2OClient", ip = "127.0.0.1", port = dead_port())
  expect_error(h2o:::.h2o.__remoteSend(client, "3/Cloud", "GET"),
               "Cannot connect to H2O instance", class = "h2o_connection_error")
})

test_that("JSON with bare NaN and Infinity is decoded", {
  x <- h2o:::.h2o.__fromJSON('{"a": [1, NaN, -Infinity, null], "b": "NaN, here"}')
  expect_equal(h2o:::.h2o.__num(x$a), c(1, NA, -Inf, NA))
  expect_equal(x$b, "NaN, here")
})

# A fake /3/Jobs that walks through the given states.
job_server <- function(states, exception = NULL, warnings = list()) {
  i <- 0
  calls <- character()
  list(answer = function(r) {
    calls <<- c(calls, paste(r$method, r$url))
    if (grepl("/cancel$", r$url)) return("{}")
    i <<- min(i + 1, length(states))
    json(list(jobs = list(list(key = list(name = "job1"), status = states[i],
                               progress = if (states[i] == "DONE") 1 else 0.5,
                               exception = exception, warnings = warnings))))
  }, calls = function() calls)
}

test_that("waitOnJob returns the finished job and forwards its warnings", {
  js <- job_server(c("RUNNING", "RUNNING", "DONE"), warnings = list("columns dropped"))
  with_transport(js$answer, {
    expect_warning(job <- h2o:::.h2o.__waitOnJob(fake_client(), "job1", pollInterval = 0.01),
                   "columns dropped")
  })
  expect_equal(job$status, "DONE")
  expect_equal(length(js$calls()), 3)
  expect_match(js$calls()[1], "GET http://127.0.0.1:1/3/Jobs/job1", fixed = TRUE)
})

test_that("waitOnJob stops with the job's exception text on failure", {
  js <- job_server(c("RUNNING", "FAILED"), exception = "java.lang.IllegalArgumentException: bad column")
  with_transport(js$answer, {
    expect_error(h2o:::.h2o.__waitOnJob(fake_client(), "job1", pollInterval = 0.01),
                 "bad column", class = "h2o_job_error")
  })
})

test_that("waitOnJob reports a job cancelled on the server", {
  js <- job_server(c("CANCELLED"))
  with_transport(js$answer, {
    expect_error(h2o:::.h2o.__waitOnJob(fake_client(), "job1", pollInterval = 0.01),
                 "Job key job1 was cancelled by user", class = "h2o_job_cancelled")
  })
})

test_that("a user interrupt cancels the job on the server", {
  js <- job_server(c("RUNNING"))
  polls <- 0
  answer <- function(r) {
    if (!grepl("/cancel$", r$url)) {
      polls <<- polls + 1
      if (polls == 2) signalCondition(structure(class = c("interrupt", "condition"), list()))
    }
    js$answer(r)
  }
  got <- with_transport(answer, tryCatch(
    h2o:::.h2o.__waitOnJob(fake_client(), "job1", pollInterval = 0.01),
    interrupt = function(e) "interrupted"))
  expect_equal(got, "interrupted")
  expect_true(any(grepl("^POST .*/3/Jobs/job1/cancel$", js$calls())))
})

test_that("the progress bar shows unless h2o.quiet is set", {
  js <- job_server(c("RUNNING", "DONE"))
  old <- options(h2o.quiet = FALSE)
  on.exit(options(old))
  out <- with_transport(js$answer,
                        capture.output(h2o:::.h2o.__waitOnJob(fake_client(), "job1", 0.01)))
  expect_match(paste(out, collapse = ""), "100%", fixed = TRUE)
  options(h2o.quiet = TRUE)
  js <- job_server(c("RUNNING", "DONE"))
  out <- with_transport(js$answer,
                        capture.output(h2o:::.h2o.__waitOnJob(fake_client(), "job1", 0.01)))
  expect_length(out, 0)
  js <- job_server(c("DONE"))
  options(h2o.quiet = FALSE)
  out <- with_transport(js$answer, capture.output(
    h2o:::.h2o.__waitOnJob(fake_client(), "job1", 0.01, progressBar = FALSE)))
  expect_length(out, 0)
})

test_that("JSON-valued parameters travel as JSON text", {
  enc <- h2o:::.h2o.__encodeParams(list(
    hyper_parameters = h2o:::.h2o.__asJSON(list(hidden = list(c(200, 200), c(100, 300, 100)),
                                                l1 = c(1e-5, 1e-7))),
    nothing = h2o:::.h2o.__asJSON(NULL)))
  expect_equal(names(enc), "hyper_parameters")
  expect_equal(jsonlite::fromJSON(enc[["hyper_parameters"]], simplifyVector = FALSE)$l1[[2]], 1e-7)
  expect_equal(unname(enc), "{\"hidden\":[[200,200],[100,300,100]],\"l1\":[1e-05,1e-07]}")
})
