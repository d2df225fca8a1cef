#!/usr/bin/env bash
# Stops exactly the Azurite that eng/servers/azurite/start.sh started (the PID recorded in $WHARF_AZURITE_DIR/pid):
# TERM, up to 10 s to exit, then KILL. The recorded PID is only signalled while it is still that process (Azurite's
# blob main.js running in this state directory's data/ folder), so a PID reused by an unrelated process after a crash
# or reboot is never touched. Then removes the state directory (set WHARF_AZURITE_KEEP=1 to keep it, e.g. to restart
# a disk-mode server with its data). Safe to run when nothing is running.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
DIR=$(realpath -m "${WHARF_AZURITE_DIR:-$REPO/artifacts/servers/azurite}")
KEEP=${WHARF_AZURITE_KEEP:-${KEEP:-0}}

# True while $1 is alive and is still an Azurite blob server started in this state directory.
ours() {
  [ -r "/proc/$1/cmdline" ] || return 1
  local cwd
  cwd=$(readlink "/proc/$1/cwd" 2>/dev/null) || return 1
  [ "$cwd" = "$DIR/data" ] || [ "$cwd" = "$DIR/data (deleted)" ] || return 1
  tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null | grep -q '/azurite/dist/src/blob/main\.js$'
}

if [ -f "$DIR/pid" ]; then
  pid=$(head -n 1 "$DIR/pid")
  case "$pid" in
    '' | *[!0-9]*) echo "azurite stop: $DIR/pid holds no PID; nothing to stop" ;;
    *)
      if ! ours "$pid"; then
        echo "azurite stop: azurite ($pid) is not running (or that PID is no longer ours); skipped"
      else
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 1 40); do ours "$pid" || break; sleep 0.25; done
        if ours "$pid"; then
          kill -KILL "$pid" 2>/dev/null
          for _ in $(seq 1 20); do ours "$pid" || break; sleep 0.25; done
          echo "azurite stop: killed azurite ($pid) after TERM timed out"
        else
          echo "azurite stop: stopped azurite ($pid)"
        fi
      fi
      ;;
  esac
  rm -f "$DIR/pid" "$DIR/env"
else
  echo "azurite stop: no $DIR/pid; nothing to stop"
fi

if [ "$KEEP" = 1 ]; then
  [ -d "$DIR" ] && echo "azurite stop: kept $DIR"
elif [ -e "$DIR/.wharf-azurite-state" ]; then
  rm -rf "$DIR"
elif [ -d "$DIR" ]; then
  rmdir "$DIR" 2>/dev/null || echo "azurite stop: $DIR was not created by start.sh; left as is"
fi
exit 0
