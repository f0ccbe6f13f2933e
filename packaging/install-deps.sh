#!/usr/bin/env bash
# Installs the Debian packages of packaging/debian-packages.txt that are missing,
# for the purposes named on the command line (build, test, bench).
# Through sudo when not root; does nothing (and needs no network) when all are there.
set -euo pipefail
list="$(dirname "$0")/debian-packages.txt"
[ $# -gt 0 ] || set -- build

wanted=()
while read -r name purposes _; do
    case "$name" in ''|'#'*) continue ;; esac
    for purpose in "$@"; do
        if [[ ",$purposes," == *",$purpose,"* ]]; then wanted+=("$name"); break; fi
    done
done < "$list"

missing=()
for name in "${wanted[@]}"; do
    # NodeSource's nodejs bundles npm and conflicts with Debian's: an npm
    # command that works is enough.
    if [ "$name" = npm ] && command -v npm >/dev/null; then continue; fi
    status=$(dpkg-query -W -f='${db:Status-Status}' "$name" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$name")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing missing Debian packages: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
