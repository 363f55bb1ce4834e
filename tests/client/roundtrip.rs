//! Our client against our server, over real sockets, in every framing.
//!
//! Each test is named after the rule it checks (MCP 2025-11-25 `basic/transports`,
//! `basic/lifecycle`, `server/tools`, `basic/utilities/progress`). The server is the crate's own,
//! started on `127.0.0.1:0` by `support::start`; the raw HTTP helpers of `support` are used only
//! to look behind the client's back (is the session really gone?).

use crate::fake::legacy;
use crate::support::{post, request, start, ACCEPT_BOTH};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use streamable_mcp::client::{
    CallResult, ClientError, Framing, Incoming, McpClient, Options, Progress,
};
use streamable_mcp::jsonrpc::INVALID_PARAMS;

fn options(framing: Framing) -> Options {
    Options {
        framing,
        ..legacy()
    }
}

/// Call get_weather, keeping every progress report and the moment it arrived.
fn weather(client: &mut McpClient, city: &str) -> (CallResult, Vec<(Instant, Progress)>) {
    let mut seen = Vec::new();
    let result = client
        .call_tool("get_weather", json!({ "city": city }), &mut |event| {
            if let Incoming::Progress(p) = event {
                seen.push((Instant::now(), p.clone()));
            }
        })
        .expect("get_weather answers");
    (result, seen)
}

/// The weather catalog's tools, in order (read from the catalog, so that adding a tool, as in
/// lab 2, does not break this test).
fn catalog_names() -> Vec<String> {
    let tools = streamable_mcp::weather::CATALOG.tools;
    tools.iter().map(|t| t.name.to_string()).collect()
}

fn tool_names(client: &mut McpClient) -> Vec<String> {
    let tools = client.list_tools().expect("tools/list answers");
    tools.into_iter().map(|t| t.name).collect()
}

/// The whole life of a session: connect, list, call with progress, ping, close; then the old
/// session id must be refused with 404.
fn round_trip(framing: Framing, call_framed_as: Framing) {
    let server = start(|_| {});
    let mut client = McpClient::connect(&server.url(), options(framing)).expect("connect");
    assert_eq!(client.protocol_version(), Some("2025-11-25"));
    let session = client.session_id().expect("a session id").to_string();

    assert_eq!(tool_names(&mut client), catalog_names());

    let (result, progress) = weather(&mut client, "Hangzhou");
    assert!(!result.is_error, "{result:?}");
    assert!(result.text.starts_with("Hangzhou"), "{}", result.text);
    assert_eq!(result.structured.as_ref().unwrap()["city"], "Hangzhou");
    assert_eq!(client.last_framing(), Some(call_framed_as));
    if call_framed_as == Framing::Json {
        // One JSON object has room for the result only.
        assert!(progress.is_empty());
    } else {
        let steps: Vec<String> = progress.iter().map(|(_, p)| p.to_string()).collect();
        assert_eq!(steps.len(), 3, "{steps:?}");
        assert!(steps[0].starts_with("1/3 Looking up Hangzhou"), "{steps:?}");
        assert!(steps[2].starts_with("3/3"), "{steps:?}");
    }

    client.ping().expect("ping");
    client.close().expect("close");

    // SPEC transports#session-management 3: after termination the server "MUST respond to requests containing that session ID with HTTP 404 Not Found."
    let after = post(
        server.addr,
        &[
            ("Accept", ACCEPT_BOTH),
            ("Mcp-Session-Id", &session),
            ("MCP-Protocol-Version", "2025-11-25"),
        ],
        r#"{"jsonrpc":"2.0","id":9,"method":"ping"}"#,
    );
    assert_eq!(after.status, 404, "{after:?}");
}

#[test]
fn round_trip_over_sse_lists_calls_with_progress_pings_and_closes() {
    round_trip(Framing::Sse, Framing::Sse);
}

#[test]
fn round_trip_over_ndjson_lists_calls_with_progress_pings_and_closes() {
    round_trip(Framing::Ndjson, Framing::Ndjson);
}

#[test]
fn round_trip_over_json_only_gets_the_result_without_progress() {
    round_trip(Framing::Json, Framing::Json);
}

/// SPEC pagination: Clients SHOULD "Treat a missing `nextCursor` as the end of results" — so they
/// keep asking while it is present.
#[test]
fn tools_list_follows_next_cursor_until_it_is_absent() {
    let server = start(|c| c.page_size = 1);
    let mut client = McpClient::new(&server.url(), legacy());
    let pages = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&pages);
    client.set_trace(Box::new(move |message: &Value| {
        if message.pointer("/result/tools").is_some() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    }));
    client.initialize().unwrap();
    assert_eq!(tool_names(&mut client), catalog_names());
    let pages = pages.load(Ordering::SeqCst);
    assert_eq!(
        pages,
        catalog_names().len(),
        "one page per tool with page_size = 1"
    );
    assert!(pages >= 2, "the catalog has more than one page");
}

/// Progress is only useful live: the first report must reach the callback a whole server step
/// (400 ms here) before the call returns. The evidence is the server's own pacing, not a sleep.
fn progress_arrives_before_the_result(framing: Framing) {
    let server = start(|c| c.step_delay = Duration::from_millis(400));
    let mut client = McpClient::connect(&server.url(), options(framing)).unwrap();
    let (_, progress) = weather(&mut client, "Beijing");
    let returned = Instant::now();
    let (first, _) = progress.first().expect("progress arrived");
    let lead = returned - *first;
    assert!(
        lead >= Duration::from_millis(300),
        "the first progress came only {lead:?} before the result: it was buffered, not streamed"
    );
}

#[test]
fn progress_reaches_the_callback_before_the_result_exists_over_sse() {
    progress_arrives_before_the_result(Framing::Sse);
}

#[test]
fn progress_reaches_the_callback_before_the_result_exists_over_ndjson() {
    progress_arrives_before_the_result(Framing::Ndjson);
}

/// SPEC transports#session-management 4: "When a client receives HTTP 404 in response to a
/// request containing an MCP-Session-Id, it MUST start a new session by sending a new
/// InitializeRequest without a session ID attached."
#[test]
fn http_404_for_our_session_starts_a_new_session_and_the_request_succeeds() {
    let server = start(|_| {});
    let mut client = McpClient::connect(&server.url(), legacy()).unwrap();
    let first = client.session_id().unwrap().to_string();

    // End the session behind the client's back.
    let deleted = request(server.addr, "DELETE", &[("Mcp-Session-Id", &first)], "");
    assert_eq!(deleted.status, 200, "{deleted:?}");

    assert_eq!(tool_names(&mut client), catalog_names());
    let second = client.session_id().unwrap().to_string();
    assert_ne!(first, second, "a new session was started");
    assert_eq!(server.server.endpoint().session_count(), 1);

    // A call is retried the same way, progress included.
    request(server.addr, "DELETE", &[("Mcp-Session-Id", &second)], "");
    let (result, progress) = weather(&mut client, "Wuhan");
    assert!(!result.is_error);
    assert_eq!(progress.len(), 3);
    assert_ne!(client.session_id().unwrap(), second);
}

/// A tool that fails reports it *in the result* (isError); only a protocol failure is an `Err`.
#[test]
fn unknown_city_is_a_result_with_is_error_and_unknown_tool_is_jsonrpc_32602() {
    let server = start(|_| {});
    let mut client = McpClient::connect(&server.url(), legacy()).unwrap();
    let (result, _) = weather(&mut client, "Atlantis");
    assert!(result.is_error);
    assert!(result.text.contains("Atlantis"), "{}", result.text);

    let err = client
        .call_tool("no_such_tool", json!({}), &mut |_| {})
        .unwrap_err();
    match err {
        ClientError::JsonRpc(e) => assert_eq!(e.code, INVALID_PARAMS),
        other => panic!("expected a JSON-RPC error, got {other:?}"),
    }
}

/// An HTTP error keeps its body; the JSON-RPC error the server put there is shown. With the
/// token, every request (initialize, the notification, the call, the DELETE) gets through.
#[test]
fn bearer_token_is_sent_on_every_request_and_a_401_keeps_its_jsonrpc_error() {
    let server = start(|c| c.auth_token = Some("s3cret".into()));
    let err = McpClient::connect(&server.url(), legacy())
        .err()
        .expect("refused without a token");
    match &err {
        ClientError::Http {
            status: 401,
            body,
            error: Some(e),
        } => {
            assert!(body.contains("Unauthorized"), "{body}");
            assert!(err.to_string().contains(&e.message), "{err}");
        }
        other => panic!("expected HTTP 401 with a JSON-RPC error, got {other:?}"),
    }

    let with_token = Options {
        bearer_token: Some("s3cret".into()),
        ..legacy()
    };
    let mut client = McpClient::connect(&server.url(), with_token).unwrap();
    let (result, _) = weather(&mut client, "Hangzhou");
    assert!(!result.is_error);
    client.close().unwrap();
    assert_eq!(server.server.endpoint().session_count(), 0);
}

/// A server MAY work without sessions; then no id is sent and there is nothing to DELETE.
#[test]
fn stateless_server_works_without_a_session_id() {
    let server = start(|c| c.stateless = true);
    let mut client = McpClient::connect(&server.url(), legacy()).unwrap();
    assert_eq!(client.session_id(), None);
    let (result, progress) = weather(&mut client, "Hangzhou");
    assert!(!result.is_error);
    assert_eq!(progress.len(), 3);
    client.close().unwrap();
}

/// The SSE stream's priming event carries an id (and `retry`) the client keeps for resuming.
#[test]
fn sse_call_remembers_the_last_event_id_for_resumption() {
    let server = start(|_| {});
    let mut client = McpClient::connect(&server.url(), legacy()).unwrap();
    weather(&mut client, "Hangzhou");
    assert!(
        client.resume_point().last_event_id.is_some(),
        "{:?}",
        client.resume_point()
    );
}
