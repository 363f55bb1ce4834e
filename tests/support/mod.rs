//! Test helpers: a real server on `127.0.0.1:0`, and raw HTTP/1.1 over a `TcpStream` so tests can
//! check the exact bytes on the wire.
#![allow(dead_code)] // each test crate uses a different subset

pub mod binary;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;
use streamable_mcp::server::config::Config;
use streamable_mcp::server::socket::Server;

pub const ACCEPT_BOTH: &str = "application/json, text/event-stream";

pub struct TestServer {
    pub addr: SocketAddr,
    pub server: Arc<Server>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    pub fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Start a server on a free loopback port. Steps take 50 ms unless `edit` says otherwise.
pub fn start(edit: impl FnOnce(&mut Config)) -> TestServer {
    let mut config = Config {
        port: 0,
        step_delay: Duration::from_millis(50),
        ..Config::new(&streamable_mcp::weather::CATALOG)
    };
    edit(&mut config);
    let server = Arc::new(Server::bind(config).expect("bind"));
    let addr = server.addr();
    let runner = Arc::clone(&server);
    let thread = thread::spawn(move || runner.run());
    TestServer {
        addr,
        server,
        thread: Some(thread),
    }
}

/// An HTTP response as read off the socket.
#[derive(Debug)]
pub struct RawResponse {
    pub status: u16,
    /// (lowercased name, value)
    pub headers: Vec<(String, String)>,
    /// The body with any chunked framing removed.
    pub body: String,
    /// Exactly what came after the head, chunk frames included.
    pub raw_body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }
}

/// Send raw bytes on a new connection and read one response.
pub fn send_raw(addr: SocketAddr, request: &[u8]) -> RawResponse {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    read_response(&mut BufReader::new(stream))
}

/// Build and send a request with `Connection: close`.
pub fn request(
    addr: SocketAddr,
    method: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> RawResponse {
    send_raw(addr, build(addr, method, headers, body).as_bytes())
}

/// The headers of a request inside session `sid`, as a client that negotiated 2025-11-25 sends
/// them: `Accept` for both framings, the session id, the protocol version.
pub fn in_session(sid: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Accept", ACCEPT_BOTH.to_string()),
        ("Mcp-Session-Id", sid.to_string()),
        ("MCP-Protocol-Version", "2025-11-25".to_string()),
    ]
}

/// Owned header pairs borrowed, as [`post`] and [`request`] take them.
pub fn as_refs<'a>(headers: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    headers.iter().map(|(n, v)| (*n, v.as_str())).collect()
}

/// POST `body` inside session `sid`.
pub fn post_in(addr: SocketAddr, sid: &str, body: &str) -> RawResponse {
    post(addr, &as_refs(&in_session(sid)), body)
}

/// The bytes of a POST of `body` inside session `sid`, for tests that read the answer live
/// ([`LiveSse`]) instead of waiting for all of it.
pub fn build_post_in(addr: SocketAddr, sid: &str, body: &str) -> String {
    let session = in_session(sid);
    let mut headers = as_refs(&session);
    headers.push(("Content-Type", "application/json"));
    build(addr, "POST", &headers, body)
}

/// GET with `Last-Event-ID`: resume a stream of session `sid` after that event.
pub fn resume(addr: SocketAddr, sid: &str, last_event_id: &str) -> RawResponse {
    let h = [
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", sid),
        ("Last-Event-ID", last_event_id),
    ];
    request(addr, "GET", &h, "")
}

/// A POST to /mcp with a JSON body and the given extra headers.
pub fn post(addr: SocketAddr, headers: &[(&str, &str)], body: &str) -> RawResponse {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    request(addr, "POST", &all, body)
}

pub fn build(addr: SocketAddr, method: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut text = format!("{method} /mcp HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (n, v) in headers {
        text.push_str(&format!("{n}: {v}\r\n"));
    }
    if method == "POST" {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text
}

/// Read one response: head, then a sized or chunked body, or until close.
pub fn read_response(reader: &mut impl BufRead) -> RawResponse {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (n, v) = line.split_once(':').unwrap();
        headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let find = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v): &(String, String)| v.clone())
    };
    let mut raw_body = Vec::new();
    let mut body = Vec::new();
    if find("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size_line = String::new();
            reader.read_line(&mut size_line).unwrap();
            raw_body.extend_from_slice(size_line.as_bytes());
            let size = usize::from_str_radix(size_line.trim(), 16).unwrap();
            let mut data = vec![0; size + 2];
            reader.read_exact(&mut data).unwrap();
            raw_body.extend_from_slice(&data);
            if size == 0 {
                break;
            }
            body.extend_from_slice(&data[..size]);
        }
    } else if let Some(len) = find("content-length") {
        let mut data = vec![0; len.parse().unwrap()];
        reader.read_exact(&mut data).unwrap();
        raw_body = data.clone();
        body = data;
    } else if status != 204 && status != 304 {
        reader.read_to_end(&mut body).unwrap();
        raw_body = body.clone();
    }
    RawResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        raw_body,
    }
}

pub const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"0"}}}"#;

/// Initialize and send `notifications/initialized`; returns the session id.
pub fn open_session(addr: SocketAddr) -> String {
    let r = post(addr, &[("Accept", ACCEPT_BOTH)], INIT);
    assert_eq!(r.status, 200, "{r:?}");
    let sid = r.header("mcp-session-id").expect("session id").to_string();
    let n = post(
        addr,
        &[
            ("Accept", ACCEPT_BOTH),
            ("Mcp-Session-Id", &sid),
            ("MCP-Protocol-Version", "2025-11-25"),
        ],
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    );
    assert_eq!(n.status, 202);
    sid
}

/// A `tools/call get_weather` body with a progress token.
pub fn weather_call(id: u64, city: &str, token: &str) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"get_weather","arguments":{{"city":"{city}"}},"_meta":{{"progressToken":"{token}"}}}}}}"#
    )
}

/// The `data:` payloads of an SSE body, as JSON, skipping priming events.
pub fn sse_messages(body: &str) -> Vec<serde_json::Value> {
    body.lines()
        .filter_map(|l| l.strip_prefix("data: "))
        .filter(|d| !d.is_empty())
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

/// The lines of an NDJSON body, as JSON, skipping heartbeat (empty) lines.
pub fn ndjson_messages(body: &str) -> Vec<serde_json::Value> {
    body.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// An SSE response read line by line as it arrives (for tests that act mid-stream).
pub struct LiveSse {
    reader: BufReader<TcpStream>,
    pub status: u16,
}

impl LiveSse {
    /// Send `request` on a new connection and read the response head.
    pub fn open(addr: SocketAddr, request: &str) -> LiveSse {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream);
        let mut status_line = String::new();
        reader.read_line(&mut status_line).unwrap();
        let status = status_line.split(' ').nth(1).unwrap().parse().unwrap();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.trim_end().is_empty() {
                break;
            }
        }
        LiveSse { reader, status }
    }

    /// The next `data:` payload with its event id, or `None` when the response ended.
    /// Chunk-size lines are skipped: each chunk holds whole events.
    pub fn next_data(&mut self) -> Option<(Option<String>, String)> {
        let mut id = None;
        loop {
            let mut line = String::new();
            if self.reader.read_line(&mut line).unwrap() == 0 || line == "0\r\n" {
                return None;
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(v) = line.strip_prefix("id: ") {
                id = Some(v.to_string());
            } else if let Some(d) = line.strip_prefix("data: ") {
                return Some((id, d.to_string()));
            }
        }
    }

    /// The next non-empty message, as JSON, with its event id.
    pub fn next_message(&mut self) -> Option<(String, serde_json::Value)> {
        loop {
            let (id, data) = self.next_data()?;
            if !data.is_empty() {
                return Some((id.unwrap_or_default(), serde_json::from_str(&data).unwrap()));
            }
        }
    }
}

/// Every event of an SSE body as (id, data), priming events included.
pub fn sse_events(body: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for event in body.split("\n\n") {
        let id = event
            .lines()
            .find_map(|l| l.strip_prefix("id: "))
            .unwrap_or("")
            .to_string();
        if let Some(data) = event.lines().find_map(|l| {
            l.strip_prefix("data: ")
                .or(if l == "data:" { Some("") } else { None })
        }) {
            out.push((id, data.to_string()));
        }
    }
    out
}

// The error codes tests compare with, by name: the JSON-RPC ones and the two of the transport.
#[allow(unused_imports)] // each test crate uses a different subset
pub use streamable_mcp::jsonrpc::{
    INTERNAL_ERROR, INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR,
};
#[allow(unused_imports)]
pub use streamable_mcp::wire::{
    HEADER_MISMATCH, MISSING_REQUIRED_CLIENT_CAPABILITY, SESSION_NOT_FOUND, TRANSPORT_ERROR,
    UNSUPPORTED_PROTOCOL_VERSION,
};
