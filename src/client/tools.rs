//! What `tools/list` and `tools/call` return, read into plain values.
//!
//! Implements the client side of MCP 2025-11-25 and 2026-07-28 `server/tools`: a tool's name,
//! title, description and `inputSchema`; a page of the list with its `nextCursor`; a call's
//! `content`, `structuredContent` and `isError`. Pure: JSON in, values out.
//!
//! Left out: `outputSchema` (kept in the JSON, not checked against `structuredContent`), icons,
//! annotations, and content other than text (shown as `[image]`, `[audio]`...).

use super::ClientError;
use serde::Deserialize;
use serde_json::Value;

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
pub(super) struct ToolsPage {
    pub(super) tools: Vec<ToolInfo>,
    // SPEC pagination: Clients SHOULD "Treat a missing `nextCursor` as the end of results" (null too).
    pub(super) next_cursor: Option<String>,
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

impl CallResult {
    /// Read a `tools/call` result: text content, `structuredContent`, `isError`.
    pub(super) fn from_result(result: Value) -> Result<CallResult, ClientError> {
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
    use serde_json::json;

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
