#!/usr/bin/env bash
# The installer's life cycle under wine, with a stub service in place of
# lojald.exe (packaging/windows/stub/), so it needs no dependency prefix and CI
# runs it every time: install → the service is registered, set to start at
# boot, running, and answers GET /v1/health from Linux → a higher version
# installed over it (MajorUpgrade) runs the new exe → a lower one is refused →
# stop → uninstall removes the service and the program files.
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

# Two packages of the stub: this version and a higher one; with lojal1.dll and
# its files when build-windows/ has it.
dll_dir="$top/${WINDOWS_BUILD:-build-windows}/plugins/pos"
next="${version%.*}.$((${version##*.} + 1))"
build_msi() {  # build_msi VERSION
    local dir="$work/$1"
    mkdir -p "$dir/bin" "$dir/doc"
    x86_64-w64-mingw32-gcc-posix -O2 -Wall -Wextra -Werror -static -DSTUB_VERSION="\"$1\"" \
        "$here/stub/stub-service.c" -o "$dir/bin/lojald.exe" -lws2_32
    cp "$top/packaging/config/lojald.ini" "$dir/bin/lojald.ini.example"
    cp "$top/docs/WINDOWS.md" "$dir/doc/WINDOWS.md"
    local library=()
    if [ -f "$dll_dir/lojal1.dll" ]; then  # make test-windows built the POS library
        cp "$dll_dir/lojal1.dll" "$dll_dir/liblojal1.dll.a" "$dir/bin/"
        cp "$top/plugins/pos/src/lojal1.def" "$top/plugins/pos/include/lojal/lojal.h" "$dir/bin/"
        library=(-D WithLibrary=1)
    fi
    # wixl takes sources relative to the current folder only.
    # (wixl's GLib warnings about ignored attributes go to its log.)
    (cd "$dir" && wixl -a x64 -D Version="$1" -D BinDir=bin -D DocDir=doc "${library[@]}" \
        -o "$work/lojal-$1.msi" "$here/lojal.wxs" 2>"$dir/wixl.log") ||
        fail "wixl: $(grep -v GLib "$dir/wixl.log")"
}
build_msi "$version"
build_msi "$next"
step "built lojal-$version.msi ($(stat -c %s "$work/lojal-$version.msi") bytes) and lojal-$next.msi"

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
port_closed() { ! curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$port/"; }
service_key() { wine reg query 'HKLM\System\CurrentControlSet\Services\lojald' 2>/dev/null | tr -d '\r'; }
service_gone() { ! service_key | grep -q ImagePath; }

wine msiexec /i "$work/lojal-$version.msi" /qn /l*v "$work/install.log" || fail "install exited $?"
wait_for "the service to answer /v1/health" answers_version "$version"
service_key | grep -q 'ImagePath.*Lojal\\lojald.exe' || fail "service ImagePath: $(service_key)"
service_key | grep -q 'Start.*0x2' || fail "the service does not start at boot: $(service_key)"
step "installed $version: service lojald registered (auto start) and answering: $(health)"
installed="$WINEPREFIX/drive_c/Program Files/Lojal"
if [ -f "$dll_dir/lojal1.dll" ]; then
    for file in lojal1.dll lojal1.def liblojal1.dll.a lojal.h; do
        [ -f "$installed/$file" ] || fail "$file is not installed"
    done
    step "the POS library is installed: lojal1.dll, lojal1.def, liblojal1.dll.a, lojal.h"
else
    step "no build-windows/: the package is built without the POS library"
fi

wine msiexec /i "$work/lojal-$next.msi" /qn /l*v "$work/upgrade.log" || fail "upgrade exited $?"
wait_for "the upgraded service" answers_version "$next"
step "upgraded to $next: $(health)"

if wine msiexec /i "$work/lojal-$version.msi" /qn /l*v "$work/downgrade.log"; then
    fail "a downgrade to $version was accepted"
fi
answers_version "$next" || fail "the service changed after a refused downgrade"
step "downgrade to $version refused; $next still running"

wine net stop lojald >/dev/null 2>&1 || true
wait_for "the service to stop" port_closed
wine msiexec /x "$work/lojal-$next.msi" /qn /l*v "$work/uninstall.log" || fail "uninstall exited $?"
# Wine drops the key once the service's last handle is closed: a moment later.
wait_for "the service to be unregistered" service_gone
port_closed || fail "port $port still open after uninstall"
[ ! -e "$WINEPREFIX/drive_c/Program Files/Lojal/lojald.exe" ] || fail "lojald.exe left behind"
step "uninstalled: service gone, port closed, program files removed"
step "passed in $((SECONDS - started)) s"
wineserver -k >/dev/null 2>&1 || true
[ -n "$keep" ] || rm -rf "$work"
