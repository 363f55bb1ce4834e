//! Checkers of the two labs of revision 2026-07-28, whose work is a curl script run against the
//! real `weather-server` binary started with `--log-requests`: lab 7 (`modern_call.sh`) and lab 8
//! (`input_required.sh`).
//!
//! Each checks two things: from the server's request log, that what the handout asks for really
//! arrived (a script can print anything; the log says what the server saw), and from the script's
//! output, that it printed the server's real answers. The answers depend on a value the checker
//! picks at random each run and passes in an environment variable (lab 7's city, lab 8's choice),
//! so an answer written into the script fails; lab 8's `requestState` is signed with a key the
//! server draws at random when it starts, so a state written into the script is refused.

use crate::common::{fail, is_progress, is_response, run, Run};
use crate::support::binary::Binary;
use serde_json::Value;
use std::sync::mpsc::Receiver;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use streamable_mcp::weather::cities::{lookup, Lookup, CITIES};

/// How long a student's script may run before it is stopped.
const LIMIT: Duration = Duration::from_secs(30);

/// One line of the request log, as `key=value` fields (values as printed: quoted ones keep their
/// quotes, so `Mcp-Method` is `"tools/call"` and an absent header is `absent`).
pub struct Logged {
    text: String,
    fields: Vec<(String, String)>,
}

impl Logged {
    pub fn parse(text: &str) -> Option<Logged> {
        let rest = text.strip_prefix("request: ")?;
        // The method and the path come first, without keys; then `key=value` fields, where a
        // quoted value may hold spaces and escaped quotes (and ends in "…" when it was cut).
        let mut words = rest.splitn(3, ' ');
        let mut fields = vec![
            ("method".to_string(), words.next()?.to_string()),
            ("path".to_string(), words.next()?.to_string()),
        ];
        let rest = words.next().unwrap_or("").as_bytes();
        let mut at = 0;
        while at < rest.len() {
            let eq = at + rest[at..].iter().position(|b| *b == b'=')?;
            let mut end = eq + 1;
            let mut quoted = rest.get(end) == Some(&b'"');
            if quoted {
                end += 1;
            }
            while end < rest.len() && (quoted || rest[end] != b' ') {
                match rest[end] {
                    b'\\' => end += 1,
                    b'"' => quoted = false,
                    _ => {}
                }
                end += 1;
            }
            let end = end.min(rest.len());
            let text =
                |from: usize, to: usize| String::from_utf8_lossy(&rest[from..to]).into_owned();
            fields.push((text(at, eq), text(eq + 1, end)));
            at = end + 1;
        }
        Some(Logged {
            text: text.to_string(),
            fields,
        })
    }

    pub fn get(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Is the field the quoted `value`?
    pub fn is(&self, key: &str, value: &str) -> bool {
        self.get(key) == format!("{value:?}")
    }

    fn meta_has(&self, short: &str) -> bool {
        self.get("_meta").split(',').any(|k| k == short)
    }
}

/// Start `weather-server --log-requests ARGS`, or fail the lab saying why it did not start.
pub fn logging_server(lab: usize, args: &[&str]) -> (Binary, Receiver<String>) {
    let mut all = vec!["--log-requests"];
    all.extend_from_slice(args);
    let mut server = Binary::try_spawn(&all).unwrap_or_else(|why| {
        fail(
            lab,
            format!("`weather-server --port 0 {}` {why}", all.join(" ")),
        )
    });
    let log = server.stderr_lines();
    (server, log)
}

/// The log lines written so far: each line is out before its request's answer, so once the
/// script has ended, its requests' lines have all arrived.
pub fn logged(log: &Receiver<String>) -> Vec<Logged> {
    let mut lines = Vec::new();
    while let Ok(line) = log.recv_timeout(Duration::from_millis(300)) {
        lines.extend(Logged::parse(&line));
    }
    lines
}

/// The server's log, for a failure message.
pub fn quote_log(lines: &[Logged]) -> String {
    if lines.is_empty() {
        return "the server's request log:\n  (no request reached the server)\n".to_string();
    }
    let mut out = "the server's request log (--log-requests):\n".to_string();
    for l in lines {
        out.push_str(&format!("  | {}\n", l.text));
    }
    out
}

/// Run the lab's `script` against a fresh server with the request log and a step delay of `step_ms`,
/// with `MCP_URL` and `env` set; its run and what the server logged. A script that did not succeed
/// fails the lab here, naming the server's first refusal if there was one (a script that stops on
/// an error usually stopped on a refusal).
fn run_script(lab: usize, script: &str, env: &[(&str, &str)], step_ms: &str) -> (Run, Vec<Logged>) {
    let (server, log) = logging_server(lab, &["--step-delay-ms", step_ms]);
    let url = format!("http://{}/mcp", server.addr);
    let mut all = vec![("MCP_URL", url.as_str())];
    all.extend_from_slice(env);
    let run = run("bash", &[script], &all, LIMIT, lab);
    let lines = logged(&log);
    if !run.status.is_some_and(|s| s.success()) {
        if let Some(why) = refusal(&lines) {
            fail(
                lab,
                format!(
                    "{why}; then the script exited without success\n{}{}",
                    quote_log(&lines),
                    run.report()
                ),
            );
        }
    }
    run.expect_success(lab);
    drop(server);
    (run, lines)
}

/// The first request the server refused, said the way a student can act on: the log names the
/// JSON-RPC error code, and each code has one usual cause in these labs.
fn refusal(lines: &[Logged]) -> Option<String> {
    let refused = lines
        .iter()
        .find(|l| l.get("outcome").starts_with("error("))?;
    let code = refused.get("outcome");
    let meaning = match code {
        "error(-32700)" => "its body is not valid JSON: check the quoting of curl's `-d '…'`",
        "error(-32600)" => "its body is JSON but not a JSON-RPC request (jsonrpc, id, method)",
        "error(-32602)" => "its params are not right; the error message in the response says which",
        "error(-32601)" => "the server has no such method in this revision",
        "error(-32020)" => "a header does not match the body (Mcp-Method, Mcp-Name)",
        "error(-32021)" => {
            "it needs a capability the request did not declare in clientCapabilities"
        }
        "error(-32022)" => "the server does not speak the protocol version it named",
        _ => "the error in the response says why",
    };
    let what = match refused.get("jsonrpc") {
        "" | "none" => format!("{} {}", refused.get("method"), refused.get("path")),
        rpc => rpc.trim_matches('"').to_string(),
    };
    Some(format!(
        "the server refused a request ({what}) with status={} outcome={code}: {meaning}",
        refused.get("status")
    ))
}

/// The JSON-RPC messages a script printed: each line that is JSON by itself, or an SSE `data:`
/// line that is.
fn printed_messages(run: &Run) -> Vec<Value> {
    run.stdout()
        .filter_map(|l| {
            let l = l.strip_prefix("data:").unwrap_or(l).trim();
            serde_json::from_str::<Value>(l)
                .ok()
                .filter(Value::is_object)
        })
        .collect()
}

/// A number from the clock, different on every run: enough to pick a city a script cannot guess.
pub fn pick(n: usize) -> usize {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() as usize ^ d.as_secs() as usize);
    nanos % n
}

/// The checks of a modern request's headers that both labs share, in the order a student should
/// fix them; `None` when all hold.
fn modern_headers_problem(l: &Logged, method: &str) -> Option<String> {
    if l.get("era") != "modern" || !l.is("MCP-Protocol-Version", "2026-07-28") {
        let seen = l.get("MCP-Protocol-Version");
        return Some(if seen == "absent" {
            format!(
                "the server saw no MCP-Protocol-Version header on the {method} (without it the \
                 request is routed to the legacy era, which wants a session): send \
                 `MCP-Protocol-Version: 2026-07-28`"
            )
        } else {
            format!(
                "the server saw MCP-Protocol-Version {seen} on the {method}, not \"2026-07-28\""
            )
        });
    }
    if !l.is("Mcp-Method", method) {
        return Some(format!(
            "the server saw Mcp-Method {} on the {method}: send the header `Mcp-Method: {method}` \
             (it mirrors the body's method)",
            l.get("Mcp-Method")
        ));
    }
    if !l.meta_has("protocolVersion") || !l.meta_has("clientCapabilities") {
        return Some(format!(
            "the {method}'s params._meta carried {}: a 2026-07-28 request carries \
             io.modelcontextprotocol/protocolVersion and io.modelcontextprotocol/clientCapabilities \
             in params._meta",
            l.get("_meta")
        ));
    }
    None
}

pub fn modern_call_by_hand() {
    const LAB: usize = 7;
    // A city with one entry in the data set, picked anew each run.
    let cities: Vec<_> = CITIES
        .iter()
        .filter(|c| matches!(lookup(c.name), Lookup::Found(_)))
        .collect();
    let city = cities[pick(cities.len())];
    let (run, lines) = run_script(
        LAB,
        "docs/labs/lab07/modern_call.sh",
        &[("LAB07_CITY", city.name)],
        "50",
    );
    let missing = |what: &str| -> ! {
        fail(
            LAB,
            format!("{what}\n{}{}", quote_log(&lines), run.report()),
        )
    };

    // The server's view first: what arrived.
    let Some(discover) = lines
        .iter()
        .position(|l| l.is("jsonrpc", "server/discover"))
    else {
        let why = refusal(&lines).unwrap_or_else(|| {
            "the server received no server/discover request: send it first, as a POST".into()
        });
        missing(&why);
    };
    if let Some(why) = modern_headers_problem(&lines[discover], "server/discover") {
        missing(&why);
    }
    let calls: Vec<&Logged> = lines[discover..]
        .iter()
        .filter(|l| l.is("jsonrpc", "tools/call"))
        .collect();
    let Some(call) = calls.last() else {
        missing(
            "the server received no tools/call request after the server/discover: call \
             get_weather with curl (a printed answer the server never gave does not count)",
        );
    };
    if let Some(why) = modern_headers_problem(call, "tools/call") {
        missing(&why);
    }
    if !call.is("Mcp-Name", "get_weather") {
        missing(&format!(
            "the server saw Mcp-Name {} on the tools/call: send `Mcp-Name: get_weather` (it \
             mirrors params.name)",
            call.get("Mcp-Name")
        ));
    }
    if !call.meta_has("clientInfo") {
        missing(&format!(
            "the tools/call's params._meta carried no clientInfo (the server saw _meta={}): put \
             io.modelcontextprotocol/clientInfo {{\"name\": …, \"version\": …}} in params._meta",
            call.get("_meta")
        ));
    }
    if !call.meta_has("progressToken") {
        missing(&format!(
            "the tools/call's params._meta carried no progressToken (the server saw _meta={}): \
             without one the server sends no progress",
            call.get("_meta")
        ));
    }
    if !call.get("Accept").contains("text/event-stream") {
        missing(&format!(
            "the server saw Accept {} on the tools/call: accept text/event-stream too \
             (`Accept: application/json, text/event-stream`), or the progress cannot stream",
            call.get("Accept")
        ));
    }
    if call.get("status") != "200" || call.get("outcome") != "complete" {
        missing(&format!(
            "the server answered the tools/call with status={} outcome={}: read the error the \
             script printed",
            call.get("status"),
            call.get("outcome")
        ));
    }

    // Then what the script printed: the server's own answers.
    let printed = printed_messages(&run);
    if !printed.iter().any(|m| {
        m["result"]["supportedVersions"]
            .as_array()
            .is_some_and(|v| v.iter().any(|v| v == "2026-07-28"))
    }) {
        missing(
            "the output has no server/discover result (with supportedVersions): print the \
             response body",
        );
    }
    if !printed.iter().any(is_progress) {
        missing(
            "the output has no notifications/progress event: print the tools/call's body as it \
             streams (`curl -N`)",
        );
    }
    let result = printed
        .iter()
        .rev()
        .find(|m| is_response(m) && m["result"]["content"].is_array());
    let Some(result) = result else {
        missing("the output has no tools/call result: print the last event of the stream");
    };
    let label = city.label();
    let text = result["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or("");
    if result["result"]["structuredContent"]["city"] != city.name || !text.starts_with(&label) {
        missing(&format!(
            "the printed result is not the weather for {label:?}, the city this run asked for in \
             LAB07_CITY: call get_weather with {{\"city\": \"$LAB07_CITY\"}} and print what the \
             server answered; printed: {result}"
        ));
    }
}

pub fn input_required_by_hand() {
    const LAB: usize = 8;
    let Lookup::Ambiguous(candidates) = lookup("Springfield") else {
        panic!("the data set has one Springfield only");
    };
    let choice = candidates[pick(candidates.len())];
    let label = choice.label();
    let (run, lines) = run_script(
        LAB,
        "docs/labs/lab08/input_required.sh",
        &[("LAB08_CHOICE", &label)],
        "20",
    );
    let missing = |what: &str| -> ! {
        fail(
            LAB,
            format!("{what}\n{}{}", quote_log(&lines), run.report()),
        )
    };

    let calls: Vec<&Logged> = lines
        .iter()
        .filter(|l| l.is("jsonrpc", "tools/call"))
        .collect();
    let Some(first) = calls.first() else {
        missing(
            "the server received no tools/call: call get_weather for \"Springfield\" with curl",
        );
    };
    if let Some(why) = modern_headers_problem(first, "tools/call") {
        missing(&why);
    }
    if first.get("outcome") != "input_required" {
        let hint = if first.get("outcome") == "error(-32021)" {
            "declare \"elicitation\": {} in params._meta's clientCapabilities: the server asks \
             which Springfield only a client that can answer"
        } else {
            "send the first call without requestState or inputResponses, for {\"city\": \
             \"Springfield\"}"
        };
        missing(&format!(
            "the first tools/call was answered status={} outcome={}, not an input_required \
             result: {hint}",
            first.get("status"),
            first.get("outcome")
        ));
    }
    let retries = &calls[1..];
    // 2026-07-28 MRTR: the client retries "with a new id": a retry is a request of its own.
    if let Some(same) = retries.iter().find(|l| l.get("id") == first.get("id")) {
        missing(&format!(
            "a retry reused the first call's JSON-RPC id ({}): each retry is a new request, \
             with an id of its own",
            same.get("id")
        ));
    }
    let answered = |l: &&&Logged| l.get("inputResponses") == "present";
    if let Some(bare) = retries
        .iter()
        .find(|l| answered(l) && l.get("requestState") == "absent")
    {
        missing(&format!(
            "the retry carried inputResponses but no requestState, and was refused (status={}): \
             send back the requestState of the input_required result, byte for byte, beside \
             inputResponses",
            bare.get("status")
        ));
    }
    let Some(good) = retries.iter().position(|l| {
        answered(&l) && l.get("requestState") == "present" && l.get("outcome") == "complete"
    }) else {
        missing(
            "no retry with inputResponses and the server's requestState was answered with a \
             complete result: send the same tools/call again with params.inputResponses (the \
             answer under the question's key, q1) and params.requestState as it came",
        );
    };
    let tampered = retries[good + 1..].iter().find(|l| {
        l.get("requestState") == "present"
            && l.get("status") == "400"
            && l.get("outcome") == "error(-32602)"
    });
    if tampered.is_none() {
        missing(
            "no retry with a tampered requestState reached the server after the good one (or it \
             was not refused with 400 and -32602): send the retry once more with one character \
             of requestState changed",
        );
    }

    let printed = printed_messages(&run);
    if !printed
        .iter()
        .any(|m| m["result"]["resultType"] == "input_required")
    {
        missing("the output has no input_required result: print the first call's response");
    }
    let done = printed
        .iter()
        .find(|m| m["result"]["resultType"] == "complete" && m["result"]["content"].is_array());
    let Some(done) = done else {
        missing("the output has no complete result: print the retry's response");
    };
    let text = done["result"]["content"][0]["text"].as_str().unwrap_or("");
    if done["result"]["structuredContent"]["region"] != choice.region || !text.starts_with(&label) {
        missing(&format!(
            "the printed result is not the weather for {label:?}, the choice this run asked for \
             in LAB08_CHOICE: answer the question with that city; printed: {done}"
        ));
    }
    let refused = printed.iter().any(|m| {
        m["error"]["code"] == -32602
            && m["error"]["message"]
                .as_str()
                .is_some_and(|t| t.contains("integrity"))
    });
    if !refused {
        missing(
            "the output has no refusal of the tampered requestState (a -32602 error saying it \
             failed its integrity check): print the last retry's response",
        );
    }
}
