#!/usr/bin/env bash
# The installer's life cycle under wine, in a fresh WINEPREFIX:
# install → the service is registered, set to start at boot, running, and
# answers GET /v1/health from Linux → a higher version installed over it
# (MajorUpgrade) → a lower one is refused → stop → uninstall removes the
# service and the program files.
#
# With the real lojald.exe (build-windows/ has it: make test-windows or
# make msi built it) it also posts a receipt, kills the service's process
# (kill -9) and starts it again: the receipt is still there; the upgrade keeps
# the database and a store's edit of lojald.ini; lojalctl.exe reads the running
# service's status; the data stays after uninstall. Without build-windows/ a
# stub service stands in for lojald.exe (packaging/windows/stub/), so this
# needs no dependency prefix and CI runs it every time. LOJAL_MSI_STUB=1 forces
# the stub. It prints which ran.
#
#   packaging/windows/msi-smoke.sh [WORKDIR]     (make msi-smoke)
#
# Wine details (docs/WINDOWS.md): a private WINEPREFIX whose first boot is
# waited for (else the service database is locked); `wineserver -p` keeps
# the services alive between commands (else every wine command restarts the
# auto-start services); `net stop` returns before the service has stopped, so
# the script waits for the port to close; `sc query` of an unknown service
# says nothing, so the registry is asked instead.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
keep=${1:+yes}
work=${1:-$(mktemp -d /tmp/lojal-msi-smoke.XXXXXX)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
version=$(sed -n 's/^project(lojal VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")
port=8470
started=$SECONDS

fail() {
    echo "msi-smoke: FAILED: $*" >&2
    [ -f "$work/install.log" ] && tail -n 20 "$work/install.log" | iconv -f UTF-16LE -t UTF-8 2>/dev/null >&2 || true
    exit 1
}
step() { echo "msi-smoke: $*"; }

for tool in x86_64-w64-mingw32-gcc-posix wixl wine wineserver curl; do
    command -v "$tool" >/dev/null || fail "$tool is missing (packaging/install-deps.sh windows)"
done
if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; then
    fail "port $port is in use (a lojald running?): the stub service needs it"
fi

# Two packages: this version and a higher one.
build="$top/${WINDOWS_BUILD:-build-windows}"
dll_dir="$build/plugins/pos"
next="${version%.*}.$((${version##*.} + 1))"
if [ -f "$build/daemon/lojald.exe" ] && [ "${LOJAL_MSI_STUB:-0}" != 1 ]; then
    mode=full
    "$here/make-msi.sh" "$work/lojal-$version.msi" "$version" >/dev/null
    "$here/make-msi.sh" "$work/lojal-$next.msi" "$next" >/dev/null
else
    mode=stub
    "$here/make-msi.sh" "$work/lojal-$version.msi" "$version" --stub >/dev/null
    "$here/make-msi.sh" "$work/lojal-$next.msi" "$next" --stub >/dev/null
fi
step "mode $mode: built lojal-$version.msi ($(stat -c %s "$work/lojal-$version.msi") bytes) and lojal-$next.msi"

export WINEPREFIX="$work/prefix" WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml=,winemenubuilder.exe=d"
trap 'wineserver -k >/dev/null 2>&1 || true' EXIT
# The new prefix's first boot must be over before the install: while it runs,
# the service database is locked and StartServices fails (1060, then 1627).
wineboot --init >/dev/null 2>&1
wineserver -w
wineserver -p  # from here on the services outlive each wine command

health() { curl -s --max-time 2 "http://127.0.0.1:$port/v1/health" || true; }
wait_for() {  # wait_for DESCRIPTION COMMAND...: up to 30 s
    local what=$1
    shift
    for _ in $(seq 1 60); do
        if "$@"; then return 0; fi
        sleep 0.5
    done
    fail "timed out waiting for $what"
}
answers_version() { health | grep -q "\"version\":\"$1\""; }
# The version the service runs: what /v1/health says for the stub (its version
# is the package's); for lojald.exe (one build in both packages) the version
# the installer registered.
runs_version() {
    if [ "$mode" = stub ]; then answers_version "$1"; return; fi
    health | grep -q '"status":"ok"' &&
        wine reg query 'HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall' /s 2>/dev/null |
        tr -d '\r' | grep -q "DisplayVersion.*REG_SZ.*$1\$"
}
data="$WINEPREFIX/drive_c/ProgramData/Lojal"
receipt_id="msi-smoke-1"
api() {  # api METHOD PATH TOKEN [BODY]: prints the status code
    curl -s -o "$work/answer.json" -w '%{http_code}' --max-time 10 -X "$1" \
        -H "Authorization: Bearer $3" -H 'Content-Type: application/json' ${4:+--data-binary "$4"} \
        "http://127.0.0.1:$port$2"
}
token() { awk -v role="$1" '$1 == role { print $2 }' "$data/bootstrap-tokens"; }
receipt_kept() { [ "$(api GET "/v1/receipts/$receipt_id" "$(token admin)")" = 200 ]; }
port_closed() { ! curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; }
service_key() { wine reg query 'HKLM\System\CurrentControlSet\Services\lojald' 2>/dev/null | tr -d '\r'; }
service_gone() { ! service_key | grep -q ImagePath; }
event_source() { wine reg query 'HKLM\System\CurrentControlSet\Services\EventLog\Application\lojald' 2>/dev/null | tr -d '\r'; }

wine msiexec /i "$work/lojal-$version.msi" /qn /l*v "$work/install.log" || fail "install exited $?"
wait_for "the service to answer /v1/health" runs_version "$version"
service_key | grep -q 'ImagePath.*Lojal\\lojald.exe' || fail "service ImagePath: $(service_key)"
service_key | grep -q 'Start.*0x2' || fail "the service does not start at boot: $(service_key)"
step "installed $version: service lojald registered (auto start) and answering: $(health)"
event_source | grep -q 'EventMessageFile.*REG_SZ.*Lojal\\lojald.exe' ||
    fail "the event log source is not registered: $(event_source)"
event_source | grep -q 'CategoryCount.*0x8' || fail "event log categories: $(event_source)"
step "event log source lojald registered with lojald.exe as its message file"
installed="$WINEPREFIX/drive_c/Program Files/Lojal"
if [ -f "$dll_dir/lojal1.dll" ]; then
    for file in lojal1.dll lojal1.def liblojal1.dll.a lojal.h; do
        [ -f "$installed/$file" ] || fail "$file is not installed"
    done
    step "the POS library is installed: lojal1.dll, lojal1.def, liblojal1.dll.a, lojal.h"
else
    step "no build-windows/: the package is built without the POS library"
fi

if [ "$mode" = full ]; then
    [ -f "$data/lojald.ini" ] || fail "no configuration was made in ProgramData\\Lojal"
    [ -s "$data/bootstrap-tokens" ] || fail "no bootstrap tokens in ProgramData\\Lojal"
    body=$(sed "s/RECEIPT_ID/$receipt_id/" "$here/smoke-receipt.json")
    status=$(api POST /v1/receipts "$(token pos)" "$body")
    [ "$status" = 202 ] || fail "POST /v1/receipts answered $status: $(cat "$work/answer.json")"
    step "receipt $receipt_id stored (202) with the pos token of ProgramData\\Lojal\\bootstrap-tokens"
    pid=$(pgrep -f 'Lojal.lojald\.exe' | head -n 1)
    [ -n "$pid" ] || fail "no lojald.exe process"
    kill -9 "$pid"
    wait_for "the killed service's port to close" port_closed
    wine net start lojald >/dev/null 2>&1 || true
    wait_for "the service to start again" runs_version "$version"
    receipt_kept || fail "receipt $receipt_id lost after kill -9 and a start"
    step "killed (kill -9) and started again: receipt $receipt_id is still there"
    ctl=$(wine "C:\\Program Files\\Lojal\\lojalctl.exe" status 2>&1 | tr -d '\r' || true)
    echo "$ctl" | grep -q "$version" || fail "lojalctl.exe status: $ctl"
    step "lojalctl.exe status: $(echo "$ctl" | head -n 1)"
    echo "; edited by store IT" >>"$data/lojald.ini"
    grep -q 'starting with configuration C:\\ProgramData\\Lojal\\lojald.ini' "$data/lojald.log" ||
        fail "lojald.log does not show the ProgramData configuration"
    grep -q 'service recovery: restart after 5 s' "$data/lojald.log" || fail "no service recovery set"
    # Wine accepts ChangeServiceConfig2 for failure actions but keeps nothing:
    # only the call is checked here (on Windows: sc qfailure lojald).
    step "lojald.log in ProgramData\\Lojal; lojald set its service recovery (wine does not keep it)"
fi

wine msiexec /i "$work/lojal-$next.msi" /qn /l*v "$work/upgrade.log" || fail "upgrade exited $?"
wait_for "the upgraded service" runs_version "$next"
step "upgraded to $next: $(health)"
if [ "$mode" = full ]; then
    receipt_kept || fail "receipt $receipt_id lost in the upgrade"
    grep -q '^; edited by store IT' "$data/lojald.ini" || fail "the upgrade overwrote lojald.ini"
    step "the upgrade kept the database (receipt $receipt_id) and the edited lojald.ini"
fi

if wine msiexec /i "$work/lojal-$version.msi" /qn /l*v "$work/downgrade.log"; then
    fail "a downgrade to $version was accepted"
fi
runs_version "$next" || fail "the service changed after a refused downgrade"
step "downgrade to $version refused; $next still running"

wine net stop lojald >/dev/null 2>&1 || true
wait_for "the service to stop" port_closed
if [ "$mode" = full ]; then
    wait_for "lojald.log to say stopped" sh -c "tail -n 1 '$data/lojald.log' | grep -q 'Notice lojal: stopped'"
    step "net stop: lojald shut down in order (its log ends with 'stopped')"
fi
wine msiexec /x "$work/lojal-$next.msi" /qn /l*v "$work/uninstall.log" || fail "uninstall exited $?"
# Wine drops the key once the service's last handle is closed: a moment later.
wait_for "the service to be unregistered" service_gone
port_closed || fail "port $port still open after uninstall"
[ ! -e "$WINEPREFIX/drive_c/Program Files/Lojal/lojald.exe" ] || fail "lojald.exe left behind"
event_source | grep -q EventMessageFile && fail "the event log source outlived the package: $(event_source)"
step "uninstalled: service gone, port closed, program files and event log source removed"
if [ "$mode" = full ]; then
    [ -f "$data/lojal.db" ] && [ -f "$data/lojald.ini" ] || fail "uninstall removed the data"
    step "the data stays in ProgramData\\Lojal (lojal.db, lojald.ini), as docs/WINDOWS.md says"
fi
step "passed in $((SECONDS - started)) s"
wineserver -k >/dev/null 2>&1 || true
[ -n "$keep" ] || rm -rf "$work"
