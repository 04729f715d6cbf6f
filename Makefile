# Two commands: `make demo` and `make test`. Both install what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BUILD := build
PORT ?= 54321
APT_PACKAGES := r-base-core r-cran-testthat r-cran-jsonlite r-cran-curl default-jdk-headless chromium chromium-driver apache2-utils openssl
R_FILES := $(shell find R_package -type f 2>/dev/null)

.PHONY: deps test test-py test-r check-r demo bench clean install-r

deps: $(BUILD)/apt.stamp $(BUILD)/pip.stamp $(BUILD)/rpkg.stamp

$(BUILD)/apt.stamp:
	@mkdir -p $(BUILD)
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "apt: installing$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@touch $@

# after apt: rpy2 (a test dependency) builds against the R that apt installs
$(BUILD)/pip.stamp: python_backend/pyproject.toml $(BUILD)/apt.stamp
	@mkdir -p $(BUILD)
	$(PYTHON) -m pip install -q -e 'python_backend[test]'
	@touch $@

$(BUILD)/rpkg.stamp: $(BUILD)/apt.stamp $(R_FILES)
	@mkdir -p $(BUILD)/Rlib
	R CMD INSTALL --no-multiarch --library=$(BUILD)/Rlib R_package >$(BUILD)/rpkg-install.log 2>&1 || (cat $(BUILD)/rpkg-install.log; exit 1)
	@touch $@

PYTEST := $(PYTHON) -m pytest tests_py -q -p no:cacheprovider
TESTTHAT := R_LIBS=$(CURDIR)/$(BUILD)/Rlib H2O_BACKEND_PYTHON=$(PYTHON) Rscript tests_r/run_tests.R
TEST_LOGS := $(BUILD)/test-logs

# Tests start and stop their own servers on free ports. First the numba cache of the kernels is
# filled (two processes; minutes on a fresh clone, seconds after), then pytest and testthat run
# side by side: both spend much of their time waiting on servers, so on 2 cores that saves the
# testthat suite's time. pytest writes to the terminal; testthat's log (build/test-logs/testthat.log,
# `tail -f` it to follow) is printed when both are done. Fails when either fails (the exit status
# of pytest, or else of testthat). `make test-py` and `make test-r` run one suite.
test: deps
	$(PYTHON) tests_py/warm_kernel_cache.py
	@mkdir -p $(TEST_LOGS)
	@echo "$(TESTTHAT) >$(TEST_LOGS)/testthat.log 2>&1 &"
	@echo "$(PYTEST)"
	@$(TESTTHAT) >$(TEST_LOGS)/testthat.log 2>&1 & r_pid=$$!; \
	trap 'kill -INT $$r_pid 2>/dev/null; wait $$r_pid; exit 130' INT TERM; \
	$(PYTEST); py_rc=$$?; \
	wait $$r_pid; r_rc=$$?; \
	echo; echo "===== testthat ($(TEST_LOGS)/testthat.log) ====="; cat $(TEST_LOGS)/testthat.log; echo; \
	echo "pytest: exit status $$py_rc; testthat: exit status $$r_rc"; \
	if [ $$py_rc -ne 0 ]; then exit $$py_rc; fi; exit $$r_rc

test-py:
	$(PYTEST)

test-r:
	$(TESTTHAT)

# The R package into R's default library, for your own R sessions (library(h2o) then works in any
# R session; make test and make demo use their own copy under build/Rlib).
install-r: $(BUILD)/apt.stamp
	$(SUDO) R CMD INSTALL --no-multiarch R_package

# R CMD build + R CMD check of the R package (about 15 s; needs no server).
check-r: $(BUILD)/apt.stamp
	rm -rf $(BUILD)/check && mkdir -p $(BUILD)/check
	cd $(BUILD)/check && R CMD build ../../R_package && \
	  _R_CHECK_FORCE_SUGGESTS_=false R CMD check --no-manual h2o_*.tar.gz

# The booklet's walkthrough against a server on $(PORT), with the full data.
demo: deps
	R_LIBS=$(CURDIR)/$(BUILD)/Rlib PYTHON=$(PYTHON) PORT=$(PORT) bash demos/run_demo.sh

# Benchmarks against the real H2O-3 on this machine (about 10 minutes): parse, the booklet's
# MNIST trial (wall time, samples/s, test error; threads), and POJO scoring. Logs in bench/results/.
bench: deps
	$(PYTHON) -m pip install -q -e 'python_backend[bench]'
	@mkdir -p bench/results
	$(PYTHON) bench/parse_bench.py | tee bench/results/parse_bench.log
	cd bench && $(PYTHON) mnist_trial.py --with-h2o3 | tee results/mnist_trial_vs_h2o3.log
	cd bench && $(PYTHON) mnist_trial.py --speed | tee results/mnist_speed.log
	$(PYTHON) bench/pojo_bench.py --epochs 10 | tee bench/results/pojo_bench_e10.log
	$(PYTHON) bench/mojo_speed.py --json bench/results/mojo_speed.json | tee bench/results/mojo_speed.log

clean:
	rm -rf $(BUILD)
