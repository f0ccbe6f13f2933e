# Lojal: the two commands are `make run` and `make test` (see README.md).
BUILD       ?= build
ASAN_BUILD  ?= build-asan
JOBS        ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps run build test test-asan package bench golden fuzz format clean

all: build

deps:
	@packaging/install-deps.sh build

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Starts lojald in the foreground on the embedded default configuration:
# API on 127.0.0.1:8470, data and development tokens under ./var/. Ctrl-C stops it.
run: build
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

package: build
	cd $(BUILD) && cpack -G DEB

bench:
	@packaging/install-deps.sh build bench
	@$(MAKE) --no-print-directory build
	tests/bench/http-bench.sh $(BUILD)/daemon/lojald

# Rewrites tests/data/*/*.golden from the recorded sessions; review the diff and
# commit it with the reason the events changed.
golden: build
	LOJAL_UPDATE_GOLDEN=1 $(BUILD)/tests/replay_sessions --log_level=message

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
