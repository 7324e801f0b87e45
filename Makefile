# Temper — set-up commands. `make demo` and `make test` work on a fresh Debian machine as root.
SWIFT ?= swift
APT_PACKAGES = libopenblas-dev libzstd-dev libssl-dev pkg-config
# Only `make interop` needs these: it builds llama.cpp's libllama for the llama-quantize checks
# (Fixtures/llama_cpp_tools.sh falls back to PyPI's cmake when cmake is missing).
INTEROP_APT_PACKAGES = g++ cmake python3-venv
BIN = .build/release/temper
DEMO_OUT = out/demo

.PHONY: deps build demo test bench interop fuzz clean

# Installs the system libraries when they are missing (needs root; otherwise says what to install).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "missing system packages:$$missing (run: sudo apt-get install$$missing)"; exit 1; fi; \
	fi

build: deps
	$(SWIFT) build -c release --product temper

demo: build
	bash Fixtures/demo.sh $(BIN) $(DEMO_OUT)

test: deps
	$(SWIFT) test

bench: build
	bash Benchmarks/run.sh $(BIN)

interop: build
	@missing=""; for p in $(INTEROP_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ] && [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	elif [ -n "$$missing" ]; then echo "interop: missing$$missing (the llama.cpp checks may be skipped)"; fi
	bash Fixtures/interop.sh $(BIN)

# Every parser of untrusted bytes under libFuzzer + ASan, FUZZ_RUNS inputs per target.
FUZZ_RUNS ?= 100000
fuzz: deps
	bash Fixtures/fuzz/run.sh $(FUZZ_RUNS)

clean:
	rm -rf .build out
