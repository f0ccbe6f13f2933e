#!/usr/bin/env bash
# Windows figures beside Linux ones on the same machine (make bench-windows;
# for orientation only: wine is not Windows). Needs build-windows/ (make msi or
# make test-windows) and build/. Prints:
#  - the dependency prefix: the cold build's time (each step's, as build-deps.sh
#    logged it when it built the prefix) and a warm run's;
#  - the size of lojal.msi and of what is in it;
#  - idle RSS after start, and GET /v1/health requests/s (wrk, keep-alive) of
#    lojald.exe under wine and of the Linux lojald, with their ratio.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/smoke-lib.sh"
linux_lojald="$top/${BUILD:-build}/daemon/lojald"
windows_build="$top/${WINDOWS_BUILD:-build-windows}"
seconds=${SECONDS_PER_RUN:-5}
connections=${CONNECTIONS:-16}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
[ -f "$windows_build/daemon/lojald.exe" ] || { echo "no $windows_build/daemon/lojald.exe: make msi first"; exit 1; }

started=$SECONDS
prefix=$("$here/build-deps.sh" | tail -n 1)
warm=$((SECONDS - started))
# Each step's stamp holds its seconds; stamps of an older build-deps.sh are
# empty, and then their times tell (the first step's own time is not counted).
stamps="$(dirname "$prefix")/stamps"
cold=$(cat "$stamps"/* | awk '{ s += $1 } END { print s + 0 }')
if [ "$cold" = 0 ]; then
    cold=$(($(stat -c %Y "$stamps"/* | sort -n | tail -n 1) - $(stat -c %Y "$stamps"/* | sort -n | head -n 1)))
    cold="$cold s (from the stamps' times, without the download)"
else
    cold="$cold s"
fi
echo "dependency prefix: cold build ${cold}, warm run ${warm} s"

work=$(mktemp -d /tmp/lojal-winbench.XXXXXX)
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=,winemenubuilder.exe=d"
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT
wineboot --init >/dev/null 2>&1
wineserver -w

"$here/make-msi.sh" "$work/lojal.msi" >/dev/null
echo "lojal.msi: $(stat -c %s "$work/lojal.msi") bytes; lojald.exe $(stat -c %s "$windows_build/daemon/lojald.exe") bytes unstripped," \
    "lojal1.dll $(stat -c %s "$windows_build/plugins/pos/lojal1.dll") bytes"

token="bench-admin-token-0123456789abcdef"
start() {  # start NAME COMMAND...: sets port; the daemon's pid is the last in pids
    local name=$1
    shift
    port=$(free_port)
    mkdir -p "$work/$name"
    minimal_config "$port" "$work/$name/lojal.db" >"$work/$name/lojald.ini"
    cat >>"$work/$name/lojald.ini" <<INI
[log]
level = warning
[tokens]
bench = admin:$token
INI
    "$@" --config "$work/$name/lojald.ini" >"$work/$name/log" 2>&1 &
    pids+=($!)
    for _ in $(seq 200); do
        curl -fs "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break
        sleep 0.1
    done
    curl -fs "http://127.0.0.1:$port/v1/health" >/dev/null || { echo "$name did not start: $(cat "$work/$name/log")"; exit 1; }
}
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
rps() {
    wrk -t 2 -c "$connections" -d "${seconds}s" "http://127.0.0.1:$1/v1/health" | awk '/^Requests\/sec/ {print $2}'
}

start linux "$linux_lojald"
linux_port=$port
linux_pid=${pids[-1]}
start windows wine "$windows_build/daemon/lojald.exe"
windows_port=$port
# The Linux process that runs lojald.exe (wine's loader execs it).
windows_pid=$(pgrep -f 'daemon/lojald\.exe --config' | head -n 1)
sleep 1  # both settle after start (start-up allocations freed)
linux_rss=$(rss_kib "$linux_pid")
windows_rss=$(rss_kib "$windows_pid")
linux_rps=$(rps "$linux_port")
windows_rps=$(rps "$windows_port")
printf '%-26s %12s %12s %8s\n' "" "Linux" "wine" "ratio"
printf '%-26s %12s %12s %8s\n' "idle RSS after start (KiB)" "$linux_rss" "$windows_rss" \
    "$(awk -v a="$windows_rss" -v b="$linux_rss" 'BEGIN { printf "%.2f", a / b }')"
printf '%-26s %12s %12s %8s\n' "GET /v1/health req/s" "$linux_rps" "$windows_rps" \
    "$(awk -v a="$windows_rps" -v b="$linux_rps" 'BEGIN { printf "%.2f", a / b }')"
echo "(wrk: 2 threads, $connections connections, ${seconds} s each, keep-alive; $(nproc) cores;" \
    "wine's RSS is lojald.exe's process and not wineserver's)"
