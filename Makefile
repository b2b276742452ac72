# opengradient: top-level entry points. `make demo` and `make test` work
# from a fresh Debian 12 machine (they install what is missing first).

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
PREFIX     ?= /usr/local
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 30
PYTHON     ?= $(shell python3 -c 'import cryptography' 2>/dev/null && echo python3 || echo /usr/bin/python3)
export PYTHON

.PHONY: all deps configure build test unit integration asan fuzz valgrind demo install bench clean

all: build

deps:
	@scripts/deps.sh

configure: deps
	@scripts/configure.sh $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

# The whole suite: unit + integration (normal build), the same under
# ASan+UBSan, unit tests under valgrind, and each fuzzer briefly.
test: build
	@scripts/run-tests.sh all

unit: build
	@scripts/run-tests.sh unit

integration: build
	@scripts/run-tests.sh integration

asan: deps
	@scripts/run-tests.sh asan

fuzz: deps
	@scripts/run-tests.sh fuzz

valgrind: build
	@scripts/run-tests.sh valgrind

demo: build
	@scripts/demo.sh

bench: build
	@bench/run.sh

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
