#!/usr/bin/env bash
# Capture a small, real packet trace on the loopback interface for tests and demos.
#
#   sudo scripts/make-sample-trace.sh [OUTPUT.pcap]
#
# OUTPUT defaults to tests/data/sample.pcap (relative to the repository root).
# Must run as root on Debian/Ubuntu (tcpdump needs to open `lo`; missing tools are
# installed with apt-get). Everything stays on 127.0.0.1; nothing leaves the host.
#
# The trace contains, all between 127.0.0.1 and 127.0.0.1:
#   * 4 TCP/HTTP connections to `python3 -m http.server` (HTTP/1.0, so one request per
#     connection, closed with FIN): a small text file, a ~50 KB binary file, a 404,
#     and the directory listing;
#   * 1 TCP connection attempt to a closed port, answered by the kernel with RST;
#   * 2 UDP flows to a tiny python3 echo server: one client socket sends 3 datagrams,
#     a second socket sends 1; each datagram is echoed back.
#
# The capture is a classic (not pcapng) pcap with link type EN10MB (Ethernet), which is
# what `tcpdump -i lo` gives. Note that loopback has a 64 KiB MTU and offloads, so
# the 50 KB HTTP response may appear as only one or a few very large TCP segments.
# tests/data/sample.README.md documents the per-flow counts of the committed trace;
# re-running this script gives different ports, timestamps and possibly segment sizes.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/tests/data/sample.pcap}

if [ "$(id -u)" -ne 0 ]; then
  echo "run as root (tcpdump must capture on lo)" >&2
  exit 1
fi

# --- tools -------------------------------------------------------------------------
need=()
command -v tcpdump >/dev/null 2>&1 || need+=(tcpdump)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
fi

# --- scratch dir and cleanup ---------------------------------------------------------
tmp=$(mktemp -d)
pids=()
cleanup() {
  # Stop only the processes this script started.
  for p in "${pids[@]:-}"; do
    [ -n "$p" ] && kill "$p" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Pick three distinct free TCP/UDP ports in the high range (bind to port 0, ask the
# kernel). The third one (closed) is deliberately never listened on.
read -r http_port udp_port closed_port < <(python3 - <<'EOF'
import socket
ports = []
socks = []
while len(ports) < 3:
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind(("127.0.0.1", 0))
    p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p))   # make sure the UDP port is free too
    except OSError:
        t.close(); u.close(); continue
    socks += [t, u]
    if p not in ports:
        ports.append(p)
print(*ports)
EOF
)
echo "ports: http=$http_port udp=$udp_port closed=$closed_port"

# --- content served over HTTP ----------------------------------------------------------
www=$tmp/www
mkdir -p "$www"
printf 'Hello from the tstat sample trace.\n' > "$www/hello.txt"
# ~50 KB of deterministic, non-repeating-looking bytes (51200 bytes).
python3 -c '
import hashlib, sys
out = bytearray()
i = 0
while len(out) < 51200:
    out += hashlib.sha256(i.to_bytes(4, "big")).digest(); i += 1
sys.stdout.buffer.write(bytes(out[:51200]))
' > "$www/big.bin"

# --- servers (started before the capture, so readiness probes are not captured) ---------
python3 -m http.server --bind 127.0.0.1 --directory "$www" "$http_port" \
  >"$tmp/http.log" 2>&1 &
pids+=($!)

cat > "$tmp/udp_echo.py" <<'EOF'
# Minimal UDP echo server: sends every datagram back to its sender, prefixed "echo:".
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    data, addr = s.recvfrom(65535)
    s.sendto(b"echo:" + data, addr)
EOF
python3 "$tmp/udp_echo.py" "$udp_port" >"$tmp/udp.log" 2>&1 &
pids+=($!)

# Wait until the HTTP server accepts connections (and the UDP socket is bound).
for _ in $(seq 100); do
  if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$http_port),0.2).close()" 2>/dev/null \
     && { ! command -v ss >/dev/null 2>&1 || ss -uln | grep -q "127.0.0.1:$udp_port\b"; }; then
    break
  fi
  sleep 0.1
done
sleep 0.3

# --- capture ------------------------------------------------------------------------
# Write to the scratch dir first; -Z root keeps tcpdump from dropping to the `tcpdump`
# user before opening the output file. -U flushes after each packet.
filter="host 127.0.0.1 and (tcp port $http_port or tcp port $closed_port or udp port $udp_port)"
tcpdump -i lo -n -U -Z root -s 262144 -w "$tmp/cap.pcap" "$filter" 2>"$tmp/tcpdump.err" &
tcpdump_pid=$!
pids+=("$tcpdump_pid")
# tcpdump prints "listening on lo" once the capture is active.
for _ in $(seq 100); do
  grep -q 'listening on' "$tmp/tcpdump.err" && break
  sleep 0.1
done
grep -q 'listening on' "$tmp/tcpdump.err" || { cat "$tmp/tcpdump.err" >&2; exit 1; }
sleep 0.5

base=http://127.0.0.1:$http_port
# 4 HTTP fetches, each a separate TCP connection (curl is run once per URL).
curl -sS -o /dev/null -w '%{http_code} %{size_download} %{url_effective}\n' "$base/hello.txt"
sleep 0.2
curl -sS -o /dev/null -w '%{http_code} %{size_download} %{url_effective}\n' "$base/big.bin"
sleep 0.2
curl -sS -o /dev/null -w '%{http_code} %{size_download} %{url_effective}\n' "$base/no-such-file" || true
sleep 0.2
curl -sS -o /dev/null -w '%{http_code} %{size_download} %{url_effective}\n' "$base/"
sleep 0.2

# UDP: one socket sends 3 requests, a second socket sends 1; each gets its echo.
python3 - "$udp_port" <<'EOF'
import socket, sys
port = int(sys.argv[1])
def exchange(sock, msg):
    sock.sendto(msg, ("127.0.0.1", port))
    data, _ = sock.recvfrom(65535)
    assert data == b"echo:" + msg, data
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.settimeout(2)
for i, msg in enumerate([b"ping 1", b"ping 2 with a longer payload", b"ping 3 " + b"x" * 100]):
    exchange(a, msg)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.settimeout(2)
exchange(b, b"hello from a second socket")
a.close(); b.close()
print("udp: 4 exchanges ok")
EOF
sleep 0.2

# A TCP connection to a port nobody listens on: SYN answered by RST/ACK from the kernel.
if python3 -c "import socket; socket.create_connection(('127.0.0.1',$closed_port),2)" 2>/dev/null; then
  echo "unexpected: port $closed_port accepted a connection" >&2
  exit 1
fi
echo "tcp: connection to closed port $closed_port refused (RST)"

# Let the last FIN/ACK exchanges finish, then stop tcpdump with SIGINT and wait for it.
sleep 1
kill -INT "$tcpdump_pid"
wait "$tcpdump_pid" || true
cat "$tmp/tcpdump.err" >&2

mkdir -p "$(dirname "$out")"
cp "$tmp/cap.pcap" "$out"
chmod 644 "$out"
echo "wrote $out ($(stat -c %s "$out") bytes)"
