//! `GET /mcp`: the session's server-to-client stream, and resuming a stream after `Last-Event-ID`.
//!
//! Implements MCP 2025-11-25 `basic/transports` §Listening for Messages from the Server (a GET opens
//! an SSE stream on which the server may send requests and notifications unrelated to the client's
//! requests) and §Resumability and Redelivery (a GET with `Last-Event-ID` continues the stream that
//! id names, after that event). Like `endpoint.rs`, it decides and does no I/O.
//!
//! Left out: several GET streams per session (the spec allows them; one is simpler to reason about,
//! and the official SDKs refuse a second one with 409 too).

use crate::endpoint::{Endpoint, Plan, RequestHead};
use crate::rejection::Rejection;
use crate::session::{ListenGuard, Session};
use crate::stream::{Next, Stream};
use crate::wire::MIME_SSE;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

/// What the HTTP module must send for a GET: an SSE stream, read from `plan.from` on.
#[derive(Debug)]
pub struct Listen {
    pub stream: Arc<Stream>,
    pub plan: Plan,
    pub session: Arc<Session>,
    /// Held while this connection reads the session's GET stream (at most one may).
    pub guard: Option<ListenGuard>,
}

fn busy() -> Rejection {
    Rejection::Conflict("this session's GET stream is already open on another connection".into())
}

impl Endpoint {
    /// `GET /mcp`: open the session's server-to-client stream, or resume a stream after
    /// `Last-Event-ID`.
    ///
    /// # Errors
    /// 405 when stateless, 406 without `text/event-stream` in `Accept`, 400/404 for the session,
    /// 409 when the GET stream is already open, and 400 for a `Last-Event-ID` that names no
    /// stream of this session that can still be read (unknown, expired, or dropped from its log).
    // SPEC transports#listening: "The server MUST either return Content-Type: text/event-stream in response to this HTTP GET, or else return HTTP 405 Method Not Allowed"
    pub fn get(&self, head: &RequestHead) -> Result<Listen, Rejection> {
        let Some(store) = &self.sessions else {
            return Err(Rejection::MethodNotAllowed("POST"));
        };
        let accept = head.accept().unwrap_or_default();
        if !accept.to_ascii_lowercase().contains(MIME_SSE) {
            return Err(Rejection::NotAcceptable);
        }
        let session = self.find_session(store, head)?;
        let cut_after = self.config.drop_stream_after;
        // LAB: lab 4 (cut and resume): your GET with Last-Event-ID arrives here.
        if let Some(last) = head.single_header("last-event-id")? {
            // SPEC transports#resumability: the server "MUST NOT replay messages that would have been delivered on a different stream"
            // Event ids are "<stream>-<seq>"; the stream is looked up in *this* session only.
            let gone = || {
                Rejection::BadRequest(format!(
                    "Last-Event-ID {last:?} names no stream of this session that can be resumed \
                 (unknown, or expired after its grace period); re-send the request instead"
                ))
            };
            let (stream_id, seq) = last.split_once('-').ok_or_else(gone)?;
            let (stream_id, seq): (u64, u64) = (
                stream_id.parse().map_err(|_| gone())?,
                seq.parse().map_err(|_| gone())?,
            );
            let stream = session.stream(stream_id).ok_or_else(gone)?;
            // The id after the last one: an id at the very end of u64 names nothing we could send.
            let from = seq.checked_add(1).ok_or_else(gone)?;
            if stream.next_after(from, stream.cuts(), Duration::ZERO) == Next::Evicted {
                return Err(Rejection::BadRequest(format!(
                    "the events after {last:?} were dropped from the stream's log (it keeps {}); re-send the request instead",
                    self.config.max_stream_events
                )));
            }
            // Resuming the GET stream is opening it again: still one connection at a time.
            let guard = if session.is_listener(&stream) {
                let (_, guard) = session
                    .listen(|| unreachable!("it exists"))
                    .ok_or_else(busy)?;
                Some(guard)
            } else {
                None
            };
            let plan = Plan {
                from,
                priming: None,
                resumable: true,
                cut_after,
                cuts_seen: stream.cuts(),
            };
            return Ok(Listen {
                stream,
                plan,
                session,
                guard,
            });
        }
        let max_events = self.config.max_stream_events;
        let make = || {
            Stream::new(
                self.next_stream_id.fetch_add(1, Ordering::Relaxed),
                max_events,
            )
        };
        let (stream, guard) = session.listen(make).ok_or_else(busy)?;
        let plan = Plan {
            from: 1,
            priming: Some(self.config.retry),
            resumable: true,
            cut_after,
            cuts_seen: stream.cuts(),
        };
        Ok(Listen {
            stream,
            plan,
            session,
            guard: Some(guard),
        })
    }
}
