//! A chat-completions response read into plain values, and what can go wrong with one.
//!
//! Implements no MCP specification. The wire format (OpenAI's, copied by local servers): `{"choices": [{"message": {"role":
//! "assistant", "content", "tool_calls": [{"id", "type": "function", "function": {"name",
//! "arguments"}}], "refusal"}, "finish_reason"}]}`. Only `choices[0]` is read: we never ask for
//! more than one (`n` is left at 1). `arguments` is a *string* the model wrote, meant to be JSON;
//! whether it is, is decided later (`turn.rs`), because a model that writes bad JSON is told so
//! rather than dropped.
//!
//! Forgiving where local servers differ, and saying so: a tool call without an `id` gets one
//! (`call_0`, `call_1`...); `arguments` given as an object instead of a string is accepted as its
//! JSON text, and missing `arguments` as `"{}"`. Everything else that is missing is an error.
//!
//! Left out: every other field of a response (`usage`, `logprobs`, `system_fingerprint`,
//! annotations), choices after the first, and streamed chunks (`"stream": true` is never asked
//! for).

use serde_json::{json, Value};
use std::fmt;

/// One tool call the model asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub id: String,
    /// The function name, as the model was given it (`weather__get_weather`, not `weather.get_weather`).
    pub name: String,
    /// What the model wrote as arguments: JSON text, or so it should be.
    pub arguments: String,
}

impl ToolCall {
    pub fn to_json(&self) -> Value {
        json!({ "id": self.id, "type": "function",
                "function": { "name": self.name, "arguments": self.arguments } })
    }
}

/// `choices[0]` of a response.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub content: Option<String>,
    pub tool_calls: Vec<ToolCall>,
    /// `stop`, `tool_calls`, `length`, `content_filter`...; `None` when the server sent none.
    pub finish_reason: Option<String>,
    /// OpenAI's `refusal`: the model declined, and this is its explanation.
    pub refusal: Option<String>,
}

/// Why the model endpoint gave no usable reply. Every one ends `mcp-client chat` with exit 3.
#[derive(Debug, Clone, PartialEq)]
pub enum ChatError {
    /// A status other than 2xx, with the endpoint's own message when its body had one.
    Status { status: u16, message: String },
    /// A 2xx whose body is not JSON.
    NotJson(String),
    /// JSON, but `choices` is missing or empty.
    NoChoices,
    /// `choices[0]` is not shaped like a chat-completions message.
    Malformed(String),
}

impl fmt::Display for ChatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChatError::Status { status, message } => {
                write!(f, "the model endpoint answered {status}: {message}")
            }
            ChatError::NotJson(why) => write!(f, "the model's answer is not JSON ({why})"),
            ChatError::NoChoices => write!(f, "the model's answer has no choices"),
            ChatError::Malformed(why) => write!(f, "the model's answer is malformed: {why}"),
        }
    }
}

/// Read a 2xx response body.
///
/// # Errors
/// [`ChatError::NotJson`], [`ChatError::NoChoices`] or [`ChatError::Malformed`].
pub fn parse_reply(body: &str) -> Result<Reply, ChatError> {
    let value: Value = serde_json::from_str(body).map_err(|e| ChatError::NotJson(e.to_string()))?;
    let Some(choice) = value["choices"].as_array().and_then(|c| c.first()) else {
        return Err(ChatError::NoChoices);
    };
    let message = &choice["message"];
    if !message.is_object() {
        return Err(ChatError::Malformed(
            "choices[0] has no \"message\" object".into(),
        ));
    }
    let calls = match &message["tool_calls"] {
        Value::Null => Vec::new(),
        Value::Array(calls) => calls.clone(),
        _ => {
            return Err(ChatError::Malformed(
                "\"tool_calls\" is not an array".into(),
            ))
        }
    };
    let tool_calls = calls
        .iter()
        .enumerate()
        .map(|(i, call)| read_call(i, call))
        .collect::<Result<_, _>>()?;
    let text = |v: &Value| v.as_str().map(str::to_string);
    Ok(Reply {
        content: text(&message["content"]),
        tool_calls,
        finish_reason: text(&choice["finish_reason"]),
        refusal: text(&message["refusal"]),
    })
}

fn read_call(index: usize, call: &Value) -> Result<ToolCall, ChatError> {
    let function = &call["function"];
    let Some(name) = function["name"].as_str() else {
        let why = format!("tool_calls[{index}] has no function name");
        return Err(ChatError::Malformed(why));
    };
    let arguments = match &function["arguments"] {
        Value::String(text) => text.clone(),
        // Missing: a call without parameters. `{}`, not `""`, because this text goes back to the
        // model in the conversation, and a server that checks it wants JSON there.
        Value::Null => "{}".to_string(),
        // Not the format, but what some servers send: the object itself. Its text is the same.
        other => other.to_string(),
    };
    // Without an id the result could not be tied to its call; one of our own does as well,
    // because the id only has to be unique within this reply.
    let id = call["id"]
        .as_str()
        .map_or_else(|| format!("call_{index}"), str::to_string);
    Ok(ToolCall {
        id,
        name: name.to_string(),
        arguments,
    })
}

/// A non-2xx answer as a [`ChatError::Status`], with the endpoint's message: OpenAI and vLLM
/// send `{"error": {"message": ...}}`, Ollama and llama.cpp `{"error": "..."}` or the former;
/// anything else is shown as its first 200 characters.
pub fn status_error(status: u16, body: &str) -> ChatError {
    let value: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let error = &value["error"];
    let message = match (error["message"].as_str(), error.as_str()) {
        (Some(text), _) | (None, Some(text)) => text.to_string(),
        (None, None) if body.trim().is_empty() => "(no body)".to_string(),
        (None, None) => body.trim().chars().take(200).collect(),
    };
    ChatError::Status { status, message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_with_tool_calls_keeps_their_ids_names_and_argument_text() {
        let body = json!({"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
        "role": "assistant", "content": null, "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "f", "arguments": "{\"x\":1}"}},
            {"id": "b", "type": "function", "function": {"name": "g", "arguments": "not json"}}
        ]}}]});
        let reply = parse_reply(&body.to_string()).unwrap();
        assert_eq!(reply.content, None);
        assert_eq!(reply.finish_reason.as_deref(), Some("tool_calls"));
        assert_eq!(reply.tool_calls.len(), 2);
        assert_eq!(reply.tool_calls[0].arguments, r#"{"x":1}"#);
        assert_eq!(
            (
                reply.tool_calls[1].id.as_str(),
                reply.tool_calls[1].name.as_str()
            ),
            ("b", "g")
        );
        assert_eq!(reply.tool_calls[1].arguments, "not json");
    }

    #[test]
    fn a_text_reply_and_a_refusal_are_read() {
        let body = r#"{"choices":[{"message":{"role":"assistant","content":"Rainy."},"finish_reason":"stop"}]}"#;
        let reply = parse_reply(body).unwrap();
        assert_eq!(reply.content.as_deref(), Some("Rainy."));
        assert!(reply.tool_calls.is_empty() && reply.refusal.is_none());
        let body = r#"{"choices":[{"message":{"content":null,"refusal":"I cannot."}}]}"#;
        assert_eq!(
            parse_reply(body).unwrap().refusal.as_deref(),
            Some("I cannot.")
        );
    }

    #[test]
    fn local_server_quirks_get_an_id_and_object_arguments_as_text() {
        let body = json!({"choices": [{"message": {"tool_calls": [
            {"function": {"name": "f", "arguments": {"x": 1}}}]}}]});
        let call = &parse_reply(&body.to_string()).unwrap().tool_calls[0];
        assert_eq!(
            (call.id.as_str(), call.arguments.as_str()),
            ("call_0", r#"{"x":1}"#)
        );
        let body = json!({"choices": [{"message": {"tool_calls": [
            {"id": "a", "function": {"name": "f"}}]}}]});
        let call = &parse_reply(&body.to_string()).unwrap().tool_calls[0];
        assert_eq!(
            call.arguments, "{}",
            "missing arguments are sent back as an empty object"
        );
    }

    #[test]
    fn no_choices_not_json_and_bad_shapes_are_errors() {
        assert_eq!(parse_reply(r#"{"choices":[]}"#), Err(ChatError::NoChoices));
        assert_eq!(parse_reply(r#"{"id":"x"}"#), Err(ChatError::NoChoices));
        assert!(matches!(parse_reply("<html>"), Err(ChatError::NotJson(_))));
        assert!(matches!(
            parse_reply(r#"{"choices":[{"text":"old completions API"}]}"#),
            Err(ChatError::Malformed(_))
        ));
        assert!(matches!(
            parse_reply(r#"{"choices":[{"message":{"tool_calls":[{"function":{}}]}}]}"#),
            Err(ChatError::Malformed(_))
        ));
    }

    #[test]
    fn a_status_error_shows_the_endpoints_own_message() {
        let openai =
            r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#;
        assert_eq!(
            status_error(401, openai).to_string(),
            "the model endpoint answered 401: Incorrect API key provided"
        );
        let ollama = r#"{"error":"model \"llama9\" not found, try pulling it first"}"#;
        assert!(status_error(404, ollama)
            .to_string()
            .ends_with("try pulling it first"));
        assert!(status_error(502, "Bad Gateway\n")
            .to_string()
            .ends_with(": Bad Gateway"));
        assert!(status_error(500, "").to_string().ends_with("(no body)"));
    }
}
