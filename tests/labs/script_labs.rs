//! Checkers of the labs whose work is a program of the student's, run against a test server:
//! lab 1 (`handshake.sh`), lab 4 (`resume.sh`) and lab 5 (`client.py`).

use crate::common::{fail, is_progress, is_response, run, sse_data, Run};
use crate::recorder::{Exchange, Recorder};
use crate::support::{self, TestServer};
use serde_json::Value;
use std::time::Duration;

/// How long a student's program may run before it is stopped.
const LIMIT: Duration = Duration::from_secs(30);

/// The status code of a status line (`HTTP/1.1 202 Accepted` → 202), if `line` is one.
fn status_of(line: &str) -> Option<u16> {
    let mut words = line.split_whitespace();
    let version = words.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    words.next()?.parse().ok()
}

/// After the student's program: every session it opened must be gone.
fn expect_no_session_left(lab: usize, server: &TestServer, run: &Run) {
    let left = server.server.endpoint().session_count();
    if left > 0 {
        fail(
            lab,
            format!(
                "{left} session(s) still open after the program ended: end the session with \
                 `DELETE` and its `Mcp-Session-Id` header.\n{}",
                run.report()
            ),
        );
    }
}

/// What reached the server in a session, checked request by request: the rules of MCP
/// 2025-11-25 `basic/transports` and `basic/lifecycle` that a script can break while printing
/// the right things. Returns the session's requests after `initialize`.
fn expect_session_rules(lab: usize, recorder: &Recorder, run: &Run) -> Vec<Exchange> {
    let missing = |what: String| -> ! { fail(lab, format!("{what}\n{}", run.report())) };
    let seen = recorder.exchanges();
    let Some(init) = seen.iter().position(|e| e.rpc_method() == "initialize") else {
        missing("no initialize request reached the server".to_string());
    };
    let Some(sid) = seen[init]
        .response_text()
        .lines()
        .find_map(|l| l.strip_prefix("Mcp-Session-Id:"))
        .map(|s| s.trim().to_string())
    else {
        missing("the server did not open a session: send initialize as in the handout".to_string());
    };
    let after: Vec<Exchange> = seen[init + 1..].to_vec();
    // 2025-11-25 basic/transports: "the client MUST include the MCP-Protocol-Version: <protocol-version> HTTP header on all subsequent requests".
    for request in &after {
        let what = request.describe();
        match request.header("MCP-Protocol-Version") {
            Some("2025-11-25") => {}
            Some(other) => missing(format!(
                "the {what} request carried `MCP-Protocol-Version: {other}`; the version the \
                 server agreed to in its initialize answer is 2025-11-25"
            )),
            None => missing(format!(
                "the {what} request reached the server without an MCP-Protocol-Version header: \
                 after initialize, every request MUST carry `MCP-Protocol-Version: 2025-11-25`, \
                 the version the two sides agreed on"
            )),
        }
        // "the client MUST include it in the Mcp-Session-Id header on all of their subsequent HTTP requests"
        if request.header("Mcp-Session-Id") != Some(sid.as_str()) {
            missing(format!(
                "the {what} request did not carry the session's id in its Mcp-Session-Id header"
            ));
        }
    }
    let initialized = after
        .iter()
        .position(|e| e.rpc_method() == "notifications/initialized");
    let Some(initialized) = initialized else {
        let sent: Vec<String> = after.iter().map(Exchange::describe).collect();
        missing(format!(
            "no notifications/initialized reached the server (after initialize it saw: {}): the \
             notification's method is exactly `notifications/initialized`. A misspelled one is \
             answered 202 too, because a server ignores notifications it does not know, but \
             the session then never becomes initialized",
            sent.join(", ")
        ));
    };
    if let Some(early) = after[..initialized]
        .iter()
        .find(|e| e.rpc_method() != "ping")
    {
        missing(format!(
            "{} reached the server before notifications/initialized: the client confirms the \
             handshake first, then makes requests",
            early.describe()
        ));
    }
    after
}

pub fn handshake_by_hand() {
    const LAB: usize = 1;
    // One request per connection, as the recorder reads them (`--connection-close`).
    let server = support::start(|c| c.keep_alive = false);
    let recorder = Recorder::start(server.addr);
    let url = recorder.url();
    let run = run(
        "bash",
        &["docs/labs/lab01/handshake.sh"],
        &[("MCP_URL", &url)],
        LIMIT,
        LAB,
    );
    run.expect_success(LAB);
    let requests = expect_session_rules(LAB, &recorder, &run);
    let lines: Vec<&str> = run.stdout().collect();
    let missing = |what: &str| -> ! { fail(LAB, format!("{what}\n{}", run.report())) };
    if !requests.iter().any(|e| e.method() == "DELETE") {
        missing("no DELETE reached the server: end the session with `curl -X DELETE`");
    }

    let Some(sid) = lines
        .iter()
        .find_map(|l| l.strip_prefix("session:"))
        .map(str::trim)
    else {
        missing("no line `session: <id>`: print the Mcp-Session-Id of the initialize response");
    };
    if !lines.iter().any(|l| status_of(l) == Some(202)) {
        missing(
            "no `HTTP/1.1 202` status line: print the answer to notifications/initialized with \
             its status line (`curl -i`)",
        );
    }
    let messages = sse_data(lines.iter().copied());
    let progress: Vec<&Value> = messages
        .iter()
        .map(|(_, m)| m)
        .filter(|m| is_progress(m))
        .collect();
    if !progress
        .iter()
        .any(|m| m["params"]["progressToken"] == "lab-01")
    {
        let why = if let Some(other) = progress.first() {
            format!(
                "the progress events carry the token {}, not \"lab-01\"",
                other["params"]["progressToken"]
            )
        } else if lines
            .iter()
            .any(|l| l.starts_with('{') && l.contains("notifications/progress"))
        {
            "progress came as NDJSON lines, not SSE events: send \
             `Accept: application/json, text/event-stream`"
                .to_string()
        } else {
            "no SSE progress event (a `data:` line with notifications/progress): send the call \
             with `params._meta.progressToken` \"lab-01\" and `Accept: application/json, \
             text/event-stream`, and print its body as it comes (`curl -N`)"
                .to_string()
        };
        missing(&why);
    }
    let Some((result_line, result)) = messages.iter().find(|(_, m)| is_response(m)) else {
        missing("no result event: the stream of the tools/call must end with its response");
    };
    if result["result"]["isError"] != false
        || !result["result"]["content"][0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("Hangzhou"))
    {
        missing(&format!(
            "the call's result is not Hangzhou's weather: {result}; call get_weather with \
             {{\"city\": \"Hangzhou\"}}"
        ));
    }
    if !lines[*result_line..]
        .iter()
        .any(|l| status_of(l) == Some(200))
    {
        missing(
            "no `HTTP/1.1 200` status line after the result: end the session with DELETE and \
             print its answer with the status line (`curl -i -X DELETE`)",
        );
    }
    expect_no_session_left(LAB, &server, &run);
    // The printed id must be the one that was deleted: using it now gets 404.
    let after = support::post(
        server.addr,
        &[
            ("Accept", support::ACCEPT_BOTH),
            ("Mcp-Session-Id", sid),
            ("MCP-Protocol-Version", "2025-11-25"),
        ],
        r#"{"jsonrpc":"2.0","id":9,"method":"ping"}"#,
    );
    if after.status != 404 {
        missing(&format!(
            "the printed session id {sid:?} got HTTP {} after the script, not 404: print the id \
             of the session the script deleted",
            after.status
        ));
    }
}

/// The `retry` the lab 4 server announces. Long enough that a client that does not wait is seen
/// not to; short enough that three waits stay quick.
const LAB_04_RETRY: Duration = Duration::from_millis(600);

/// Lab 4 runs the script twice, on servers that cut every stream after 2 events and after 1:
/// the second cuts the resumed responses too, and its event ids differ from the first's, so only
/// a script that reads the ids from what it received, and loops until the result, passes both.
pub fn cut_and_resume() {
    for cut_after in [2, 1] {
        cut_and_resume_once(cut_after);
    }
}

fn cut_and_resume_once(cut_after: usize) {
    const LAB: usize = 4;
    let server = support::start(|c| {
        c.drop_stream_after = Some(cut_after);
        c.retry = LAB_04_RETRY;
        c.keep_alive = false;
    });
    let recorder = Recorder::start(server.addr);
    let url = recorder.url();
    let run = run(
        "bash",
        &["docs/labs/lab04/resume.sh"],
        &[("MCP_URL", &url)],
        LIMIT,
        LAB,
    );
    let missing = |what: &str| -> ! {
        fail(
            LAB,
            format!(
                "(against a server with --drop-stream-after {cut_after}) {what}\n{}",
                run.report()
            ),
        )
    };
    run.expect_success(LAB);
    let requests = expect_session_rules(LAB, &recorder, &run);
    if let Some(problem) = resume_problem(&requests) {
        missing(&problem);
    }
    let messages = sse_data(run.stdout());
    let progress: Vec<&Value> = messages
        .iter()
        .map(|(_, m)| m)
        .filter(|m| is_progress(m))
        .collect();
    let results = messages.iter().filter(|(_, m)| is_response(m)).count();
    if progress.is_empty() {
        missing(
            "no progress event in the output: make the call with a progress token, as SSE, and \
             print the body of every response (`curl -N`)",
        );
    }
    let steps: Vec<u64> = progress
        .iter()
        .filter_map(|m| m["params"]["progress"].as_u64())
        .collect();
    if let Some(again) = steps
        .iter()
        .enumerate()
        .find_map(|(i, s)| steps[..i].contains(s).then_some(s))
    {
        missing(&format!(
            "progress {again} appears twice (progress seen: {steps:?}): resume after the *last* \
             event id the cut response carried, so that nothing is sent twice"
        ));
    }
    if let Some(lost) = (1..=3).find(|step| !steps.contains(step)) {
        missing(&format!(
            "progress {lost} of 3 is not in the output (progress seen: {steps:?}): print the body \
             of every response, the cut POST's as well as each resumed GET's (`curl -N … | tee`)"
        ));
    }
    if results == 0 {
        missing(&format!(
            "no result in the output (progress seen: {steps:?}): the server ended the response \
             after {cut_after} event(s); read the last `id:` of what came, and `GET` the rest with \
             the header `Last-Event-ID: <that id>`, printing its body, until the result has come"
        ));
    }
    if results > 1 {
        missing(&format!(
            "the result appears {results} times: resume after the *last* event id, and stop once \
             the result has come"
        ));
    }
    expect_no_session_left(LAB, &server, &run);
}

/// Each resuming GET, as it reached the server: it names the last event the client received, and
/// it comes no sooner than the `retry` the priming event announced. The first broken rule, if any.
fn resume_problem(requests: &[Exchange]) -> Option<String> {
    let resumes: Vec<&Exchange> = requests.iter().filter(|e| e.method() == "GET").collect();
    if resumes.is_empty() {
        return Some(
            "no GET reached the server: resume the cut stream with `GET` and `Last-Event-ID`"
                .into(),
        );
    }
    for get in resumes {
        // The response before this GET that carried event ids: the one it resumes.
        let Some(before) = requests
            .iter()
            .filter(|e| e.sent_at < get.sent_at && !e.event_ids().is_empty())
            .max_by_key(|e| e.sent_at)
        else {
            return Some("a GET reached the server before any response with event ids".into());
        };
        let last = before.event_ids().pop().unwrap_or_default();
        // 2025-11-25 basic/transports: the client "SHOULD include the Last-Event-ID header to indicate the last event ID it received".
        match get.header("Last-Event-ID") {
            Some(id) if id == last => {}
            Some(id) => {
                return Some(format!(
                "a GET carried `Last-Event-ID: {id}`, but the last event the server had sent was \
                 `id: {last}`: take the id from the body you received (its last `id:` line), not \
                 a value written into the script; ids differ from server to server"
                ))
            }
            None => return Some("a GET reached the server without a Last-Event-ID header".into()),
        }
        let ended = before.answered_at.unwrap_or(before.sent_at);
        let waited = get.sent_at.saturating_duration_since(ended);
        // §Sending Messages 6: the `retry` field is how long the client waits before reconnecting.
        if waited + Duration::from_millis(50) < LAB_04_RETRY {
            return Some(format!(
                "a GET with Last-Event-ID came {} ms after the response it resumes had ended, \
                 but the priming event said `retry: {}`: wait that many milliseconds before \
                 reconnecting (read the number from the `retry:` line)",
                waited.as_millis(),
                LAB_04_RETRY.as_millis()
            ));
        }
    }
    None
}

pub fn client_in_another_language() {
    const LAB: usize = 5;
    // Steps of 300 ms: the progress lines of a client that reads as the events arrive come
    // 300 ms apart; those of a client that reads the whole body first come all at once.
    let server = support::start(|c| {
        c.step_delay = Duration::from_millis(300);
        c.keep_alive = false;
    });
    let recorder = Recorder::start(server.addr);
    let url = recorder.url();
    let run = run(
        "python3",
        &["docs/labs/lab05/client.py", &url],
        // Python holds its output back when it goes to a pipe; this makes print() reach the
        // checker at once, so that what is timed is when the client read the events.
        &[("PYTHONUNBUFFERED", "1")],
        LIMIT,
        LAB,
    );
    run.expect_success(LAB);
    expect_session_rules(LAB, &recorder, &run);
    let missing = |what: &str| -> ! { fail(LAB, format!("{what}\n{}", run.report())) };
    let Some(result) = run.lines.iter().position(|(_, l)| l.starts_with("result:")) else {
        missing("no line `result: <text>`: print the text of the call's result");
    };
    let (result_at, result_line) = &run.lines[result];
    if !result_line.contains("Hangzhou") {
        missing("the result line is not Hangzhou's weather: call get_weather for Hangzhou");
    }
    let progress: Vec<&(Duration, String)> = run.lines[..result]
        .iter()
        .filter(|(_, l)| l.starts_with("progress "))
        .collect();
    if progress.len() < 2 {
        missing(&format!(
            "{} line(s) `progress <n>/<total> <message>` before the result, expected at least 2: \
             send a progress token, ask for SSE, and print each notifications/progress",
            progress.len()
        ));
    }
    let spread = result_at.saturating_sub(progress[0].0);
    if spread < Duration::from_millis(300) {
        missing(&format!(
            "the progress lines and the result came within {} ms of each other, but the server \
             spent 600 ms between the first progress event and the result: read the response \
             line by line as it arrives (iterate over the response, or readline()), instead of \
             reading the whole body first",
            spread.as_millis()
        ));
    }
    expect_no_session_left(LAB, &server, &run);
}
