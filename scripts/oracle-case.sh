#!/usr/bin/env bash
# Make a conformance case with the oracle (Tstat 3.2.1 built from ../shared/tools): copy TRACE
# into tests/data/oracle/NAME/, run the oracle on it with ARGS (paths relative to
# tests/data/oracle, e.g. -N conf/net.private) in UTC, and keep what it wrote as the expected
# output. tests/oracle_cases.rs runs our tstat the same way and wants the same bytes.
#
#   scripts/oracle-case.sh NAME TRACE [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?usage: oracle-case.sh NAME TRACE [ARGS...]}
trace=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
shift 2
oracle=$here/target/oracle/tstat
[ -x "$oracle" ] || "$here/../shared/tools/tstat-3.2.1/build.sh" "$here/target/oracle" >/dev/null
case_dir=$here/tests/data/oracle/$name
rm -rf "$case_dir/expected"
mkdir -p "$case_dir"
cp "$trace" "$case_dir/trace.pcap"
printf '%s\n' "$*" >"$case_dir/args"
cd "$here/tests/data/oracle"
TZ=UTC "$oracle" "$@" -s "$case_dir/expected" "$case_dir/trace.pcap" >"$case_dir/stdout.txt" 2>&1 || true
sed -i "s|$case_dir|CASE|g" "$case_dir/stdout.txt"
echo "$name: $(find "$case_dir/expected" -type f | wc -l) files from the oracle"
