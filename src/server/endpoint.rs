//! The MCP endpoint's rules, without sockets: what a POST, GET or DELETE to `/mcp` means.
//!
//! Implements MCP 2025-11-25 `basic/transports` §Streamable HTTP: §Sending Messages to the Server
//! (202 for notifications and responses, JSON or SSE for requests), §Session Management (session id
//! minted at initialize, 400 without it, 404 when unknown, DELETE), §Protocol Version Header
//! (unsupported means 400), §Listening for Messages from the Server (through `get_stream.rs`) and
//! §Security Warning (through `security.rs`).
//!
//! **One entry point owns every rule**: [`Endpoint::handle`] takes a request's head and a reader
//! of its body, and gives back an [`Action`]: a whole response (every refusal is one), or a stream
//! to start. The socket side calls it once per request and does what it says; it decides nothing
//! but the in-flight cap's 503, which comes before a thread is given to the request.
//! Everything here can be tested with plain values.
//!
//! Revision 2026-07-28 is routed here too, before any session is looked up (`era.rs` decides,
//! `modern.rs` holds its rules). Left out: resumable streams for NDJSON and JSON (they have no
//! event ids).
//!
//! # Why one entry point?
//! Rules depend on each other's order: the path before the token (a 404 should not ask for
//! credentials), the token before the body is read (an unauthenticated client gets nothing read),
//! the length before the body, the body before the session (initialize has none). With one
//! function the order is the code, top to bottom; with the socket side calling back and forth it
//! was spread over two files.

use crate::framing::Framing;
use crate::jsonrpc::{self, Message, RequestId};
use crate::mcp::dispatch::{dispatch, Outcome};
use crate::mcp::tools::{Call, Stop};
use crate::server::accept;
use crate::server::action::Action;
use crate::server::config::Config;
use crate::server::era::Era;
use crate::server::get_stream::GetStream;
use crate::server::home_page::HOME_PATH;
use crate::server::http_sse;
use crate::server::modern;
use crate::server::pump::Plan;
use crate::server::rejection::Rejection;
use crate::server::request::{read_body, BodyLength, HttpVersion, RequestHead};
use crate::server::request_log::MessageFacts;
use crate::server::request_state::StateKey;
use crate::server::response::Whole;
use crate::server::security::{is_loopback_host, Policy};
use crate::server::session::Session;
use crate::server::session_store::{CreateError, SessionStore};
use crate::server::stream::Stream;
use crate::server::worker::Job;
use crate::wire::{is_supported_version, HEADER_SESSION_ID, MAX_BODY_BYTES, MCP_PATH, MIME_JSON};
use std::io::Read;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// The endpoint's shared state: settings, security policy and sessions.
#[derive(Debug)]
pub struct Endpoint {
    pub config: Config,
    policy: Policy,
    /// `None` with `--stateless`.
    sessions: Option<SessionStore>,
    /// Stream ids are unique in the server, so an event id `<stream>-<seq>` is too.
    next_stream_id: AtomicU64,
    /// Signs 2026-07-28 `requestState`s.
    state_key: StateKey,
    running_calls: Arc<AtomicUsize>,
}

impl Endpoint {
    pub fn new(config: Config) -> Endpoint {
        let policy = Policy {
            loopback_only: is_loopback_host(&config.host),
            allowed_origins: config.allowed_origins.clone(),
            auth_token: config.auth_token.clone(),
        };
        let sessions = (!config.stateless).then(|| {
            SessionStore::new(config.session_idle_timeout, config.stream_grace)
                .with_max_sessions(config.max_sessions)
                .with_id_prefix(&config.session_id_prefix)
        });
        // A random key when none is configured: a state then only comes back to this instance.
        let state_key = StateKey::new(config.state_key.as_deref())
            .expect("the OS random source answers at start");
        Endpoint {
            config,
            policy,
            sessions,
            next_stream_id: AtomicU64::new(1),
            state_key,
            running_calls: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// One request in, what to do about it out. `body` is read only once the head passed every
    /// check that needs no body, and never beyond the cap.
    // ANCHOR: handle
    pub fn handle(&self, head: &RequestHead, body: &mut dyn Read) -> Action {
        // Set once the body parsed, so that a refusal after that names the request it refuses;
        // `seen` is what the request log (`--log-requests`) says of the message.
        let (mut request_id, mut seen) = (None, None);
        match (
            self.decide(head, body, &mut request_id, &mut seen),
            self.config.log_requests,
        ) {
            (Ok(action), false) => action,
            (Err(refusal), false) => Action::Send(refusal.to_response(request_id)),
            (Ok(action), true) => action.logged(head, seen, None),
            (Err(refusal), true) => {
                let code = refusal.to_error_object().code;
                let action = Action::Send(refusal.to_response(request_id));
                action.logged(head, seen, Some(code))
            }
        }
    }

    fn decide(
        &self,
        head: &RequestHead,
        body: &mut dyn Read,
        request_id: &mut Option<RequestId>,
        seen: &mut Option<MessageFacts>,
    ) -> Result<Action, Rejection> {
        // The page at `/`, when the binary gave one, has rules of its own (no token): home_page.rs.
        if let Some(page) = self
            .config
            .home_page
            .as_ref()
            .filter(|_| head.path == HOME_PATH)
        {
            return page.answer(head, &self.policy).map(Action::Send);
        }
        self.admit(head)?;
        // Whatever the method: a declared body over the cap is refused before a byte is read.
        if matches!(head.body, BodyLength::Declared(n) if n > MAX_BODY_BYTES) {
            return Err(Rejection::PayloadTooLarge);
        }
        if self.serves_http_sse(head) {
            return self.http_sse(head, body, request_id, seen);
        }
        match head.method.as_str() {
            "POST" => {
                check_post_head(head)?;
                let message = self.read_message(head, body, request_id, seen)?;
                // The era router: after the body (so that a refusal can name the request), before
                // any session is looked up (the modern era has none).
                match Era::of(head) {
                    Era::Legacy => self.post(head, message),
                    Era::Modern => modern::post(
                        &self.config,
                        head,
                        message,
                        &self.running_calls,
                        &self.state_key,
                    ),
                }
            }
            // SPEC streamable-http (2026-07-28) §Security & Endpoint: the modern endpoint "supports POST"; a GET or DELETE there has nothing to reach.
            _ if Era::of(head) == Era::Modern => Err(Rejection::MethodNotAllowed("POST")),
            "DELETE" => self.delete(head).map(|()| Action::Send(Whole::empty(200))),
            _ => self.get(head).map(Action::StreamGet),
        }
    }
    // ANCHOR_END: handle

    /// Checks every request passes before anything else: path, host, security, method.
    ///
    /// # Errors
    /// 404 for another path, 400 without `Host` or with two lengths, 403 for a bad
    /// `Origin`/`Host`, 401 without the token, 405 for a method the endpoint does not offer.
    fn admit(&self, head: &RequestHead) -> Result<(), Rejection> {
        // HTTP's own syntax first: a message we cannot trust the framing of is answered as such,
        // whatever its path.
        head.check_message()?;
        if head.path != MCP_PATH && !self.serves_http_sse(head) {
            return Err(Rejection::NotFound);
        }
        // Two different lengths mean two readings of where the body ends: request smuggling.
        // RFC 9112 §6.3: a message with differing Content-Length values is "unrecoverable", 400.
        head.single_header("content-length")?;
        // Two different Origins or tokens on one request: refused, not "the first one wins" (a
        // proxy that adds its own would otherwise decide what we check).
        let (origin, token) = (
            head.single_header("origin")?,
            head.single_header("authorization")?,
        );
        self.policy
            .check_origin_and_host(head.header("host"), origin)?;
        self.policy.check_token(token)?;
        // RFC 9110 §15.5.6: a 405's `Allow` lists the methods *this target* supports.
        let allow = match head.path.as_str() {
            MCP_PATH => "GET, POST, DELETE",
            http_sse::SSE_PATH => "GET",
            _ => "POST",
        };
        match head.method.as_str() {
            "POST" | "GET" | "DELETE" => Ok(()),
            _ => Err(Rejection::MethodNotAllowed(allow)),
        }
    }

    /// Is this a request for revision 2024-11-05's transport (`--http-sse`)?
    fn serves_http_sse(&self, head: &RequestHead) -> bool {
        self.config.http_sse && http_sse::serves(&head.path)
    }

    /// A POST's body, read under the cap and parsed as one JSON-RPC message. From here on a
    /// refusal can name the request (`request_id`), and the request log knows what came (`seen`).
    /// Both transports' POSTs come through here.
    ///
    /// # Errors
    /// The body's refusals ([`read_body`]), and -32700/-32600 when it is not one message.
    fn read_message(
        &self,
        head: &RequestHead,
        body: &mut dyn Read,
        request_id: &mut Option<RequestId>,
        seen: &mut Option<MessageFacts>,
    ) -> Result<Message, Rejection> {
        let bytes = read_body(head, body)?;
        let message = jsonrpc::parse(&bytes).map_err(Rejection::BadMessage)?;
        if let Message::Request { id, .. } = &message {
            *request_id = Some(id.clone());
        }
        if self.config.log_requests {
            *seen = Some(MessageFacts::of(&message));
        }
        Ok(message)
    }

    /// 2024-11-05's `GET /sse` and `POST /messages`, once [`Endpoint::admit`] passed them: the
    /// same Origin, Host, token and body-length rules as `/mcp`.
    ///
    /// # Errors
    /// 405 for another method; the refusals of [`http_sse::open`] and [`http_sse::post`].
    fn http_sse(
        &self,
        head: &RequestHead,
        body: &mut dyn Read,
        request_id: &mut Option<RequestId>,
        seen: &mut Option<MessageFacts>,
    ) -> Result<Action, Rejection> {
        // `--http-sse` refuses to start with `--stateless`, so a store is always there.
        let Some(store) = &self.sessions else {
            return Err(Rejection::NotFound);
        };
        match (head.path.as_str(), head.method.as_str()) {
            (http_sse::SSE_PATH, "GET") => {
                http_sse::open(store, || self.new_stream()).map(Action::OpenSseSession)
            }
            (http_sse::SSE_PATH, _) => Err(Rejection::MethodNotAllowed("GET")),
            (_, "POST") => {
                http_sse::check_post_head(head)?;
                let message = self.read_message(head, body, request_id, seen)?;
                let posted = http_sse::post(
                    store,
                    &self.config,
                    head,
                    message,
                    || self.new_stream(),
                    &self.running_calls,
                )?;
                Ok(match posted {
                    http_sse::Posted::Accepted => Action::Send(Whole::empty(202)),
                    http_sse::Posted::Call { job, to } => Action::AcceptCall { job: *job, to },
                })
            }
            _ => Err(Rejection::MethodNotAllowed("POST")),
        }
    }

    /// End a session now (2024-11-05: its one stream's connection ended).
    pub fn end_session(&self, id: &str) {
        if let Some(store) = &self.sessions {
            store.remove(id);
        }
    }

    /// One POSTed message: what to answer.
    ///
    /// # Errors
    /// Every refusal of §Sending Messages and §Session Management, as a [`Rejection`].
    fn post(&self, head: &RequestHead, message: Message) -> Result<Action, Rejection> {
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
            running: Arc::clone(&self.running_calls),
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
    fn get(&self, head: &RequestHead) -> Result<GetStream, Rejection> {
        let Some(store) = &self.sessions else {
            return Err(Rejection::MethodNotAllowed("POST"));
        };
        if !accept::allows_sse(head.accept().as_deref()) {
            return Err(Rejection::GetNotAcceptable);
        }
        let session = find_session(store, head)?;
        let last_event_id = head.single_header("last-event-id")?;
        GetStream::open(&session, last_event_id, &self.config, || self.new_stream())
    }

    /// `DELETE /mcp`: end the session.
    ///
    /// # Errors
    /// 405 when stateless (there is nothing to end), 400 without a session id, 404 when unknown.
    fn delete(&self, head: &RequestHead) -> Result<(), Rejection> {
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
        let id = self.next_stream_id.fetch_add(1, Ordering::Relaxed);
        Stream::new(id, self.config.max_stream_events)
    }

    /// Tool calls whose worker is still running (for tests and the benchmark).
    pub fn running_calls(&self) -> usize {
        self.running_calls.load(Ordering::SeqCst)
    }

    /// Sessions alive now (for tests and the benchmark).
    pub fn session_count(&self) -> usize {
        self.sessions.as_ref().map_or(0, SessionStore::len)
    }
}

/// 202 Accepted, no body: what a notification or a response gets.
fn accepted() -> Action {
    Action::Send(Whole::empty(202))
}

/// Checks of a POST's headers, before its body is read.
///
/// # Errors
/// 415 when the body is not declared as JSON, 406 when `Accept` allows nothing we produce.
fn check_post_head(head: &RequestHead) -> Result<(), Rejection> {
    let content_type = head.header("content-type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case(MIME_JSON) {
        return Err(Rejection::UnsupportedMediaType);
    }
    if !accept::acceptable(head.accept().as_deref()) {
        return Err(Rejection::NotAcceptable);
    }
    Ok(())
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
