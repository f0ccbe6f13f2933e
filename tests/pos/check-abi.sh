#!/usr/bin/env bash
# The ABI gate of liblojal.so.1: its exported symbols are exactly the committed
# list (plugins/pos/abi/liblojal.so.1.symbols) and the header's functions, and
# abidiff finds no change against the committed baseline
# (plugins/pos/abi/liblojal.so.1.abi, from the library's debug information).
# A baseline without types would let every change pass, so that fails too.
# After an intended, compatible addition (a new version node in
# src/lojal.map): tests/pos/check-abi.sh LIBRARY --update, and commit both files.
set -euo pipefail
lib=${1:?usage: check-abi.sh LIBRARY [--update]}
pos=$(cd "$(dirname "$0")/../../plugins/pos" && pwd)
baseline=$pos/abi/liblojal.so.1.abi
symbols=$pos/abi/liblojal.so.1.symbols
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

dump() {
    abidw --headers-dir "$pos/include" --drop-private-types --exported-interfaces-only \
          --no-corpus-path --no-comp-dir-path --short-locs --out-file "$1" "$lib"
}
exported() { nm -D --defined-only --with-symbol-versions "$lib" | awk '$2 == "T" { print $3 }' | sort; }

if [ "${2:-}" = --update ]; then
    dump "$baseline"
    exported >"$symbols"
    echo "wrote $baseline and $symbols"
    exit 0
fi

soname=$(objdump -p "$lib" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = liblojal.so.1 ] && pass "SONAME liblojal.so.1" || fail "SONAME is '$soname'"

if diff -u "$symbols" <(exported) >"$work/symbols.diff"; then
    pass "exported symbols ($(wc -l <"$symbols")) match the committed list, all in LOJAL_1.0"
else
    cat "$work/symbols.diff"; fail "exported symbols differ from $symbols"
fi
tr '\n' ' ' <"$pos/include/lojal/lojal.h" | grep -oE 'LOJAL_CALL[[:space:]]+\**[[:space:]]*lojal_[a-z_]+\(' |
    sed -E 's/.*(lojal_[a-z_]+)\($/\1/' | sort >"$work/header"
sed 's/@.*//' "$symbols" | sort >"$work/listed"
if diff -u "$work/header" "$work/listed" >"$work/header.diff"; then
    pass "every function of lojal.h is exported, and nothing else"
else
    cat "$work/header.diff"; fail "lojal.h and the exported symbols differ"
fi

functions=$(grep -c '<function-decl' "$baseline" || true)
enums=$(grep -c "<enum-decl name='lojal_" "$baseline" || true)
if [ "$functions" -ge 20 ] && [ "$enums" -ge 3 ]; then
    pass "the baseline holds types: $functions functions, $enums lojal enums"
else
    fail "the baseline holds $functions functions and $enums lojal enums: it was made without debug information"
fi

dump "$work/current.abi"
status=0
abidiff "$baseline" "$work/current.abi" >"$work/abidiff.log" 2>&1 || status=$?
if [ "$status" -eq 0 ]; then
    pass "abidiff: no change against the baseline"
else
    cat "$work/abidiff.log"
    # Bits: 1 error, 2 usage, 4 change, 8 incompatible change.
    fail "abidiff exit $status against the baseline (8 = incompatible; 4 = a change: add a version node and --update)"
fi

# The gate itself: the baseline without one of its functions must be refused.
awk '/<elf-symbol name=.lojal_cancel./ { next }
     /<function-decl name=.lojal_cancel./ { skip = 1 } !skip { print } skip && /<\/function-decl>/ { skip = 0 }' \
    "$baseline" >"$work/removed.abi"
status=0
abidiff "$baseline" "$work/removed.abi" >/dev/null 2>&1 || status=$?
if [ $((status & 8)) -ne 0 ]; then pass "a removed function is an incompatible change (abidiff exit $status)"; else fail "abidiff did not flag a removed function (exit $status)"; fi

[ "$failures" -eq 0 ] && echo "ABI gate passed" || { echo "$failures ABI check(s) failed"; exit 1; }
