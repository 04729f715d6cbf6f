# S4 classes: typed records for the connection, data and models (legacy h2o-2 shapes), and
# their show() methods (legacy_h2o.md section 2.5). Files are collated alphabetically, so
# this file is loaded first and later files (deeplearning.R, models.R) can use the classes.

# ip and port are the legacy slots; the connection settings of H2O-3's R client follow
# (username/password: HTTP basic authentication on every request; https; insecure: skip the
# certificate check; cacert: a CA bundle that signs the server's certificate). Objects made
# before those slots existed still work: .h2o.__conn() reads them with defaults.
setClass("H2OClient",
         representation(ip = "character", port = "numeric", username = "character",
                        password = "character", https = "logical", insecure = "logical",
                        cacert = "character"),
         prototype(ip = "127.0.0.1", port = 54321, username = NA_character_,
                   password = NA_character_, https = FALSE, insecure = FALSE,
                   cacert = NA_character_))

setClass("H2ORawData",
         representation(h2o = "H2OClient", key = "character"))

setClass("H2OParsedData",
         representation(h2o = "H2OClient", key = "character", logic = "logical",
                        col_names = "vector", nrows = "numeric", ncols = "numeric",
                        any_enum = "logical"),
         prototype(logic = FALSE, col_names = "", ncols = -1, nrows = -1, any_enum = FALSE))

setClass("H2OModel",
         representation(key = "character", data = "H2OParsedData", model = "list",
                        "VIRTUAL"))

setClass("H2OGrid",
         representation(key = "character", data = "H2OParsedData", model = "list",
                        sumtable = "list", "VIRTUAL"))

setClass("H2ODeepLearningModel", contains = "H2OModel",
         representation(valid = "H2OParsedData", xval = "list"))

setClass("H2ODeepLearningGrid", contains = "H2OGrid")

setClassUnion("data.frameORnull", c("data.frame", "NULL"))

# A binary classifier's performance on a frame (h2o.performance, performance.R).
setClass("H2OPerfModel",
         representation(cutoffs = "numeric", measure = "numeric", perf = "character",
                        model = "list", roc = "data.frame", gains = "data.frameORnull"))

#----------------------------------------------------------------------------------------
# show()

setMethod("show", "H2OClient", function(object) {
  cat("IP Address:", object@ip, "\n")
  cat("Port      :", object@port, "\n")
  conn <- .h2o.__conn(object)
  if (conn$https) cat("Protocol  : https", if (conn$insecure) "(certificate not checked)", "\n")
  if (!is.na(conn$username)) cat("User      :", conn$username, "\n")
})

setMethod("show", "H2ORawData", function(object) {
  print(object@h2o)
  cat("Raw Data Key:", object@key, "\n")
})

setMethod("show", "H2OParsedData", function(object) {
  print(object@h2o)
  cat("Parsed Data Key:", object@key, "\n\n")
  print(head(object))
})

setMethod("show", "H2OGrid", function(object) {
  print(object@data@h2o)
  cat("Parsed Data Key:", object@data@key, "\n\n")
  cat("Grid Search Model Key:", object@key, "\n")
  cat("\nSummary\n")
  print(data.frame(t(sapply(object@sumtable, c))))
})

setMethod("show", "H2ODeepLearningModel", function(object) {
  print(object@data@h2o)
  cat("Parsed Data Key:", object@data@key, "\n\n")
  cat("Deep Learning Model Key:", object@key)
  model <- object@model
  .h2o.__showErrors(model)
  if (!is.null(model$confusion)) {
    cat("\nConfusion matrix:\n")
    cat("Reported on", .h2o.__reportedOn(object), "\n")
    print(model$confusion)
  }
  if (!is.null(model$hit_ratios)) {
    cat("\nHit Ratios for Multi-class Classification:\n")
    print(model$hit_ratios)
  }
  if (!is.null(model$varimp)) {
    cat("\nRelative Variable Importance:\n")
    print(model$varimp)
  }
  if (length(object@xval) > 0) {
    cat("\nCross-Validation Models:\n")
    for (m in object@xval) cat(" ", m@key, "\n")
  }
  .h2o.__showAUC(object)
})

# Training / validation error lines. Without validation, no validation line is printed
# (decision "missing validation in show()"): the model list simply has no valid_* entry.
.h2o.__showErrors <- function(model) {
  if (isTRUE(as.logical(model$params$classification))) {
    cat("\n\nTraining classification error:", model$train_class_error)
    if (!is.null(model$valid_class_error))
      cat("\n\nValidation classification error:", model$valid_class_error)
  } else {
    cat("\nTraining mean square error:", model$train_sqr_error)
    if (!is.null(model$valid_sqr_error))
      cat("\nValidation mean square error:", model$valid_sqr_error)
  }
  cat("\n")
}

.h2o.__hasValidation <- function(object) {
  length(object@valid@key) == 1L && !is.na(object@valid@key)
}

.h2o.__reportedOn <- function(object) {
  if (.h2o.__hasValidation(object)) return(object@valid@key)
  nfolds <- object@model$params$nfolds
  if (!is.null(nfolds) && nfolds >= 2) return(paste0(nfolds, "-fold cross-validated data"))
  object@data@key
}

.h2o.__showAUC <- function(object) {
  model <- object@model
  if (!is.null(model$auc)) {
    on <- if (.h2o.__hasValidation(object)) "validation)" else "train)"
    cat("\nAUC = ", model$auc, "(on", on, "\n")
  } else if (!is.null(model$train_auc)) {
    cat("\nAUC = ", model$train_auc, "(on", "train)", "\n")
  }
}
