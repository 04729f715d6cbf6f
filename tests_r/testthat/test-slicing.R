# Column selection on frames: x[, j], x[j], x$name (POST /99/Rapids with cols_py), and the
# errors for row selection, unknown names and positions outside the frame.

test_that("x[, j] by position, name and vector; x$name; x[j]", {
  client <- test_client()
  prostate <- prostate_frame(client)
  all <- as.data.frame(prostate)

  col2 <- prostate[, 2]
  expect_s4_class(col2, "H2OParsedData")
  expect_equal(col2@col_names, "CAPSULE")
  expect_equal(dim(col2), c(380, 1))
  expect_false(col2@key == prostate@key)
  expect_equal(as.data.frame(col2)$CAPSULE, all$CAPSULE)

  two <- prostate[, c("AGE", "PSA")]
  expect_equal(two@col_names, c("AGE", "PSA"))
  expect_equal(as.data.frame(two), all[, c("AGE", "PSA")])

  by_pos <- prostate[, c(3, 6, 2)]
  expect_equal(by_pos@col_names, c("AGE", "DCAPS", "CAPSULE"))
  expect_equal(as.data.frame(by_pos), all[, c(3, 6, 2)])

  expect_equal(prostate[, "GLEASON"]@col_names, "GLEASON")
  expect_equal(prostate[, -1]@col_names, names(all)[-1])
  expect_equal(prostate[, c(TRUE, FALSE)]@col_names, names(all)[c(TRUE, FALSE)])
  expect_equal(prostate[c("ID", "VOL")]@col_names, c("ID", "VOL"))
  expect_identical(prostate[, ], prostate)

  capsule <- prostate$CAPSULE
  expect_equal(capsule@col_names, "CAPSULE")
  expect_equal(as.data.frame(capsule)$CAPSULE, all$CAPSULE)
})

test_that("a slice of predictions: prediction[, 3] is the probability of class 1", {
  client <- test_client()
  prostate <- prostate_frame(client)
  pred <- h2o.predict(tiny_model(prostate), prostate)
  p1 <- pred[, 3]
  expect_equal(p1@col_names, "1")
  expect_equal(nrow(p1), 380)
  expect_equal(as.data.frame(p1)[[1]], as.data.frame(pred)$X1)
})

test_that("row selection, unknown names and positions outside the frame are errors", {
  client <- test_client()
  prostate <- prostate_frame(client)
  msg <- "row selection is not supported (only column selection x[, j])"
  expect_error(prostate[1:5, ], msg, fixed = TRUE)
  expect_error(prostate[1, 2], msg, fixed = TRUE)
  expect_error(prostate[, 10], "Array index out of bounds: column 10 (the frame has 9 columns)",
               fixed = TRUE)
  expect_error(prostate[, c(2, -3)], "cannot mix positive and negative column indices", fixed = TRUE)
  expect_error(prostate[, c("AGE", "NOPE")], "Undefined columns selected: NOPE", fixed = TRUE)
  expect_error(prostate$NOPE, "Column NOPE does not exist!", fixed = TRUE)
  expect_error(prostate[, NA_real_], "column index must not be NA", fixed = TRUE)
  expect_error(prostate[, 0], "no columns selected", fixed = TRUE)
  expect_error(prostate[, 1, 2], "too many indices", fixed = TRUE)
})

test_that("a slice sends cols_py with 0-based columns to a new key", {
  asts <- character()
  answer <- function(request) {
    if (request$method == "POST") {
      asts <<- c(asts, request$form[["ast"]])
      return(list(status = 412L, body = json(list(http_status = 412, msg = "captured"))))
    }
    list(status = 404L, body = json(list(http_status = 404, msg = "not faked")))
  }
  fr <- fake_frame("src.hex")
  with_transport(answer, {
    expect_error(fr[, 2], "captured", fixed = TRUE)
    expect_error(fr[, c("a", "k")], "captured", fixed = TRUE)
    expect_error(fr$y, "captured", fixed = TRUE)
  })
  expect_match(asts[1], "^\\(tmp= src\\.hex_cols_[0-9a-f]+ \\(cols_py src\\.hex 1\\)\\)$")
  expect_match(asts[2], "(cols_py src.hex [0 2]))", fixed = TRUE)
  expect_match(asts[3], "(cols_py src.hex 3))", fixed = TRUE)
  dest <- sub("^\\(tmp= (\\S+) .*", "\\1", asts)
  expect_equal(length(unique(dest)), 3L)
})
