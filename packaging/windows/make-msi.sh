#!/usr/bin/env bash
# Builds lojal-VERSION.msi with wixl from packaging/windows/lojal.wxs.
#
#   packaging/windows/make-msi.sh OUT.msi [VERSION] [--stub]
#
# Takes lojald.exe, lojalctl.exe and lojal1.dll from build-windows/ (make msi
# cross-builds them first), the shipped configuration template
# (packaging/windows/lojald.ini), the SMS texts and docs/WINDOWS.md. VERSION
# defaults to the project's (CMakeLists.txt, as the .deb's). --stub packs the
# stub service of packaging/windows/stub/ as lojald.exe instead: what
# make msi-smoke uses where no Windows build exists; the POS library is then
# included when build-windows/ has it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:?usage: make-msi.sh OUT.msi [VERSION] [--stub]}
version=${2:-$(sed -n 's/^project(lojal VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")}
stub=${3:-}
build="$top/${WINDOWS_BUILD:-build-windows}"
stage=$(mktemp -d /tmp/lojal-msi.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin/sms" "$stage/doc"

flags=()
if [ "$stub" = --stub ]; then
    x86_64-w64-mingw32-gcc-posix -O2 -Wall -Wextra -Werror -static -DSTUB_VERSION="\"$version\"" \
        "$here/stub/stub-service.c" -o "$stage/bin/lojald.exe" -lws2_32
else
    for exe in daemon/lojald.exe daemon/lojalctl.exe; do
        [ -f "$build/$exe" ] || { echo "make-msi: $build/$exe is missing (make msi builds it)" >&2; exit 1; }
    done
    x86_64-w64-mingw32-strip -o "$stage/bin/lojald.exe" "$build/daemon/lojald.exe"
    x86_64-w64-mingw32-strip -o "$stage/bin/lojalctl.exe" "$build/daemon/lojalctl.exe"
    cp "$top"/daemon/sms/templates/*.txt "$stage/bin/sms/"
    flags+=(-D WithTools=1)
fi
cp "$here/lojald.ini" "$stage/bin/lojald.ini.example"
cp "$top/docs/WINDOWS.md" "$stage/doc/WINDOWS.md"
pos="$build/plugins/pos"
if [ -f "$pos/lojal1.dll" ]; then
    cp "$pos/lojal1.dll" "$pos/liblojal1.dll.a" "$stage/bin/"
    cp "$top/plugins/pos/src/lojal1.def" "$top/plugins/pos/include/lojal/lojal.h" "$stage/bin/"
    flags+=(-D WithLibrary=1)
fi
# wixl takes sources relative to the current folder only; its GLib warnings
# about attributes it ignores go to a log, shown only when it fails.
if ! (cd "$stage" && wixl -a x64 -D Version="$version" -D BinDir=bin -D DocDir=doc "${flags[@]}" \
    -o "$stage/out.msi" "$here/lojal.wxs" 2>"$stage/wixl.log"); then
    echo "make-msi: wixl failed: $(grep -v GLib "$stage/wixl.log")" >&2
    exit 1
fi
mkdir -p "$(dirname "$out")"
mv "$stage/out.msi" "$out"
echo "make-msi: $out ($(stat -c %s "$out") bytes, version $version${stub:+, stub service}${flags[*]:+, ${flags[*]}})"
