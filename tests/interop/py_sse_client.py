"""Interop check: the official MCP Python SDK's HTTP+SSE client (revision 2024-11-05's transport,
mcp 2.3.0's `mcp.client.sse.sse_client`) against `weather-server --http-sse`.

    python py_sse_client.py http://127.0.0.1:PORT/sse

Opens GET /sse, lets the SDK find /messages?sessionId=... in the `endpoint` event, and checks,
printing everything it sees:
  1. initialize succeeds over the stream (the negotiated version is printed);
  2. tools/list names get_weather;
  3. get_weather {"city": "Hangzhou"} with a progress callback: not an error, structured content
     names Hangzhou, at least 2 progress notifications arrived (they too travel on the stream);
  4. get_weather with an unknown city: a tool result with is_error true.

Exits 0 when every check holds, 1 on any mismatch, 2 on a crash or time-out.
"""

import sys
from importlib.metadata import version

from mcp import ClientSession
from mcp.client.sse import sse_client

# The checks' bookkeeping and verdict are py_client.py's (the Streamable HTTP client's).
from py_client import UNKNOWN_CITY, check, run_checks, texts


async def run(url: str) -> None:
    print(f"mcp {version('mcp')} sse_client -> {url}")
    async with sse_client(url) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            print(f"initialize: server {init.server_info.name}, protocol {init.protocol_version}")
            check(init.capabilities.tools is not None, "server declares the tools capability")

            page = await session.list_tools()
            names = [t.name for t in page.tools]
            print(f"tools/list: {names}")
            check("get_weather" in names, "tools/list names get_weather")

            progress: list[float] = []

            async def on_progress(p: float, total: float | None, message: str | None) -> None:
                print(f"  progress {p}/{total} {message or ''}")
                progress.append(p)

            result = await session.call_tool(
                "get_weather", {"city": "Hangzhou"}, progress_callback=on_progress
            )
            print(f"get_weather Hangzhou: is_error={result.is_error} text={texts(result)}")
            check(result.is_error is not True, "get_weather Hangzhou is not an error")
            check((result.structured_content or {}).get("city") == "Hangzhou",
                  "structured_content.city is Hangzhou")
            check(len(progress) >= 2, f"at least 2 progress notifications (got {len(progress)})")

            bad = await session.call_tool("get_weather", {"city": UNKNOWN_CITY})
            print(f"get_weather {UNKNOWN_CITY}: is_error={bad.is_error} text={texts(bad)}")
            check(bad.is_error is True, "unknown city gives is_error true")


def main() -> int:
    return run_checks(run, "Python SDK SSE")


if __name__ == "__main__":
    sys.exit(main())
