//! The messages of a conversation, and the body of a chat-completions request.
//!
//! Implements no MCP specification: the wire format is OpenAI's `POST /v1/chat/completions`
//! (the de facto standard that local model servers copy): `{"model", "messages", "tools"}`.
//! Three roles are used: `user` (the question), `assistant` (the model's text or its
//! `tool_calls`), and `tool` (one result, tied to its call by `tool_call_id`).
//!
//! Left out: the `system` role (the tools' descriptions say enough), and every request field
//! but those three: `stream`, `tool_choice`, `temperature`, `max_tokens`, `n` and the rest are
//! left to the endpoint's defaults.

use super::reply::ToolCall;
use serde_json::{json, Value};

/// One message of the conversation, as the model will read it back on the next request.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatMessage {
    /// What the person asked.
    User(String),
    /// What the model said: text, tool calls, or both.
    Assistant {
        content: Option<String>,
        tool_calls: Vec<ToolCall>,
    },
    /// The result of one tool call, for the call with this id.
    Tool {
        tool_call_id: String,
        content: String,
    },
}

impl ChatMessage {
    pub fn to_json(&self) -> Value {
        match self {
            ChatMessage::User(text) => json!({ "role": "user", "content": text }),
            ChatMessage::Assistant {
                content,
                tool_calls,
            } => {
                let mut message = json!({ "role": "assistant", "content": content });
                // An empty `tool_calls` array is refused by some servers: leave the key out.
                if !tool_calls.is_empty() {
                    let calls: Vec<Value> = tool_calls.iter().map(ToolCall::to_json).collect();
                    message["tool_calls"] = Value::Array(calls);
                }
                message
            }
            ChatMessage::Tool {
                tool_call_id,
                content,
            } => json!({ "role": "tool", "tool_call_id": tool_call_id, "content": content }),
        }
    }
}

/// The whole request: the model's name, every message so far, and the tools it may call.
///
/// Every request carries the whole conversation: the endpoint is stateless, like a modern MCP
/// server. `tools` is left out when there are none, because OpenAI refuses an empty list.
pub fn request_body(model: &str, messages: &[ChatMessage], functions: &[Value]) -> Value {
    let messages: Vec<Value> = messages.iter().map(ChatMessage::to_json).collect();
    let mut body = json!({ "model": model, "messages": messages });
    if !functions.is_empty() {
        body["tools"] = Value::Array(functions.to_vec());
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_carries_model_messages_and_tools() {
        let call = ToolCall {
            id: "c1".into(),
            name: "get_weather".into(),
            arguments: r#"{"city":"Hangzhou"}"#.into(),
        };
        let messages = [
            ChatMessage::User("Weather in Hangzhou?".into()),
            ChatMessage::Assistant {
                content: None,
                tool_calls: vec![call],
            },
            ChatMessage::Tool {
                tool_call_id: "c1".into(),
                content: "Light rain".into(),
            },
        ];
        let tool = json!({"type": "function", "function": {"name": "get_weather"}});
        let body = request_body("m", &messages, std::slice::from_ref(&tool));
        assert_eq!(body["model"], "m");
        assert_eq!(body["tools"], json!([tool]));
        assert_eq!(
            body["messages"],
            json!([
                {"role": "user", "content": "Weather in Hangzhou?"},
                {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
                    "function": {"name": "get_weather", "arguments": "{\"city\":\"Hangzhou\"}"}}]},
                {"role": "tool", "tool_call_id": "c1", "content": "Light rain"}
            ])
        );
    }

    #[test]
    fn no_tools_and_no_tool_calls_leave_their_keys_out() {
        let messages = [ChatMessage::Assistant {
            content: Some("Hi".into()),
            tool_calls: Vec::new(),
        }];
        let body = request_body("m", &messages, &[]);
        assert!(body.get("tools").is_none(), "{body}");
        assert_eq!(
            body["messages"],
            json!([{"role": "assistant", "content": "Hi"}])
        );
    }
}
