#!/usr/bin/env bash
# A private Graphite carbon-cache (Debian's graphite-carbon, whisper storage) for the
# --graphite tests: everything lives under DIR, nothing under /etc/carbon or /var/lib/graphite
# is read or written, no systemd, and the system's own carbon-cache service is left alone
# (scripts/ensure-debian-packages.sh keeps it stopped and disabled when it installs it).
#
#   scripts/carbon-on-loopback.sh start DIR
#       Starts carbon-cache (unless DIR's instance already runs) with its plaintext line
#       receiver on 127.0.0.1:PORT, PORT a free port chosen here; prints PORT alone on stdout
#       and returns once PORT accepts connections (30 s at most). Other listeners: pickle and
#       UDP off, the cache-query port on 127.0.0.1 with a kernel-chosen port.
#   scripts/carbon-on-loopback.sh stop DIR
#       Stops DIR's instance (SIGTERM, then SIGKILL after 15 s). Nothing running: exit 0.
#   scripts/carbon-on-loopback.sh port DIR
#       Prints the running instance's port; exit 1 if it does not run.
#   scripts/carbon-on-loopback.sh fetch DIR METRIC FROM UNTIL [MIN_POINTS [TIMEOUT_S]]
#       Prints the stored points of METRIC (e.g. tstat.test.x.avg) with FROM <= epoch <= UNTIL
#       (both inclusive), one "EPOCH VALUE" line each, oldest first, empty slots left out.
#       VALUE is Python's repr of the stored double: the shortest text that reads back to the
#       same f64 (1.5, 42.0, 1e-07). With MIN_POINTS, waits (polling every 0.2 s, TIMEOUT_S
#       seconds, default 10) until at least MIN_POINTS points are there; exit 1 if they are
#       not (what is there is printed anyway). A window of any width is fast: the file is
#       sparse and only its allocated extents are read.
#   scripts/carbon-on-loopback.sh selftest DIR
#       start, send "tstat.test.x.avg 1.5 1120469938" (July 2005), read it back. Leaves the
#       instance running and tstat/test/x/avg.wsp in DIR.
#
# Layout under DIR: carbon.conf, storage-schemas.conf, storage-aggregation.conf,
# carbon-cache.pid, port, log/ (console.log, creates.log; start.log = twistd's own output),
# storage/whisper/<metric with dots as slashes>.wsp, e.g. tstat.test.x.avg is
# DIR/storage/whisper/tstat/test/x/avg.wsp.
#
# Retention: whisper refuses a point older than its retention counted back from *now* (the
# wall clock, not the newest point), and our traces are from 2005-2014. So every metric gets
# one archive of 1-second points for 30 years ($CARBON_RETENTIONS overrides, e.g. 60s:30y):
# epochs are kept exactly (no rounding to a coarser step, no aggregation). That archive is
# 30*365*86400 points of 12 bytes, an 11.4 GB file, so files are created sparse
# (WHISPER_SPARSE_CREATE; fallocate off) and use disk only where points are: a 4 KiB block
# per point unless another point is within ~340 s of it (tstat's epochs are minutes apart, so
# ~4 KiB per point per metric; 3,000 points 5 minutes apart: 12 MB). Don't copy them without
# cp --sparse=always.
# tstat's epochs are not aligned to any step (e.g. 1413055309, 1413055643), which is why the
# step is 1 s: with 60s:30y (189 MB sparse files) whisper would floor them to the minute.
# Flushing: MAX_CREATES_PER_MINUTE and MAX_UPDATES_PER_SECOND are inf (no rate limit, no
# creates dropped), the writer drains the whole cache, then sleeps 1 s: a point is readable
# from the file about 1 s after carbon received it (measured: 3,500 points of two new
# metrics all readable 0.8 s after the send). No fsync (WHISPER_AUTOFLUSH off): readers see
# write()s at once, only a machine crash could lose them. carbon's own metrics
# (carbon.agents.*) are off (CARBON_METRIC_INTERVAL = 0).
# What carbon's line receiver does with odd input (measured): "nan" and "-nan" values (tstat
# prints -nan for the stdev of a single sample) are dropped silently, so nothing is stored
# for that epoch; "inf" is stored; a value it cannot parse ("1,5") drops the line; a
# fractional epoch (1120469938.7) is truncated to the second.
#
# Reading a value back by hand:
#   whisper-fetch --from=F --until=U DIR/storage/whisper/tstat/test/x/avg.wsp
# prints one "EPOCH<TAB>VALUE" line per 1-s slot with F < EPOCH <= U (F is exclusive: to see
# the point at T ask --from=T-1 --until=T), VALUE as "%f" (6 decimals: 1.500000) or "None"
# for an empty slot; --drop=nulls leaves the None lines out. whisper-info FILE shows the
# archive. Keep whisper-fetch's window small (it reads every slot of it: a day is 86,400
# lines); the fetch subcommand above has no such cost and prints full precision. Beware
# whisper-fetch --drop=nulls: it drops the None values and then numbers the remaining ones
# from --from on, one step apart, so the epochs it prints are wrong.
#
# Exit codes: 0 success; 1 failure (carbon did not start or accept connections within 30 s,
# not running, fetch found fewer than MIN_POINTS points, selftest mismatch, packages could
# not be installed); 2 usage error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
me=carbon-on-loopback.sh
START_TIMEOUT=30
# Debian's python3, which has the whisper module (a pyenv or venv python3 first on PATH has not).
PY=/usr/bin/python3

usage() {
  sed -n '/^#   scripts/p' "${BASH_SOURCE[0]}" | sed 's/^#   //' >&2
  exit 2
}
die() {
  echo "$me: $*" >&2
  exit 1
}

abs_dir() { # create $1 if needed and print its absolute path
  mkdir -p "$1" && (cd "$1" && pwd)
}

# The pid of DIR's carbon-cache if it is alive (and really is ours), else nothing.
running_pid() {
  local dir=$1 pid
  [ -s "$dir/carbon-cache.pid" ] || return 1
  pid=$(cat "$dir/carbon-cache.pid")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "--config=$dir/carbon.conf" || return 1
  echo "$pid"
}

accepts() { # port: does 127.0.0.1:port accept a TCP connection?
  "$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
s.settimeout(1)
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
s.close()
EOF
}

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

write_config() {
  local dir=$1 port=$2 retentions=${CARBON_RETENTIONS:-1s:30y}
  cat >"$dir/carbon.conf" <<EOF
# Written by scripts/$me: a private carbon-cache, loopback only.
[cache]
STORAGE_DIR = $dir/storage/
LOCAL_DATA_DIR = $dir/storage/whisper/
WHITELISTS_DIR = $dir/storage/lists/
CONF_DIR = $dir/
LOG_DIR = $dir/log/
PID_DIR = $dir/
ENABLE_LOGROTATION = False
DATABASE = whisper
MAX_CACHE_SIZE = inf
MAX_UPDATES_PER_SECOND = inf
MAX_UPDATES_PER_SECOND_ON_SHUTDOWN = inf
MAX_CREATES_PER_MINUTE = inf
MIN_TIMESTAMP_RESOLUTION = 1
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = $port
ENABLE_UDP_LISTENER = False
UDP_RECEIVER_INTERFACE = 127.0.0.1
UDP_RECEIVER_PORT = 0
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = 0
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = 0
ENABLE_MANHOLE = False
USE_FLOW_CONTROL = True
LOG_UPDATES = False
LOG_CREATES = True
LOG_CACHE_HITS = False
LOG_LISTENER_CONN_SUCCESS = False
CACHE_WRITE_STRATEGY = naive
WHISPER_AUTOFLUSH = False
WHISPER_SPARSE_CREATE = True
WHISPER_FALLOCATE_CREATE = False
CARBON_METRIC_INTERVAL = 0
EOF
  cat >"$dir/storage-schemas.conf" <<EOF
# Written by scripts/$me. whisper drops points older than the retention counted back from
# now; the test traces are from 2005-2014, so 30 years of 1-second points (sparse files).
[everything]
pattern = .*
retentions = $retentions
EOF
  cat >"$dir/storage-aggregation.conf" <<'EOF'
# One archive only, so nothing is ever aggregated; stated to keep carbon from guessing.
[everything]
pattern = .*
xFilesFactor = 0
aggregationMethod = average
EOF
}

cmd_start() {
  local dir pid port deadline log
  dir=$(abs_dir "$1")
  if pid=$(running_pid "$dir") && [ -s "$dir/port" ] && accepts "$(cat "$dir/port")"; then
    cat "$dir/port"
    return 0
  fi
  "$here/ensure-debian-packages.sh" graphite-carbon python3-whisper iproute2 ||
    die "graphite-carbon/python3-whisper/iproute2 missing"
  # A half-dead instance of DIR (pid alive, port gone): replace it.
  [ -n "${pid:-}" ] && cmd_stop "$dir"
  mkdir -p "$dir/storage/whisper" "$dir/storage/lists" "$dir/log"
  rm -f "$dir/port" "$dir/carbon-cache.pid"
  deadline=$((SECONDS + START_TIMEOUT))
  log=$dir/log/start.log
  : >"$log"
  # The port is free when chosen; should another process take it before carbon binds, carbon
  # dies (or, SO_REUSEPORT, shares it: hence the check that carbon's pid is the listener).
  # Up to three tries with fresh ports, all within the 30 s.
  for _ in 1 2 3; do
    port=$(free_port)
    write_config "$dir" "$port"
    echo "== $(date -u +%FT%TZ) port $port" >>"$log"
    # twistd daemonizes (setsid, stdio to /dev/null) and its parent returns at once; the
    # parent's output goes to the log so that nothing inherits the caller's stdout.
    if GRAPHITE_ROOT=$dir GRAPHITE_CONF_DIR=$dir GRAPHITE_STORAGE_DIR=$dir/storage \
      carbon-cache --config="$dir/carbon.conf" --pidfile="$dir/carbon-cache.pid" \
      --logdir="$dir/log" start </dev/null >>"$log" 2>&1; then
      if wait_listening "$dir" "$port" "$deadline"; then
        echo "$port" >"$dir/port"
        echo "$port"
        return 0
      fi
    fi
    cmd_stop "$dir"
    [ $SECONDS -lt $deadline ] || break
  done
  cmd_stop "$dir" >/dev/null 2>&1 || true
  {
    echo "$me: carbon-cache did not start, or did not accept connections on 127.0.0.1, within ${START_TIMEOUT} s"
    echo "--- $log (less twisted's deprecation warnings):"
    grep -v -e 'Deprecation' -e '^  b"' "$log" | tail -n 20
    [ -e "$dir/log/console.log" ] && { echo "--- $dir/log/console.log:"; tail -n 20 "$dir/log/console.log"; }
  } >&2
  exit 1
}

# Wait until DIR's carbon-cache (its pid file written, the process alive) listens on
# 127.0.0.1:port and accepts a connection there. Fails if it died, or wrote no pid file in
# 10 s, or the deadline (a $SECONDS value) passed.
wait_listening() {
  local dir=$1 port=$2 deadline=$3 launched=$SECONDS pid
  while [ $SECONDS -lt "$deadline" ]; do
    if pid=$(running_pid "$dir"); then
      if ss -Hltnp "sport = :$port" 2>/dev/null | grep -q "pid=$pid," && accepts "$port"; then
        return 0
      fi
    elif [ -e "$dir/carbon-cache.pid" ] || [ $((SECONDS - launched)) -ge 10 ]; then
      return 1
    fi
    sleep 0.2
  done
  return 1
}

cmd_stop() {
  local dir pid i
  [ -d "$1" ] || return 0
  dir=$(cd "$1" && pwd)
  if pid=$(running_pid "$dir"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 75; i++)); do
      [ -e "/proc/$pid" ] || break
      sleep 0.2
    done
    if [ -e "/proc/$pid" ]; then
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
    fi
  fi
  rm -f "$dir/carbon-cache.pid" "$dir/port"
}

cmd_port() {
  local dir
  [ -d "$1" ] || die "no instance in $1"
  dir=$(cd "$1" && pwd)
  if ! running_pid "$dir" >/dev/null || [ ! -s "$dir/port" ]; then
    die "no instance running in $dir"
  fi
  cat "$dir/port"
}

cmd_fetch() {
  local dir=$1 metric=$2 from=$3 until=$4 min=${5:-0} timeout=${6:-10}
  [[ $from =~ ^[0-9]+$ && $until =~ ^[0-9]+$ && $min =~ ^[0-9]+$ && $timeout =~ ^[0-9]+$ ]] || usage
  [ -d "$dir" ] || die "no directory $dir"
  dir=$(cd "$dir" && pwd)
  "$PY" - "$dir/storage/whisper/${metric//.//}.wsp" "$from" "$until" "$min" "$timeout" <<'EOF'
import os, struct, sys, time
import whisper

path, lo, hi, want, timeout = sys.argv[1], *map(int, sys.argv[2:])

def points():
    """Every stored {epoch: value} of the file with lo <= epoch <= hi."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return {}
    with fh:
        info = whisper.__readHeader(fh)  # noqa: the public info() reopens the file
        now = int(time.time())
        found = {}
        # whisper keeps a point in the finest archive whose retention covers its age (the
        # coarser ones get aggregates): each archive answers for the ages that it covers and
        # no finer one does. (The default schema has a single archive.)
        newest = None
        for a in sorted(info["archives"], key=lambda a: a["retention"]):
            start, end = a["offset"], a["offset"] + a["points"] * 12
            oldest = now - a["retention"]
            below, newest = newest, oldest
            pos = start
            while pos < end:
                # Only the allocated extents of the sparse file (holes are empty slots).
                try:
                    data = os.lseek(fh.fileno(), pos, os.SEEK_DATA)
                    hole = os.lseek(fh.fileno(), data, os.SEEK_HOLE)
                except OSError:  # ENXIO: no data after pos
                    break
                if data >= end:
                    break
                first = start + (max(data, start) - start) // 12 * 12
                last = min(hole, end)
                # pread: the buffered fh's idea of the position is stale after lseek.
                buf = os.pread(fh.fileno(), last - first + 11, first)
                for i in range(0, len(buf) - 11, 12):
                    ts, v = struct.unpack("!Ld", buf[i:i + 12])
                    if ts and lo <= ts <= hi and ts >= oldest and (below is None or ts < below):
                        found[ts] = v
                pos = max(last, first + 12)
        return found

deadline = time.monotonic() + timeout
while True:
    got = points()
    if len(got) >= want or time.monotonic() >= deadline:
        break
    time.sleep(0.2)
for ts in sorted(got):
    print(ts, repr(got[ts]))
sys.exit(0 if len(got) >= want else 1)
EOF
}

cmd_selftest() {
  local dir port out expect="1120469938 1.5"
  dir=$(abs_dir "$1")
  port=$(cmd_start "$dir")
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'tstat.test.x.avg 1.5 1120469938\n' >&3
  exec 3>&-
  out=$(cmd_fetch "$dir" tstat.test.x.avg 1120469938 1120469938 1 10) || true
  if [ "$out" = "$expect" ]; then
    echo "ok: port $port, $dir/storage/whisper/tstat/test/x/avg.wsp holds \"$out\""
  else
    die "selftest: expected \"$expect\", read \"$out\""
  fi
}

[ $# -ge 2 ] || usage
case $1 in
  start) [ $# -eq 2 ] || usage; cmd_start "$2" ;;
  stop) [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
  port) [ $# -eq 2 ] || usage; cmd_port "$2" ;;
  fetch)
    if [ $# -lt 5 ] || [ $# -gt 7 ]; then usage; fi
    shift
    cmd_fetch "$@"
    ;;
  selftest) [ $# -eq 2 ] || usage; cmd_selftest "$2" ;;
  *) usage ;;
esac
