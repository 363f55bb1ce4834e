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
use crate::endpoint::{Endpoint, Plan, Reply, RequestHead};
use crate::framing::Framing;
use crate::http::response::{chunk, sized, stream_head, LAST_CHUNK};
use crate::listen::Listen;
use crate::rejection::Rejection;
use crate::sse;
use crate::stream::{Next, Stop, Stream};
use crate::wire::{HEADER_SESSION_ID, MAX_BODY_BYTES, MIME_JSON};
use crate::worker::produce_alerts;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// A socket write that has not finished after this long fails, so a client that stops reading
/// cannot pin a thread forever (tiny_http sets no timeouts of its own).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Above this declared `Content-Length`, an unread body cannot be dropped safely; see [`reject`].
const MAX_DRAINABLE_BODY: usize = 64 * 1024 * 1024;

/// A running server.
pub struct Server {
    http: Arc<tiny_http::Server>,
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
            http: Arc::new(http),
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
    // ANCHOR: accept_loop
    pub fn run(&self) {
        for request in self.http.incoming_requests() {
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
        self.http.unblock();
    }
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

/// Bind the listening socket with the two options tiny_http never sets. Linux copies both onto
/// every accepted connection, which is the only way to reach sockets tiny_http accepts itself.
fn listen(host: &str, port: u16) -> io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let addr: SocketAddr = format!("{host}:{port}")
        .parse()
        .or_else(|_| format!("[{host}]:{port}").parse())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, format!("bad host {host:?}")))?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    // SHARP EDGE: without TCP_NODELAY, a small write that follows another within ~40 ms waits for
    // the client's delayed ACK (Nagle's algorithm): back-to-back events would arrive 40 ms late.
    socket.set_tcp_nodelay(true)?;
    socket.set_write_timeout(Some(WRITE_TIMEOUT))?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
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
    if request.body_length().is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(Rejection::PayloadTooLarge);
    }
    let mut body = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut body)
        .map_err(|e| Rejection::BadRequest(format!("the body could not be read ({e})")))?;
    if body.len() > MAX_BODY_BYTES {
        return Err(Rejection::PayloadTooLarge);
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

/// Stream messages from the log as chunks, one write and one flush per event, with heartbeats on
/// quiet stretches. Ends with the final response, when the stream stops, or after `cut_after`
/// events.
///
/// # Errors
/// A write failed: the client is gone.
// ANCHOR: pump
fn pump(
    mut writer: Box<dyn Write + Send>,
    framing: Framing,
    stream: &Stream,
    plan: Plan,
    conn: &[(&str, String)],
    heartbeat: Duration,
) -> io::Result<()> {
    // The head waits and leaves together with the first event: one write, no 40 ms stall.
    let mut out = stream_head(conn, framing.content_type());
    if let Some(retry) = plan.priming {
        // SPEC transports#sending-messages 6: "The server SHOULD immediately send an SSE event consisting of an event ID and an empty data field in order to prime the client to reconnect"
        out.extend(chunk(&sse::encode_priming(
            &stream.event_id(0),
            retry.as_millis() as u64,
        )));
    }
    let mut wanted = plan.from;
    let mut sent = 0;
    let cuts_seen = plan.cuts_seen;
    loop {
        if plan.cut_after.is_some_and(|n| sent >= n) {
            // TEACHING DEVICE (--drop-stream-after): end the response here, as a dropping
            // network or proxy would. The stream itself goes on; the client resumes with a GET.
            // SPEC transports#sending-messages 6: the server "MAY close the connection" after an event with an id, "without terminating the SSE stream".
            out.extend_from_slice(LAST_CHUNK);
            writer.write_all(&out)?;
            return writer.flush();
        }
        let last = match stream.next_after(wanted, cuts_seen, heartbeat) {
            Next::Event { seq, line, last } => {
                out.extend(chunk(&framing.encode(Some(&stream.event_id(seq)), &line)));
                wanted = seq + 1;
                sent += 1;
                last
            }
            Next::Idle => {
                out.extend(chunk(framing.heartbeat()));
                false
            }
            // Complete, cancelled, the log lost what we wanted, or the producer asked for an end
            // of this response: end the response.
            Next::Done | Next::Stopped(_) | Next::Evicted | Next::Cut => true,
        };
        if last {
            out.extend_from_slice(LAST_CHUNK);
        }
        writer.write_all(&out)?;
        writer.flush()?;
        out.clear();
        if last {
            return Ok(());
        }
    }
}
// ANCHOR_END: pump

/// A call framed as one JSON object: wait for the final response, drop what came before it.
fn pump_json(
    mut writer: Box<dyn Write + Send>,
    stream: &Stream,
    conn: &[(&str, String)],
) -> io::Result<()> {
    let mut wanted = 1;
    let mut cuts_seen = stream.cuts();
    let bytes = loop {
        match stream.next_after(wanted, cuts_seen, Duration::from_secs(60)) {
            Next::Event {
                line, last: true, ..
            } => break sized(200, conn, Some(MIME_JSON), line.as_bytes()),
            Next::Event { seq, .. } => wanted = seq + 1,
            Next::Idle => {}
            // One JSON object has nothing to cut: wait on for the result.
            Next::Cut => cuts_seen = stream.cuts(),
            // Cancelled: the spec says no response, but HTTP needs an answer, so: no content.
            Next::Done | Next::Stopped(_) | Next::Evicted => break sized(204, conn, None, b""),
        }
    };
    writer.write_all(&bytes)?;
    writer.flush()
}
