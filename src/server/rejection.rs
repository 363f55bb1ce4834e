//! Every way the endpoint can refuse a request, and the one function that turns a refusal into an
//! HTTP status and a JSON-RPC error.
//!
//! Implements the error statuses of MCP 2025-11-25 `basic/transports` (400, 403, 404, 405) and the
//! ones the spec leaves to us but the official SDKs agree on (401, 406, 409, 411, 413, 415, 500,
//! 503). The body of every refusal is a JSON-RPC error response. It carries the request's id when
//! the body was read far enough to have one (a client can then match the error to its request),
//! and `null` otherwise, "without id" as the spec allows for 403.
//!
//! # Why one enum for the whole endpoint?
//! Each check (`security`, `session`, the POST rules) returns `Result<_, Rejection>` and the handler
//! uses `?`. The status table then lives in exactly one place, [`Rejection::status`], instead of
//! being decided again at every `return`.

use crate::jsonrpc::{
    ErrorObject, Message, ParseError, RequestId, INTERNAL_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND,
};
use crate::server::response::Whole;
use crate::wire::{
    HEADER_MISMATCH, MAX_BODY_BYTES, MAX_HEAD_BYTES, MCP_PATH, MIME_JSON,
    MISSING_REQUIRED_CLIENT_CAPABILITY, MODERN_PROTOCOL_VERSION, SESSION_NOT_FOUND,
    SUPPORTED_PROTOCOL_VERSIONS, TRANSPORT_ERROR, UNSUPPORTED_PROTOCOL_VERSION,
};

#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// The body is not a JSON-RPC message.
    BadMessage(ParseError),
    /// A request other than `initialize` arrived without `Mcp-Session-Id`.
    MissingSession,
    /// The session id is unknown, expired or deleted.
    UnknownSession,
    /// 2024-11-05: `?sessionId=` names no session (never opened, or its SSE connection is gone).
    UnknownSseSession,
    /// `MCP-Protocol-Version` names a revision we do not speak.
    UnsupportedProtocolVersion(String),
    /// A well-formed request that breaks a transport rule (the text says which).
    BadRequest(String),
    /// Missing or wrong bearer token.
    Unauthorized,
    /// `Origin` or `Host` is not allowed (DNS rebinding protection).
    Forbidden(String),
    /// A path other than the MCP endpoint.
    NotFound,
    /// An HTTP method the endpoint does not offer; carries the value of the `Allow` header.
    MethodNotAllowed(&'static str),
    /// The `Accept` header of a POST allows none of the framings we can produce.
    NotAcceptable,
    /// The `Accept` header of a GET does not allow `text/event-stream`, the only thing a GET
    /// answers with. Its own variant so that its message names that one type, not the POST's three.
    GetNotAcceptable,
    /// The GET stream of this session is already open.
    Conflict(String),
    /// A POST without `Content-Length` or `Transfer-Encoding`.
    LengthRequired,
    /// The body is larger than the cap.
    PayloadTooLarge,
    /// The request body is not `application/json`.
    UnsupportedMediaType,
    /// Too many requests in flight; carries the `Retry-After` seconds.
    Overloaded(u32),
    // LAB: lab 6 (cap the calls per session): `429 Too Many Requests` is not in this table yet: add
    // a variant (and its rows in `status`, `to_error_object` and `headers`).
    /// An `initialize` while `--max-sessions` sessions are live; carries the limit.
    TooManySessions(usize),
    /// Our failure, not the client's (the OS random source failed, say); the text says what.
    /// The client may retry; nothing it could change would help.
    Internal(String),
    /// Modern era: `params._meta` is missing what every request must carry (-32602).
    MissingMeta(crate::jsonrpc::ErrorObject),
    /// Modern era: a header does not match the body, or is missing (-32020).
    HeaderMismatch(String),
    /// Modern era: a version we do not speak; carries the one requested (-32022).
    UnsupportedModernVersion(String),
    /// Modern era: no such method in this revision (404 + -32601).
    MethodNotFound(String),
    /// Modern era: a `requestState` that is not ours, was changed, expired, or answers another
    /// request; or answers (`inputResponses`) without the state they belong to (-32602).
    BadRequestState(crate::server::request_state::BadState),
    /// Modern era: the request needs a capability the client did not declare (-32021).
    MissingCapability(&'static str),
    /// A part of HTTP we do not implement (a `Transfer-Encoding` other than `chunked`).
    NotImplemented(String),
    /// HTTP/0.9: no headers, so no Host, no length, no session; nothing of MCP fits in it.
    HttpVersionNotSupported,
    /// The request's header lines together are larger than we read (`MAX_HEAD_BYTES`).
    HeadersTooLarge,
}

/// The `Retry-After` of [`Rejection::TooManySessions`]. A place frees when a client ends its
/// session or a session idles out, and the server cannot know when that will be: this is a guess
/// that keeps a well-behaved client from asking again at once.
pub const SESSIONS_RETRY_AFTER_SECS: u32 = 5;

impl Rejection {
    /// The HTTP status of each refusal. This is the table.
    ///
    /// | status | when |
    /// |---|---|
    /// | 400 | bad JSON-RPC, missing session id, unsupported `MCP-Protocol-Version`, other rule breaks |
    /// | 401 | missing or wrong bearer token |
    /// | 403 | `Origin` / `Host` not allowed |
    /// | 400 | (modern) `_meta` incomplete (-32602), header mismatch (-32020), unsupported version (-32022) |
    /// | 404 | unknown session (2024-11-05: its SSE connection is gone), or not the MCP path; (modern) no such method (-32601) |
    /// | 405 | HTTP method not offered (with `Allow`) |
    /// | 406 | `Accept` allows no framing we produce (a GET: no `text/event-stream`) |
    /// | 409 | a second GET stream for one session |
    /// | 411 | POST without a body length |
    /// | 413 | body over 1 MiB |
    /// | 415 | body not `application/json` |
    /// | 431 | header lines over 64 KiB together |
    /// | 500 | our own failure (no session id could be made) |
    /// | 501 | a `Transfer-Encoding` other than `chunked` |
    /// | 503 | too many requests in flight, or sessions (with `Retry-After`) |
    /// | 505 | HTTP/0.9 |
    pub fn status(&self) -> u16 {
        match self {
            Rejection::BadMessage(_)
            | Rejection::MissingSession
            | Rejection::UnsupportedProtocolVersion(_)
            | Rejection::BadRequest(_)
            | Rejection::MissingMeta(_)
            | Rejection::HeaderMismatch(_)
            | Rejection::UnsupportedModernVersion(_)
            | Rejection::BadRequestState(_)
            | Rejection::MissingCapability(_) => 400,
            Rejection::Unauthorized => 401,
            Rejection::Forbidden(_) => 403,
            Rejection::UnknownSession
            | Rejection::UnknownSseSession
            | Rejection::NotFound
            | Rejection::MethodNotFound(_) => 404,
            Rejection::MethodNotAllowed(_) => 405,
            Rejection::NotAcceptable | Rejection::GetNotAcceptable => 406,
            Rejection::Conflict(_) => 409,
            Rejection::LengthRequired => 411,
            Rejection::PayloadTooLarge => 413,
            Rejection::UnsupportedMediaType => 415,
            Rejection::HeadersTooLarge => 431,
            Rejection::Internal(_) => 500,
            Rejection::NotImplemented(_) => 501,
            Rejection::Overloaded(_) | Rejection::TooManySessions(_) => 503,
            Rejection::HttpVersionNotSupported => 505,
        }
    }

    /// The JSON-RPC error that goes in the body.
    pub fn to_error_object(&self) -> ErrorObject {
        let (code, message) = match self {
            Rejection::BadMessage(e) => return e.to_error_object(),
            Rejection::MissingMeta(error) => return error.clone(),
            Rejection::MissingCapability(capability) => {
                let mut e = ErrorObject::new(
                    MISSING_REQUIRED_CLIENT_CAPABILITY,
                    format!("Missing required client capability: this request needs {capability:?}, which _meta's clientCapabilities does not declare"),
                );
                // SPEC schema (2026-07-28): `data.requiredCapabilities` is a ClientCapabilities object.
                e.data = Some(serde_json::json!({ "requiredCapabilities": { *capability: {} } }));
                return e;
            }
            Rejection::UnsupportedModernVersion(requested) => {
                // A version is ten characters; a 1 MiB header is not echoed back twice over.
                let requested: String = requested.chars().take(64).collect();
                let mut e = ErrorObject::new(
                    UNSUPPORTED_PROTOCOL_VERSION,
                    format!(
                        "Unsupported protocol version {requested:?}: this server speaks {MODERN_PROTOCOL_VERSION}, \
                         and {} after an initialize",
                        SUPPORTED_PROTOCOL_VERSIONS.join(", ")
                    ),
                );
                // SPEC schema (2026-07-28): UnsupportedProtocolVersionError carries `data: {supported, requested}`.
                e.data = Some(serde_json::json!({ "supported": [MODERN_PROTOCOL_VERSION], "requested": requested }));
                return e;
            }
            Rejection::HeaderMismatch(why) => (HEADER_MISMATCH, format!("Header mismatch: {why}")),
            Rejection::BadRequestState(bad) => (
                crate::jsonrpc::INVALID_PARAMS,
                format!(
                    "Invalid params: requestState {}; send the request again without inputResponses",
                    match bad {
                        crate::server::request_state::BadState::Tampered => "failed its integrity check (changed, or not ours)",
                        crate::server::request_state::BadState::Expired => "has expired",
                        crate::server::request_state::BadState::Foreign => "belongs to another request",
                    }
                ),
            ),
            Rejection::MethodNotFound(method) => (METHOD_NOT_FOUND, format!("Method not found: {method}")),
            Rejection::MissingSession => (
                TRANSPORT_ERROR,
                "Bad Request: Mcp-Session-Id header is required (send initialize first)".to_string(),
            ),
            Rejection::UnknownSession => (
                SESSION_NOT_FOUND,
                "Session not found: it expired or was deleted; send a new initialize without Mcp-Session-Id".to_string(),
            ),
            Rejection::UnknownSseSession => (
                SESSION_NOT_FOUND,
                "Session not found: its SSE connection closed, and the session with it; open GET /sse again".to_string(),
            ),
            Rejection::UnsupportedProtocolVersion(v) => (
                INVALID_REQUEST,
                format!(
                    "Bad Request: unsupported MCP-Protocol-Version {v:?} (supported: {})",
                    SUPPORTED_PROTOCOL_VERSIONS.join(", ")
                ),
            ),
            Rejection::BadRequest(why) => (INVALID_REQUEST, format!("Bad Request: {why}")),
            Rejection::Unauthorized => (
                TRANSPORT_ERROR,
                "Unauthorized: send Authorization: Bearer <token>".to_string(),
            ),
            Rejection::Forbidden(why) => (TRANSPORT_ERROR, format!("Forbidden: {why}")),
            Rejection::NotFound => (
                TRANSPORT_ERROR,
                format!("Not Found: the MCP endpoint is {MCP_PATH}"),
            ),
            Rejection::MethodNotAllowed(allow) => (
                TRANSPORT_ERROR,
                format!("Method Not Allowed: use {allow}"),
            ),
            Rejection::NotAcceptable => (
                TRANSPORT_ERROR,
                "Not Acceptable: Accept must allow application/json, text/event-stream or application/x-ndjson".to_string(),
            ),
            // SPEC transports#listening: "The client MUST include an Accept header, listing text/event-stream as a supported content type."
            Rejection::GetNotAcceptable => (
                TRANSPORT_ERROR,
                "Not Acceptable: a GET is answered only with an SSE stream; Accept must list text/event-stream".to_string(),
            ),
            Rejection::Conflict(why) => (TRANSPORT_ERROR, format!("Conflict: {why}")),
            Rejection::LengthRequired => (
                TRANSPORT_ERROR,
                "Length Required: send Content-Length or Transfer-Encoding: chunked".to_string(),
            ),
            Rejection::PayloadTooLarge => (
                TRANSPORT_ERROR,
                format!("Payload Too Large: the limit is {MAX_BODY_BYTES} bytes"),
            ),
            Rejection::UnsupportedMediaType => (
                TRANSPORT_ERROR,
                "Unsupported Media Type: Content-Type must be application/json".to_string(),
            ),
            Rejection::Overloaded(_) => (
                TRANSPORT_ERROR,
                "Service Unavailable: too many requests in flight, retry later".to_string(),
            ),
            Rejection::TooManySessions(max) => (
                TRANSPORT_ERROR,
                format!("Service Unavailable: this server keeps at most {max} sessions; retry later, or end one with DELETE"),
            ),
            // -32603 is JSON-RPC's own "Internal error"; the text is ours, never a panic message.
            Rejection::Internal(why) => (INTERNAL_ERROR, format!("Internal error: {why}")),
            Rejection::NotImplemented(what) => (TRANSPORT_ERROR, format!("Not Implemented: {what}")),
            Rejection::HeadersTooLarge => (
                TRANSPORT_ERROR,
                format!("Request Header Fields Too Large: the limit is {MAX_HEAD_BYTES} bytes"),
            ),
            Rejection::HttpVersionNotSupported => (
                TRANSPORT_ERROR,
                "HTTP Version Not Supported: use HTTP/1.1 (or 1.0)".to_string(),
            ),
        };
        ErrorObject::new(code, message)
    }

    /// Extra response headers this refusal needs.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        match self {
            Rejection::MethodNotAllowed(allow) => vec![("Allow", allow.to_string())],
            Rejection::Overloaded(secs) => vec![("Retry-After", secs.to_string())],
            Rejection::TooManySessions(_) => {
                vec![("Retry-After", SESSIONS_RETRY_AFTER_SECS.to_string())]
            }
            Rejection::Unauthorized => {
                vec![("WWW-Authenticate", "Bearer realm=\"mcp\"".to_string())]
            }
            _ => Vec::new(),
        }
    }

    /// The whole response: status, extra headers and the JSON-RPC error body. The one place where
    /// a refusal becomes a response; the socket side only writes it.
    ///
    /// `id` is the id of the request being refused, when its body was read and parsed; a body that
    /// did not parse carries whatever id could still be read out of it.
    // ANCHOR: to_response
    pub fn to_response(&self, id: Option<RequestId>) -> Whole {
        let id = match self {
            Rejection::BadMessage(e) => e.id(),
            _ => id,
        };
        Whole {
            status: self.status(),
            headers: self.headers(),
            content_type: Some(MIME_JSON),
            body: Message::error(id, self.to_error_object())
                .to_line()
                .into_bytes(),
        }
    }
    // ANCHOR_END: to_response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc::PARSE_ERROR;

    fn body(response: &Whole) -> serde_json::Value {
        serde_json::from_slice(&response.body).unwrap()
    }

    #[test]
    fn parse_error_maps_to_400_and_32700() {
        let r = Rejection::BadMessage(ParseError::NotJson("x".into()));
        let response = r.to_response(None);
        assert_eq!(response.status, 400);
        assert_eq!(body(&response)["error"]["code"], PARSE_ERROR);
    }

    #[test]
    fn a_refusal_echoes_the_request_id_when_the_body_had_one() {
        let response = Rejection::MissingSession.to_response(Some(RequestId::Number(7)));
        assert_eq!(body(&response)["id"], 7);
        assert_eq!(response.content_type, Some(MIME_JSON));
    }

    #[test]
    fn an_unsupported_version_names_both_eras_and_echoes_at_most_64_characters() {
        let response = Rejection::UnsupportedModernVersion("9".repeat(10_000)).to_response(None);
        assert_eq!(response.status, 400);
        let error = &body(&response)["error"];
        assert_eq!(error["code"], UNSUPPORTED_PROTOCOL_VERSION);
        assert_eq!(error["data"]["supported"][0], MODERN_PROTOCOL_VERSION);
        assert_eq!(error["data"]["requested"].as_str().unwrap().len(), 64);
        assert!(error["message"].as_str().unwrap().contains("2025-11-25"));
        assert!(response.body.len() < 1000);
    }

    #[test]
    fn an_internal_failure_is_500_with_json_rpc_internal_error() {
        let response = Rejection::Internal("no randomness".into()).to_response(None);
        assert_eq!(response.status, 500);
        assert_eq!(body(&response)["error"]["code"], INTERNAL_ERROR);
    }

    #[test]
    fn refusals_carry_the_headers_the_status_requires() {
        assert_eq!(
            Rejection::MethodNotAllowed("GET, POST").headers()[0].0,
            "Allow"
        );
        assert_eq!(
            Rejection::Overloaded(1).headers()[0],
            ("Retry-After", "1".to_string())
        );
        assert_eq!(Rejection::Unauthorized.headers()[0].0, "WWW-Authenticate");
        assert_eq!(Rejection::TooManySessions(2).status(), 503);
        assert_eq!(Rejection::TooManySessions(2).headers()[0].0, "Retry-After");
    }

    #[test]
    fn unknown_session_is_404_with_session_not_found_code() {
        let response = Rejection::UnknownSession.to_response(None);
        assert_eq!(response.status, 404);
        assert_eq!(body(&response)["error"]["code"], SESSION_NOT_FOUND);
        assert!(body(&response)["id"].is_null());
    }
}
