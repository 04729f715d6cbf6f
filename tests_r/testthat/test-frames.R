# Upload, import, parse, frame handles, summary, conversion to R, listing and removing.

weather_csv <- function() data_file("weather.csv")
weather_r <- function() read.csv(weather_csv(), stringsAsFactors = TRUE)

upload_weather <- function(client, key = "r_weather.hex") {
  h2o.uploadFile(client, path = weather_csv(), header = TRUE, sep = ",", key = key)
}

test_that("h2o.uploadFile checks its arguments", {
  client <- fake_client()
  expect_error(h2o.uploadFile("client", "weather.csv"), "object must be of class H2OClient")
  expect_error(h2o.uploadFile(client), "Must specify path")
  expect_error(h2o.uploadFile(client, path = 1), "path must be of class character")
  expect_error(h2o.uploadFile(client, path = ""), "path must be a non-empty string")
  expect_error(h2o.uploadFile(client, weather_csv(), key = "1bad"),
               "key must match the regular expression '^[a-zA-Z_][a-zA-Z0-9_.]*$'", fixed = TRUE)
  expect_error(h2o.uploadFile(client, weather_csv(), key = 3), "key must be of class character")
  expect_error(h2o.uploadFile(client, weather_csv(), parse = "yes"), "parse must be TRUE or FALSE")
  expect_error(h2o.uploadFile(client, weather_csv(), silent = NA), "silent must be TRUE or FALSE")
  expect_error(h2o.uploadFile(client, path = "no/such/file.csv"),
               "path: file 'no/such/file.csv' does not exist", fixed = TRUE)
  expect_error(h2o.uploadFile(client, path = tempdir()), "does not exist")
})

test_that("h2o.parseRaw checks its arguments", {
  raw <- new("H2ORawData", h2o = fake_client(), key = "x.csv")
  expect_error(h2o.parseRaw("x.csv"), "data must be of class H2ORawData")
  expect_error(h2o.parseRaw(raw, header = "yes"), "header must be TRUE or FALSE")
  expect_error(h2o.parseRaw(raw, header_with_hash = 1), "header_with_hash must be TRUE or FALSE")
  expect_error(h2o.parseRaw(raw, sep = ",;"), "sep must be a single character")
  expect_error(h2o.parseRaw(raw, sep = 44), "sep must be of class character")
  expect_error(h2o.parseRaw(raw, col.names = 1:3), "col.names must be an H2OParsedData object or a character vector")
  expect_error(h2o.parseRaw(raw, parser_type = "JSON"), "parser_type must be one of AUTO, CSV")
  expect_error(h2o.parseRaw(raw, key = "a b"), "key must match the regular expression")
})

test_that("h2o.importFile, h2o.getFrame, h2o.ls and h2o.rm check their arguments", {
  client <- fake_client()
  expect_error(h2o.importFile(1, "x"), "object must be of class H2OClient")
  expect_error(h2o.importFile(client), "Must specify path")
  expect_error(h2o.importFile(client, path = TRUE), "path must be of class character")
  expect_error(h2o.getFrame(1, "k"), "h2o must be of class H2OClient")
  expect_error(h2o.getFrame(client), "Must specify key")
  expect_error(h2o.getFrame(client, 3), "key must be of class character")
  expect_error(h2o.ls(NULL), "object must be of class H2OClient")
  expect_error(h2o.ls(client, pattern = 1), "pattern must be of class character")
  expect_error(h2o.rm(client), "Must specify keys")
  expect_error(h2o.rm(client, keys = 1), "keys must be of class character")
  expect_error(h2o:::as.data.frame.H2OParsedData(data.frame()), "x must be of class H2OParsedData")
  expect_error(head(new("H2OParsedData", nrows = 3), n = "a"), "n must be a single number")
})

test_that("the upload sends the file and the parse honours header and sep", {
  client <- test_client()
  w <- upload_weather(client)
  ref <- weather_r()
  expect_s4_class(w, "H2OParsedData")
  expect_equal(w@key, "r_weather.hex")
  expect_equal(dim(w), dim(ref))
  expect_equal(nrow(w), nrow(ref))
  expect_equal(ncol(w), 24)
  expect_equal(colnames(w), names(ref))
  expect_equal(names(w), names(ref))
  expect_true(w@any_enum)
})

test_that("summary prints per-column statistics like base R", {
  client <- test_client()
  w <- upload_weather(client)
  ref <- weather_r()
  s <- summary(w)
  expect_s3_class(s, "table")
  expect_equal(colnames(s), names(ref))
  expect_true(nrow(s) %in% 6:7)
  evap <- s[, "EvapMM"]
  expect_match(evap[1], "^Min\\.   :")
  expect_match(evap[4], "^Mean   :")
  expect_match(evap[6], "^Max\\.   :")
  value <- function(cell) as.numeric(sub("^[^:]*:\\s*", "", cell))
  expect_equal(value(evap[1]), min(ref$EvapMM, na.rm = TRUE))
  expect_equal(value(evap[6]), max(ref$EvapMM, na.rm = TRUE))
  expect_equal(value(evap[4]), signif(mean(ref$EvapMM, na.rm = TRUE), 4), tolerance = 1e-3)
  expect_equal(value(s[7, "Sunshine"]), sum(is.na(ref$Sunshine)))
  dir <- s[, "ChangeTempDir"]
  counts <- table(ref$ChangeTempDir)
  for (level in names(counts))
    expect_true(any(grepl(sprintf("^%s *: *%d $", level, counts[[level]]), dir)), info = level)
  expect_equal(sum(value(dir[!is.na(dir)])), nrow(ref))
  expect_output(print(s), "ChangeTempDir")
})

test_that("as.data.frame brings the frame back exactly", {
  client <- test_client()
  w <- upload_weather(client)
  ref <- weather_r()
  df <- as.data.frame(w)
  expect_s3_class(df, "data.frame")
  expect_equal(dim(df), dim(ref))
  expect_equal(names(df), names(ref))
  for (col in names(ref)) {
    if (is.factor(ref[[col]]) && col != "Date") {
      expect_true(is.factor(df[[col]]), info = col)
      expect_equal(as.character(df[[col]]), as.character(ref[[col]]), info = col)
    } else if (is.numeric(ref[[col]])) {
      expect_identical(as.numeric(df[[col]]), as.numeric(ref[[col]]), info = col)
    }
  }
  expect_equal(sum(is.na(df$Sunshine)), sum(is.na(ref$Sunshine)))
})

test_that("head and tail fetch only the rows asked for", {
  client <- test_client()
  w <- upload_weather(client)
  ref <- weather_r()
  h <- head(w)
  expect_s3_class(h, "data.frame")
  expect_equal(dim(h), c(6L, 24L))
  expect_equal(rownames(h), as.character(1:6))
  expect_equal(h$EvapMM, ref$EvapMM[1:6])
  expect_equal(as.character(h$MaxWindPeriod), as.character(ref$MaxWindPeriod[1:6]))
  t3 <- tail(w, 3)
  expect_equal(rownames(t3), as.character(nrow(ref) - 2:0))
  expect_equal(t3$Pressure3pm, tail(ref$Pressure3pm, 3))
  expect_equal(nrow(head(w, -(nrow(ref) - 4))), 4)
  expect_equal(nrow(tail(w, 1000)), nrow(ref))
  expect_equal(nrow(head(w, 0)), 0)
})

test_that("show prints the client, the key and the first rows", {
  client <- test_client()
  w <- upload_weather(client)
  out <- capture.output(show(w))
  expect_equal(out[1], "IP Address: 127.0.0.1 ")
  expect_equal(out[3], "Parsed Data Key: r_weather.hex ")
  expect_true(any(grepl("EvapMM", out)))
})

test_that("header = FALSE keeps the first line as data; parse = FALSE returns raw data", {
  client <- test_client()
  raw <- h2o.uploadFile(client, path = weather_csv(), parse = FALSE)
  expect_s4_class(raw, "H2ORawData")
  expect_output(show(raw), "Raw Data Key:")
  # the header line is data now: the server warns that it is not numeric
  expect_warning(x <- h2o.parseRaw(raw, key = "r_weather_nohdr.hex", header = FALSE),
                 "non-numeric values read as missing")
  ref <- read.csv(weather_csv(), header = FALSE)
  expect_equal(dim(x), dim(ref))
  expect_equal(colnames(x), paste0("C", 1:24))
})

test_that("a guessed header (none in iris.csv) and a server-chosen key work", {
  client <- test_client()
  iris_hex <- h2o.uploadFile(client, path = data_file("iris.csv"))
  ref <- read.csv(data_file("iris.csv"), header = FALSE)
  expect_true(nzchar(iris_hex@key))
  expect_equal(dim(iris_hex), dim(ref))
  expect_equal(colnames(iris_hex), paste0("C", 1:5))
})

test_that("col.names names the columns; the count must match", {
  client <- test_client()
  nm <- c("sepal_len", "sepal_wid", "petal_len", "petal_wid", "class")
  x <- h2o.uploadFile(client, path = data_file("iris.csv"), key = "r_iris_named.hex",
                      header = FALSE, col.names = nm)
  expect_equal(colnames(x), nm)
  expect_equal(nrow(x), 150)
  y <- h2o.uploadFile(client, path = data_file("iris.csv"), key = "r_iris_named2.hex",
                      header = FALSE, col.names = x)
  expect_equal(colnames(y), nm)
  expect_error(h2o.uploadFile(client, path = data_file("iris.csv"), col.names = c("a", "b")),
               "col.names has 2 names but the data has 5 columns", fixed = TRUE)
})

test_that("h2o.importFile reads a path on the server", {
  client <- test_client()
  x <- h2o.importFile(client, path = normalizePath(data_file("iris.csv")), key = "r_iris_imp.hex")
  expect_equal(dim(x), dim(read.csv(data_file("iris.csv"), header = FALSE)))
  expect_error(h2o.importFile(client, path = file.path(tempdir(), "no_such_file.csv")),
               "does not exist", class = "h2o_http_error")
})

test_that("h2o.getFrame and h2o.rm manage keys", {
  client <- test_client()
  w <- upload_weather(client, key = "r_weather_rm.hex")
  same <- h2o.getFrame(client, "r_weather_rm.hex")
  expect_equal(dim(same), dim(w))
  expect_equal(length(same), 24)
  expect_null(h2o.rm(client, "r_weather_rm.hex"))
  expect_error(h2o.getFrame(client, "r_weather_rm.hex"), "r_weather_rm.hex",
               class = "h2o_http_error")
})

test_that("h2o.ls lists keys with their sizes", {
  client <- test_client()
  upload_weather(client, key = "r_weather_ls.hex")
  keys <- h2o.ls(client)
  expect_equal(names(keys), c("Key", "Bytesize"))
  expect_true("r_weather_ls.hex" %in% keys$Key)
  only <- h2o.ls(client, pattern = "^r_weather_ls")
  expect_equal(only$Key, "r_weather_ls.hex")
  expect_true(only$Bytesize > 0)
  h2o.rm(client, "r_weather_ls.hex")
  expect_false("r_weather_ls.hex" %in% h2o.ls(client)$Key)
})

test_that("an unknown key gives an error with the server's message", {
  client <- test_client()
  err <- tryCatch(h2o.getFrame(client, "no_such_frame.hex"), error = function(e) e)
  expect_s3_class(err, "h2o_http_error")
  expect_match(conditionMessage(err), "no_such_frame.hex", fixed = TRUE)
  gone <- new("H2OParsedData", h2o = client, key = "no_such_frame.hex", nrows = 5, ncols = 2)
  expect_error(summary(gone), "no_such_frame.hex", class = "h2o_http_error")
  expect_error(as.data.frame(gone), "no_such_frame.hex", class = "h2o_http_error")
  expect_error(head(gone), "no_such_frame.hex", class = "h2o_http_error")
  expect_error(h2o.rm(client, "no_such_frame.hex"), "no_such_frame.hex", class = "h2o_http_error")
})

test_that("a server that is down gives a clear message", {
  dead <- new("H2OClient", ip = "127.0.0.1", port = dead_port())
  expect_error(h2o.ls(dead), "Cannot connect to H2O instance at http://127.0.0.1:",
               class = "h2o_connection_error")
  expect_error(h2o.uploadFile(dead, weather_csv()), "Cannot connect to H2O instance",
               class = "h2o_connection_error")
})

test_that("header_with_hash reads a header line that starts with #", {
  client <- test_client()
  path <- tempfile(fileext = ".csv")
  writeLines(c("#alpha,beta", "1,x", "2,y", "3,x"), path)
  x <- h2o.uploadFile(client, path = path, key = "r_hash.hex", header_with_hash = TRUE)
  expect_equal(colnames(x), c("alpha", "beta"))
  expect_equal(nrow(x), 3)
  df <- as.data.frame(x)
  expect_equal(df$alpha, 1:3)
  expect_equal(levels(df$beta), c("x", "y"))
  plain <- tempfile(fileext = ".csv")
  writeLines(c("alpha,beta", "1,x"), plain)
  expect_error(h2o.uploadFile(client, path = plain, header_with_hash = TRUE),
               "header_with_hash: the first line of", fixed = TRUE)
  expect_error(h2o.importFile(client, path = path, header_with_hash = TRUE),
               "header_with_hash = TRUE is only supported by h2o.uploadFile")
  raw <- h2o.uploadFile(client, path = path, parse = FALSE)
  expect_error(h2o.parseRaw(raw, header_with_hash = TRUE),
               "header_with_hash = TRUE is only supported by h2o.uploadFile")
})

test_that("h2o.ls merges frames and models, sorted, filtered by pattern", {
  answer <- function(r) {
    if (grepl("/3/Frames$", r$url))
      return(json(list(frames = list(list(frame_id = list(name = "b.hex"), byte_size = 20),
                                     list(frame_id = list(name = "a.hex"), byte_size = 10)))))
    if (grepl("/3/Models$", r$url))
      return(json(list(models = list(list(model_id = list(name = "dl_model"))))))
    list(status = 404L, body = "{}")
  }
  keys <- with_transport(answer, h2o.ls(fake_client()))
  expect_equal(keys$Key, c("a.hex", "b.hex", "dl_model"))
  expect_equal(keys$Bytesize, c(10, 20, NA))
  expect_equal(with_transport(answer, h2o.ls(fake_client(), "hex$"))$Key, c("a.hex", "b.hex"))
  no_models <- function(r) if (grepl("/3/Models$", r$url)) list(status = 404L, body = "{}") else answer(r)
  expect_equal(with_transport(no_models, h2o.ls(fake_client()))$Key, c("a.hex", "b.hex"))
})
