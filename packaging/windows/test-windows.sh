#!/usr/bin/env bash
# make test-windows: cross-builds everything into build-windows/
# (cross-build.sh: the dependency prefix first if it is not cached), runs the
# pure cores' unit tests under wine (ctest), then the C example under wine
# against a real lojald built for Linux (the pos_examples test).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
linux_build=${BUILD:-build}
windows_build=${WINDOWS_BUILD:-build-windows}
cd "$top"

started=$SECONDS
WINDOWS_BUILD="$windows_build" "$here/cross-build.sh"
example="$windows_build/plugins/pos/lojal-example-c.exe"

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
trap 'kill $echo_pid 2>/dev/null || true; rm -f "$echo_out"; wineserver -k 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -s "$echo_out" ] && break; sleep 0.1; done
pts=$(head -n 1 "$echo_out")
wine reg add 'HKLM\Software\Wine\Ports' /v COM5 /t REG_SZ /d "$pts" /f >/dev/null 2>&1
wineserver -k || true
echo "test-windows: COM5 is $pts (echo)"
LOJAL_SERIAL_LOOPBACK=COM5 ctest --test-dir "$windows_build" -L windows --output-on-failure
LOJAL_WINDOWS_EXAMPLE="$top/$example" \
    ctest --test-dir "$linux_build" -R '^pos_examples$' --output-on-failure
# The Linux API tests that hold for Windows, run against lojald.exe under wine
# (tests/support/LojaldProcess: LOJAL_WINDOWS_LOJALD). Left out, and why
# (docs/WINDOWS.md): file modes and umask, SIGHUP and systemd credentials,
# /dev paths of serial devices, the camera and the kiosk (Linux only), the
# slow-clients latency bound (p99 near 500 ms under wine), and the crash
# matrix: after some of its twenty kill -9 wine does not start lojald.exe
# again (msi-smoke kills the service once and checks the receipt), and the
# members test, whose count of CRM lookups races the member sync under wine.
windows_api_tests='^(api_01_health|api_03_bad_requests|api_04_keep_alive|api_11_receipts|api_12_crm_sync|api_14_storage_faults|api_16_voyado|api_18_crm_tls|api_21_least_privilege)$'
api_started=$SECONDS
LOJAL_WINDOWS_LOJALD="$top/$windows_build/daemon/lojald.exe" \
    ctest --test-dir "$linux_build" -R "$windows_api_tests" -j "${JOBS:-2}" --output-on-failure
echo "test-windows: 9 API test programs passed against lojald.exe under wine in $((SECONDS - api_started)) s"
"$here/scanner-smoke.sh" "$linux_build" "$windows_build"
"$here/tls-smoke.sh" "$windows_build"
"$here/eventlog-smoke.sh" "$windows_build"
echo "test-windows: passed in $((SECONDS - started)) s"
