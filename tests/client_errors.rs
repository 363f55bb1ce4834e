//! The client's error paths, against a scripted fake server.
//!
//! Our own server never misbehaves on purpose, so these tests put a tiny fake on `127.0.0.1:0`:
//! it reads each HTTP request, records it, and writes back whatever bytes the test scripted.
//! That makes the bad cases exact: a version we do not speak, a stream cut before its response,
//! a stream that goes silent, a session that is refused twice, a server-to-client request.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use streamable_mcp::client::{ClientError, Incoming, McpClient, Options, Timeouts};

/// One request as the fake saw it.
#[derive(Debug, Clone)]
struct Seen {
    http_method: String,
    /// (lowercased name, value)
    headers: Vec<(String, String)>,
    /// The JSON body; `Null` for a DELETE.
    body: Value,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    fn rpc_method(&self) -> &str {
        self.body["method"].as_str().unwrap_or("")
    }
}

/// What the fake writes back. Every answer says `Connection: close`, so one connection carries
/// one request and the fake needs no keep-alive logic.
enum Answer {
    /// Write the bytes, then close.
    Close(String),
    /// Write the bytes, then keep the connection open until the client gives up and closes it.
    Hold(String),
}

struct Fake {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Start a fake whose answers come from `script`. Its threads live until the test process ends.
fn fake(script: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Fake {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let script = Arc::new(script);
    let log = Arc::clone(&seen);
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (script, log) = (Arc::clone(&script), Arc::clone(&log));
            thread::spawn(move || serve(stream, script.as_ref(), &log));
        }
    });
    Fake { addr, seen }
}

fn serve(stream: TcpStream, script: &dyn Fn(&Seen) -> Answer, log: &Mutex<Vec<Seen>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let http_method = line.split(' ').next().unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        let Some((name, value)) = line.trim_end().split_once(':') else {
            break; // the blank line ending the head
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let seen = Seen {
        http_method,
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    log.lock().unwrap().push(seen.clone());
    let mut writer = stream;
    match script(&seen) {
        Answer::Close(bytes) => {
            let _ = writer.write_all(bytes.as_bytes());
        }
        Answer::Hold(bytes) => {
            let _ = writer.write_all(bytes.as_bytes());
            // Block until the client closes its end: this is the client's timeout at work.
            let _ = reader.read_to_end(&mut Vec::new());
        }
    }
}

fn json_answer(status: u16, extra_headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    )
}

/// A body without a length: it ends when the connection closes.
fn open_ended(content_type: &str, body: &str) -> String {
    format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n{body}")
}

fn accepted() -> String {
    "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
}

fn initialize_answer(seen: &Seen, version: &str) -> Answer {
    let body = json!({"jsonrpc":"2.0","id":seen.body["id"],"result":{
        "protocolVersion":version,"capabilities":{"tools":{}},"serverInfo":{"name":"fake","version":"0"}}});
    Answer::Close(json_answer(
        200,
        "Mcp-Session-Id: fake-1\r\n",
        &body.to_string(),
    ))
}

/// Initialize (at 2025-11-25), notifications and DELETE, as a well-behaved server does them.
fn lifecycle(seen: &Seen) -> Option<Answer> {
    match (seen.http_method.as_str(), seen.rpc_method()) {
        ("DELETE", _) => Some(Answer::Close(json_answer(200, "", ""))),
        (_, "initialize") => Some(initialize_answer(seen, "2025-11-25")),
        (_, m) if m.starts_with("notifications/") => Some(Answer::Close(accepted())),
        _ => None,
    }
}

fn quick() -> Options {
    Options {
        timeouts: Timeouts {
            connect: Duration::from_secs(2),
            response: Duration::from_secs(5),
            stall: Duration::from_millis(300),
        },
        ..Options::default()
    }
}

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

/// A stream that ends cleanly, but before the response, is its own error (a later issue resumes
/// it with GET + Last-Event-ID from the id kept here).
#[test]
fn an_sse_stream_that_ends_before_the_response_is_stream_ended_with_its_last_event_id() {
    let server = fake(|seen| {
        lifecycle(seen).unwrap_or_else(|| {
            let progress = json!({"jsonrpc":"2.0","method":"notifications/progress",
                "params":{"progressToken":seen.body["params"]["_meta"]["progressToken"],"progress":1}});
            Answer::Close(open_ended(
                "text/event-stream",
                &format!("id: s-0\nretry: 250\ndata: \n\nid: s-1\ndata: {progress}\n\n"),
            ))
        })
    });
    let mut client = McpClient::connect(&server.url(), quick()).unwrap();
    let mut progress = 0;
    let err = client
        .call_tool("t", json!({}), &mut |e| {
            if matches!(e, Incoming::Progress(_)) {
                progress += 1;
            }
        })
        .unwrap_err();
    assert_eq!(
        err,
        ClientError::StreamEnded {
            last_event_id: Some("s-1".into())
        }
    );
    assert_eq!(progress, 1);
    assert_eq!(client.resume_point().retry_ms, Some(250));
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
    assert_eq!(refusal.body["error"]["code"], -32601);
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
