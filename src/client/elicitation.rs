//! Answering the server's questions: `elicitation/create`, form mode.
//!
//! Implements the client side of MCP 2025-11-25 `client/elicitation` in form mode: the request
//! read (its `message` and `requestedSchema`), and the three answers turned into the result the
//! server reads. Sending it is `channel.rs`'s job; asking a person is the UI's (the CLI's terminal
//! prompt is `src/bin/mcp-client/ask.rs`).
//!
//! Left out: URL mode (new in 2025-11-25), which we do not declare and answer with `-32602`;
//! checking `content` against `requestedSchema` (the server must check what it receives anyway).
//!
//! # Why a callback and not a return value of `call_tool`?
//! The question arrives in the middle of a call, and the server waits for the answer before it
//! can finish: the call cannot return first. A callback runs right there, while the stream is open.

use serde_json::{json, Map, Value};

/// What the client's user is asked to answer. `Send`, so a client can move to another thread.
pub type ElicitationHandler = Box<dyn FnMut(&ElicitRequest) -> ElicitAnswer + Send>;

/// An `elicitation/create` request in form mode, read.
#[derive(Debug, Clone, PartialEq)]
pub struct ElicitRequest {
    /// The question, for a person to read.
    pub message: String,
    /// What the answer's `content` must look like: a JSON Schema object whose `properties` are
    /// flat and primitive (string, number, integer, boolean, or an enumeration), by the spec's rule.
    pub requested_schema: Value,
}

/// The user's answer.
// SPEC elicitation: the answer's action is "accept" (with content matching requestedSchema), "decline" or "cancel".
#[derive(Debug, Clone, PartialEq)]
pub enum ElicitAnswer {
    /// The user answered; the map's keys are the names of the schema's properties.
    Accept(Map<String, Value>),
    /// The user said no.
    Decline,
    /// The user walked away (closed the dialog, or there was nobody to ask).
    Cancel,
}

impl ElicitRequest {
    /// Read the params of an `elicitation/create` request, or say why not (for the `-32602`).
    pub fn from_params(params: Option<&Value>) -> Result<ElicitRequest, String> {
        let params = params.ok_or("elicitation/create needs params")?;
        let mode = params.get("mode").and_then(Value::as_str).unwrap_or("form");
        if mode != "form" {
            return Err(format!("this client answers form mode only, not {mode:?}"));
        }
        let message = params["message"].as_str();
        let message = message.ok_or("elicitation/create needs a \"message\"")?;
        let schema = &params["requestedSchema"];
        if !schema["properties"].is_object() {
            return Err(
                "elicitation/create needs a \"requestedSchema\" with \"properties\"".into(),
            );
        }
        Ok(ElicitRequest {
            message: message.to_string(),
            requested_schema: schema.clone(),
        })
    }
}

impl ElicitAnswer {
    /// The `result` of the JSON-RPC response that carries this answer.
    pub fn to_result(&self) -> Value {
        match self {
            ElicitAnswer::Accept(content) => json!({ "action": "accept", "content": content }),
            ElicitAnswer::Decline => json!({ "action": "decline" }),
            ElicitAnswer::Cancel => json!({ "action": "cancel" }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_request_is_read_with_its_message_and_schema() {
        let params = json!({"message": "Which?", "requestedSchema": {"type": "object",
            "properties": {"city": {"type": "string"}}}});
        let request = ElicitRequest::from_params(Some(&params)).unwrap();
        assert_eq!(request.message, "Which?");
        assert_eq!(request.requested_schema, params["requestedSchema"]);
    }

    #[test]
    fn url_mode_and_malformed_requests_are_refused_with_a_reason() {
        let url = json!({"mode": "url", "message": "m", "url": "https://x", "elicitationId": "1"});
        assert!(ElicitRequest::from_params(Some(&url))
            .unwrap_err()
            .contains("form mode only"));
        assert!(ElicitRequest::from_params(None).is_err());
        assert!(ElicitRequest::from_params(Some(&json!({"message": "m"}))).is_err());
        let no_properties = json!({"message": "m", "requestedSchema": {"type": "object"}});
        assert!(ElicitRequest::from_params(Some(&no_properties)).is_err());
    }

    // SPEC elicitation: the answer's action is "accept" (with content), "decline" or "cancel".
    #[test]
    fn answers_become_the_three_actions() {
        let mut content = Map::new();
        content.insert("city".into(), json!("Springfield, IL"));
        assert_eq!(
            ElicitAnswer::Accept(content).to_result(),
            json!({"action": "accept", "content": {"city": "Springfield, IL"}})
        );
        assert_eq!(
            ElicitAnswer::Decline.to_result(),
            json!({"action": "decline"})
        );
        assert_eq!(
            ElicitAnswer::Cancel.to_result(),
            json!({"action": "cancel"})
        );
    }
}
