"""Interop check: the official MCP Python SDK (mcp 2.3.0) as a client of our weather server.

    python py_client.py http://127.0.0.1:PORT/mcp

Opens one Streamable HTTP session and checks, printing everything it sees:
  1. initialize succeeds (server name and negotiated protocol version are printed);
  2. tools/list (all pages) names get_weather;
  3. get_weather {"city": "Hangzhou"} with a progress callback: not an error, text mentions
     Hangzhou, structured content names Hangzhou, and at least 2 progress callbacks arrived with
     non-decreasing progress;
  4. get_weather with an unknown city: a tool result with is_error true (not a protocol error).
Leaving the session sends DELETE (the SDK's terminate_on_close), so that is exercised too.

Exits 0 when every check holds, 1 on any mismatch, 2 on a crash or time-out.
"""

import asyncio
import sys
import traceback
from importlib.metadata import version

from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

UNKNOWN_CITY = "Atlantis-Under-The-Sea"
TIME_LIMIT_SECONDS = 60

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


def texts(result) -> list[str]:
    return [c.text for c in result.content if getattr(c, "type", None) == "text"]


async def run(url: str) -> None:
    print(f"mcp {version('mcp')} -> {url}")
    async with streamable_http_client(url) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            print(f"initialize: server {init.server_info.name} {init.server_info.version}, "
                  f"protocol {init.protocol_version}")
            check(bool(init.server_info.name), "initialize returns server_info.name")
            check(init.capabilities.tools is not None, "server declares the tools capability")

            names: list[str] = []
            cursor = None
            for _ in range(100):  # bounded: a server that loops on one cursor must not hang us
                page = await session.list_tools(
                    params={"cursor": cursor} if cursor else None
                )
                names += [t.name for t in page.tools]
                cursor = page.next_cursor
                if not cursor:
                    break
            print(f"tools/list: {names}")
            check("get_weather" in names, "tools/list names get_weather")

            progress: list[tuple[float, float | None, str | None]] = []

            async def on_progress(p: float, total: float | None, message: str | None) -> None:
                print(f"  progress {p}/{total} {message or ''}")
                progress.append((p, total, message))

            result = await session.call_tool(
                "get_weather", {"city": "Hangzhou"}, progress_callback=on_progress
            )
            print(f"get_weather Hangzhou: is_error={result.is_error} text={texts(result)} "
                  f"structured={result.structured_content}")
            check(result.is_error is not True, "get_weather Hangzhou is not an error")
            check(any("Hangzhou" in t for t in texts(result)), "result text mentions Hangzhou")
            check((result.structured_content or {}).get("city") == "Hangzhou",
                  "structured_content.city is Hangzhou")
            check(len(progress) >= 2, f"at least 2 progress callbacks (got {len(progress)})")
            values = [p for p, _, _ in progress]
            check(values == sorted(values), f"progress never goes down ({values})")

            bad = await session.call_tool("get_weather", {"city": UNKNOWN_CITY})
            print(f"get_weather {UNKNOWN_CITY}: is_error={bad.is_error} text={texts(bad)}")
            check(bad.is_error is True, "unknown city gives is_error true")
            check(bool(texts(bad)), "unknown city's error result has a text explaining it")


def run_checks(run, what: str) -> int:
    """Run `run(url)` under the time limit and turn `failures` into an exit code; `what` names the
    session in the verdict. py_sse_client.py shares it (and `check`, `texts`)."""
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        asyncio.run(asyncio.wait_for(run(sys.argv[1]), TIME_LIMIT_SECONDS))
    except BaseException:  # a crash or time-out is a failure we want to see in full
        traceback.print_exc()
        print(f"FAIL: the {what} session did not complete")
        return 2
    if failures:
        print(f"FAIL: {len(failures)} check(s) failed: {failures}")
        return 1
    print(f"OK: all {what} checks passed")
    return 0


def main() -> int:
    return run_checks(run, "Python SDK")


if __name__ == "__main__":
    sys.exit(main())
