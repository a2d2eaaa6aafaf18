#!/usr/bin/env bash
# Peak resident memory of the router build under floods that fill each table and pool
# (bench/make-floods.py: TCP SYN, UDP, DNS answers for DN-Hunter, RTP streams, HTTP and TLS
# names), with conf/router-globals.conf, next to the router budget of size-budget. Prints
# figures; .ci/cross checks the same floods against the budget.
#
#   bench/flood-memory.sh [TARGET]    (default x86_64-unknown-linux-musl; others run under
#                                       qemu-user, whose own memory is subtracted as in .ci/cross)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
t=${1:-x86_64-unknown-linux-musl}
floods=$here/target/floods
[ -f "$floods/tls.pcap" ] || { mkdir -p "$floods" && python3 "$here/bench/make-floods.py" "$floods"; }
cd "$here"
.ci/cross-sysroot "$t"
# shellcheck source=.ci/cross-env
source .ci/cross-env
cross_env "$t"
cargo build --locked --quiet "${BUILD_STD[@]}" --target "$t" --profile release-small \
  --no-default-features --features router
bin=$here/target/$t/release-small/tstat
budget=$(awk -v t="$t" '!/^#/ && $1 == t && $2 == "router" { print $5 }' size-budget)
base=0
if [ "$t" != x86_64-unknown-linux-musl ]; then
  /usr/bin/time -f '%M' -o /tmp/flood-base.$$ "$bin" -v >/dev/null 2>&1
  base=$(cat /tmp/flood-base.$$); rm -f /tmp/flood-base.$$
fi
echo "target $t, router build $(stat -c %s "$bin") bytes, conf/router-globals.conf, budget ${budget} KiB"
for f in syn udp dns rtp http tls; do
  out=$(mktemp -d)
  /usr/bin/time -f '%M %e' -o "$out/time" "$bin" -G conf/router-globals.conf -s "$out/o" "$floods/$f.pcap" >"$out/stdout" 2>/dev/null
  read -r peak secs <"$out/time"
  refused=$(grep -E 'refused|pool full' "$out/stdout" | tr '\n' ' ')
  printf '%-5s peak RSS %6d KiB (%3d%% of the budget) in %5.2f s | %s\n' "$f" $((peak - base)) \
    $(((peak - base) * 100 / budget)) "$secs" "$refused"
  rm -rf "$out"
done
