#!/bin/sh
# Tests of files/tstat.init outside OpenWrt: syntax (sh -n), shellcheck, and the
# UCI-to-arguments translation with the shipped /etc/config/tstat, loaded through stubs of
# OpenWrt's config_* functions (the UCI file is itself valid shell for the stubs below).
# With TSTAT_BIN set, the generated runtime.conf is also fed to that tstat binary.
# TSTAT_INIT and TSTAT_UCI test other copies of the two files (scripts/test-packages.sh: the
# ones a package installed).
#
#   openwrt-package/test-init.sh        (run by .ci/run)
# shellcheck disable=SC1090,SC1091,SC2046,SC2154,SC2317 # sourced files, stubs called by name
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
init=${TSTAT_INIT:-$here/files/tstat.init}
uci=${TSTAT_UCI:-$here/files/tstat.config}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() { # NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		printf 'FAIL %s\n  expected: %s\n  got:      %s\n' "$1" "$2" "$3"
	fi
}

# --- stubs of /lib/functions.sh: UCI values live in variables CONFIG_<section>_<option> ---
config() { section=$2; }
option() { eval "CONFIG_${section}_$1=\$2"; }
list() { eval "CONFIG_${section}_$1=\"\${CONFIG_${section}_$1}\$2
\""; }
config_load() { . "$uci_file"; }
config_get() { eval "$1=\${CONFIG_$2_$3-\$4}"; }
config_get_bool() { config_get "$@"; eval "case \$$1 in 1|on|true|yes|enabled) $1=1 ;; *) $1=0 ;; esac"; }
# Items through a file, not a pipe: a pipe would run the callback in a subshell.
config_list_foreach() {
	eval "items=\${CONFIG_$1_$2}"
	printf '%s' "$items" >"$work/items"
	while IFS= read -r item; do "$3" "$item"; done <"$work/items"
}
reset_uci() { unset $(set | sed -n 's/^\(CONFIG_[A-Za-z0-9_]*\)=.*/\1/p'); }

# Load the init script's functions (rc.common is not there: nothing runs at load).
. "$init"
GENERATED_RUNTIME=$work/var/runtime.conf

# Arguments as tstat_args gives them, one per line.
args_of() {
	uci_file=$1
	reset_uci
	config_load tstat
	tstat_arg() { printf '%s\n' "$1"; }
	tstat_args main
}

# 1. Syntax and lint of the init script.
sh -n "$init"; check "sh -n" 0 $?
if command -v shellcheck >/dev/null; then
	shellcheck "$init"; check "shellcheck" 0 $?
else
	echo "shellcheck not installed: lint skipped"
fi

# 2. The shipped configuration.
nl='
'
check "shipped config" "$(printf '%s\n' -l -i br-lan -s /tmp/tstat -T "$GENERATED_RUNTIME" -G /etc/tstat/globals.conf -N /etc/tstat/net.private)" \
	"$(args_of "$uci")"

# 3. Changed settings: values with spaces stay one argument; an empty net_file drops -N;
#    a given runtime_conf is used as it is.
sed -e "s|option interface 'br-lan'|option interface 'eth0.2'|" \
	-e "s|option output_dir '/tmp/tstat'|option output_dir '/mnt/usb stick/tstat'|" \
	-e "s|option net_file '/etc/tstat/net.private'|option net_file ''|" \
	-e "s|option runtime_conf ''|option runtime_conf '/etc/tstat/runtime.conf'|" \
	"$uci" >"$work/changed"
out=$(args_of "$work/changed")
check "changed config" "$(printf '%s\n' -l -i eth0.2 -s '/mnt/usb stick/tstat' -T /etc/tstat/runtime.conf -G /etc/tstat/globals.conf)" "$out"
check "space kept in one argument" 9 "$(printf '%s\n' "$out" | wc -l | tr -d ' ')"

# 4. runtime.conf from the `log` list: listed logs on, all others off.
uci_file=$uci
reset_uci
config_load tstat
tstat_write_runtime main "$work/runtime.conf"
check "logs on" "log_tcp_complete = 1${nl}log_tcp_nocomplete = 1${nl}log_udp_complete = 1" "$(grep '= 1' "$work/runtime.conf")"
check "logs off" 7 "$(grep -c '= 0' "$work/runtime.conf")"
if [ -n "${TSTAT_BIN:-}" ]; then
	"$TSTAT_BIN" -T "$work/runtime.conf" -s "$work/out" "$root/tests/data/sample.pcap" >/dev/null 2>&1
	check "tstat accepts the generated runtime.conf" "log_tcp_complete${nl}log_tcp_nocomplete${nl}log_udp_complete" \
		"$(ls "$work"/out/*.out/)"
fi

# 5. The disk budget: oldest folders go first, the newest stays, 0 means no limit.
mkdir -p "$work/p"
for d in 2024_01_01_00_00 2024_01_02_00_00 2024_01_03_00_00; do
	mkdir "$work/p/$d.out"
	head -c 102400 /dev/zero >"$work/p/$d.out/log_tcp_complete"
done
tstat_prune "$work/p" 0
check "budget 0 deletes nothing" 3 "$(find "$work/p" -name '*.out' | wc -l | tr -d ' ')"
tstat_prune "$work/p" 250
check "over budget: oldest deleted" "2024_01_02_00_00.out 2024_01_03_00_00.out" "$(cd "$work/p" && echo *.out)"
tstat_prune "$work/p" 1
check "the newest is kept" "2024_01_03_00_00.out" "$(cd "$work/p" && echo *.out)"

# 6. start_service with procd stubs: the command procd gets, respawn, disabled means no start.
procd_open_instance() { echo "open"; }
procd_set_param() { echo "set $*"; }
procd_append_param() { echo "append $*"; }
procd_close_instance() { echo "close"; }
logger() { echo "logger $*"; }
sed -e "s|option enabled '0'|option enabled '1'|" -e "s|/tmp/tstat|$work/o|" \
	-e "s|option log_sync_upstream ''|option log_sync_upstream 'rsync://x'|" "$uci" >"$work/enabled"
unset -f tstat_arg
. "$init"
GENERATED_RUNTIME=$work/var/runtime.conf
reset_uci
uci_file=$work/enabled
out=$(start_service)
check "procd command" "set command /usr/bin/tstat append command -l append command -i append command br-lan" \
	"$(printf '%s\n' "$out" | grep -E 'command' | head -4 | tr '\n' ' ' | sed 's/ $//')"
check "respawn" 1 "$(printf '%s\n' "$out" | grep -c '^set respawn 3600 5 5$')"
check "log sync without the binary warned" 1 "$(printf '%s\n' "$out" | grep -c '^logger .*not installed')"
config_load tstat
tstat_write_log_sync_conf main "$work/ls.conf"
check "log_sync config" "server rsync://x|probe_id |key /etc/tstat/log_sync.key|server_key |base $work/o|keep_kb 6144" \
	"$(grep -v '^#' "$work/ls.conf" | tr '\n' '|' | sed 's/|$//')"
check "output folder made" 0 "$([ -d "$work/o" ]; echo $?)"
reset_uci
uci_file=$uci
check "disabled: nothing started" "" "$(start_service)"

echo "init script: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
