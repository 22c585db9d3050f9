# hookstash — the two commands a new developer needs are `make serve` and `make test`.
SWIFT ?= swift
APT_PACKAGES = libcurl4-openssl-dev libssl-dev libsqlite3-dev pkg-config
# The browser tests of the inspector drive headless Chromium; the documented-commands tests run curl and python3;
# the copy-as-curl tests run the exported commands through dash (and sh, bash).
TEST_APT_PACKAGES = chromium curl python3 dash

.PHONY: serve test deps test-deps apt-install build release format lint bench bench-build fuzz soak clean

## Install the system libraries (Debian/Ubuntu), build, and start capturing on 127.0.0.1:8080.
serve: deps build
	./.build/debug/hookstash serve $(ARGS)

## Install the system libraries (and Chromium), build everything and run the whole test suite. The CLI tests run
## in a second process: they wait on `hookstash` subprocesses, and on 2 cores Swift's cooperative pool has 2 threads,
## so beside them the timing of the library tests' async servers and queues is at the mercy of those waits.
test: deps test-deps
	$(SWIFT) build --build-tests -Xswiftc -warnings-as-errors
	$(SWIFT) test --skip-build --skip '^CLITests\.'
	$(SWIFT) test --skip-build --filter '^CLITests\.'
	Tests/browser/run.sh

## System packages: installed only when missing (needs root or sudo).
deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

test-deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(TEST_APT_PACKAGES)"

apt-install:
	@missing=""; for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $$missing; \
	fi

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

## Rewrite the tree in the repository's style (.swift-format).
format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests Benchmarks/Package.swift \
		Benchmarks/ReplayBenchmark Benchmarks/NIOBaseline Benchmarks/InspectorBenchmark

## Fail when a file is not formatted.
lint:
	./scripts/check-format

## Benchmarks (release build; installs wrk and nginx from Debian): prints one summary table.
bench: deps bench-build
	./scripts/bench
	Benchmarks/replay-vs-wrk.sh
	"$$($(SWIFT) build -c release --package-path Benchmarks --show-bin-path)/inspector-benchmark" --captures 100000 --requests 300

## Build the product and the benchmarks package (Benchmarks/Package.swift) in release mode, without running anything.
bench-build:
	$(SWIFT) build -c release --product hookstash
	$(SWIFT) build -c release --package-path Benchmarks

## Mutation fuzzing of the capture framing (1,000,000 inputs) and the live listener (10,000 connections).
fuzz: deps
	HOOKSTASH_FUZZ_ITERATIONS=1000000 $(SWIFT) test --filter FramingFuzzTests

## SIGKILL at random moments under load, 20 times; fails if any acknowledged capture is lost.
soak: deps
	./scripts/soak

clean:
	rm -rf .build Benchmarks/.build
