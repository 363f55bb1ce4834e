#!/usr/bin/env bash
# Lab 7, a modern call by hand: docs/labs/lab_07-a-modern-call-by-hand.md
#
# Usage: MCP_URL=http://127.0.0.1:8000/mcp LAB07_CITY=Hangzhou bash docs/labs/lab07/modern_call.sh
# Check: cargo test --test labs lab_07 -- --ignored
#
# With curl, against $MCP_URL, revision 2026-07-28 (no initialize, no session), printing each body:
#   1. server/discover, with MCP-Protocol-Version and Mcp-Method headers and params._meta
#   2. tools/call get_weather {"city": "$LAB07_CITY"} with params._meta (protocolVersion,
#      clientInfo, clientCapabilities, progressToken), the headers MCP-Protocol-Version,
#      Mcp-Method and Mcp-Name, and an Accept that lets the progress stream (curl -N)
set -euo pipefail
URL=${MCP_URL:-http://127.0.0.1:8000/mcp}
CITY=${LAB07_CITY:-Hangzhou}

# TODO: replace these two lines with the two requests.
echo "TODO: lab 7 is not done yet; write the two requests to $URL (city: $CITY) in $0"
exit 1
