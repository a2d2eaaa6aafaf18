#!/usr/bin/env bash
# What each Cargo feature costs in binary size on one target: the release-small build with no
# feature, then with each feature alone, then the router and portable sets. Prints the file
# size and the loaded bytes (scripts/loaded-bytes.py: without segment alignment padding,
# which on mips rounds the file up in 64 KiB steps and hides small differences). Asserts
# nothing (size-budget and .ci/cross do that).
#
#   scripts/feature-sizes.sh [TARGET]     (default mipsel-unknown-linux-musl)
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-mipsel-unknown-linux-musl}
.ci/cross-sysroot "$target"
# shellcheck source=.ci/cross-env
source .ci/cross-env
cross_env "$target"

size_with() {
  local features=$1 args=(--no-default-features)
  [ -n "$features" ] && args+=(--features "$features")
  nice -n 10 cargo build --locked --quiet "${BUILD_STD[@]}" --target "$target" \
    --profile release-small "${args[@]}" 2>/dev/null
  local bin=target/$target/release-small/tstat
  echo "$(stat -c %s "$bin") $(python3 scripts/loaded-bytes.py "$bin")"
}

read -r base_file base_loaded < <(size_with "")
printf '%-10s %10s %10s %10s %10s\n' features file "+file" loaded "+loaded"
printf '%-10s %10d %10s %10d %10s\n' none "$base_file" - "$base_loaded" -
for f in dpi dns-log http-log live histo rrd graphite gzip zstd xz router portable; do
  read -r file loaded < <(size_with "$f")
  printf '%-10s %10d %+10d %10d %+10d\n' "$f" "$file" $((file - base_file)) "$loaded" $((loaded - base_loaded))
done
