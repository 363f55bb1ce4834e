//! Hostile input over real HTTP: every test sends something a broken or malicious client could
//! send, checks the exact refusal (HTTP status, and the JSON-RPC code when a body comes back), then
//! checks that the server still serves and that a *victim* session running beside it was not
//! disturbed. Each module groups one kind of hostility; `docs/reliability.md` lists them all, and
//! what tiny_http itself cannot survive.
//!
//! Also here: `fuzz` (properties of the pure layers on mutated inputs) and `soak` (64 clients of
//! mixed traffic for 30 s, ignored unless asked for). One test crate with several modules (rather
//! than one crate per file) keeps `cargo test` fast.

#[path = "../support/mod.rs"]
mod support;

mod clients;
mod crash;
mod exhaustion;
mod framing;
mod fuzz;
mod headers;
mod json;
mod message;
mod modern;
mod params;
mod sessions;
mod soak;

use serde_json::Value;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};
use support::*;

/// POST raw body bytes (which may be anything, not only UTF-8) with `Connection: close`.
pub fn post_bytes(addr: SocketAddr, headers: &[(&str, &str)], body: &[u8]) -> RawResponse {
    let mut head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    send_raw(addr, &bytes)
}

/// Assert a refusal: this status, and a JSON-RPC error with this code in the body.
pub fn assert_refused(r: &RawResponse, status: u16, code: i64, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.body);
    let body = r.json();
    assert_eq!(body["jsonrpc"], "2.0", "{what}: {body}");
    assert_eq!(body["error"]["code"], code, "{what}: {body}");
    assert!(body["error"]["message"].is_string(), "{what}: {body}");
}

/// Everything one connection sends back before it closes or goes quiet for `quiet`.
pub fn read_until_quiet(stream: &mut TcpStream, quiet: Duration) -> Vec<u8> {
    stream.set_read_timeout(Some(quiet)).unwrap();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            break;
        }
        out.extend_from_slice(&buf[..n]);
    }
    out
}

/// Send raw bytes on a new connection; return the connection for the caller to read or keep.
pub fn connect_and_send(addr: SocketAddr, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(bytes).unwrap();
    stream
}

/// The server still does its job: a new session can be made and answers a ping.
pub fn assert_serves(addr: SocketAddr) {
    let sid = open_session(addr);
    let r = post_in(addr, &sid, r#"{"jsonrpc":"2.0","id":99,"method":"ping"}"#);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["result"], serde_json::json!({}));
}

/// One streamed `get_weather` call inside `sid`, resumed after every cut, checked message by
/// message: progress 1, 2, 3 exactly once and in order, then exactly one result for `id`.
pub fn checked_call(addr: SocketAddr, sid: &str, id: u64, city: &str) -> Result<(), String> {
    let token = format!("victim-{id}");
    let mut r = post_in(addr, sid, &weather_call(id, city, &token));
    let mut messages: Vec<Value> = Vec::new();
    for _ in 0..20 {
        if r.status != 200 {
            return Err(format!("call {id}: HTTP {} {}", r.status, r.body));
        }
        let events = sse_events(&r.body);
        for (_, data) in events.iter().filter(|(_, d)| !d.is_empty()) {
            messages.push(serde_json::from_str(data).map_err(|e| format!("{e}: {data}"))?);
        }
        if messages.last().is_some_and(|m| m.get("id").is_some()) {
            break;
        }
        let Some((last_id, _)) = events.last() else {
            return Err(format!("call {id}: a response without events"));
        };
        let h = [
            ("Accept", "text/event-stream"),
            ("Mcp-Session-Id", sid),
            ("Last-Event-ID", last_id.as_str()),
        ];
        r = request(addr, "GET", &h, "");
    }
    let progress: Vec<u64> = messages
        .iter()
        .filter_map(|m| m["params"]["progress"].as_u64())
        .collect();
    let tokens_ok = messages
        .iter()
        .filter(|m| m.get("method").is_some())
        .all(|m| m["params"]["progressToken"] == token.as_str());
    let last = messages.last().cloned().unwrap_or_default();
    if progress != [1, 2, 3] || messages.len() != 4 || !tokens_ok || last["id"] != id {
        return Err(format!("call {id}: wrong messages {messages:?}"));
    }
    if last["result"]["structuredContent"]["city"] != city {
        return Err(format!("call {id}: wrong result {last}"));
    }
    Ok(())
}

/// A well-behaved client that keeps making streamed calls in its own session while a test does
/// something hostile next to it. [`Victim::finish`] fails the test if any of its calls went wrong.
pub struct Victim {
    addr: SocketAddr,
    sid: String,
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Result<usize, String>>,
}

impl Victim {
    pub fn start(addr: SocketAddr) -> Victim {
        let sid = open_session(addr);
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, session) = (Arc::clone(&stop), sid.clone());
        let thread = thread::spawn(move || {
            let mut done = 0;
            let started = Instant::now();
            // At least one call, and never past a minute whatever the test does.
            while (done == 0 || !flag.load(Ordering::SeqCst))
                && started.elapsed() < Duration::from_secs(60)
            {
                checked_call(addr, &session, 1000 + done as u64, "Hangzhou")?;
                done += 1;
            }
            Ok(done)
        });
        Victim {
            addr,
            sid,
            stop,
            thread,
        }
    }

    /// Stop after the call in progress; assert every call was right and the session still works.
    /// Returns how many calls completed.
    pub fn finish(self) -> usize {
        self.stop.store(true, Ordering::SeqCst);
        let done = match self.thread.join() {
            Ok(Ok(done)) => done,
            Ok(Err(why)) => panic!("the victim session was disturbed: {why}"),
            Err(_) => panic!("the victim's client panicked (connection refused or cut?)"),
        };
        assert!(done >= 1);
        let r = post_in(
            self.addr,
            &self.sid,
            r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#,
        );
        assert_eq!(r.status, 200, "the victim's session is still there");
        done
    }
}
