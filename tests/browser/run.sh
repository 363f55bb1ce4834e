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
# 2. builds weather-server and starts it on a free loopback port (--port 0), 50 ms steps;
# 3. runs drive.py: SSE and NDJSON, each in the 2025-11-25 and the 2026-07-28 era;
# 4. the first case's page is saved as a PNG: into the work folder, printed at the end, and into
#    docs/img/page.png with UPDATE_SCREENSHOT=1 (the README shows that one; it is not rewritten on
#    every run, since every run's session id differs).
# Needs python3 (standard library only). Environment: CHROMIUM (a browser to use instead),
# CARGO_TARGET_DIR (where cargo builds).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT"

CHROMIUM_PACKAGE_VERSION="148.0.7778.167-1~deb12u1"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mcp-browser.XXXXXX")"
SERVER_PID=""

say() { echo "[browser] $*"; }

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
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

# 2. The server, on a port the OS picks: other CI steps use fixed ones.
cargo build -q --bin weather-server
"${CARGO_TARGET_DIR:-target}/debug/weather-server" --port 0 --step-delay-ms 50 \
  >"$WORK/server.out" 2>"$WORK/server.err" </dev/null &
SERVER_PID=$!
BASE=""
for _ in $(seq 1 100); do # up to 10 s
  BASE="$(sed -n 's|^weather-server listening on \(http://[^ ]*\)/mcp.*|\1|p' "$WORK/server.out" | head -n1)"
  [ -n "$BASE" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$BASE" ]; then
  say "weather-server did not start:"
  cat "$WORK/server.err" >&2
  exit 1
fi
say "weather-server at $BASE/"

# 3. The checks.
rc=0
python3 "$HERE/drive.py" "$CHROMIUM" "$BASE" "$WORK/page.png" || rc=$?

# 4. The screenshot.
if [ "$rc" = 0 ] && [ "${UPDATE_SCREENSHOT:-}" = 1 ]; then
  mkdir -p docs/img
  cp "$WORK/page.png" docs/img/page.png
  say "docs/img/page.png rewritten"
fi
say "screenshot: $WORK/page.png"
if [ "$rc" != 0 ]; then
  say "FAILED; the server's log: $WORK/server.err"
fi
exit "$rc"
