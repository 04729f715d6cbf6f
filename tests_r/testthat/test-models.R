# Models on the server: h2o.getModel, h2o.predict, h2o.saveModel / h2o.loadModel (also into
# another backend, i.e. after a restart), the POJO, and their error paths.

test_that("h2o.getModel returns the model as trained; an unknown key is the server's error", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate, key = "dlt_get", variable_importances = TRUE)
  got <- h2o.getModel(client, "dlt_get")
  expect_s4_class(got, "H2ODeepLearningModel")
  expect_equal(got@key, "dlt_get")
  expect_equal(got@model, m@model)
  expect_equal(got@data@key, "dlt_prostate.hex")
  expect_true(is.na(got@valid@key))
  expect_error(h2o.getModel(client, "dlt_no_such_model"), "Model 'dlt_no_such_model' not found",
               fixed = TRUE)
  expect_error(h2o.getModel(client), "Must specify key", fixed = TRUE)
  expect_error(h2o.getModel("x", "dlt_get"), "h2o must be of class H2OClient", fixed = TRUE)
})

test_that("h2o.predict: labels and class probabilities; default newdata; errors", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate)
  pred <- h2o.predict(m, newdata = prostate)
  expect_s4_class(pred, "H2OParsedData")
  expect_equal(pred@col_names, c("predict", "0", "1"))
  df <- as.data.frame(pred)
  expect_equal(names(df), c("predict", "X0", "X1"))
  expect_equal(nrow(df), 380L)
  expect_equal(df$X0 + df$X1, rep(1, 380), tolerance = 1e-6)
  expect_equal(as.data.frame(h2o.predict(m)), df)
  expect_error(h2o.predict("m", prostate), "object must be an H2O model", fixed = TRUE)
  expect_error(h2o.predict(m, "x"), "newdata must be a H2O dataset", fixed = TRUE)
  expect_error(h2o.predict(m, prostate, foo = 1), "h2o.predict: unused argument(s): foo", fixed = TRUE)
  expect_error(h2o.anomaly(prostate, m), "must be build with autoencoder = true", fixed = TRUE)
  expect_error(h2o.anomaly(prostate, "m"), "model must be an H2O deep learning model", fixed = TRUE)
  expect_error(h2o.anomaly(model = m), "Must specify data", fixed = TRUE)
  expect_error(h2o.anomaly(prostate, m, threshold = 0.5), "threshold is not supported", fixed = TRUE)
})

test_that("h2o.saveModel: name, filename and dir; no overwrite without force", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate, key = "dlt_save")
  dir <- tempfile("dlt_models_")
  dir.create(dir)
  by_name <- file.path(dir, "mymodel")
  expect_equal(h2o.saveModel(object = m, name = by_name, force = TRUE), by_name)
  expect_true(file.exists(by_name))
  expect_error(h2o.saveModel(m, name = by_name),
               sprintf("h2o.saveModel: %s already exists; use force = TRUE to overwrite it", by_name),
               fixed = TRUE)
  expect_equal(h2o.saveModel(m, name = by_name, force = TRUE), by_name)
  expect_equal(h2o.saveModel(m, filename = file.path(dir, "old_style")), file.path(dir, "old_style"))
  expect_equal(h2o.saveModel(m, dir = dir), file.path(dir, "dlt_save"))
  expect_equal(h2o.saveModel(m, dir = dir, name = "inside"), file.path(dir, "inside"))
  old <- setwd(dir)
  on.exit(setwd(old))
  expect_equal(h2o.saveModel(m, name = "relative"), file.path(getwd(), "relative"))
  expect_error(h2o.saveModel(m, force = "yes"), "force must be either TRUE or FALSE", fixed = TRUE)
  expect_error(h2o.saveModel(m, name = "a", filename = "b"), "not both", fixed = TRUE)
  expect_error(h2o.saveModel("m"), "object must be an H2O model", fixed = TRUE)
  loaded <- h2o.loadModel(client, by_name)
  expect_equal(loaded@key, "dlt_save")
  expect_equal(loaded@model, m@model)
  expect_error(h2o.loadModel(client, file.path(dir, "missing")), "does not exist", fixed = TRUE)
  expect_error(h2o.loadModel(client), "Must specify path", fixed = TRUE)
  expect_error(h2o.loadModel("client", by_name), "object must be of class H2OClient", fixed = TRUE)
})

test_that("a saved model loaded into another backend predicts identically; with its CV models", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate, key = "dlt_moved", nfolds = 2)
  path <- h2o.saveModel(m, dir = tempfile("dlt_moved_"))
  expect_true(file.exists(paste0(path, "_cv_1")))
  before <- as.data.frame(h2o.predict(m, prostate))
  backend <- start_backend()
  on.exit(stop_backend(backend))
  other <- backend$client
  data2 <- h2o.uploadFile(other, data_file("prostate.csv"), key = "dlt_prostate.hex", header = TRUE)
  loaded <- h2o.loadModel(other, path)
  expect_equal(loaded@key, "dlt_moved")
  expect_equal(loaded@model, m@model)
  expect_equal(vapply(loaded@xval, function(x) x@key, ""), c("dlt_moved_cv_1", "dlt_moved_cv_2"))
  after <- as.data.frame(h2o.predict(loaded, data2))
  expect_equal(after, before)
  # continue training the loaded model there (the booklet's best_mnist_grid.continue)
  more <- h2o.deeplearning(x = 3:9, y = 2, data = data2, checkpoint = loaded, epochs = 1)
  expect_equal(more@model$params$epochs, 2)
})

test_that("save_cv = FALSE saves the model alone, and it still loads", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate, key = "dlt_nocv", nfolds = 2)
  path <- h2o.saveModel(m, dir = tempfile("dlt_nocv_"), save_cv = FALSE)
  expect_false(file.exists(paste0(path, "_cv_1")))
  expect_equal(h2o.loadModel(client, path)@key, "dlt_nocv")
})

test_that("the POJO: source text, a .java file named by its class, printed without a path", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate, key = "dlt_pojo")
  src <- h2o.getPOJO(m)
  expect_true(is.character(src) && length(src) == 1L)
  expect_match(src, "public class dlt_pojo", fixed = TRUE)
  dir <- tempfile("dlt_pojo_")
  dir.create(dir)
  file <- h2o.download_pojo(m, dir)
  expect_equal(file, file.path(dir, "dlt_pojo.java"))
  expect_equal(paste(readLines(file), collapse = "\n"), sub("\n$", "", src))
  out <- capture.output(h2o.download_pojo(m))
  expect_true(any(grepl("public class dlt_pojo", out, fixed = TRUE)))
  expect_error(h2o.download_pojo(m, file.path(dir, "nope")), "does not exist", fixed = TRUE)
  expect_error(h2o.getPOJO("m"), "model must be an H2O model", fixed = TRUE)
})

test_that("the MOJO: written by model key, scored by h2o-genmodel's PredictCsv as h2o.predict", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate, key = "dlt_mojo")
  dir <- tempfile("dlt_mojo_")
  dir.create(dir)
  expect_equal(h2o.download_mojo(m, dir), "dlt_mojo.zip")
  expect_equal(list.files(dir, all.files = TRUE, no.. = TRUE), "dlt_mojo.zip")   # no temporary file left
  expect_equal(h2o.download_mojo(m, dir, filename = "copy.zip"), "copy.zip")
  expect_identical(readBin(file.path(dir, "copy.zip"), "raw", 1e7), readBin(file.path(dir, "dlt_mojo.zip"), "raw", 1e7))
  expect_true("model.ini" %in% utils::unzip(file.path(dir, "dlt_mojo.zip"), list = TRUE)$Name)
  expect_error(h2o.download_mojo(m, dir, get_genmodel_jar = TRUE), "get_genmodel_jar", fixed = TRUE)
  expect_error(h2o.download_mojo(m, file.path(dir, "nope")), "does not exist", fixed = TRUE)
  expect_error(h2o.download_mojo("m", dir), "model must be an H2O model", fixed = TRUE)
  # H2O's own runtime: inside the h2o Python package's h2o.jar (a dependency of the backend, as the JDK)
  finder <- file.path(dir, "jar.py")
  writeLines("import h2o, os; print(os.path.join(os.path.dirname(h2o.__file__), 'backend', 'bin', 'h2o.jar'))",
             finder)
  command <- sprintf("%s %s %s", h2o:::.h2o.__libraryPathReset(), shQuote(h2o:::.h2o.__backendPython()),
                     shQuote(finder))
  jar <- system2("/bin/sh", c("-c", shQuote(command)), stdout = TRUE)
  expect_true(length(jar) == 1L && file.exists(jar))
  expect_true(nzchar(Sys.which("java")))
  rows <- file.path(dir, "rows.csv")
  write.csv(read.csv(data_file("prostate.csv")), rows, row.names = FALSE)
  out <- file.path(dir, "out.csv")
  status <- system2("java", c("-cp", shQuote(jar), "hex.genmodel.tools.PredictCsv", "--mojo",
                              shQuote(file.path(dir, "dlt_mojo.zip")), "--input", shQuote(rows),
                              "--output", shQuote(out), "--decimal"), stdout = FALSE, stderr = FALSE)
  expect_equal(status, 0L)
  got <- read.csv(out)
  want <- as.data.frame(h2o.predict(m, prostate))
  expect_equal(as.character(got$predict), as.character(want$predict))
  expect_equal(got[[3L]], want[[3L]], tolerance = 1e-5)   # the probability of class "1"
})

test_that("the ONNX file: written atomically by model key, scored by onnxruntime as h2o.predict", {
  client <- test_client()
  prostate <- prostate_frame(client)
  m <- tiny_model(prostate, key = "dlt_onnx")
  dir <- tempfile("dlt_onnx_")
  dir.create(dir)
  file <- h2o.download_onnx(m, dir)
  expect_equal(file, file.path(dir, "dlt_onnx.onnx"))
  expect_equal(list.files(dir, all.files = TRUE, no.. = TRUE), "dlt_onnx.onnx")   # no temporary file left
  named <- h2o.download_onnx(m, file.path(dir, "copy.onnx"))
  expect_identical(readBin(named, "raw", 1e7), readBin(file, "raw", 1e7))
  # score the raw columns in onnxruntime (Python) and compare with the server's predictions
  data <- read.csv(data_file("prostate.csv"))
  rows <- file.path(dir, "rows.csv")
  write.csv(data[, 3:9], rows, row.names = FALSE)
  script <- paste(
    "import sys, csv, numpy as np, onnxruntime as ort",
    "s = ort.InferenceSession(sys.argv[1], providers=['CPUExecutionProvider'])",
    "cols = list(zip(*csv.reader(open(sys.argv[2]))))",
    "feeds = {c[0]: np.array(c[1:], np.float32).reshape(-1, 1) for c in cols}",
    "out = dict(zip([o.name for o in s.get_outputs()], s.run(None, feeds)))",
    "print('\\n'.join(f'{l} {p:.9f}' for l, p in zip(out['predict'].ravel(), out['1'].ravel())))",
    sep = "\n")
  scorer <- file.path(dir, "score.py")
  writeLines(script, scorer)
  # the Python the backend runs on, with the library path it had before R (as the package starts it)
  command <- sprintf("%s %s %s %s %s", h2o:::.h2o.__libraryPathReset(), shQuote(h2o:::.h2o.__backendPython()),
                     shQuote(scorer), shQuote(file), shQuote(rows))
  out <- system2("/bin/sh", c("-c", shQuote(command)), stdout = TRUE)
  got <- read.table(text = out, col.names = c("predict", "p1"))
  want <- as.data.frame(h2o.predict(m, prostate))
  expect_equal(as.character(got$predict), as.character(want$predict))
  expect_equal(got$p1, want[[3L]], tolerance = 1e-5)   # the probability of class "1"
  expect_error(h2o.download_onnx(m, file.path(dir, "nope", "m.onnx")), "does not exist", fixed = TRUE)
  expect_error(h2o.download_onnx(m, ""), "path", fixed = TRUE)
  expect_error(h2o.download_onnx("m", dir), "model must be an H2O model", fixed = TRUE)
})
