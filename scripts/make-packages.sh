#!/usr/bin/env bash
# OpenWrt packages of the router build, without the SDK: for each router target, an .ipk for
# OpenWrt 24.10 (opkg) and an .apk for 25.12 and later (apk-tools 3), with the init script,
# the UCI config and Tstat's configuration files, OpenWrt's default postinst/prerm (enable
# the service, stop it on removal) and the files opkg and apk keep on upgrade. Packages and
# their sha256 sums go into one folder.
#
#   scripts/make-packages.sh [OUTDIR] [RELEASE]      (default target/packages, release 1)
#
# Layout: OUTDIR/<openwrt arch>/tstat_<ver>-r<N>_<arch>.ipk and tstat-<ver>-r<N>.apk (the
# names opkg and apk feeds use), OUTDIR/sha256sums. ARCHS="mipsel_24kc ..." limits the
# architectures.
# The binaries are the router builds .ci/cross makes (target/<rust target>/release-small/
# tstat, statically linked: libpcap inside); a missing one is built here the same way.
# The packaging tools (apk, opkg-cl) come from ../shared/tools/openwrt-pkgtools, built once
# into target/pkgtools. scripts/test-packages.sh installs, upgrades and removes them.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/target/packages}
release=${2:-1}
tools=$here/target/pkgtools
[ -x "$tools/bin/apk" ] || "$here/../shared/tools/openwrt-pkgtools/build-tools.sh" "$tools" >/dev/null
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/Cargo.toml" | head -1)
full="$version-r$release"
mkdir -p "$out"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# Rust target → OpenWrt architecture (the usual targets of each family: ramips/ath79
# MIPS 24Kc, ARMv7 Cortex-A7 with NEON, ARMv8 Cortex-A53).
targets=(
  "mipsel-unknown-linux-musl mipsel_24kc"
  "mips-unknown-linux-musl mips_24kc"
  "armv7-unknown-linux-musleabihf arm_cortex-a7_neon-vfpv4"
  "aarch64-unknown-linux-musl aarch64_cortex-a53"
)

# The router build of tstat, or (NAME log_sync) log_sync with the log-sync feature.
router_binary() {
  local t=$1 name=${2:-tstat} bin=$here/target/$1/release-small/${2:-tstat} features=router
  [ "$name" = log_sync ] && features=log-sync
  if [ ! -x "$bin" ]; then
    "$here/.ci/cross-sysroot" "$t" >&2
    (
      # shellcheck source=.ci/cross-env
      source "$here/.ci/cross-env"
      cross_env "$t"
      cd "$here" && nice -n 10 cargo build --locked --quiet "${BUILD_STD[@]}" --target "$t" \
        --profile release-small --no-default-features --features "$features" --bin "$name" >&2
    )
  fi
  echo "$bin"
}

# OpenWrt's default maintainer scripts (include/package-pack.mk): nothing runs when
# installing into an image root without functions.sh.
# shellcheck disable=SC2016 # the scripts expand their variables when they run
postinst='#!/bin/sh
[ "${IPKG_NO_SCRIPT}" = "1" ] && exit 0
[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. ${IPKG_INSTROOT}/lib/functions.sh
default_postinst $0 $@
'
# shellcheck disable=SC2016
prerm='#!/bin/sh
[ -s ${IPKG_INSTROOT}/lib/functions.sh ] || exit 0
. ${IPKG_INSTROOT}/lib/functions.sh
default_prerm $0 $@
'
conffiles='/etc/config/tstat
/etc/tstat/globals.conf
/etc/tstat/net.private
'
describe() {
  case $1 in
    tstat) echo "Passive traffic analyzer, output-compatible with Tstat 3.2.1: per-flow logs, histograms and RRD databases of the traffic it sees" ;;
    *) echo "log_sync for tstat: ships closed log folders and live rows to a collector (Noise-encrypted); the tstat init script starts it when log_sync_upstream is set" ;;
  esac
}

# The installed files of the tstat package.
stage_root() {
  local root=$1 bin=$2
  install -d "$root/usr/bin" "$root/etc/init.d" "$root/etc/config" "$root/etc/tstat"
  install -m 0755 "$bin" "$root/usr/bin/tstat"
  install -m 0755 "$here/openwrt-package/files/tstat.init" "$root/etc/init.d/tstat"
  install -m 0600 "$here/openwrt-package/files/tstat.config" "$root/etc/config/tstat"
  install -m 0644 "$here/openwrt-package/files/net.private" "$root/etc/tstat/net.private"
  install -m 0644 "$here/conf/router-globals.conf" "$root/etc/tstat/globals.conf"
}

# A gzipped tar of DIR's content with OpenWrt's ownership, reproducible.
tar_gz() {
  (cd "$1" && tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - .) | gzip -n -9
}

make_ipk() {
  local root=$1 arch=$2 dest=$3 name=${4:-tstat} ctl=$work/control size
  rm -rf "$ctl"; mkdir -p "$ctl"
  size=$(du -sb "$root" | cut -f1)
  cat >"$ctl/control" <<EOF
Package: $name
Version: $full
Depends: libc
Source: openwrt-package
SourceName: tstat
License: GPL-2.0-or-later
Section: net
SourceDateEpoch: 0
Architecture: $arch
Installed-Size: $size
Description:  $(describe "$name")
EOF
  if [ "$name" = tstat ]; then
    printf '%s' "$conffiles" >"$ctl/conffiles"
    printf '%s' "$postinst" >"$ctl/postinst"
    printf '%s' "$prerm" >"$ctl/prerm"
    chmod 0755 "$ctl/postinst" "$ctl/prerm"
  fi
  local pkg=$work/ipk; rm -rf "$pkg"; mkdir -p "$pkg"
  echo "2.0" >"$pkg/debian-binary"
  tar_gz "$ctl" >"$pkg/control.tar.gz"
  tar_gz "$root" >"$pkg/data.tar.gz"
  (cd "$pkg" && tar --owner=0 --group=0 --numeric-owner --mtime=@0 -cf - ./debian-binary ./data.tar.gz ./control.tar.gz) | gzip -n -9 >"$dest"
}

make_apk() {
  local root=$1 arch=$2 dest=$3 name=${4:-tstat} scripts=()
  if [ "$name" = tstat ]; then
    # OpenWrt's apk packages list their conffiles here, for its sysupgrade and postinst.
    install -d "$root/lib/apk/packages"
    printf '%s' "$conffiles" >"$root/lib/apk/packages/tstat.conffiles"
    printf '%s' "$postinst" >"$work/post-install"
    printf '%s' "$prerm" >"$work/pre-deinstall"
    scripts=(-s "post-install:$work/post-install" -s "pre-deinstall:$work/pre-deinstall")
  fi
  "$tools/bin/apk" mkpkg \
    -I "name:$name" -I "version:$full" -I "arch:$arch" -I "license:GPL-2.0-or-later" \
    -I "description:$(describe "$name")" -I "origin:tstat" -I "depends:libc" \
    "${scripts[@]}" -F "$root" -o "$dest"
}

for pair in "${targets[@]}"; do
  read -r t arch <<<"$pair"
  case " ${ARCHS:-$arch} " in *" $arch "*) ;; *) continue ;; esac
  bin=$(router_binary "$t")
  root=$work/root-$arch; rm -rf "$root"
  stage_root "$root" "$bin"
  mkdir -p "$out/$arch"
  make_ipk "$root" "$arch" "$out/$arch/tstat_${full}_${arch}.ipk"
  make_apk "$root" "$arch" "$out/$arch/tstat-${full}.apk"
  sync_root=$work/sync-$arch; rm -rf "$sync_root"
  install -d "$sync_root/usr/bin"
  install -m 0755 "$(router_binary "$t" log_sync)" "$sync_root/usr/bin/log_sync"
  make_ipk "$sync_root" "$arch" "$out/$arch/tstat-logsync_${full}_${arch}.ipk" tstat-logsync
  make_apk "$sync_root" "$arch" "$out/$arch/tstat-logsync-${full}.apk" tstat-logsync
done
(cd "$out" && find . -name '*.ipk' -o -name '*.apk' | sort | xargs sha256sum >sha256sums)
find "$out" -type f | sort | xargs ls -l
