//! A recording proxy between a student's program and the test server: it forwards every byte
//! both ways, and keeps what each connection carried, with times. A checker reads from it what
//! actually reached the server (the headers, the JSON-RPC method, the `Last-Event-ID`) instead of
//! trusting what the program printed: a script can print the right thing and send the wrong one.
//!
//! One request per connection is assumed: the server closes every connection after its answer
//! when it runs with `--connection-close`, as every checker that uses this proxy starts it, and curl
//! opens one per call anyway.

use serde_json::Value;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// What one connection carried.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The request's bytes as they arrived (head and body).
    pub request: Vec<u8>,
    /// When its first byte arrived.
    pub sent_at: Instant,
    /// The response's bytes as the server sent them.
    pub response: Vec<u8>,
    /// When the last byte of the response left the server.
    pub answered_at: Option<Instant>,
}

impl Exchange {
    fn head(&self) -> &str {
        let text = std::str::from_utf8(&self.request).unwrap_or("");
        text.split("\r\n\r\n").next().unwrap_or("")
    }

    /// The request line's method (`POST`, `GET`, `DELETE`).
    pub fn method(&self) -> &str {
        self.head().split(' ').next().unwrap_or("")
    }

    /// A request header's value (the name ignoring case), trimmed.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head().lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The request body as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        let text = std::str::from_utf8(&self.request).ok()?;
        let (_, body) = text.split_once("\r\n\r\n")?;
        serde_json::from_str(body).ok()
    }

    /// The JSON-RPC method of the body (`"tools/call"`), or "" when it has none.
    pub fn rpc_method(&self) -> String {
        self.json()
            .and_then(|m| m["method"].as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// What a student would call this request in a message: `POST tools/call`, `GET`.
    pub fn describe(&self) -> String {
        match self.rpc_method().as_str() {
            "" => self.method().to_string(),
            rpc => format!("{} {rpc}", self.method()),
        }
    }

    /// The response as text, with a chunked body put back together.
    pub fn response_text(&self) -> String {
        let text = String::from_utf8_lossy(&self.response).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            return text;
        };
        if !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            return text;
        }
        format!("{head}\r\n\r\n{}", dechunk(body))
    }

    /// The `id:` of every SSE event in the response, in order.
    pub fn event_ids(&self) -> Vec<String> {
        self.response_text()
            .lines()
            .filter_map(|l| l.strip_prefix("id:"))
            .map(|id| id.trim().to_string())
            .collect()
    }
}

/// A chunked body's data, the chunk-size lines taken out.
fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].strip_prefix("\r\n").unwrap_or(&rest[size..]);
    }
    out
}

/// The proxy: listen on a free port, forward to `server`.
pub struct Recorder {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Exchange>>>,
    /// Connections accepted and not yet recorded.
    open: Arc<AtomicUsize>,
}

impl Recorder {
    pub fn start(server: SocketAddr) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let open = Arc::new(AtomicUsize::new(0));
        let (shared, counter) = (Arc::clone(&seen), Arc::clone(&open));
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (seen, open) = (Arc::clone(&shared), Arc::clone(&counter));
                open.fetch_add(1, Ordering::SeqCst);
                thread::spawn(move || {
                    forward(client, server, seen);
                    open.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Recorder { addr, seen, open }
    }

    /// The URL a student's program is given instead of the server's.
    pub fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }

    /// Every exchange so far, in the order their requests arrived.
    /// A connection still closing when the program ended is waited for, a little.
    pub fn exchanges(&self) -> Vec<Exchange> {
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.open.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        let mut all = self.seen.lock().unwrap().clone();
        all.sort_by_key(|e| e.sent_at);
        all
    }
}

/// Copy one connection both ways; record it when both directions have ended.
fn forward(mut client: TcpStream, server: SocketAddr, seen: Arc<Mutex<Vec<Exchange>>>) {
    let Ok(mut upstream) = TcpStream::connect(server) else {
        return;
    };
    let (Ok(mut client_back), Ok(mut upstream_back)) = (client.try_clone(), upstream.try_clone())
    else {
        return;
    };
    // Request bytes on their own thread; the response is copied on this one.
    let requests = thread::spawn(move || {
        let mut request = Vec::new();
        let mut sent_at = None;
        let mut buf = [0u8; 8192];
        while let Ok(n) = client.read(&mut buf) {
            if n == 0 {
                break;
            }
            sent_at.get_or_insert_with(Instant::now);
            request.extend_from_slice(&buf[..n]);
            if upstream.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = upstream.shutdown(Shutdown::Write);
        (request, sent_at)
    });
    let mut response = Vec::new();
    let mut answered_at = None;
    let mut buf = [0u8; 8192];
    while let Ok(n) = upstream_back.read(&mut buf) {
        if n == 0 {
            break;
        }
        answered_at = Some(Instant::now());
        response.extend_from_slice(&buf[..n]);
        if client_back.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = client_back.shutdown(Shutdown::Both);
    let (request, sent_at) = requests.join().unwrap_or_default();
    if let Some(sent_at) = sent_at {
        seen.lock().unwrap().push(Exchange {
            request,
            sent_at,
            response,
            answered_at,
        });
    }
}
