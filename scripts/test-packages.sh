#!/usr/bin/env bash
# Install tests of the OpenWrt packages scripts/make-packages.sh makes, with the real tools
# (opkg of OpenWrt 24.10, apk-tools 3 of 25.12) into offline roots, for each architecture:
#   - install beside a stand-in libc package, list the files;
#   - the postinst calls OpenWrt's default_postinst (a stand-in /lib/functions.sh records it:
#     the real one enables the init script);
#   - upgrade to the next release over a changed /etc/config/tstat, which is kept;
#   - the installed binary runs under qemu-user and analyses the sample trace;
#   - the installed init script's UCI translation (openwrt-package/test-init.sh);
#   - remove: the binary and the init script are gone.
# Prints one line per check; exits 1 if any fails.
#
#   scripts/test-packages.sh [PACKAGES]      (default target/packages; makes them if missing)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pkgs=${1:-$here/target/packages}
tools=$here/target/pkgtools
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
[ -f "$pkgs/sha256sums" ] || "$here/scripts/make-packages.sh" "$pkgs" >/dev/null
# The next release, to upgrade to.
ARCHS="$(find "$pkgs" -mindepth 1 -maxdepth 1 -type d -printf '%f ')" "$here/scripts/make-packages.sh" "$work/next" 2 >/dev/null
(cd "$pkgs" && sha256sum -c --quiet sha256sums)
passed=0 failed=0
check() { # WHAT COMMAND...
  local what=$1; shift
  if "$@" >"$work/last" 2>&1; then
    passed=$((passed + 1)); echo "ok   $what"
  else
    failed=$((failed + 1)); echo "FAIL $what"; sed 's/^/     /' "$work/last" | tail -5
  fi
}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/Cargo.toml" | head -1)

qemu_for() {
  case $1 in
    mipsel_*) echo qemu-mipsel-static ;;
    mips_*) echo qemu-mips-static ;;
    arm_*) echo qemu-arm-static ;;
    aarch64_*) echo qemu-aarch64-static ;;
  esac
}

# A root with OpenWrt's dpkg-less layout and a stand-in /lib/functions.sh.
new_root() {
  local r=$1
  mkdir -p "$r/var/lock" "$r/lib" "$r/etc/config"
  cat >"$r/lib/functions.sh" <<'EOF'
default_postinst() { echo "default_postinst $*" >>"${IPKG_INSTROOT}/postinst.log"; }
default_prerm() { echo "default_prerm $*" >>"${IPKG_INSTROOT}/prerm.log"; }
EOF
}

# The stand-in libc: an empty package of that name.
libc_ipk() {
  local arch=$1 d=$work/libc-ipk
  rm -rf "$d"; mkdir -p "$d/ctl" "$d/data" "$d/pkg"
  printf 'Package: libc\nVersion: 1.2.5-r4\nArchitecture: %s\nDescription: stand-in\n' "$arch" >"$d/ctl/control"
  (cd "$d/ctl" && tar -czf "$d/pkg/control.tar.gz" .)
  (cd "$d/data" && tar -czf "$d/pkg/data.tar.gz" .)
  echo 2.0 >"$d/pkg/debian-binary"
  (cd "$d/pkg" && tar -czf "$work/libc_$arch.ipk" ./debian-binary ./data.tar.gz ./control.tar.gz)
  echo "$work/libc_$arch.ipk"
}

libc_apk() {
  local arch=$1
  mkdir -p "$work/empty"
  "$tools/bin/apk" mkpkg -I name:libc -I version:1.2.5-r4 -I "arch:$arch" -I description:stand-in \
    -F "$work/empty" -o "$work/libc_$arch.apk"
  echo "$work/libc_$arch.apk"
}

runs_sample() { # ROOT ARCH
  local q; q=$(qemu_for "$2")
  rm -rf "$work/run"
  "$q" "$1/usr/bin/tstat" -s "$work/run" "$here/tests/data/sample.pcap" >/dev/null 2>&1
  # The sample trace: 4 complete TCP connections (tests/sample_trace.rs).
  [ "$(grep -vc '^#' "$work"/run/*/log_tcp_complete)" = 4 ]
}

config_changed() { grep -q "changed by the test" "$1/etc/config/tstat"; }

test_opkg() {
  local arch=$1 r=$work/opkg-$1 opkg=("$tools/bin/opkg-cl" -o "$work/opkg-$1" --add-arch all:1 --add-arch "$1:100")
  local ipk=$pkgs/$arch/tstat_${version}-r1_${arch}.ipk next=$work/next/$arch/tstat_${version}-r2_${arch}.ipk
  new_root "$r"
  export IPKG_INSTROOT=$r
  check "$arch opkg: install" "${opkg[@]}" --force-postinstall install "$(libc_ipk "$arch")" "$ipk"
  check "$arch opkg: listed" grep -q "tstat - ${version}-r1" <("${opkg[@]}" list-installed)
  check "$arch opkg: files" grep -q /usr/bin/tstat <("${opkg[@]}" files tstat)
  check "$arch opkg: postinst ran default_postinst" grep -q default_postinst "$r/postinst.log"
  check "$arch opkg: the binary runs (qemu) on the sample trace" runs_sample "$r" "$arch"
  check "$arch opkg: UCI translation of the installed init script" \
    env TSTAT_INIT="$r/etc/init.d/tstat" TSTAT_UCI="$r/etc/config/tstat" sh "$here/openwrt-package/test-init.sh"
  echo "# changed by the test" >>"$r/etc/config/tstat"
  check "$arch opkg: upgrade" "${opkg[@]}" --force-postinstall install "$next"
  check "$arch opkg: upgraded" grep -q "tstat - ${version}-r2" <("${opkg[@]}" list-installed)
  check "$arch opkg: changed /etc/config/tstat kept" config_changed "$r"
  check "$arch opkg: remove" "${opkg[@]}" remove tstat
  check "$arch opkg: binary and init script gone" test ! -e "$r/usr/bin/tstat" -a ! -e "$r/etc/init.d/tstat"
  unset IPKG_INSTROOT
}

test_apk() {
  local arch=$1 r=$work/apk-$1
  local apk=("$tools/bin/apk" --root "$work/apk-$1" --allow-untrusted --no-network --arch "$1")
  # apk runs maintainer scripts chrooted into the root, which has no /bin/sh of its own here.
  local pkg=$pkgs/$arch/tstat-${version}-r1.apk next=$work/next/$arch/tstat-${version}-r2.apk
  new_root "$r"
  check "$arch apk: install" "${apk[@]}" --no-scripts --initdb add "$(libc_apk "$arch")" "$pkg"
  check "$arch apk: listed" grep -q "^tstat-${version}-r1 " <("${apk[@]}" list --installed)
  check "$arch apk: files" grep -q usr/bin/tstat <("${apk[@]}" info -L tstat)
  check "$arch apk: its post-install calls default_postinst" \
    grep -q default_postinst <("$tools/bin/apk" adbdump "$pkg")
  check "$arch apk: the binary runs (qemu) on the sample trace" runs_sample "$r" "$arch"
  echo "# changed by the test" >>"$r/etc/config/tstat"
  check "$arch apk: upgrade" "${apk[@]}" --no-scripts add "$next"
  check "$arch apk: upgraded" grep -q "^tstat-${version}-r2 " <("${apk[@]}" list --installed)
  check "$arch apk: changed /etc/config/tstat kept" config_changed "$r"
  check "$arch apk: remove" "${apk[@]}" --no-scripts del tstat
  check "$arch apk: binary and init script gone" test ! -e "$r/usr/bin/tstat" -a ! -e "$r/etc/init.d/tstat"
}

log_sync_runs() { # ROOT ARCH
  local help
  help=$("$(qemu_for "$2")" "$1/usr/bin/log_sync" --help 2>&1)
  [[ $help == *"Ship tstat's log folders to a collector"* ]]
}

test_logsync() {
  local arch=$1 r=$work/sync-$1 opkg=("$tools/bin/opkg-cl" -o "$work/sync-$1" --add-arch all:1 --add-arch "$1:100")
  new_root "$r"
  check "$arch opkg: tstat-logsync install" "${opkg[@]}" install "$(libc_ipk "$arch")" \
    "$pkgs/$arch/tstat-logsync_${version}-r1_${arch}.ipk"
  check "$arch opkg: log_sync runs (qemu)" log_sync_runs "$r" "$arch"
  check "$arch opkg: tstat-logsync remove" "${opkg[@]}" remove tstat-logsync
  r=$work/sync-apk-$1
  new_root "$r"
  check "$arch apk: tstat-logsync install" "$tools/bin/apk" --root "$r" --allow-untrusted --no-network \
    --arch "$arch" --no-scripts --initdb add "$(libc_apk "$arch")" "$pkgs/$arch/tstat-logsync-${version}-r1.apk"
  check "$arch apk: log_sync runs (qemu)" log_sync_runs "$r" "$arch"
}

for d in "$pkgs"/*/; do
  arch=$(basename "$d")
  test_opkg "$arch"
  test_apk "$arch"
  test_logsync "$arch"
done
echo "packages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
