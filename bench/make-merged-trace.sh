#!/usr/bin/env bash
# Build a ~200 MB benchmark trace, deterministically, from the reference corpus: every
# Ethernet pcap of the corpus, repeated; each copy after the first has its addresses
# rewritten (tcprewrite --seed, a different seed per copy) and its times shifted by 10 s
# per copy (editcap -t), so copies are distinct flows that overlap in time, as on a busy
# link; all merged in time order (mergecap). Needs Debian's wireshark-common and tcpreplay.
#
#   bench/make-merged-trace.sh [REFERENCE] [OUT] [TARGET_MB]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ref=${1:-${TSTAT_REFERENCE:-$here/../shared/reference}}
out=${2:-$here/target/bench/merged.pcap}
target_mb=${3:-200}
command -v mergecap >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wireshark-common; }
command -v tcprewrite >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y tcpreplay; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"
# The Ethernet, classic-pcap traces of the corpus, in a fixed order.
mapfile -t traces < <(awk -F'\t' 'NR > 1 && $5 == "ether" && $9 == "pcap" && $1 !~ /\.gz$/ { print $1 }' "$ref/MANIFEST.tsv" | sort)
# Each trace as Ethernet classic pcap (editcap), so mergecap can combine them.
i=0
for t in "${traces[@]}"; do
  editcap -F pcap -T ether "$ref/traces/$t" "$work/base_$i.pcap" 2>/dev/null || continue
  i=$((i + 1))
done
base_bytes=$(cat "$work"/base_*.pcap | wc -c)
copies=$(( target_mb * 1024 * 1024 / base_bytes + 1 ))
echo "corpus: $i traces, $base_bytes bytes; $copies shifted copies" >&2
parts=()
for c in $(seq 0 $((copies - 1))); do
  mergecap -F pcap -w "$work/copy_$c.pcap" "$work"/base_*.pcap
  if [ "$c" -gt 0 ]; then
    # Other addresses (IPv4 and IPv6 headers; checksums fixed): other flows.
    tcprewrite --seed=$((c * 7919)) --fixcsum -i "$work/copy_$c.pcap" -o "$work/rewritten_$c.pcap"
    mv "$work/rewritten_$c.pcap" "$work/copy_$c.pcap"
  fi
  editcap -t $((c * 10)) "$work/copy_$c.pcap" "$work/shift_$c.pcap"
  rm "$work/copy_$c.pcap"
  parts+=("$work/shift_$c.pcap")
done
mergecap -F pcap -w "$out" "${parts[@]}"
ls -l "$out" >&2
echo "$out"
