# The booklet's demos/02_weather.R, unchanged, in a fresh Rscript process. The script calls
# h2o.init() without a port; the package takes the default port from H2O_PORT when it is
# set (see ?h2o.init), which is how the script reaches the test server.

weather_dir <- function() {
  dir <- tempfile("booklet_weather_")
  dir.create(dir)
  file.copy(data_file("weather.csv"), dir)
  dir
}

script_02 <- function() file.path(test_repo(), "demos", "02_weather.R")

check_weather_output <- function(out) {
  ref <- read.csv(data_file("weather.csv"), stringsAsFactors = TRUE)
  text <- paste(out, collapse = "\n")
  expect_match(text, "Successfully connected to http://127.0.0.1:", fixed = TRUE)
  expect_match(text, "R is connected to H2O cluster:", fixed = TRUE)
  expect_false(grepl("Version mismatch", text))
  # every column appears in the summary's header lines
  for (col in names(ref)) expect_match(text, col, fixed = TRUE, info = col)
  # numeric columns: the six statistics
  for (stat in c("Min.   :", "1st Qu.:", "Median :", "Mean   :", "3rd Qu.:", "Max.   :"))
    expect_match(text, stat, fixed = TRUE)
  expect_match(text, sprintf("Max.   :%s", format(max(ref$Pressure9am, na.rm = TRUE))), fixed = TRUE)
  # factor columns: level counts that add up to the number of rows
  counts <- table(ref$ChangeTempDir)
  got <- 0
  for (level in names(counts)) {
    pattern <- sprintf("%s *: *%d ", level, counts[[level]])
    expect_match(text, pattern, info = level)
    got <- got + counts[[level]]
  }
  expect_equal(got, nrow(ref))
  expect_match(text, sprintf("small *: *%d ", sum(ref$ChangeTempMag == "small")))
}

test_that("02_weather.R runs unchanged against the test server", {
  skip_if_no_server()
  res <- run_rscript(script_02(), weather_dir(), env = sprintf("H2O_PORT=%d", test_port()))
  expect_equal(res$status, 0L, info = paste(res$output, collapse = "\n"))
  check_weather_output(res$output)
  client <- test_client()
  frame <- h2o.getFrame(client, "weather.hex")
  expect_equal(dim(frame), dim(read.csv(data_file("weather.csv"))))
})

test_that("02_weather.R starts its own backend when none answers, and stops it at exit", {
  skip_if_no_server()
  port <- dead_port()
  res <- run_rscript(script_02(), weather_dir(), env = sprintf("H2O_PORT=%d", port))
  expect_equal(res$status, 0L, info = paste(res$output, collapse = "\n"))
  expect_true("H2O is not running yet, starting it now..." %in% res$output)
  check_weather_output(res$output)
  expect_match(paste(res$output, collapse = "\n"), "limited to the CRAN default of 2 CPUs")
  Sys.sleep(0.5)
  expect_false(port_answers(port))
})
