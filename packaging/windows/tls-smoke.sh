#!/usr/bin/env bash
# https from the Windows build verified against the Windows Trusted Root store
# (plugins/VerifiedHttp, no ca_file), under wine in a fresh WINEPREFIX:
# lojalctl.exe asks an https server (openssl s_server) whose self-signed
# certificate is in no store: refused, certificate verify failed. The
# certificate is then added to the machine's ROOT store (tools/add-root-cert.c):
# the same call gets through TLS (the server's answer is no JSON, which
# lojalctl says; what matters is that the handshake was verified and passed).
#
#   packaging/windows/tls-smoke.sh WINDOWS_BUILD   (make test-windows)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/smoke-lib.sh"
windows_build=$(cd "$1" && pwd)
work=$(mktemp -d /tmp/lojal-tls-smoke.XXXXXX)
fail() { echo "tls-smoke: FAILED: $*" >&2; exit 1; }
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=,winemenubuilder.exe=d"
trap 'kill ${server_pid:-} 2>/dev/null || true; wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(free_port)

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
openssl x509 -in "$work/cert.pem" -outform der -out "$work/cert.der"
openssl s_server -accept "$port" -cert "$work/cert.pem" -key "$work/key.pem" -www -quiet \
    >"$work/server.log" 2>&1 &
server_pid=$!
x86_64-w64-mingw32-gcc-posix -O2 -Wall -Wextra -Werror -static "$here/tools/add-root-cert.c" \
    -o "$work/add-root-cert.exe" -lcrypt32
echo "admin not-a-real-token" >"$work/token"
wineboot --init >/dev/null 2>&1
wineserver -w
for _ in $(seq 1 50); do
    openssl s_client -connect "127.0.0.1:$port" </dev/null >/dev/null 2>&1 && break
    sleep 0.1
done

status() { wine "$windows_build/daemon/lojalctl.exe" --url "https://127.0.0.1:$port" \
    --token-file "$work/token" status 2>&1 | tr -d '\r' || true; }
before=$(status)
echo "$before" | grep -q 'certificate verify failed' || fail "an unknown certificate was not refused: $before"
echo "tls-smoke: a certificate in no store is refused: $before"
wine "$work/add-root-cert.exe" "$work/cert.der" || fail "could not add the certificate to the ROOT store"
after=$(status)
echo "$after" | grep -q 'certificate verify failed' && fail "still refused with the certificate in the ROOT store: $after"
echo "$after" | grep -q 'not a JSON object' || fail "unexpected: $after"
echo "tls-smoke: with the certificate in the machine's ROOT store, TLS passes: $after"
