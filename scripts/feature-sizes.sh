#!/usr/bin/env bash
# What each Cargo feature costs in binary size on one target: the release-small build with no
# feature, then with each feature alone, then the router and desktop sets. Prints a table;
# asserts nothing (size-budget and .ci/cross do that).
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
  stat -c %s "target/$target/release-small/tstat"
}

base=$(size_with "")
printf '%-10s %10s %10s\n' features bytes "+bytes"
printf '%-10s %10d %10s\n' none "$base" -
for f in dpi gzip zstd xz router desktop; do
  s=$(size_with "$f")
  printf '%-10s %10d %+10d\n' "$f" "$s" $((s - base))
done
