//! The `mcp-client` binary, run as a user would, against our server on `127.0.0.1:0`.
//!
//! Checks its contract: what it prints, and its exit codes (0 success, 1 the tool reported
//! `isError`, 2 usage error, 3 connection or protocol error).

use crate::fake::{fake, json_answer, open_ended, Answer};
use crate::support::start;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use streamable_mcp::jsonrpc::{self, Message, INVALID_PARAMS};

fn run(args: &[&str]) -> Output {
    run_with_env(args, None)
}

fn run_with_env(args: &[&str], token: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mcp-client"));
    command.args(args).env_remove("MCP_AUTH_TOKEN");
    if let Some(token) = token {
        command.env("MCP_AUTH_TOKEN", token);
    }
    command.output().expect("the binary runs")
}

/// Run with `input` piped to stdin (then closed, so reading past it is end of input).
fn run_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mcp-client"))
        .args(args)
        .env_remove("MCP_AUTH_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

pub fn code(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A file under the temp directory with a name no other test (or test run) uses.
fn temp_file(text: &str) -> std::path::PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "mcp-client-test-{}-{}.json",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn call_prints_timed_progress_lines_then_the_result_and_exits_0() {
    let server = start(|_| {});
    let out = run(&[
        "--url",
        &server.url(),
        "call",
        "get_weather",
        "city=Hangzhou",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with('[') && lines[0].contains("s] progress 1/3 Looking up Hangzhou"),
        "{text}"
    );
    assert!(lines[2].contains("progress 3/3"), "{text}");
    assert!(lines[3].starts_with("Hangzhou, Zhejiang, China:"), "{text}");
    assert!(text.contains("structuredContent"), "{text}");
}

#[test]
fn tools_prints_name_and_description() {
    let server = start(|_| {});
    let out = run(&["tools", "--url", &server.url()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("get_weather ") && l.contains("Get the current weather")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("list_cities")), "{text}");
}

#[test]
fn ping_prints_pong_and_exits_0() {
    let server = start(|_| {});
    let out = run(&["--url", &server.url(), "ping"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with("pong from"), "{}", stdout(&out));
}

#[test]
fn a_tool_error_result_exits_1() {
    let server = start(|_| {});
    let out = run(&[
        "--url",
        &server.url(),
        "call",
        "get_weather",
        "city=Atlantis",
    ]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(stdout(&out).contains("Atlantis"), "{}", stdout(&out));
}

#[test]
fn usage_errors_exit_2_with_the_usage() {
    for args in [
        &[][..],
        &["fly"],
        &["--bogus", "tools"],
        &["call", "get_weather", "city"],
        &["--framing", "xml", "ping"],
        &["--config", "/nonexistent/mcp-servers.json", "tools"],
        &["ping", "--decline"],
        &["call", "t", "--answer", "a=1", "--decline"],
    ] {
        let out = run(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("USAGE"), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn help_prints_the_usage_and_exits_0() {
    let out = run(&["--help"]);
    assert_eq!(code(&out), 0);
    assert!(stdout(&out).contains("EXIT CODES"));
}

#[test]
fn nothing_listening_and_unknown_tool_exit_3() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = run(&["--url", &format!("http://127.0.0.1:{port}/mcp"), "ping"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot reach"), "{}", stderr(&out));

    let server = start(|_| {});
    let out = run(&["--url", &server.url(), "call", "no_such_tool"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let error = format!("JSON-RPC error {INVALID_PARAMS}");
    assert!(stderr(&out).contains(&error), "{}", stderr(&out));
}

/// `--json`: one compact JSON-RPC message per line, as received; the call's progress
/// notifications and its response each appear exactly once.
#[test]
fn json_output_is_one_jsonrpc_message_per_line_with_progress_and_one_response() {
    let server = start(|_| {});
    let out = run(&[
        "--url",
        &server.url(),
        "--json",
        "call",
        "get_weather",
        "city=Hangzhou",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let messages: Vec<Message> = stdout(&out)
        .lines()
        .map(|l| jsonrpc::parse(l.as_bytes()).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    let progress: Vec<&Message> = messages
        .iter()
        .filter(|m| matches!(m, Message::Notification { method, .. } if method == "notifications/progress"))
        .collect();
    assert_eq!(progress.len(), 3, "{messages:?}");
    let results: Vec<&Value> = messages
        .iter()
        .filter_map(|m| match m {
            Message::Response { result, .. } if result.get("content").is_some() => Some(result),
            _ => None,
        })
        .collect();
    assert_eq!(results.len(), 1, "{messages:?}");
    // The response comes last: nothing is printed after the call ends.
    assert!(matches!(messages.last(), Some(Message::Response { .. })));
}

#[test]
fn config_file_names_tools_server_dot_tool_and_routes_calls() {
    let server = start(|_| {});
    let config = temp_file(&format!(
        r#"{{"mcpServers":{{
            "files":{{"command":"npx","args":["some-stdio-server"]}},
            "weather":{{"url":"{}","type":"streamableHttp"}},
            "off":{{"url":"http://127.0.0.1:1/mcp","isActive":false}}}}}}"#,
        server.url()
    ));
    let config = config.to_str().unwrap();

    let out = run(&["--config", config, "tools"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("weather.get_weather"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("weather.list_cities"),
        "{}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("\"files\""), "{}", stderr(&out));
    assert!(stderr(&out).contains("\"off\""), "{}", stderr(&out));

    let out = run(&[
        "--config",
        config,
        "call",
        "weather.get_weather",
        "city=Beijing",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("Beijing"), "{}", stdout(&out));

    let out = run(&["--config", config, "call", "get_weather", "city=Beijing"]);
    assert_eq!(code(&out), 2, "a tool without its server is a usage error");
    std::fs::remove_file(config).unwrap();
}

#[test]
fn token_from_flag_or_environment_is_sent_as_bearer() {
    let server = start(|c| c.auth_token = Some("s3cret".into()));
    let url = server.url();
    let out = run(&["--url", &url, "ping"]);
    assert_eq!(code(&out), 3);
    assert!(stderr(&out).contains("HTTP 401"), "{}", stderr(&out));
    assert_eq!(code(&run(&["--url", &url, "--token", "s3cret", "ping"])), 0);
    assert_eq!(
        code(&run_with_env(&["--url", &url, "ping"], Some("s3cret"))),
        0
    );
}

#[test]
fn framing_flag_picks_ndjson_and_json_only() {
    let server = start(|_| {});
    let url = server.url();
    let ndjson = run(&[
        "--url",
        &url,
        "--framing",
        "ndjson",
        "call",
        "get_weather",
        "city=Wuhan",
    ]);
    assert_eq!(code(&ndjson), 0, "{}", stderr(&ndjson));
    assert_eq!(stdout(&ndjson).matches("] progress ").count(), 3);
    let json = run(&[
        "--url",
        &url,
        "--framing",
        "json",
        "call",
        "get_weather",
        "city=Wuhan",
    ]);
    assert_eq!(code(&json), 0, "{}", stderr(&json));
    assert_eq!(stdout(&json).matches("] progress ").count(), 0);
    assert!(stdout(&json).starts_with("Wuhan"), "{}", stdout(&json));
}

const ILLINOIS: &str = "Springfield, Illinois, United States";

/// `mcp-client --url URL [flags...] call get_weather city=Springfield [extra...]`, with `input`
/// piped to stdin.
/// `call get_weather city=Springfield` in the legacy era, where the question comes on the call's
/// stream (the modern era's round trip is `modern_springfield_is_answered_in_a_second_request`).
fn springfield(url: &str, flags: &[&str], extra: &[&str], input: &str) -> Output {
    let call = ["call", "get_weather", "city=Springfield"];
    let era = ["--url", url, "--era", "legacy"];
    run_with_stdin(&[&era[..], flags, &call, extra].concat(), input)
}

fn assert_has(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} not in:\n{text}");
}

/// `--answer key=value` answers the server's question without asking: the call finishes for
/// the city named there, and stderr says what was answered, to whom.
#[test]
fn call_with_answer_accepts_the_question_without_asking() {
    let server = start(|_| {});
    let answer = format!("city={ILLINOIS}");
    let out = springfield(&server.url(), &[], &["--answer", &answer], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_has(&stdout(&out), &format!("\n{ILLINOIS}: Cloudy"));
    assert_has(
        &stdout(&out),
        "the server asks a question (elicitation/create)",
    );
    let asks = format!("{} asks: \"Springfield\" matches 3 cities", server.url());
    assert_has(&stderr(&out), &asks);
    assert_has(&stderr(&out), "answered with --answer");
}

/// Without --answer the question is asked on the terminal: the choices are listed, numbered, on
/// stderr, and the line read from stdin picks one ("2": the second). Nothing typed (end of
/// input) cancels; --decline declines; both end the call with a tool error (exit 1).
#[test]
fn call_asks_on_the_terminal_and_a_piped_number_picks_that_choice() {
    let server = start(|_| {});
    let out = springfield(&server.url(), &[], &[], "2\n");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_has(
        &stdout(&out),
        "\nSpringfield, Massachusetts, United States: ",
    );
    assert_has(&stderr(&out), &format!("  1) {ILLINOIS}\n"));
    assert_has(&stderr(&out), "empty line: decline, Ctrl-D: cancel");

    let cancelled = springfield(&server.url(), &[], &[], "");
    assert_eq!(code(&cancelled), 1, "{}", stderr(&cancelled));
    assert_has(&stdout(&cancelled), "The question was cancelled.");
    let declined = springfield(&server.url(), &[], &["--decline"], "");
    assert_eq!(code(&declined), 1, "{}", stderr(&declined));
    assert_has(&stdout(&declined), "You declined to choose a city.");
}

/// `--json` through a server that cuts every response after 2 events: each JSON-RPC message
/// received is printed once (3 progress, 1 question, 1 response), though the call took several
/// connections; the priming events, which are no messages, are not printed.
#[test]
fn json_output_shows_each_message_once_across_cut_streams() {
    let server = start(|c| {
        c.drop_stream_after = Some(2);
        c.retry = Duration::from_millis(10);
    });
    let answer = format!("city={ILLINOIS}");
    let out = springfield(&server.url(), &["--json"], &["--answer", &answer], "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
        .collect();
    let count = |pick: &dyn Fn(&Value) -> bool| lines.iter().filter(|m| pick(m)).count();
    let progress = count(&|m| m["method"] == "notifications/progress");
    let questions = count(&|m| m["method"] == "elicitation/create");
    let results = count(&|m| m["result"]["content"].is_array());
    assert_eq!((progress, questions, results), (3, 1, 1), "{lines:?}");
    // initialize's answer, and the five messages of the call: nothing else, nothing twice.
    assert_eq!(lines.len(), 6, "{lines:?}");
    let text = &lines[5]["result"]["content"][0]["text"];
    assert!(text.as_str().unwrap().starts_with(ILLINOIS), "{text}");
}

/// The default era against our server is the modern one: the question comes back as an
/// `input_required` result, `--answer` answers it, and the call is sent again and completes.
#[test]
fn modern_springfield_is_answered_in_a_second_request() {
    let server = start(|_| {});
    let answer = format!("city={ILLINOIS}");
    let call = [
        "call",
        "get_weather",
        "city=Springfield",
        "--answer",
        &answer,
    ];
    let out = run(&[&["--url", &server.url()][..], &call].concat());
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_has(&stdout(&out), "the server needs input first");
    assert_has(&stdout(&out), &format!("\n{ILLINOIS}: Cloudy"));
    assert_has(&stderr(&out), "modern era, protocol version 2026-07-28");
    assert_has(&stderr(&out), "answered with --answer");
}

/// The era used is named on stderr, so stdout stays the command's output: a sentence, or with
/// `--json` one JSON line (stdout then holds JSON-RPC messages only).
#[test]
fn the_era_used_is_named_on_stderr_in_words_or_as_one_json_line() {
    let server = start(|_| {});
    let modern = run(&["--url", &server.url(), "tools"]);
    assert_has(&stderr(&modern), "modern era, protocol version 2026-07-28");
    let legacy = run(&["--url", &server.url(), "--era", "legacy", "tools"]);
    assert_has(&stderr(&legacy), "legacy era, protocol version 2025-11-25");
    let json = run(&["--url", &server.url(), "--era", "legacy", "--json", "tools"]);
    assert_eq!(code(&json), 0, "{}", stderr(&json));
    let line: Value = serde_json::from_str(stderr(&json).lines().next().unwrap()).unwrap();
    assert_eq!(line["era"], "legacy");
    assert_eq!(line["protocolVersion"], "2025-11-25");
    for l in stdout(&json).lines() {
        jsonrpc::parse(l.as_bytes()).unwrap_or_else(|e| panic!("{l}: {e}"));
    }
}

/// A server that answers neither era (404 to the probe and to `initialize`), or answers with
/// something that is not MCP at all, is a clear error and exit code 3, never a hang.
#[test]
fn a_server_that_speaks_neither_era_or_garbage_exits_3() {
    let nothing = fake(|_| Answer::Close(json_answer(404, "", "no MCP here")));
    let out = run(&["--url", &nothing.url(), "tools"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_has(&stderr(&out), "HTTP 404");
    let garbage = fake(|_| Answer::Close(open_ended("application/json", "<html>hello</html>")));
    let out = run(&["--url", &garbage.url(), "tools"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_has(&stderr(&out), "not JSON");
    let silent = fake(|_| Answer::Hold(String::new()));
    let started = std::time::Instant::now();
    let out = run(&["--url", &silent.url(), "tools"]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_has(&stderr(&out), "timed out");
    println!(
        "a silent server was given up on after {:?}",
        started.elapsed()
    );
}
