//! Sessions: the `Mcp-Session-Id` a server hands out at initialization, and what it remembers.
//!
//! Implements MCP 2025-11-25 `basic/transports` §Session Management: the id is minted on the
//! response that carries the `InitializeResult`, later requests must carry it, an unknown or ended
//! id gets 404, and `DELETE` ends a session. Sessions idle for longer than a timeout expire.
//!
//! This file is one session: its streams, its running calls, its GET stream and its questions to
//! the client. `session_store.rs` holds all of them, mints the ids and expires the idle ones.
//!
//! Left out: binding a session to an authenticated user (we have one shared bearer token at most).
//! Revision 2026-07-28 removes sessions altogether: its requests never reach this module (see
//! `era.rs`), and with `--stateless` neither do the legacy ones.
//!
//! # Why `Mutex<HashMap>` and not something cleverer?
//! Every request takes the lock once, for a lookup of microseconds. A sharded map or a lock-free
//! structure would be faster under heavy contention and much harder to read; mini-redis makes the
//! same choice for the same reason.

use crate::jsonrpc::{Message, RequestId};
use crate::mcp::tools::Stop;
use crate::server::locks::lock;
use crate::server::stream::Stream;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One client's session.
#[derive(Debug)]
pub struct Session {
    pub id: String,
    /// The revision agreed at initialization.
    pub protocol_version: String,
    /// The `capabilities` the client declared (e.g. whether it can answer `elicitation/create`).
    pub client_capabilities: Value,
    /// How long a finished stream stays available for resuming.
    stream_grace: Duration,
    last_seen: Mutex<Instant>,
    /// Every stream of this session still kept, by stream id: the ones running and the ones that
    /// finished less than `stream_grace` ago. `Last-Event-ID` is looked up here, so a client can
    /// only ever resume its own streams.
    streams: Mutex<HashMap<u64, Arc<Stream>>>,
    /// When `streams` was last swept of expired streams.
    last_sweep: Mutex<Instant>,
    /// Calls still running, by request id, so that `notifications/cancelled` can find them.
    running: Mutex<HashMap<RequestId, Arc<Stream>>>,
    /// The standalone GET stream, made when the client first opens it.
    get_stream: Mutex<Option<Arc<Stream>>>,
    /// True while a connection is reading the GET stream (at most one at a time).
    get_stream_open: AtomicBool,
    /// Requests we sent the client (e.g. `elicitation/create`), waiting for their answer.
    pending: Mutex<HashMap<RequestId, Sender<Message>>>,
    next_request: AtomicU64,
    /// The client sent `notifications/initialized`.
    initialized: AtomicBool,
    /// Opened by 2024-11-05's `GET /sse`: then it is served only on `/messages`, never on `/mcp`.
    http_sse: AtomicBool,
    closed: AtomicBool,
    /// Alerts the GET stream has carried, over all its connections: a producer started for a
    /// reconnection goes on counting where the last one stopped.
    alerts_sent: AtomicUsize,
}

/// Streams a session keeps for resuming; when more are kept, the oldest ended ones go first, down
/// to half this number (so the cleanup runs once per many calls, not on every call).
pub const MAX_KEPT_STREAMS: usize = 256;
/// The bytes of ended streams a session keeps for resuming; past it, the oldest ended ones go
/// first. Without it, 256 calls that echo a 1 MB progress token three times each kept 768 MB.
pub const MAX_KEPT_BYTES: usize = 16 * 1024 * 1024;

/// Proof that this connection holds the session's GET stream; dropping it lets another GET in.
#[derive(Debug)]
pub struct GetStreamGuard {
    session: Arc<Session>,
    /// True while this connection holds the stream: a producer that feeds only a listener (the
    /// alerts) watches it and ends with the connection, instead of with the session.
    held: Arc<AtomicBool>,
}

impl GetStreamGuard {
    /// A flag that turns false when this guard is dropped.
    pub fn held(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.held)
    }
}

impl Drop for GetStreamGuard {
    fn drop(&mut self) {
        self.held.store(false, Ordering::SeqCst);
        // The listening counted as use (see `idle_for`): the idle time starts now.
        *lock(&self.session.last_seen) = Instant::now();
        self.session.get_stream_open.store(false, Ordering::SeqCst);
    }
}

impl Session {
    /// A new session, for a client that has just initialized at `protocol_version`.
    pub fn new(
        id: String,
        protocol_version: &str,
        client_capabilities: Value,
        stream_grace: Duration,
    ) -> Session {
        Session {
            id,
            protocol_version: protocol_version.to_string(),
            client_capabilities,
            stream_grace,
            last_seen: Mutex::new(Instant::now()),
            streams: Mutex::new(HashMap::new()),
            last_sweep: Mutex::new(Instant::now()),
            running: Mutex::new(HashMap::new()),
            get_stream: Mutex::new(None),
            get_stream_open: AtomicBool::new(false),
            pending: Mutex::new(HashMap::new()),
            next_request: AtomicU64::new(0),
            initialized: AtomicBool::new(false),
            http_sse: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            alerts_sent: AtomicUsize::new(0),
        }
    }

    /// Mark the session as one of the 2024-11-05 HTTP+SSE transport (before its id is given out).
    pub fn mark_http_sse(&self) {
        self.http_sse.store(true, Ordering::SeqCst);
    }

    /// Was it opened by `GET /sse`? Each transport serves only its own sessions: a response on a
    /// Streamable HTTP GET stream, or a Streamable HTTP request in an HTTP+SSE session, would
    /// break the other transport's rules.
    pub fn is_http_sse(&self) -> bool {
        self.http_sse.load(Ordering::SeqCst)
    }

    /// Mark the session used at `now`: its idle time starts again.
    pub fn touch(&self, now: Instant) {
        *lock(&self.last_seen) = now;
    }

    /// Keep a new stream, and forget the ones whose grace period is over.
    ///
    /// Forgetting walks every kept stream, so it runs at most once a second (measured otherwise:
    /// CPU per call doubling within 10 s of back-to-back calls).
    pub fn add_stream(&self, stream: Arc<Stream>) {
        let mut streams = lock(&self.streams);
        let now = Instant::now();
        let mut last_sweep = lock(&self.last_sweep);
        if now.saturating_duration_since(*last_sweep) >= Duration::from_secs(1) {
            streams.retain(|_, s| !s.expired(self.stream_grace, now));
            *last_sweep = now;
        }
        streams.insert(stream.id(), stream);
        // Bounded in number too: past the cap, the oldest streams that have ended are forgotten
        // even within their grace period.
        if streams.len() > MAX_KEPT_STREAMS {
            let excess = streams.len() - MAX_KEPT_STREAMS / 2;
            for id in ended_oldest_first(&streams, now).into_iter().take(excess) {
                streams.remove(&id);
            }
        }
        // And in bytes: the oldest ended streams go until the rest fit. (Summing walks the kept
        // streams, at most MAX_KEPT_STREAMS of them, once per new stream.)
        let mut kept: usize = streams.values().map(|s| s.bytes()).sum();
        if kept > MAX_KEPT_BYTES {
            for id in ended_oldest_first(&streams, now) {
                if kept <= MAX_KEPT_BYTES {
                    break;
                }
                if let Some(gone) = streams.remove(&id) {
                    kept -= gone.bytes();
                }
            }
        }
    }

    /// A stream of this session that can still be read.
    pub fn stream(&self, id: u64) -> Option<Arc<Stream>> {
        let streams = lock(&self.streams);
        let stream = streams.get(&id)?;
        (!stream.expired(self.stream_grace, Instant::now())).then(|| Arc::clone(stream))
    }

    /// Remember a running call's stream under its request id, and keep the stream for resuming
    /// if it can be resumed (an SSE stream; NDJSON and JSON have no event ids to resume from).
    // LAB: lab 6 (cap the calls per session): a session's running calls are kept in `running`,
    // under one lock; counting them there cannot race with another call of the same session.
    pub fn start_call(&self, id: RequestId, stream: Arc<Stream>, resumable: bool) {
        if resumable {
            self.add_stream(Arc::clone(&stream));
        }
        lock(&self.running).insert(id, stream);
    }

    /// Forget a call once its final message is in the log (its stream stays, for resuming).
    pub fn end_call(&self, id: &RequestId) {
        lock(&self.running).remove(id);
    }

    /// The stream of a running call, if the id names one.
    pub fn call(&self, id: &RequestId) -> Option<Arc<Stream>> {
        lock(&self.running).get(id).cloned()
    }

    /// Take the GET stream for one connection; `make` builds it the first time.
    ///
    /// # Errors
    /// `None` when another connection already holds it (the caller answers 409).
    pub fn open_get_stream(
        self: &Arc<Self>,
        make: impl FnOnce() -> Stream,
    ) -> Option<(Arc<Stream>, GetStreamGuard)> {
        if self.get_stream_open.swap(true, Ordering::SeqCst) {
            return None;
        }
        let mut get_stream = lock(&self.get_stream);
        let is_new = get_stream.is_none();
        let stream = get_stream.get_or_insert_with(|| Arc::new(make())).clone();
        drop(get_stream);
        if is_new {
            self.add_stream(Arc::clone(&stream));
        }
        Some((
            stream,
            GetStreamGuard {
                session: Arc::clone(self),
                held: Arc::new(AtomicBool::new(true)),
            },
        ))
    }

    /// The session's GET stream, once it has been opened.
    pub fn get_stream(&self) -> Option<Arc<Stream>> {
        lock(&self.get_stream).clone()
    }

    /// Is `stream` this session's GET stream?
    pub fn is_get_stream(&self, stream: &Stream) -> bool {
        lock(&self.get_stream)
            .as_ref()
            .is_some_and(|l| l.id() == stream.id())
    }

    /// A fresh id for a request we send the client. Strings, so they can never collide with the
    /// client's own numeric ids in logs, and unique within the session.
    pub fn next_request_id(&self) -> RequestId {
        RequestId::String(format!(
            "srv-{}",
            self.next_request.fetch_add(1, Ordering::SeqCst) + 1
        ))
    }

    /// Wait for the answer to request `id`: the returned receiver gets it.
    pub fn expect_answer(&self, id: RequestId) -> Receiver<Message> {
        let (tx, rx) = channel();
        lock(&self.pending).insert(id, tx);
        rx
    }

    /// Stop waiting for an answer (it timed out, or the call stopped).
    pub fn forget_answer(&self, id: &RequestId) {
        lock(&self.pending).remove(id);
    }

    /// Hand a client's response to whoever waits for it. False if nobody does (unknown or late).
    pub fn deliver(&self, answer: Message) -> bool {
        let id = match &answer {
            Message::Response { id, .. } | Message::Error { id: Some(id), .. } => id.clone(),
            _ => return false,
        };
        match lock(&self.pending).remove(&id) {
            Some(waiter) => waiter.send(answer).is_ok(),
            None => false,
        }
    }

    pub fn mark_initialized(&self) {
        self.initialized.store(true, Ordering::SeqCst);
    }

    pub fn is_initialized(&self) -> bool {
        self.initialized.load(Ordering::SeqCst)
    }

    /// End the session: every stream stops, so its workers and readers finish. The running calls
    /// are stopped too: an NDJSON or JSON call is not among the kept streams (it cannot be
    /// resumed), and it went on to deliver its result after the DELETE.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        for stream in lock(&self.streams).values() {
            stream.stop(Stop::Abandoned);
        }
        for stream in lock(&self.running).values() {
            stream.stop(Stop::Abandoned);
        }
        lock(&self.pending).clear();
    }

    /// The number of the next alert of this session's GET stream (0, 1, 2…).
    pub fn next_alert(&self) -> usize {
        self.alerts_sent.fetch_add(1, Ordering::SeqCst)
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// How long the client has not used the session. A client listening on the GET stream is
    /// using it, even if it sends nothing: expiring it mid-stream would cut a live client off.
    pub fn idle_for(&self, now: Instant) -> Duration {
        if self.get_stream_open.load(Ordering::SeqCst) {
            return Duration::ZERO;
        }
        now.saturating_duration_since(*lock(&self.last_seen))
    }
}

/// The ids of the streams that have ended, oldest first. (HashMap keys are not ordered; stream
/// ids grow, so the smallest ids are the oldest.)
fn ended_oldest_first(streams: &HashMap<u64, Arc<Stream>>, now: Instant) -> Vec<u64> {
    let mut ended: Vec<u64> = streams
        .iter()
        .filter(|(_, s)| s.expired(Duration::ZERO, now))
        .map(|(id, _)| *id)
        .collect();
    ended.sort_unstable();
    ended
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[test]
    fn kept_streams_are_bounded_in_bytes_oldest_ended_first() {
        let session = Session::new("s".into(), "2025-11-25", json!({}), Duration::from_secs(60));
        let running = Arc::new(Stream::new(1, 4));
        running.push("r".repeat(MAX_KEPT_BYTES / 2), false).unwrap();
        session.add_stream(Arc::clone(&running));
        for id in 2..40 {
            let finished = Arc::new(Stream::new(id, 4));
            finished.push("x".repeat(1024 * 1024), true).unwrap();
            session.add_stream(finished);
        }
        let kept: usize = lock(&session.streams).values().map(|s| s.bytes()).sum();
        assert!(kept <= MAX_KEPT_BYTES, "{kept}");
        assert!(session.stream(1).is_some(), "the running stream is kept");
        assert!(session.stream(39).is_some(), "the newest is kept");
        assert!(
            session.stream(2).is_none(),
            "the oldest ended one went first"
        );
    }

    #[test]
    fn kept_streams_are_bounded_and_running_ones_are_never_dropped() {
        let session = Session::new("s".into(), "2025-11-25", json!({}), Duration::from_secs(60));
        let running = Arc::new(Stream::new(1, 4));
        session.add_stream(Arc::clone(&running));
        for id in 2..1000 {
            let finished = Arc::new(Stream::new(id, 4));
            finished.push("done".into(), true).unwrap();
            session.add_stream(finished);
        }
        let kept = (1..1000).filter(|id| session.stream(*id).is_some()).count();
        assert!(kept <= MAX_KEPT_STREAMS, "{kept} kept");
        assert!(session.stream(1).is_some(), "the running stream is kept");
        assert!(session.stream(999).is_some(), "the newest are kept");
        assert!(
            session.stream(2).is_none(),
            "the oldest ended ones went first"
        );
    }
}
