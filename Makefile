# vmplace — thin wrapper over CMake.  The two commands of the README:
#   make demo   installs what is missing, builds, solves examples/datacenter.json
#   make test   installs what is missing, builds, runs every test (the
#               sanitizer build and the fuzz smoke runs included)
# Also: make bench (benchmark report), make install-deps, make clean.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE      ?= cmake
CTEST      ?= ctest

.PHONY: all build demo test test-asan bench install-deps clean

all: build

install-deps:
	@sh cmake/install-deps.sh

$(BUILD)/build.ninja:
	$(CMAKE) -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DVMPLACE_WERROR=ON

build: install-deps $(BUILD)/build.ninja
	$(CMAKE) --build $(BUILD) -j $(JOBS)

demo: build
	@echo
	@echo "== vmplace solve examples/datacenter.json"
	@$(BUILD)/vmplace solve --time-limit 10 examples/datacenter.json; \
	  status=$$?; [ $$status -le 1 ] || exit $$status

$(ASAN_BUILD)/build.ninja:
	CC=clang CXX=clang++ $(CMAKE) -S . -B $(ASAN_BUILD) -G Ninja \
	  -DCMAKE_BUILD_TYPE=Debug -DVMPLACE_SANITIZE=ON -DVMPLACE_FUZZ=ON \
	  -DVMPLACE_BUILD_BENCH=OFF

# The sanitizer build runs first; the plain build's ctest summary closes
# the output.
test-asan: install-deps $(ASAN_BUILD)/build.ninja
	$(CMAKE) --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(CTEST) --output-on-failure -j $(JOBS) -LE nosan

test: build test-asan
	cd $(BUILD) && $(CTEST) --output-on-failure -j $(JOBS)

bench: build
	@sh cmake/install-deps.sh --bench
	@if [ -x $(BUILD)/bench/vmplace-bench ]; then \
	  $(BUILD)/bench/vmplace-bench --default --out bench-results; \
	else \
	  echo "vmplace-bench is not built yet (see bench/)"; \
	fi

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# The lab: three local libvirt+QEMU hosts with five tiny guests, for
# docs/libvirt.md's "Try it on one machine" (root; tests/lab/lab.sh).
LAB ?= /tmp/vmplace-lab

.PHONY: lab lab-down
lab: build
	@bash tests/lab/lab.sh install
	@bash tests/lab/lab.sh demo $(LAB)

lab-down:
	@bash tests/lab/lab.sh down $(LAB)
