# Syft for Swift: the two commands are `make run` and `make test`. Each installs what is missing first.
SWIFT ?= swift
PYTHON ?= python3
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
APT_PACKAGES := libopenblas-dev liblapacke-dev pkg-config
FILTER ?=

.PHONY: all deps build test test-release bench run format lint proto proto-plugins clean

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

# Builds every product (the library, `syft`, the benchmarks and Examples/, so none can rot), then the tests.
test: deps
	$(SWIFT) build
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# The same tests against the optimized build: the library and the tests built with -O, and the `syft`
# the tests start as worker processes too. What optimization changes (how long objects live, so when a
# pointer's object is deleted, or whether a signal source still catches its signal) shows here and not in
# `make test`. Its own build folder, so that it leaves the release build of `make bench` alone; not part of
# `make test`, whose time it would double.
RELEASE_TESTS ?= .build-release-tests
test-release: deps
	$(SWIFT) build -c release --scratch-path $(RELEASE_TESTS) -Xswiftc -enable-testing --product syft
	$(SWIFT) build -c release --scratch-path $(RELEASE_TESTS) -Xswiftc -enable-testing --build-tests
	SYFT_EXECUTABLE=$(RELEASE_TESTS)/release/syft $(SWIFT) test -c release --scratch-path $(RELEASE_TESTS) \
		-Xswiftc -enable-testing --skip-build

# The benchmark table (PERFORMANCE.md): `make bench FILTER=sgemm` runs the cases whose name contains
# "sgemm". NumPy anchors run with $(PYTHON); PyTorch anchors only when SYFT_TORCH_PYTHON names an
# interpreter that has torch. The network cases start `syft worker` processes (hence the second build).
# The JSON goes to .build/bench/latest.json.
bench: deps
	$(SWIFT) build -c release --product syft-bench
	$(SWIFT) build -c release --product syft
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

# Regenerates the Swift code of Protos/ (committed; the normal build needs no protoc). Needs Debian's
# protoc (`apt-get install protobuf-compiler`) and the two plugins, built from the packages the build
# uses by `make proto-plugins` into $(PROTO_TOOLS).
PROTOC ?= protoc
PROTO_TOOLS ?= .build/proto-tools
PROTOC_GEN_SWIFT ?= $(PROTO_TOOLS)/swift-protobuf/.build/release/protoc-gen-swift
PROTOC_GEN_GRPC_SWIFT ?= $(PROTO_TOOLS)/grpc-swift-protobuf/.build/release/protoc-gen-grpc-swift-2

proto:
	$(PROTOC) -I Protos --plugin=protoc-gen-swift=$(PROTOC_GEN_SWIFT) --swift_opt=Visibility=Public \
		--swift_out=Sources/SyftRemote/Generated Protos/syft/v1/tensor.proto Protos/syft/v1/messages.proto
	$(PROTOC) -I Protos --plugin=protoc-gen-swift=$(PROTOC_GEN_SWIFT) --swift_opt=Visibility=Public \
		--plugin=protoc-gen-grpc-swift-2=$(PROTOC_GEN_GRPC_SWIFT) --grpc-swift-2_opt=Visibility=Public \
		--swift_out=Sources/SyftGRPC/Generated --grpc-swift-2_out=Sources/SyftGRPC/Generated \
		Protos/syft/v1/worker.proto

proto-plugins:
	@mkdir -p $(PROTO_TOOLS)
	[ -d $(PROTO_TOOLS)/swift-protobuf ] || git clone -q --branch 1.39.0 https://github.com/apple/swift-protobuf $(PROTO_TOOLS)/swift-protobuf
	[ -d $(PROTO_TOOLS)/grpc-swift-protobuf ] || git clone -q --branch 2.4.1 https://github.com/grpc/grpc-swift-protobuf $(PROTO_TOOLS)/grpc-swift-protobuf
	cd $(PROTO_TOOLS)/swift-protobuf && $(SWIFT) build -c release --product protoc-gen-swift
	cd $(PROTO_TOOLS)/grpc-swift-protobuf && $(SWIFT) build -c release --product protoc-gen-grpc-swift-2

# swift format with .swift-format, on every Swift file but the generated code.
SWIFT_FILES = $(shell find Sources Tests Benchmarks Examples -name '*.swift' -not -path '*/Generated/*')
format:
	@$(SWIFT) format --in-place $(SWIFT_FILES)

lint:
	@$(SWIFT) format lint --strict $(SWIFT_FILES) && echo "swift format: clean"

clean:
	rm -rf .build
