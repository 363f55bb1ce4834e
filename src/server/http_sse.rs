//! The transport Streamable HTTP replaced: revision 2024-11-05's HTTP with SSE (`--http-sse`).
//!
//! Implements MCP 2024-11-05 `basic/transports` §HTTP with SSE: `GET /sse` opens a session's one
//! stream, whose first event (`endpoint`) names the URI to POST to; `POST /messages?sessionId=…`
//! takes one message and answers 202; every answer travels on the stream as a `message` event.
//! Like `endpoint.rs`, it decides and does no I/O; `socket.rs` writes what it is told.
//!
//! It reuses the session machinery of the Streamable HTTP transport: an HTTP+SSE session is a
//! [`Session`] whose GET stream is its only stream, opened by `GET /sse` instead of `GET /mcp`.
//! A tool call still runs on its own thread into its own log ([`Job`]); [`forward`] copies that
//! log onto the session's stream, because on this transport no answer may travel anywhere else.
//!
//! What it shows by what it lacks (see `docs/http-sse.md`):
//! - no event ids and no resuming: when the stream's connection breaks, the session ends with it
//!   (`Endpoint::end_session`), and a call's result that had not been sent is lost;
//! - one long-lived connection per client, for as long as the client lives;
//! - answers never arrive on the POST that asked: the client matches them by id on the stream.
//!
//! Left out: requests from the server to the client (2024-11-05 has `sampling/createMessage`;
//! the weather tool's `elicitation/create` came in 2025-06-18), so a call never asks; the app's
//! alerts; `MCP-Protocol-Version` (that header came in 2025-06-18).

use crate::jsonrpc::{Message, RequestId};
use crate::mcp::dispatch::{dispatch, Outcome};
use crate::mcp::tools::Stop;
use crate::server::config::Config;
use crate::server::pump::Plan;
use crate::server::rejection::Rejection;
use crate::server::request::RequestHead;
use crate::server::session::{GetStreamGuard, Session};
use crate::server::session_store::{CreateError, SessionStore};
use crate::server::stream::{Next, Stream};
use crate::server::worker::Job;
use crate::wire::MIME_JSON;
use serde_json::{json, Value};
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Duration;

/// The SSE endpoint: a GET here opens a session and its stream.
pub const SSE_PATH: &str = "/sse";
/// The POST endpoint the `endpoint` event names (with `?sessionId=…`).
pub const MESSAGES_PATH: &str = "/messages";
/// The revision this transport belongs to. Not in `wire::SUPPORTED_PROTOCOL_VERSIONS`: that list
/// is what `/mcp` accepts in `MCP-Protocol-Version` and echoes at initialize, and 2024-11-05 never
/// had Streamable HTTP. An initialize that asks for it *here* gets it (see [`post`]).
pub const HTTP_SSE_VERSION: &str = "2024-11-05";

/// Is `path` one of this transport's two endpoints?
pub fn serves(path: &str) -> bool {
    path == SSE_PATH || path == MESSAGES_PATH
}

/// What the socket side must do for `GET /sse`: send `endpoint_event`, then the session's stream,
/// and end the session when the connection ends.
#[derive(Debug)]
pub struct SseSession {
    pub session_id: String,
    pub stream: Arc<Stream>,
    pub plan: Plan,
    /// Held for as long as the connection reads the stream: the session is in use meanwhile.
    pub guard: GetStreamGuard,
    /// The first event's bytes.
    pub endpoint_event: Vec<u8>,
}

/// The `endpoint` event for a session: where its client must POST.
// SPEC 2024-11-05 transports#http-with-sse: "When a client connects, the server MUST send an endpoint event containing a URI for the client to use for sending messages."
pub fn endpoint_event(session_id: &str) -> Vec<u8> {
    // A relative URI: the client resolves it against the URL it connected to, so the server
    // need not know the name the client used for it (a proxy may have changed it).
    format!("event: endpoint\ndata: {MESSAGES_PATH}?sessionId={session_id}\n\n").into_bytes()
}

/// `GET /sse`: a new session, and its stream held for this connection.
///
/// `Accept` is not checked: 2024-11-05 sets no rule for it, and `curl -N` sends `*/*`.
///
/// # Errors
/// 503 when the server holds its maximum of sessions; 500 when no session id could be made.
pub fn open(
    store: &SessionStore,
    new_stream: impl FnOnce() -> Stream,
) -> Result<SseSession, Rejection> {
    // The session starts before initialize, so it cannot know the client's version or
    // capabilities yet: it is marked 2024-11-05, and asks the client nothing (`can_ask` false).
    let session = store
        .create(HTTP_SSE_VERSION, json!({}))
        .map_err(|e| match e {
            CreateError::Full(max) => Rejection::TooManySessions(max),
            CreateError::Random(e) => {
                Rejection::Internal(format!("no session id could be made ({e})"))
            }
        })?;
    session.mark_http_sse();
    let (stream, guard) = session
        .open_get_stream(new_stream)
        .ok_or_else(|| Rejection::Internal("a new session's stream was taken".into()))?;
    Ok(SseSession {
        session_id: session.id.clone(),
        plan: Plan::without_ids(&stream),
        endpoint_event: endpoint_event(&session.id),
        stream,
        guard,
    })
}

/// The `sessionId` of a `/messages` query string (`a=1&sessionId=…`).
pub fn session_id_of(query: &str) -> Option<&str> {
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("sessionId="))
        .filter(|id| !id.is_empty())
}

/// The checks of `POST /messages` that come before its body is read.
///
/// # Errors
/// 415 when the body is not declared as JSON. (`Accept` is not checked: a 202 has no body.)
pub fn check_post_head(head: &RequestHead) -> Result<(), Rejection> {
    let content_type = head.header("content-type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    match media.eq_ignore_ascii_case(MIME_JSON) {
        true => Ok(()),
        false => Err(Rejection::UnsupportedMediaType),
    }
}

/// What a `POST /messages` comes to: a 202, with any answer already on the session's stream; or a
/// call to start, whose messages the socket side copies onto that stream. (Not an `Action`: the
/// endpoint makes one of it, so that `action.rs`, which names this module's types, is not named
/// back.)
#[derive(Debug)]
pub enum Posted {
    Accepted,
    Call { job: Box<Job>, to: Arc<Stream> },
}

/// `POST /messages?sessionId=…` with one parsed message: 202, and any answer goes on the stream.
///
/// # Errors
/// 400 without `sessionId`; 404 when it names no session (never opened, or its stream's
/// connection is gone, which ends it).
pub fn post(
    store: &SessionStore,
    config: &Config,
    head: &RequestHead,
    message: Message,
    new_stream: impl FnOnce() -> Stream,
    running: &Arc<AtomicUsize>,
) -> Result<Posted, Rejection> {
    let id = session_id_of(&head.query).ok_or_else(|| {
        Rejection::BadRequest(
            "POST /messages needs ?sessionId=…, from the endpoint event of GET /sse".into(),
        )
    })?;
    // A Streamable HTTP session's id names no session of this transport (see `Session::is_http_sse`).
    let session = store
        .get(id)
        .filter(|s| s.is_http_sse())
        .ok_or(Rejection::UnknownSseSession)?;
    let Some(stream) = session.get_stream() else {
        return Err(Rejection::UnknownSseSession);
    };
    let asks_for_this_revision = asks_for(&message, HTTP_SSE_VERSION);
    let answer = match dispatch(message, config.catalog, config.page_size) {
        Outcome::Accepted => None,
        Outcome::Initialized => {
            session.mark_initialized();
            None
        }
        Outcome::Cancel(id) => {
            if let Some(call) = session.call(&id) {
                call.stop(Stop::Cancelled);
            }
            None
        }
        Outcome::Answer(answer) => {
            session.deliver(answer);
            None
        }
        Outcome::Reply(reply) => Some(reply),
        Outcome::Initialize { reply, .. } => Some(match asks_for_this_revision {
            // SPEC lifecycle#version-negotiation: "If the server supports the requested protocol version, it MUST respond with the same version."
            // `lifecycle::negotiate` knows only the Streamable HTTP revisions; this transport
            // also speaks its own.
            true => with_version(reply, HTTP_SSE_VERSION),
            false => reply,
        }),
        Outcome::Call { id, call } => {
            return Ok(start_call(
                config, &session, stream, id, call, new_stream, running,
            ))
        }
    };
    if let Some(reply) = answer {
        // SPEC 2024-11-05 transports#http-with-sse: "Server messages are sent as SSE message events, with the message content encoded as JSON in the event data."
        // A stopped stream means the session ended between the lookup and now.
        stream
            .push(reply.to_line(), false)
            .map_err(|_| Rejection::UnknownSseSession)?;
    }
    Ok(Posted::Accepted)
}

/// A `tools/call`: its job, and the session's stream its messages are copied onto.
fn start_call(
    config: &Config,
    session: &Arc<Session>,
    to: Arc<Stream>,
    id: RequestId,
    call: crate::mcp::tools::Call,
    new_stream: impl FnOnce() -> Stream,
    running: &Arc<AtomicUsize>,
) -> Posted {
    let stream = Arc::new(new_stream());
    // Not kept for resuming (`false`): on this transport there is no resuming. Kept among the
    // running calls, so that `notifications/cancelled` finds it.
    session.start_call(id.clone(), Arc::clone(&stream), false);
    let job = Job {
        id,
        call,
        stream,
        session: Some(Arc::clone(session)),
        can_ask: false,
        step_delay: config.step_delay,
        answer_timeout: config.answer_timeout,
        running: Arc::clone(running),
    };
    Posted::Call {
        job: Box::new(job),
        to,
    }
}

/// Does `message` initialize at `version`?
fn asks_for(message: &Message, version: &str) -> bool {
    match message {
        Message::Request {
            method,
            params: Some(params),
            ..
        } if method == "initialize" => {
            params.get("protocolVersion").and_then(Value::as_str) == Some(version)
        }
        _ => false,
    }
}

/// An `InitializeResult` reply with another `protocolVersion`.
fn with_version(reply: Message, version: &str) -> Message {
    match reply {
        Message::Response { id, mut result } => {
            result["protocolVersion"] = json!(version);
            Message::Response { id, result }
        }
        other => other,
    }
}

/// Copy a call's log onto the session's stream, message by message, until its final response.
/// Blocks; `wait` is how often it looks whether the session's stream is still there.
///
/// The one place the two transports differ in what a call's messages go through: on Streamable
/// HTTP the call's log *is* its response; here it is copied onto the one stream, and when that
/// stream is gone there is nobody to send the rest to, so the call is stopped.
pub fn forward(call: &Stream, to: &Stream, wait: Duration) {
    let mut wanted = 1;
    loop {
        match call.next_after(wanted, call.cuts(), wait) {
            Next::Event { seq, line, last } => {
                if to.push(line, false).is_err() {
                    // The session ended (its connection broke): the result has nowhere to go.
                    call.stop(Stop::Abandoned);
                    return;
                }
                if last {
                    return;
                }
                wanted = seq + 1;
            }
            Next::Idle | Next::Cut => {
                if to.stopped().is_some() {
                    call.stop(Stop::Abandoned);
                    return;
                }
            }
            Next::Done | Next::Stopped(_) | Next::Evicted => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_endpoint_event_names_the_messages_uri_with_the_session_id() {
        let event = String::from_utf8(endpoint_event("abc")).unwrap();
        assert_eq!(event, "event: endpoint\ndata: /messages?sessionId=abc\n\n");
    }

    #[test]
    fn the_session_id_is_read_from_the_query_string() {
        assert_eq!(session_id_of("sessionId=abc"), Some("abc"));
        assert_eq!(session_id_of("x=1&sessionId=abc"), Some("abc"));
        assert_eq!(session_id_of("sessionId="), None);
        assert_eq!(session_id_of("session=abc"), None);
    }

    #[test]
    fn forward_copies_every_message_and_leaves_the_session_stream_open() {
        let (call, to) = (Stream::new(1, 16), Stream::new(2, 16));
        call.push("progress".into(), false).unwrap();
        call.push("result".into(), true).unwrap();
        forward(&call, &to, Duration::from_millis(10));
        let lines: Vec<Next> = (1..=2)
            .map(|n| to.next_after(n, 0, Duration::ZERO))
            .collect();
        assert!(matches!(&lines[0], Next::Event { line, last: false, .. } if line == "progress"));
        assert!(matches!(&lines[1], Next::Event { line, last: false, .. } if line == "result"));
        assert_eq!(to.next_after(3, 0, Duration::ZERO), Next::Idle);
    }

    #[test]
    fn forward_stops_the_call_when_the_session_stream_is_gone() {
        let (call, to) = (Stream::new(1, 16), Stream::new(2, 16));
        to.stop(Stop::Abandoned);
        call.push("progress".into(), false).unwrap();
        forward(&call, &to, Duration::from_millis(10));
        assert_eq!(call.stopped(), Some(Stop::Abandoned));
    }

    #[test]
    fn an_initialize_at_2024_11_05_is_answered_at_2024_11_05() {
        let request = crate::jsonrpc::parse(
            br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#,
        )
        .unwrap();
        assert!(asks_for(&request, HTTP_SSE_VERSION));
        let reply = Message::result(
            RequestId::Number(1),
            json!({"protocolVersion": "2025-11-25"}),
        );
        let Message::Response { result, .. } = with_version(reply, HTTP_SSE_VERSION) else {
            panic!("not a response")
        };
        assert_eq!(result["protocolVersion"], HTTP_SSE_VERSION);
    }
}
