//! The transport rules of revision 2025-11-25 (and the revisions before it) for `/mcp`: the
//! handshake, sessions, a call on its stream, the GET stream and DELETE.
//!
//! Implements MCP 2025-11-25 `basic/transports` §Streamable HTTP: §Sending Messages to the Server
//! (202 for notifications and responses, JSON or SSE for requests), §Session Management (a session
//! id minted at initialize, 400 without it, 404 when unknown, DELETE), §Protocol Version Header (an
//! unsupported one is 400) and §Listening for Messages from the Server (through `get_stream.rs`).
//! `endpoint.rs` calls it once a request has passed the checks every request passes, and the era
//! router (`era.rs`) said "legacy"; `modern.rs` is the other era's twin of this file.
//!
//! Left out: resumable streams for NDJSON and JSON (they have no event ids), and a session's
//! calls running on their request's thread: a call of a session may outlive its connection (the
//! client resumes it), so it runs on a thread of its own and its request's thread copies its log.
//!
//! # Why a struct of references?
//! These rules need four things of the endpoint: its settings, its sessions, its stream ids and
//! its count of running calls. Handing them over as [`Legacy`] keeps this file free of
//! `Endpoint` (no file imports the file that imports it) and says exactly what the rules touch.

use crate::framing::Framing;
use crate::jsonrpc::{Message, RequestId};
use crate::mcp::dispatch::{dispatch, Outcome};
use crate::mcp::tools::{Call, Stop};
use crate::server::accept;
use crate::server::action::Action;
use crate::server::config::Config;
use crate::server::get_stream::GetStream;
use crate::server::pump::Plan;
use crate::server::rejection::Rejection;
use crate::server::request::{HttpVersion, RequestHead};
use crate::server::response::Whole;
use crate::server::session::Session;
use crate::server::session_store::{CreateError, SessionStore};
use crate::server::stream::Stream;
use crate::server::worker::Job;
use crate::wire::{is_supported_version, HEADER_SESSION_ID, MIME_JSON};
use std::sync::atomic::{AtomicU64, AtomicUsize};
use std::sync::Arc;

/// What the legacy rules need of the endpoint, borrowed for one request.
pub struct Legacy<'a> {
    pub config: &'a Config,
    /// `None` with `--stateless`.
    pub sessions: Option<&'a SessionStore>,
    /// The endpoint's stream ids (see [`Stream::next`]).
    pub stream_ids: &'a AtomicU64,
    /// The endpoint's count of running calls; each call's job holds one unit while it runs.
    pub running_calls: &'a Arc<AtomicUsize>,
}

impl Legacy<'_> {
    /// One POSTed message: what to answer.
    ///
    /// # Errors
    /// Every refusal of §Sending Messages and §Session Management, as a [`Rejection`].
    pub fn post(&self, head: &RequestHead, message: Message) -> Result<Action, Rejection> {
        // ANCHOR: post_rules
        // SPEC transports#protocol-version-header: "If the server receives a request with an invalid or unsupported MCP-Protocol-Version, it MUST respond with 400 Bad Request."
        // Any supported value is accepted, even one that differs from the negotiated version: the
        // conformance suite sends 2025-03-26 inside 2025-11-25 sessions. A missing header is
        // accepted too: the spec says to "assume protocol version 2025-03-26" then, and every
        // revision we speak reads this request the same way; the session knows its own version.
        if let Some(v) = head.single_header("mcp-protocol-version")? {
            if !is_supported_version(v) {
                return Err(Rejection::UnsupportedProtocolVersion(v.to_string()));
            }
        }
        let is_initialize =
            matches!(&message, Message::Request { method, .. } if method == "initialize");
        let session = match &self.sessions {
            Some(store) if !is_initialize => Some(find_session(store, head)?),
            // Initialize starts a new session even if an old id came along: a client whose session
            // got a 404 must re-initialize, and refusing would help nobody.
            _ => None,
        };
        // An HTTP/1.0 client cannot read chunked streams: it gets one JSON object.
        let accept = if head.version != HttpVersion::Http11 {
            Some(MIME_JSON.to_string())
        } else {
            head.accept()
        };
        let accept = accept.as_deref();
        // ANCHOR_END: post_rules
        match dispatch(message, self.config.catalog, self.config.page_size) {
            // SPEC transports#sending-messages 4: "If the server accepts the input, the server MUST return HTTP status code 202 Accepted with no body."
            Outcome::Accepted => Ok(accepted()),
            // LAB: lab 1 (the handshake by hand): notifications/initialized is answered here: 202, no body.
            // ANCHOR: initialized
            Outcome::Initialized => {
                if let Some(s) = &session {
                    s.mark_initialized();
                }
                Ok(accepted())
            }
            // ANCHOR_END: initialized
            Outcome::Cancel(id) => {
                if let Some(stream) = session.as_ref().and_then(|s| s.call(&id)) {
                    stream.stop(Stop::Cancelled);
                }
                Ok(accepted())
            }
            Outcome::Answer(answer) => {
                // An answer nobody waits for (late, or for a request we never sent) is accepted and
                // dropped: the sender of a request must ignore late responses, and so do we.
                if let Some(s) = &session {
                    s.deliver(answer);
                }
                Ok(accepted())
            }
            Outcome::Reply(message) => self.one_message(accept, &message, None),
            Outcome::Initialize {
                reply,
                protocol_version,
                capabilities,
            } => {
                // SPEC transports#session-management: "A server using the Streamable HTTP transport MAY assign a session ID at initialization time, by including it in an MCP-Session-Id header on the HTTP response containing the InitializeResult."
                let session_id = match &self.sessions {
                    Some(store) => Some(
                        store
                            .create(protocol_version, capabilities)
                            .map_err(|e| match e {
                                // The spec names no status for a full server: 503 with
                                // Retry-After is HTTP's "not now, try later" (RFC 9110 §15.6.4).
                                CreateError::Full(max) => Rejection::TooManySessions(max),
                                CreateError::Random(e) => Rejection::Internal(format!(
                                    "no session id could be made ({e})"
                                )),
                            })?
                            .id
                            .clone(),
                    ),
                    None => None,
                };
                self.one_message(accept, &reply, session_id)
            }
            Outcome::Call { id, call } => self.start_call(accept, id, call, session),
        }
    }

    /// A reply with nothing to stream: JSON when the client allows it, unless the server was told
    /// to answer everything as a stream (`--sse-replies`, as the official SDKs do by default).
    fn one_message(
        &self,
        accept: Option<&str>,
        message: &Message,
        session_id: Option<String>,
    ) -> Result<Action, Rejection> {
        let framing =
            accept::choose(accept, self.config.sse_replies).ok_or(Rejection::NotAcceptable)?;
        Ok(Action::Send(Whole {
            status: 200,
            headers: session_id
                .into_iter()
                .map(|id| (HEADER_SESSION_ID, id))
                .collect(),
            content_type: Some(framing.content_type()),
            body: framing.encode(None, &message.to_line()),
        }))
    }

    /// A `tools/call`: a stream for its messages, and a job to fill it.
    // ANCHOR: start_call
    fn start_call(
        &self,
        accept: Option<&str>,
        id: RequestId,
        call: Call,
        session: Option<Arc<Session>>,
    ) -> Result<Action, Rejection> {
        let framing = accept::choose(accept, true).ok_or(Rejection::NotAcceptable)?;
        let stream = Arc::new(self.new_stream());
        // Only SSE has event ids, so only an SSE stream of a session can be resumed.
        let resumable = framing == Framing::Sse && session.is_some();
        // LAB: lab 6 (cap the calls per session): a call of a session starts here; refuse it beyond
        // the limit before anything is sent or run.
        if let Some(s) = &session {
            s.start_call(id.clone(), Arc::clone(&stream), resumable);
        }
        // SPEC transports#sending-messages 6: the priming event is new in 2025-11-25; older
        // clients have choked on its empty data, so older sessions do not get it.
        let primes = session
            .as_ref()
            .is_some_and(|s| s.protocol_version.as_str() >= "2025-11-25");
        let priming = (resumable && primes).then_some(self.config.retry);
        let plan = Plan::from_start(&stream, priming, resumable, self.config.drop_stream_after);
        // A request to the client needs a stream to travel on and a session to come back through.
        // SPEC lifecycle#initialization: "The server SHOULD NOT send requests other than pings and logging before receiving the initialized notification."
        let can_ask =
            framing != Framing::Json && session.as_ref().is_some_and(|s| s.is_initialized());
        let job = Job {
            id,
            call,
            stream,
            session,
            can_ask,
            step_delay: self.config.step_delay,
            answer_timeout: self.config.answer_timeout,
            running: Arc::clone(self.running_calls),
        };
        Ok(Action::StreamCall { framing, job, plan })
    }
    // ANCHOR_END: start_call

    /// `GET /mcp`: open the session's server-to-client stream, or resume a stream after
    /// `Last-Event-ID`.
    ///
    /// # Errors
    /// 405 when stateless, 406 without `text/event-stream` in `Accept`, 400/404 for the session,
    /// and the refusals of [`GetStream::open`].
    // SPEC transports#listening: "The server MUST either return Content-Type: text/event-stream in response to this HTTP GET, or else return HTTP 405 Method Not Allowed"
    pub fn get(&self, head: &RequestHead) -> Result<GetStream, Rejection> {
        let Some(store) = &self.sessions else {
            return Err(Rejection::MethodNotAllowed("POST"));
        };
        if !accept::allows_sse(head.accept().as_deref()) {
            return Err(Rejection::GetNotAcceptable);
        }
        let session = find_session(store, head)?;
        let last_event_id = head.single_header("last-event-id")?;
        GetStream::open(&session, last_event_id, self.config, || self.new_stream())
    }

    /// `DELETE /mcp`: end the session.
    ///
    /// # Errors
    /// 405 when stateless (there is nothing to end), 400 without a session id, 404 when unknown.
    pub fn delete(&self, head: &RequestHead) -> Result<(), Rejection> {
        // SPEC transports#session-management: "The server MAY respond to this request with HTTP 405 Method Not Allowed"
        let Some(store) = &self.sessions else {
            return Err(Rejection::MethodNotAllowed("POST"));
        };
        // The same lookup as every other request (an HTTP+SSE session is not found here).
        let session = find_session(store, head)?;
        if store.remove(&session.id) {
            Ok(())
        } else {
            Err(Rejection::UnknownSession)
        }
    }

    fn new_stream(&self) -> Stream {
        Stream::next(self.stream_ids, self.config.max_stream_events)
    }
}

/// 202 Accepted, no body: what a notification or a response gets.
fn accepted() -> Action {
    Action::Send(Whole::empty(202))
}

/// The session a request names, marked as used now.
fn find_session(store: &SessionStore, head: &RequestHead) -> Result<Arc<Session>, Rejection> {
    // SPEC transports#session-management: "Servers that require a session ID SHOULD respond to requests that don't include an MCP-Session-Id header (other than initialization) with HTTP 400 Bad Request."
    let id = head
        .single_header("mcp-session-id")?
        .ok_or(Rejection::MissingSession)?;
    // SPEC transports#session-management: after a session is terminated the server "MUST respond to requests containing that session ID with HTTP 404 Not Found"
    // An HTTP+SSE session (2024-11-05) is no session of this transport: its stream must not carry
    // what `/mcp` would send it (see `Session::is_http_sse`).
    store
        .get(id)
        .filter(|s| !s.is_http_sse())
        .ok_or(Rejection::UnknownSession)
}
