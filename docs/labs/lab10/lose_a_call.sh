#!/usr/bin/env bash
# Lab 10, lose a call on HTTP+SSE: docs/labs/lab_10-lose-a-call-on-http-sse.md
#
# Usage: MCP_SSE_URL=http://127.0.0.1:8000/sse LAB10_CITY=Hangzhou bash docs/labs/lab10/lose_a_call.sh
#        (against `weather-server --http-sse --step-delay-ms 1000`)
# Check: cargo test --test labs lab_10 -- --ignored
#
# With curl, revision 2024-11-05's transport, printing what you see:
#   1. open GET $MCP_SSE_URL in the background (curl -N, into a file) and read its endpoint event
#   2. POST initialize (protocolVersion 2024-11-05), notifications/initialized and a tools/call of
#      get_weather {"city": "$LAB10_CITY"} with a progressToken to that endpoint; print each status
#   3. as soon as the first notifications/progress is on the stream, cut it (kill that curl), and
#      print the stream as it was
#   4. wait a second, POST one more message (a ping) to the same endpoint, and print its status
set -euo pipefail
URL=${MCP_SSE_URL:-http://127.0.0.1:8000/sse}
CITY=${LAB10_CITY:-Hangzhou}

# TODO: replace these two lines with the four steps.
echo "TODO: lab 10 is not done yet; write the four steps against $URL (city: $CITY) in $0"
exit 1
