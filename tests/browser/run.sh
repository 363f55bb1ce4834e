#!/usr/bin/env bash
# The weather page (GET /) in a real browser: headless Chromium opens it against a running
# weather-server, once per era and framing, and the progress bar must reach 3/3 and the result
# must appear (tests/browser/drive.py does the checking).
#
#   bash tests/browser/run.sh                        # about 10 s once built and installed
#   UPDATE_SCREENSHOT=1 bash tests/browser/run.sh    # also rewrite docs/img/page.png
#
# 1. installs Debian's chromium when it is missing (as root, through apt-get; the pinned version
#    when the archive still has it, else the candidate, and it says so);
# 2. builds weather-server and starts it twice on free loopback ports (--port 0), 50 ms steps: open,
#    and with --auth-token;
# 3. runs drive.py: SSE and NDJSON, each in the 2025-11-25 and the 2026-07-28 era, on the open server;
#    and on the other, one call with the token typed into the page;
# 4. the first case's page is saved as a PNG, into docs/img/page.png with UPDATE_SCREENSHOT=1 (the
#    README shows that one; it is not rewritten on every run, since every run's session id differs).
# The work folder (server log, screenshot) is removed after a passing run, kept and printed after a
# failing one or with BROWSER_KEEP=1.
# Needs python3 (standard library only). Environment: CHROMIUM (a browser to use instead),
# CARGO_TARGET_DIR (where cargo builds), BROWSER_KEEP.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

# Debian's security archive keeps only the newest chromium, so a pin goes stale within weeks: the
# script then says so and installs the candidate (measured 2026-12-01: 148 had been replaced).
CHROMIUM_PACKAGE_VERSION="156.0.8078.114-1~deb12u1"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mcp-browser.XXXXXX")"
SERVER_PIDS=()

say() { echo "[browser] $*"; }

cleanup() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

# 1. The browser.
install_chromium() {
  if [ "$(id -u)" != 0 ]; then
    say "chromium is missing; install it as root: apt-get install -y chromium=$CHROMIUM_PACKAGE_VERSION"
    exit 1
  fi
  local version="$CHROMIUM_PACKAGE_VERSION"
  if ! apt-cache policy chromium | grep -qF " $version "; then
    apt-get update -q >&2 || true
  fi
  if ! apt-cache policy chromium | grep -qF " $version "; then
    version="$(apt-cache policy chromium | sed -n 's/^ *Candidate: //p')"
    if [ -z "$version" ] || [ "$version" = "(none)" ]; then
      say "no chromium package in this system's archives"
      exit 1
    fi
    say "chromium $CHROMIUM_PACKAGE_VERSION is no longer in the archive; installing the candidate, $version"
  fi
  say "installing chromium $version (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "chromium=$version" >&2
}

CHROMIUM="${CHROMIUM:-}"
if [ -z "$CHROMIUM" ]; then
  command -v chromium >/dev/null || install_chromium
  CHROMIUM="$(command -v chromium)"
fi
say "$("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"

# 2. The servers, on ports the OS picks (other CI steps use fixed ones): one open, one that wants a
# bearer token.
TOKEN="page-test-$$"
start_server() { # NAME ARGS...: start weather-server, and set BASE to its http://host:port
  local name="$1" _
  shift
  "${CARGO_TARGET_DIR:-target}/debug/weather-server" --port 0 --step-delay-ms 50 "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
  SERVER_PIDS+=($!)
  BASE=""
  for _ in $(seq 1 100); do # up to 10 s
    BASE="$(sed -n 's|^weather-server listening on \(http://[^ ]*\)/mcp.*|\1|p' "$WORK/$name.out" | head -n1)"
    [ -n "$BASE" ] && return 0
    sleep 0.1
  done
  say "weather-server $* did not start:"
  cat "$WORK/$name.err" >&2
  exit 1
}
cargo build -q --bin weather-server
start_server open
OPEN_BASE="$BASE"
start_server token --auth-token "$TOKEN"
TOKEN_BASE="$BASE"
say "weather-server at $OPEN_BASE/, and with --auth-token at $TOKEN_BASE/"

# 3. The checks.
rc=0
python3 "$HERE/drive.py" "$CHROMIUM" "$OPEN_BASE" "$WORK/page.png" "$TOKEN_BASE" "$TOKEN" || rc=$?

# 4. The screenshot.
if [ "$rc" = 0 ] && [ "${UPDATE_SCREENSHOT:-}" = 1 ]; then
  mkdir -p docs/img
  cp "$WORK/page.png" docs/img/page.png
  say "docs/img/page.png rewritten"
fi
if [ "$rc" != 0 ]; then
  say "FAILED; the servers' logs and the last page: $WORK"
elif [ "${BROWSER_KEEP:-}" = 1 ]; then
  say "the servers' logs and the screenshot: $WORK"
else
  rm -rf "$WORK"
fi
exit "$rc"
