//! The MCP endpoint's rules, without sockets: what a POST, GET or DELETE to `/mcp` means.
//!
//! Implements MCP 2025-11-25 `basic/transports` §Streamable HTTP: §Sending Messages to the Server
//! (202 for notifications and responses, JSON or SSE for requests), §Session Management (session id
//! minted at initialize, 400 without it, 404 when unknown, DELETE), §Protocol Version Header (missing
//! means 2025-03-26, unsupported means 400) and §Security Warning (through `security`).
//!
//! The HTTP module turns a tiny_http request into a [`RequestHead`] and a body, asks this module
//! what to do, and does it. Everything here can be tested with plain values.
//!
//! GET (the server-to-client stream, and resuming with `Last-Event-ID`) is in `listen.rs`.

use crate::config::Config;
use crate::dispatch::{dispatch, Outcome};
use crate::framing::{self, Framing};
use crate::jsonrpc::{self, Message};
use crate::rejection::Rejection;
use crate::security::{is_loopback_host, Policy};
use crate::session::{Session, SessionStore};
use crate::stream::{Stop, Stream};
use crate::wire::{is_supported_version, MCP_PATH, MIME_JSON};
use crate::worker::Job;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The parts of an HTTP request the rules look at.
#[derive(Debug, Clone, Default)]
pub struct RequestHead {
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// An HTTP/1.0 client cannot read a chunked stream, so it gets one JSON object.
    pub http_1_0: bool,
    pub headers: Vec<(String, String)>,
}

impl RequestHead {
    /// The first value of a header; names are compared case-insensitively, as HTTP says.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `Accept`, with repeated lines combined: RFC 9110 §5.3 says a list-valued field sent on several
    /// lines means the same as one line with the values joined by commas.
    pub fn accept(&self) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("accept"))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// A header that must not appear twice with different values (a session id, a version).
    pub(crate) fn single_header(&self, name: &str) -> Result<Option<&str>, Rejection> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        let first = values.next().map(|(_, v)| v.as_str());
        if values.any(|(_, v)| Some(v.as_str()) != first) {
            return Err(Rejection::BadRequest(format!("conflicting {name} headers")));
        }
        Ok(first)
    }
}

/// What the HTTP module must send for a POST.
#[derive(Debug)]
pub enum Reply {
    /// 202 Accepted, no body.
    Accepted,
    /// One message, framed as the client asked; `session_id` is set on the initialize response.
    Message {
        framing: Framing,
        message: Message,
        session_id: Option<String>,
    },
    /// A tool call: start `job` on its own thread and stream `job.stream` to the client.
    Stream {
        framing: Framing,
        job: Job,
        plan: Plan,
    },
}

/// How a connection reads a stream.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// The first sequence number to send (1 for a new stream, after `Last-Event-ID` otherwise).
    pub from: u64,
    /// Send a priming event (event id, empty data, `retry`) first: SSE with a session at 2025-11-25.
    pub priming: Option<Duration>,
    /// The client can come back for the rest, so a lost connection must not stop the producer.
    pub resumable: bool,
    /// End the response after this many events (`--drop-stream-after`).
    pub cut_after: Option<usize>,
    /// The stream's [`Stream::cuts`] when this connection attached; only later cuts end it.
    /// Taken before the producer starts, so that a cut it makes at once is not missed.
    pub cuts_seen: u64,
}

/// The endpoint's shared state: settings, security policy and sessions.
#[derive(Debug)]
pub struct Endpoint {
    pub config: Config,
    policy: Policy,
    /// `None` with `--stateless`.
    pub(crate) sessions: Option<SessionStore>,
    pub(crate) next_stream_id: AtomicU64,
    running_calls: Arc<AtomicUsize>,
}

impl Endpoint {
    pub fn new(config: Config) -> Endpoint {
        let policy = Policy {
            loopback_only: is_loopback_host(&config.host),
            allowed_origins: config.allowed_origins.clone(),
            auth_token: config.auth_token.clone(),
        };
        // LAB: lab 6 (cap the sessions): the session store is made here, from the config.
        let sessions = (!config.stateless)
            .then(|| SessionStore::new(config.session_idle_timeout, config.stream_grace));
        Endpoint {
            config,
            policy,
            sessions,
            next_stream_id: AtomicU64::new(1),
            running_calls: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// Checks every request passes before anything else: path, security, method.
    ///
    /// # Errors
    /// 404 for another path, 403 for a bad `Origin`/`Host`, 401 without the token, 405 for a
    /// method the endpoint does not offer.
    pub fn admit(&self, head: &RequestHead) -> Result<(), Rejection> {
        if head.path != MCP_PATH {
            return Err(Rejection::NotFound);
        }
        // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message that lacks a Host header field"
        if !head.http_1_0 && head.header("host").is_none() {
            return Err(Rejection::BadRequest(
                "an HTTP/1.1 request needs a Host header".into(),
            ));
        }
        // Two different lengths mean two readings of where the body ends: request smuggling.
        // RFC 9112 §6.3: a message with differing Content-Length values is "unrecoverable", 400.
        head.single_header("content-length")?;
        self.policy
            .check_origin_and_host(head.header("host"), head.header("origin"))?;
        self.policy.check_token(head.header("authorization"))?;
        match head.method.as_str() {
            "POST" | "GET" | "DELETE" => Ok(()),
            _ => Err(Rejection::MethodNotAllowed("GET, POST, DELETE")),
        }
    }

    /// Checks of a POST's headers, before its body is read.
    ///
    /// # Errors
    /// 415 when the body is not declared as JSON, 406 when `Accept` allows nothing we produce.
    pub fn check_post_head(&self, head: &RequestHead) -> Result<(), Rejection> {
        let content_type = head.header("content-type").unwrap_or("");
        let media = content_type.split(';').next().unwrap_or("").trim();
        if !media.eq_ignore_ascii_case(MIME_JSON) {
            return Err(Rejection::UnsupportedMediaType);
        }
        if !framing::acceptable(head.accept().as_deref()) {
            return Err(Rejection::NotAcceptable);
        }
        Ok(())
    }

    /// One POSTed message: what to answer.
    ///
    /// # Errors
    /// Every refusal of §Sending Messages and §Session Management, as a [`Rejection`].
    pub fn post(&self, head: &RequestHead, body: &[u8]) -> Result<Reply, Rejection> {
        // ANCHOR: post_rules
        let message = jsonrpc::parse(body).map_err(Rejection::BadMessage)?;
        // SPEC transports#protocol-version-header: "If the server receives a request with an invalid or unsupported MCP-Protocol-Version, it MUST respond with 400 Bad Request."
        // Any supported value is accepted, even one that differs from the negotiated version: the
        // conformance suite sends 2025-03-26 inside 2025-11-25 sessions.
        if let Some(v) = head.single_header("mcp-protocol-version")? {
            if !is_supported_version(v) {
                return Err(Rejection::UnsupportedProtocolVersion(v.to_string()));
            }
        }
        let is_initialize =
            matches!(&message, Message::Request { method, .. } if method == "initialize");
        let session = match &self.sessions {
            Some(store) if !is_initialize => Some(self.find_session(store, head)?),
            // Initialize starts a new session even if an old id came along: a client whose session
            // got a 404 must re-initialize, and refusing would help nobody.
            _ => None,
        };
        // An HTTP/1.0 client cannot read chunked streams: it gets one JSON object.
        let accept = if head.http_1_0 {
            Some(MIME_JSON.to_string())
        } else {
            head.accept()
        };
        let accept = accept.as_deref();

        // ANCHOR_END: post_rules
        match dispatch(message, self.config.catalog, self.config.page_size) {
            // SPEC transports#sending-messages 4: "If the server accepts the input, the server MUST return HTTP status code 202 Accepted with no body."
            Outcome::Accepted => Ok(Reply::Accepted),
            // LAB: lab 1 (the handshake by hand): notifications/initialized is answered here: 202, no body.
            Outcome::Initialized => {
                if let Some(s) = &session {
                    s.mark_initialized();
                }
                Ok(Reply::Accepted)
            }
            Outcome::Cancel(id) => {
                if let Some(stream) = session.as_ref().and_then(|s| s.call(&id)) {
                    stream.stop(Stop::Cancelled);
                }
                Ok(Reply::Accepted)
            }
            Outcome::Reply(message) => {
                let framing = self.reply_framing(accept)?;
                Ok(Reply::Message {
                    framing,
                    message,
                    session_id: None,
                })
            }
            Outcome::Initialize {
                reply,
                protocol_version,
                capabilities,
            } => {
                let framing = self.reply_framing(accept)?;
                // SPEC transports#session-management: "A server using the Streamable HTTP transport MAY assign a session ID at initialization time, by including it in an MCP-Session-Id header on the HTTP response containing the InitializeResult."
                // LAB: lab 6 (cap the sessions): initialize creates the session here; beyond the limit, refuse.
                let session_id = match &self.sessions {
                    Some(store) => Some(
                        store
                            .create(protocol_version, capabilities)
                            .map_err(|e| {
                                Rejection::BadRequest(format!("no session could be made: {e}"))
                            })?
                            .id
                            .clone(),
                    ),
                    None => None,
                };
                Ok(Reply::Message {
                    framing,
                    message: reply,
                    session_id,
                })
            }
            // ANCHOR: start_call
            Outcome::Call { id, call } => {
                let framing = framing::choose(accept, true).ok_or(Rejection::NotAcceptable)?;
                let stream_id = self.next_stream_id.fetch_add(1, Ordering::Relaxed);
                let stream = Arc::new(Stream::new(stream_id, self.config.max_stream_events));
                // Only SSE has event ids, so only an SSE stream of a session can be resumed.
                let resumable = framing == Framing::Sse && session.is_some();
                if let Some(s) = &session {
                    s.start_call(id.clone(), Arc::clone(&stream), resumable);
                }
                // SPEC transports#sending-messages 6: the priming event is new in 2025-11-25; older
                // clients have choked on its empty data, so older sessions do not get it.
                let primes = session
                    .as_ref()
                    .is_some_and(|s| s.protocol_version.as_str() >= "2025-11-25");
                // A request to the client needs a stream to travel on and a session to come back
                // through.
                // SPEC lifecycle#initialization: "The server SHOULD NOT send requests other than pings and logging before receiving the initialized notification."
                let can_ask = framing != Framing::Json
                    && session.as_ref().is_some_and(|s| s.is_initialized());
                // SPEC lifecycle#operation: both parties MUST "only use capabilities that were successfully negotiated"
                let declared = |capability: &str| {
                    can_ask
                        && session
                            .as_ref()
                            .is_some_and(|s| s.client_capabilities.get(capability).is_some())
                };
                let (can_elicit, can_sample) = (declared("elicitation"), declared("sampling"));
                let plan = Plan {
                    from: 1,
                    priming: (resumable && primes).then_some(self.config.retry),
                    resumable,
                    cut_after: self.config.drop_stream_after,
                    cuts_seen: stream.cuts(),
                };
                let job = Job {
                    id,
                    call,
                    stream,
                    session,
                    step_delay: self.config.step_delay,
                    can_ask,
                    can_elicit,
                    can_sample,
                    answer_timeout: self.config.answer_timeout,
                    running: Arc::clone(&self.running_calls),
                };
                Ok(Reply::Stream { framing, job, plan })
            }
            // ANCHOR_END: start_call
            Outcome::Answer(answer) => {
                // An answer nobody waits for (late, or for a request we never sent) is accepted and
                // dropped: the sender of a request must ignore late responses, and so do we.
                if let Some(s) = &session {
                    s.deliver(answer);
                }
                Ok(Reply::Accepted)
            }
        }
    }

    /// The framing of a reply with nothing to stream: JSON when the client allows it, unless the
    /// server was told to answer everything as a stream (`--sse-replies`, as the official SDKs do
    /// by default).
    fn reply_framing(&self, accept: Option<&str>) -> Result<Framing, Rejection> {
        framing::choose(accept, self.config.sse_replies).ok_or(Rejection::NotAcceptable)
    }

    pub(crate) fn find_session(
        &self,
        store: &SessionStore,
        head: &RequestHead,
    ) -> Result<Arc<Session>, Rejection> {
        // SPEC transports#session-management: "Servers that require a session ID SHOULD respond to requests that don't include an MCP-Session-Id header (other than initialization) with HTTP 400 Bad Request."
        let id = head
            .single_header("mcp-session-id")?
            .ok_or(Rejection::MissingSession)?;
        // SPEC transports#session-management: after a session is terminated the server "MUST respond to requests containing that session ID with HTTP 404 Not Found"
        store.get(id).ok_or(Rejection::UnknownSession)
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
        let id = head
            .single_header("mcp-session-id")?
            .ok_or(Rejection::MissingSession)?;
        if store.remove(id) {
            Ok(())
        } else {
            Err(Rejection::UnknownSession)
        }
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
