//! The MCP payloads of the client's own requests, and the results it reads back, as plain Rust
//! values, with no I/O.
//!
//! Implements the client side of MCP 2025-11-25 `basic/lifecycle` §Initialization and §Version
//! Negotiation (the params we send, capabilities included; the answer we accept), and
//! `server/tools` §Listing Tools (one page and its `nextCursor`), §Calling Tools (the params, with
//! a progress token) and §Tool Result (text content, `structuredContent`, `isError`).
//!
//! Left out: content other than text is shown as a placeholder (`[image]`), not decoded;
//! `outputSchema` is not checked against `structuredContent` (a careful client would); the
//! `roots` and `sampling` capabilities.

use super::ClientError;
use crate::wire::{is_supported_version, LATEST_PROTOCOL_VERSION};
use serde_json::{json, Value};

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

/// The params of our `initialize` request.
///
/// Capabilities are promises: a server sends a client only the requests its capabilities cover.
/// So `elicitation` is declared only when the caller can really answer (a handler is set), and
/// roots and sampling never. The empty object `{}` means form mode (2025-11-25 reads it so, for
/// compatibility with 2025-06-18, where it was the only mode).
pub fn initialize_params(client_name: &str, elicitation: bool) -> Value {
    let mut capabilities = json!({});
    if elicitation {
        capabilities["elicitation"] = json!({});
    }
    json!({
        "protocolVersion": LATEST_PROTOCOL_VERSION,
        "capabilities": capabilities,
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
