# Slicing frames: x[i, j], x[j], x$name (POST /99/Rapids with rows and cols_py), the errors
# for unknown names and positions outside the frame, and h2o.splitFrame.

strip_rownames <- function(d) {
  rownames(d) <- NULL
  d
}

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

test_that("x[i, ] and x[i, j] by row numbers, negative numbers and logicals", {
  client <- test_client()
  prostate <- prostate_frame(client)
  all <- as.data.frame(prostate)
  first <- prostate[1:5, ]
  expect_equal(dim(first), c(5, 9))
  expect_equal(as.data.frame(first), all[1:5, ])
  picked <- prostate[c(10, 3, 3), ]
  expect_equal(as.data.frame(picked), strip_rownames(all[c(10, 3, 3), ]))
  expect_equal(nrow(prostate[-(1:370), ]), 10)
  expect_equal(as.data.frame(prostate[-(1:370), ]), strip_rownames(all[371:380, ]))
  expect_equal(as.data.frame(prostate[c(TRUE, FALSE), ]), strip_rownames(all[c(TRUE, FALSE), ]))
  both <- prostate[5:7, c("AGE", "PSA")]
  expect_equal(as.data.frame(both), strip_rownames(all[5:7, c("AGE", "PSA")]))
  expect_equal(as.data.frame(prostate[2, 3])$AGE, all[2, 3])
})

test_that("unknown names and positions outside the frame are errors", {
  client <- test_client()
  prostate <- prostate_frame(client)
  expect_error(prostate[381, ], "Array index out of bounds: row 381 (the frame has 380 rows)",
               fixed = TRUE)
  expect_error(prostate[c(1, -2), ], "cannot mix positive and negative row indices", fixed = TRUE)
  expect_error(prostate[prostate[, 2:3], ], "a row condition must be a single column", fixed = TRUE)
  expect_error(prostate[prostate[1:5, 2], ], "the row condition has 5 rows but the frame has 380",
               fixed = TRUE)
  expect_error(prostate[NA_real_, ], "row index must not be NA", fixed = TRUE)
  expect_error(prostate[0, ], "no rows selected", fixed = TRUE)
  expect_error(prostate[, 10], "Array index out of bounds: column 10 (the frame has 9 columns)",
               fixed = TRUE)
  expect_error(prostate[, c(2, -3)], "cannot mix positive and negative column indices", fixed = TRUE)
  expect_error(prostate[, c("AGE", "NOPE")], "Undefined columns selected: NOPE", fixed = TRUE)
  expect_error(prostate$NOPE, "Column NOPE does not exist!", fixed = TRUE)
  expect_error(prostate[, NA_real_], "column index must not be NA", fixed = TRUE)
  expect_error(prostate[, 0], "no columns selected", fixed = TRUE)
  expect_error(prostate[, 1, 2], "too many indices", fixed = TRUE)
})

test_that("h2o.splitFrame: consecutive parts by the ratios, keys <key>_part<k>", {
  client <- test_client()
  prostate <- prostate_frame(client)
  all <- as.data.frame(prostate)
  parts <- h2o.splitFrame(prostate, ratios = 0.75)
  expect_equal(length(parts), 2L)
  expect_equal(vapply(parts, function(p) p@key, ""), paste0(prostate@key, c("_part0", "_part1")))
  expect_equal(vapply(parts, nrow, 0), c(285, 95))
  expect_equal(as.data.frame(parts[[1]]), all[1:285, ])
  expect_equal(as.data.frame(parts[[2]]), strip_rownames(all[286:380, ]))
  three <- h2o.splitFrame(prostate, ratios = c(0.5, 0.25))
  expect_equal(vapply(three, nrow, 0), c(190, 95, 95))
  expect_error(h2o.splitFrame(prostate, ratios = 1.2), "Split ration has to be in (0,1) interval!",
               fixed = TRUE)
  expect_error(h2o.splitFrame(prostate, ratios = c(0.6, 0.5)),
               "Sum of split ratios has to be less than 1!", fixed = TRUE)
  expect_error(h2o.splitFrame(prostate[1:2, ], ratios = c(0.3, 0.3)),
               "Dataset does not have enough row to be split!", fixed = TRUE)
  expect_error(h2o.splitFrame(prostate[1:2, ], ratios = 0.01, shuffle = TRUE),
               "Dataset does not have enough row to be split!", fixed = TRUE)
  expect_error(h2o.splitFrame("prostate"), "data must be an H2O parsed dataset", fixed = TRUE)
})

test_that("a slice sends rows and cols_py with 0-based positions to a new key", {
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
    expect_error(fr[c(1:3, 7), 2], "captured", fixed = TRUE)
  })
  expect_match(asts[1], "^\\(tmp= src\\.hex_slice_[0-9a-f]+ \\(cols_py src\\.hex \\[1\\]\\)\\)$")
  expect_match(asts[2], "(cols_py src.hex [0 2]))", fixed = TRUE)
  expect_match(asts[3], "(cols_py src.hex [3]))", fixed = TRUE)
  expect_match(asts[4], "(cols_py (rows src.hex [0:3 6]) [1]))", fixed = TRUE)
  dest <- sub("^\\(tmp= (\\S+) .*", "\\1", asts)
  expect_equal(length(unique(dest)), 4L)
})
