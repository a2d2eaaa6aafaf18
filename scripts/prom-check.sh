#!/usr/bin/env bash
# Check a Prometheus textfile written by tstat --prom-file twice: Prometheus' own linter
# (`promtool check metrics`, Debian package prometheus), then a real scrape of it through
# Debian's prometheus-node-exporter textfile collector, run privately on 127.0.0.1 on a
# free port with only that collector, and stopped again at the end. Prints the scraped
# sample lines of the metrics whose names begin with tstat_, as node_exporter serves them:
# families sorted by name, labels sorted by name, values in Go's formatting (1.796e+09),
# untyped metrics given "# HELP ... Metric read from ..." (not printed unless -a).
#
#   scripts/prom-check.sh [-a] FILE
#       -a   print the tstat_ "# HELP" and "# TYPE" lines too
#
# What each stage rejects (measured with Debian 12's promtool 2.42 and node_exporter 1.5):
# - promtool, parse errors (exit 1 there): bad syntax, a second TYPE line for a name or a
#   TYPE after that name's samples, no newline at the end of the file.
# - promtool, lint (exit 3 there): a metric without HELP; a counter without _total or a
#   non-counter with _total/_count/_sum/_bucket; a name containing a type word (histogram,
#   counter, gauge, summary: tstat_histogram_avg fails); abbreviated units as a name part
#   (_s, _m, _b, _ms, _sec, _kb...: every tstat histogram named like mm_cl_b_in, *_s_*
#   fails as part of a metric name, but is fine as a label value); non-base units
#   (_milliseconds); camelCase. promtool does NOT catch a duplicate series.
# - node_exporter: client-side timestamps anywhere in the file make it skip the whole file
#   (node_textfile_scrape_error 1); so does any parse error. A duplicate series (same name
#   and labels twice) is served once, with HTTP 200 and node_textfile_scrape_error 0: only
#   the exporter's log ("was collected before with the same name and label values") and
#   promhttp_metric_handler_errors_total{cause="gathering"} tell; this script checks both.
#   Missing HELP/TYPE is accepted (untyped). A family split by other metrics is accepted.
#
# Exit codes (the first failure's; every stage still runs and prints its diagnostics):
#   0 all good; 1 promtool found a parse error; 3 promtool found lint problems;
#   4 node_exporter reported a textfile error (node_textfile_scrape_error 1) or a gathering
#   error (duplicate series, name clash with its own metrics); 5 no tstat_ sample was
#   scraped; 6 node_exporter did not start or could not be scraped within 15 s;
#   2 usage error, FILE unreadable, or packages could not be installed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
me=prom-check.sh
meta=
if [ "${1:-}" = -a ]; then
  meta=1
  shift
fi
if [ $# -ne 1 ]; then
  sed -n '/^#   scripts/,/^#       -a/p' "${BASH_SOURCE[0]}" | sed 's/^#   //' >&2
  exit 2
fi
file=$1
if [ ! -f "$file" ] || [ ! -r "$file" ]; then
  echo "$me: cannot read $file" >&2
  exit 2
fi
"$here/ensure-debian-packages.sh" prometheus prometheus-node-exporter curl python3 ||
  { echo "$me: prometheus/prometheus-node-exporter/curl/python3 missing" >&2; exit 2; }

status=0
fail() { # code message: remember the first failure
  echo "$me: $2" >&2
  [ "$status" -ne 0 ] || status=$1
}

# 1. promtool
if out=$(promtool check metrics <"$file" 2>&1); then
  :
else
  rc=$?
  printf '%s\n' "$out" >&2
  if [ $rc -eq 3 ]; then fail 3 "promtool check metrics: lint problems (above)"; else fail 1 "promtool check metrics failed (exit $rc)"; fi
fi

# 2. node_exporter's textfile collector
work=$(mktemp -d /tmp/prom-check.XXXXXX)
ne_pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
  if [ -n "$ne_pid" ]; then
    kill "$ne_pid" 2>/dev/null || true
    wait "$ne_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/textfile"
cp "$file" "$work/textfile/x.prom"

scraped=
for _ in 1 2 3; do
  port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
  prometheus-node-exporter --web.listen-address="127.0.0.1:$port" \
    --collector.disable-defaults --collector.textfile \
    --collector.textfile.directory="$work/textfile" </dev/null >"$work/exporter.log" 2>&1 &
  ne_pid=$!
  for ((i = 0; i < 50; i++)); do
    if curl -sf -o "$work/metrics" "http://127.0.0.1:$port/metrics"; then
      scraped=1
      break 2
    fi
    kill -0 "$ne_pid" 2>/dev/null || break # died (port taken?): next port
    sleep 0.1
  done
  kill "$ne_pid" 2>/dev/null || true
  wait "$ne_pid" 2>/dev/null || true
  ne_pid=
done
if [ -z "$scraped" ]; then
  tail -n 5 "$work/exporter.log" >&2
  fail 6 "node_exporter did not serve /metrics"
  exit "$status"
fi
# A second scrape: its promhttp_metric_handler_errors_total counts the first one's errors.
curl -sf -o "$work/metrics2" "http://127.0.0.1:$port/metrics" || : >"$work/metrics2"

if grep -q '^node_textfile_scrape_error 1' "$work/metrics"; then
  grep 'level=error' "$work/exporter.log" | sed 's/^.*msg=/node_exporter: /' >&2 || true
  fail 4 "node_exporter: node_textfile_scrape_error 1 (the whole file was skipped)"
elif grep -q 'level=error' "$work/exporter.log" ||
  grep -Eq '^promhttp_metric_handler_errors_total\{cause="gathering"\} [1-9]' "$work/metrics2"; then
  grep 'level=error' "$work/exporter.log" | cut -c1-400 >&2 || true
  fail 4 "node_exporter: error gathering the textfile's metrics (duplicate series?)"
fi

if [ -n "$meta" ]; then
  pattern='^(tstat_|# (HELP|TYPE) tstat_)'
else
  pattern='^tstat_'
fi
if ! grep -E "$pattern" "$work/metrics"; then
  fail 5 "no tstat_ sample in the scrape"
fi
exit "$status"
