#!/usr/bin/env bash
# lojald.exe's [log] target = eventlog under wine, in a fresh WINEPREFIX:
#  1. lojald.exe carries the message table Event Viewer formats its entries
#     with (daemon/app/EventMessages.mc; the installer registers lojald.exe as
#     the source's EventMessageFile): event 0x1000 gives back the log line
#     itself, the categories read Warning, Notice..., an unknown id has no text.
#  2. A running lojald.exe with target = eventlog reports its lines through
#     ReportEventW, the start-up line among them, with the event type of its
#     priority. Wine has no event log: its ReportEventW prints what it was given
#     on the "eventlog" debug channel, which is what this reads.
#
#   packaging/windows/eventlog-smoke.sh WINDOWS_BUILD   (make test-windows)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/smoke-lib.sh"
windows_build=$(cd "$1" && pwd)
lojald_exe="$windows_build/daemon/lojald.exe"
work=$(mktemp -d /tmp/lojal-eventlog-smoke.XXXXXX)
fail() {
    echo "eventlog-smoke: FAILED: $*" >&2
    [ -f "$work/lojald.err" ] && grep -i eventlog "$work/lojald.err" | tail -n 20 >&2
    exit 1
}
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=,winemenubuilder.exe=d"
trap 'kill ${lojald_pid:-} 2>/dev/null || true; wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT
x86_64-w64-mingw32-gcc-posix -O2 -Wall -Wextra -Werror -static "$here/tools/event-message.c" \
    -o "$work/event-message.exe"
wineboot --init >/dev/null 2>&1
wineserver -w

message() { wine "$work/event-message.exe" "$(winepath -w "$lojald_exe")" "$@" 2>&1 | tr -d '\r'; }
line="2026-11-30 lojal: lojald API listening on http://127.0.0.1:8470"
[ "$(message 0x1000 "$line")" = "$line" ] || fail "event 0x1000 is not the line itself: $(message 0x1000 "$line")"
[ "$(message 4)" = "Warning" ] || fail "category 4 is not Warning: $(message 4)"
[ "$(message 5)" = "Notice" ] || fail "category 5 is not Notice: $(message 5)"
unknown=$(message 0x1234 || true)
echo "$unknown" | grep -q "no message" || fail "an unknown event id has a text: $unknown"
echo "eventlog-smoke: lojald.exe's message table formats event 0x1000 as the line and names the categories"

port=$(free_port)
minimal_config "$port" lojal.db >"$work/lojald.ini"
printf '[log]\ntarget = eventlog\n' >>"$work/lojald.ini"
(cd "$work" && WINEDEBUG=fixme+advapi,warn+eventlog,trace+eventlog exec wine "$lojald_exe" --config lojald.ini \
    >"$work/lojald.out" 2>"$work/lojald.err") &
lojald_pid=$!
for _ in $(seq 1 100); do
    curl -s --max-time 2 "http://127.0.0.1:$port/v1/health" >/dev/null && break
    sleep 0.2
done
curl -s --max-time 2 "http://127.0.0.1:$port/v1/health" | grep -q '"status"' ||
    fail "lojald.exe with target = eventlog did not answer /v1/health"
# Wine prints each call's arguments (handle, type, category, event id, ...) on
# the advapi channel, then each string on the eventlog channel at the level of
# the type: a Notice line is a warning entry (2) of category Notice (5).
reported=$(tr -d '\r' <"$work/lojald.err" | grep 'ReportEventW' || true)
[ -n "$reported" ] || fail "lojald.exe did not call ReportEventW"
startup=$(echo "$reported" | grep -B1 -m1 'warn:eventlog:ReportEventW L".*API listening on' || true)
[ -n "$startup" ] || fail "the start-up line did not reach the event log as a warning entry"
echo "$startup" | head -n 1 | grep -q 'ReportEventW ([0-9A-F]*,0x0002,0x0005,0x00001000,' ||
    fail "the start-up line was not event 0x1000 of category Notice: $startup"
grep -q 'API listening on' "$work/lojald.out" && fail "with target = eventlog the log still went to standard output"
echo "eventlog-smoke: lojald.exe reported its start-up line through ReportEventW (type warning, category Notice, event 0x1000): $(echo "$startup" | tail -n 1 | cut -c1-120)"
echo "eventlog-smoke: passed"
