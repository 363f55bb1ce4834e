//! The checker of lab 10, whose work is a curl script against the real `weather-server` binary
//! started with `--http-sse --log-requests`: it opens revision 2024-11-05's stream, starts a call,
//! cuts the stream after the first progress event, and shows that the session and the call's
//! result are gone.
//!
//! From the server's request log: that the stream was opened, the call started and a later POST
//! was refused with 404. From the script's output: the endpoint event, a progress event for the
//! city the checker picked at random (so an output written into the script fails), and no result.

use crate::common::{fail, is_progress, is_response, run, sse_data};
use crate::modern_labs::{logged, logging_server, pick, quote_log, Logged};
use std::time::Duration;
use streamable_mcp::weather::cities::{lookup, Lookup, CITIES};

const LAB: usize = 10;
const LIMIT: Duration = Duration::from_secs(30);

/// Lab 10: `docs/labs/lab10/lose_a_call.sh`.
pub fn lose_a_call_on_http_sse() {
    let cities: Vec<_> = CITIES
        .iter()
        .filter(|c| matches!(lookup(c.name), Lookup::Found(_)))
        .collect();
    let city = cities[pick(cities.len())];
    // Steps of a second: the result comes two seconds after the first progress event, long after
    // a script that cuts when it sees that event has cut. Heartbeats every 100 ms: the server
    // notices the cut soon after it.
    let args = [
        "--http-sse",
        "--step-delay-ms",
        "1000",
        "--heartbeat-ms",
        "100",
    ];
    let (server, log) = logging_server(LAB, &args);
    let url = format!("http://{}/sse", server.addr);
    let env = [("MCP_SSE_URL", url.as_str()), ("LAB10_CITY", city.name)];
    let run = run(
        "bash",
        &["docs/labs/lab10/lose_a_call.sh"],
        &env,
        LIMIT,
        LAB,
    );
    let lines = logged(&log);
    drop(server);
    let missing = |what: &str| -> ! {
        fail(
            LAB,
            format!("{what}\n{}{}", quote_log(&lines), run.report()),
        )
    };
    run.expect_success(LAB);

    // What reached the server.
    let on =
        |l: &Logged, path: &str, method: &str| l.get("path") == path && l.get("method") == method;
    if !lines
        .iter()
        .any(|l| on(l, "/sse", "GET") && l.get("status") == "200")
    {
        missing("the server received no GET /sse: open the stream first, with curl -N in the background");
    }
    let posts: Vec<&Logged> = lines
        .iter()
        .filter(|l| on(l, "/messages", "POST"))
        .collect();
    if !posts
        .iter()
        .any(|l| l.is("jsonrpc", "initialize") && l.get("status") == "202")
    {
        missing(
            "no initialize was taken (202) on POST /messages: POST it to the URI of the endpoint \
             event, with Content-Type: application/json",
        );
    }
    let Some(call) = posts.iter().position(|l| l.is("jsonrpc", "tools/call")) else {
        missing("the server received no tools/call on POST /messages: call get_weather");
    };
    if !posts[call + 1..].iter().any(|l| l.get("status") == "404") {
        missing(
            "no POST to /messages was answered 404 after the tools/call: cut the stream, wait a \
             second, then POST one more message to the same sessionId (not a new one)",
        );
    }

    // What the script saw.
    let out: Vec<&str> = run.stdout().collect();
    if !out.iter().any(|l| l.trim() == "event: endpoint") {
        missing("your output does not show the endpoint event: print the stream as it was when you cut it");
    }
    let messages = sse_data(out.iter().copied());
    let progress = messages
        .iter()
        .any(|(_, m)| is_progress(m) && m.to_string().contains(city.name));
    if !progress {
        missing(&format!(
            "your output shows no notifications/progress for {:?} (the checker picks the city; \
             read it from LAB10_CITY): wait for the first one on the stream before you cut it",
            city.name
        ));
    }
    if messages.iter().any(|(_, m)| is_response(m) && m["id"] == 2) {
        missing(
            "the call's result reached your script: cut the connection as soon as the first \
             progress event is on the stream, before the result (the steps take a second each)",
        );
    }
    if !out.iter().any(|l| l.contains("404")) {
        missing("your output does not show the 404 of the last POST: print its status (curl -w '%{http_code}')");
    }
}
