#!/usr/bin/env bash
# Debian's own rrdtool for a foreign architecture, run under qemu-user: the reference for
# the byte layout of .rrd files on other ABIs (32-bit ARM with 64-bit time_t, big-endian
# s390x, arm64). Builds, once, a private apt tree with that architecture's rrdtool and the
# libraries it loads, without touching the system's dpkg (no dpkg --add-architecture, no
# /var/lib/dpkg, no /etc/apt change: apt runs on lists, cache and an empty status file of its
# own, and the .debs are unpacked with dpkg-deb -x), then prints the command prefix that
# runs it, on one line, with absolute paths, e.g.
#   env QEMU_LD_PREFIX=/work/main/target/xapt/armhf-trixie/root /usr/bin/qemu-arm /work/main/target/xapt/armhf-trixie/root/usr/bin/rrdtool
# (`env` first, so that the line can be split on spaces and executed without a shell).
#
#   scripts/foreign-rrdtool.sh ARCH SUITE              prints the prefix
#   scripts/foreign-rrdtool.sh ARCH SUITE ARGS...      runs that rrdtool with ARGS instead
#
#   ARCH:  Debian architecture: armhf, arm64, s390x (also armel, i386, ppc64el, riscv64,
#          mips64el, amd64)      SUITE: bookworm, trixie, ... (Debian main)
#
# Cache: target/xapt/ARCH-SUITE beside this script's checkout (not $CARGO_TARGET_DIR, so
# `cargo clean` with another target dir keeps it; $XAPT_DIR overrides the target/xapt part).
# A tree is used only once it passed its self-check (file "ready"); concurrent callers wait
# on a lock. Idempotent: a ready tree costs nothing, not even network.
# Download kept small: the package set is apt's own resolution of rrdtool
# (--no-install-recommends) less what the commands rrdtool create/update/info/fetch/dump/
# last/first/tune/restore never read: fonts, fontconfig's binaries and configuration,
# debconf, the X11 locale data and Thai dictionary (libthai-data), gcc-*-base (docs only).
# The libraries stay: librrd's ELF needs cairo, pango, glib, libxml2... at load time. So
# `rrdtool graph` may not work (no fonts), everything else does; the self-check runs
# create, update, info, fetch, dump, restore and last.
# Set LC_ALL=C for byte-stable text output (rrdtool dump/fetch honour LC_NUMERIC); the host's
# locale files are not readable by every foreign libc.
#
# qemu: qemu-ARCH-static (qemu-user-static) if present, else qemu-ARCH (qemu-user); if
# neither is, qemu-user-static is installed. No binfmt_misc registration is needed.
#
# Exit codes: 0 success (or rrdtool's own exit code when ARGS are given); 1 setup failed
# (apt, download, unpack, qemu missing, or the self-check); 2 usage error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
me=foreign-rrdtool.sh

usage() {
  sed -n '/^#   scripts/p; /^#   ARCH:/,/^#          mips64el/p' "${BASH_SOURCE[0]}" | sed 's/^#   //' >&2
  exit 2
}
die() {
  echo "$me: $*" >&2
  exit 1
}

[ $# -ge 2 ] || usage
arch=$1 suite=$2
shift 2
[[ $arch =~ ^[a-z0-9]+$ && $suite =~ ^[a-z0-9-]+$ ]] || usage

case $arch in
  armhf | armel) q=arm ;;
  arm64) q=aarch64 ;;
  s390x) q=s390x ;;
  i386) q=i386 ;;
  amd64) q=x86_64 ;;
  ppc64el) q=ppc64le ;;
  riscv64) q=riscv64 ;;
  mips64el) q=mips64el ;;
  *) echo "$me: unknown architecture $arch" >&2; usage ;;
esac

qemu_bin() {
  command -v "qemu-$q-static" || command -v "qemu-$q"
}
qemu=$(qemu_bin) || {
  "$here/ensure-debian-packages.sh" qemu-user-static || die "qemu-user-static missing"
  qemu=$(qemu_bin) || die "no qemu-$q(-static) after installing qemu-user-static"
}

base=${XAPT_DIR:-$(cd "$here/.." && pwd)/target/xapt}
d=$base/$arch-$suite
prefix="env QEMU_LD_PREFIX=$d/root $qemu $d/root/usr/bin/rrdtool"

# Packages of apt's resolution that rrdtool's non-graph commands never read (see above).
excluded() {
  case $1 in
    fonts-* | fontconfig | fontconfig-config | debconf | cdebconf | libx11-data | libthai-data | \
      gcc-*-base | x11-common | sysvinit-utils | lsb-base | readline-common | xfonts-* | \
      libdebian-installer* | libnewt* | libslang* | libtextwrap* | libfontenc* | tzdata | \
      perl-base | coreutils | dpkg | tar | bash | base-files | libc-bin | debianutils | mawk)
      return 0 ;;
  esac
  return 1
}

# create, update, fetch, dump, restore, info, last on the tree in $1; prints nothing, fails
# loudly.
selfcheck() {
  local root=$1 t
  t=$(mktemp -d)
  (
    cd "$t"
    run() { LC_ALL=C QEMU_LD_PREFIX=$root "$qemu" "$root/usr/bin/rrdtool" "$@"; }
    run create x.rrd --step 300 --start 1000000000 DS:a:GAUGE:600:U:U RRA:AVERAGE:0.5:1:600
    run update x.rrd 1000000300:1 1000000600:2 1000000900:3
    [ "$(run last x.rrd)" = 1000000900 ]
    run info x.rrd | grep -q '^ds\[a\].type = "GAUGE"'
    run fetch x.rrd AVERAGE --start 1000000300 --end 1000000900 | grep -q '^1000000600: 2.0000000000e+00'
    run dump x.rrd >x.xml
    grep -q '<v>3.0000000000e+00</v>' x.xml
    run restore x.xml y.rrd
    cmp -s <(run dump x.rrd) <(run dump y.rrd)
  ) >"$t.log" 2>&1 || { cat "$t.log" >&2; rm -rf "$t" "$t.log"; return 1; }
  rm -rf "$t" "$t.log"
}

build() {
  local w=$d.build o pkgs=() p bytes=0 t0=$SECONDS
  rm -rf "$w"
  mkdir -p "$w/state/lists/partial" "$w/cache/archives/partial" "$w/root" "$w/debs"
  : >"$w/status"
  echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" >"$w/sources.list"
  # The host's apt.conf.d still applies (proxies, if any); its sources, preferences, status
  # and lists do not. Valid-Until is not checked: a machine clock ahead of the Release
  # file's date would otherwise refuse it (the signature is still checked).
  o=(-o "Dir::State=$w/state" -o "Dir::State::status=$w/status" -o "Dir::Cache=$w/cache"
    -o "Dir::Etc::SourceList=$w/sources.list" -o Dir::Etc::SourceParts=/nonexistent
    -o Dir::Etc::Preferences=/nonexistent -o Dir::Etc::PreferencesParts=/nonexistent
    -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" -o Debug::NoLocking=1
    -o Acquire::Languages=none -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
    -o Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false
    -o Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false
    -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false
    -o Acquire::Check-Valid-Until=false -o APT::Sandbox::User=root)
  apt-get "${o[@]}" -q update >"$w/apt.log" 2>&1 || { cat "$w/apt.log" >&2; die "apt-get update ($arch $suite) failed"; }
  while read -r p; do
    excluded "$p" || pkgs+=("$p")
  done < <(apt-get "${o[@]}" install -s --no-install-recommends rrdtool 2>>"$w/apt.log" | awk '$1 == "Inst" { print $2 }')
  [ ${#pkgs[@]} -gt 0 ] || { cat "$w/apt.log" >&2; die "apt found no rrdtool for $arch $suite"; }
  (cd "$w/debs" && apt-get "${o[@]}" -q download "${pkgs[@]}" >>"$w/apt.log" 2>&1) ||
    { tail -n 20 "$w/apt.log" >&2; die "apt-get download failed"; }
  for p in "$w"/debs/*.deb; do
    dpkg-deb -x "$p" "$w/root"
    bytes=$((bytes + $(stat -c %s "$p")))
  done
  # Documentation, manuals, translations: not run, only disk.
  rm -rf "$w/root/usr/share/doc" "$w/root/usr/share/man" "$w/root/usr/share/info" \
    "$w/root/usr/share/locale" "$w/root/usr/share/lintian"
  # Merged /usr (trixie's packages ship /usr/lib only; the ELF interpreter is /lib/ld-*):
  # the top-level links that usrmerge would make.
  for p in bin sbin lib lib32 lib64 libx32; do
    if [ ! -e "$w/root/$p" ] && [ -d "$w/root/usr/$p" ]; then ln -s "usr/$p" "$w/root/$p"; fi
  done
  selfcheck "$w/root" || die "the $arch $suite rrdtool failed its self-check (kept in $w)"
  printf '%s\n' "${pkgs[@]}" >"$w/packages"
  echo "$arch $suite: ${#pkgs[@]} packages, $bytes bytes of .deb, built in $((SECONDS - t0)) s" >"$w/ready"
  # The .debs and lists are not needed any more: the unpacked tree is what runs.
  rm -rf "$w/debs" "$w/cache" "$w/state/lists"
  rm -rf "$d"
  mv "$w" "$d"
}

mkdir -p "$base"
if [ ! -e "$d/ready" ]; then
  exec 9>"$d.lock"
  flock 9
  [ -e "$d/ready" ] || build
  flock -u 9
  exec 9>&-
fi

if [ $# -gt 0 ]; then
  QEMU_LD_PREFIX=$d/root exec "$qemu" "$d/root/usr/bin/rrdtool" "$@"
fi
echo "$prefix"
