#!/usr/bin/env bash
# Live capture drops, tstat beside tcpdump on the same traffic (issue 14, item 2).
#
# 1. Rising rates: tcpreplay offers a trace's frames at each rate onto one end of a veth pair;
#    tstat -l and tcpdump -w capture the other end at the same time, both with snaplen 550,
#    and each one's libpcap drop counter is printed.
# 2. The reported case: curl downloads 5 MB files over the veth pair from python3's
#    http.server (TCP with GSO/GRO: few, large frames), RUNS times.
#
# Needs root, ip netns, tcpreplay, tcpdump, curl, python3. Prints figures; asserts nothing.
#
#   bench/live-drops.sh [TRACE] [SECONDS_PER_RATE] [RUNS]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
trace=${1:-$here/target/bench/merged.pcap}
secs=${2:-3}
runs=${3:-10}
[ -f "$trace" ] || "$here/bench/make-merged-trace.sh" >/dev/null
for tool in tcpreplay tcpdump curl python3; do
  command -v "$tool" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpreplay tcpdump curl python3 >/dev/null; break; }
done
(cd "$here" && cargo build --release --quiet)
bin=$here/target/release/tstat
tmp=$(mktemp -d)
ns=tstat-drops-$$
cleanup() {
  ip netns del "$ns-a" 2>/dev/null || true
  ip netns del "$ns-b" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns-a"
ip netns add "$ns-b"
ip link add va netns "$ns-a" type veth peer name vb netns "$ns-b"
ip -n "$ns-a" addr add 10.77.0.1/24 dev va
ip -n "$ns-b" addr add 10.77.0.2/24 dev vb
for n in a b; do ip -n "$ns-$n" link set lo up; done
ip -n "$ns-a" link set va up
ip -n "$ns-b" link set vb up
# Frames up to 1514 bytes of the trace (what a veth takes), as Ethernet.
editcap -F pcap -T ether "$trace" "$tmp/all.pcap" 2>/dev/null
tcpdump -r "$tmp/all.pcap" -w "$tmp/frames.pcap" 'len <= 1514' 2>/dev/null

# Start both capturers on vb; each writes its drop count when signalled.
start_capture() {
  ip netns exec "$ns-b" "$bin" -l -i vb -E 550 -s "$tmp/tstat-out" >"$tmp/tstat.out" 2>"$tmp/tstat.err" &
  capturers=($!)
  ip netns exec "$ns-b" tcpdump -i vb -s 550 -w "$tmp/td.pcap" 2>"$tmp/td.err" &
  capturers+=($!)
  sleep 1
}
stop_capture() {
  sleep 1
  local pid
  for pid in $(ip netns pids "$ns-b"); do
    case $(cat "/proc/$pid/comm" 2>/dev/null) in tstat | tcpdump) kill -TERM "$pid" ;; esac
  done
  wait "${capturers[@]}" 2>/dev/null || true
  tstat_recv=$(sed -n 's/^libpcap: \([0-9]*\) packets received, \([0-9]*\) dropped.*/\1/p' "$tmp/tstat.out")
  tstat_drop=$(sed -n 's/^libpcap: \([0-9]*\) packets received, \([0-9]*\) dropped.*/\2/p' "$tmp/tstat.out")
  td_recv=$(awk '/packets received by filter/ { print $1 }' "$tmp/td.err")
  td_drop=$(awk '/packets dropped by kernel/ { print $1 }' "$tmp/td.err")
  rm -rf "$tmp/tstat-out" "$tmp/td.pcap"
}

echo "1. Rising rates ($(basename "$trace"), ${secs} s per rate, both capturing vb at once, snaplen 550)"
printf '%12s %12s %12s %10s %12s %10s\n' "offered/s" "sent" "tstat recv" "tstat drop" "tcpdump recv" "td drop"
for rate in 10000 50000 100000 200000 400000 800000 topspeed; do
  start_capture
  if [ "$rate" = topspeed ]; then opt=(--topspeed); else opt=(--pps="$rate"); fi
  sent=$(ip netns exec "$ns-a" timeout "$((secs + 5))" tcpreplay -i va "${opt[@]}" --duration="$secs" -q "$tmp/frames.pcap" 2>&1 |
    sed -n 's/.*Actual: \([0-9]*\) packets.*/\1/p' | head -1)
  stop_capture
  printf '%12s %12s %12s %10s %12s %10s\n' "$rate" "${sent:-?}" "$tstat_recv" "$tstat_drop" "$td_recv" "$td_drop"
done

echo
echo "2. curl: 3 downloads of 5 MB over the veth pair per run, $runs runs"
mkdir -p "$tmp/www"
head -c 5242880 /dev/urandom >"$tmp/www/big.bin"
ip netns exec "$ns-a" python3 -m http.server -d "$tmp/www" 8080 >/dev/null 2>&1 &
server=$!
sleep 1
printf '%5s %12s %10s %12s %10s\n' run "tstat recv" "tstat drop" "tcpdump recv" "td drop"
for r in $(seq "$runs"); do
  start_capture
  for _ in 1 2 3; do ip netns exec "$ns-b" curl -s -o /dev/null http://10.77.0.1:8080/big.bin; done
  stop_capture
  printf '%5s %12s %10s %12s %10s\n' "$r" "$tstat_recv" "$tstat_drop" "$td_recv" "$td_drop"
done
kill "$server" 2>/dev/null || true
