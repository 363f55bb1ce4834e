//! The client of one MCP server over Streamable HTTP, in both eras: [`McpClient`].
//!
//! The data layer, the MCP methods a caller uses. Both eras: `server/tools` (list,
//! following `nextCursor`; call, with a fresh progress token) and a ping. Modern: the era probe of
//! `basic/transports/streamable-http` (2026-07-28) §Backward Compatibility (`server/discover`
//! first; the verdict is `era.rs`'s), the re-listing of tools after a -32020, and the rounds of
//! `basic/patterns/mrtr` (an `input_required` result answered and the call sent again; a broken
//! stream is re-issued by `channel.rs`). Legacy:
//! `basic/lifecycle` §Initialization and §Version Negotiation (propose 2025-11-25; accept it,
//! 2025-06-18 or 2025-03-26; then send `notifications/initialized`), and `basic/transports`
//! §Session Management #4, the one transport rule that needs `initialize` (on 404, a new session,
//! once).
//!
//! Left out: cancellation, sampling and roots (not declared: in the legacy era their requests get
//! `-32601`; in the modern era a request on the stream is shown, not answered, and their input
//! requests are an error), URL-mode elicitation, OAuth (a bearer token can be set by hand),
//! `subscriptions/listen`, and thread safety: one client is one server used from one thread.
//! Content other than text is shown as a placeholder (`[image]`), and `outputSchema` is not
//! checked against `structuredContent` (a careful client would).

use super::channel::Channel;
use super::modern::Outcome;
use super::tools::ToolsPage;
use super::{era, handshake, modern, tool_headers};
use super::{
    CallResult, ClientError, ElicitationHandler, Era, EraChoice, Framing, Incoming, Options,
    ResumePoint, ToolInfo, Trace,
};
use crate::jsonrpc::Message;
use crate::wire::{HEADER_MISMATCH, MODERN_PROTOCOL_VERSION};
use serde::Deserialize;
use serde_json::{json, Value};

/// Most pages `list_tools` follows before it decides the server is going round in circles.
const MAX_PAGES: usize = 1000;
/// Most `input_required` rounds one modern call may take: a server that keeps asking is stopped.
pub const MAX_INPUT_ROUNDS: usize = 10;

/// One MCP client of one server: a session in the legacy era, none in the modern one.
///
/// # Why `&mut self` on every request?
/// A request takes the next id and may replace the session (the 404 rule). Two calls at once need
/// two clients. A production client would share one session between threads (ids from an atomic
/// counter, the session behind a lock) and match responses to callers by id.
pub struct McpClient {
    channel: Channel,
    client_name: String,
    next_progress_token: u64,
    era_choice: EraChoice,
    /// Which era [`McpClient::connect`] settled on; kept for the client's life.
    era: Option<Era>,
    /// Modern era: the tools as `tools/list` last gave them, whose `x-mcp-header`s a call needs.
    tools: Option<Vec<ToolInfo>>,
    /// Modern era: tool definitions left out of `tools/list`, each with its reason.
    refused_tools: Vec<(String, String)>,
}

impl McpClient {
    /// A client for the MCP endpoint at `url`. Sends nothing yet; see [`McpClient::start`].
    pub fn new(url: &str, options: Options) -> McpClient {
        McpClient {
            channel: Channel::new(url, &options),
            client_name: options.client_name,
            next_progress_token: 1,
            era_choice: options.era,
            era: None,
            tools: None,
            refused_tools: Vec::new(),
        }
    }

    /// [`McpClient::new`], then [`McpClient::start`].
    pub fn connect(url: &str, options: Options) -> Result<McpClient, ClientError> {
        let mut client = McpClient::new(url, options);
        client.start()?;
        Ok(client)
    }

    /// Show every JSON-RPC message received, as it arrived, to `trace` (the CLI's `--json`):
    /// each once, even across a resumed stream. Set it before `start` to see that answer too.
    pub fn set_trace(&mut self, trace: Trace) {
        self.channel.trace = Some(trace);
    }

    /// Answer the server's questions (`elicitation/create`, form mode) with `handler`: on the
    /// caller's thread in the middle of a legacy call, or between the rounds of a modern one. Set
    /// it *before* [`McpClient::start`]: the `elicitation` capability is declared only when a
    /// handler is set.
    pub fn set_elicitation(&mut self, handler: ElicitationHandler) {
        self.channel.elicitation = Some(handler);
    }

    /// Settle the era as [`Options::era`] says, and start a session if it is the legacy one.
    ///
    /// Auto and modern send `server/discover` first (every modern server has it). Its answer
    /// decides, by `era.rs`: a result means modern; a recognised modern error is reported as it
    /// is; anything else means a legacy server, and auto then sends `initialize`.
    ///
    /// # Errors
    /// [`ClientError::Protocol`] when the server speaks no era of ours (or not the one asked for),
    /// and every error of a request.
    pub fn start(&mut self) -> Result<Era, ClientError> {
        if self.era_choice != EraChoice::Legacy {
            (self.channel.modern, self.channel.session_id) = (true, None);
            self.channel.protocol_version = Some(MODERN_PROTOCOL_VERSION.to_string());
        }
        let choice = self.era_choice;
        let mut discover = || self.modern_request("server/discover", None, None, &[], &mut |_| {});
        let era = era::settle(choice, &mut discover)?;
        if era == Era::Legacy {
            self.channel.forget_the_probe();
            self.initialize()?;
        }
        self.era = Some(era);
        Ok(era)
    }

    /// Start a legacy session: `initialize`, check the version, send `notifications/initialized`.
    /// [`McpClient::start`] calls it; calling it yourself pins the legacy era.
    ///
    /// # Errors
    /// [`ClientError::UnsupportedVersion`] when the server picks a version we do not speak, and
    /// every error of a request.
    pub fn initialize(&mut self) -> Result<(), ClientError> {
        // A new session starts from nothing: no old id, no old version on this request.
        (self.channel.session_id, self.channel.protocol_version) = (None, None);
        (self.channel.modern, self.era) = (false, Some(Era::Legacy));
        let params = handshake::initialize_params(&self.client_name, self.capabilities());
        let (result, session_id) =
            self.channel
                .request("initialize", Some(params), None, &[], &mut |_| {})?;
        self.channel.protocol_version = Some(handshake::negotiated_version(&result)?);
        self.channel.session_id = session_id;
        let initialized = Message::Notification {
            method: "notifications/initialized".into(),
            params: None,
        };
        // SPEC lifecycle#initialization: "After successful initialization, the client MUST send an initialized notification to indicate it is ready to begin normal operations."
        self.channel.send(&initialized)
    }

    /// Every tool the server offers, following `nextCursor` from page to page. In the modern era,
    /// a tool whose `x-mcp-header` annotations break the rules is left out; see
    /// [`McpClient::refused_tools`].
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
                return Ok(self.keep_usable(tools));
            }
            cursor = page.next_cursor;
        }
        let why = format!("tools/list did not end after {MAX_PAGES} pages");
        Err(ClientError::Protocol(why))
    }

    /// Modern era: leave out (and remember) the tools whose annotations cannot be sent, and keep
    /// the rest for the headers of their calls. The legacy era has no such headers.
    fn keep_usable(&mut self, tools: Vec<ToolInfo>) -> Vec<ToolInfo> {
        if !self.channel.modern {
            return tools;
        }
        let usable;
        (usable, self.refused_tools) = tool_headers::usable(tools);
        self.tools = Some(usable.clone());
        usable
    }

    /// Call a tool. `on_event` sees each progress notification (and anything else the server sends
    /// on the call's stream) *as it arrives*, and each one once, even across a resumed stream.
    ///
    /// In the modern era the tool's `x-mcp-header` arguments also go out as headers (the tool list
    /// is fetched first when this client has none), and an `input_required` result is answered by
    /// the elicitation handler and the call sent again, up to [`MAX_INPUT_ROUNDS`] times.
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
        if !self.channel.modern {
            let result = self.request("tools/call", Some(params), Some(token), on_event)?;
            return CallResult::from_result(result);
        }
        let mut headers = self.param_headers(name, &arguments)?;
        let (mut round_params, mut relisted) = (params.clone(), false);
        for _ in 0..MAX_INPUT_ROUNDS {
            let (p, t) = (Some(round_params.clone()), Some(token.clone()));
            let result = match self.modern_request("tools/call", p, t, &headers, on_event) {
                // SPEC streamable-http (2026-07-28) §Client Behavior: on a HeaderMismatch "the client SHOULD call `tools/list` to check for changes to the tool's `inputSchema`, then retry" (once).
                Err(ClientError::Http { error: Some(e), .. })
                    if e.code == HEADER_MISMATCH && !relisted =>
                {
                    (self.tools, relisted) = (None, true);
                    headers = self.param_headers(name, &arguments)?;
                    continue;
                }
                outcome => outcome?,
            };
            let input = match modern::outcome(result)? {
                Outcome::Complete(result) => return CallResult::from_result(result),
                Outcome::InputRequired(input) => input,
            };
            on_event(&Incoming::InputRequired {
                keys: input.requests.keys().cloned().collect(),
            });
            let answers = input.answer(self.channel.elicitation.as_mut())?;
            // SPEC mrtr (2026-07-28) §Client Requirements: "The JSON-RPC `id` MUST be different between the initial request and the retry" (the channel gives every request a new one).
            round_params = input.retry_params(&params, answers);
        }
        let why = format!("the server still asked for input after {MAX_INPUT_ROUNDS} rounds");
        Err(ClientError::Protocol(why))
    }

    /// The `Mcp-Param-*` headers of a modern call of `tool`, from its definition.
    fn param_headers(
        &mut self,
        tool: &str,
        arguments: &Value,
    ) -> Result<Vec<(String, String)>, ClientError> {
        if self.tools.is_none() {
            self.list_tools()?;
        }
        if let Some((_, why)) = self.refused_tools.iter().find(|(name, _)| name == tool) {
            let why = format!("tool {tool:?} is not usable over HTTP: {why}");
            return Err(ClientError::Protocol(why));
        }
        let known = self.tools.iter().flatten().find(|t| t.name == tool);
        // An unknown tool has no annotations to send; the server will say it does not know it.
        let Some(definition) = known else {
            return Ok(Vec::new());
        };
        tool_headers::param_headers(&definition.input_schema, arguments)
            .map_err(ClientError::Protocol)
    }

    /// Is the server (and our session) alive? 2026-07-28 has no `ping`: a modern server is asked
    /// `server/discover` instead, the cheapest request it must answer.
    pub fn ping(&mut self) -> Result<(), ClientError> {
        let method = if self.channel.modern {
            "server/discover"
        } else {
            "ping"
        };
        self.request(method, None, None, &mut |_| {}).map(|_| ())
    }

    /// End the session with `DELETE` (a stateless server has none to end). Takes `self`: after
    /// closing, the compiler stops you from using the client.
    pub fn close(self) -> Result<(), ClientError> {
        self.channel.delete()
    }

    /// A request in the client's era, its result complete.
    fn request(
        &mut self,
        method: &str,
        params: Option<Value>,
        token: Option<Value>,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<Value, ClientError> {
        if self.channel.modern {
            let result = self.modern_request(method, params, token, &[], on_event)?;
            return match modern::outcome(result)? {
                Outcome::Complete(result) => Ok(result),
                // SPEC mrtr (2026-07-28): "Servers MUST NOT send `InputRequiredResult` responses on any other client requests."
                Outcome::InputRequired(_) => Err(ClientError::Protocol(format!(
                    "{method} answered input_required"
                ))),
            };
        }
        let first = self
            .channel
            .request(method, params.clone(), token.clone(), &[], on_event);
        // SPEC transports#session-management 4: "When a client receives HTTP 404 in response to a request containing an MCP-Session-Id, it MUST start a new session by sending a new InitializeRequest without a session ID attached."
        // (A 404 to a resuming GET lands here too: with the session, its streams are gone, so the
        // request is sent again in the new session, and may run a second time.)
        if matches!(first, Err(ClientError::SessionExpired)) {
            self.initialize()?;
            // Once only: if the new session is refused too, SessionExpired reaches the caller.
            return Ok(self
                .channel
                .request(method, params, token, &[], on_event)?
                .0);
        }
        Ok(first?.0)
    }

    /// A modern request: `_meta` and the standard headers added (the channel re-issues it when
    /// its stream breaks).
    fn modern_request(
        &mut self,
        method: &str,
        params: Option<Value>,
        token: Option<Value>,
        extra_headers: &[(String, String)],
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<Value, ClientError> {
        let params = modern::with_meta(params, &self.capabilities(), &self.client_name);
        let mut headers = modern::standard_headers(method, &params);
        headers.extend_from_slice(extra_headers);
        let outcome = self
            .channel
            .request(method, Some(params), token, &headers, on_event);
        outcome.map(|(result, _)| result)
    }

    /// What we can do for a server: `elicitation` (form mode) when a handler is set, else nothing.
    ///
    /// Capabilities are promises: a server asks a client only what its capabilities cover. So
    /// `elicitation` is declared only when the caller can really answer, and roots and sampling
    /// never. The empty object `{}` means form mode (2025-11-25 reads it so, for compatibility
    /// with 2025-06-18, where it was the only mode).
    fn capabilities(&self) -> Value {
        match self.channel.elicitation {
            Some(_) => json!({ "elicitation": {} }),
            None => json!({}),
        }
    }

    /// The era [`McpClient::start`] settled on (`None` before).
    pub fn era(&self) -> Option<Era> {
        self.era
    }

    /// Tool definitions the last modern `tools/list` left out: (name, why).
    pub fn refused_tools(&self) -> &[(String, String)] {
        &self.refused_tools
    }

    pub fn session_id(&self) -> Option<&str> {
        self.channel.session_id.as_deref()
    }

    /// The legacy era's negotiated version, or 2026-07-28.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ElicitAnswer;

    #[test]
    fn elicitation_is_declared_only_when_asked_for() {
        let mut client = McpClient::new("http://127.0.0.1:1/mcp", Options::default());
        assert_eq!(client.capabilities(), json!({}));
        client.set_elicitation(Box::new(|_| ElicitAnswer::Cancel));
        assert_eq!(client.capabilities(), json!({"elicitation": {}}));
    }
}
