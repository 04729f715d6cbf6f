# Helpers of the model tests (test-deeplearning.R, test-grid.R, test-models.R): small frames
# uploaded once per key, tiny models, a second backend for save/load across servers, and a
# fake transport that records the requests h2o.deeplearning sends.

model_frame <- function(client, file, key, header = TRUE) {
  tryCatch(h2o.getFrame(client, key), h2o_http_error = function(e)
    h2o.uploadFile(client, data_file(file), key = key, header = header, sep = ","))
}

prostate_frame <- function(client) model_frame(client, "prostate.csv", "dlt_prostate.hex")
iris_frame <- function(client) model_frame(client, "iris.csv", "dlt_iris.hex", header = FALSE)

# A small classifier of CAPSULE (column 2) from columns 3:9 of prostate.
tiny_model <- function(frame, ...) {
  h2o.deeplearning(x = 3:9, y = 2, data = frame, hidden = 5, epochs = 1, seed = 7, ...)
}

printed <- function(x) paste(capture.output(print(x)), collapse = "\n")

# A second backend on a free port: list(pid, client). Stop it with stop_backend().
start_backend <- function() {
  port <- dead_port()
  dir <- tempfile("h2o_second_backend_")
  dir.create(dir)
  pid <- h2o:::.h2o.__launchBackend(port, dir, file.path(dir, "server.out"),
                                    python = Sys.getenv("H2O_BACKEND_PYTHON", "python3"))
  deadline <- Sys.time() + 60
  while (!port_answers(port)) {
    if (Sys.time() > deadline) stop("the second backend did not start; see ", dir)
    Sys.sleep(0.2)
  }
  list(pid = pid, client = new("H2OClient", ip = "127.0.0.1", port = port))
}

stop_backend <- function(backend) {
  tools::pskill(backend$pid, tools::SIGTERM)
  for (i in 1:100) {
    if (!isTRUE(tools::pskill(backend$pid, 0L))) return(invisible(TRUE))
    Sys.sleep(0.05)
  }
  tools::pskill(backend$pid, tools::SIGKILL)
}

# Frame metadata for the fake transport: columns a (real), n (int), k (enum), y (int).
fake_frame_json <- function(key) {
  col <- function(label, type, domain = NULL) list(label = label, type = type, domain = domain)
  json(list(frames = list(list(frame_id = list(name = key), rows = 10, num_columns = 4,
                               columns = list(col("a", "real"), col("n", "int"),
                                              col("k", "enum", list("p", "q")),
                                              col("y", "int"))))))
}

fake_frame <- function(key = "fake.hex") {
  new("H2OParsedData", h2o = fake_client(), key = key, col_names = c("a", "n", "k", "y"),
      nrows = 10, ncols = 4)
}

# Runs `code` against a fake server that describes fake frames and refuses every POST with
# a 412; returns the form of the last POST (a named character vector).
capture_post <- function(code) {
  form <- NULL
  answer <- function(request) {
    if (request$method == "GET" && grepl("/3/Frames/", request$url))
      return(fake_frame_json(sub(".*/3/Frames/([^/?]*).*", "\\1", request$url)))
    if (request$method == "POST") {
      form <<- c(request$form, url = request$url)
      return(list(status = 412L, body = json(list(http_status = 412, msg = "captured"))))
    }
    list(status = 404L, body = json(list(http_status = 404, msg = "not faked")))
  }
  with_transport(answer, tryCatch(code, h2o_http_error = function(e) NULL))
  form
}
