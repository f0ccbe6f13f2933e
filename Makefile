# Lojal: the two commands are `make run` and `make test` (see README.md).
SHELL       := /bin/bash
BUILD       ?= build
ASAN_BUILD  ?= build-asan
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps run build build-daemon test test-asan test-tsan abi-baseline package bench golden fuzz format clean upgrade-test msi msi-smoke windows-deps test-windows bench-windows

all: build

deps:
	@packaging/install-deps.sh build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Only the daemon and lojalctl: `make run` need not wait for the tests to compile.
build-daemon: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS) --target lojald lojalctl

# Starts lojald in the foreground on the embedded default configuration:
# API on 127.0.0.1:8470, data and development tokens under ./var/. Ctrl-C stops it.
run: build-daemon
	@mkdir -p var
	$(BUILD)/daemon/lojald

test:
	@packaging/install-deps.sh build test
	@$(MAKE) --no-print-directory build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The same tests built with AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan:
	@packaging/install-deps.sh build test
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLOJAL_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    ctest --test-dir $(ASAN_BUILD) --output-on-failure -j $(JOBS) -LE package

# liblojal's threading tests under ThreadSanitizer (the library and the tests
# that drive it from many threads; lojald is not part of it).
TSAN_BUILD ?= build-tsan
test-tsan:
	@packaging/install-deps.sh build test
	cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DLOJAL_SANITIZE_THREAD=ON $(CMAKE_FLAGS)
	cmake --build $(TSAN_BUILD) -j $(JOBS) --target pos_threading
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 $(TSAN_BUILD)/tests/pos_threading --report_level=short

# After an intended, compatible change of liblojal's ABI (a new node in
# plugins/pos/src/lojal.map): rewrite the baseline the ABI gate compares with.
abi-baseline: build
	tests/pos/check-abi.sh $(BUILD)/plugins/pos/liblojal.so.1 --update

# An installed lojald keeps its queue across a package upgrade (root; the network
# to Debian's mirror; about 8 min the first time on a machine, 3 min with its cache).
# Run by CI after `make test`, and before a release. Without Debian's mirror it
# prints SKIPPED (exit 3 of the script) and does not fail.
upgrade-test:
	@packaging/install-deps.sh build test upgrade
	@$(MAKE) --no-print-directory build
	tests/upgrade/upgrade-test.sh $(BUILD) || [ $$? -eq 3 ]

package: build
	cd $(BUILD) && cpack -G DEB

# Windows (docs/WINDOWS.md). The installer's life cycle under wine: with the
# real lojald.exe when build-windows/ has it (make test-windows or make msi),
# else with a stub service (needs no dependency prefix, about 20 s); CI runs it
# every time and it prints which.
msi-smoke:
	@packaging/install-deps.sh windows
	packaging/windows/msi-smoke.sh

# Poco, OpenSSL and SQLite for Windows from Debian's sources, into a prefix
# cached under /var/cache/lojal-windows (about 25 min the first time, then nothing).
windows-deps:
	@packaging/install-deps.sh windows
	packaging/windows/build-deps.sh

# build-windows/lojal-VERSION.msi: lojald.exe (the service), lojalctl.exe,
# lojal1.dll and its header and import library, the config template, the SMS
# texts, docs (builds the prefix first if it is not cached).
msi:
	@packaging/install-deps.sh windows
	packaging/windows/cross-build.sh
	packaging/windows/make-msi.sh build-windows/lojal-$$(sed -n 's/^project(lojal VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt).msi

# Everything cross-built into build-windows/, the pure cores' tests and the C example run
# under wine against a real lojald (builds the prefix first if it is not cached).
test-windows: build
	@packaging/install-deps.sh windows
	packaging/windows/test-windows.sh

# Windows figures beside Linux ones (docs/WINDOWS.md): the dependency build cold
# and warm, the .msi's size, lojald.exe's idle RSS and GET /v1/health req/s
# under wine beside the Linux lojald. Needs make msi (or test-windows) first.
bench-windows: build
	@packaging/install-deps.sh windows bench
	packaging/windows/windows-bench.sh

bench:
	@packaging/install-deps.sh build test bench
	@# Configure again: bench-only packages (zbar) may have been installed just now.
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)
	@$(MAKE) --no-print-directory build
	tests/bench/http-bench.sh $(BUILD)/daemon/lojald
	$(BUILD)/tests/scan-latency-bench 10000
	$(BUILD)/tests/zvt-flow-bench 200
	$(BUILD)/tests/slow-clients-bench 1000
	$(BUILD)/tests/card-guard-bench
	$(BUILD)/tests/signup-bench 8000 200
	$(BUILD)/tests/receipt-bench 100000
	$(BUILD)/tests/crm-health-bench 40
	$(BUILD)/tests/operations-bench 100000 50000 20
	$(BUILD)/tests/voyado-chain-bench 50 20 120
	$(BUILD)/tests/pos-bench 20000 2000
	$(BUILD)/tests/camera-bench 300
	tests/kiosk/run.sh --bench $(BUILD)/daemon/lojald $(BUILD)/tests/barcode-image

# Rewrites tests/data/*/*.golden from the recorded sessions; review the diff and
# commit it with the reason the events changed.
golden: build
	LOJAL_UPDATE_GOLDEN=1 $(BUILD)/tests/replay_sessions --log_level=message

# Builds the libFuzzer targets with clang and runs each for FUZZ_SECONDS on its
# seed corpus (tests/fuzz/corpus/); crashes are written to build-fuzz/.
FUZZ_SECONDS ?= 30
fuzz:
	@packaging/install-deps.sh build fuzz
	cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DLOJAL_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS)
	@for target in scan json_syntax ini zvt ws_frame receipt card_guard camera_frame camera_decoder; do \
	    mkdir -p build-fuzz/corpus-$$target; \
	    echo "fuzz_$$target: $(FUZZ_SECONDS) s"; \
	    if build-fuzz/tests/fuzz/fuzz_$$target -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	        -artifact_prefix=build-fuzz/ build-fuzz/corpus-$$target tests/fuzz/corpus/$$target \
	        > build-fuzz/fuzz_$$target.log 2>&1; then \
	        tail -n 1 build-fuzz/fuzz_$$target.log; \
	    else \
	        grep -E 'ERROR|SUMMARY|runtime error|Base64|^ +#[0-9]+ ' build-fuzz/fuzz_$$target.log | head -n 30; exit 1; \
	    fi; \
	done

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h' '*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
