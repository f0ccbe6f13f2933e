#!/usr/bin/env bash
# The kiosk's browser tests (ctest: kiosk_browser): installs the pinned npm
# packages from package-lock.json when they are missing or stale, then runs
# `node --test` with Debian's chromium against the lojald given.
#   run.sh LOJALD SCREENSHOT_DIR BARCODE_IMAGE SCANNER_SIM
#   run.sh --bench LOJALD BARCODE_IMAGE        (make bench: bench.mjs)
set -euo pipefail
# Paths given relative to the caller's directory (make bench passes build/...)
# are made absolute before this script changes into its own folder.
args=()
for a in "$@"; do
    if [ "$a" != --bench ]; then a=$(realpath -m "$a"); fi
    args+=("$a")
done
set -- "${args[@]}"
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
stamp=node_modules/.lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
    npm ci --no-audit --no-fund --loglevel=error
    cp package-lock.json "$stamp"
fi
command -v "${CHROMIUM:-/usr/bin/chromium}" >/dev/null || { echo "chromium is missing (make deps)"; exit 1; }
if [ "$1" = --bench ]; then
    exec node bench.mjs "$2" "$3"
fi
LOJALD="$1" KIOSK_SCREENSHOTS="$2" BARCODE_IMAGE="$3" SCANNER_SIM="$4" exec node --test --test-concurrency=1 --test-reporter=spec
