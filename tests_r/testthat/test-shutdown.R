# h2o.shutdown against a server of its own (not the suite's), started on a free port.

test_that("h2o.shutdown checks its arguments", {
  expect_error(h2o.shutdown("127.0.0.1"), "client must be of class H2OClient")
  expect_error(h2o.shutdown(fake_client(), prompt = "yes"), "prompt must be of class logical")
  expect_error(h2o.shutdown(new("H2OClient", ip = "127.0.0.1", port = dead_port()), prompt = FALSE),
               "There is no H2O instance running at http://127.0.0.1:")
})

test_that("h2o.shutdown asks first, and stops the server with prompt = FALSE", {
  port <- dead_port()
  pid <- h2o:::.h2o.__launchBackend(port, tempdir(), tempfile(fileext = ".out"))
  on.exit(if (h2o:::.h2o.__alive(pid)) tools::pskill(pid, tools::SIGKILL), add = TRUE)
  deadline <- Sys.time() + 60
  while (!port_answers(port) && Sys.time() < deadline) Sys.sleep(0.25)
  expect_true(port_answers(port))
  client <- new("H2OClient", ip = "127.0.0.1", port = port)
  # not interactive: readline() answers "", which is not a yes
  expect_false(h2o.shutdown(client))
  expect_true(port_answers(port))
  expect_true(h2o.shutdown(client, prompt = FALSE))
  deadline <- Sys.time() + 30
  while (h2o:::.h2o.__alive(pid) && Sys.time() < deadline) Sys.sleep(0.2)
  expect_false(h2o:::.h2o.__alive(pid))
  expect_false(port_answers(port))
})
