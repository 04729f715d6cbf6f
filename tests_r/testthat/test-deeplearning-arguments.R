# h2o.deeplearning's arguments are the server's deeplearning parameters: every parameter of
# GET /3/ModelBuilders/deeplearning has an argument (under its name or its legacy alias), and
# every argument is a parameter, a legacy alias of one, or one of R's own arguments. Both sides
# and the alias table are read at run time (the R package's .h2o.__DL_LEGACY_NAMES / _R_ONLY).

server_parameter_names <- function() {
  client <- test_client()
  url <- sprintf("http://%s:%d/3/ModelBuilders/deeplearning", client@ip, client@port)
  reply <- curl::curl_fetch_memory(url)
  expect_equal(reply$status_code, 200L)
  body <- jsonlite::fromJSON(rawToChar(reply$content), simplifyVector = FALSE)
  vapply(body$model_builders$deeplearning$parameters, function(p) p$name, "")
}

test_that("every server parameter has an h2o.deeplearning argument and every argument a parameter", {
  server <- server_parameter_names()
  expect_gt(length(server), 50L)
  aliases <- h2o:::.h2o.__DL_LEGACY_NAMES
  r_only <- h2o:::.h2o.__DL_R_ONLY
  arguments <- names(formals(h2o::h2o.deeplearning))
  expect_true(all(aliases %in% server))                 # the aliases name real parameters
  as_server <- ifelse(arguments %in% names(aliases), aliases[arguments], arguments)
  no_argument <- setdiff(server, as_server)
  no_parameter <- setdiff(arguments[!arguments %in% r_only], c(server, names(aliases)))
  expect(length(no_argument) == 0L,
         paste("server parameters without an h2o.deeplearning argument:",
               paste(no_argument, collapse = ", ")))
  expect(length(no_parameter) == 0L,
         paste("h2o.deeplearning arguments the server does not know:",
               paste(no_parameter, collapse = ", ")))
  # an argument and its legacy alias are never both there
  expect_length(intersect(arguments, aliases), 0L)
})
