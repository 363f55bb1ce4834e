//! JSON-RPC 2.0, the envelope every MCP message travels in.
//!
//! Implements MCP 2025-11-25 `basic/index` §Messages (which profiles JSON-RPC 2.0): a message is a
//! request (`id` + `method`), a notification (`method`, no `id`), a result response (`id` +
//! `result`) or an error response (`id` + `error`). This module turns bytes into a [`Message`] and
//! back, and knows nothing of MCP methods, HTTP or sockets.
//!
//! Left out: batches. They existed in 2025-03-26 and were removed in 2025-06-18; an array body gets
//! a clear `-32600` error (see [`ParseError::Batch`]) rather than support.
//!
//! # Why not `#[serde(untagged)] enum Message`?
//! serde would pick a variant by trial and error, and a malformed message would fail with
//! "data did not match any variant", which tells a student nothing. Classifying by hand, field by
//! field, gives every rejection its own sentence and the right error code.

use serde_json::{json, Map, Value};
use std::fmt;

// The error codes JSON-RPC 2.0 reserves (spec §5.1). MCP adds no codes of its own for these
// failures; a server that invented `-1` for "bad JSON" would leave every client guessing. Codes
// from -32000 to -32099 are left to implementations: ours are in `wire.rs`.
pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;

/// A request id. MCP narrows JSON-RPC: "MUST be a string or integer", never null.
///
/// # Why keep the two kinds apart?
/// An answer must carry the id exactly as the request had it: `1` and `"1"` are different ids,
/// and a client matching answers to requests compares them as JSON. So we never turn one into the
/// other. (`Hash` because the server keys running calls by id, to find them on cancellation.)
/// Fractional numbers are refused: JSON-RPC discourages them, and equality of floats is a trap.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RequestId {
    Number(i64),
    String(String),
}

impl RequestId {
    /// The id in a JSON value: a string or an integer, or `None` for anything else.
    pub fn from_json(value: &Value) -> Option<RequestId> {
        match value {
            Value::String(s) => Some(RequestId::String(s.clone())),
            Value::Number(n) => n.as_i64().map(RequestId::Number),
            _ => None,
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            RequestId::Number(n) => json!(n),
            RequestId::String(s) => json!(s),
        }
    }
}

/// The `error` member of an error response.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorObject {
    pub code: i64,
    /// One sentence for a person. Ours say what to do next ("send initialize first"), because a
    /// student reading a curl transcript has nothing else to go on.
    pub message: String,
    /// Anything machine-readable; we send none, and keep what a peer sends.
    pub data: Option<Value>,
}

impl ErrorObject {
    pub fn new(code: i64, message: impl Into<String>) -> ErrorObject {
        ErrorObject {
            code,
            message: message.into(),
            data: None,
        }
    }
}

/// One JSON-RPC message, classified.
///
/// Four shapes, told apart by which members are present (see [`classify`]): a `method` makes a
/// request or a notification, and an `id` tells which; otherwise `result` or `error` makes a
/// response. Both ends send all four: the server's `elicitation/create` is a request too, and the
/// client's answer to it is a response in a POST of its own.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Request {
        id: RequestId,
        method: String,
        params: Option<Value>,
    },
    Notification {
        method: String,
        params: Option<Value>,
    },
    Response {
        id: RequestId,
        result: Value,
    },
    /// `id` is `None` when the failed message's id could not be read (JSON-RPC then sends `null`).
    Error {
        id: Option<RequestId>,
        error: ErrorObject,
    },
}

/// Why bytes are not a JSON-RPC message. "Expected" failures of the input, not bugs.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseError {
    /// Not JSON at all (or not UTF-8). JSON-RPC code -32700.
    NotJson(String),
    /// A JSON array: a batch, which MCP removed in 2025-06-18. Code -32600.
    Batch,
    /// JSON, but not a valid JSON-RPC message. Code -32600. Keeps the id when it could be read,
    /// so the error response can echo it.
    Invalid {
        id: Option<RequestId>,
        reason: String,
    },
}

impl ParseError {
    /// The JSON-RPC error a peer should receive for this failure.
    pub fn to_error_object(&self) -> ErrorObject {
        match self {
            ParseError::NotJson(why) => ErrorObject::new(PARSE_ERROR, format!("Parse error: {why}")),
            ParseError::Batch => ErrorObject::new(
                INVALID_REQUEST,
                "Invalid Request: JSON-RPC batches are not supported (removed in MCP 2025-06-18); send one message per POST",
            ),
            ParseError::Invalid { reason, .. } => {
                ErrorObject::new(INVALID_REQUEST, format!("Invalid Request: {reason}"))
            }
        }
    }

    /// The id to echo in the error response, if one could be read.
    pub fn id(&self) -> Option<RequestId> {
        match self {
            ParseError::Invalid { id, .. } => id.clone(),
            _ => None,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_error_object().message)
    }
}

impl std::error::Error for ParseError {}

/// Classify the bytes of one message.
///
/// A production server would also bound nesting depth before parsing; serde_json already stops at
/// 128 levels, which is why a 100k-deep body is a `-32700` and not a stack overflow (a test in
/// `tests/hostile/json.rs` holds it to that).
///
/// # Errors
/// [`ParseError`] says what is wrong, and [`ParseError::to_error_object`] turns it into the answer.
pub fn parse(bytes: &[u8]) -> Result<Message, ParseError> {
    // SPEC transports: "JSON-RPC messages MUST be UTF-8 encoded."
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ParseError::NotJson(format!("body is not UTF-8 ({e})")))?;
    let value: Value =
        serde_json::from_str(text).map_err(|e| ParseError::NotJson(e.to_string()))?;
    classify(value)
}

/// Classify an already-parsed JSON value.
pub fn classify(value: Value) -> Result<Message, ParseError> {
    let mut object = match value {
        Value::Object(object) => object,
        Value::Array(_) => return Err(ParseError::Batch),
        _ => return Err(invalid(None, "a message must be a JSON object")),
    };

    // Read the id first, so that every later rejection can echo it: a client with several
    // requests in flight can then tell which one was refused.
    let raw_id = object.remove("id");
    let id = match &raw_id {
        None => None,
        Some(v) => match RequestId::from_json(v) {
            Some(id) => Some(id),
            // A null id is how an error response says "I could not read your id".
            None if v.is_null() && object.contains_key("error") => None,
            None => return Err(invalid(None, "\"id\" must be a string or an integer")),
        },
    };

    // Exactly "2.0": JSON-RPC 1.0 peers send no `jsonrpc` member and follow other rules (there a
    // notification has `"id": null`, and a response carries both `result` and `error`), so
    // guessing what they meant would mislead both sides.
    if object.get("jsonrpc") != Some(&json!("2.0")) {
        return Err(invalid(id, "\"jsonrpc\" must be exactly \"2.0\""));
    }

    if let Some(method) = object.remove("method") {
        let Value::String(method) = method else {
            return Err(invalid(id, "\"method\" must be a string"));
        };
        let params = object.remove("params");
        // JSON-RPC allows by-position params (an array); MCP only ever sends objects, but the
        // envelope is JSON-RPC's, so an array is a well-formed message that a method refuses later.
        if let Some(p) = &params {
            if !p.is_object() && !p.is_array() {
                return Err(invalid(id, "\"params\" must be an object or an array"));
            }
        }
        return Ok(match id {
            Some(id) => Message::Request { id, method, params },
            // SPEC basic/index: notifications "MUST NOT include an ID"; no id means notification.
            None => Message::Notification { method, params },
        });
    }

    // Unknown members (`"foo": 1`) are ignored rather than refused, so that what a newer peer
    // adds does not break an older receiver.
    match (object.remove("result"), object.remove("error")) {
        (Some(result), None) => match id {
            Some(id) => Ok(Message::Response { id, result }),
            None => Err(invalid(None, "a result response needs an \"id\"")),
        },
        (None, Some(error)) => {
            let error = parse_error_object(&error).ok_or_else(|| {
                invalid(
                    id.clone(),
                    "\"error\" needs an integer \"code\" and a string \"message\"",
                )
            })?;
            Ok(Message::Error { id, error })
        }
        (Some(_), Some(_)) => Err(invalid(
            id,
            "a response has \"result\" or \"error\", not both",
        )),
        (None, None) => Err(invalid(
            id,
            "a message needs \"method\", \"result\" or \"error\"",
        )),
    }
}

fn parse_error_object(value: &Value) -> Option<ErrorObject> {
    Some(ErrorObject {
        code: value.get("code")?.as_i64()?,
        message: value.get("message")?.as_str()?.to_string(),
        data: value.get("data").cloned(),
    })
}

fn invalid(id: Option<RequestId>, reason: &str) -> ParseError {
    ParseError::Invalid {
        id,
        reason: reason.to_string(),
    }
}

impl Message {
    /// A successful response to request `id`.
    pub fn result(id: RequestId, result: Value) -> Message {
        Message::Response { id, result }
    }

    /// An error response; `id` is `None` when the request's id is unknown.
    pub fn error(id: Option<RequestId>, error: ErrorObject) -> Message {
        Message::Error { id, error }
    }

    pub fn notification(method: &str, params: Value) -> Message {
        Message::Notification {
            method: method.to_string(),
            params: Some(params),
        }
    }

    /// The message as a JSON value, members in the order a reader expects.
    ///
    /// The order (`jsonrpc`, `id`, `method`...) means nothing to a parser, but it is what a student
    /// sees in a transcript; serde_json's `preserve_order` feature keeps it as inserted.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("jsonrpc".into(), json!("2.0"));
        match self {
            Message::Request { id, method, params } => {
                m.insert("id".into(), id.to_json());
                m.insert("method".into(), json!(method));
                if let Some(p) = params {
                    m.insert("params".into(), p.clone());
                }
            }
            Message::Notification { method, params } => {
                m.insert("method".into(), json!(method));
                if let Some(p) = params {
                    m.insert("params".into(), p.clone());
                }
            }
            Message::Response { id, result } => {
                m.insert("id".into(), id.to_json());
                m.insert("result".into(), result.clone());
            }
            Message::Error { id, error } => {
                m.insert(
                    "id".into(),
                    id.as_ref().map_or(Value::Null, RequestId::to_json),
                );
                let mut e = Map::new();
                e.insert("code".into(), json!(error.code));
                e.insert("message".into(), json!(error.message));
                if let Some(d) = &error.data {
                    e.insert("data".into(), d.clone());
                }
                m.insert("error".into(), Value::Object(e));
            }
        }
        Value::Object(m)
    }

    /// Compact JSON text: one line, since JSON escapes every newline inside strings. SSE and
    /// NDJSON framing both rely on that.
    pub fn to_line(&self) -> String {
        self.to_json().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_notification_response_and_error_are_told_apart() {
        let kind = |text: &str| match parse(text.as_bytes()).unwrap() {
            Message::Request {
                id: RequestId::Number(1),
                ..
            } => "request",
            Message::Notification { .. } => "notification",
            Message::Response {
                id: RequestId::String(_),
                ..
            } => "response",
            Message::Error { id: None, error } if error == ErrorObject::new(-1, "x") => "error",
            other => panic!("misread as {other:?}"),
        };
        assert_eq!(
            kind(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#),
            "request"
        );
        assert_eq!(
            kind(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            "notification"
        );
        assert_eq!(
            kind(r#"{"jsonrpc":"2.0","id":"a","result":{}}"#),
            "response"
        );
        assert_eq!(
            kind(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"x"}}"#),
            "error"
        );
    }

    #[test]
    fn malformed_input_gets_parse_error_32700_or_invalid_request_32600() {
        let cases: [(&[u8], i64); 9] = [
            (b"{not json", PARSE_ERROR),
            (br#"{"jsonrpc":"2.0","id":1,"#, PARSE_ERROR),
            (b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}", PARSE_ERROR), // not UTF-8
            (br#"{"jsonrpc":"2.0","id":1,"method":42}"#, INVALID_REQUEST),
            (
                br#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
                INVALID_REQUEST,
            ),
            (
                br#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
                INVALID_REQUEST,
            ),
            (
                br#"{"jsonrpc":"2.0","id":1,"method":"ping","params":3}"#,
                INVALID_REQUEST,
            ),
            (br#"{"jsonrpc":"2.0","id":1}"#, INVALID_REQUEST),
            (br#""just a string""#, INVALID_REQUEST),
        ];
        for (bytes, code) in cases {
            let err = parse(bytes).unwrap_err();
            assert_eq!(
                err.to_error_object().code,
                code,
                "{}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn wrong_jsonrpc_version_is_invalid_request_32600_and_keeps_id() {
        let err = parse(br#"{"jsonrpc":"1.0","id":7,"method":"ping"}"#).unwrap_err();
        assert_eq!(err.to_error_object().code, INVALID_REQUEST);
        assert_eq!(err.id(), Some(RequestId::Number(7)));
    }

    #[test]
    fn batch_array_is_rejected_with_a_clear_message() {
        let err = parse(br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#).unwrap_err();
        assert_eq!(err, ParseError::Batch);
        assert_eq!(err.to_error_object().code, INVALID_REQUEST);
        assert!(err.to_string().contains("batches are not supported"));
    }

    #[test]
    fn to_line_round_trips_and_is_one_line() {
        let m = Message::result(RequestId::Number(3), json!({"text": "a\nb"}));
        let line = m.to_line();
        assert!(!line.contains('\n'));
        assert_eq!(parse(line.as_bytes()).unwrap(), m);
        assert!(line.starts_with(r#"{"jsonrpc":"2.0","id":3,"#));
    }

    #[test]
    fn error_without_id_serializes_null_id() {
        let m = Message::error(None, ErrorObject::new(PARSE_ERROR, "Parse error"));
        assert_eq!(m.to_json()["id"], Value::Null);
        assert_eq!(m.to_json()["error"]["code"], json!(-32700));
    }
}
