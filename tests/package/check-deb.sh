#!/usr/bin/env bash
# Builds the .deb with CPack and checks what a Debian reviewer checks: contents,
# conffiles, maintainer scripts, lintian (no errors), the systemd unit
# (systemd-analyze verify and its offline security score) and that the shipped
# /etc/lojal/lojald.ini passes lojald's own validation.
set -euo pipefail
build_dir=$(cd "${1:?usage: check-deb.sh BUILD_DIR}" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

(cd "$build_dir" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/lojald_*.deb)
echo "package: $(basename "$deb") ($(stat -c %s "$deb") bytes)"

contents=$(dpkg-deb --contents "$deb")
for path in ./usr/bin/lojald ./etc/lojal/lojald.ini ./lib/systemd/system/lojald.service \
            ./usr/share/doc/lojald/copyright ./usr/share/doc/lojald/changelog.gz \
            ./usr/share/man/man8/lojald.8.gz ./usr/share/lojal/sms/signup.sv.txt \
            ./usr/share/lojal/sms/otp.fi.txt ./usr/bin/lojal-pos ./usr/lib/lojal/lojal-decode \
            ./usr/share/lojal/kiosk/index.html ./usr/share/lojal/kiosk/app.js ./usr/share/lojal/kiosk/i18n/fi.json \
            ./usr/share/lojal/kiosk-host/lojal-kiosk.service ./usr/share/lojal/kiosk-host/lojal-kiosk.json \
            ./usr/lib/x86_64-linux-gnu/liblojal.so.1.0.0 ./usr/lib/x86_64-linux-gnu/liblojal.so.1 \
            ./usr/lib/x86_64-linux-gnu/lojal/liblojal-tls.so ./usr/include/lojal/lojal.h ./usr/lib/x86_64-linux-gnu/pkgconfig/lojal.pc \
            ./usr/lib/x86_64-linux-gnu/cmake/Lojal/LojalConfig.cmake \
            ./usr/sbin/lojalctl ./usr/share/man/man8/lojalctl.8.gz; do
    if grep -qE " $path( -> .*)?\$" <<<"$contents"; then pass "contains $path"; else fail "missing $path"; fi
done

mkdir -p "$work/control"
dpkg-deb --control "$deb" "$work/control"
grep -qx /etc/lojal/lojald.ini "$work/control/conffiles" && pass "lojald.ini is a conffile" || fail "lojald.ini is not a conffile"
grep -qE '^-rw-r----- root/root .* \./etc/lojal/lojald\.ini$' <<<"$contents" \
    && pass "lojald.ini ships 0640 (it holds secrets)" || fail "lojald.ini is not 0640 in the package"
grep -q 'chgrp lojal "$config"' "$work/control/postinst" \
    && pass "postinst gives lojald.ini to group lojal" || fail "postinst leaves lojald.ini to root only"
grep -q 'lojalctl admin sha256:' "$work/control/postinst" && grep -q 'umask 077' "$work/control/postinst" \
    && pass "postinst makes lojalctl's admin token (secret root-only, hash in the tokens file)" \
    || fail "postinst makes no token for lojalctl"
grep -q 'rm -f /etc/lojal/tokens' "$work/control/postrm" \
    && pass "postrm purge removes the tokens" || fail "postrm purge leaves the tokens"
grep -q 'adduser --system' "$work/control/postinst" && grep -q 'lojal dialout' "$work/control/postinst" \
    && pass "postinst creates the lojal user in dialout" || fail "postinst does not create the user"
grep -q 'deb-systemd-helper' "$work/control/postinst" && grep -q 'deb-systemd-invoke' "$work/control/prerm" \
    && pass "maintainer scripts use deb-systemd-helper/-invoke" || fail "maintainer scripts lack deb-systemd-*"
if grep -E 'systemctl +(start|stop|restart|enable)' "$work/control/"*inst "$work/control/"*rm; then
    fail "maintainer scripts call systemctl directly"
fi
grep -q '^liblojal 1 lojald' "$work/control/shlibs" && grep -qx 'activate-noawait ldconfig' "$work/control/triggers" \
    && pass "shlibs names liblojal 1; the ldconfig trigger is set" || fail "no shlibs or ldconfig trigger for liblojal"
grep -q '^Depends:.*adduser' "$work/control/control" && pass "depends on adduser" || fail "no Depends: adduser"

if lintian --fail-on error --tag-display-limit 0 "$deb" >"$work/lintian.log" 2>&1; then
    pass "lintian: no errors"
else
    fail "lintian reports errors"
fi
grep -v 'running with root privileges' "$work/lintian.log" | sed 's/^/  lintian: /' || true

root="$work/root"
dpkg-deb -x "$deb" "$root"
unit="$work/lojald.service"
# Point ExecStart at the extracted binary so verify can check that it exists.
sed "s|/usr/bin/lojald|$root/usr/bin/lojald|" "$root/lib/systemd/system/lojald.service" >"$unit"
for key in 'Type=simple' 'ExecReload=/bin/kill -HUP $MAINPID' 'User=lojal' 'StateDirectory=lojal' 'NoNewPrivileges=yes' 'ProtectSystem=strict'; do
    grep -qx "$key" "$unit" && pass "unit has $key" || fail "unit lacks $key"
done
if systemd-analyze verify "$unit" >"$work/verify.log" 2>&1; then pass "systemd-analyze verify"; else cat "$work/verify.log"; fail "systemd-analyze verify"; fi
exposure=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | grep -o 'Overall exposure level for [^:]*: [0-9.]*' | grep -o '[0-9.]*$' || true)
echo "systemd exposure score: ${exposure:-unknown} (0 = locked down, 10 = exposed)"
if [ -n "$exposure" ] && awk "BEGIN{exit !($exposure < 3.0)}"; then pass "exposure below 3.0"; else fail "exposure ${exposure:-unknown} not below 3.0"; fi

# The shipped config names /usr/share/lojal/sms: point it into the scratch root.
sed "s|/usr/share/lojal/sms|$root/usr/share/lojal/sms|" "$root/etc/lojal/lojald.ini" >"$work/lojald.ini"
if "$root/usr/bin/lojald" --config "$work/lojald.ini" --check-config >"$work/check.log" 2>&1; then
    pass "shipped lojald.ini is valid"
else
    cat "$work/check.log"; fail "shipped lojald.ini is refused by lojald"
fi

if "$root/usr/sbin/lojalctl" check-config "$work/lojald.ini" >"$work/ctl.log" 2>&1; then
    pass "lojalctl check-config accepts the shipped lojald.ini"
else
    cat "$work/ctl.log"; fail "lojalctl check-config refuses the shipped lojald.ini"
fi

if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all package checks passed"
