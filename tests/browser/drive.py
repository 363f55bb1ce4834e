#!/usr/bin/env python3
"""Drive headless Chromium through the weather page, and check what the page shows.

    python3 drive.py CHROMIUM BASE_URL SCREENSHOT.png [TOKEN_BASE_URL TOKEN]

For each case (era x framing) it opens BASE_URL/?city=Hangzhou&era=..&framing=.., waits until the
page says it is done (body's data-state), and checks that the progress bar reached 3/3, that the
result names the city, and that the raw pane shows the progress notifications that filled the
bar; then that a progress without `total` makes the bar indeterminate instead of throwing (our
server always sends one, so the page's own function is called). The first case's page is saved
as a PNG. Given a second server that wants a bearer token,
one more call goes there with the token typed into the page. Exit status 0 when every case passed.

How it talks to the browser: the DevTools protocol (CDP) over `--remote-debugging-pipe`, two pipes
on file descriptors 3 and 4 that carry JSON messages ended by a NUL byte. No websocket, no
package: the standard library is enough.

Why not `chromium --headless --dump-dom --virtual-time-budget=...`, which needs no driver at all?
Virtual time waits for pending fetches, but a response whose head has arrived and whose body is
still streaming does not count as one: measured here with Chromium 148, the DOM was dumped at
progress 1/3, in 0.4 s, whatever the budget.
"""

import base64
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

# (era, framing) pairs. JSON framing is left out: one JSON object has no room for progress.
CASES = [("legacy", "sse"), ("legacy", "ndjson"), ("modern", "sse"), ("modern", "ndjson")]
CITY = "Hangzhou"
TIMEOUT_S = 30  # per case; a run takes about a second with 50 ms steps

FLAGS = [
    "--headless",
    "--no-sandbox",  # we run as root in CI containers, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
    "--remote-debugging-pipe",
]


class Browser:
    """One Chromium process, and the CDP messages to and from it."""

    def __init__(self, chromium):
        # Chromium reads commands on fd 3 and writes answers and events on fd 4.
        to_chrome_r, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_w = os.pipe()
        self.profile = tempfile.mkdtemp(prefix="mcp-page-chromium.")

        def plug_pipes():  # in the child, before exec: put the two ends where Chromium looks
            # Out of the way first (above 10), in case either end is itself 3 or 4.
            reads, writes = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome_r, from_chrome_w))
            os.dup2(reads, 3)
            os.dup2(writes, 4)

        self.process = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            preexec_fn=plug_pipes,
            # Kept open in the child: Popen closes every other descriptor after plug_pipes ran.
            pass_fds=(3, 4),
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.profile, "chromium.log"), "wb"),
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.next_id = 0
        self.buffered = b""
        self.events = []  # events seen while waiting for answers (console errors, exceptions)

    def send(self, method, params=None, session=None):
        """Send one command and wait for its answer; events that come meanwhile are kept."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            answer = self.receive()
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer["result"]
            self.events.append(answer)

    def receive(self):
        while b"\0" not in self.buffered:
            data = os.read(self.from_chrome, 65536)
            if not data:
                raise RuntimeError(f"Chromium closed its pipe; its log: {self.profile}/chromium.log")
            self.buffered += data
        message, self.buffered = self.buffered.split(b"\0", 1)
        return json.loads(message)

    def close(self):
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def evaluate(browser, session, expression):
    result = browser.send(
        "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session
    )
    return result["result"].get("value")


# What the test reads off the page, in one evaluation.
READ_PAGE = """({
  state: document.body.dataset.state || "",
  count: document.getElementById("count").textContent,
  value: document.getElementById("bar").value,
  max: document.getElementById("bar").max,
  result: document.getElementById("result").textContent,
  raw: document.getElementById("raw").textContent,
})"""


def run_case(browser, base_url, era, framing, screenshot=None, token=None):
    """One call through the page; the problems seen (none when it passed).

    Without a token the link starts the call (`?city=`). With one, the page is opened without a
    city, and the token and the city are typed into the form, as a person would: a token never
    goes in a URL, where history and logs would keep it.
    """
    if token:
        url = f"{base_url}/?era={era}&framing={framing}"
    else:
        url = f"{base_url}/?city={CITY}&era={era}&framing={framing}"
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
        "sessionId"
    ]
    browser.events.clear()
    browser.send("Runtime.enable", session=session)
    browser.send("Log.enable", session=session)
    browser.send("Page.enable", session=session)
    browser.send("Page.navigate", {"url": url}, session)
    deadline = time.monotonic() + TIMEOUT_S
    if token:
        while evaluate(browser, session, "document.readyState") != "complete":
            if time.monotonic() > deadline:
                return ["the page did not load"]
            time.sleep(0.05)
        fill = f"""document.getElementById("city").value = {json.dumps(CITY)};
                   document.getElementById("token").value = {json.dumps(token)};
                   document.getElementById("go").click()"""
        evaluate(browser, session, fill)
    page = {}
    while time.monotonic() < deadline:
        page = evaluate(browser, session, READ_PAGE) or {}
        if page.get("state") in ("done", "failed"):
            break
        time.sleep(0.1)
    problems = []
    if page.get("state") != "done":
        problems.append(f"the page ended in state {page.get('state')!r}: {page.get('result')!r}")
    if page.get("count") != "3/3" or page.get("value") != 3 or page.get("max") != 3:
        problems.append(
            f"the progress bar shows {page.get('count')!r} (value {page.get('value')}, max {page.get('max')})"
        )
    if CITY not in (page.get("result") or ""):
        problems.append(f"the result does not name {CITY}: {page.get('result')!r}")
    raw = page.get("raw") or ""
    if raw.count('"method":"notifications/progress"') != 3:
        problems.append("the raw pane does not show the three progress notifications")
    wanted_type = {"sse": "text/event-stream", "ndjson": "application/x-ndjson"}[framing]
    if f"content-type: {wanted_type}" not in raw:
        problems.append(f"the raw pane shows no {wanted_type} response")
    if token and token in raw:
        problems.append("the raw pane shows the token")
    # An exception, or a script or fetch the policy blocked, is an error in the console.
    for event in browser.events:
        if event.get("method") == "Runtime.exceptionThrown":
            problems.append(f"exception: {event['params']['exceptionDetails'].get('text')}")
        if event.get("method") == "Log.entryAdded" and event["params"]["entry"]["level"] == "error":
            problems.append(f"console: {event['params']['entry'].get('text')}")
    if screenshot:
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session)
        with open(screenshot, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    # After the screenshot: this leaves the bar in a state no real call of ours produces.
    no_total = evaluate(
        browser,
        session,
        """(() => { try { setProgress(2, undefined, "no total");
                      const bar = document.getElementById("bar");
                      return { count: document.getElementById("count").textContent,
                               indeterminate: !bar.hasAttribute("value") }; }
                 catch (e) { return { error: String(e) }; } })()""",
    ) or {}
    if no_total != {"count": "2", "indeterminate": True}:
        problems.append(f"a progress without total: {no_total!r}")
    browser.send("Target.closeTarget", {"targetId": target})
    return problems


def report(name, problems):
    print(f"{'FAIL' if problems else 'PASS'} page: {name}")
    for problem in problems:
        print(f"     {problem}")
    return bool(problems)


def main():
    if len(sys.argv) not in (4, 6):
        sys.exit(__doc__.splitlines()[2].strip())
    chromium, base_url, screenshot = sys.argv[1:4]
    browser = Browser(chromium)
    failed = 0
    try:
        for i, (era, framing) in enumerate(CASES):
            problems = run_case(browser, base_url, era, framing, screenshot if i == 0 else None)
            name = f"{era} era, {framing} framing, {CITY}: progress 3/3 and a result"
            failed += report(name, problems)
        if len(sys.argv) == 6:
            token_url, token = sys.argv[4:]
            problems = run_case(browser, token_url, "legacy", "sse", token=token)
            name = "with --auth-token, the page loads without it and its calls carry the one typed in"
            failed += report(name, problems)
    finally:
        browser.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
