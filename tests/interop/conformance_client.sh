#!/usr/bin/env bash
# Adapter between the conformance harness's client mode and our `mcp-client`.
#
# The harness runs `<command> <url>` (it splits --command on spaces and appends the URL of its
# scenario server as the last argument) with MCP_CONFORMANCE_SCENARIO set to the scenario's name
# (and MCP_CONFORMANCE_CONTEXT, a JSON object, for scenarios that say what to call). So ci.sh
# passes --command "bash tests/interop/conformance_client.sh" and this script turns the scenario
# into the mcp-client command lines it expects. The era is always auto, the client's default: each
# scenario server is modern or legacy, and the client has to find out which.
#
#   initialize                      connect and list the tools (legacy: initialize + initialized)
#   tools_call                      call add_numbers {a: 2, b: 3}
#   sse-retry                       call test_reconnection; its stream is cut, the client resumes
#   request-metadata                list the tools (the server refuses the first POST with -32022)
#   sep-2322-client-request-state   the four MRTR tools, the confirmations answered with --answer
#   http-standard-headers           two tool calls (Mcp-Method, Mcp-Name)
#   http-custom-headers             the calls MCP_CONFORMANCE_CONTEXT lists (Mcp-Param-*)
#   http-invalid-tool-headers       call valid_tool (the invalid tools must be left out)
#   json-schema-ref-no-deref        list the tools (a remote $ref must not be fetched)
#   json-schema-2020-12-preservation  echo the focal tool's inputSchema back, as it came
#
# Each call is one run of the binary: a new client that probes and lists again, as a user would.
# The binary is $MCP_CLIENT_BIN, or target/debug/mcp-client of this repository. The JSON is taken
# apart with python3 (every CI machine here has it; jq is not installed).
set -euo pipefail

url="${1:?usage: conformance_client.sh URL (scenario in MCP_CONFORMANCE_SCENARIO)}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${MCP_CLIENT_BIN:-$here/../../target/debug/mcp-client}"
client() { "$bin" --url "$url" "$@"; }

case "${MCP_CONFORMANCE_SCENARIO:-}" in
  initialize | request-metadata | json-schema-ref-no-deref) client tools ;;
  tools_call) client call add_numbers a=2 b=3 ;;
  sse-retry) client call test_reconnection ;;
  sep-2322-client-request-state)
    client call test_mrtr_echo_state --answer confirmed=true
    client call test_mrtr_unrelated
    client call test_mrtr_no_state --answer confirmed=true
    client call test_mrtr_no_result_type
    ;;
  http-standard-headers)
    client call test_headers
    client call my-hyphenated-tool
    ;;
  http-custom-headers)
    # One line per call: the tool's name, a tab, its arguments as JSON.
    python3 -c '
import json, os
for call in json.loads(os.environ["MCP_CONFORMANCE_CONTEXT"])["toolCalls"]:
    print(call["name"] + "\t" + json.dumps(call["arguments"]))' |
      while IFS=$'\t' read -r name arguments; do
        client call "$name" --args "$arguments" </dev/null # stdin is the list, not an answer
      done
    ;;
  http-invalid-tool-headers) client call valid_tool region=us-west1 ;;
  json-schema-2020-12-preservation)
    schema="$(client --json tools | python3 -c '
import json, sys
for line in sys.stdin:
    for tool in json.loads(line).get("result", {}).get("tools", []):
        if tool["name"] == "json_schema_2020_12_tool":
            print(json.dumps({"schema": tool["inputSchema"]}))')"
    client call json_schema_echo --args "$schema"
    ;;
  *)
    echo "conformance_client.sh: no mcp-client command for scenario '${MCP_CONFORMANCE_SCENARIO:-}'" >&2
    exit 2
    ;;
esac
