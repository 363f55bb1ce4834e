#!/usr/bin/env python3
"""Lab 5, a client in another language: docs/labs/lab_05-client-in-another-language.md

Usage: python3 docs/labs/lab05/client.py [URL]     (default http://127.0.0.1:8000/mcp)
Check: cargo test --test labs lab_05 -- --ignored

With Python's standard library only (http.client, urllib, json):
  1. initialize, keep the Mcp-Session-Id; send notifications/initialized
  2. call get_weather {"city": "Hangzhou"} with a progress token, asking for SSE, and read the
     response as it arrives: print `progress <n>/<total> <message>` for each progress
     notification the moment it comes, then `result: <text>` for the result's text
  3. DELETE the session
"""

import sys

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/mcp"


def main() -> int:
    # TODO: replace these two lines with the client.
    print(f"TODO: lab 5 is not done yet; write the client for {URL} in {__file__}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
