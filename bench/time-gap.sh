#!/usr/bin/env bash
# Show that a long silence in a trace costs nothing: the same packets, once as copies one
# minute apart and once with a one-year gap in the middle, take the same time. (Tstat 3.2.1
# runs its cleanup once per 0.5 ms of a gap: a one-year gap is ~6e10 steps.) Prints figures;
# asserts nothing. Needs Debian's wireshark-common (editcap, mergecap).
#
#   bench/time-gap.sh [TRACE] [COPIES]    (default: the reference's ndpi/1kxun.pcap, 200 copies)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ref=${TSTAT_REFERENCE:-$here/../shared/reference}
trace=${1:-$ref/traces/ndpi/1kxun.pcap}
copies=${2:-200}
command -v mergecap >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wireshark-common; }
(cd "$here" && cargo build --release --quiet)
bin=$here/target/release/tstat
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
span=$(capinfos -u -M "$trace" | awk -F': *' '/Capture duration/ {print int($2) + 60}')
year=$((365 * 86400))
# Copy c starts c*span seconds later; in the gap variant the second half is a year later too.
for c in $(seq 0 $((copies - 1))); do
  editcap -F pcap -t $((c * span)) "$trace" "$work/near_$c.pcap"
  shift_gap=$((c * span + (c >= copies / 2 ? year : 0)))
  editcap -F pcap -t $shift_gap "$trace" "$work/gap_$c.pcap"
done
mergecap -a -F pcap -w "$work/near.pcap" $(for c in $(seq 0 $((copies - 1))); do echo "$work/near_$c.pcap"; done)
mergecap -a -F pcap -w "$work/gap.pcap" $(for c in $(seq 0 $((copies - 1))); do echo "$work/gap_$c.pcap"; done)
packets=$(capinfos -c -M "$work/near.pcap" | awk -F': *' '/Number of packets/ {print $2}')
for variant in near gap; do
  start=$(date +%s.%N)
  TZ=UTC "$bin" -s "$work/out_$variant" "$work/$variant.pcap" >/dev/null 2>&1
  end=$(date +%s.%N)
  printf '%-36s %d packets  %.3f s\n' \
    "$([ $variant = near ] && echo 'copies one minute apart' || echo 'one-year gap in the middle')" \
    "$packets" "$(echo "$end - $start" | bc -l)"
done
