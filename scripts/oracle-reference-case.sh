#!/usr/bin/env bash
# Make a conformance case on a trace of the reference corpus with the oracle (Tstat 3.2.1 built
# from ../shared/tools), for options the corpus runs lack: run the oracle from the reference
# folder (../shared/reference) in UTC with ARGS and TRACE (relative to that folder; `DATA/`
# names tests/data/oracle-reference/), and keep what it wrote as
# tests/data/oracle-reference/NAME/expected. tests/oracle_reference_cases.rs runs our tstat the
# same way (with TSTAT_REFERENCE) and wants the same bytes. The trace is not copied: the corpus
# has it.
#
#   scripts/oracle-reference-case.sh NAME TRACE [ARGS...]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?usage: oracle-reference-case.sh NAME TRACE [ARGS...]}
trace=${2:?usage: oracle-reference-case.sh NAME TRACE [ARGS...]}
shift 2
reference=${TSTAT_REFERENCE:-$here/../shared/reference}
oracle=$here/target/oracle/tstat
[ -x "$oracle" ] || "$here/../shared/tools/tstat-3.2.1/build.sh" "$here/target/oracle" >/dev/null
data=$here/tests/data/oracle-reference
case_dir=$data/$name
rm -rf "$case_dir/expected"
mkdir -p "$case_dir"
printf '%s\n' "$*" >"$case_dir/args"
printf '%s\n' "$trace" >"$case_dir/trace"
args=()
for a in "$@"; do args+=("${a//DATA\//$data/}"); done
cd "$reference"
TZ=UTC "$oracle" "${args[@]}" -s "$case_dir/expected" "$trace" >"$case_dir/stdout.txt" 2>&1 || true
sed -i "s|$case_dir|CASE|g; s|$data|DATA|g" "$case_dir/stdout.txt"
echo "$name: $(find "$case_dir/expected" -type f | wc -l) files from the oracle"
