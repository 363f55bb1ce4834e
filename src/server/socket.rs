//! The server's socket side: it only wires. Accept a request, give it a thread, ask the endpoint
//! what to do, do it.
//!
//! Implements the I/O of MCP 2025-11-25 `basic/transports` §Streamable HTTP. With
//! `tiny_http_fixes.rs`, it is the only code that names tiny_http. Every rule (every status code but
//! the in-flight cap's 503, which must be decided before a thread is spent) lives behind `endpoint.rs`, the one entry point: this file copies a request into a [`RequestHead`], hands the endpoint a
//! reader of the body, and carries out the [`Action`] that comes back, through one write path.
//!
//! Left out: TLS (put a reverse proxy in front), HTTP/2, and async (see `# Why`).
//!
//! # Why a thread per request, and not a fixed pool or async?
//! A streamed call blocks its thread for as long as the tool runs; with a small fixed pool, a few
//! slow calls would starve everyone else, and async would hide the control flow students are here
//! to read. Threads are cheap at our scale (tens of KiB each); the cap on requests in flight keeps
//! them bounded. The Rust Book's web-server chapter starts the same way, then adds a pool: ours
//! (`threads.rs`) keeps a finished request's thread for the next request, but never shares a busy
//! one, so it is still one thread per request in flight; only starting and ending them is saved.

use crate::framing::Framing;
use crate::server::action::Action;
use crate::server::config::Config;
use crate::server::endpoint::Endpoint;
use crate::server::http_sse;
use crate::server::pump::{pump, pump_call, pump_opened};
use crate::server::rejection::Rejection;
use crate::server::request::{BodyLength, HttpVersion, RequestHead};
use crate::server::request_log::{emit, Facts};
use crate::server::response::Whole;
use crate::server::threads::{Threads, KEEP_IDLE};
use crate::server::tiny_http_fixes::{respond_before_unread_body, Listener};
use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A running server.
pub struct Server {
    listener: Listener,
    endpoint: Arc<Endpoint>,
    in_flight: Arc<AtomicUsize>,
    /// The threads requests and their tools run on.
    threads: Arc<Threads>,
}

impl Server {
    /// Listen on `config.host:config.port`.
    ///
    /// # Errors
    /// The address cannot be parsed or bound.
    pub fn bind(config: Config) -> io::Result<Server> {
        Ok(Server {
            listener: Listener::bind(
                &config.host,
                config.port,
                config.read_timeout,
                config.keep_alive,
            )?,
            endpoint: Arc::new(Endpoint::new(config)),
            in_flight: Arc::new(AtomicUsize::new(0)),
            threads: Threads::new(KEEP_IDLE),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.listener.addr()
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Serve until [`Server::shutdown`] is called from another thread.
    pub fn run(&self) {
        self.listener.serve(|request| self.accept(request));
    }

    /// Make [`Server::run`] return. Streams already running finish on their own threads.
    pub fn shutdown(&self) {
        self.listener.shutdown();
    }

    /// Every request gets a thread; the in-flight cap decides what the thread does.
    ///
    /// # Why a thread even for the 503?
    /// Writing anything to a request whose body has not arrived makes tiny_http wait for that
    /// body (it reads it to the end before or after the answer). On this loop, that wait would
    /// stop every other client: one request that promises a body and never sends it was enough.
    /// So nothing is written here. An over-cap request costs a thread (no slot) for as long as
    /// its 503 takes to leave, at most the read timeout.
    // ANCHOR: accept_loop
    fn accept(&self, request: tiny_http::Request) {
        // The cap counts requests being handled; the slot is given back however the handler ends.
        let slot = Slot::take(&self.in_flight);
        let endpoint = Arc::clone(&self.endpoint);
        let threads = Arc::clone(&self.threads);
        let over_cap = slot.count > endpoint.config.max_in_flight;
        on_a_thread(
            request,
            &self.threads,
            &self.endpoint.config,
            move |request| match over_cap {
                true => overloaded(request, slot, &endpoint.config),
                false => handle(request, slot, &endpoint, &threads),
            },
        );
    }
    // ANCHOR_END: accept_loop
}

/// Run `work` on a thread of its own (an idle one, or a new one) with `request`; when no thread
/// can be had (RLIMIT_NPROC, memory), answer 503 right here instead of panicking, as
/// `thread::spawn` would.
///
/// The thread is had first and the request handed over after, so that a failure leaves the request
/// here to be answered. The 503 written here is the one write left on the accept loop, and only for
/// a request with no body to wait for.
fn on_a_thread(
    request: tiny_http::Request,
    threads: &Arc<Threads>,
    config: &Config,
    work: impl FnOnce(tiny_http::Request) + Send + 'static,
) {
    match threads.take() {
        Ok(worker) => worker.run(Box::new(move || work(request))),
        Err(e) => {
            eprintln!("warning: cannot start a thread for a request ({e}); answered 503");
            if !head_of(&request).body.is_empty() {
                // Answering would wait, here on the accept loop, for a body that may never come
                // (tiny_http reads it to the end around the answer). Out of threads, a leaked
                // request (its connection, until the process ends) is the smaller harm.
                std::mem::forget(request);
                return;
            }
            let conn = connection(config, &head_of(&request));
            send_whole(
                request,
                &Rejection::Overloaded(1).to_response(None),
                false,
                &conn,
            );
        }
    }
}

/// One slot of the in-flight cap.
struct Slot {
    counter: Arc<AtomicUsize>,
    /// Requests in flight, this one included.
    count: usize,
}

impl Slot {
    fn take(counter: &Arc<AtomicUsize>) -> Slot {
        let count = counter.fetch_add(1, Ordering::SeqCst) + 1;
        Slot {
            counter: Arc::clone(counter),
            count,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The request's head, copied out of tiny_http's types.
fn head_of(request: &tiny_http::Request) -> RequestHead {
    let chunked = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("transfer-encoding"));
    let version = match request.http_version() {
        tiny_http::HTTPVersion(0, _) => HttpVersion::Http09,
        tiny_http::HTTPVersion(1, 0) => HttpVersion::Http10,
        _ => HttpVersion::Http11,
    };
    // RFC 9112 §3.2.2: "a server MUST accept the absolute-form in requests" (`http://host/mcp`).
    let target = request.url();
    let target = match target.split_once("://") {
        // Only a target that is not a path: `/mcp?next=http://x/y` is origin-form.
        Some((_scheme, rest)) if !target.starts_with('/') => {
            rest.find('/').map_or("/", |at| &rest[at..])
        }
        _ => target,
    };
    RequestHead {
        method: request.method().as_str().to_string(),
        path: target.split('?').next().unwrap_or("").to_string(),
        query: target.split_once('?').map_or("", |(_, q)| q).to_string(),
        version,
        headers: request
            .headers()
            .iter()
            .map(|h| (h.field.as_str().to_string(), h.value.as_str().to_string()))
            .collect(),
        // tiny_http's reading of the head decides how its reader finds the body's end, so the
        // rules use that reading too (it ignores Content-Length when Transfer-Encoding is set).
        body: match request.body_length() {
            _ if chunked => BodyLength::Chunked,
            Some(n) => BodyLength::Declared(n),
            None => BodyLength::None,
        },
    }
}

/// The body, read only if the endpoint asks for it. tiny_http answers `Expect: 100-continue` the
/// moment its reader is taken, so taking it early would invite a body we may refuse unread.
struct LazyBody<'a> {
    request: &'a mut tiny_http::Request,
    touched: bool,
}

impl Read for LazyBody<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.touched = true;
        self.request.as_reader().read(buf)
    }
}

/// The in-flight cap's 503. The slot goes back first: the answer may have to wait for a body.
fn overloaded(request: tiny_http::Request, slot: Slot, config: &Config) {
    drop(slot);
    let refusal = Rejection::Overloaded(1).to_response(None);
    let head = head_of(&request);
    // Refused before the endpoint saw it, so logged here (`--log-requests`): a 503 a student
    // cannot see in the log is a 503 they cannot explain.
    if config.log_requests {
        let mut facts = Facts::of_head(&head);
        facts.status = refusal.status;
        facts.outcome = Some("overloaded".into());
        emit(&facts);
    }
    let body_unread = !head.body.is_empty();
    send_whole(request, &refusal, body_unread, &connection(config, &head));
}

// ANCHOR: handle
fn handle(
    mut request: tiny_http::Request,
    slot: Slot,
    endpoint: &Endpoint,
    threads: &Arc<Threads>,
) {
    let head = head_of(&request);
    let mut body = LazyBody {
        request: &mut request,
        touched: false,
    };
    let action = endpoint.handle(&head, &mut body);
    let body_unread = !body.touched && !head.body.is_empty();
    let config = &endpoint.config;
    let conn = connection(config, &head);
    match action {
        Action::Send(response) => {
            // A refusal before the body is done with its work: its slot goes back now, not
            // after tiny_http has waited for (or given up on) the body it never read.
            if body_unread {
                drop(slot);
            }
            send_whole(request, &response, body_unread, &conn);
        }
        Action::StreamCall { framing, job, plan } => {
            let stream = job.spawn(threads);
            pump_call(
                request.into_writer(),
                framing,
                &stream,
                plan,
                &conn,
                config.heartbeat,
            );
        }
        Action::RunCall(call) => {
            call.run(request.into_writer(), &conn, config.heartbeat);
        }
        Action::StreamGet(get) => {
            if let Some(alerts) = get.alerts {
                alerts.spawn();
            }
            // A lost GET connection stops nothing: the producer keeps writing into the log.
            let _ = pump(
                request.into_writer(),
                Framing::Sse,
                &get.stream,
                get.plan,
                &conn,
                config.heartbeat,
            );
            drop(get.guard);
        }
        Action::OpenSseSession(open) => {
            let _ = pump_opened(
                request.into_writer(),
                &open.endpoint_event,
                &open.stream,
                open.plan,
                &conn,
                config.heartbeat,
            );
            // 2024-11-05 has no way back to a stream: the connection was the session.
            // LAB: lab 10 (lose a call on HTTP+SSE): the session, and any call it runs, ends here.
            drop(open.guard);
            endpoint.end_session(&open.session_id);
        }
        Action::AcceptCall { job, to } => {
            send_whole(request, &Whole::empty(202), false, &conn);
            let call = job.spawn(threads);
            // This request's thread copies the call's messages to the session's stream; its
            // slot of the in-flight cap stays taken meanwhile, as a streamed call's does.
            http_sse::forward(&call, &to, config.heartbeat);
            drop(slot);
        }
    }
}
// ANCHOR_END: handle

/// Write a whole response: its bytes in one write, on tiny_http's raw socket writer. The one
/// exception is the response to a request whose body was never read, which tiny_http must write
/// itself (see [`respond_before_unread_body`]).
fn send_whole(
    request: tiny_http::Request,
    response: &Whole,
    body_unread: bool,
    conn: &[(&'static str, String)],
) {
    if body_unread {
        return respond_before_unread_body(request, response);
    }
    let mut bytes = response.to_bytes(conn);
    // RFC 9110 §9.3.2: the server "MUST NOT send content in the response" to HEAD. Its head stays
    // as GET's would be (Content-Length included), so only the body's bytes go.
    if *request.method() == tiny_http::Method::Head {
        bytes.truncate(bytes.len() - response.body.len());
    }
    let mut writer = request.into_writer();
    // An error means the client left; there is nobody to tell.
    let _ = writer.write_all(&bytes).and_then(|()| writer.flush());
}

/// What a response says about its connection: `Connection: close` when the request asked for it
/// or the server runs with `--connection-close`, nothing otherwise (HTTP/1.1 keeps it open).
fn connection(config: &Config, head: &RequestHead) -> Vec<(&'static str, String)> {
    // RFC 9112 §9.6: a server that receives "close" "SHOULD send a "close" connection option in its final response".
    let asked_to_close = head
        .header("connection")
        .is_some_and(|v| v.split(',').any(|o| o.trim().eq_ignore_ascii_case("close")));
    match config.keep_alive && !asked_to_close {
        true => Vec::new(),
        false => vec![("Connection", "close".to_string())],
    }
}
