//! MCP 2024-11-05 `basic/transports` §HTTP with SSE, served with `--http-sse`: `GET /sse` opens
//! the stream and names the POST endpoint in an `endpoint` event, `POST /messages?sessionId=…`
//! answers 202 and its answer travels on the stream. Then the failure the transport was replaced
//! for: a cut connection loses the session and a running call's result, beside the same cut on
//! Streamable HTTP, which the client resumes without losing anything.

use crate::support::{self, start, weather_call, LiveSse, RawResponse, TestServer};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use streamable_mcp::server::config::Config;

const INIT_2024: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"test","version":"0"}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

fn with_http_sse(edit: impl FnOnce(&mut Config)) -> TestServer {
    start(|c| {
        c.http_sse = true;
        c.heartbeat = Duration::from_millis(50);
        edit(c);
    })
}

/// An open `GET /sse`: its head, then its events as they come.
struct SseConnection {
    reader: BufReader<TcpStream>,
    status: u16,
    head: String,
}

impl SseConnection {
    fn open(addr: SocketAddr, extra: &str) -> SseConnection {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let request = format!("GET /sse HTTP/1.1\r\nHost: {addr}\r\n{extra}\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream);
        let mut head = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            head.push_str(&line);
            if line.trim_end().is_empty() {
                break;
            }
        }
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        SseConnection {
            reader,
            status,
            head,
        }
    }

    /// The next event's field lines (`event: …`, `data: …`, any `id: …`), comments and chunk
    /// sizes skipped; `None` when the response ended.
    fn next_event(&mut self) -> Option<Vec<String>> {
        let mut fields = Vec::new();
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).unwrap() == 0 || line == "0\r\n" {
                return None;
            }
            let line = line.trim_end_matches(['\r', '\n']).to_string();
            if line.is_empty() {
                if !fields.is_empty() {
                    return Some(fields);
                }
            } else if line.starts_with("event:")
                || line.starts_with("data:")
                || line.starts_with("id:")
            {
                fields.push(line);
            }
        }
    }

    /// The next `message` event's data, as JSON.
    fn next_message(&mut self) -> Value {
        let fields = self.next_event().expect("the stream ended");
        assert_eq!(fields[0], "event: message", "{fields:?}");
        let data = fields
            .iter()
            .find_map(|f| f.strip_prefix("data: "))
            .unwrap();
        serde_json::from_str(data).unwrap()
    }

    /// The session id the `endpoint` event names.
    fn session_id(&mut self) -> String {
        let fields = self.next_event().expect("no endpoint event");
        let data = fields[1]
            .strip_prefix("data: /messages?sessionId=")
            .unwrap();
        data.to_string()
    }
}

/// POST one message to `/messages?sessionId=…` (`query` is what follows the `?`).
fn post_message(
    addr: SocketAddr,
    query: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> RawResponse {
    let mut text = format!(
        "POST /messages?{query} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        text.push_str(&format!("{n}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    support::send_raw(addr, text.as_bytes())
}

/// Open `/sse`, initialize at 2024-11-05, and send `notifications/initialized`.
fn initialized(addr: SocketAddr) -> (SseConnection, String) {
    let mut sse = SseConnection::open(addr, "");
    let sid = sse.session_id();
    let q = format!("sessionId={sid}");
    assert_eq!(post_message(addr, &q, &[], INIT_2024).status, 202);
    assert_eq!(sse.next_message()["id"], 1);
    assert_eq!(post_message(addr, &q, &[], INITIALIZED).status, 202);
    (sse, sid)
}

#[test]
fn a_get_to_sse_sends_an_endpoint_event_first_naming_the_uri_to_post_to() {
    let server = with_http_sse(|_| {});
    let mut sse = SseConnection::open(server.addr, "Accept: text/event-stream\r\n");
    assert_eq!(sse.status, 200);
    assert!(sse
        .head
        .to_ascii_lowercase()
        .contains("content-type: text/event-stream"));
    let fields = sse.next_event().unwrap();
    assert_eq!(fields[0], "event: endpoint");
    let id = fields[1]
        .strip_prefix("data: /messages?sessionId=")
        .unwrap();
    assert!(
        id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(server.server.endpoint().session_count(), 1);
}

#[test]
fn a_post_to_messages_is_202_with_no_body_and_its_answer_is_a_message_event_without_an_id() {
    let server = with_http_sse(|_| {});
    let mut sse = SseConnection::open(server.addr, "");
    let sid = sse.session_id();
    let r = post_message(server.addr, &format!("sessionId={sid}"), &[], INIT_2024);
    assert_eq!((r.status, r.body.as_str()), (202, ""));
    let fields = sse.next_event().unwrap();
    assert_eq!(fields[0], "event: message");
    assert!(!fields.iter().any(|f| f.starts_with("id:")), "{fields:?}");
    let reply: Value = serde_json::from_str(fields[1].strip_prefix("data: ").unwrap()).unwrap();
    assert_eq!(reply["id"], 1);
    assert_eq!(reply["result"]["protocolVersion"], "2024-11-05");
}

#[test]
fn an_initialize_at_a_later_revision_is_negotiated_as_on_mcp() {
    let server = with_http_sse(|_| {});
    let mut sse = SseConnection::open(server.addr, "");
    let sid = sse.session_id();
    let r = post_message(server.addr, &format!("sessionId={sid}"), &[], support::INIT);
    assert_eq!(r.status, 202);
    assert_eq!(
        sse.next_message()["result"]["protocolVersion"],
        "2025-11-25"
    );
}

#[test]
fn a_tools_call_sends_its_progress_and_result_on_the_stream_not_on_the_post() {
    let server = with_http_sse(|_| {});
    let (mut sse, sid) = initialized(server.addr);
    let r = post_message(
        server.addr,
        &format!("sessionId={sid}"),
        &[],
        &weather_call(2, "Hangzhou", "p"),
    );
    assert_eq!((r.status, r.body.as_str()), (202, ""));
    let mut progress = 0;
    let result = loop {
        let message = sse.next_message();
        match message["method"].as_str() {
            Some("notifications/progress") => progress += 1,
            _ => break message,
        }
    };
    assert_eq!(progress, 3);
    assert_eq!(result["id"], 2);
    assert_eq!(result["result"]["structuredContent"]["city"], "Hangzhou");
}

#[test]
fn a_post_without_a_session_id_is_400_and_with_an_unknown_one_404() {
    let server = with_http_sse(|_| {});
    assert_eq!(post_message(server.addr, "", &[], INIT_2024).status, 400);
    let r = post_message(server.addr, "sessionId=nope", &[], INIT_2024);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["id"], 1);
}

#[test]
fn each_transport_serves_only_its_own_sessions() {
    let server = with_http_sse(|_| {});
    // An HTTP+SSE session's id is unknown to /mcp: a response there would bypass its stream.
    let (_sse, sse_id) = initialized(server.addr);
    let on_mcp = support::post_in(
        server.addr,
        &sse_id,
        r#"{"jsonrpc":"2.0","id":5,"method":"ping"}"#,
    );
    assert_eq!(on_mcp.status, 404, "{}", on_mcp.body);
    let delete = support::request(server.addr, "DELETE", &[("Mcp-Session-Id", &sse_id)], "");
    assert_eq!(
        delete.status, 404,
        "DELETE on /mcp does not end an HTTP+SSE session"
    );
    let still = post_message(
        server.addr,
        &format!("sessionId={sse_id}"),
        &[],
        r#"{"jsonrpc":"2.0","id":6,"method":"ping"}"#,
    );
    assert_eq!(still.status, 202, "the HTTP+SSE session lives on");
    // And a Streamable HTTP session's id is unknown to /messages: its answer would go on the
    // session's GET stream, which must carry no response (2025-11-25 §Listening).
    let mcp_id = support::open_session(server.addr);
    let on_messages = post_message(
        server.addr,
        &format!("sessionId={mcp_id}"),
        &[],
        r#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#,
    );
    assert_eq!(on_messages.status, 404, "{}", on_messages.body);
}

#[test]
fn sse_is_get_only_and_messages_is_post_only() {
    let server = with_http_sse(|_| {});
    let get = support::send_raw(
        server.addr,
        format!(
            "GET /messages HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        )
        .as_bytes(),
    );
    assert_eq!((get.status, get.header("allow")), (405, Some("POST")));
    let post = support::send_raw(
        server.addr,
        format!(
            "POST /sse HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}",
            server.addr
        )
        .as_bytes(),
    );
    assert_eq!((post.status, post.header("allow")), (405, Some("GET")));
}

#[test]
fn the_http_sse_paths_are_not_served_without_the_flag() {
    let server = start(|_| {});
    let sse = SseConnection::open(server.addr, "Connection: close\r\n");
    assert_eq!(sse.status, 404);
}

// SPEC 2024-11-05 transports#http-with-sse: "Servers MUST validate the Origin header on all incoming connections"
#[test]
fn both_http_sse_endpoints_validate_origin_and_the_bearer_token() {
    let server = with_http_sse(|c| c.auth_token = Some("letmein".into()));
    let evil = "Origin: http://evil.example.com\r\nAuthorization: Bearer letmein\r\n";
    assert_eq!(SseConnection::open(server.addr, evil).status, 403);
    assert_eq!(SseConnection::open(server.addr, "").status, 401);
    let mut sse = SseConnection::open(server.addr, "Authorization: Bearer letmein\r\n");
    assert_eq!(sse.status, 200);
    let q = format!("sessionId={}", sse.session_id());
    let auth = [("Authorization", "Bearer letmein")];
    let evil = [auth[0], ("Origin", "http://evil.example.com")];
    assert_eq!(post_message(server.addr, &q, &evil, INIT_2024).status, 403);
    assert_eq!(post_message(server.addr, &q, &[], INIT_2024).status, 401);
    assert_eq!(post_message(server.addr, &q, &auth, INIT_2024).status, 202);
}

/// DNS rebinding is refused on the old transport's paths too, and a 405 names each path's methods.
#[test]
fn both_http_sse_endpoints_refuse_a_foreign_host_and_name_their_own_methods() {
    let server = with_http_sse(|_| {});
    for target in ["GET /sse", "POST /messages?sessionId=x"] {
        let request = format!(
            "{target} HTTP/1.1\r\nHost: evil.example.com\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let r = support::send_raw(server.addr, request.as_bytes());
        assert_eq!(r.status, 403, "{target}: {}", r.body);
    }
    for (path, allow) in [
        ("/sse", "GET"),
        ("/messages", "POST"),
        ("/mcp", "GET, POST, DELETE"),
    ] {
        let request = format!(
            "OPTIONS {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        );
        let r = support::send_raw(server.addr, request.as_bytes());
        assert_eq!(r.status, 405, "{path}");
        assert_eq!(r.header("Allow"), Some(allow), "{path}");
    }
}

#[test]
fn a_post_to_messages_over_the_body_cap_is_413_and_not_json_is_415() {
    let server = with_http_sse(|_| {});
    let mut sse = SseConnection::open(server.addr, "");
    let q = format!("sessionId={}", sse.session_id());
    let big = format!(
        "POST /messages?{q} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        server.addr,
        streamable_mcp::wire::MAX_BODY_BYTES + 1
    );
    assert_eq!(support::send_raw(server.addr, big.as_bytes()).status, 413);
    let text = format!(
        "POST /messages?{q} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{{}}",
        server.addr
    );
    assert_eq!(support::send_raw(server.addr, text.as_bytes()).status, 415);
}

/// Wait until `done` holds, or panic after `within`.
fn eventually(within: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "not within {within:?}: {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

// The failure the tutorial's first chapter is about, seen on the wire.
#[test]
fn a_cut_http_sse_connection_ends_the_session_and_loses_the_running_calls_result() {
    // Steps of 1 s: the call has two more to go when the connection drops.
    let server = with_http_sse(|c| c.step_delay = Duration::from_secs(1));
    let (mut sse, sid) = initialized(server.addr);
    let q = format!("sessionId={sid}");
    assert_eq!(
        post_message(server.addr, &q, &[], &weather_call(2, "Hangzhou", "p")).status,
        202
    );
    let first = sse.next_message();
    assert_eq!(first["method"], "notifications/progress");
    // No event carried an id: there is nothing a client could resume from.
    drop(sse); // the network drops the connection mid-call
    let endpoint = server.server.endpoint();
    eventually(Duration::from_millis(900), "the session ends", || {
        endpoint.session_count() == 0
    });
    // The call is stopped, not finished (that would take 2 s more): its result was never made,
    // and nobody could ask for it.
    eventually(Duration::from_millis(900), "the call stops", || {
        endpoint.running_calls() == 0
    });
    let late = post_message(
        server.addr,
        &q,
        &[],
        r#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#,
    );
    assert_eq!(late.status, 404);
    // A new connection is a new session, which knows nothing of call 2.
    let mut again = SseConnection::open(server.addr, "");
    assert_ne!(again.session_id(), sid);
}

#[test]
fn the_same_cut_on_streamable_http_is_resumed_with_last_event_id_and_nothing_is_lost() {
    let server = start(|c| {
        c.step_delay = Duration::from_millis(200);
        c.heartbeat = Duration::from_millis(50);
    });
    let sid = support::open_session(server.addr);
    let call = support::build_post_in(server.addr, &sid, &weather_call(2, "Hangzhou", "p"));
    let mut live = LiveSse::open(server.addr, &call);
    assert_eq!(live.status, 200);
    let (first_id, first) = live.next_message().unwrap();
    assert_eq!(first["method"], "notifications/progress");
    drop(live); // the same cut, at the same point of the call
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(
        server.server.endpoint().session_count(),
        1,
        "the session lives on"
    );
    let rest = support::resume(server.addr, &sid, &first_id);
    assert_eq!(rest.status, 200);
    let messages = support::sse_messages(&rest.body);
    let progress = messages
        .iter()
        .filter(|m| m["method"] == "notifications/progress")
        .count();
    assert_eq!(
        progress, 2,
        "the two progress steps after the cut, once each"
    );
    let result = messages.last().unwrap();
    assert_eq!(result["id"], 2);
    assert_eq!(result["result"]["structuredContent"]["city"], "Hangzhou");
}
