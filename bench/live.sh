#!/usr/bin/env bash
# Live capture under load: replay a trace's Ethernet frames as fast as one Python sender can
# onto one end of a veth pair, capture the other end with `tstat -l`, and print what was sent,
# what tstat analysed, libpcap's drop counters, and tstat's CPU time per packet next to the
# same figure for the trace read from the file. Needs root (network namespaces). Prints
# figures; asserts nothing.
#
#   bench/live.sh [TRACE] [SECONDS]    (default: target/bench/merged.pcap, 10 s of replay)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
trace=${1:-$here/target/bench/merged.pcap}
seconds=${2:-10}
[ -f "$trace" ] || "$here/bench/make-merged-trace.sh" >/dev/null
(cd "$here" && cargo build --release --quiet)
bin=$here/target/release/tstat
tmp=$(mktemp -d)
ns=tstat-bench-$$
cleanup() {
  ip netns del "$ns-tx" 2>/dev/null || true
  ip netns del "$ns-rx" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$ns-tx"
ip netns add "$ns-rx"
ip link add vtx netns "$ns-tx" type veth peer name vrx netns "$ns-rx"
ip -n "$ns-tx" link set vtx up
ip -n "$ns-rx" link set vrx up

# The sender: every Ethernet frame of the (pcap) trace, in a loop, for $seconds.
cat >"$tmp/replay.py" <<'PY'
import socket, struct, sys, time
path, seconds = sys.argv[1], float(sys.argv[2])
raw = open(path, 'rb').read()
endian = '<' if raw[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
frames, at = [], 24
while at + 16 <= len(raw) and len(frames) < 400000:
    incl = struct.unpack(endian + 'I', raw[at + 8:at + 12])[0]
    frame = raw[at + 16:at + 16 + incl]
    if 14 <= len(frame) <= 1514:
        frames.append(frame)
    at += 16 + incl
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('vtx', 0))
sent, end = 0, time.time() + seconds
start = time.time()
while time.time() < end:
    for f in frames[:50000]:
        try:
            s.send(f)
            sent += 1
        except OSError:
            pass
    frames = frames[50000:] + frames[:50000]
print(sent, time.time() - start)
PY
printf '[log]\nlog_tcp_complete = 1\nlog_tcp_nocomplete = 1\nlog_udp_complete = 1\n' >"$tmp/runtime.conf"
ip netns exec "$ns-rx" /usr/bin/time -f '%U %S' -o "$tmp/live.time" \
  "$bin" -l -i vrx -E 1514 -T "$tmp/runtime.conf" -s "$tmp/live" >"$tmp/live.out" 2>&1 &
tstat_pid=$!
sleep 1
read -r sent secs < <(ip netns exec "$ns-tx" python3 "$tmp/replay.py" "$trace" "$seconds")
sleep 2
# SIGTERM to tstat itself (not to time(1), which waits for it), found in its namespace.
for pid in $(ip netns pids "$ns-rx"); do
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = tstat ] && kill -TERM "$pid"
done
wait "$tstat_pid" || true
seen=$(awk '/packets seen/ { print $1; exit }' "$tmp/live.out")
read -r u s <"$tmp/live.time"
printf 'sent: %d frames in %.1f s (%.0f frames/s, one Python sender)\n' "$sent" "$secs" "$(echo "$sent/$secs" | bc -l)"
grep -m1 '^libpcap:' "$tmp/live.out" || true
printf 'tstat live: %d packets analysed, CPU %.2f s, %.0f ns/packet\n' "$seen" "$(echo "$u+$s" | bc -l)" \
  "$(echo "($u+$s)*1000000000/$seen" | bc -l)"
/usr/bin/time -f '%U %S' -o "$tmp/file.time" "$bin" -T "$tmp/runtime.conf" -s "$tmp/file" "$trace" >"$tmp/file.out" 2>&1
seen=$(awk '/packets seen/ { print $1; exit }' "$tmp/file.out")
read -r u s <"$tmp/file.time"
printf 'tstat offline (same trace, from the file): %d packets, CPU %.2f s, %.0f ns/packet\n' "$seen" \
  "$(echo "$u+$s" | bc -l)" "$(echo "($u+$s)*1000000000/$seen" | bc -l)"
