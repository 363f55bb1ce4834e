//! The server's socket side, and the only file that touches tiny_http.
//!
//! Implements the I/O of MCP 2025-11-25 `basic/transports` §Streamable HTTP: accept connections,
//! give every request its own thread, read the body through a cap, ask `endpoint.rs` what to do,
//! and write the answer: a sized response, or a chunked stream with one write and one flush per
//! event. The rules themselves live in `endpoint.rs`; nothing here decides a status code.
//!
//! Left out: TLS (put a reverse proxy in front), HTTP/2, and a thread pool (see `# Why not`).
//!
//! # Why a thread per request and not a pool or async?
//! A streamed call blocks its thread for as long as the tool runs; with a pool, a few slow calls
//! would starve everyone else, and async would hide the control flow students are here to read.
//! Threads are cheap at our scale (tens of KiB each); the cap on requests in flight keeps them
//! bounded. The Rust Book's web-server chapter starts the same way, then adds a pool.

use crate::config::Config;
use crate::endpoint::{Endpoint, Reply, RequestHead};
use crate::framing::Framing;
use crate::http::listener::listen;
use crate::http::pump::{pump, pump_json};
use crate::http::response::sized;
use crate::listen::Listen;
use crate::rejection::Rejection;
use crate::stream::Stop;
use crate::wire::{HEADER_SESSION_ID, MAX_BODY_BYTES, MIME_JSON};
use crate::worker::produce_alerts;
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

/// How often [`Server::run`]'s watchdog checks that the listener still accepts connections.
const LISTENER_CHECK: Duration = Duration::from_secs(2);

/// Above this declared `Content-Length`, an unread body cannot be dropped safely; see [`reject`].
const MAX_DRAINABLE_BODY: usize = 64 * 1024 * 1024;

/// A running server.
pub struct Server {
    /// The tiny_http server; replaced if its listener dies (see [`Server::run`]).
    http: Mutex<Arc<tiny_http::Server>>,
    /// Set by [`Server::shutdown`]; the condvar wakes the watchdog at once.
    stopping: Mutex<bool>,
    stopped: Condvar,
    endpoint: Arc<Endpoint>,
    addr: SocketAddr,
    in_flight: Arc<AtomicUsize>,
}

impl Server {
    /// Listen on `config.host:config.port`.
    ///
    /// # Errors
    /// The address cannot be parsed or bound.
    pub fn bind(config: Config) -> io::Result<Server> {
        let listener = listen(&config.host, config.port)?;
        let addr = listener.local_addr()?;
        let http = tiny_http::Server::from_listener(listener, None).map_err(io::Error::other)?;
        Ok(Server {
            http: Mutex::new(Arc::new(http)),
            stopping: Mutex::new(false),
            stopped: Condvar::new(),
            endpoint: Arc::new(Endpoint::new(config)),
            addr,
            in_flight: Arc::new(AtomicUsize::new(0)),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Serve until [`Server::shutdown`] is called from another thread.
    pub fn run(&self) {
        thread::scope(|scope| {
            scope.spawn(|| self.watch_listener());
            self.serve_until_stopped();
        });
    }

    fn serve_until_stopped(&self) {
        // Checked before serving too: a shutdown during a re-listen must not start a new server.
        while !self.is_stopping() {
            let http = self.current();
            self.serve(&http);
            if self.is_stopping() {
                return;
            }
            // SHARP EDGE (tiny_http 0.12): its accept thread ends at the first accept error (for
            // example EMFILE, out of file descriptors), and `incoming_requests` with it: the
            // server would be gone for good. We listen again on the same address after a pause.
            eprintln!(
                "warning: the listener on {} failed; listening again in 1 s",
                self.addr
            );
            thread::sleep(Duration::from_secs(1));
            let again = listen(&self.endpoint.config.host, self.addr.port())
                .and_then(|l| tiny_http::Server::from_listener(l, None).map_err(io::Error::other));
            match again {
                Ok(http) => *lock(&self.http) = Arc::new(http),
                Err(e) => eprintln!("warning: cannot listen again yet: {e}"),
            }
        }
    }

    /// SHARP EDGE (tiny_http 0.12): when its accept thread panics (it unwraps `try_clone()`,
    /// which fails when the process is out of file descriptors), the listener closes but
    /// `incoming_requests` waits forever. Every couple of seconds we knock on our own port; a
    /// refused connection means the listener is gone, and unblocking makes `run` listen again.
    fn watch_listener(&self) {
        loop {
            let stopping = lock(&self.stopping);
            let (stopping, _) = self
                .stopped
                .wait_timeout_while(stopping, LISTENER_CHECK, |stop| !*stop)
                .unwrap_or_else(|p| p.into_inner());
            if *stopping {
                return;
            }
            drop(stopping);
            let knock = std::net::TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
            if knock.is_err_and(|e| e.kind() == io::ErrorKind::ConnectionRefused) {
                self.current().unblock();
            }
        }
    }

    fn is_stopping(&self) -> bool {
        *lock(&self.stopping)
    }

    fn current(&self) -> Arc<tiny_http::Server> {
        Arc::clone(&lock(&self.http))
    }

    /// The accept loop: every request gets a thread, up to the in-flight cap.
    // ANCHOR: accept_loop
    fn serve(&self, http: &tiny_http::Server) {
        for request in http.incoming_requests() {
            // The cap counts requests being handled; the guard gives the slot back however the
            // handler ends.
            let slot = InFlight::take(&self.in_flight);
            if slot.count > self.endpoint.config.max_in_flight {
                reject(request, &Rejection::Overloaded(1));
                continue;
            }
            let endpoint = Arc::clone(&self.endpoint);
            thread::spawn(move || {
                handle(request, &endpoint);
                drop(slot);
            });
        }
    }
    // ANCHOR_END: accept_loop

    /// Make [`Server::run`] return. Streams already running finish on their own threads.
    pub fn shutdown(&self) {
        *lock(&self.stopping) = true;
        self.stopped.notify_all();
        self.current().unblock();
    }
}

/// A poisoned lock here only means another thread panicked while holding it; the values behind
/// these locks (a flag, a server handle) are still whole, so we go on.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One slot of the in-flight cap.
struct InFlight {
    counter: Arc<AtomicUsize>,
    count: usize,
}

impl InFlight {
    fn take(counter: &Arc<AtomicUsize>) -> InFlight {
        let count = counter.fetch_add(1, Ordering::SeqCst) + 1;
        InFlight {
            counter: Arc::clone(counter),
            count,
        }
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The request's head, copied out of tiny_http's types.
fn head_of(request: &tiny_http::Request) -> RequestHead {
    RequestHead {
        method: request.method().as_str().to_ascii_uppercase(),
        path: request.url().split('?').next().unwrap_or("").to_string(),
        http_1_0: *request.http_version() < tiny_http::HTTPVersion(1, 1),
        headers: request
            .headers()
            .iter()
            .map(|h| (h.field.as_str().to_string(), h.value.as_str().to_string()))
            .collect(),
    }
}

// ANCHOR: handle
fn handle(mut request: tiny_http::Request, endpoint: &Endpoint) {
    let head = head_of(&request);
    // Unless --keep-alive, every answer we write says `Connection: close`, so that no idle
    // connection holds one of tiny_http's pool threads (see `Config::keep_alive`).
    let conn: Vec<(&str, String)> = match endpoint.config.keep_alive {
        true => Vec::new(),
        false => vec![("Connection", "close".to_string())],
    };
    if let Err(rejection) = endpoint.admit(&head) {
        return reject(request, &rejection);
    }
    // Whatever the method: a GET or DELETE declaring a huge body must not reach `into_writer`,
    // which would drop the request, and its unread body with it (see `reject`).
    if request.body_length().is_some_and(|n| n > MAX_BODY_BYTES) {
        return reject(request, &Rejection::PayloadTooLarge);
    }
    match head.method.as_str() {
        "POST" => {
            let body = endpoint
                .check_post_head(&head)
                .and_then(|()| read_body(&mut request));
            match body.and_then(|body| endpoint.post(&head, &body)) {
                Ok(reply) => send(request, reply, &conn, endpoint.config.heartbeat),
                Err(rejection) => reject(request, &rejection),
            }
        }
        "DELETE" => match endpoint.delete(&head) {
            Ok(()) => write_once(request, &sized(200, &conn, None, b"")),
            Err(rejection) => reject(request, &rejection),
        },
        _ => match endpoint.get(&head) {
            Ok(listen) => serve_get(request, listen, &conn, endpoint),
            Err(rejection) => reject(request, &rejection),
        },
    }
}
// ANCHOR_END: handle

/// Read the body, never more than [`MAX_BODY_BYTES`] whatever `Content-Length` claims.
// ANCHOR: read_body
fn read_body(request: &mut tiny_http::Request) -> Result<Vec<u8>, Rejection> {
    let chunked = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("transfer-encoding"));
    // SHARP EDGE: with neither header tiny_http treats the body as empty and would read the real
    // body bytes as the next request.
    if request.body_length().is_none() && !chunked {
        return Err(Rejection::LengthRequired);
    }
    // A declared length over the cap was refused in `handle`; a chunked body declares none, so
    // the cap is enforced while reading.
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| Rejection::BadRequest(format!("the body could not be read ({e})")))?;
    if body.len() > MAX_BODY_BYTES {
        return Err(Rejection::PayloadTooLarge);
    }
    // The client closed before sending all it announced: what arrived may parse, but it is not
    // the message the client meant to send.
    if request.body_length().is_some_and(|n| n != body.len()) {
        return Err(Rejection::BadRequest(
            "the body ended before its Content-Length".into(),
        ));
    }
    Ok(body)
}
// ANCHOR_END: read_body

/// Answer a refusal with its status and JSON-RPC error, through tiny_http's own `respond`.
///
/// # Why `respond` here and not our one-write path?
/// A refused body may be unread. `respond` writes the answer first and then drains the rest of the
/// body; `into_writer` would drain first, and a client waiting for our answer before sending its
/// body would wait forever.
fn reject(request: tiny_http::Request, rejection: &Rejection) {
    let (status, headers, message) = rejection.to_response();
    if request
        .body_length()
        .is_some_and(|n| n > MAX_DRAINABLE_BODY)
    {
        // SHARP EDGE (tiny_http 0.12, upstream issue #252, fix in PR #290, unreleased): dropping a
        // request drains its unread body into `vec![0; remaining]`; for a declared length of 1 TB
        // that allocation fails and aborts the whole process. We cannot reach the reader to stop
        // it, so we never drop such a request: it is leaked (its connection stays open, without an
        // answer, until the client gives up). A leak per hostile request beats a dead server.
        std::mem::forget(request);
        return;
    }
    let mut response = tiny_http::Response::from_data(message.to_line()).with_status_code(status);
    let content_type =
        tiny_http::Header::from_bytes("Content-Type", MIME_JSON).expect("valid header");
    response.add_header(content_type);
    for (name, value) in headers {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    let _ = request.respond(response);
}

/// Write a whole response in one write. The body was read completely, so nothing is left to drain.
fn write_once(request: tiny_http::Request, bytes: &[u8]) {
    let mut writer = request.into_writer();
    // An error means the client left; there is nobody to tell.
    let _ = writer.write_all(bytes).and_then(|()| writer.flush());
}

/// Send what the endpoint decided.
// ANCHOR: send
fn send(request: tiny_http::Request, reply: Reply, conn: &[(&str, String)], heartbeat: Duration) {
    match reply {
        Reply::Accepted => write_once(request, &sized(202, conn, None, b"")),
        Reply::Message {
            framing,
            message,
            session_id,
        } => {
            let mut headers: Vec<(&str, String)> = session_id
                .into_iter()
                .map(|id| (HEADER_SESSION_ID, id))
                .collect();
            headers.extend_from_slice(conn);
            let body = framing.encode(None, &message.to_line());
            write_once(
                request,
                &sized(200, &headers, Some(framing.content_type()), &body),
            );
        }
        Reply::Stream { framing, job, plan } => {
            let stream = Arc::clone(&job.stream);
            thread::spawn(move || job.run());
            let writer = request.into_writer();
            let delivered = match framing {
                Framing::Json => pump_json(writer, &stream, conn),
                _ => pump(writer, framing, &stream, plan, conn, heartbeat),
            };
            if delivered.is_err() && !plan.resumable {
                // The client is gone and cannot come back for the rest: stop the worker.
                stream.stop(Stop::Abandoned);
            }
        }
    }
}
// ANCHOR_END: send

/// Serve a GET: the session's standalone stream, or a resumed one.
fn serve_get(
    request: tiny_http::Request,
    listen: Listen,
    conn: &[(&str, String)],
    endpoint: &Endpoint,
) {
    if endpoint.config.catalog.alerts && listen.guard.as_ref().is_some_and(|g| g.is_new) {
        let (stream, session) = (Arc::clone(&listen.stream), Arc::clone(&listen.session));
        let every = endpoint.config.alert_every;
        thread::spawn(move || produce_alerts(&stream, &session, every));
    }
    let writer = request.into_writer();
    // A lost GET connection stops nothing: the producer keeps writing into the log.
    let _ = pump(
        writer,
        Framing::Sse,
        &listen.stream,
        listen.plan,
        conn,
        endpoint.config.heartbeat,
    );
    drop(listen.guard);
}
