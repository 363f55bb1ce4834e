#!/usr/bin/env python3
"""Checks of a weather-server cluster behind nginx (scripts/cluster.sh), one scenario per run.

    bash scripts/cluster.sh [--routing ...] [--own-keys] -- python3 tests/interop/cluster_checks.py SCENARIO

Reads CLUSTER_URL, CLUSTER_DIR and CLUSTER_INSTANCES from scripts/cluster.sh. Speaks raw HTTP
(http.client) where the test must see each request and its timing, and runs our mcp-client
(MCP_CLIENT_BIN, default target/debug/mcp-client) where the client's own recovery is the point.
Which instance answered is read from each instance's --log-requests lines (CLUSTER_DIR/a.err...)
and from nginx's access log ($upstream_addr). Prints one `ok`/`FAIL` line per assertion and a
`measured:` line with the numbers docs/scale-out.md quotes; exits 1 on the first failure.

Standard library only, and no cargo: plain `cargo test` must not need nginx (see
docs/scale-out.md, "Why a Python script").
"""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse

URL = os.environ["CLUSTER_URL"]
DIR = os.environ["CLUSTER_DIR"]
ROUTING = os.environ.get("CLUSTER_ROUTING", "?")
CLIENT = os.environ.get("MCP_CLIENT_BIN", "target/debug/mcp-client")
MODERN = "2026-07-28"
LEGACY = "2025-11-25"
SPRINGFIELD_IL = "Springfield, Illinois, United States"


def check(what, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + what + (f"  ({detail})" if detail else ""), flush=True)
    if not ok:
        sys.exit(1)


def instances():
    """[(name, pid, port)] of the three instances."""
    with open(os.environ["CLUSTER_INSTANCES"]) as f:
        return [(n, int(p), int(port)) for n, p, port in (line.split() for line in f if line.strip())]


def log_lines(name):
    """The --log-requests lines of one instance so far."""
    with open(os.path.join(DIR, name + ".err"), errors="replace") as f:
        return [line for line in f if line.startswith("request:")]


def count(name, *needles):
    return sum(all(n in line for n in needles) for line in log_lines(name))


def access_log():
    with open(os.path.join(DIR, "access.log")) as f:
        return f.read().splitlines()


# --- HTTP --------------------------------------------------------------------------------------


class Answer:
    """One HTTP answer: status, headers, and its JSON-RPC messages with the second each arrived."""

    def __init__(self, status, headers, messages, cut):
        self.status, self.headers, self.messages, self.cut = status, headers, messages, cut

    def final(self):
        """The message with an id (the response), or None."""
        return next((m for _, m in self.messages if "id" in m), None)


def post(message, headers=None, accept="application/json, text/event-stream", session=None):
    """POST one message to nginx and read the whole answer, timing each message as it arrives."""
    u = urllib.parse.urlsplit(URL)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    h = {"Content-Type": "application/json", "Accept": accept}
    if session:
        h["Mcp-Session-Id"] = session
        h["MCP-Protocol-Version"] = LEGACY
    h.update(headers or {})
    started = time.monotonic()
    conn.request("POST", u.path, body=json.dumps(message).encode(), headers=h)
    r = conn.getresponse()
    kind = r.getheader("Content-Type", "")
    messages, cut = [], False
    try:
        if kind.startswith("text/event-stream") or kind.startswith("application/x-ndjson"):
            for raw in r:  # line by line, as the bytes arrive: this is how buffering would show
                line = raw.decode().rstrip("\r\n")
                if kind.startswith("text/event-stream"):
                    if not line.startswith("data:"):
                        continue
                    line = line[5:].strip()
                if line:
                    messages.append((time.monotonic() - started, json.loads(line)))
        else:
            body = r.read()
            # nginx's own answers (a 502 when no instance answered) are HTML, not JSON-RPC.
            if body.strip() and kind.startswith("application/json"):
                messages.append((time.monotonic() - started, json.loads(body)))
    except (http.client.IncompleteRead, ConnectionError):
        cut = True
    finally:
        conn.close()
    return Answer(r.status, {k.lower(): v for k, v in r.getheaders()}, messages, cut)


def modern(method, params, rid, accept="application/json, text/event-stream", name=None):
    meta = {
        "io.modelcontextprotocol/protocolVersion": MODERN,
        "io.modelcontextprotocol/clientInfo": {"name": "cluster_checks", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
    }
    params = dict(params)
    params["_meta"] = {**meta, **params.get("_meta", {})}
    headers = {"MCP-Protocol-Version": MODERN, "Mcp-Method": method}
    if name:
        headers["Mcp-Name"] = name
    return post({"jsonrpc": "2.0", "id": rid, "method": method, "params": params}, headers, accept)


def weather(city, rid, accept="application/json, text/event-stream", extra=None):
    params = {"name": "get_weather", "arguments": {"city": city}, "_meta": {"progressToken": f"p{rid}"}}
    params.update(extra or {})
    return modern("tools/call", params, rid, accept, name="get_weather")


def initialize(rid=1):
    a = post({"jsonrpc": "2.0", "id": rid, "method": "initialize", "params": {
        "protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "cluster_checks", "version": "0"}}})
    return a, a.headers.get("mcp-session-id")


def legacy_session():
    """initialize + notifications/initialized: a session id, or the failing status."""
    a, sid = initialize()
    check("initialize answers 200 with a session id", a.status == 200 and bool(sid), f"status {a.status}")
    n = post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session=sid)
    return sid, n.status


# --- scenarios ---------------------------------------------------------------------------------


def streaming():
    """Progress passes nginx live: the first event arrives well before the call ends.

    Run with --routing session, so the legacy call reaches the instance holding its session."""
    step = 0.2  # cluster.sh's default --step-delay-ms
    for accept, label in [("application/json, text/event-stream", "SSE"), ("application/x-ndjson", "NDJSON")]:
        a = weather("Hangzhou", 7, accept)
        ctype = a.headers.get("content-type", "")
        check(f"modern {label}: 200, {ctype}", a.status == 200 and len(a.messages) == 4, f"{len(a.messages)} messages")
        first, last = a.messages[0][0], a.messages[-1][0]
        check(f"modern {label}: first progress at {first*1000:.0f} ms, result at {last*1000:.0f} ms",
              a.messages[0][1].get("method") == "notifications/progress" and first + 1.5 * step < last)
        print(f"measured: modern {label} through nginx: first event {first*1000:.0f} ms, end {last*1000:.0f} ms")
    sid, _ = legacy_session()
    a = post({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
        "name": "get_weather", "arguments": {"city": "Hangzhou"}, "_meta": {"progressToken": "t"}}}, session=sid)
    check("legacy: tools/call answers 200 with an SSE stream", a.status == 200 and len(a.messages) == 4,
          f"status {a.status}, {len(a.messages)} messages")
    first, last = a.messages[0][0], a.messages[-1][0]
    check(f"legacy SSE: first progress at {first*1000:.0f} ms, result at {last*1000:.0f} ms",
          a.status == 200 and a.final() is not None and first + 1.5 * step < last)
    print(f"measured: legacy SSE through nginx: first event {first*1000:.0f} ms, end {last*1000:.0f} ms")


def modern_round_robin():
    """Stateless calls spread over all three instances, every one complete."""
    calls = 30
    complete = 0
    for i in range(calls):
        r = weather("Zürich", 100 + i).final()
        complete += bool(r and r.get("result", {}).get("resultType") == "complete" and not r["result"].get("isError"))
    check(f"{complete}/{calls} calls complete", complete == calls)
    spread = {n: count(n, 'jsonrpc="tools/call"') for n, _, _ in instances()}
    check(f"every instance served calls: {spread}", all(v > 0 for v in spread.values()) and sum(spread.values()) == calls)
    print(f"measured: {calls} modern calls, per instance {spread}")


def mrtr_retry(shared):
    """An input_required answer from one instance, its retry answered by the next one."""
    first = weather("Springfield", 1).final()
    res = first["result"]
    check("the first call asks (input_required with a requestState)",
          res.get("resultType") == "input_required" and "requestState" in res)
    asked_by = [n for n, _, _ in instances() if count(n, "outcome=input_required")]
    (key,) = res["inputRequests"].keys()
    retry = weather("Springfield", 2, extra={
        "inputResponses": {key: {"action": "accept", "content": {"city": SPRINGFIELD_IL}}},
        "requestState": res["requestState"]}).final()
    retried_on = [n for n, _, _ in instances() if count(n, "requestState=present")]
    check(f"the retry landed on another instance (asked by {asked_by}, retried on {retried_on})",
          len(asked_by) == 1 and len(retried_on) == 1 and asked_by != retried_on)
    if shared:
        r = retry.get("result", {})
        check("with a shared --state-key the retry completes: " + r.get("content", [{}])[0].get("text", "")[:60],
              r.get("resultType") == "complete" and not r.get("isError") and "Illinois" in json.dumps(r))
    else:
        err = retry.get("error", {})
        check(f"with a key per instance the retry is refused: {err.get('code')} {err.get('message', '')[:90]}",
              "error" in retry and "requestState" in err.get("message", ""))
    print(f"measured: MRTR retry across instances, {'shared key: complete' if shared else 'own keys: refused'}")


def run_clients(n, *args):
    """n mcp-client runs, one after another: (exit codes, outputs)."""
    codes, outs = [], []
    for _ in range(n):
        p = subprocess.run([CLIENT, "--url", URL, *args], capture_output=True, text=True, timeout=60)
        codes.append(p.returncode)
        outs.append(p.stdout + p.stderr)
    return codes, outs


def legacy_sessions(sticky):
    """mcp-client --era legacy, ten runs: a session each. Counts 404s and initializes.

    Without session routing the 404 comes as early as `notifications/initialized`, which the
    client sends once, as part of the handshake: it re-initializes only for a 404 to a request,
    so there it gives up (and the re-initializations counted stay 0)."""
    runs = 10
    codes, outs = run_clients(runs, "--era", "legacy", "call", "get_weather", "city=Hangzhou")
    ok = codes.count(0)
    inits = sum(count(n, 'jsonrpc="initialize"') for n, _, _ in instances())
    not_found = sum(line.split()[1] == "404" for line in access_log() if line.startswith("POST"))
    print(f"measured: legacy, {ROUTING}: {ok}/{runs} calls complete, "
          f"{not_found} answers 404, {inits} initializes for {runs} clients ({inits - runs} re-initializations)")
    if sticky:
        check(f"session routing: {ok}/{runs} complete, {not_found} answers 404, {inits} initializes for {runs} "
              f"clients (want all complete, no 404, one initialize each)",
              ok == runs and not_found == 0 and inits == runs)
        spread = {n: count(n, 'jsonrpc="initialize"') for n, _, _ in instances()}
        check(f"the sessions spread over the instances: {spread}", all(v > 0 for v in spread.values()))
    else:
        check(f"without session routing sessions break: {not_found} 404s, {inits - runs} re-initializations, "
              f"{runs - ok} calls failed", not_found > 0 and ok < runs, outs[0].strip().splitlines()[-1][:100])


def legacy_resume():
    """With --drop-stream-after, a cut stream resumes with GET + Last-Event-ID on the same instance."""
    codes, outs = run_clients(3, "--era", "legacy", "call", "get_weather", "city=Hangzhou")
    resumed = sum(o.count("resumed after event") for o in outs)
    check(f"3/3 calls complete after {resumed} resumptions", codes == [0, 0, 0] and resumed >= 3,
          outs[0].strip().splitlines()[-1][:80])
    gets = [line for line in access_log() if line.startswith("GET 200")]
    print(f"measured: legacy resumption through session routing: {resumed} resumptions, {len(gets)} GETs answered 200")


def kill_mid_call(era):
    """Six calls stream at once; one instance is killed while they run."""
    args = ["call", "get_weather", "city=Hangzhou"]
    procs = [subprocess.Popen([CLIENT, "--url", URL, "--era", era, *args], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(6)]
    victim = instances()[0]
    # Kill only once every call is streaming: each client has printed its first progress line
    # (a step takes 300 ms, so all six are mid-call). Waiting on the servers' logs instead would
    # race: a log line is written when its request is answered, and on a loaded machine a call
    # meant for the victim might not have been sent yet.
    heads = []
    for p in procs:
        seen = ""
        while True:
            line = p.stdout.readline()
            seen += line
            if not line or "progress" in line:
                break
        heads.append(seen)
    os.kill(victim[1], signal.SIGKILL)
    outs = [head + p.communicate(timeout=60)[0] for head, p in zip(heads, procs)]
    codes = [p.returncode for p in procs]
    reissued = sum("sent the request again" in o for o in outs)
    results = sum(o.count("Hangzhou, Zhejiang, China:") for o in outs)
    check(f"{era}: instance {victim[0]} (pid {victim[1]}) killed while calls streamed; exit codes {codes}",
          codes.count(0) == 6, outs[codes.index(max(codes))][-300:] if max(codes) else "")
    check(f"{era}: every call shows its result once ({results} results for 6 calls)", results == 6)
    return reissued, outs


def modern_kill():
    reissued, outs = kill_mid_call("modern")
    for o in outs:
        if "sent the request again" in o:
            print("   | " + "\n   | ".join(o.strip().splitlines()[:8]))
            break
    check(f"modern: {reissued} broken calls re-issued and completed on another instance", reissued >= 1)
    print(f"measured: modern, one of three instances killed under 6 streaming calls: 6/6 complete, {reissued} re-issued")


def legacy_kill():
    """Sessions of a dead instance are gone (404, a new session); the others' are untouched."""
    sessions = [legacy_session()[0] for _ in range(6)]
    victim = instances()[0]
    mine = [s for s in sessions if s.startswith(victim[0] + ".")]
    os.kill(victim[1], signal.SIGKILL)
    time.sleep(0.2)
    statuses = {}
    for s in sessions:
        a = post({"jsonrpc": "2.0", "id": 5, "method": "tools/list"}, session=s)
        statuses[s] = a.status
    lost = [s for s in sessions if statuses[s] == 404]
    kept = [s for s in sessions if statuses[s] == 200]
    check(f"legacy: the {len(mine)} sessions of instance {victim[0]} answer 404 (from a backup instance)",
          len(mine) > 0 and sorted(lost) == sorted(mine), f"their statuses: {[statuses[s] for s in mine]}")
    check(f"legacy: the other {len(kept)} sessions still answer 200", len(kept) == len(sessions) - len(mine))
    fresh = [initialize()[1] for _ in lost]
    check(f"legacy: the lost clients start new sessions on live instances: {[s[:2] for s in fresh]}",
          all(s and not s.startswith(victim[0] + ".") for s in fresh))
    print(f"measured: legacy, instance killed with {len(mine)} of 6 sessions: {len(lost)} answered 404 and "
          f"re-initialized elsewhere, {len(kept)} untouched")


def legacy_kill_streaming():
    """Legacy clients mid-call on the killed instance: the resuming GET finds no session (404), so
    they start a new session elsewhere and send the call again; the others never notice."""
    kill_mid_call("legacy")
    inits = sum(count(n, 'jsonrpc="initialize"') for n, _, _ in instances())
    not_found = sum(line.split()[1] == "404" for line in access_log() if not line.startswith("GET 404 upstream=-"))
    check(f"legacy: {not_found} answers 404 and {inits - 6} re-initializations for the sessions of the dead instance",
          not_found >= 1 and inits > 6)
    print(f"measured: legacy, one of three instances killed under 6 streaming calls: 6/6 complete, "
          f"{not_found} answers 404, {inits - 6} re-initializations")


def lab_09():
    """Lab 9's checker: a student's routing (cluster.sh --routing-file) must spread 2026-07-28 calls,
    keep every 2025-11-25 session on its instance, and turn a dead instance's sessions into 404s."""
    print("== stage 1: 2026-07-28 calls spread", flush=True)
    modern_round_robin()
    print("== stage 2: 2025-11-25 sessions come back to their instance", flush=True)
    legacy_sessions(True)
    print("== stage 3: an instance dies", flush=True)
    legacy_kill()


SCENARIOS = {
    "streaming": streaming,
    "modern-round-robin": modern_round_robin,
    "mrtr-shared-key": lambda: mrtr_retry(True),
    "mrtr-own-keys": lambda: mrtr_retry(False),
    "legacy-round-robin": lambda: legacy_sessions(False),
    "legacy-hash": lambda: legacy_sessions(False),
    "legacy-session-routing": lambda: legacy_sessions(True),
    "legacy-resume": legacy_resume,
    "modern-kill": modern_kill,
    "legacy-kill": legacy_kill,
    "legacy-kill-streaming": legacy_kill_streaming,
    "lab-09": lab_09,
}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        sys.exit("usage: cluster_checks.py " + "|".join(SCENARIOS))
    SCENARIOS[sys.argv[1]]()
