#!/usr/bin/env bash
# Print packets/s, MB/s and peak RSS of the release binary on a trace, next to the read-only
# floor of `tcpdump -r FILE -w /dev/null` measured in the same run. Prints figures; asserts nothing.
#
#   bench/run.sh [TRACE]      (default: target/bench/merged.pcap, built by make-merged-trace.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
trace=${1:-$here/target/bench/merged.pcap}
[ -f "$trace" ] || "$here/bench/make-merged-trace.sh" >/dev/null
(cd "$here" && cargo build --release --quiet)
bin=$here/target/release/tstat
command -v tcpdump >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y tcpdump; }
packets=$(tcpdump -r "$trace" -w /dev/null 2>&1 | sed -n 's/.*\b\([0-9]\+\) packets\?.*/\1/p' | head -1 || true)
[ -n "$packets" ] || packets=$(capinfos -c -M "$trace" | awk '/Number of packets/ {print $NF}')
bytes=$(stat -c %s "$trace")
# Run a command, print wall seconds (to the millisecond; time(1) gives hundredths) and peak
# RSS (KB).
measure() {
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' "$@" >/dev/null 2>"$tmp/time" || true
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc -l) $(tail -1 "$tmp/time")"
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
command -v /usr/bin/time >/dev/null || { apt-get update && apt-get install -y time; }
printf 'trace: %s (%d packets, %.1f MB)\n' "$trace" "$packets" "$(echo "$bytes/1048576" | bc -l)"
floor=
report() {
  local label=$1 secs=$2 rss=$3 ratio=""
  [ -n "$floor" ] && ratio=$(printf '  %5.2f x the read floor' "$(echo "$secs/$floor" | bc -l)")
  printf '%-34s %6.3f s  %6.3f Mpkt/s  %7.1f MB/s  peak RSS %6.1f MB%s\n' "$label" "$secs" \
    "$(echo "$packets/$secs/1000000" | bc -l)" "$(echo "$bytes/$secs/1048576" | bc -l)" "$(echo "$rss/1024" | bc -l)" "$ratio"
}
echo "Tstat 3.2.1 on this machine (quoted from issue 7, not measured by this script): 0.29 Mpkt/s on a"
echo "  449 MB, 536k-packet HTTP/HTTPS/DNS trace; 0.28 Mpkt/s on a 225 MB merged corpus trace with"
echo "  every log on; about 0.9 Mpkt/s with logs and histograms off."
read -r s r < <(measure tcpdump -r "$trace" -w /dev/null); report "tcpdump -r (read floor)" "$s" "$r"; floor=$s
# runtime.conf with the TCP/UDP logs on and every column set (level 31), or none (level 0);
# with a second argument 1, the per-message logs too (log_http_complete with full URLs,
# log_dns_complete): everything this build computes.
runtime_conf() {
  local v=$1 messages=${2:-0}
  printf '[log]\nlog_tcp_complete = 1\nlog_tcp_nocomplete = 1\nlog_udp_complete = 1\n'
  printf 'log_http_complete = %s\nlog_dns_complete = %s\n' "$messages" "$messages"
  printf '[options]\ntcplog_end_to_end = %s\ntcplog_layer7 = %s\ntcplog_p2p = %s\ntcplog_options = %s\ntcplog_advanced = %s\n' "$v" "$v" "$v" "$v" "$v"
  [ "$messages" = 1 ] && printf 'httplog_full_url = 2\n'
  return 0
}
runtime_conf 1 1 >"$tmp/everything.conf"; runtime_conf 1 >"$tmp/all-sets.conf"; runtime_conf 0 >"$tmp/core.conf"
read -r s r < <(measure env TZ=UTC "$bin" --workers 1 -T "$tmp/everything.conf" -s "$tmp/out5" "$trace"); report "tstat, everything on" "$s" "$r"
everything=$s
# The same with every histogram (Tstat's reference histo.conf: include ALL) and GLOBAL.
printf 'include ALL\n' >"$tmp/histo.conf"
read -r s r < <(measure env TZ=UTC "$bin" --workers 1 -T "$tmp/everything.conf" -H "$tmp/histo.conf" -g -s "$tmp/out7" "$trace")
report "  everything on + histograms" "$s" "$r"
printf '  histograms cost %+.1f%% over everything on\n' "$(echo "($s/$everything - 1)*100" | bc -l)"
cores=$(nproc)
for n in $(printf '%s\n' 2 4 "$cores" | sort -nu); do
  [ "$n" -le $((cores * 2)) ] || continue
  read -r s r < <(measure env TZ=UTC "$bin" --workers "$n" -T "$tmp/everything.conf" -s "$tmp/out6" "$trace")
  report "  everything on, --workers $n" "$s" "$r"
done
read -r s r < <(measure env TZ=UTC "$bin" --workers 1 -T "$tmp/all-sets.conf" -s "$tmp/out3" "$trace"); report "tstat, every set (31)" "$s" "$r"
read -r s r < <(measure env TZ=UTC "$bin" --workers 1 -T "$tmp/core.conf" -s "$tmp/out4" "$trace"); report "tstat, core columns (0)" "$s" "$r"
read -r s r < <(measure env TZ=UTC "$bin" --workers 1 -s "$tmp/out1" "$trace"); report "tstat, default logs" "$s" "$r"
read -r s r < <(measure env TZ=UTC "$bin" --workers 1 -L -s "$tmp/out2" "$trace"); report "tstat, logs off (-L)" "$s" "$r"
printf 'this machine: %s cores; --workers above 1: a reader thread and N engine threads\n' "$cores"
