# The R package against a backend started with --dask-workers 2 (issue 11): h2o.init's banner lists
# the two workers, and h2o.deeplearning trains on the cluster unchanged.

start_dask_backend <- function() {
  port <- dead_port()
  log_dir <- tempfile("h2o_dask_")
  dir.create(log_dir)
  pid <- h2o:::.h2o.__launchBackend(port, log_dir, file.path(log_dir, "out.txt"),
                                    c("--dask-workers", "2", "--dask-threads", "1"))
  deadline <- Sys.time() + 120
  while (!port_answers(port)) {
    if (Sys.time() > deadline || !isTRUE(tools::pskill(pid, 0L)))
      stop("the Dask backend did not start: ", paste(readLines(file.path(log_dir, "out.txt")), collapse = "\n"))
    Sys.sleep(0.25)
  }
  list(port = port, pid = pid)
}

test_that("h2o.deeplearning trains on a 2-worker Dask cluster and the banner lists the workers", {
  skip_if_no_server()
  backend <- start_dask_backend()
  on.exit(tools::pskill(backend$pid, tools::SIGTERM), add = TRUE)
  banner <- capture.output(client <- h2o.init(port = backend$port, startH2O = FALSE))
  expect_true(any(grepl("H2O cluster total nodes:\\s+2", banner)))
  expect_equal(sum(grepl("^\\s+Node [12]: 127\\.0\\.0\\.1:[0-9]+, 1 cores", banner)), 2L)
  iris.hex <- h2o.uploadFile(client, path = data_file("iris.csv"), key = "iris.hex")
  model <- h2o.deeplearning(x = 1:4, y = 5, data = iris.hex, hidden = c(10), epochs = 20, seed = 3,
                            replicate_training_data = FALSE)
  expect_s4_class(model, "H2ODeepLearningModel")
  err <- model@model$train_class_error
  expect_lt(err, 0.15)
  pred <- as.data.frame(h2o.predict(model, iris.hex))
  expect_equal(nrow(pred), 150L)
  expect_gt(mean(pred$predict == as.data.frame(iris.hex)[[5]]), 0.85)
})

test_that("h2o.importFile parses on the Dask workers and h2o.deeplearning trains on that frame unchanged", {
  skip_if_no_server()
  backend <- start_dask_backend()
  on.exit(tools::pskill(backend$pid, tools::SIGTERM), add = TRUE)
  capture.output(client <- h2o.init(port = backend$port, startH2O = FALSE))
  shared <- file.path(tempdir(), "iris_shared.csv")      # a folder the server and its workers read
  file.copy(data_file("iris.csv"), shared, overwrite = TRUE)
  iris.hex <- h2o.importFile(client, path = shared, key = "iris_on_workers.hex")
  expect_equal(dim(iris.hex), c(150L, 5L))
  cloud <- jsonlite::fromJSON(sprintf("http://127.0.0.1:%d/3/Cloud", backend$port))
  expect_gt(sum(cloud$nodes$mem_value_size), 0)          # the rows are held by the workers
  s <- summary(iris.hex)
  expect_true(any(grepl("setosa", s)))
  local <- as.data.frame(iris.hex)                         # streamed from the workers' chunks
  expect_equal(nrow(local), 150L)
  parts <- h2o.splitFrame(iris.hex, ratios = 0.8)            # row ranges, on the workers
  expect_equal(c(nrow(parts[[1]]), nrow(parts[[2]])), c(120, 30))
  inputs <- iris.hex[, 1:4]
  expect_equal(ncol(inputs), 4L)
  model <- h2o.deeplearning(x = 1:4, y = 5, data = iris.hex, hidden = c(10), epochs = 20, seed = 3)
  expect_s4_class(model, "H2ODeepLearningModel")
  expect_lt(model@model$train_class_error, 0.15)
  pred <- h2o.predict(model, parts[[2]])                   # a frame on the workers too
  expect_equal(nrow(pred), 30L)
  expect_gt(mean(as.data.frame(pred)$predict == as.data.frame(parts[[2]])[[5]]), 0.8)
  shuffled <- h2o.splitFrame(iris.hex, ratios = 0.75, shuffle = TRUE)   # (the same part keys)
  expect_equal(nrow(shuffled[[1]]) + nrow(shuffled[[2]]), 150)
})
