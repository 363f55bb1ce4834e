"""A weather MCP server built with the official Python SDK (mcp 2.3.0), for interop tests.

    python py_weather_server.py PORT

Serves Streamable HTTP on http://127.0.0.1:PORT/mcp with one tool, get_weather(city), which
reports progress three times (with short pauses, so a streaming client sees them arrive one by
one) and then answers from a small fixed table. An unknown city raises ToolError, which the SDK
turns into a result with isError: true (not a JSON-RPC error).

tests/interop_python.rs starts this script and drives it with our Rust client.
"""

import sys

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError

WEATHER = {
    "Hangzhou": "Light rain, 18.5 °C",
    "Beijing": "Sunny, 12.3 °C",
    "Wuhan": "Cloudy, 21.0 °C",
    "Zürich": "Fog, 6.0 °C",
}

STEP_SECONDS = 0.2

mcp = MCPServer(name="py-weather", version="0.1.0")


@mcp.tool()
async def get_weather(city: str, ctx: Context) -> str:
    """Get the current weather for a city from a small fixed table."""
    await ctx.report_progress(progress=1, total=3, message=f"Looking up {city}")
    await anyio.sleep(STEP_SECONDS)
    found = next((name for name in WEATHER if name.lower() == city.strip().lower()), None)
    if found is None:
        raise ToolError(f"Unknown city {city!r}; try one of: {', '.join(WEATHER)}")
    await ctx.report_progress(progress=2, total=3, message=f"Reading the sky over {found}")
    await anyio.sleep(STEP_SECONDS)
    await ctx.report_progress(progress=3, total=3, message=f"Weather for {found} ready")
    return f"{found}: {WEATHER[found]}"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: py_weather_server.py PORT")
    # DNS-rebinding protection is on by default for 127.0.0.1: the Host header must name it.
    mcp.run(transport="streamable-http", host="127.0.0.1", port=int(sys.argv[1]))
