//! The MCP payloads the client sends and reads, as plain Rust values, with no I/O.
//!
//! Implements the client side of MCP 2025-11-25 `basic/lifecycle` §Initialization and §Version
//! Negotiation (the params we send, the answer we accept), `basic/utilities/progress` (progress
//! notifications, matched to our call by their token), `server/tools` §Listing Tools (one page and
//! its `nextCursor`) and §Tool Result (text content, `structuredContent`, `isError`). It also reads
//! the tutorial's non-standard `{"jsonrpc":"2.0","id":1,"stream":"..."}` lines as progress.
//!
//! Left out: content other than text is shown as a placeholder (`[image]`), not decoded;
//! `outputSchema` is not checked against `structuredContent` (a careful client would).

use super::ClientError;
use crate::jsonrpc::{self, ErrorObject, Message, RequestId};
use crate::wire::{is_supported_version, LATEST_PROTOCOL_VERSION};
use serde_json::{json, Value};
use std::fmt;

/// One progress report of a running call.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// How far along; the spec makes it a number that increases with each report.
    pub progress: f64,
    pub total: Option<f64>,
    pub message: Option<String>,
}

impl fmt::Display for Progress {
    /// `1/3 Looking up Hangzhou…`; numbers without a fraction print as integers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.progress)?;
        if let Some(total) = self.total {
            write!(f, "/{total}")?;
        }
        if let Some(message) = &self.message {
            write!(f, " {message}")?;
        }
        Ok(())
    }
}

/// Something the server sent on a call's stream before the response.
///
/// # Why an enum and not one callback per kind?
/// One callback with a `match` keeps the call's signature small, and a new kind of message is a
/// new variant: a later issue adds answers to `Request` (for `elicitation/create`) without
/// changing how callers pass their callback.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// `notifications/progress` for our call's token, or a tutorial `stream` line.
    Progress(Progress),
    /// Any other notification (`notifications/message`, a progress of another token...).
    Notification {
        method: String,
        params: Option<Value>,
    },
    /// A server-to-client request. We declare no client capabilities, so a server should send
    /// none; the client answers `-32601 Method not found` for now.
    Request {
        id: RequestId,
        method: String,
        params: Option<Value>,
    },
}

/// One tool as `tools/list` describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub input_schema: Value,
}

/// A tool's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    /// The text items of `content`, joined with newlines (other items as `[type]`).
    pub text: String,
    pub structured: Option<Value>,
    /// The tool failed (bad input, unknown city): a *result* for the model, not a JSON-RPC error.
    pub is_error: bool,
    /// The full `result`, for callers who want the rest.
    pub raw: Value,
}

/// What one received message means for the request we are waiting for.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Show it to the caller and keep reading.
    Event(Incoming),
    /// The response: the call is over.
    Answer(Value),
    /// An error response to our request: the call is over.
    Failed(ErrorObject),
    /// A response to some other request; nothing to do with us, keep reading.
    Unrelated,
}

/// A request waiting for its response, and how to read what arrives meanwhile.
#[derive(Debug)]
pub struct Pending {
    pub id: RequestId,
    pub progress_token: Option<Value>,
    /// Tutorial `stream` lines carry no number, so we count them.
    stream_lines: u32,
}

impl Pending {
    pub fn new(id: RequestId, progress_token: Option<Value>) -> Pending {
        Pending {
            id,
            progress_token,
            stream_lines: 0,
        }
    }

    /// Read one received message.
    ///
    /// # Errors
    /// [`ClientError::Protocol`] when it is neither JSON-RPC nor a tutorial `stream` line.
    pub fn take(&mut self, value: Value) -> Result<Step, ClientError> {
        // The tutorial's lines are checked first: `jsonrpc::classify` would reject them, since
        // they have an id but neither `method`, `result` nor `error`.
        if let Some(text) = tutorial_stream_line(&value) {
            self.stream_lines += 1;
            return Ok(Step::Event(Incoming::Progress(Progress {
                progress: f64::from(self.stream_lines),
                total: None,
                message: Some(text.to_string()),
            })));
        }
        let message = jsonrpc::classify(value).map_err(|e| {
            ClientError::Protocol(format!("the server sent an invalid JSON-RPC message: {e}"))
        })?;
        Ok(match message {
            Message::Response { id, result } if id == self.id => Step::Answer(result),
            // An error whose id is null is about a request the server could not read: on this
            // request's own stream, that can only be ours.
            Message::Error { id, error } if id.is_none() || id.as_ref() == Some(&self.id) => {
                Step::Failed(error)
            }
            Message::Response { .. } | Message::Error { .. } => Step::Unrelated,
            Message::Notification { method, params } => {
                Step::Event(self.notification(method, params))
            }
            Message::Request { id, method, params } => {
                Step::Event(Incoming::Request { id, method, params })
            }
        })
    }

    fn notification(&self, method: String, params: Option<Value>) -> Incoming {
        if method == "notifications/progress" {
            let p = params.as_ref();
            let token = p.and_then(|p| p.get("progressToken"));
            let progress = p.and_then(|p| p.get("progress")).and_then(Value::as_f64);
            // SPEC progress: notifications "MUST only reference tokens that: Were provided in an active request"; another token is not ours to show as progress.
            if let (Some(progress), true) = (progress, token == self.progress_token.as_ref()) {
                return Incoming::Progress(Progress {
                    progress,
                    total: p.and_then(|p| p.get("total")).and_then(Value::as_f64),
                    message: p
                        .and_then(|p| p.get("message"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                });
            }
        }
        Incoming::Notification { method, params }
    }
}

/// The text of a tutorial line `{"jsonrpc":"2.0","id":1,"stream":"..."}`, if `value` is one.
pub fn tutorial_stream_line(value: &Value) -> Option<&str> {
    let object = value.as_object()?;
    if ["method", "result", "error"]
        .iter()
        .any(|k| object.contains_key(*k))
    {
        return None;
    }
    object.get("stream")?.as_str()
}

/// The params of our `initialize` request. We offer no client capabilities (no roots, sampling or
/// elicitation), which tells the server not to send us requests for them.
pub fn initialize_params(client_name: &str) -> Value {
    json!({
        "protocolVersion": LATEST_PROTOCOL_VERSION,
        "capabilities": {},
        "clientInfo": { "name": client_name, "version": env!("CARGO_PKG_VERSION") }
    })
}

/// The version the server chose, if we speak it.
///
/// # Errors
/// [`ClientError::UnsupportedVersion`] for a version we do not speak, [`ClientError::Protocol`]
/// when there is none.
// SPEC lifecycle#version-negotiation: "If the client does not support the version in the server's response, it SHOULD disconnect."
pub fn negotiated_version(result: &Value) -> Result<String, ClientError> {
    let version = result
        .get("protocolVersion")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            ClientError::Protocol("the initialize result has no protocolVersion".into())
        })?;
    if is_supported_version(version) {
        Ok(version.to_string())
    } else {
        Err(ClientError::UnsupportedVersion(version.to_string()))
    }
}

/// The params of `tools/call`. The progress token asks the server to report progress.
pub fn call_params(name: &str, arguments: Value, progress_token: &Value) -> Value {
    json!({
        "name": name,
        "arguments": arguments,
        "_meta": { "progressToken": progress_token }
    })
}

/// One page of `tools/list`: its tools and the cursor of the next page, if any.
///
/// # Errors
/// [`ClientError::Protocol`] when `tools` is missing or a tool has no name.
pub fn tools_page(result: &Value) -> Result<(Vec<Tool>, Option<String>), ClientError> {
    let bad = |why: &str| ClientError::Protocol(format!("tools/list result: {why}"));
    let list = result
        .get("tools")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("\"tools\" must be an array"))?;
    let text = |tool: &Value, key: &str| tool.get(key).and_then(Value::as_str).map(str::to_string);
    let mut tools = Vec::with_capacity(list.len());
    for tool in list {
        tools.push(Tool {
            name: text(tool, "name").ok_or_else(|| bad("a tool has no \"name\""))?,
            title: text(tool, "title"),
            description: text(tool, "description"),
            input_schema: tool.get("inputSchema").cloned().unwrap_or(Value::Null),
        });
    }
    // SPEC pagination: Clients SHOULD "Treat a missing `nextCursor` as the end of results" (null too).
    let next = result
        .get("nextCursor")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((tools, next))
}

impl ToolResult {
    /// Read a `tools/call` result.
    ///
    /// # Errors
    /// [`ClientError::Protocol`] when `content` is not an array.
    pub fn from_result(result: Value) -> Result<ToolResult, ClientError> {
        let content = result
            .get("content")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                ClientError::Protocol("tool result: \"content\" must be an array".into())
            })?;
        let text = content
            .iter()
            .map(|item| match item.get("text").and_then(Value::as_str) {
                Some(text) => text.to_string(),
                None => format!(
                    "[{}]",
                    item.get("type").and_then(Value::as_str).unwrap_or("?")
                ),
            })
            .collect::<Vec<_>>()
            .join("\n");
        Ok(ToolResult {
            text,
            structured: result.get("structuredContent").cloned(),
            is_error: result
                .get("isError")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            raw: result,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending() -> Pending {
        Pending::new(RequestId::Number(5), Some(json!("call-5")))
    }

    #[test]
    fn progress_with_our_token_becomes_progress_and_other_tokens_do_not() {
        let ours = json!({"jsonrpc":"2.0","method":"notifications/progress",
            "params":{"progressToken":"call-5","progress":1,"total":3,"message":"Looking up"}});
        let Step::Event(Incoming::Progress(p)) = pending().take(ours).unwrap() else {
            panic!()
        };
        assert_eq!(p.to_string(), "1/3 Looking up");
        let theirs = json!({"jsonrpc":"2.0","method":"notifications/progress",
            "params":{"progressToken":"other","progress":1}});
        assert!(matches!(
            pending().take(theirs).unwrap(),
            Step::Event(Incoming::Notification { .. })
        ));
    }

    #[test]
    fn tutorial_stream_lines_are_counted_as_progress() {
        let mut p = pending();
        for n in 1..=2 {
            let line = json!({"jsonrpc":"2.0","id":5,"stream":format!("chunk {n}")});
            let Step::Event(Incoming::Progress(progress)) = p.take(line).unwrap() else {
                panic!()
            };
            assert_eq!(progress.to_string(), format!("{n} chunk {n}"));
        }
        // The same object with a result is a response, not a stream line.
        assert!(tutorial_stream_line(&json!({"id":5,"stream":"x","result":{}})).is_none());
    }

    #[test]
    fn only_the_response_with_our_id_ends_the_call() {
        let mut p = pending();
        assert_eq!(
            p.take(json!({"jsonrpc":"2.0","id":4,"result":{}})).unwrap(),
            Step::Unrelated
        );
        assert_eq!(
            p.take(json!({"jsonrpc":"2.0","id":5,"result":{"ok":true}}))
                .unwrap(),
            Step::Answer(json!({"ok": true}))
        );
        let err =
            json!({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}});
        assert!(matches!(p.take(err).unwrap(), Step::Failed(e) if e.code == -32700));
    }

    #[test]
    fn server_requests_are_events_and_garbage_is_a_protocol_error() {
        let req = json!({"jsonrpc":"2.0","id":"s1","method":"elicitation/create","params":{}});
        assert!(matches!(
            pending().take(req).unwrap(),
            Step::Event(Incoming::Request { .. })
        ));
        assert!(matches!(
            pending().take(json!({"hello": 1})),
            Err(ClientError::Protocol(_))
        ));
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
        let (tools, next) = tools_page(&page).unwrap();
        assert_eq!(tools.len(), 2);
        assert_eq!(tools[0].description.as_deref(), Some("A"));
        assert_eq!(next.as_deref(), Some("n1"));
        let last = json!({"tools":[],"nextCursor":null});
        assert_eq!(tools_page(&last).unwrap().1, None);
        assert!(tools_page(&json!({"tools":[{"title":"x"}]})).is_err());
    }

    #[test]
    fn tool_result_joins_text_and_keeps_structured_content_and_is_error() {
        let r = ToolResult::from_result(json!({
            "content":[{"type":"text","text":"a"},{"type":"image","data":"..."},{"type":"text","text":"b"}],
            "structuredContent":{"t":1},"isError":true
        }))
        .unwrap();
        assert_eq!(r.text, "a\n[image]\nb");
        assert_eq!(r.structured, Some(json!({"t": 1})));
        assert!(r.is_error);
        assert!(
            !ToolResult::from_result(json!({"content": []}))
                .unwrap()
                .is_error
        );
        assert!(ToolResult::from_result(json!({})).is_err());
    }
}
