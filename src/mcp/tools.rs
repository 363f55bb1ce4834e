//! Tools: what the server offers through `tools/list` and runs through `tools/call`.
//!
//! Implements MCP 2025-11-25 `server/tools` §Listing Tools (with cursor pagination from
//! `server/utilities/pagination`), §Calling Tools, §Tool Result (text `content`, `structuredContent`
//! matching `outputSchema`, `isError`), and `basic/utilities/progress` for progress notifications.
//! Tools know nothing about HTTP: they report progress to an [`Outbox`], which the server backs
//! with its call's log (`server::worker`) and a unit test backs with a `Vec`.
//!
//! Left out: `icons`, `execution.taskSupport`, `resource_link` content, list-changed notifications.

use crate::jsonrpc::{ErrorObject, Message, RequestId, INVALID_PARAMS};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// Why a call stopped before its result.
///
/// It lives here, with the tools, because a tool must react to it (stop working, send nothing
/// more); the server decides *when* (see `server/stream.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The client sent `notifications/cancelled`.
    Cancelled,
    /// Nobody can ever read the rest (the connection is gone and the stream cannot be resumed).
    Abandoned,
    /// 2026-07-28: the tool asked the client something whose answer comes with the *next* request
    /// (MRTR); this round ends with an `input_required` result instead of a final one.
    AwaitingInput,
    /// The call needs a capability the client did not declare (`"sampling"`, say). 2026-07-28
    /// answers `-32021` with `requiredCapabilities`; a tool must not just go ahead and ask.
    MissingCapability(&'static str),
}

/// Where a running tool sends the messages it makes before its result.
///
/// # Why a trait?
/// It is the one seam between tools and transport: the server hands a tool an outbox backed by the
/// call's stream and session (`server/worker.rs`), tests hand it a recorder, and the tool cannot tell.
/// (It is the only trait in the crate.)
pub trait Outbox {
    /// Send a notification to the client on the call's stream.
    fn send(&self, message: Message) -> Result<(), Stop>;
    /// Wait, waking early if the call is cancelled or abandoned.
    fn pause(&self, d: Duration) -> Result<(), Stop>;
    /// Send a request to the client on the call's stream and wait up to `timeout` for its answer
    /// (a `Message::Response` or `Message::Error`).
    fn ask(&self, method: &str, params: Value, timeout: Duration) -> Result<Message, NoAnswer>;
    /// [`Outbox::ask`], naming the question `key`. In 2026-07-28 a question travels in an
    /// `input_required` result under its key, and the answer comes back under the same key; in the
    /// legacy era the key has no use, and the question is asked as any other.
    fn ask_as(
        &self,
        key: &str,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Message, NoAnswer> {
        let _ = key;
        self.ask(method, params, timeout)
    }
    /// End the HTTP response that carries this call now, without ending the call: the client
    /// comes back with `Last-Event-ID` for the rest (SSE polling). Outboxes without connections
    /// ignore it.
    fn end_response(&self) {}
}

/// Why a request to the client got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoAnswer {
    /// The call was cancelled or abandoned while waiting.
    Stopped(Stop),
    /// Nothing came back in time.
    TimedOut,
    /// There is no way to reach the client (no session, or a framing without a stream).
    Unreachable,
}

/// What a tool gets while it runs.
pub struct Context<'a> {
    /// The request's `params._meta.progressToken`, echoed exactly (string or number).
    pub progress_token: Option<Value>,
    /// How long one simulated step of work takes (`--step-delay-ms`).
    pub step_delay: Duration,
    /// The client declared the `elicitation` capability and the question can reach it: in the
    /// handshake era over the call's stream, in 2026-07-28 as an `input_required` result.
    pub can_elicit: bool,
    /// The same for `sampling`.
    pub can_sample: bool,
    /// 2026-07-28: a call that needs a capability the client did not declare is refused with
    /// -32021 ([`Stop::MissingCapability`]) instead of served a fallback. False in the handshake
    /// era, which has no such error: there a fallback keeps old clients working as they did.
    pub undeclared_is_refused: bool,
    /// How long to wait for the client's answer to a question.
    pub answer_timeout: Duration,
    pub outbox: &'a dyn Outbox,
}

impl Context<'_> {
    /// Report progress, if the client asked for it by sending a progress token.
    // SPEC progress: "The progress value MUST increase with each notification, even if the total is unknown."
    // (Each tool passes strictly increasing steps; see the weather tool's tests.)
    // ANCHOR: progress
    pub fn progress(&self, progress: u32, total: u32, message: &str) -> Result<(), Stop> {
        let Some(token) = &self.progress_token else {
            return Ok(());
        };
        self.outbox.send(Message::notification(
            "notifications/progress",
            json!({ "progressToken": token, "progress": progress, "total": total, "message": message }),
        ))
    }
    // ANCHOR_END: progress

    /// One step of (simulated) work.
    pub fn step(&self) -> Result<(), Stop> {
        self.outbox.pause(self.step_delay)
    }
}

/// A tool's answer: content for the model, structured data for programs, and whether it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    /// Content items: `{"type":"text","text":…}`, or image, audio and resource items.
    pub content: Vec<Value>,
    pub structured: Option<Value>,
    pub is_error: bool,
}

impl ToolResult {
    /// Text for the model plus the same facts as structured data (matching the `outputSchema`).
    pub fn ok(text: String, structured: Value) -> ToolResult {
        ToolResult {
            content: vec![text_item(&text)],
            structured: Some(structured),
            is_error: false,
        }
    }

    /// A result made of content items only.
    pub fn content(content: Vec<Value>) -> ToolResult {
        ToolResult {
            content,
            structured: None,
            is_error: false,
        }
    }

    /// A failure the model should see and may correct (bad input, unknown city): a *result* with
    /// `isError`, not a JSON-RPC error.
    // SPEC tools#error-handling (2025-11-25): input validation errors are reported "in the tool result" with isError
    pub fn error(text: String) -> ToolResult {
        ToolResult {
            content: vec![text_item(&text)],
            structured: None,
            is_error: true,
        }
    }

    /// The text of the first text item ("" if none): what a person reads.
    pub fn text(&self) -> &str {
        self.content
            .iter()
            .find_map(|c| c["text"].as_str())
            .unwrap_or("")
    }

    pub fn to_json(&self) -> Value {
        let mut r = json!({ "content": self.content, "isError": self.is_error });
        if let Some(s) = &self.structured {
            r["structuredContent"] = s.clone();
        }
        r
    }
}

/// A text content item.
pub fn text_item(text: &str) -> Value {
    json!({ "type": "text", "text": text })
}

/// One tool: its description for `tools/list` and the function that runs it.
pub struct Tool {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub input_schema: fn() -> Value,
    /// The shape of `structuredContent`, for tools that return it.
    pub output_schema: Option<fn() -> Value>,
    pub read_only: bool,
    pub run: fn(&Map<String, Value>, &Context) -> Result<ToolResult, Stop>,
}

impl Tool {
    /// The tool as `tools/list` shows it.
    pub fn describe(&self) -> Value {
        let mut d = json!({
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "inputSchema": (self.input_schema)(),
            "annotations": { "title": self.title, "readOnlyHint": self.read_only, "openWorldHint": false }
        });
        if let Some(schema) = self.output_schema {
            d["outputSchema"] = schema();
        }
        d
    }
}

pub fn find(tools: &'static [Tool], name: &str) -> Option<&'static Tool> {
    tools.iter().find(|t| t.name == name)
}

/// One page of `tools/list`.
///
/// The cursor is opaque to clients; ours is the index of the page's first tool, written as text.
/// A production server whose list can change between pages would put a version in it too.
///
/// # Errors
/// `-32602` for a cursor we did not make.
// SPEC pagination: "Invalid cursors SHOULD result in an error with code -32602 (Invalid params)."
pub fn list_page(
    tools: &[Tool],
    params: Option<&Value>,
    page_size: usize,
) -> Result<Value, ErrorObject> {
    let start = match params.and_then(|p| p.get("cursor")) {
        None | Some(Value::Null) => 0,
        Some(cursor) => cursor
            .as_str()
            .and_then(|c| c.strip_prefix("tools:"))
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n > 0 && n < tools.len())
            .ok_or_else(|| {
                ErrorObject::new(
                    INVALID_PARAMS,
                    format!("Invalid params: unknown cursor {cursor}"),
                )
            })?,
    };
    let end = (start + page_size.max(1)).min(tools.len());
    let mut page =
        json!({ "tools": tools[start..end].iter().map(Tool::describe).collect::<Vec<_>>() });
    if end < tools.len() {
        page["nextCursor"] = json!(format!("tools:{end}"));
    }
    Ok(page)
}

/// A checked `tools/call` request, ready to run.
#[derive(Debug, Clone)]
pub struct Call {
    pub tool: &'static Tool,
    pub arguments: Map<String, Value>,
    pub progress_token: Option<Value>,
}

impl std::fmt::Debug for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tool({})", self.name)
    }
}

impl Call {
    /// Read `tools/call` params.
    ///
    /// # Errors
    /// `-32602` for an unknown tool or malformed params. Bad *argument values* are not errors
    /// here: the tool reports them as an `isError` result.
    pub fn from_params(
        tools: &'static [Tool],
        params: Option<&Value>,
    ) -> Result<Call, ErrorObject> {
        let bad = |why: String| ErrorObject::new(INVALID_PARAMS, format!("Invalid params: {why}"));
        let params = params.ok_or_else(|| bad("tools/call needs params".into()))?;
        let name = params
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("\"name\" must be a string".into()))?;
        // SPEC tools#error-handling: unknown tools are a protocol error (-32602)
        let tool = find(tools, name)
            .ok_or_else(|| ErrorObject::new(INVALID_PARAMS, format!("Unknown tool: {name}")))?;
        let arguments = match params.get("arguments") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return Err(bad("\"arguments\" must be an object".into())),
        };
        // SPEC progress: "Progress tokens MUST be a string or integer value"
        let progress_token = match params.pointer("/_meta/progressToken") {
            None | Some(Value::Null) => None,
            Some(t @ Value::String(_)) => Some(t.clone()),
            Some(t @ Value::Number(n)) if n.is_i64() || n.is_u64() => Some(t.clone()),
            Some(_) => {
                return Err(bad(
                    "\"_meta.progressToken\" must be a string or an integer".into(),
                ))
            }
        };
        Ok(Call {
            tool,
            arguments,
            progress_token,
        })
    }

    /// Run the call and build its final response.
    ///
    /// # Errors
    /// [`Stop`] when it was stopped (cancelled or abandoned): then no response is sent.
    pub fn run(&self, id: RequestId, cx: &Context) -> Result<Message, Stop> {
        let result = (self.tool.run)(&self.arguments, cx)?;
        Ok(Message::result(id, result.to_json()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc::INVALID_PARAMS;

    fn schema() -> Value {
        json!({ "type": "object" })
    }
    fn nothing(_: &Map<String, Value>, _: &Context) -> Result<ToolResult, Stop> {
        Ok(ToolResult::content(Vec::new()))
    }
    const fn tool(name: &'static str) -> Tool {
        Tool {
            name,
            title: "A tool",
            description: "Does nothing, for these tests.",
            input_schema: schema,
            output_schema: Some(schema),
            read_only: true,
            run: nothing,
        }
    }
    /// Three tools, so that pages of one have a first, a middle and a last.
    const TOOLS: &[Tool] = &[tool("first"), tool("second"), tool("third")];

    #[test]
    fn unknown_tool_is_invalid_params_32602() {
        let err = Call::from_params(TOOLS, Some(&json!({"name": "nope"}))).unwrap_err();
        assert_eq!(err.code, INVALID_PARAMS);
        assert!(err.message.contains("nope"));
    }

    #[test]
    fn progress_token_must_be_string_or_integer() {
        let ok = Call::from_params(
            TOOLS,
            Some(&json!({"name": "first", "_meta": {"progressToken": 7}})),
        )
        .unwrap();
        assert_eq!(ok.progress_token, Some(json!(7)));
        let err = Call::from_params(
            TOOLS,
            Some(&json!({"name": "first", "_meta": {"progressToken": 1.5}})),
        );
        assert_eq!(err.unwrap_err().code, INVALID_PARAMS);
    }

    #[test]
    fn non_object_arguments_are_invalid_params() {
        let err = Call::from_params(TOOLS, Some(&json!({"name": "first", "arguments": [1]})))
            .unwrap_err();
        assert_eq!(err.code, INVALID_PARAMS);
    }

    #[test]
    fn pagination_walks_every_tool_once_with_page_size_one() {
        let mut names = Vec::new();
        let mut params = json!({});
        loop {
            let page = list_page(TOOLS, Some(&params), 1).unwrap();
            names.extend(
                page["tools"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t["name"].clone()),
            );
            match page.get("nextCursor") {
                Some(c) => params = json!({ "cursor": c }),
                None => break,
            }
        }
        assert_eq!(names, [json!("first"), json!("second"), json!("third")]);
    }

    #[test]
    fn invalid_cursor_is_invalid_params() {
        for cursor in [json!("garbage"), json!("tools:99"), json!(3)] {
            assert_eq!(
                list_page(TOOLS, Some(&json!({ "cursor": cursor })), 1)
                    .unwrap_err()
                    .code,
                INVALID_PARAMS
            );
        }
    }

    #[test]
    fn a_tool_is_described_with_its_schemas_and_hints() {
        let d = TOOLS[0].describe();
        assert_eq!(d["name"], "first");
        assert_eq!(d["inputSchema"]["type"], "object");
        assert_eq!(d["outputSchema"]["type"], "object");
        assert_eq!(d["annotations"]["readOnlyHint"], true);
    }
}
