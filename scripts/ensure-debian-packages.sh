#!/usr/bin/env bash
# Install the given Debian packages if any is missing, without letting apt start their
# services, and leave every service the newly installed packages ship stopped and disabled
# (their own carbon-cache, prometheus, prometheus-node-exporter... must not run or hold
# ports: the test scripts start private instances on free loopback ports instead).
# Used by scripts/carbon-on-loopback.sh and scripts/prom-check.sh, so that they also work on
# a fresh Debian 12 machine whose .ci/run has not installed anything yet.
#
#   scripts/ensure-debian-packages.sh PKG...
#
# Packages are installed with --no-install-recommends. While apt runs, a policy-rc.d that
# denies every start (exit 101) is put in place if the machine has none (Docker-style images
# already have one); it is removed again afterwards. Without systemd as PID 1 invoke-rc.d
# would otherwise run /etc/init.d/NAME start wherever the runlevel is known.
# Idempotent: with every package present it does nothing (no apt, no network).
#
# Exit codes: 0 all packages present (installed now or before); 1 apt failed; 2 usage.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 PKG..." >&2
  exit 2
fi

missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

policy=/usr/sbin/policy-rc.d
made_policy=
# shellcheck disable=SC2317 # called by the trap
cleanup() { if [ -n "$made_policy" ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# temporary, from %s: no service starts during apt\nexit 101\n' "$0" >"$policy"
  chmod 755 "$policy"
  made_policy=1
fi

apt_opts=(-o DPkg::Lock::Timeout=120 -o APT::Get::Assume-Yes=true)
# An old package list (or none) may not know the packages: update first if a download fails.
export DEBIAN_FRONTEND=noninteractive
if ! apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}" >/tmp/ensure-debian-packages.log 2>&1; then
  apt-get "${apt_opts[@]}" update -q >>/tmp/ensure-debian-packages.log 2>&1 || true
  if ! apt-get "${apt_opts[@]}" install -y -q --no-install-recommends "${missing[@]}" >>/tmp/ensure-debian-packages.log 2>&1; then
    echo "$0: apt-get install ${missing[*]} failed; see /tmp/ensure-debian-packages.log" >&2
    tail -n 20 /tmp/ensure-debian-packages.log >&2
    exit 1
  fi
fi

# Every init script and systemd unit of the packages just installed: stopped and disabled.
# (The packages' dependencies ship none that listen.)
for p in "${missing[@]}"; do
  while IFS= read -r f; do
    case $f in
      /etc/init.d/*)
        if [ -x "$f" ]; then "$f" stop >/dev/null 2>&1 || true; fi
        update-rc.d "${f##*/}" disable >/dev/null 2>&1 || true
        ;;
      /lib/systemd/system/*.service | /lib/systemd/system/*.timer | /lib/systemd/system/*.socket | \
        /usr/lib/systemd/system/*.service | /usr/lib/systemd/system/*.timer | /usr/lib/systemd/system/*.socket)
        u=${f##*/}
        case $u in *@.*) continue ;; esac
        if [ -d /run/systemd/system ]; then
          systemctl disable --now "$u" >/dev/null 2>&1 || true
        elif command -v systemctl >/dev/null; then
          # Offline: only removes the .wants/ links, so a later boot with systemd won't start it.
          systemctl disable "$u" >/dev/null 2>&1 || true
        fi
        ;;
    esac
  done < <(dpkg -L "$p" 2>/dev/null)
done
exit 0
