//! A blocking MCP client for the Streamable HTTP transport.
//!
//! Implements the client side of MCP 2025-11-25:
//! - `basic/lifecycle` §Initialization and §Version Negotiation: `initialize` proposing 2025-11-25
//!   (accepting an answer of 2025-11-25, 2025-06-18 or 2025-03-26), then `notifications/initialized`;
//! - `basic/transports` §Sending Messages to the Server (one POST per message, the `Accept` header,
//!   answers as 202, one JSON object or an SSE stream), §Session Management #2, #4 and #5 (send the
//!   session id on every later request; on 404 start a new session, once; DELETE at the end) and
//!   §Protocol Version Header;
//! - `basic/utilities/ping`, and `server/tools` (list, following `nextCursor`; call, with a fresh
//!   progress token whose notifications reach a callback as they arrive).
//!
//! Plus two things that are not MCP: answers framed as NDJSON (the tutorial's framing, which our
//! server offers), and the tutorial's `{"stream": "..."}` lines, shown as progress.
//!
//! Left out: the GET stream and resuming a cut stream with `Last-Event-ID` (the [`ResumePoint`] is
//! kept for that later issue), cancellation, answering server-to-client requests (each one gets
//! `-32601` for now), OAuth (a bearer token can be set by hand), and any thread safety: one client
//! is one session used from one thread.
//!
//! # Layout
//! | file | what it holds |
//! |---|---|
//! | `mod.rs` | the session: ids, headers, the 404 retry, the request/answer loop |
//! | `options.rs` | framing (`Accept`), bearer token, timeouts |
//! | `body.rs` | an answer's shape from status + content type; messages out of SSE, NDJSON, JSON |
//! | `messages.rs` | MCP payloads in and out: initialize, progress, tools, results |
//! | `config_file.rs`, `cli.rs` | the `mcpServers` file and the command line of `mcp-client` |
//! | `transport.rs` | ureq, and nothing else |
//!
//! # Example
//! ```no_run
//! use streamable_mcp::client::{Incoming, McpClient, Options};
//! let mut client = McpClient::connect("http://127.0.0.1:8000/mcp", Options::default())?;
//! for tool in client.list_tools()? {
//!     println!("{}", tool.name);
//! }
//! let args = serde_json::json!({ "city": "Hangzhou" });
//! let result = client.call_tool("get_weather", args, &mut |event| {
//!     if let Incoming::Progress(p) = event {
//!         println!("progress {p}");
//!     }
//! })?;
//! println!("{}", result.text);
//! client.close()?;
//! # Ok::<(), streamable_mcp::client::ClientError>(())
//! ```

pub mod body;
pub mod cli;
pub mod config_file;
mod error;
pub mod messages;
mod options;
mod transport;

pub use self::body::ResumePoint;
pub use self::error::ClientError;
pub use self::messages::{Incoming, Progress, Tool, ToolResult};
pub use self::options::{accept_header, Options, Timeouts};
pub use crate::framing::Framing;

use self::body::{BodyKind, MessageReader};
use self::messages::{Pending, Step};
use self::transport::Transport;
use crate::jsonrpc::{ErrorObject, Message, RequestId, METHOD_NOT_FOUND};
use crate::wire::{HEADER_PROTOCOL_VERSION, HEADER_SESSION_ID};
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
    resume: ResumePoint,
    last_framing: Option<Framing>,
    trace: Option<Trace>,
}

/// An answer to one request: its result, and the session id header that came with it.
struct Reply {
    result: Value,
    session_id: Option<String>,
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
            last_framing: None,
            trace: None,
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
    /// `--json` prints them). Set it before `initialize` to see that answer too.
    pub fn set_trace(&mut self, trace: Trace) {
        self.trace = Some(trace);
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
        let params = messages::initialize_params(&self.options.client_name);
        let reply = self.exchange("initialize", Some(params), None, &mut |_| {})?;
        let version = messages::negotiated_version(&reply.result)?;
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
            let (page, next) = messages::tools_page(&result)?;
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
    /// on the call's stream) *as it arrives*, before the result exists.
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
        let params = messages::call_params(name, arguments, &token);
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
            status => Err(body::failure(status, &mut *response.body)),
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

    /// Where the last SSE stream could be resumed from (for the resumability issue).
    pub fn resume_point(&self) -> &ResumePoint {
        &self.resume
    }

    /// The headers of a request, from what the session knows so far.
    ///
    /// # Why not a ureq middleware that adds the session header?
    /// It would work, but the session id would then live inside the HTTP agent, out of sight of
    /// the 404 rule that must drop it. As plain fields, the rule and the header are a screen apart.
    fn headers(&self) -> Vec<(&'static str, String)> {
        let mut headers = vec![("Accept", accept_header(self.options.framing).to_string())];
        // SPEC transports#session-management 2: clients "MUST include it in the MCP-Session-Id header on all of their subsequent HTTP requests."
        if let Some(id) = &self.session_id {
            headers.push((HEADER_SESSION_ID, id.clone()));
        }
        // SPEC transports#protocol-version-header: "the client MUST include the MCP-Protocol-Version: <protocol-version> HTTP header on all subsequent requests to the MCP server"
        if let Some(version) = &self.protocol_version {
            headers.push((HEADER_PROTOCOL_VERSION, version.clone()));
        }
        if let Some(token) = &self.options.bearer_token {
            headers.push(("Authorization", format!("Bearer {token}")));
        }
        headers
    }

    /// A request, with the one retry the session rules ask for.
    fn request(
        &mut self,
        method: &str,
        params: Option<Value>,
        progress_token: Option<Value>,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<Value, ClientError> {
        match self.exchange(method, params.clone(), progress_token.clone(), on_event) {
            // SPEC transports#session-management 4: "When a client receives HTTP 404 in response to a request containing an MCP-Session-Id, it MUST start a new session by sending a new InitializeRequest without a session ID attached."
            Err(ClientError::SessionExpired) => {
                self.initialize()?;
                // Once only: if the new session is refused too, SessionExpired reaches the caller.
                self.exchange(method, params, progress_token, on_event)
                    .map(|reply| reply.result)
            }
            other => other.map(|reply| reply.result),
        }
    }

    /// POST one request and read its answer, whatever its shape, until the response arrives.
    fn exchange(
        &mut self,
        method: &str,
        params: Option<Value>,
        progress_token: Option<Value>,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<Reply, ClientError> {
        let id = RequestId::Number(self.next_id);
        self.next_id += 1;
        let line = Message::Request {
            id: id.clone(),
            method: method.to_string(),
            params,
        }
        .to_line();
        let carried_session = self.session_id.is_some();
        let mut response = self.transport.post(&self.headers(), line.as_bytes())?;
        let framing = match body::classify(response.status, response.content_type.as_deref()) {
            BodyKind::Messages(framing) => framing,
            BodyKind::Failure if response.status == 404 && carried_session => {
                return Err(ClientError::SessionExpired)
            }
            BodyKind::Failure => return Err(body::failure(response.status, &mut *response.body)),
            BodyKind::Accepted => {
                return Err(ClientError::Protocol(format!(
                    "{method}: HTTP 202 Accepted, but a request needs a response"
                )))
            }
            BodyKind::Unexpected(why) => {
                return Err(ClientError::Protocol(format!("{method}: {why}")))
            }
        };
        self.last_framing = Some(framing);

        let mut pending = Pending::new(id, progress_token);
        let mut reader = MessageReader::new(&mut *response.body, framing);
        // Each message is handled the moment it is read: that is what makes progress live.
        let outcome = loop {
            let value = match reader.next_message() {
                Ok(Some(value)) => value,
                Ok(None) => break Err(reader.ended()),
                Err(e) => break Err(e),
            };
            if let Some(trace) = &mut self.trace {
                trace(&value);
            }
            match pending.take(value) {
                Ok(Step::Answer(result)) => break Ok(result),
                Ok(Step::Failed(error)) => break Err(ClientError::JsonRpc(Box::new(error))),
                Ok(Step::Unrelated) => {}
                Ok(Step::Event(event)) => {
                    on_event(&event);
                    if let Incoming::Request { id, method, .. } = &event {
                        if let Err(e) = self.refuse(id, method) {
                            break Err(e);
                        }
                    }
                }
                Err(e) => break Err(e),
            }
        };
        // Kept even on failure: a stream that broke is exactly the one worth resuming.
        self.resume = reader.resume_point().clone();
        // We stop reading at the response. A server SHOULD end the stream there anyway; one that
        // does not is not waited for. (Production code might drain a little, so that ureq can
        // reuse the connection.)
        let result = outcome?;
        Ok(Reply {
            result,
            session_id: response.session_id.take(),
        })
    }

    /// Answer a server-to-client request we cannot serve. A later issue answers some of them
    /// (`elicitation/create`) for real.
    fn refuse(&mut self, id: &RequestId, method: &str) -> Result<(), ClientError> {
        let answer = Message::error(
            Some(id.clone()),
            ErrorObject::new(
                METHOD_NOT_FOUND,
                format!("Method not found: this client does not offer {method}"),
            ),
        );
        self.send_without_answer(&answer)
    }

    /// POST a notification or a response: the server accepts it with 202 and sends nothing back.
    fn send_without_answer(&mut self, message: &Message) -> Result<(), ClientError> {
        let carried_session = self.session_id.is_some();
        let line = message.to_line();
        let mut response = self.transport.post(&self.headers(), line.as_bytes())?;
        match response.status {
            // SPEC transports#sending-messages 4: "If the server accepts the input, the server MUST return HTTP status code 202 Accepted with no body."
            202 => Ok(()),
            // Another 2xx breaks that rule, but the message was taken; refusing helps nobody.
            200..=299 => Ok(()),
            404 if carried_session => Err(ClientError::SessionExpired),
            status => Err(body::failure(status, &mut *response.body)),
        }
    }
}
