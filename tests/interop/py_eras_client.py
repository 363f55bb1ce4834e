"""Interop check: the official MCP Python SDK's `mcp.Client` (mcp 2.3.0) against weather-server,
in a chosen era mode.

    python py_eras_client.py http://127.0.0.1:PORT/mcp auto|legacy

`auto` is the SDK's default: it probes `server/discover` at 2026-07-28 and falls back to
`initialize` only on an error, so against our dual-era server it must end up **modern**. `legacy`
pins the handshake era. In both: tools/list names get_weather; get_weather Hangzhou returns its
structured content; get_weather Springfield asks which one (mid-call `elicitation/create` in the
legacy era, an `input_required` result answered by the SDK's MRTR loop in the modern one), and the
answer "Springfield, Illinois" comes back in the result.

Exits 0 when every check holds, 1 on any mismatch, 2 on a crash or time-out.
"""

import asyncio
import sys
import traceback

from mcp import Client, types

WANTED = {"auto": "2026-07-28", "legacy": "2025-11-25"}
failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


async def run(url: str, mode: str) -> None:
    questions: list[str] = []

    async def on_elicit(context, params):
        questions.append(params.message)
        return types.ElicitResult(
            action="accept", content={"city": "Springfield, Illinois, United States"}
        )

    async with Client(url, mode=mode, elicitation_callback=on_elicit) as client:
        print(f"mode={mode}: protocol {client.protocol_version}")
        check(client.protocol_version == WANTED[mode], f"the era is {WANTED[mode]}")
        names = [t.name for t in (await client.list_tools()).tools]
        check("get_weather" in names, f"tools/list names get_weather ({names})")
        hangzhou = await client.call_tool("get_weather", {"city": "Hangzhou"})
        check((hangzhou.structured_content or {}).get("city") == "Hangzhou", "Hangzhou's weather")
        springfield = await client.call_tool("get_weather", {"city": "Springfield"})
        region = (springfield.structured_content or {}).get("region")
        check(len(questions) == 1, f"the user was asked once which Springfield ({questions})")
        check(region == "Illinois", f"the answer reached the tool (region {region!r})")


def main() -> int:
    url, mode = sys.argv[1], sys.argv[2]
    try:
        asyncio.run(asyncio.wait_for(run(url, mode), 60))
    except Exception:  # a crash or a time-out is not a mismatch
        traceback.print_exc()
        return 2
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
