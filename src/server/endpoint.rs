//! The MCP endpoint's one entry point, without sockets: what any request to the server means.
//!
//! Implements the checks every request passes, in MCP 2025-11-25 `basic/transports` §Streamable
//! HTTP and 2026-07-28 `basic/transports/streamable-http`: the path, HTTP's own framing, the body's
//! cap, §Security Warning (`Origin`, `Host`, the token, through `security.rs`), a POST's
//! `Content-Type` and `Accept`; then it routes the request: to the page (`home_page.rs`), to
//! 2024-11-05's HTTP+SSE (`http_sse.rs`), or by era (`era.rs`) to 2025-11-25's rules
//! (`legacy.rs`: sessions, streams, DELETE) or 2026-07-28's (`modern.rs`).
//!
//! **One entry point owns every rule**: [`Endpoint::handle`] takes a request's head and a reader
//! of its body, and gives back an [`Action`]: a whole response (every refusal is one), or a stream
//! to start. The socket side calls it once per request and does what it says; it decides nothing
//! but the in-flight cap's 503, which comes before a thread is given to the request.
//! Everything here can be tested with plain values.
//!
//! Left out here: every rule of a method or a session (in the era files).
//!
//! # Why one entry point?
//! Rules depend on each other's order: the path before the token (a 404 should not ask for
//! credentials), the token before the body is read (an unauthenticated client gets nothing read),
//! the length before the body, the body before the session (initialize has none). With one
//! function the order is the code, top to bottom; with the socket side calling back and forth it
//! was spread over two files.

use crate::jsonrpc::{self, Message, RequestId};
use crate::server::accept;
use crate::server::action::Action;
use crate::server::config::Config;
use crate::server::era::Era;
use crate::server::home_page::HOME_PATH;
use crate::server::http_sse;
use crate::server::legacy::Legacy;
use crate::server::modern;
use crate::server::rejection::Rejection;
use crate::server::request::{read_body, BodyLength, RequestHead};
use crate::server::request_log::MessageFacts;
use crate::server::request_state::StateKey;
use crate::server::response::Whole;
use crate::server::security::{is_loopback_host, Policy};
use crate::server::session_store::SessionStore;
use crate::server::stream::Stream;
use crate::wire::{MAX_BODY_BYTES, MCP_PATH, MIME_JSON};
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
                    Era::Legacy => self.legacy().post(head, message),
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
            "DELETE" => self
                .legacy()
                .delete(head)
                .map(|()| Action::Send(Whole::empty(200))),
            _ => self.legacy().get(head).map(Action::StreamGet),
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

    /// What the legacy rules (`legacy.rs`) need of this endpoint.
    fn legacy(&self) -> Legacy<'_> {
        Legacy {
            config: &self.config,
            sessions: self.sessions.as_ref(),
            stream_ids: &self.next_stream_id,
            running_calls: &self.running_calls,
        }
    }

    /// End a session now (2024-11-05: its one stream's connection ended).
    pub fn end_session(&self, id: &str) {
        if let Some(store) = &self.sessions {
            store.remove(id);
        }
    }

    fn new_stream(&self) -> Stream {
        Stream::next(&self.next_stream_id, self.config.max_stream_events)
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
