//! `GET /mcp`: the session's server-to-client stream, and resuming a stream after `Last-Event-ID`.
//!
//! Implements MCP 2025-11-25 `basic/transports` §Listening for Messages from the Server (a GET opens
//! an SSE stream on which the server may send requests and notifications unrelated to the client's
//! requests) and §Resumability and Redelivery (a GET with `Last-Event-ID` continues the stream that
//! id names, after that event). Like `endpoint.rs`, it decides and does no I/O: the endpoint checks
//! the method, `Accept` and the session, then asks [`GetStream::open`] which stream to read.
//!
//! Left out: several GET streams per session (the spec allows them; one is simpler to reason about,
//! and the official SDKs refuse a second one with 409 too).
//!
//! # Why is resuming a GET, not a POST?
//! The spec's answer: the request being resumed was already sent, and sending it again would run
//! it again. A GET carries no message, only "give me what I missed after this event", so it is
//! safe to repeat. One GET route then serves both the session's own stream and every resumed one.

use crate::server::config::Config;
use crate::server::pump::Plan;
use crate::server::rejection::Rejection;
use crate::server::session::{GetStreamGuard, Session};
use crate::server::stream::{EventId, Next, Stream};
use crate::server::worker::Alerts;
use std::sync::Arc;
use std::time::Duration;

/// What the socket side must send for a GET: an SSE stream, read from `plan.from` on.
#[derive(Debug)]
pub struct GetStream {
    pub stream: Arc<Stream>,
    pub plan: Plan,
    /// Held while this connection reads the session's GET stream (at most one may). `None` when
    /// the GET resumes the stream of a call.
    pub guard: Option<GetStreamGuard>,
    /// The producer to start before streaming: set the first time a session opens its GET
    /// stream, when the app has alerts to send.
    pub alerts: Option<Alerts>,
}

fn busy() -> Rejection {
    Rejection::Conflict("this session's GET stream is already open on another connection".into())
}

/// How long a new GET waits for the connection it takes the stream from to let go.
const TAKE_OVER_WAIT: Duration = Duration::from_secs(1);

/// Hold the session's GET stream for a connection that resumes it (`Last-Event-ID`), taking it
/// from the connection that holds it.
///
/// # Why take it over instead of answering 409?
/// A client that reconnects does so because its old connection died, but the server only learns
/// that at its next write, a heartbeat or two later: the reconnect met 409 for about 1.5 s. A
/// resuming GET names the last event it has, so it is the same listener coming back: it wins, the
/// old response is ended cleanly (the stream goes on), and it reads on after its own last event,
/// so nothing is sent on both. A GET *without* `Last-Event-ID` is another listener: 409.
fn hold(
    session: &Arc<Session>,
    make: impl FnOnce() -> Stream,
) -> Result<(Arc<Stream>, GetStreamGuard), Rejection> {
    if let Some(held) = session.open_get_stream(make) {
        return Ok(held);
    }
    let Some(stream) = session.get_stream() else {
        return Err(busy());
    };
    stream.end_responses();
    let deadline = std::time::Instant::now() + TAKE_OVER_WAIT;
    while std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        if let Some(held) = session.open_get_stream(|| unreachable!("it exists")) {
            return Ok(held);
        }
    }
    Err(busy())
}

impl GetStream {
    /// The stream a GET of `session` reads: the one `last_event_id` names, or the session's own.
    /// `new_stream` makes the session's GET stream the first time it is opened.
    ///
    /// # Errors
    /// 409 when the GET stream is already open, and 400 for a `Last-Event-ID` that names no
    /// stream of this session that can still be read (unknown, expired, or dropped from its log).
    pub fn open(
        session: &Arc<Session>,
        last_event_id: Option<&str>,
        config: &Config,
        new_stream: impl FnOnce() -> Stream,
    ) -> Result<GetStream, Rejection> {
        let cut_after = config.drop_stream_after;
        // LAB: lab 4 (cut and resume): your GET with Last-Event-ID arrives here.
        if let Some(last) = last_event_id {
            return resume(session, last, config);
        }
        // A second listener without Last-Event-ID is another client of the session, not a
        // reconnect: it gets 409, so two live listeners do not cut each other in turn.
        let (stream, guard) = session.open_get_stream(new_stream).ok_or_else(busy)?;
        let alerts = alerts_for(session, &stream, &guard, config);
        // A GET stream is always resumable (it belongs to a session), so it is always primed.
        let plan = Plan::from_start(&stream, Some(config.retry), true, cut_after);
        Ok(GetStream {
            stream,
            plan,
            guard: Some(guard),
            alerts,
        })
    }
}

/// A GET with `Last-Event-ID`: the stream that id names, from the event after it.
// ANCHOR: resume
fn resume(session: &Arc<Session>, last: &str, config: &Config) -> Result<GetStream, Rejection> {
    let gone = || {
        Rejection::BadRequest(format!(
            "Last-Event-ID {last:?} names no stream of this session that can be resumed \
             (unknown, or expired after its grace period); re-send the request instead"
        ))
    };
    // SPEC transports#resumability: the server "MUST NOT replay messages that would have been delivered on a different stream"
    // The id names its stream, and the stream is looked up in *this* session only.
    let id: EventId = last.parse().map_err(|_| gone())?;
    let stream = session.stream(id.stream).ok_or_else(gone)?;
    // The id after the last one: an id at the very end of u64 names nothing we could send.
    let from = id.seq.checked_add(1).ok_or_else(gone)?;
    if stream.next_after(from, stream.cuts(), Duration::ZERO) == Next::Evicted {
        return Err(Rejection::BadRequest(format!(
            "the events after {last:?} were dropped from the stream's log (it keeps {}); \
             re-send the request instead",
            config.max_stream_events
        )));
    }
    // Resuming the GET stream is opening it again: still one connection at a time, and its
    // alerts start again for the new listener.
    let (guard, alerts) = if session.is_get_stream(&stream) {
        let (_, guard) = hold(session, || unreachable!("it exists"))?;
        let alerts = alerts_for(session, &stream, &guard, config);
        (Some(guard), alerts)
    } else {
        (None, None)
    };
    Ok(GetStream {
        plan: Plan::resume(&stream, from, config.drop_stream_after),
        stream,
        guard,
        alerts,
    })
}
// ANCHOR_END: resume

/// The app's alerts for the connection that holds `guard`, if the app has any.
fn alerts_for(
    session: &Arc<Session>,
    stream: &Arc<Stream>,
    guard: &GetStreamGuard,
    config: &Config,
) -> Option<Alerts> {
    config.catalog.alerts.map(|make| Alerts {
        stream: Arc::clone(stream),
        session: Arc::clone(session),
        every: config.alert_every,
        make,
        listening: guard.held(),
    })
}
