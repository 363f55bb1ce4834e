#!/usr/bin/env bash
# The official MCP conformance suite (server mode) against examples/conformance_server.rs.
#
#   CONFORMANCE="node /path/to/@modelcontextprotocol/conformance/dist/index.js" \
#     bash tests/interop/conformance_example.sh
#
# CONFORMANCE is the command that runs the harness (0.1.16, which needs Node >= 22 first on PATH);
# this script installs nothing (tests/interop/install.sh does, for ci.sh). It
# 1. starts `cargo run --example conformance_server -- --port 0` and reads the URL from the first
#    line it prints ("conformance-server listening on http://127.0.0.1:PORT/mcp");
# 2. runs `--suite active`: must exit 0 with "Total: 40 passed, 0 failed";
# 3. runs `--suite all --expected-failures tests/interop/conformance-baseline.yml`: the harness
#    exits 1 on a failure the baseline does not list AND on a listed scenario that now passes
#    (a stale entry), so exit 0 means the baseline is exactly right;
# then prints one PASS/FAIL line per step and `N passed, M failed`, and exits 1 if any failed.
#
# Environment: CONFORMANCE (required), MCP_CONFORMANCE_KEEP=1 keeps the work folder (logs and the
# harness's checks.json files) and prints where it is, MCP_CONFORMANCE_BASELINE another baseline
# file (to see this script fail on a stale entry, list a scenario that passes).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

if [ -z "${CONFORMANCE:-}" ]; then
  echo "conformance_example.sh: set CONFORMANCE to the command that runs the harness, e.g." >&2
  # shellcheck disable=SC2016 # printed as is, for the reader to copy
  echo '  CONFORMANCE="node $HOME/.cache/streamable-mcp-interop/conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js"' >&2
  exit 2
fi
# A command line, split on spaces on purpose (as the harness itself splits --command).
read -r -a HARNESS <<<"$CONFORMANCE"
BASELINE="${MCP_CONFORMANCE_BASELINE:-$HERE/conformance-baseline.yml}"
RUN_TIMEOUT=180 # seconds per harness run; a good run takes 2 s, a lost answer costs 60 s more

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mcp-conformance-example.XXXXXX")"
SERVER_PID=""
PASSED=0
FAILED=0
RESULTS=()

cleanup() {
  local rc=$?
  # Only the server this script started, by its pid.
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ "${MCP_CONFORMANCE_KEEP:-0}" = 1 ]; then
    echo "(logs and checks.json files kept in $WORK)"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

strip_ansi() { sed 's/\x1b\[[0-9;]*[A-Za-z]//g'; }

record() { # PASS|FAIL NAME
  RESULTS+=("$(printf '%-4s %s' "$1" "$2")")
  if [ "$1" = PASS ]; then PASSED=$((PASSED + 1)); else FAILED=$((FAILED + 1)); fi
}

summary() {
  echo
  echo "== conformance example summary"
  local line
  for line in "${RESULTS[@]}"; do echo "$line"; done
  echo "$PASSED passed, $FAILED failed"
}

# ---------------------------------------------------------------------------------------------
echo "== cargo build --example conformance_server"
if ! cargo build --example conformance_server >"$WORK/build.log" 2>&1; then
  sed 's/^/   | /' "$WORK/build.log"
  record FAIL "build examples/conformance_server.rs"
  summary
  exit 1
fi

echo "== start conformance_server"
: >"$WORK/server.out"
: >"$WORK/server.err"
# `cargo run` replaces itself with the server (exec), so $! is the server's pid.
cargo run --quiet --example conformance_server -- --port 0 \
  >"$WORK/server.out" 2>"$WORK/server.err" </dev/null &
SERVER_PID=$!
URL=""
for _ in $(seq 1 100); do # up to 10 s for the first line
  URL="$(head -n1 "$WORK/server.out" | sed -n 's|^conformance-server listening on \(http://[^ ]*/mcp\).*|\1|p' || true)"
  [ -n "$URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$URL" ]; then
  echo "!! no 'listening on' line; server output:"
  cat "$WORK/server.out" "$WORK/server.err" | sed 's/^/   | /'
  record FAIL "start conformance_server"
  summary
  exit 1
fi
echo "   pid $SERVER_PID at $URL"

# run_suite NAME ARGS...: run the harness, show its output without colours, keep it in a file.
run_suite() {
  local name="$1" rc=0
  shift
  echo "== conformance server $*"
  timeout -k 5 "$RUN_TIMEOUT" "${HARNESS[@]}" server --url "$URL" "$@" -o "$WORK/checks-$name" \
    >"$WORK/$name.raw" 2>&1 || rc=$?
  strip_ansi <"$WORK/$name.raw" >"$WORK/$name.log"
  # The per-scenario progress lines are long; the summary says everything.
  sed -n '/=== SUMMARY ===/,$p' "$WORK/$name.log" | sed 's/^/   | /'
  [ "$rc" -eq 124 ] && echo "   (timed out after $RUN_TIMEOUT s)"
  echo "   (exit $rc)"
  return "$rc"
}

# Active suite: exit 0 and every one of its 40 checks passed. (INFO and WARNING checks are not
# counted as passed, so 40 also proves the multiple-streams check got SSE answers.)
if run_suite active --suite active &&
  grep -Eq '^Total: 40 passed, 0 failed' "$WORK/active.log"; then
  record PASS "suite active: $(grep -E '^Total:' "$WORK/active.log")"
else
  record FAIL "suite active: $(grep -E '^Total:' "$WORK/active.log" || echo 'no Total line')"
fi

# Every scenario, pending ones too, against the baseline: the harness decides.
if run_suite all --suite all --expected-failures "$BASELINE"; then
  record PASS "suite all, baseline $(basename "$BASELINE"): $(grep -E '^Total:' "$WORK/all.log")"
else
  record FAIL "suite all, baseline $(basename "$BASELINE") (unexpected failure or stale entry)"
fi

# The 0.2.0-alpha.12 harness, when CONFORMANCE_NEXT names it: each revision's requirement set.
if [ -n "${CONFORMANCE_NEXT:-}" ]; then
  read -r -a HARNESS <<<"$CONFORMANCE_NEXT"
  if run_suite legacy-next --requirements 2025-11-25 --expected-failures "$BASELINE"; then
    record PASS "0.2.0-alpha.12 --requirements 2025-11-25: $(grep -E '^Total:' "$WORK/legacy-next.log")"
  else
    record FAIL "0.2.0-alpha.12 --requirements 2025-11-25 (unexpected failure or stale entry)"
  fi
  if run_suite modern --requirements 2026-07-28 --expected-failures "$HERE/conformance-modern-baseline.yml"; then
    record PASS "0.2.0-alpha.12 --requirements 2026-07-28, baseline conformance-modern-baseline.yml: $(grep -E '^Total:' "$WORK/modern.log")"
  else
    record FAIL "0.2.0-alpha.12 --requirements 2026-07-28 (unexpected failure or stale entry)"
  fi
fi

if ! kill -0 "$SERVER_PID" 2>/dev/null; then
  echo "!! conformance_server exited early; its stderr:"
  sed 's/^/   | /' "$WORK/server.err"
  record FAIL "conformance_server survived both runs"
fi

summary
[ "$FAILED" -eq 0 ]
