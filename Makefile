# Syft for Swift: the two commands are `make run` and `make test`. Each installs what is missing first.
SWIFT ?= swift
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
APT_PACKAGES := libopenblas-dev liblapacke-dev pkg-config
FILTER ?=

.PHONY: all deps build test bench run format proto clean

all: build

# Debian packages the build needs (OpenBLAS with CBLAS, LAPACKE, pkg-config), installed when missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The benchmark table (PERFORMANCE.md): `make bench FILTER=sgemm` runs the cases whose name contains
# "sgemm". NumPy anchors run with $(PYTHON); PyTorch anchors only when SYFT_TORCH_PYTHON names an
# interpreter that has torch. The JSON goes to .build/bench/latest.json.
bench: deps
	$(SWIFT) build -c release --product syft-bench
	SYFT_NUMPY_PYTHON="$(PYTHON)" .build/release/syft-bench --filter "$(FILTER)" --json .build/bench/latest.json

# The embedded default: the tutorial, then a short federated training (federated averaging over two
# virtual workers, bob and alice, each holding half the training split of the digits), into a new run folder.
RUN_OUT ?= runs/make-run-$(shell date +%Y%m%d-%H%M%S)
run: deps
	$(SWIFT) build --product syft
	.build/debug/syft tutorial
	@echo
	.build/debug/syft train --data Data/digits.csv --workers bob,alice --federated averaging --rounds 5 --local-epochs 1 --out $(RUN_OUT)
	@echo
	@echo "make run: the results are in $(RUN_OUT)/ (config.json, metrics.csv, model.safetensors, plot.svg);"
	@echo "          try: .build/debug/syft eval --checkpoint $(RUN_OUT) --data Data/digits.csv"

format:
	$(SWIFT) format --in-place --recursive Sources Tests Benchmarks

clean:
	rm -rf .build
