#!/usr/bin/env bash
# Run tstat on every reference trace, as ../shared/reference/README.md says Tstat 3.2.1 was run,
# and compare the logs with tstat-compare.
#
#   scripts/conformance.sh [REFERENCE] [netpriv|netall] [tstat-compare options...]
#
# REFERENCE defaults to $TSTAT_REFERENCE or ../shared/reference. Output trees go to
# target/conformance/<net>/{ref,cand}.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ref=$(cd "${1:-${TSTAT_REFERENCE:-$here/../shared/reference}}" && pwd)
net=${2:-netpriv}
shift $(( $# > 2 ? 2 : $# )) || true
case $net in netpriv) netfile=net.private ;; netall) netfile=net.all ;; *) echo "net must be netpriv or netall" >&2; exit 2 ;; esac
bin=${TSTAT_BIN:-$here/target/release/tstat}
[ -x "$bin" ] || (cd "$here" && cargo build --release --quiet)
work=$here/target/conformance/$net
rm -rf "$work"; mkdir -p "$work/ref" "$work/cand"
compare=$(cd "$ref/../tools" 2>/dev/null && pwd)/tstat-compare
while IFS=$'\t' read -r file _; do
  [ "$file" = file ] && continue
  out=$ref/tstat-3.2.1/$file/$net/tstat_out
  [ -d "$out" ] || continue
  name=${file//\//__}
  ln -s "$out" "$work/ref/$name"
  ( cd "$ref" && env TZ=UTC "$bin" -N "conf/$netfile" -T conf/runtime.conf -H conf/histo.conf -B conf/bayes -g \
      -s "$work/cand/$name" "traces/$file" >"$work/cand/$name.stdout" 2>"$work/cand/$name.stderr" ) || echo "exit $? on $file" >&2
done < "$ref/MANIFEST.tsv"
python3 "$compare" --corpus "$work/ref" "$work/cand" --logs log_tcp_complete,log_tcp_nocomplete,log_udp_complete "$@"
