#!/usr/bin/env bash
# Build a ~200 MB benchmark trace, deterministically, from the reference corpus: every
# Ethernet pcap of the corpus, repeated with shifted times (editcap -t) so copies do not
# overlap, merged in time order (mergecap). Needs Debian's wireshark-common.
#
#   bench/make-merged-trace.sh [REFERENCE] [OUT] [TARGET_MB]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ref=${1:-${TSTAT_REFERENCE:-$here/../shared/reference}}
out=${2:-$here/target/bench/merged.pcap}
target_mb=${3:-200}
command -v mergecap >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wireshark-common; }
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
  # Each copy 600 s later than the previous: flows of different copies never share a key
  # while open, so the merged trace holds distinct flows.
  mergecap -F pcap -w "$work/copy_$c.pcap" "$work"/base_*.pcap
  editcap -t $((c * 600)) "$work/copy_$c.pcap" "$work/shift_$c.pcap"
  rm "$work/copy_$c.pcap"
  parts+=("$work/shift_$c.pcap")
done
mergecap -F pcap -w "$out" "${parts[@]}"
ls -l "$out" >&2
echo "$out"
