#!/usr/bin/env bash
# Starts a throwaway Azurite 3.37 (Microsoft's Azure Storage emulator), Blob service only, on 127.0.0.1: the Azure
# Blob server for the tests. Install it first with eng/servers/azurite/install.sh; stop it with stop.sh.
#
# Everything (PID, env file, logs, data in disk mode) lives under the state directory. Any number of instances can
# run at once, each with its own WHARF_AZURITE_DIR and WHARF_AZURITE_PORT (a test that stops and restarts a server
# must set BOTH: start.sh first stops whatever its state directory records as running).
#
# Settings (environment):
#   WHARF_AZURITE_DIR              state directory                 (default: <repo>/artifacts/servers/azurite)
#   WHARF_AZURITE_PORT             Blob port on 127.0.0.1          (default: 10000)
#   WHARF_AZURITE_INSTALL_DIR      where install.sh put Azurite    (default: <repo>/artifacts/servers/azurite-install)
#   WHARF_AZURITE_PERSISTENCE      memory | disk                   (default: memory; disk writes to $DIR/data)
#   WHARF_AZURITE_RESUME=1         disk mode: keep $DIR/data from the previous run (stopped with WHARF_AZURITE_KEEP=1
#                                  or crashed), so blobs survive a restart; otherwise every start begins empty
#   WHARF_AZURITE_EXTENT_MEMORY_MB RAM cap of blob content, memory (default: Azurite's, 50% of the machine's RAM)
#   WHARF_AZURITE_DEBUG=1          Azurite's debug log in $DIR/log/debug.log (large and slow; off by default)
#   WHARF_AZURITE_ARGS             extra Azurite arguments, split on spaces (e.g. --loose). With --cert (and --key, PEM)
#                                  Azurite serves HTTPS: the endpoint, the readiness check and the probe use https://
#                                  without verifying the certificate (e.g. --oauth basic --cert c.pem --key k.pem)
#   WHARF_AZURITE_TIMEOUT          seconds to wait for the server  (default: 60)
#
# Always passes --disableTelemetry (without it Azurite sends telemetry to outside addresses). No --skipApiVersionCheck:
# the tests prove that the service version the backend sends (x-ms-version) is one Azurite accepts.
# Uses the well-known development account devstoreaccount1 and its key, as Azurite defines them; AZURITE_ACCOUNTS from
# the caller's environment is ignored. Path-style URLs: http://127.0.0.1:<port>/devstoreaccount1/<container>/<blob>
# (https:// with --cert).
#
# On success it writes $WHARF_AZURITE_DIR/env, to be sourced, exporting WHARF_AZURE_ENDPOINT, WHARF_AZURE_ACCOUNT,
# WHARF_AZURE_KEY, WHARF_AZURITE_DIR, WHARF_AZURITE_PORT, WHARF_AZURITE_START and WHARF_AZURITE_STOP (absolute paths
# of this script and stop.sh). If a previous run is still recorded (crashed or never stopped), it is stopped first. On
# failure the process started here is stopped, the logs are kept in $WHARF_AZURITE_DIR/log, and the script exits 1.
set -eEuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
DIR=$(realpath -m "${WHARF_AZURITE_DIR:-$REPO/artifacts/servers/azurite}")
PORT=${WHARF_AZURITE_PORT:-10000}
INSTALL=$(realpath -m "${WHARF_AZURITE_INSTALL_DIR:-$REPO/artifacts/servers/azurite-install}")
PERSISTENCE=${WHARF_AZURITE_PERSISTENCE:-memory}
MEMORY_MB=${WHARF_AZURITE_EXTENT_MEMORY_MB:-}
TIMEOUT=${WHARF_AZURITE_TIMEOUT:-60}
MAIN=$INSTALL/node_modules/azurite/dist/src/blob/main.js
ACCOUNT=devstoreaccount1
# Azurite's EMULATOR_ACCOUNT_KEY_STR (dist/src/blob/utils/constants.js): the documented development storage key.
KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
SCHEME=http
case " ${WHARF_AZURITE_ARGS:-} " in *' --cert '*) SCHEME=https ;; esac
ENDPOINT=$SCHEME://127.0.0.1:$PORT/$ACCOUNT
curl_tls=()
[ "$SCHEME" = http ] || curl_tls=(--insecure)   # the caller's own (often self-signed) certificate

t0=$(date +%s%N)
ms() { echo $(( ($(date +%s%N) - t0) / 1000000 )); }

# Prints the end of the log to stderr, stops what was started here, keeps the logs, exits 1.
fail() {
  trap - ERR
  [ "$BASH_SUBSHELL" -eq 0 ] || exit 1
  echo "azurite start: FAILED: $*" >&2
  if [ -s "$DIR/log/azurite.out" ]; then
    echo "---- last lines of $DIR/log/azurite.out" >&2
    tail -n 20 "$DIR/log/azurite.out" | cut -c 1-300 >&2
  fi
  WHARF_AZURITE_DIR=$DIR WHARF_AZURITE_KEEP=1 bash "$HERE/stop.sh" >&2 || true
  echo "azurite start: logs kept in $DIR/log (stop.sh removes them)" >&2
  exit 1
}
trap 'fail "command failed at start.sh line $LINENO"' ERR

case "$PORT" in '' | *[!0-9]*) echo "azurite start: WHARF_AZURITE_PORT=$PORT is not a port number" >&2; exit 1 ;; esac
case "$PERSISTENCE" in memory | disk) ;; *)
  echo "azurite start: WHARF_AZURITE_PERSISTENCE=$PERSISTENCE; expected memory or disk" >&2; exit 1 ;;
esac
for bin in node curl; do
  command -v "$bin" >/dev/null 2>&1 || { echo "azurite start: $bin not found; run eng/servers/azurite/install.sh" >&2; exit 1; }
done
[ -f "$MAIN" ] || { echo "azurite start: $MAIN not found; run eng/servers/azurite/install.sh" >&2; exit 1; }

RESUME=${WHARF_AZURITE_RESUME:-0}
[ "$PERSISTENCE" = disk ] || RESUME=0

# A previous run that crashed or was never stopped must not block this one: stop exactly what it recorded.
if [ -e "$DIR/pid" ]; then
  echo "azurite start: $DIR/pid exists (previous run not stopped); stopping it first"
  WHARF_AZURITE_DIR=$DIR WHARF_AZURITE_KEEP=$RESUME bash "$HERE/stop.sh"
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "azurite start: 127.0.0.1:$PORT is already in use by another process (not recorded in $DIR/pid);" \
    "free it or choose another port (WHARF_AZURITE_PORT)" >&2
  exit 1
fi

# The state directory is wiped here and by stop.sh: refuse a non-empty directory that this script did not create.
MARKER=.wharf-azurite-state
if [ -d "$DIR" ] && [ ! -e "$DIR/$MARKER" ] && [ -n "$(ls -A "$DIR")" ]; then
  echo "azurite start: $DIR exists, is not empty and was not created by start.sh; refusing to wipe it" >&2
  exit 1
fi
if [ "$RESUME" = 1 ] && [ -e "$DIR/$MARKER" ] && [ -d "$DIR/data" ]; then
  find "$DIR" -mindepth 1 -maxdepth 1 ! -name data -exec rm -rf {} +
  echo "azurite start: resuming with the data in $DIR/data"
else
  rm -rf "$DIR"
fi
mkdir -p "$DIR/log" "$DIR/data"
touch "$DIR/$MARKER"

args=(--blobHost 127.0.0.1 --blobPort "$PORT" --disableTelemetry)
if [ "$PERSISTENCE" = memory ]; then
  # Azurite refuses --location together with --inMemoryPersistence; it then only uses its working directory ($DIR/data).
  args+=(--inMemoryPersistence)
  [ -z "$MEMORY_MB" ] || args+=(--extentMemoryLimit "$MEMORY_MB")
else
  args+=(--location "$DIR/data")
fi
[ "${WHARF_AZURITE_DEBUG:-0}" != 1 ] || args+=(--debug "$DIR/log/debug.log")
# shellcheck disable=SC2206
[ -z "${WHARF_AZURITE_ARGS:-}" ] || args+=(${WHARF_AZURITE_ARGS})

# The working directory $DIR/data is what stop.sh checks (with the command line) before it signals the recorded PID.
(cd "$DIR/data" && exec env -u AZURITE_ACCOUNTS nohup node "$MAIN" "${args[@]}" > "$DIR/log/azurite.out" 2>&1 < /dev/null) &
pid=$!
echo "$pid" > "$DIR/pid"

code=000
for ((i = 0; i < TIMEOUT * 10; i++)); do
  kill -0 "$pid" 2>/dev/null || fail "azurite exited; see $DIR/log/azurite.out"
  # Any HTTP answer (an unsigned List Containers gets 403) means the server is up.
  code=$(curl -s "${curl_tls[@]}" -o /dev/null -w '%{http_code}' --max-time 2 "$ENDPOINT?comp=list" || true)
  [ "$code" != 000 ] && break
  sleep 0.1
done
[ "$code" != 000 ] || fail "azurite did not answer GET $ENDPOINT?comp=list within ${TIMEOUT}s"

# Signed probe: the key works and the account can list, create and delete containers.
node "$HERE/probe.js" "$ENDPOINT" "$ACCOUNT" "$KEY" > "$DIR/log/probe.out" 2>&1 ||
  fail "signed probe failed: $(cat "$DIR/log/probe.out")"
rm -f "$DIR/log/probe.out"

{
  printf 'export WHARF_AZURE_ENDPOINT=%q\n' "$ENDPOINT"
  printf 'export WHARF_AZURE_ACCOUNT=%q\n' "$ACCOUNT"
  printf 'export WHARF_AZURE_KEY=%q\n' "$KEY"
  printf 'export WHARF_AZURITE_DIR=%q\n' "$DIR"
  printf 'export WHARF_AZURITE_PORT=%q\n' "$PORT"
  printf 'export WHARF_AZURITE_START=%q\n' "$HERE/start.sh"
  printf 'export WHARF_AZURITE_STOP=%q\n' "$HERE/stop.sh"
} > "$DIR/env.tmp"
mv "$DIR/env.tmp" "$DIR/env"
trap - ERR
echo "azurite start: Blob on $ENDPOINT ready in $(ms) ms ($PERSISTENCE persistence); pid $pid; env in $DIR/env"
