#!/usr/bin/env bash
# Stops exactly the processes eng/servers/rgw/start.sh started (the PIDs recorded in $WHARF_RGW_DIR/pids), newest
# first: TERM, up to 10 s to exit, then KILL. A recorded PID is only signalled while it is still one of those
# processes (its command line names this state directory's ceph.conf), so a PID reused by an unrelated process
# after a crash or reboot is never touched. Then removes the state directory (set WHARF_RGW_KEEP=1 to keep it).
# Safe to run when nothing is running.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
DIR=$(realpath -m "${WHARF_RGW_DIR:-$REPO/artifacts/servers/rgw}")
CONF=$DIR/ceph.conf

# True while $1 is alive and is still a daemon started with our ceph.conf.
ours() {
  [ -r "/proc/$1/cmdline" ] || return 1
  tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null | grep -qxF -- "$CONF"
}

if [ -f "$DIR/pids" ]; then
  while read -r pid name; do
    case "$pid" in '' | *[!0-9]*) continue ;; esac
    if ! ours "$pid"; then
      echo "rgw stop: $name ($pid) is not running (or that PID is no longer ours); skipped"
      continue
    fi
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 40); do ours "$pid" || break; sleep 0.25; done
    if ours "$pid"; then
      kill -KILL "$pid" 2>/dev/null
      for _ in $(seq 1 20); do ours "$pid" || break; sleep 0.25; done
      echo "rgw stop: killed $name ($pid) after TERM timed out"
    else
      echo "rgw stop: stopped $name ($pid)"
    fi
  done < <(tac "$DIR/pids")
  rm -f "$DIR/pids" "$DIR/env"
else
  echo "rgw stop: no $DIR/pids; nothing to stop"
fi

if [ "${WHARF_RGW_KEEP:-0}" = 1 ]; then
  [ -d "$DIR" ] && echo "rgw stop: kept $DIR"
elif [ -e "$DIR/.wharf-rgw-state" ]; then
  rm -rf "$DIR"
elif [ -d "$DIR" ]; then
  rmdir "$DIR" 2>/dev/null || echo "rgw stop: $DIR was not created by start.sh; left as is"
fi
exit 0
