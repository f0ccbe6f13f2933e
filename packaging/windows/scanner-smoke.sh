#!/usr/bin/env bash
# A serial scanner on a COM port of lojald.exe under wine: tests/sim/scanner-sim
# plays the scanner on a pty, wine maps COM6 to it, lojald.exe reads
# [device.scanner] port = COM6 through the Win32 backend. Checks: the device is
# ready, a scan reaches GET /v1/events (a WebSocket read with ?since=0), the
# port is in GET /v1/ports, and the device stays ready over three presence
# checks (one a second).
#
#   packaging/windows/scanner-smoke.sh LINUX_BUILD WINDOWS_BUILD   (make test-windows)
set -euo pipefail
. "$(dirname "$0")/smoke-lib.sh"
linux_build=$(cd "$1" && pwd)
windows_build=$(cd "$2" && pwd)
work=$(mktemp -d /tmp/lojal-scanner-smoke.XXXXXX)
fail() {
    echo "scanner-smoke: FAILED: $*" >&2
    [ -f "$work/lojald.log" ] && tail -n 20 "$work/lojald.log" >&2
    exit 1
}
port=$(free_port)
token="scanner-smoke-admin-0123456789abcdef"

mkfifo "$work/to-sim" "$work/from-sim"
"$linux_build/tests/scanner-sim" --link "$work/scanner" <"$work/to-sim" >"$work/from-sim" &
sim_pid=$!
exec 3>"$work/to-sim" 4<"$work/from-sim"
trap 'kill $sim_pid ${lojald_pid:-} 2>/dev/null || true; rm -rf "$work"' EXIT
sim() {  # sim COMMAND EXPECTED: fails unless its answer starts with EXPECTED
    echo "$1" >&3
    local answer=""
    read -r -t 10 answer <&4 || fail "scanner-sim did not answer '$1'"
    [[ "$answer" == "$2"* ]] || fail "scanner-sim answered '$answer' to '$1'"
}
sim plug ok
# wine reads its port map when wineserver starts.
wine reg add 'HKLM\Software\Wine\Ports' /v COM6 /t REG_SZ /d "$(readlink -f "$work/scanner")" /f >/dev/null 2>&1
wineserver -k || true

minimal_config "$port" lojal.db >"$work/lojald.ini"
cat >>"$work/lojald.ini" <<INI
[tokens]
smoke = admin:$token
[device.scanner]
driver = serial-scanner
port = COM6
INI
(cd "$work" && exec wine "$windows_build/daemon/lojald.exe" --config lojald.ini >"$work/lojald.log" 2>&1) &
lojald_pid=$!
get() { curl -s --max-time 5 -H "Authorization: Bearer $token" "http://127.0.0.1:$port$1"; }
scanner_ready() { get /v1/devices | grep -q '"name":"scanner"[^}]*"state":"ready"\|"state":"ready"[^}]*"name":"scanner"'; }
for _ in $(seq 1 100); do scanner_ready && break; sleep 0.2; done
scanner_ready || fail "the scanner on COM6 is not ready: $(get /v1/devices)"
echo "scanner-smoke: the scanner on COM6 is ready"
sim "scan 7310865071811" ok
# The events from the ring's start, until the scan (or 10 s): one WebSocket.
event=$(timeout 15 python3 - "$port" "$token" <<'PY'
import base64, os, socket, sys
port, token = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port), timeout=10)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall((f"GET /v1/events?since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
           f"Authorization: Bearer {token}\r\n\r\n").encode())
buffer = b""
while b"\r\n\r\n" not in buffer:
    buffer += s.recv(4096)
head, buffer = buffer.split(b"\r\n\r\n", 1)
assert b" 101 " in head.split(b"\r\n")[0], head
def take(n):
    global buffer
    while len(buffer) < n:
        chunk = s.recv(4096)
        if not chunk: sys.exit("closed")
        buffer += chunk
    out, buffer = buffer[:n], buffer[n:]
    return out
while True:
    b0, b1 = take(2)
    size = b1 & 0x7F
    if size == 126: size = int.from_bytes(take(2), "big")
    elif size == 127: size = int.from_bytes(take(8), "big")
    text = take(size).decode()
    if b0 & 0x0F == 1 and '"type":"scan"' in text:
        print(text)
        break
PY
) || fail "no scan event on /v1/events"
echo "$event" | grep -q '7310865071811' || fail "the scan event lacks the code: $event"
echo "scanner-smoke: the scan through COM6 reached /v1/events: $(echo "$event" | cut -c1-120)"
get /v1/ports | grep -q '"name":"COM6"' || fail "GET /v1/ports lacks COM6: $(get /v1/ports)"
sleep 3.5  # three presence checks (once a second): nothing to await but time passing
scanner_ready || fail "the scanner did not stay ready: $(get /v1/devices)"
echo "scanner-smoke: still ready after three presence checks; GET /v1/ports lists COM6; passed"
