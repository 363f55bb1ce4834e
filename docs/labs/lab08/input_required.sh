#!/usr/bin/env bash
# Lab 8, input_required by hand: docs/labs/lab_08-input-required-by-hand.md
#
# Usage: MCP_URL=http://127.0.0.1:8000/mcp bash docs/labs/lab08/input_required.sh
# Check: cargo test --test labs lab_08 -- --ignored
#
# With curl, against $MCP_URL, revision 2026-07-28, printing each response body:
#   1. tools/call get_weather {"city": "Springfield"}, declaring elicitation: an input_required result
#   2. the same call again, with inputResponses (the choice: $LAB08_CHOICE, or the first one offered)
#      and the requestState the server gave, byte for byte: the complete result
#   3. the same retry once more with requestState changed: the server's refusal
set -euo pipefail
URL=${MCP_URL:-http://127.0.0.1:8000/mcp}
CHOICE=${LAB08_CHOICE:-}

# TODO: replace these two lines with the three requests.
echo "TODO: lab 8 is not done yet; write the three requests to $URL in $0"
exit 1
