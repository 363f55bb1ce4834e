//! A blocking MCP client for the Streamable HTTP transport, revision 2025-11-25.
//!
//! This file is the data layer, the MCP methods a caller uses: `basic/lifecycle` §Initialization
//! and §Version Negotiation (propose 2025-11-25; accept it, 2025-06-18 or 2025-03-26; then send
//! `notifications/initialized`), `basic/utilities/ping`, `server/tools` (list, following
//! `nextCursor`; call, with a fresh progress token), and `basic/transports` §Session Management
//! #4, the one transport rule that needs `initialize` (on 404, a new session, once).
//!
//! Left out: cancellation, sampling and roots (their requests get `-32601`), URL-mode
//! elicitation, OAuth (a bearer token can be set by hand), and thread safety: one client is one
//! session used from one thread. Content other than text is shown as a placeholder (`[image]`),
//! and `outputSchema` is not checked against `structuredContent` (a careful client would).
//!
//! Below it: `channel.rs` (the request loop), `incoming.rs` (what a call hears, sorted),
//! `reader.rs` (messages out of a body),
//! `elicitation.rs` (the server's questions), `error.rs`, and `transport.rs` (ureq, nothing else).
//! `era.rs` is the first piece of revision 2026-07-28 on this side: which era a server speaks,
//! from its answer to a modern probe (not yet used by [`McpClient`]; issue 12).
//! The command line, `mcp-client` (`src/bin/mcp-client/`), is a user of this library.
//!
//! ```no_run
//! use streamable_mcp::client::{Incoming, McpClient, Options};
//! let mut client = McpClient::connect("http://127.0.0.1:8000/mcp", Options::default())?;
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

mod channel;
mod elicitation;
pub mod era;
mod error;
mod incoming;
mod reader;
mod transport;

pub use self::channel::Trace;
pub use self::elicitation::{ElicitAnswer, ElicitRequest, ElicitationHandler};
pub use self::error::ClientError;
pub use self::incoming::{Incoming, Progress};
pub use self::reader::{MessageReader, ResumePoint};
pub use crate::framing::Framing;

use self::channel::Channel;
use crate::jsonrpc::Message;
use crate::wire::{is_supported_version, LATEST_PROTOCOL_VERSION};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::Duration;

/// Most pages `list_tools` follows before it decides the server is going round in circles.
const MAX_PAGES: usize = 1000;

/// How the client talks: framing, credentials, timeouts (one set for every request).
#[derive(Debug, Clone)]
pub struct Options {
    /// The framing we ask for with `Accept` (SSE, the spec's; NDJSON or JSON only are ours).
    pub framing: Framing,
    /// Sent as `Authorization: Bearer <token>` on every request.
    pub bearer_token: Option<String>,
    /// `clientInfo.name` in `initialize`.
    pub client_name: String,
    /// Until the TCP connection is up.
    pub connect_timeout: Duration,
    /// From the end of our request until the answer's status line and headers.
    pub response_timeout: Duration,
    /// The longest silence *inside* a body. Longer than the server's heartbeat (ours: 500 ms on a
    /// quiet stream), or a slow call looks dead; with JSON-only framing there are no heartbeats.
    pub stall_timeout: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            framing: Framing::Sse,
            bearer_token: None,
            client_name: "streamable-mcp-client".to_string(),
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(30),
            stall_timeout: Duration::from_secs(10),
        }
    }
}

/// One tool as `tools/list` describes it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolInfo {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub input_schema: Value,
}

/// One page of `tools/list`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ToolsPage {
    tools: Vec<ToolInfo>,
    // SPEC pagination: Clients SHOULD "Treat a missing `nextCursor` as the end of results" (null too).
    next_cursor: Option<String>,
}

/// What `tools/call` returned.
#[derive(Debug, Clone, PartialEq)]
pub struct CallResult {
    /// The text items of `content`, joined with newlines (other items as `[type]`).
    pub text: String,
    pub structured: Option<Value>,
    /// The tool failed (bad input, unknown city): a *result* for the model, not a JSON-RPC error.
    pub is_error: bool,
}

/// One MCP session with one server.
///
/// # Why `&mut self` on every request?
/// A request takes the next id and may replace the session (the 404 rule). Two calls at once need
/// two clients. A production client would share one session between threads (ids from an atomic
/// counter, the session behind a lock) and match responses to callers by id.
pub struct McpClient {
    channel: Channel,
    client_name: String,
    next_progress_token: u64,
}

impl McpClient {
    /// A client for the MCP endpoint at `url`. Sends nothing yet; see [`McpClient::initialize`].
    pub fn new(url: &str, options: Options) -> McpClient {
        let channel = Channel::new(url, &options);
        let client_name = options.client_name;
        let next_progress_token = 1;
        McpClient {
            channel,
            client_name,
            next_progress_token,
        }
    }

    /// [`McpClient::new`], then [`McpClient::initialize`].
    pub fn connect(url: &str, options: Options) -> Result<McpClient, ClientError> {
        let mut client = McpClient::new(url, options);
        client.initialize()?;
        Ok(client)
    }

    /// Show every JSON-RPC message received, as it arrived, to `trace` (the CLI's `--json`):
    /// each once, even across a resumed stream. Set it before `initialize` to see that answer too.
    pub fn set_trace(&mut self, trace: Trace) {
        self.channel.trace = Some(trace);
    }

    /// Answer the server's questions (`elicitation/create`, form mode) with `handler`, on the
    /// caller's thread in the middle of a call. Set it *before* [`McpClient::initialize`], which
    /// declares the `elicitation` capability only when a handler is set.
    pub fn set_elicitation(&mut self, handler: ElicitationHandler) {
        self.channel.elicitation = Some(handler);
    }

    /// Start a session: `initialize`, check the version, send `notifications/initialized`.
    ///
    /// # Errors
    /// [`ClientError::UnsupportedVersion`] when the server picks a version we do not speak, and
    /// every error of a request.
    pub fn initialize(&mut self) -> Result<(), ClientError> {
        // A new session starts from nothing: no old id, no old version on this request.
        (self.channel.session_id, self.channel.protocol_version) = (None, None);
        let params = initialize_params(&self.client_name, self.channel.elicitation.is_some());
        let (result, session_id) =
            self.channel
                .request("initialize", Some(params), None, &mut |_| {})?;
        self.channel.protocol_version = Some(negotiated_version(&result)?);
        self.channel.session_id = session_id;
        let initialized = Message::Notification {
            method: "notifications/initialized".into(),
            params: None,
        };
        // SPEC lifecycle#initialization: "After successful initialization, the client MUST send an initialized notification to indicate it is ready to begin normal operations."
        self.channel.send(&initialized)
    }

    /// Every tool the server offers, following `nextCursor` from page to page.
    pub fn list_tools(&mut self) -> Result<Vec<ToolInfo>, ClientError> {
        let (mut tools, mut cursor) = (Vec::new(), None::<String>);
        for _ in 0..MAX_PAGES {
            let params = cursor
                .as_ref()
                .map_or(json!({}), |c| json!({ "cursor": c }));
            let session_before = self.channel.session_id.clone();
            let result = self.request("tools/list", Some(params), None, &mut |_| {})?;
            if cursor.is_some() && self.channel.session_id != session_before {
                // The 404 rule started a new session mid-list. Cursors belong to a session
                // ("Don't persist cursors across sessions"), so start the list over.
                (tools, cursor) = (Vec::new(), None);
                continue;
            }
            let bad = |e| ClientError::Protocol(format!("tools/list result: {e}"));
            let page = ToolsPage::deserialize(&result).map_err(bad)?;
            tools.extend(page.tools);
            if page.next_cursor.is_none() {
                return Ok(tools);
            }
            cursor = page.next_cursor;
        }
        let why = format!("tools/list did not end after {MAX_PAGES} pages");
        Err(ClientError::Protocol(why))
    }

    /// Call a tool. `on_event` sees each progress notification (and anything else the server sends
    /// on the call's stream) *as it arrives*, and each one once, even across a resumed stream.
    ///
    /// # Errors
    /// [`ClientError::JsonRpc`] for an unknown tool or bad params (`-32602`). A tool that *fails*
    /// is not an error here: it is an `Ok` result with `is_error` set.
    pub fn call_tool(
        &mut self,
        name: &str,
        arguments: Value,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<CallResult, ClientError> {
        // SPEC progress: "Progress tokens can be chosen by the sender using any means, but MUST be unique across all active requests."
        let token = json!(format!("progress-{}", self.next_progress_token));
        self.next_progress_token += 1;
        // The progress token in `_meta` is what asks the server to report progress at all.
        let params =
            json!({ "name": name, "arguments": arguments, "_meta": { "progressToken": token } });
        let result = self.request("tools/call", Some(params), Some(token), on_event)?;
        CallResult::from_result(result)
    }

    /// Is the server (and our session) alive?
    pub fn ping(&mut self) -> Result<(), ClientError> {
        self.request("ping", None, None, &mut |_| {}).map(|_| ())
    }

    /// End the session with `DELETE` (a stateless server has none to end). Takes `self`: after
    /// closing, the compiler stops you from using the client.
    pub fn close(self) -> Result<(), ClientError> {
        self.channel.delete()
    }

    /// A request, with the one retry the session rules ask for.
    fn request(
        &mut self,
        method: &str,
        params: Option<Value>,
        token: Option<Value>,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<Value, ClientError> {
        let first = self
            .channel
            .request(method, params.clone(), token.clone(), on_event);
        // SPEC transports#session-management 4: "When a client receives HTTP 404 in response to a request containing an MCP-Session-Id, it MUST start a new session by sending a new InitializeRequest without a session ID attached."
        // (A 404 to a resuming GET lands here too: with the session, its streams are gone, so the
        // request is sent again in the new session, and may run a second time.)
        if matches!(first, Err(ClientError::SessionExpired)) {
            self.initialize()?;
            // Once only: if the new session is refused too, SessionExpired reaches the caller.
            return Ok(self.channel.request(method, params, token, on_event)?.0);
        }
        Ok(first?.0)
    }

    pub fn session_id(&self) -> Option<&str> {
        self.channel.session_id.as_deref()
    }

    pub fn protocol_version(&self) -> Option<&str> {
        self.channel.protocol_version.as_deref()
    }

    /// How the last answer to a request was framed (the server's choice).
    pub fn last_framing(&self) -> Option<Framing> {
        self.channel.last_framing
    }

    /// Where the last request's SSE stream stopped: its last event id and the server's `retry`.
    pub fn resume_point(&self) -> &ResumePoint {
        &self.channel.resume
    }

    /// How often, over this client's life, a cut stream was picked up again.
    pub fn resumes(&self) -> u64 {
        self.channel.resumes
    }
}

/// The params of our `initialize` request.
///
/// Capabilities are promises: a server sends a client only the requests its capabilities cover.
/// So `elicitation` is declared only when the caller can really answer (a handler is set), and
/// roots and sampling never. The empty object `{}` means form mode (2025-11-25 reads it so, for
/// compatibility with 2025-06-18, where it was the only mode).
fn initialize_params(client_name: &str, elicitation: bool) -> Value {
    let mut capabilities = json!({});
    if elicitation {
        capabilities["elicitation"] = json!({});
    }
    let client_info = json!({ "name": client_name, "version": env!("CARGO_PKG_VERSION") });
    let version = LATEST_PROTOCOL_VERSION;
    json!({ "protocolVersion": version, "capabilities": capabilities, "clientInfo": client_info })
}

/// The version the server chose, if we speak it.
// SPEC lifecycle#version-negotiation: "If the client does not support the version in the server's response, it SHOULD disconnect."
fn negotiated_version(result: &Value) -> Result<String, ClientError> {
    match result["protocolVersion"].as_str() {
        Some(v) if is_supported_version(v) => Ok(v.to_string()),
        Some(v) => Err(ClientError::UnsupportedVersion(v.to_string())),
        None => Err(ClientError::Protocol("no protocolVersion".into())),
    }
}

impl CallResult {
    /// Read a `tools/call` result: text content, `structuredContent`, `isError`.
    fn from_result(result: Value) -> Result<CallResult, ClientError> {
        let Some(content) = result["content"].as_array() else {
            let why = "tool result: \"content\" must be an array";
            return Err(ClientError::Protocol(why.into()));
        };
        let item = |item: &Value| match item["text"].as_str() {
            Some(text) => text.to_string(),
            None => format!("[{}]", item["type"].as_str().unwrap_or("?")),
        };
        let text = content.iter().map(item).collect::<Vec<_>>().join("\n");
        let structured = result.get("structuredContent").cloned();
        let is_error = result["isError"].as_bool().unwrap_or(false);
        Ok(CallResult {
            text,
            structured,
            is_error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elicitation_is_declared_only_when_asked_for() {
        let without = initialize_params("c", false);
        assert_eq!(without["capabilities"], json!({}));
        let with = initialize_params("c", true);
        assert_eq!(with["capabilities"], json!({"elicitation": {}}));
        assert_eq!(with["protocolVersion"], LATEST_PROTOCOL_VERSION);
    }

    #[test]
    fn versions_we_speak_are_accepted_and_others_refused() {
        for v in ["2025-11-25", "2025-06-18", "2025-03-26"] {
            assert_eq!(
                negotiated_version(&json!({"protocolVersion": v})).unwrap(),
                v
            );
        }
        assert_eq!(
            negotiated_version(&json!({"protocolVersion": "2024-11-05"})),
            Err(ClientError::UnsupportedVersion("2024-11-05".into()))
        );
        assert!(matches!(
            negotiated_version(&json!({})),
            Err(ClientError::Protocol(_))
        ));
    }

    #[test]
    fn tools_page_reads_tools_and_cursor() {
        let page = json!({"tools":[{"name":"a","description":"A"},{"name":"b"}],"nextCursor":"n1"});
        let page = ToolsPage::deserialize(&page).unwrap();
        assert_eq!(page.tools.len(), 2);
        assert_eq!(page.tools[0].description.as_deref(), Some("A"));
        assert_eq!(page.next_cursor.as_deref(), Some("n1"));
        let last = json!({"tools":[],"nextCursor":null});
        assert_eq!(ToolsPage::deserialize(&last).unwrap().next_cursor, None);
        assert!(ToolsPage::deserialize(&json!({"tools":[{"title":"x"}]})).is_err());
        assert!(ToolsPage::deserialize(&json!({"tools":{}})).is_err());
    }

    #[test]
    fn tool_result_joins_text_and_keeps_structured_content_and_is_error() {
        let r = CallResult::from_result(json!({
            "content":[{"type":"text","text":"a"},{"type":"image","data":"..."},{"type":"text","text":"b"}],
            "structuredContent":{"t":1},"isError":true
        }))
        .unwrap();
        assert_eq!(r.text, "a\n[image]\nb");
        assert_eq!(r.structured, Some(json!({"t": 1})));
        assert!(r.is_error);
        assert!(
            !CallResult::from_result(json!({"content": []}))
                .unwrap()
                .is_error
        );
        assert!(CallResult::from_result(json!({})).is_err());
    }
}
