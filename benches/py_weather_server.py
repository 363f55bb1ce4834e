"""get_weather on the official Python SDK (mcp 2.3.0), the baseline of `cargo bench --bench throughput`.

    python benches/py_weather_server.py --port PORT [--step-delay-ms N] [--json-response]

Serves Streamable HTTP on http://127.0.0.1:PORT/mcp with the same tool semantics as our
weather-server, so that both do the same work per call:

- progress 1/3 "Looking up <city>…", a step pause, lookup, progress 2/3 "Reading the sky over
  <city>…", a step pause, progress 3/3 "Weather for <city> ready", then the result (progress is
  sent only when the request carries a progressToken; the SDK checks that for us);
- the result has one text item "<label>: <conditions>, <t> °C, humidity <h> %, wind <w> km/h" and
  structuredContent with the same seven fields, validated against an outputSchema, isError false;
- an unknown city is an isError result, not a JSON-RPC error.

The data are a few rows of our offline table (same numbers). A step delay of 0 skips the pause
entirely, as ours does.

The SDK decides the framing per server, not per request: by default it answers a tools/call with
SSE and refuses a request whose Accept lacks text/event-stream (406). `--json-response` makes it
answer with one JSON object; the benchmark runs a second instance with it for its JSON rows.
Logging is at WARNING so that an access line per request does not slow the baseline down.
"""

import argparse
import unicodedata
from typing import Annotated

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp_types import CallToolResult, TextContent
from pydantic import BaseModel


class Weather(BaseModel):
    city: str
    region: str
    country: str
    temperature_c: float
    conditions: str
    humidity_percent: int
    wind_kph: float


# Same rows as src/weather/cities.rs; a dict lookup stands in for our edit-distance search.
CITIES = [
    Weather(city="Hangzhou", region="Zhejiang", country="China", temperature_c=18.5,
            conditions="Light rain", humidity_percent=82, wind_kph=9.0),
    Weather(city="Beijing", region="", country="China", temperature_c=12.3,
            conditions="Sunny", humidity_percent=31, wind_kph=14.5),
    Weather(city="Wuhan", region="Hubei", country="China", temperature_c=16.8,
            conditions="Overcast", humidity_percent=74, wind_kph=7.2),
    Weather(city="Paris", region="Île-de-France", country="France", temperature_c=10.7,
            conditions="Overcast", humidity_percent=79, wind_kph=13.8),
    Weather(city="Zürich", region="", country="Switzerland", temperature_c=4.6,
            conditions="Light snow", humidity_percent=89, wind_kph=6.1),
]


def normalize(text: str) -> str:
    """Lowercase without accents, so "zurich" finds Zürich as in our server."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


BY_NAME = {normalize(w.city): w for w in CITIES}


def label(w: Weather) -> str:
    return ", ".join(part for part in (w.city, w.region, w.country) if part)


def make_server(step_delay: float) -> MCPServer:
    mcp = MCPServer(name="py-weather-bench", version="0.1.0", log_level="WARNING")

    async def step() -> None:
        if step_delay > 0:
            await anyio.sleep(step_delay)

    # Annotated[CallToolResult, Weather]: we write the text ourselves (as ours does) and the SDK
    # still publishes Weather as the outputSchema and validates structuredContent against it.
    @mcp.tool()
    async def get_weather(city: str, ctx: Context) -> Annotated[CallToolResult, Weather]:
        """Get the current weather for a city from an offline data set."""
        await ctx.report_progress(progress=1, total=3, message=f"Looking up {city}…")
        await step()
        found = BY_NAME.get(normalize(city))
        if found is None:
            known = ", ".join(w.city for w in CITIES)
            text = f'Unknown city "{city}". Try one of: {known}.'
            return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
        await ctx.report_progress(progress=2, total=3, message=f"Reading the sky over {found.city}…")
        await step()
        await ctx.report_progress(progress=3, total=3, message=f"Weather for {found.city} ready")
        text = (
            f"{label(found)}: {found.conditions}, {found.temperature_c:.1f} °C, "
            f"humidity {found.humidity_percent} %, wind {found.wind_kph:.0f} km/h"
        )
        return CallToolResult(
            content=[TextContent(type="text", text=text)],
            structured_content=found.model_dump(mode="json"),
            is_error=False,
        )

    return mcp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--step-delay-ms", type=float, default=0.0)
    parser.add_argument("--json-response", action="store_true")
    args = parser.parse_args()
    server = make_server(args.step_delay_ms / 1000.0)
    # DNS-rebinding protection is on for 127.0.0.1: requests must carry Host: 127.0.0.1:PORT.
    server.run(
        transport="streamable-http",
        host="127.0.0.1",
        port=args.port,
        json_response=args.json_response,
    )


if __name__ == "__main__":
    main()
