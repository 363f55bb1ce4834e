#!/usr/bin/env bash
# Adapter between the conformance harness's client mode and our `mcp-client`.
#
# The harness runs `<command> <url>` (it splits --command on spaces and appends the URL of its
# scenario server as the last argument) with MCP_CONFORMANCE_SCENARIO set to the scenario's name.
# So ci.sh passes --command "bash tests/interop/conformance_client.sh" and this script turns the
# scenario into the mcp-client command line that scenario expects:
#   initialize  connect (initialize + notifications/initialized) and list the tools
#   tools_call  call add_numbers {a: 2, b: 3}, the tool that scenario's server offers
#
# The binary is $MCP_CLIENT_BIN, or target/debug/mcp-client of this repository.
set -euo pipefail

url="${1:?usage: conformance_client.sh URL (scenario in MCP_CONFORMANCE_SCENARIO)}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${MCP_CLIENT_BIN:-$here/../../target/debug/mcp-client}"

case "${MCP_CONFORMANCE_SCENARIO:-}" in
  initialize) exec "$bin" --url "$url" tools ;;
  tools_call) exec "$bin" --url "$url" call add_numbers a=2 b=3 ;;
  *)
    echo "conformance_client.sh: no mcp-client command for scenario '${MCP_CONFORMANCE_SCENARIO:-}'" >&2
    exit 2
    ;;
esac
