#!/usr/bin/env bash
# The router build (features `router`, profile release-small, conf/router-globals.conf) on the
# benchmark trace under qemu-user, every log on: packets/s and packets/s per host MHz.
# EMULATED figures: qemu translates each instruction, so they compare builds and targets with
# each other on this machine, not with a router's speed. Prints figures; asserts nothing.
#
#   bench/router-qemu.sh [TARGET...]   (default: mipsel-unknown-linux-musl aarch64-unknown-linux-musl)
#
# Needs .ci/cross-sysroot for each target (.ci/cross runs it) and qemu-user-static.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
trace=$here/target/bench/merged.pcap
[ -f "$trace" ] || bench/make-merged-trace.sh >/dev/null
[ $# -gt 0 ] || set -- mipsel-unknown-linux-musl aarch64-unknown-linux-musl
packets=$(capinfos -c -M "$trace" | awk '/Number of packets/ {print $NF}')
mhz=$(awk -F: '/cpu MHz/ {print $2; exit}' /proc/cpuinfo | tr -d ' ')
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
printf '[log]\nlog_tcp_complete = 1\nlog_tcp_nocomplete = 1\nlog_udp_complete = 1\nlog_http_complete = 1\nlog_dns_complete = 1\n[options]\ntcplog_end_to_end = 1\ntcplog_layer7 = 1\ntcplog_p2p = 1\ntcplog_options = 1\ntcplog_advanced = 1\nhttplog_full_url = 2\n' >"$tmp/every.conf"
printf 'trace: %s (%d packets); host CPU %s MHz; every log on, conf/router-globals.conf\n' "$trace" "$packets" "$mhz"
for t in "$@"; do
  (
    # shellcheck source=.ci/cross-env
    source .ci/cross-env
    cross_env "$t"
    nice -n 10 cargo build --locked --quiet "${BUILD_STD[@]}" --target "$t" --profile release-small \
      --no-default-features --features router
  )
  bin=$here/target/$t/release-small/tstat
  arch=${t%%-*}
  qemu=qemu-$arch-static
  command -v "$qemu" >/dev/null || qemu=qemu-$arch
  /usr/bin/time -f '%e %M' -o "$tmp/time" env TZ=UTC "$qemu" "$bin" -G conf/router-globals.conf \
    -T "$tmp/every.conf" -s "$tmp/out-$t" "$trace" >/dev/null 2>&1
  read -r secs rss <"$tmp/time"
  printf '%-28s EMULATED  %6.2f s  %7.0f pkt/s  %6.1f pkt/s per host MHz  peak RSS %d KB (qemu included)  %d bytes\n' \
    "$t" "$secs" "$(echo "$packets/$secs" | bc -l)" "$(echo "$packets/$secs/$mhz" | bc -l)" "$rss" "$(stat -c %s "$bin")"
done
