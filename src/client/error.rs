//! Everything that can go wrong for the client, as one hand-written enum.
//!
//! Implements no rule of its own: it gives a name to each way MCP 2025-11-25 `basic/transports`
//! and `basic/lifecycle` let an exchange fail (an HTTP error status, a JSON-RPC error response, a
//! stream cut before its response, a session the server forgot, a version we cannot speak), so
//! the caller can `match` on what happened instead of parsing a sentence.
//!
//! # Why not `Box<dyn Error>` (or `anyhow`)?
//! The client *acts* on some of these: [`ClientError::SessionExpired`] starts a new session, the
//! CLI picks its exit code from the variant, and a later issue will resume a
//! [`ClientError::StreamEnded`] stream from its last event id. A boxed error would make all of that
//! string matching. The binaries, which only print errors, may use simpler handling.

use crate::jsonrpc::ErrorObject;
use crate::wire::SUPPORTED_PROTOCOL_VERSIONS;
use std::fmt;

/// Why a client operation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientError {
    /// Nothing answered: a bad URL, an unknown host, a refused connection.
    Connect(String),
    /// A timeout expired; the text says which one (connect, response head, stalled stream).
    Timeout(String),
    /// The server answered with an HTTP error status. The body is kept, and so is the JSON-RPC
    /// error inside it when there is one (our server and the official SDKs send one).
    ///
    /// The `ErrorObject`s are boxed: one holds a `serde_json::Value`, and unboxed it would make
    /// every `Result<_, ClientError>` several times larger than its usual `Ok` value.
    Http {
        status: u16,
        body: String,
        error: Option<Box<ErrorObject>>,
    },
    /// The server answered our request with a JSON-RPC error response.
    JsonRpc(Box<ErrorObject>),
    /// A stream (SSE or NDJSON) ended before the response to our request arrived. For SSE, the
    /// last event id is kept: it is where a GET with `Last-Event-ID` could resume (a later issue).
    StreamEnded { last_event_id: Option<String> },
    /// HTTP 404 for our session id, and again after starting a new session (we retry once).
    SessionExpired,
    /// The server chose a protocol version this client does not speak.
    UnsupportedVersion(String),
    /// The server broke the protocol: a wrong content type, a body that is not JSON-RPC, a 202
    /// for a request, and so on.
    Protocol(String),
    /// Any other I/O failure while sending or reading.
    Io(String),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Connect(why) => write!(f, "cannot reach the server: {why}"),
            ClientError::Timeout(what) => write!(f, "timed out: {what}"),
            ClientError::Http {
                status,
                error: Some(e),
                ..
            } => write!(f, "HTTP {status}, JSON-RPC error {}: {}", e.code, e.message),
            ClientError::Http { status, body, .. } => {
                write!(f, "HTTP {status}")?;
                if !body.trim().is_empty() {
                    write!(f, ": {}", shorten(body.trim(), 300))?;
                }
                Ok(())
            }
            ClientError::JsonRpc(e) => write!(f, "JSON-RPC error {}: {}", e.code, e.message),
            ClientError::StreamEnded { last_event_id } => {
                write!(f, "stream ended before the response")?;
                if let Some(id) = last_event_id {
                    write!(
                        f,
                        " (last event id {id:?}; resumable with GET + Last-Event-ID)"
                    )?;
                }
                Ok(())
            }
            ClientError::SessionExpired => write!(
                f,
                "session not found (HTTP 404), even after starting a new session"
            ),
            ClientError::UnsupportedVersion(v) => write!(
                f,
                "the server chose protocol version {v:?}; this client speaks {}",
                SUPPORTED_PROTOCOL_VERSIONS.join(", ")
            ),
            ClientError::Protocol(why) => write!(f, "protocol error: {why}"),
            ClientError::Io(why) => write!(f, "I/O error: {why}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// At most `max` characters of `text`, cut on a character boundary.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_error_shows_the_jsonrpc_error_inside_when_there_is_one() {
        let with = ClientError::Http {
            status: 401,
            body: "{...}".into(),
            error: Some(Box::new(ErrorObject::new(-32000, "Unauthorized"))),
        };
        assert_eq!(
            with.to_string(),
            "HTTP 401, JSON-RPC error -32000: Unauthorized"
        );
        let without = ClientError::Http {
            status: 502,
            body: "Bad Gateway\n".into(),
            error: None,
        };
        assert_eq!(without.to_string(), "HTTP 502: Bad Gateway");
    }

    #[test]
    fn stream_ended_names_the_resumption_point() {
        let e = ClientError::StreamEnded {
            last_event_id: Some("4-2".into()),
        };
        assert!(e
            .to_string()
            .starts_with("stream ended before the response"));
        assert!(e.to_string().contains("\"4-2\""));
    }

    #[test]
    fn long_bodies_are_shortened_on_a_character_boundary() {
        assert_eq!(shorten("äöü", 2), "äö…");
        assert_eq!(shorten("abc", 5), "abc");
    }
}
