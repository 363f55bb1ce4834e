//! What makes a request modern, and how a modern result is read: revision 2026-07-28 on the
//! client's side, as plain functions of values.
//!
//! Implements MCP 2026-07-28 `basic/index` §_meta (every request carries its protocol version, the
//! client's capabilities and its info: there is no `initialize` to remember them), `basic/transports/
//! streamable-http` §Standard Request Headers (`Mcp-Method`, and `Mcp-Name` for the three methods
//! that name something), §ResultType (missing means complete, unknown is an error), and the client
//! requirements of `basic/patterns/mrtr` (an `input_required` result is answered, and the request
//! sent again with `inputResponses` and the `requestState` exactly as it came).
//! `MCP-Protocol-Version` is `channel.rs`'s, the `Mcp-Param-*` headers `tool_headers.rs`'s.
//!
//! Left out: `sampling/createMessage` and `roots/list` input requests (we declare neither
//! capability, so a server must not ask; if it does, the call fails and says so), URL-mode
//! elicitation, and `logLevel` (we ask for no log messages).
//!
//! # Why is the question now a result?
//! In 2025-11-25 a tool asked its question on the call's open stream and waited for a POST with
//! the answer: the server held the call, and its state, in memory. In 2026-07-28 the server
//! *returns* the question and forgets the call; the client asks the person and sends the whole
//! request again with the answer. Any server instance can take the second request.

use super::elicitation::{ElicitRequest, ElicitationHandler};
use super::handshake::client_info;
use super::ClientError;
use crate::header_value::encode_header_value;
use crate::wire::{HEADER_METHOD, HEADER_NAME, MODERN_PROTOCOL_VERSION};
use crate::wire::{META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_PROTOCOL_VERSION};
use serde_json::{json, Map, Value};

/// `params` with the per-request fields of the modern era added to its `_meta` (kept, if any:
/// a `progressToken` lives there too).
// SPEC basic (2026-07-28) §_meta: `io.modelcontextprotocol/protocolVersion` and `io.modelcontextprotocol/clientCapabilities` are REQUIRED on every request.
pub fn with_meta(params: Option<Value>, capabilities: &Value, client_name: &str) -> Value {
    let mut params = params.unwrap_or_else(|| json!({}));
    let meta = &mut params["_meta"];
    if !meta.is_object() {
        *meta = json!({});
    }
    meta[META_PROTOCOL_VERSION] = json!(MODERN_PROTOCOL_VERSION);
    meta[META_CLIENT_CAPABILITIES] = capabilities.clone();
    // Optional, but it is what a server's logs can name us by.
    meta[META_CLIENT_INFO] = client_info(client_name);
    params
}

/// `Mcp-Method` for every request, and `Mcp-Name` for the methods whose params name a target.
// SPEC streamable-http (2026-07-28) §Standard Request Headers: `Mcp-Method` for "All requests", `Mcp-Name` from "`params.name` or `params.uri`" for "`tools/call`, `resources/read`, `prompts/get`".
pub fn standard_headers(method: &str, params: &Value) -> Vec<(String, String)> {
    let mut headers = vec![(HEADER_METHOD.to_string(), method.to_string())];
    let name = match method {
        "tools/call" | "prompts/get" => params["name"].as_str(),
        "resources/read" => params["uri"].as_str(),
        _ => None,
    };
    if let Some(name) = name {
        // SPEC streamable-http (2026-07-28) §Standard Request Headers: a name that "cannot be safely represented as a plain ASCII header value" MUST use the Base64 sentinel format.
        headers.push((HEADER_NAME.to_string(), encode_header_value(name)));
    }
    headers
}

/// A modern result, by its `resultType`.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The answer itself.
    Complete(Value),
    /// The server needs something first.
    InputRequired(InputRequired),
}

/// An `input_required` result: the questions (`inputRequests`, by key) and the server's state.
#[derive(Debug, Clone, PartialEq)]
pub struct InputRequired {
    pub requests: Map<String, Value>,
    /// Opaque to us: sent back as it came, never read.
    pub state: Option<Value>,
}

/// Sort a result by its `resultType`.
///
/// # Errors
/// [`ClientError::Protocol`] for a `resultType` this client does not know: it cannot tell what
/// the rest of the result means, and guessing "complete" could show a question as an answer.
pub fn outcome(result: Value) -> Result<Outcome, ClientError> {
    match result.get("resultType").and_then(Value::as_str) {
        // SPEC basic (2026-07-28) §ResultType: a result without `resultType` is treated as "complete".
        None | Some("complete") => Ok(Outcome::Complete(result)),
        Some("input_required") => {
            let requests = match result.get("inputRequests") {
                None => Map::new(),
                Some(Value::Object(map)) => map.clone(),
                Some(other) => {
                    let why = format!("inputRequests must be an object, not {other}");
                    return Err(ClientError::Protocol(why));
                }
            };
            let state = result.get("requestState").cloned();
            Ok(Outcome::InputRequired(InputRequired { requests, state }))
        }
        Some(other) => Err(ClientError::Protocol(format!(
            "unknown resultType {other:?}"
        ))),
    }
}

impl InputRequired {
    /// The answers, by the keys of the questions: each `elicitation/create` goes to `handler`.
    ///
    /// # Errors
    /// [`ClientError::Protocol`] for a question we did not declare we could answer, or one that
    /// is not a valid `elicitation/create`.
    pub fn answer(
        &self,
        handler: Option<&mut ElicitationHandler>,
    ) -> Result<Map<String, Value>, ClientError> {
        let mut handler = handler;
        let mut answers = Map::new();
        for (key, request) in &self.requests {
            let method = request["method"].as_str().unwrap_or("(no method)");
            let refused =
                |why: String| ClientError::Protocol(format!("input request {key:?}: {why}"));
            let handler = match (method, handler.as_deref_mut()) {
                ("elicitation/create", Some(handler)) => handler,
                // SPEC mrtr (2026-07-28) §Server Requirements: servers "MUST NOT send an `inputRequests` that the client has not declared support for in its capabilities".
                _ => {
                    return Err(refused(format!(
                        "{method}, which this client did not declare"
                    )))
                }
            };
            let question = ElicitRequest::from_params(request.get("params")).map_err(refused)?;
            answers.insert(key.clone(), handler(&question).to_result());
        }
        Ok(answers)
    }

    /// The request's params for the retry: the original ones, with this round's answers and the
    /// server's state, and nothing from an earlier round.
    // SPEC mrtr (2026-07-28) §Client Requirements: "the client MUST echo back the exact value of that field"; without one, it "MUST NOT include one in the retry".
    pub fn retry_params(&self, original: &Value, answers: Map<String, Value>) -> Value {
        let mut params = original.clone();
        let Some(object) = params.as_object_mut() else {
            return params;
        };
        object.insert("inputResponses".into(), Value::Object(answers));
        match &self.state {
            Some(state) => object.insert("requestState".into(), state.clone()),
            None => object.remove("requestState"),
        };
        params
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ElicitAnswer;

    #[test]
    fn meta_carries_version_capabilities_and_info_and_keeps_the_progress_token() {
        let params = with_meta(
            Some(json!({ "name": "t", "_meta": { "progressToken": "p-1" } })),
            &json!({ "elicitation": {} }),
            "me",
        );
        let meta = &params["_meta"];
        assert_eq!(meta["progressToken"], "p-1");
        assert_eq!(meta[META_PROTOCOL_VERSION], MODERN_PROTOCOL_VERSION);
        assert_eq!(meta[META_CLIENT_CAPABILITIES], json!({ "elicitation": {} }));
        assert_eq!(meta[META_CLIENT_INFO]["name"], "me");
        assert_eq!(
            with_meta(None, &json!({}), "me")["_meta"][META_CLIENT_CAPABILITIES],
            json!({})
        );
    }

    #[test]
    fn mcp_name_is_sent_for_the_three_naming_methods_only_and_encoded_when_unsafe() {
        let call = standard_headers("tools/call", &json!({ "name": "wetter_für" }));
        assert_eq!(
            call[0],
            (HEADER_METHOD.to_string(), "tools/call".to_string())
        );
        assert_eq!(call[1].1, "=?base64?d2V0dGVyX2bDvHI=?=");
        let read = standard_headers("resources/read", &json!({ "uri": "file:///a" }));
        assert_eq!(read[1].1, "file:///a");
        assert_eq!(
            standard_headers("tools/list", &json!({ "name": "x" })).len(),
            1
        );
    }

    #[test]
    fn a_missing_result_type_is_complete_and_an_unknown_one_an_error() {
        let plain = json!({ "content": [] });
        assert_eq!(outcome(plain.clone()), Ok(Outcome::Complete(plain)));
        assert!(matches!(
            outcome(json!({ "resultType": "later" })),
            Err(ClientError::Protocol(_))
        ));
        let asked =
            json!({ "resultType": "input_required", "inputRequests": {}, "requestState": "s" });
        let Ok(Outcome::InputRequired(input)) = outcome(asked) else {
            panic!()
        };
        assert_eq!(input.state, Some(json!("s")));
    }

    fn question() -> InputRequired {
        let params = json!({ "message": "Which?", "requestedSchema": { "type": "object", "properties": { "c": { "type": "string" } } } });
        let mut requests = Map::new();
        requests.insert(
            "city".into(),
            json!({ "method": "elicitation/create", "params": params }),
        );
        InputRequired {
            requests,
            state: Some(json!("opaque+/=")),
        }
    }

    #[test]
    fn elicitations_are_answered_by_the_handler_and_other_methods_refused() {
        let mut handler: ElicitationHandler = Box::new(|q| {
            assert_eq!(q.message, "Which?");
            ElicitAnswer::Decline
        });
        let answers = question().answer(Some(&mut handler)).unwrap();
        assert_eq!(answers["city"], json!({ "action": "decline" }));
        assert!(
            question().answer(None).is_err(),
            "no handler, no elicitation declared"
        );
        let mut sampling = question();
        sampling
            .requests
            .insert("s".into(), json!({ "method": "sampling/createMessage" }));
        let err = sampling.answer(Some(&mut handler)).unwrap_err();
        assert!(err.to_string().contains("sampling/createMessage"), "{err}");
    }

    #[test]
    fn the_retry_echoes_the_state_exactly_and_replaces_earlier_answers() {
        let original =
            json!({ "name": "t", "inputResponses": { "old": {} }, "requestState": "old" });
        let mut answers = Map::new();
        answers.insert("city".into(), json!({ "action": "cancel" }));
        let retry = question().retry_params(&original, answers);
        assert_eq!(retry["requestState"], "opaque+/=");
        assert_eq!(
            retry["inputResponses"],
            json!({ "city": { "action": "cancel" } })
        );
        assert_eq!(retry["name"], "t");
        let stateless = InputRequired {
            requests: Map::new(),
            state: None,
        };
        let retry = stateless.retry_params(&original, Map::new());
        assert!(retry.get("requestState").is_none(), "no state in, none out");
    }
}
