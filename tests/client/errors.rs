//! The client's error paths, against a scripted fake server.
//!
//! Our own server never misbehaves on purpose, so these tests put a tiny fake on `127.0.0.1:0`
//! (`fake.rs`): it reads each HTTP request, records it, and writes back whatever bytes
//! the test scripted. That makes the bad cases exact: a version we do not speak, a stream cut
//! mid-chunk, a stream that goes silent, a session that is refused twice, a server-to-client
//! request. Cut streams that *can* be resumed are in `resume.rs`.

use crate::fake::{
    accepted, fake, initialize_answer, json_answer, lifecycle, open_ended, quick, Answer, Seen,
};
use serde_json::json;
use std::io::Cursor;
use std::net::TcpListener;
use std::time::{Duration, Instant};
use streamable_mcp::client::{
    ClientError, Framing, Incoming, McpClient, MessageReader, Options, ResumePoint,
};
use streamable_mcp::jsonrpc::METHOD_NOT_FOUND;

/// SPEC transports#session-management 2 and #protocol-version-header: once initialized, every
/// request carries `MCP-Session-Id` and `MCP-Protocol-Version`; `initialize` itself carries
/// neither. The bearer token goes on every request, the DELETE included.
#[test]
fn session_version_and_token_headers_go_on_every_request_after_initialize() {
    let server = fake(|seen| {
        lifecycle(seen).unwrap_or_else(|| {
            let body = json!({"jsonrpc":"2.0","id":seen.body["id"],"result":{}});
            Answer::Close(json_answer(200, "", &body.to_string()))
        })
    });
    let options = Options {
        bearer_token: Some("t0k".into()),
        ..quick()
    };
    let mut client = McpClient::connect(&server.url(), options).unwrap();
    client.ping().unwrap();
    client.close().unwrap();
    let seen = server.seen();
    let names: Vec<&str> = seen
        .iter()
        .map(|s| match s.http_method.as_str() {
            "DELETE" => "DELETE",
            _ => s.rpc_method(),
        })
        .collect();
    assert_eq!(
        names,
        ["initialize", "notifications/initialized", "ping", "DELETE"]
    );
    assert_eq!(seen[0].header("mcp-session-id"), None);
    assert_eq!(seen[0].header("mcp-protocol-version"), None);
    assert_eq!(
        seen[0].header("accept"),
        Some("application/json, text/event-stream")
    );
    for later in &seen[1..] {
        assert_eq!(later.header("mcp-session-id"), Some("fake-1"), "{later:?}");
        assert_eq!(later.header("mcp-protocol-version"), Some("2025-11-25"));
    }
    assert!(seen
        .iter()
        .all(|s| s.header("authorization") == Some("Bearer t0k")));
}

/// SPEC lifecycle#version-negotiation: "If the client does not support the version in the server's response, it SHOULD disconnect."
#[test]
fn a_server_version_we_do_not_speak_is_refused() {
    let server = fake(|seen| initialize_answer(seen, "2024-11-05"));
    let err = McpClient::connect(&server.url(), quick()).err().unwrap();
    assert_eq!(err, ClientError::UnsupportedVersion("2024-11-05".into()));
    // And nothing was sent after the answer: no notifications/initialized.
    assert_eq!(server.seen().len(), 1);
}

/// Where resuming starts: an SSE body that ends before the response is `StreamEnded`, naming the
/// last event id seen (here the progress event's, `s-1`; the priming event's would do too). The
/// client's call turns exactly this into a GET with `Last-Event-ID: s-1` (`resume.rs`);
/// a stream without ids stays this error (also in `resume.rs`).
#[test]
fn an_sse_stream_that_ends_before_the_response_is_stream_ended_with_its_last_event_id() {
    let body = "id: s-0\nretry: 250\ndata: \n\nid: s-1\ndata: {\"jsonrpc\":\"2.0\"}\n\n";
    let mut body = Cursor::new(body.as_bytes().to_vec());
    let mut point = ResumePoint::default();
    let mut reader = MessageReader::new(&mut body, Framing::Sse, &mut point);
    assert!(reader.next_message().unwrap().is_some());
    assert_eq!(reader.next_message().unwrap(), None, "the body ended");
    let err = reader.ended();
    assert_eq!(
        err,
        ClientError::StreamEnded {
            last_event_id: Some("s-1".into())
        }
    );
    assert_eq!(point.retry_ms, Some(250));
    assert!(err
        .to_string()
        .starts_with("stream ended before the response"));
}

/// A connection cut in the middle of a chunk is the same error, not an I/O failure.
#[test]
fn a_stream_cut_mid_chunk_is_stream_ended_too() {
    let server = fake(|seen| {
        lifecycle(seen).unwrap_or_else(|| {
            Answer::Close(
                "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n40\r\n{\"jsonrpc\":\"2.0\",\"meth"
                    .to_string(),
            )
        })
    });
    let mut client = McpClient::connect(&server.url(), quick()).unwrap();
    let err = client.call_tool("t", json!({}), &mut |_| {}).unwrap_err();
    assert!(matches!(err, ClientError::StreamEnded { .. }), "{err:?}");
}

/// A stream that goes silent is cut by the per-read timeout (300 ms here), not waited on forever.
#[test]
fn a_silent_stream_times_out_after_the_per_read_timeout() {
    let server = fake(|seen| {
        lifecycle(seen)
            .unwrap_or_else(|| Answer::Hold(open_ended("text/event-stream", "id: 1\ndata: \n\n")))
    });
    let mut client = McpClient::connect(&server.url(), quick()).unwrap();
    let started = Instant::now();
    let err = client.call_tool("t", json!({}), &mut |_| {}).unwrap_err();
    let waited = started.elapsed();
    assert!(matches!(err, ClientError::Timeout(_)), "{err:?}");
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
}

/// SPEC transports#session-management 4: on 404 the client "MUST start a new session by sending a
/// new InitializeRequest without a session ID attached" — and we do it once, not in a loop.
#[test]
fn a_second_404_is_reported_after_exactly_one_new_session() {
    let server =
        fake(|seen| lifecycle(seen).unwrap_or_else(|| Answer::Close(json_answer(404, "", ""))));
    let mut client = McpClient::connect(&server.url(), quick()).unwrap();
    let err = client.list_tools().unwrap_err();
    assert_eq!(err, ClientError::SessionExpired);
    let seen = server.seen();
    let inits: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.rpc_method() == "initialize")
        .collect();
    assert_eq!(inits.len(), 2, "one initialize, then one new session");
    assert_eq!(inits[1].header("mcp-session-id"), None);
    assert_eq!(inits[1].header("mcp-protocol-version"), None);
    let lists: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.rpc_method() == "tools/list")
        .collect();
    assert_eq!(lists.len(), 2);
    assert_eq!(lists[0].header("mcp-session-id"), Some("fake-1"));
    assert_eq!(lists[0].header("mcp-protocol-version"), Some("2025-11-25"));
}

/// The tutorial's `{"id":N,"stream":"..."}` lines show as progress; a server-to-client request is
/// shown too, and answered with -32601 in a POST of its own.
#[test]
fn tutorial_stream_lines_are_progress_and_server_requests_are_refused() {
    let server = fake(|seen| {
        if seen.body.get("error").is_some() {
            return Answer::Close(accepted()); // our refusal of the server's request
        }
        lifecycle(seen).unwrap_or_else(|| {
            let id = &seen.body["id"];
            let lines = [
                json!({"jsonrpc":"2.0","id":id,"stream":"chunk one"}),
                json!({"jsonrpc":"2.0","id":"srv-1","method":"elicitation/create","params":{}}),
                json!({"jsonrpc":"2.0","id":id,"stream":"chunk two"}),
                json!({"jsonrpc":"2.0","id":id,"result":{"content":[{"type":"text","text":"done"}]}}),
            ];
            let body: String = lines.iter().map(|l| format!("{l}\n\n")).collect();
            Answer::Close(open_ended("application/x-ndjson", &body))
        })
    });
    let mut client = McpClient::connect(&server.url(), quick()).unwrap();
    let mut events = Vec::new();
    let result = client
        .call_tool("t", json!({}), &mut |e| events.push(e.clone()))
        .unwrap();
    assert_eq!(result.text, "done");
    let shown: Vec<String> = events
        .iter()
        .map(|e| match e {
            Incoming::Progress(p) => format!("progress {p}"),
            Incoming::Request { method, .. } => format!("request {method}"),
            Incoming::Notification { method, .. } => format!("notification {method}"),
            Incoming::Resumed { .. } => "resumed".to_string(),
            Incoming::Reissued { .. } => "reissued".to_string(),
            Incoming::InputRequired { .. } => "input required".to_string(),
        })
        .collect();
    assert_eq!(
        shown,
        [
            "progress 1 chunk one",
            "request elicitation/create",
            "progress 2 chunk two"
        ]
    );
    let refusal = server
        .seen()
        .into_iter()
        .find(|s| s.body.get("error").is_some())
        .expect("the client answered the server's request");
    assert_eq!(refusal.body["id"], "srv-1");
    assert_eq!(refusal.body["error"]["code"], METHOD_NOT_FOUND);
}

/// SHARP EDGE (ureq): with its default settings a 502 would be `Err(StatusCode(502))` with the
/// body gone. The client turns that off, so the body survives.
#[test]
fn an_http_error_without_jsonrpc_keeps_its_text() {
    let server = fake(|_| {
        Answer::Close(
            "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\nupstream down"
                .to_string(),
        )
    });
    let err = McpClient::connect(&server.url(), quick()).err().unwrap();
    assert_eq!(
        err,
        ClientError::Http {
            status: 502,
            body: "upstream down".into(),
            error: None
        }
    );
}

/// SPEC transports#sending-messages 5: a request is answered with SSE or JSON; 202 is for
/// notifications and responses only.
#[test]
fn a_202_for_a_request_is_a_protocol_error() {
    let server = fake(|_| Answer::Close(accepted()));
    let err = McpClient::connect(&server.url(), quick()).err().unwrap();
    assert!(
        matches!(&err, ClientError::Protocol(why) if why.contains("202")),
        "{err:?}"
    );
}

#[test]
fn nothing_listening_is_a_connect_error() {
    // A port that was free a moment ago: bound, read, released.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let err = McpClient::connect(&format!("http://127.0.0.1:{port}/mcp"), quick())
        .err()
        .unwrap();
    assert!(matches!(err, ClientError::Connect(_)), "{err:?}");
}
