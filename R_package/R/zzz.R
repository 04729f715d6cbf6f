# Package hooks: the startup banner, and stopping a backend this R session started when
# R exits (legacy: the launcher's finalizer).

.onLoad <- function(libname, pkgname) {
  reg.finalizer(.pkg.env, function(env) .h2o.__stopStarted(), onexit = TRUE)
  invisible(NULL)
}

.onAttach <- function(libname, pkgname) {
  packageStartupMessage(paste0(
    "\n",
    "----------------------------------------------------------------------\n",
    "\n",
    "Your next step is to start H2O and get a connection object (named\n",
    "'localH2O', for example):\n",
    "    > localH2O = h2o.init()\n",
    "\n",
    "For H2O package documentation, ask for help:\n",
    "    > ??h2o\n",
    "\n",
    "After starting H2O, you can use the Web UI at http://localhost:54321\n",
    "\n",
    "----------------------------------------------------------------------\n"))
}
