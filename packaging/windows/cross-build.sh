#!/usr/bin/env bash
# Cross-builds Lojal for Windows into build-windows/ (WINDOWS_BUILD): lojald.exe,
# lojalctl.exe, lojal1.dll and its C example, and the pure cores' unit tests,
# against the dependency prefix of build-deps.sh (built first if not cached:
# about 12 min once). Prints what was built and what lojald.exe imports.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
windows_build=${WINDOWS_BUILD:-build-windows}
cd "$top"

started=$SECONDS
prefix=$("$here/build-deps.sh" | tail -n 1)
echo "cross-build: dependency prefix $prefix (ready after $((SECONDS - started)) s)"
cmake -S . -B "$windows_build" -DCMAKE_TOOLCHAIN_FILE="$here/mingw-w64-x86_64.cmake" \
    -DLOJAL_WINDOWS_PREFIX="$prefix" -DPoco_DIR="$prefix/cmake" \
    -DOPENSSL_ROOT_DIR="$prefix" -DOPENSSL_USE_STATIC_LIBS=TRUE -DCMAKE_BUILD_TYPE=Release >/dev/null
built=$SECONDS
cmake --build "$windows_build" -j "${JOBS:-2}"
imports() { x86_64-w64-mingw32-objdump -p "$1" | sed -n 's/.*DLL Name: //p' | sort -u | tr '\n' ' '; }
for file in daemon/lojald.exe daemon/lojalctl.exe plugins/pos/lojal1.dll; do
    echo "cross-build: $file $(stat -c %s "$windows_build/$file") bytes, imports: $(imports "$windows_build/$file")"
done
exports=$(x86_64-w64-mingw32-objdump -p "$windows_build/plugins/pos/lojal1.dll" | grep -c ' lojal_' || true)
echo "cross-build: lojal1.dll exports $exports lojal_ functions; built in $((SECONDS - built)) s"
