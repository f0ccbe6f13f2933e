#!/usr/bin/env bash
# HTTP benchmark of lojald: wrk for 10 s against GET /v1/health and the
# authenticated GET /v1/whoami on loopback (keep-alive), then idle RSS.
# Prints figures; never fails a build on a slow result.
# Usage: tests/bench/http-bench.sh [path/to/lojald] [seconds]
set -euo pipefail
lojald=$(realpath "${1:-build/daemon/lojald}")
seconds=${2:-10}
connections=${CONNECTIONS:-64}
threads=${WRK_THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }

work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
token="bench-admin-token-0123456789abcdef"
cat >"$work/lojald.ini" <<INI
[server]
listen = 127.0.0.1:$port
[database]
path = $work/lojal.db
[log]
level = warning
[tokens]
bench = admin:$token
INI
"$lojald" --config "$work/lojald.ini" >"$work/lojald.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break
    python3 -c "import time; time.sleep(0.05)"
done

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
echo "lojald $("$lojald" --version | awk '{print $2}') on $(nproc) cores; wrk: $threads threads, $connections connections, ${seconds}s"
echo "idle RSS after start: $(rss_kib) KiB"

run() {
    local name=$1; shift
    local out
    out=$(wrk -t "$threads" -c "$connections" -d "${seconds}s" --latency "$@" "http://127.0.0.1:$port$name")
    local rps p50 p99 errors
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    errors=$(grep -E 'Non-2xx|Socket errors' <<<"$out" || true)
    printf '%-12s %10s req/s   p50 %8s   p99 %8s %s\n' "$name" "$rps" "$p50" "$p99" "${errors:+($errors)}"
}
run /v1/health
run /v1/whoami -H "Authorization: Bearer $token"
echo "RSS after load: $(rss_kib) KiB (threads stay in the pool until idle for 60 s)"
