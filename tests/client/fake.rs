//! A scripted fake MCP server for the client's tests, on `127.0.0.1:0`.
//!
//! Our own server never misbehaves on purpose, so the client's error tests put this tiny fake in
//! front of it instead: it reads each HTTP request, records it, and writes back whatever bytes the
//! test scripted. Shared by `errors.rs`, `resume.rs` and `elicitation.rs`, and by `stand_in.rs`,
//! whose stand-in language model is this fake with a script of chat-completions answers.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;
use streamable_mcp::client::{EraChoice, Options};

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub http_method: String,
    /// The request target: the path (and query).
    pub target: String,
    /// (lowercased name, value)
    pub headers: Vec<(String, String)>,
    /// The JSON body; `Null` for a DELETE.
    pub body: Value,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn rpc_method(&self) -> &str {
        self.body["method"].as_str().unwrap_or("")
    }
}

/// What the fake writes back. Every answer says `Connection: close`, so one connection carries
/// one request and the fake needs no keep-alive logic.
pub enum Answer {
    /// Write the bytes, then close.
    Close(String),
    /// Write the bytes, then keep the connection open until the client gives up and closes it.
    Hold(String),
}

pub struct Fake {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Fake {
    pub fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

/// Start a fake whose answers come from `script`. Its threads live until the test process ends.
pub fn fake(script: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Fake {
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
    let target = line.split(' ').nth(1).unwrap_or("").to_string();
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
        target,
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

pub fn json_answer(status: u16, extra_headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra_headers}\r\n{body}",
        body.len()
    )
}

/// A body without a length: it ends when the connection closes.
pub fn open_ended(content_type: &str, body: &str) -> String {
    format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nConnection: close\r\n\r\n{body}")
}

pub fn accepted() -> String {
    "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
}

pub fn initialize_answer(seen: &Seen, version: &str) -> Answer {
    let body = json!({"jsonrpc":"2.0","id":seen.body["id"],"result":{
        "protocolVersion":version,"capabilities":{"tools":{}},"serverInfo":{"name":"fake","version":"0"}}});
    Answer::Close(json_answer(
        200,
        "Mcp-Session-Id: fake-1\r\n",
        &body.to_string(),
    ))
}

/// Initialize (at 2025-11-25), notifications and DELETE, as a well-behaved server does them.
pub fn lifecycle(seen: &Seen) -> Option<Answer> {
    match (seen.http_method.as_str(), seen.rpc_method()) {
        ("DELETE", _) => Some(Answer::Close(json_answer(200, "", ""))),
        (_, "initialize") => Some(initialize_answer(seen, "2025-11-25")),
        (_, m) if m.starts_with("notifications/") => Some(Answer::Close(accepted())),
        _ => None,
    }
}

/// The legacy era pinned (`--era legacy`): for the tests of 2025-11-25 behaviour (sessions,
/// resuming, elicitation on the stream), which auto would take to the modern era on our server.
pub fn legacy() -> Options {
    Options {
        era: EraChoice::Legacy,
        ..Options::default()
    }
}

/// Short timeouts, and the legacy era: the fake speaks 2025-11-25 only.
pub fn quick() -> Options {
    Options {
        connect_timeout: Duration::from_secs(2),
        response_timeout: Duration::from_secs(5),
        stall_timeout: Duration::from_millis(300),
        ..legacy()
    }
}
