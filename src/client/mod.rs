//! A blocking MCP client for the Streamable HTTP transport.
//!
//! Implements the client side of MCP 2025-11-25:
//! - `basic/lifecycle` §Initialization and §Version Negotiation: `initialize` proposing 2025-11-25
//!   (accepting an answer of 2025-11-25, 2025-06-18 or 2025-03-26), then `notifications/initialized`;
//! - `basic/transports` §Sending Messages to the Server (one POST per message, the `Accept` header,
//!   answers as 202, one JSON object or an SSE stream), §Resumability and Redelivery (a stream cut
//!   before its response is resumed with GET + `Last-Event-ID`, after the server's `retry`),
//!   §Session Management #2, #4 and #5 (send the session id on every later request; on 404 start
//!   a new session, once; DELETE at the end) and §Protocol Version Header;
//! - `basic/utilities/ping`, and `server/tools` (list, following `nextCursor`; call, with a fresh
//!   progress token whose notifications reach a callback as they arrive);
//! - `client/elicitation` in form mode, when the caller sets a handler: the capability is declared
//!   and each `elicitation/create` is answered by a POST, while the call goes on.
//!
//! Plus two things that are not MCP: answers framed as NDJSON (the tutorial's framing, which our
//! server offers), and the tutorial's `{"stream": "..."}` lines, shown as progress.
//!
//! Left out: opening the session's own GET stream, cancellation, sampling and roots (their
//! requests get `-32601`), URL-mode elicitation, OAuth (a bearer token can be set by hand), and
//! any thread safety: one client is one session used from one thread.
//!
//! # Layout
//! | file | what it holds |
//! |---|---|
//! | `mod.rs` | the session's state and the public API: initialize, list, call, ping, close |
//! | `exchange.rs` | one request: headers, POST, reading the answer, the 404 retry, answering the server |
//! | `resume.rs` | a cut stream: wait `retry`, GET + `Last-Event-ID`, read on; backoff and giving up |
//! | `answer.rs` | an answer's shape from status + content type; errors out of 4xx/5xx bodies |
//! | `body.rs` | messages out of SSE, NDJSON, JSON bodies; event ids seen, repeats dropped |
//! | `messages.rs` | what arrives on a stream: progress, notifications, server requests, the response |
//! | `payloads.rs` | our requests' params and their results: initialize, tools, tool results |
//! | `elicitation.rs` | the server's questions (`elicitation/create`) and our answers |
//! | `options.rs` | framing (`Accept`), bearer token, timeouts |
//! | `config_file.rs`, `cli.rs`, `ask.rs` | the `mcpServers` file, the command line of `mcp-client`, and its terminal questions |
//! | `transport.rs` | ureq, and nothing else |
//!
//! # Example
//! ```no_run
//! use streamable_mcp::client::{ElicitAnswer, Incoming, McpClient, Options};
//! let mut client = McpClient::new("http://127.0.0.1:8000/mcp", Options::default());
//! // Optional: answer the server's questions (here: always the first choice of each field).
//! client.set_elicitation(Box::new(|question| {
//!     let mut content = serde_json::Map::new();
//!     for field in &question.fields {
//!         if let Some(first) = field.choices.first() {
//!             content.insert(field.name.clone(), first.value.clone().into());
//!         }
//!     }
//!     ElicitAnswer::Accept(content)
//! }));
//! client.initialize()?;
//! for tool in client.list_tools()? {
//!     println!("{}", tool.name);
//! }
//! let args = serde_json::json!({ "city": "Springfield" });
//! let result = client.call_tool("get_weather", args, &mut |event| {
//!     if let Incoming::Progress(p) = event {
//!         println!("progress {p}");
//!     }
//! })?;
//! println!("{}", result.text);
//! client.close()?;
//! # Ok::<(), streamable_mcp::client::ClientError>(())
//! ```

mod answer;
pub mod ask;
pub mod body;
pub mod cli;
pub mod config_file;
mod elicitation;
mod error;
mod exchange;
pub mod messages;
mod options;
mod payloads;
mod resume;
mod transport;

pub use self::body::ResumePoint;
pub use self::elicitation::{Choice, ElicitAnswer, ElicitRequest, ElicitationHandler, Field};
pub use self::error::ClientError;
pub use self::messages::{Incoming, Progress};
pub use self::options::{accept_header, Options, Timeouts};
pub use self::payloads::{Tool, ToolResult};
pub use self::resume::{DEFAULT_RETRY, MAX_ATTEMPTS_WITHOUT_PROGRESS, MAX_BACKOFF};
pub use crate::framing::Framing;

use self::transport::Transport;
use crate::jsonrpc::Message;
use serde_json::{json, Value};

/// Something that wants to see every JSON-RPC message received, as it arrived. `Send`, so that a
/// client (trace included) can be handed to a worker thread.
pub type Trace = Box<dyn FnMut(&Value) + Send>;

/// Most pages `list_tools` follows before it decides the server is going round in circles.
const MAX_PAGES: usize = 1000;

/// One MCP session with one server.
///
/// # Why `&mut self` on every request?
/// A request takes the next id and may replace the session (the 404 rule), so it changes the
/// client. One client is one session driven by one thread at a time; two calls at once need two
/// clients. A production client would share one session between threads (ids from an atomic
/// counter, the session behind a lock) and match responses to callers by id.
pub struct McpClient {
    transport: Transport,
    options: Options,
    /// From the `MCP-Session-Id` header of the initialize answer; `None` for a stateless server.
    session_id: Option<String>,
    /// The negotiated version; `None` until initialize succeeded.
    protocol_version: Option<String>,
    initialize_result: Option<Value>,
    /// Request ids only have to be unique among our requests in flight; a counter does that.
    next_id: i64,
    next_progress_token: u64,
    /// Where the last request's SSE stream stopped (see [`McpClient::resume_point`]).
    resume: ResumePoint,
    /// Reconnections that got a stream back, over the client's life (see [`McpClient::resumes`]).
    resumes: u64,
    last_framing: Option<Framing>,
    trace: Option<Trace>,
    /// Answers `elicitation/create`; declared as a capability only when set.
    elicitation: Option<ElicitationHandler>,
}

impl McpClient {
    /// A client for the MCP endpoint at `url`. Sends nothing yet; see [`McpClient::initialize`].
    pub fn new(url: &str, options: Options) -> McpClient {
        McpClient {
            transport: Transport::new(url, options.timeouts),
            options,
            session_id: None,
            protocol_version: None,
            initialize_result: None,
            next_id: 1,
            next_progress_token: 1,
            resume: ResumePoint::default(),
            resumes: 0,
            last_framing: None,
            trace: None,
            elicitation: None,
        }
    }

    /// [`McpClient::new`], then [`McpClient::initialize`].
    ///
    /// # Errors
    /// As for [`McpClient::initialize`].
    pub fn connect(url: &str, options: Options) -> Result<McpClient, ClientError> {
        let mut client = McpClient::new(url, options);
        client.initialize()?;
        Ok(client)
    }

    /// Show every JSON-RPC message received, exactly as it arrived, to `trace` (the CLI's
    /// `--json` prints them): each one once, even when a cut stream is resumed, and never the
    /// priming event (it is no message). Set it before `initialize` to see that answer too.
    pub fn set_trace(&mut self, trace: Trace) {
        self.trace = Some(trace);
    }

    /// Answer the server's questions (`elicitation/create`, form mode) with `handler`. Set it
    /// *before* [`McpClient::initialize`]: the `elicitation` capability is declared there, and
    /// only when a handler is set, because a server asks only clients that said they can answer.
    /// The handler runs in the middle of a call, on the caller's thread; the call waits for it.
    pub fn set_elicitation(&mut self, handler: ElicitationHandler) {
        self.elicitation = Some(handler);
    }

    /// Start a session: `initialize`, check the version, send `notifications/initialized`.
    ///
    /// # Errors
    /// [`ClientError::UnsupportedVersion`] when the server picks a version we do not speak, and
    /// every error of a request.
    pub fn initialize(&mut self) -> Result<(), ClientError> {
        // A new session starts from nothing: no old id, no old version on this request.
        self.session_id = None;
        self.protocol_version = None;
        let elicitation = self.elicitation.is_some();
        let params = payloads::initialize_params(&self.options.client_name, elicitation);
        let reply = self.exchange("initialize", Some(params), None, &mut |_| {})?;
        let version = payloads::negotiated_version(&reply.result)?;
        self.session_id = reply.session_id;
        self.protocol_version = Some(version);
        self.initialize_result = Some(reply.result);
        // SPEC lifecycle#initialization: "After successful initialization, the client MUST send an initialized notification to indicate it is ready to begin normal operations."
        self.send_without_answer(&Message::Notification {
            method: "notifications/initialized".into(),
            params: None,
        })
    }

    /// Every tool the server offers, following `nextCursor` from page to page.
    ///
    /// # Errors
    /// Every error of a request, and [`ClientError::Protocol`] for a malformed page or a cursor
    /// that repeats.
    pub fn list_tools(&mut self) -> Result<Vec<Tool>, ClientError> {
        let mut tools = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let params = match &cursor {
                Some(c) => json!({ "cursor": c }),
                None => json!({}),
            };
            let session_before = self.session_id.clone();
            let result = self.request("tools/list", Some(params), None, &mut |_| {})?;
            if cursor.is_some() && self.session_id != session_before {
                // The 404 retry started a new session mid-list. Cursors belong to a session
                // ("Don't persist cursors across sessions"), so start the list over.
                tools.clear();
                cursor = None;
                continue;
            }
            let (page, next) = payloads::tools_page(&result)?;
            tools.extend(page);
            match next {
                None => return Ok(tools),
                Some(next) if cursor.as_ref() == Some(&next) => {
                    return Err(ClientError::Protocol(format!(
                        "tools/list returned cursor {next:?} twice in a row"
                    )))
                }
                Some(next) => cursor = Some(next),
            }
        }
        Err(ClientError::Protocol(format!(
            "tools/list did not end after {MAX_PAGES} pages"
        )))
    }

    /// Call a tool. `on_event` sees each progress notification (and anything else the server sends
    /// on the call's stream) *as it arrives*, before the result exists, and each one once, even
    /// when the stream is cut and resumed on the way.
    ///
    /// # Errors
    /// [`ClientError::JsonRpc`] for an unknown tool or bad params (`-32602`). A tool that *fails*
    /// is not an error here: it is an `Ok` result with `is_error` set.
    pub fn call_tool(
        &mut self,
        name: &str,
        arguments: Value,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<ToolResult, ClientError> {
        // SPEC progress: "Progress tokens can be chosen by the sender using any means, but MUST be unique across all active requests."
        let token = json!(format!("progress-{}", self.next_progress_token));
        self.next_progress_token += 1;
        let params = payloads::call_params(name, arguments, &token);
        let result = self.request("tools/call", Some(params), Some(token), on_event)?;
        ToolResult::from_result(result)
    }

    /// `ping`: is the server (and our session) alive?
    ///
    /// # Errors
    /// Every error of a request.
    pub fn ping(&mut self) -> Result<(), ClientError> {
        self.request("ping", None, None, &mut |_| {}).map(|_| ())
    }

    /// End the session with `DELETE`. Takes `self`: after closing, the compiler stops you from
    /// using the client.
    ///
    /// # Errors
    /// An HTTP error status other than 404 and 405, or no answer at all.
    pub fn close(self) -> Result<(), ClientError> {
        if self.session_id.is_none() {
            return Ok(()); // a stateless server: there is no session to end
        }
        // SPEC transports#session-management 5: clients "SHOULD send an HTTP DELETE to the MCP endpoint with the MCP-Session-Id header, to explicitly terminate the session."
        let mut response = self.transport.delete(&self.headers())?;
        match response.status {
            200..=299 => Ok(()),
            // SPEC transports#session-management 5: "The server MAY respond to this request with HTTP 405 Method Not Allowed"
            405 => Ok(()),
            // Already gone (expired, or deleted by someone else): what we wanted anyway.
            404 => Ok(()),
            status => Err(answer::failure(status, &mut *response.body)),
        }
    }

    pub fn url(&self) -> &str {
        self.transport.url()
    }

    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    pub fn protocol_version(&self) -> Option<&str> {
        self.protocol_version.as_deref()
    }

    /// The whole `InitializeResult` (capabilities, `serverInfo`, `instructions`).
    pub fn initialize_result(&self) -> Option<&Value> {
        self.initialize_result.as_ref()
    }

    /// How the last answer to a request was framed (tests use it to check the server's choice).
    pub fn last_framing(&self) -> Option<Framing> {
        self.last_framing
    }

    /// Where the last request's SSE stream stopped: its last event id and the server's `retry`.
    pub fn resume_point(&self) -> &ResumePoint {
        &self.resume
    }

    /// How many times a cut stream was picked up again with GET + `Last-Event-ID`, over this
    /// client's life. A call whose stream was never cut used one connection; each resume is one
    /// more.
    pub fn resumes(&self) -> u64 {
        self.resumes
    }
}
