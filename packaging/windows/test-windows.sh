#!/usr/bin/env bash
# make test-windows: builds the dependency prefix if it is not cached
# (build-deps.sh), cross-builds lojal1.dll, the C example and the pure cores'
# unit tests into build-windows/, runs those tests under wine (ctest), then the
# C example under wine against a real lojald built for Linux (the pos_examples
# test), and prints what the DLL imports and weighs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
linux_build=${BUILD:-build}
windows_build=${WINDOWS_BUILD:-build-windows}
cd "$top"

started=$SECONDS
prefix=$("$here/build-deps.sh" | tail -n 1)
echo "test-windows: dependency prefix $prefix (ready after $((SECONDS - started)) s)"
cmake -S . -B "$windows_build" -DCMAKE_TOOLCHAIN_FILE="$here/mingw-w64-x86_64.cmake" \
    -DLOJAL_WINDOWS_PREFIX="$prefix" -DPoco_DIR="$prefix/cmake" \
    -DOPENSSL_ROOT_DIR="$prefix" -DOPENSSL_USE_STATIC_LIBS=TRUE -DCMAKE_BUILD_TYPE=Release >/dev/null
built=$SECONDS
cmake --build "$windows_build" -j "${JOBS:-2}"
dll="$windows_build/plugins/pos/lojal1.dll"
example="$windows_build/plugins/pos/lojal-example-c.exe"
echo "test-windows: built in $((SECONDS - built)) s: $dll ($(stat -c %s "$dll") bytes), imports:" \
    $(x86_64-w64-mingw32-objdump -p "$dll" | sed -n 's/.*DLL Name: //p' | sort -u)
exports=$(x86_64-w64-mingw32-objdump -p "$dll" | grep -c ' lojal_' || true)
echo "test-windows: lojal1.dll exports $exports lojal_ functions"

export WINEPREFIX="${WINEPREFIX:-$top/$windows_build/wineprefix}"
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=,winemenubuilder.exe=d"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    wineboot --init >/dev/null 2>&1
    wineserver -w
fi
# The serial test's far end: a pty that echoes in upper case, which wine maps
# to COM5 (wine reads its port map when wineserver starts).
echo_out=$(mktemp)
python3 "$here/serial-echo.py" >"$echo_out" &
echo_pid=$!
trap 'kill $echo_pid 2>/dev/null || true; rm -f "$echo_out"' EXIT
for _ in $(seq 1 50); do [ -s "$echo_out" ] && break; sleep 0.1; done
pts=$(head -n 1 "$echo_out")
wine reg add 'HKLM\Software\Wine\Ports' /v COM5 /t REG_SZ /d "$pts" /f >/dev/null 2>&1
wineserver -k || true
echo "test-windows: COM5 is $pts (echo)"
LOJAL_SERIAL_LOOPBACK=COM5 ctest --test-dir "$windows_build" -L windows --output-on-failure
LOJAL_WINDOWS_EXAMPLE="$top/$example" \
    ctest --test-dir "$linux_build" -R '^pos_examples$' --output-on-failure
echo "test-windows: passed in $((SECONDS - started)) s"
