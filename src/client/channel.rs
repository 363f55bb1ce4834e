//! The request loop: one request over Streamable HTTP, from its POST until its response, in any
//! framing, through every connection its stream takes, answering what the server asks meanwhile.
//!
//! Implements the client side of MCP 2025-11-25 `basic/transports`: §Sending Messages to the Server
//! (one POST per message, `Accept`, 202 for a notification or a response, JSON or an SSE stream
//! for a request), §Resumability and Redelivery (after a cut, wait the server's `retry`, then GET
//! with `Last-Event-ID`), §Session Management #2 and #5, §Protocol Version Header;
//! `basic/utilities/progress` (matched to our call by its token, in `incoming.rs`); and the
//! transport half of `client/elicitation` (the answer is a POST of its own, while the call's
//! stream stays open).
//! Not MCP: the tutorial's NDJSON framing and its `{"stream": "..."}` lines, shown as progress.
//!
//! Revision 2026-07-28 changes two things here: a broken stream is not resumed but the request
//! sent again with a new id (a modern server cancels a request whose stream closed), and a server
//! request on the stream is shown, not answered (a modern server asks in a result instead).
//!
//! Left out: several requests in flight, batches, cancelling our requests, and the session's own
//! GET stream. NDJSON and JSON have no event ids, so a cut there stays an error; so does a stall
//! (the server promised heartbeats: a reconnect would likely hang the same way). Between attempts
//! we wait the server's `retry`, with no backoff or jitter of our own.
//!
//! ```text
//!   POST ──▶ events… ──✂ cut (no response yet)
//!     ┌─▶ wait retry ──▶ GET, Last-Event-ID: <last id> ──▶ events… ──✂ cut ─┐
//!     └─────────────────────────────────────────────────────────────────────┘
//!   …until the response arrives (done), a 4xx (refused), or 5 tries in a row bring no new event.
//! ```

use super::elicitation::{ElicitRequest, ElicitationHandler};
use super::incoming::{Incoming, Pending};
use super::reader::{MessageReader, ResumePoint};
use super::transport::{HttpResponse, Transport};
use super::{ClientError, Options};
use crate::framing::Framing;
use crate::jsonrpc::{self, ErrorObject, Message, RequestId, INVALID_PARAMS, METHOD_NOT_FOUND};
use crate::wire::{HEADER_LAST_EVENT_ID, HEADER_PROTOCOL_VERSION, HEADER_SESSION_ID};
use crate::wire::{MIME_JSON, MIME_SSE};
use serde_json::Value;
use std::io::BufRead;
use std::thread;
use std::time::Duration;

/// Reconnections in a row that may bring no new event before the client gives up. One that
/// brings an event starts the count again: a stream cut after every event still gets through.
const MAX_ATTEMPTS_WITHOUT_PROGRESS: u32 = 5;
/// Most times one modern request is sent again after its stream broke before the response. The
/// tool may run each time (the server stopped it when the stream closed, but maybe not at once).
pub const MAX_REISSUES: u32 = 3;
/// The wait when the server never sent `retry:`. The SSE standard leaves it to the client; a
/// second is what browsers use, give or take.
const DEFAULT_RETRY: Duration = Duration::from_millis(1000);

/// Sees every JSON-RPC message received, as it arrived. `Send`, so a client can change threads.
pub type Trace = Box<dyn FnMut(&Value) + Send>;

/// The HTTP side of one session: what every request carries, and the loop that reads a response.
pub struct Channel {
    transport: Transport,
    framing: Framing,
    bearer_token: Option<String>,
    /// From the initialize response's `MCP-Session-Id`; `None` for a stateless server.
    pub session_id: Option<String>,
    /// The negotiated version (legacy), or 2026-07-28; `None` until one is known.
    pub protocol_version: Option<String>,
    /// Revision 2026-07-28: no stream is resumed (modern streams have no event ids to resume
    /// from), and no server request is answered (a modern server asks in a result instead).
    pub modern: bool,
    /// Ids only have to be unique among our requests in flight; a counter does that.
    next_id: i64,
    /// Where the last request's SSE stream stopped, and the reconnections that got a stream back.
    pub resume: ResumePoint,
    pub resumes: u64,
    pub last_framing: Option<Framing>,
    pub trace: Option<Trace>,
    pub elicitation: Option<ElicitationHandler>,
}

impl Channel {
    pub fn new(url: &str, options: &Options) -> Channel {
        Channel {
            transport: Transport::new(url, options),
            framing: options.framing,
            bearer_token: options.bearer_token.clone(),
            session_id: None,
            protocol_version: None,
            modern: false,
            next_id: 1,
            resume: ResumePoint::default(),
            resumes: 0,
            last_framing: None,
            trace: None,
            elicitation: None,
        }
    }

    /// Ids from 1 and nothing framed or resumed yet, after a probe that found a legacy server:
    /// the handshake then goes out exactly as it did before there was a probe.
    pub fn forget_the_probe(&mut self) {
        (self.next_id, self.resumes) = (1, 0);
        (self.resume, self.last_framing) = (ResumePoint::default(), None);
    }

    /// The headers of every request, from what the session knows so far.
    ///
    /// # Why not a ureq middleware that adds the session header?
    /// The session id would then live inside the HTTP agent, out of sight of the 404 rule that
    /// must drop it. As plain fields, the rule and the header are a screen apart.
    fn headers(&self, accept: &str) -> Vec<(String, String)> {
        let mut headers = vec![("Accept".to_string(), accept.to_string())];
        // SPEC transports#session-management 2: clients "MUST include it in the MCP-Session-Id header on all of their subsequent HTTP requests."
        if let Some(id) = &self.session_id {
            headers.push((HEADER_SESSION_ID.into(), id.clone()));
        }
        // SPEC transports#protocol-version-header: "the client MUST include the MCP-Protocol-Version: <protocol-version> HTTP header on all subsequent requests to the MCP server"
        if let Some(version) = &self.protocol_version {
            headers.push((HEADER_PROTOCOL_VERSION.into(), version.clone()));
        }
        if let Some(token) = &self.bearer_token {
            headers.push(("Authorization".into(), format!("Bearer {token}")));
        }
        headers
    }

    /// The `Accept` header of a POST, for the framing the caller asked for.
    fn accept(&self) -> &'static str {
        match self.framing {
            // SPEC transports#sending-messages 2: "The client MUST include an Accept header, listing both application/json and text/event-stream as supported content types."
            Framing::Sse => "application/json, text/event-stream",
            // Not MCP: our server's tutorial framing (a spec-only server, like the Python SDK's,
            // answers 406). With JSON listed, a reply with nothing to stream comes as JSON.
            Framing::Ndjson => "application/json, application/x-ndjson",
            // Not MCP either: with nowhere to put progress, the server sends the result alone.
            Framing::Json => MIME_JSON,
        }
    }

    /// An HTTP error status as an error. A 404 to a request that carried our session id means the
    /// server forgot the session: [`ClientError::SessionExpired`], which `mod.rs` answers.
    fn failure(&self, status: u16, body: &mut dyn BufRead) -> ClientError {
        match status {
            404 if self.session_id.is_some() => ClientError::SessionExpired,
            _ => ClientError::from_http(status, body),
        }
    }

    /// Send one request and read until its response: in the legacy era a cut SSE stream is resumed
    /// (`exchange`), in the modern era the request is sent again with a new id, at most
    /// [`MAX_REISSUES`] times. Returns the result and the HTTP response's `MCP-Session-Id` (for
    /// `initialize`). `extra_headers` are the request's own (a modern `Mcp-Method`, `Mcp-Name`…).
    pub fn request(
        &mut self,
        method: &str,
        params: Option<Value>,
        progress_token: Option<Value>,
        extra_headers: &[(String, String)],
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<(Value, Option<String>), ClientError> {
        let mut attempt = 0;
        loop {
            let (p, t) = (params.clone(), progress_token.clone());
            match self.exchange(method, p, t, extra_headers, on_event) {
                // SPEC streamable-http (2026-07-28) §Cancellation: "Closing the SSE response stream MUST be treated by the server as cancellation of that request" (nothing is left to resume: send it again, with a new id).
                Err(ClientError::StreamEnded { .. }) if self.modern && attempt < MAX_REISSUES => {
                    attempt += 1;
                    // The server's pacing, if its stream said (`retry:`), or the SSE default.
                    let waited = self
                        .resume
                        .retry_ms
                        .map_or(DEFAULT_RETRY, Duration::from_millis);
                    thread::sleep(waited);
                    on_event(&Incoming::Reissued { attempt, waited });
                }
                outcome => return outcome,
            }
        }
    }

    /// POST one request and read what comes back until the response, resuming its SSE stream as
    /// often as it is cut (legacy era only: modern streams have no event ids).
    fn exchange(
        &mut self,
        method: &str,
        params: Option<Value>,
        progress_token: Option<Value>,
        extra_headers: &[(String, String)],
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<(Value, Option<String>), ClientError> {
        let id = RequestId::Number(self.next_id);
        self.next_id += 1;
        let request = Message::Request {
            id: id.clone(),
            method: method.to_string(),
            params,
        };
        let mut headers = self.headers(self.accept());
        headers.extend_from_slice(extra_headers);
        let mut response = self
            .transport
            .post(&headers, request.to_line().as_bytes())?;
        let framing = match (response.status, response.framing) {
            (200 | 201, Some(framing)) => framing,
            (status @ 400..=599, _) => return Err(self.failure(status, &mut *response.body)),
            // 202 is for notifications and responses; a redirect or a 204 is no MCP response.
            _ => return Err(unexpected(method, &response, "a request needs a response")),
        };
        self.last_framing = Some(framing);
        let (mut position, stream_lines) = (ResumePoint::default(), 0);
        let mut pending = Pending {
            id,
            progress_token,
            stream_lines,
        };
        let body = &mut *response.body;
        let mut outcome = self.read(body, framing, &mut pending, &mut position, on_event);
        // Cut before the response, with an event id to come back to (only SSE has them): resume.
        let resumable = !self.modern && position.last_event_id.is_some();
        if let (Err(ClientError::StreamEnded { .. }), true) = (&outcome, resumable) {
            outcome = self.resume(&mut pending, &mut position, on_event);
        }
        self.resume = position;
        // We stop reading at the response. A server SHOULD end the stream there anyway; one that
        // does not is not waited for.
        Ok((outcome?, response.session_id.take()))
    }

    /// Read one body (a POST's response, or a resumed GET's stream) until our response arrives.
    /// Each message is handled the moment it is read: that is what makes progress live.
    fn read(
        &mut self,
        body: &mut dyn BufRead,
        framing: Framing,
        pending: &mut Pending,
        position: &mut ResumePoint,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<Value, ClientError> {
        let mut reader = MessageReader::new(body, framing, position);
        while let Some(value) = reader.next_message()? {
            // The reader has dropped repeats already, so the trace sees each message once.
            if let Some(trace) = &mut self.trace {
                trace(&value);
            }
            if let Some(progress) = pending.stream_line(&value) {
                on_event(&progress);
                continue;
            }
            let invalid =
                |e| ClientError::Protocol(format!("invalid JSON-RPC from the server: {e}"));
            match jsonrpc::classify(value).map_err(invalid)? {
                Message::Response { id, result } if id == pending.id => return Ok(result),
                // An error with a null id is about a request the server could not read: on this
                // request's own stream, that can only be ours.
                Message::Error { id, error } if id.is_none() || id == Some(pending.id.clone()) => {
                    return Err(ClientError::JsonRpc(Box::new(error)))
                }
                // A response to some other request: nothing to do with us.
                Message::Response { .. } | Message::Error { .. } => {}
                Message::Notification { method, params } => {
                    on_event(&pending.notification(method, params));
                }
                Message::Request { id, method, params } => {
                    let (m, p) = (method.clone(), params.clone());
                    on_event(&Incoming::Request {
                        id: id.clone(),
                        method: m,
                        params: p,
                    });
                    // A modern server has no session to take an answer in: it is shown, and
                    // the call goes on (its result will ask, if the server needs to know).
                    if !self.modern {
                        self.answer_server(id, &method, params.as_ref())?;
                    }
                }
            }
        }
        Err(reader.ended())
    }

    /// Answer a server-to-client request with a POST of its own, while the stream that carried
    /// it stays open (the server waits for this answer before it can go on).
    fn answer_server(
        &mut self,
        id: RequestId,
        method: &str,
        params: Option<&Value>,
    ) -> Result<(), ClientError> {
        let answer = match (method, self.elicitation.as_mut()) {
            ("elicitation/create", Some(handler)) => match ElicitRequest::from_params(params) {
                Ok(question) => Message::result(id, handler(&question).to_result()),
                Err(why) => Message::error(Some(id), ErrorObject::new(INVALID_PARAMS, why)),
            },
            // Without a handler we never declared `elicitation`, and we declare nothing else: a
            // server should not have asked, and the honest answer is "no such method here".
            _ => {
                let why = format!("Method not found: this client does not offer {method}");
                Message::error(Some(id), ErrorObject::new(METHOD_NOT_FOUND, why))
            }
        };
        self.send(&answer)
    }

    /// POST a notification or a response: the server accepts it with 202 and sends nothing back.
    pub fn send(&mut self, message: &Message) -> Result<(), ClientError> {
        let headers = self.headers(self.accept());
        let mut response = self
            .transport
            .post(&headers, message.to_line().as_bytes())?;
        match response.status {
            // SPEC transports#sending-messages 4: "If the server accepts the input, the server MUST return HTTP status code 202 Accepted with no body."
            // (Another 2xx breaks that rule, but the message was taken; refusing helps nobody.)
            200..=299 => Ok(()),
            status => Err(self.failure(status, &mut *response.body)),
        }
    }

    /// Reconnect to a cut stream (`position.last_event_id` is set), as often as it is cut, until
    /// its response arrives; [`ClientError::ResumeFailed`] when that cannot be.
    fn resume(
        &mut self,
        pending: &mut Pending,
        position: &mut ResumePoint,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<Value, ClientError> {
        let mut fruitless = 0; // attempts in a row that brought no new event
        loop {
            let last_event_id = position.last_event_id.clone().unwrap_or_default();
            let failed = |cause| {
                let (last_event_id, cause) = (last_event_id.clone(), Box::new(cause));
                Err(ClientError::ResumeFailed {
                    last_event_id,
                    cause,
                })
            };
            // Read again each time: any connection may bring a new `retry`.
            let waited = position
                .retry_ms
                .map_or(DEFAULT_RETRY, Duration::from_millis);
            // SPEC transports#sending-messages 6: "The client MUST respect the retry field, waiting the given number of milliseconds before attempting to reconnect."
            thread::sleep(waited);
            let mut headers = self.headers(MIME_SSE);
            // SPEC transports#resumability: "If the client wishes to resume after a broken connection, it SHOULD issue an HTTP GET to the MCP endpoint, and include the Last-Event-ID header to indicate the last event ID it received."
            headers.push((HEADER_LAST_EVENT_ID.into(), last_event_id.clone()));
            let cause = match self.transport.get(&headers) {
                // No answer at all: the server may be restarting. That is what the waiting is for.
                Err(e) => e,
                Ok(mut response) => match (response.status, response.framing) {
                    (200 | 201, Some(Framing::Sse)) => {
                        self.resumes += 1;
                        let id = last_event_id.clone();
                        on_event(&Incoming::Resumed {
                            last_event_id: id,
                            waited,
                        });
                        let body = &mut *response.body;
                        match self.read(body, Framing::Sse, pending, position, on_event) {
                            Err(cut @ ClientError::StreamEnded { .. }) => cut,
                            outcome => return outcome,
                        }
                    }
                    // A 5xx is the server's trouble, not our stream's: later may work.
                    (status @ 500..=599, _) => ClientError::from_http(status, &mut *response.body),
                    // A 404 with a session: `mod.rs` starts a new one and sends the request again
                    // (so the tool may run twice). Any other 4xx is a "no" about this stream
                    // (ours: 400, its events are gone), and asking again would not change it.
                    (status @ 400..=499, _) => match self.failure(status, &mut *response.body) {
                        ClientError::SessionExpired => return Err(ClientError::SessionExpired),
                        refusal => return failed(refusal),
                    },
                    _ => return Err(unexpected("a resuming GET", &response, "expected SSE")),
                },
            };
            // Progress is a new event id: the next GET starts later than this one did.
            let moved = position.last_event_id.as_ref() != Some(&last_event_id);
            fruitless = if moved { 0 } else { fruitless + 1 };
            if fruitless == MAX_ATTEMPTS_WITHOUT_PROGRESS {
                return failed(cause);
            }
        }
    }

    pub fn delete(&self) -> Result<(), ClientError> {
        if self.session_id.is_none() {
            return Ok(()); // a stateless server: there is no session to end
        }
        // SPEC transports#session-management 5: clients "SHOULD send an HTTP DELETE to the MCP endpoint with the MCP-Session-Id header, to explicitly terminate the session."
        let mut response = self.transport.delete(&self.headers(self.accept()))?;
        match response.status {
            // SPEC transports#session-management 5: "The server MAY respond to this request with HTTP 405 Method Not Allowed"
            // And a 404 says the session is gone already: what we wanted anyway.
            200..=299 | 404 | 405 => Ok(()),
            status => Err(ClientError::from_http(status, &mut *response.body)),
        }
    }
}

/// The error for a response that is neither what we asked for nor an HTTP error.
fn unexpected(what: &str, response: &HttpResponse, expected: &str) -> ClientError {
    let (status, content_type) = (response.status, response.content_type.as_deref());
    let content_type = content_type.unwrap_or("(none)");
    let why = format!("{what}: HTTP {status}, Content-Type {content_type:?}; {expected}");
    ClientError::Protocol(why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc::PARSE_ERROR;
    use serde_json::json;

    const MS: Duration = Duration::from_millis(1);

    fn pending() -> Pending {
        Pending {
            id: RequestId::Number(5),
            progress_token: Some(json!("call-5")),
            stream_lines: 0,
        }
    }

    /// Read `ndjson` as the answer to request 5; also returns what `on_event` saw. Nothing listens
    /// at the URL, so answering a server request fails (with `Connect`) and ends the read.
    fn read(ndjson: &str) -> (Result<Value, ClientError>, Vec<Incoming>) {
        let mut channel = Channel::new("http://127.0.0.1:1/mcp", &Options::default());
        let mut events = Vec::new();
        let mut body = ndjson.as_bytes();
        let mut on_event = |e: &Incoming| events.push(e.clone());
        let position = &mut ResumePoint::default();
        let outcome = channel.read(
            &mut body,
            Framing::Ndjson,
            &mut pending(),
            position,
            &mut on_event,
        );
        (outcome, events)
    }

    #[test]
    fn accept_header_names_the_framing_asked_for() {
        let mut channel = Channel::new("http://127.0.0.1:1/mcp", &Options::default());
        assert_eq!(channel.accept(), "application/json, text/event-stream");
        channel.framing = Framing::Ndjson;
        assert!(channel.accept().contains("application/x-ndjson"));
        channel.framing = Framing::Json;
        assert_eq!(channel.accept(), "application/json");
    }

    #[test]
    fn only_the_response_with_our_id_ends_the_call() {
        let other_then_ours = "{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{}}\n\
                               {\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"ok\":true}}\n";
        assert_eq!(read(other_then_ours).0, Ok(json!({"ok": true})));
        let err = "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}\n";
        assert!(matches!(read(err).0, Err(ClientError::JsonRpc(e)) if e.code == PARSE_ERROR));
    }

    #[test]
    fn server_requests_are_events_and_garbage_is_a_protocol_error() {
        let req =
            "{\"jsonrpc\":\"2.0\",\"id\":\"s1\",\"method\":\"elicitation/create\",\"params\":{}}\n";
        let (outcome, events) = read(req);
        assert!(
            matches!(events[..], [Incoming::Request { .. }]),
            "{events:?}"
        );
        assert!(
            matches!(outcome, Err(ClientError::Connect(_))),
            "{outcome:?}"
        );
        assert!(matches!(
            read("{\"hello\": 1}\n").0,
            Err(ClientError::Protocol(_))
        ));
    }

    /// Nothing listens at the URL, so every GET fails: five attempts in a row, each after the
    /// server's `retry`, then the typed error with the last failure inside. (That an attempt
    /// which brought events starts the count again, `tests/client/resume.rs` shows end to end.)
    #[test]
    fn the_servers_retry_is_waited_and_fruitless_attempts_are_bounded() {
        let mut channel = Channel::new("http://127.0.0.1:1/mcp", &Options::default());
        let mut position = ResumePoint::default();
        position.last_event_id = Some("7-1".into());
        position.retry_ms = Some(30);
        let started = std::time::Instant::now();
        let outcome = channel.resume(&mut pending(), &mut position, &mut |_| {});
        assert!(started.elapsed() >= 5 * 30 * MS, "{:?}", started.elapsed());
        let Err(ClientError::ResumeFailed {
            last_event_id,
            cause,
        }) = outcome
        else {
            panic!("{outcome:?}")
        };
        assert_eq!(last_event_id, "7-1");
        assert!(matches!(*cause, ClientError::Connect(_)), "{cause:?}");
        assert_eq!(channel.resumes, 0);
    }
}
