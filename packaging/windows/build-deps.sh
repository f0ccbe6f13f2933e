#!/usr/bin/env bash
# Builds what lojald and liblojal need on Windows and Debian does not ship for
# it (Poco, OpenSSL, SQLite) from Debian's own source packages, with Debian's
# mingw-w64, into a prefix cached outside the checkout.
#
#   packaging/windows/build-deps.sh            prints the prefix when done
#   packaging/windows/build-deps.sh --cached   exit 0 when the prefix is built
#   LOJAL_WINDOWS_CACHE=/path  (default /var/cache/lojal-windows)
#   JOBS=N                     (default: the number of cores)
#
# The sources come through a private apt configuration in this script's own
# folder (a deb-src entry and its own lists), never the system's apt sources;
# `dpkg-source -x` checks every file against the .dsc's checksums. The prefix is
# keyed by a hash of this script, the toolchain file, the shims and the pinned
# versions; each step leaves a stamp, so a second run does nothing and a run
# cut short goes on where it stopped.
set -euo pipefail

POCO_VERSION=1.11.0-3+deb12u1
OPENSSL_VERSION=3.0.20-1~deb12u2
SQLITE_VERSION=3.40.1-2+deb12u2

here=$(cd "$(dirname "$0")" && pwd)
cache=${LOJAL_WINDOWS_CACHE:-/var/cache/lojal-windows}
jobs=${JOBS:-$(nproc)}
# The key covers what the prefix is made from: the pins, the recipe (this file
# from the "recipe" line on), the toolchain file and the shims.
key=$( (grep '_VERSION=' "$0"; sed -n '/^# --- recipe ---$/,$p' "$0"
    cat "$here/mingw-w64-x86_64.cmake" "$here"/shim/*) | sha256sum | cut -c1-16)
root="$cache/$key"
prefix="$root/prefix"
src="$root/src"
if [ "${1:-}" = --cached ]; then
    [ -f "$root/stamps/poco" ] && exit 0
    exit 1
fi
mkdir -p "$prefix" "$src" "$root/stamps"

say() { echo "build-deps: $*" >&2; }
done_step() { [ -f "$root/stamps/$1" ]; }
mark() { echo "${2:-0}" >"$root/stamps/$1"; }  # the step's seconds, for windows-bench.sh
timed() {  # timed STEP COMMAND...: runs once, prints its wall time
    local step=$1
    shift
    if done_step "$step"; then return 0; fi
    local started=$SECONDS
    say "$step ..."
    "$@"
    mark "$step" $((SECONDS - started))
    say "$step done in $((SECONDS - started)) s"
}

for tool in x86_64-w64-mingw32-gcc-posix x86_64-w64-mingw32-g++-posix x86_64-w64-mingw32-windmc \
    dpkg-source tclsh cmake; do
    command -v "$tool" >/dev/null || {
        say "$tool is missing: packaging/install-deps.sh windows"
        exit 1
    }
done

# --- recipe ---
# Debian's mirror, for sources only, with lists of its own under the cache.
fetch_sources() {
    local apt="$root/apt"
    mkdir -p "$apt/lists/partial" "$apt/archives/partial"
    cp "$here/apt/sources.list" "$apt/sources.list"
    local options=(-o "Dir::Etc::SourceList=$apt/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache::Archives=$apt/archives"
        -o "APT::Sandbox::User=root")
    apt-get "${options[@]}" update -qq
    cd "$src"
    for package in "poco=$POCO_VERSION" "openssl=$OPENSSL_VERSION" "sqlite3=$SQLITE_VERSION"; do
        apt-get "${options[@]}" source --download-only -qq "$package" || {
            say "cannot fetch $package: the mirror may have moved on; update the pin in $0"
            exit 1
        }
    done
}

unpack() {  # unpack NAME VERSION: dpkg-source checks the .dsc's checksums
    local name=$1 version=$2
    rm -rf "${src:?}/$name"
    (cd "$src" && dpkg-source -x "${name}_${version}.dsc" "$name" >/dev/null)
}

build_openssl() {
    unpack openssl "$OPENSSL_VERSION"
    cd "$src/openssl"
    ./Configure mingw64 no-shared no-tests no-legacy no-engine no-module \
        --cross-compile-prefix=x86_64-w64-mingw32- --prefix="$prefix" --libdir=lib >/dev/null
    make -s -j"$jobs" build_libs >/dev/null
    make -s install_dev >/dev/null
}

build_sqlite() {
    unpack sqlite3 "$SQLITE_VERSION"
    mkdir -p "$src/sqlite3-native"
    cd "$src/sqlite3-native"
    "$src/sqlite3/configure" --disable-tcl >/dev/null
    make -s sqlite3.c >/dev/null
    x86_64-w64-mingw32-gcc-posix -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_OMIT_LOAD_EXTENSION \
        -c sqlite3.c -o sqlite3.o
    x86_64-w64-mingw32-ar rcs "$prefix/lib/libsqlite3.a" sqlite3.o
    mkdir -p "$prefix/include"
    cp sqlite3.h sqlite3ext.h "$prefix/include/"
}

build_poco() {
    unpack poco "$POCO_VERSION"
    mkdir -p "$src/poco-build"
    cd "$src/poco-build"
    cmake "$src/poco" -DCMAKE_TOOLCHAIN_FILE="$here/mingw-w64-x86_64.cmake" \
        -DLOJAL_WINDOWS_PREFIX="$prefix" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
        -DCMAKE_INSTALL_PREFIX="$prefix" \
        -DENABLE_XML=ON -DENABLE_JSON=ON -DENABLE_UTIL=ON -DENABLE_NET=ON -DENABLE_CRYPTO=ON \
        -DENABLE_NETSSL=ON -DENABLE_DATA=OFF -DENABLE_ENCODINGS=OFF -DENABLE_MONGODB=OFF \
        -DENABLE_REDIS=OFF -DENABLE_ZIP=OFF -DENABLE_JWT=OFF -DENABLE_PAGECOMPILER=OFF \
        -DENABLE_PAGECOMPILER_FILE2PAGE=OFF -DENABLE_ACTIVERECORD=OFF \
        -DENABLE_ACTIVERECORD_COMPILER=OFF -DENABLE_DATA_MYSQL=OFF -DENABLE_DATA_POSTGRESQL=OFF \
        -DENABLE_DATA_ODBC=OFF -DENABLE_APACHECONNECTOR=OFF -DENABLE_TESTS=OFF \
        -DOPENSSL_ROOT_DIR="$prefix" -DOPENSSL_USE_STATIC_LIBS=TRUE >/dev/null
    cmake --build . -j"$jobs" >/dev/null
    cmake --install . >/dev/null
}

timed fetch fetch_sources
timed openssl build_openssl
timed sqlite build_sqlite
timed poco build_poco
say "prefix ready ($(du -sh "$prefix" | cut -f1))"
echo "$prefix"
