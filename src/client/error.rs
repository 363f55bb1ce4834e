//! Everything that can go wrong for the client, as one hand-written enum.
//!
//! Implements no rule of its own: it names each way MCP 2025-11-25 `basic/transports` and
//! `basic/lifecycle` let an exchange fail (an HTTP error status, a JSON-RPC error response, a
//! stream cut before its response and not resumed, a session the server forgot, a version we
//! cannot speak), so the caller can `match` on what happened instead of parsing a sentence.
//!
//! # Why not `Box<dyn Error>` (or `anyhow`)?
//! The client *acts* on some of these: [`ClientError::SessionExpired`] starts a new session, and a
//! [`ClientError::StreamEnded`] with an event id is resumed (`channel.rs`). A boxed error would
//! make that string matching. The binaries, which only print errors, may use simpler handling.

use crate::jsonrpc::{self, ErrorObject, Message};
use crate::wire::SUPPORTED_PROTOCOL_VERSIONS;
use std::fmt;
use std::io::Read;

/// An error body is only read this far: it is for a human, not for parsing.
const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// Why a client operation failed.
///
/// The `ErrorObject`s and the `cause` are boxed: unboxed, they would make every
/// `Result<_, ClientError>` several times larger than its usual `Ok` value.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientError {
    /// Nothing answered: a bad URL, an unknown host, a refused connection.
    Connect(String),
    /// A timeout expired; the text says which one (connect, response head, stalled stream).
    Timeout(String),
    /// The server answered with an HTTP error status. The body is kept, and so is the JSON-RPC
    /// error inside it when there is one (our server and the official SDKs send one).
    Http {
        status: u16,
        body: String,
        error: Option<Box<ErrorObject>>,
    },
    /// The server answered our request with a JSON-RPC error response.
    JsonRpc(Box<ErrorObject>),
    /// A stream ended before the response to our request, with no event id to resume from: it
    /// was NDJSON, or SSE without ids. (With an id, `channel.rs` resumes instead; a caller sees
    /// one here only from a [`super::MessageReader`] used on its own.)
    StreamEnded { last_event_id: Option<String> },
    /// A cut SSE stream could not be picked up again. `cause` says why: a 4xx to the GET with
    /// `Last-Event-ID` (our server's 400: the events are gone), which asking again would not
    /// change, or the last failure of the reconnections in a row that brought no new event.
    /// Sending the request anew is the caller's decision: the tool may have run already.
    ResumeFailed {
        last_event_id: String,
        cause: Box<ClientError>,
    },
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

impl ClientError {
    /// A 4xx/5xx answer as [`ClientError::Http`], keeping the JSON-RPC error in its body if any.
    pub fn from_http(status: u16, body: &mut dyn Read) -> ClientError {
        let mut bytes = Vec::new();
        // A failure to read the explanation should not hide the status, so the error is dropped.
        let _ = body.take(MAX_ERROR_BODY_BYTES).read_to_end(&mut bytes);
        let error = match jsonrpc::parse(&bytes) {
            Ok(Message::Error { error, .. }) => Some(Box::new(error)),
            _ => None,
        };
        let body = String::from_utf8_lossy(&bytes).into_owned();
        ClientError::Http {
            status,
            body,
            error,
        }
    }
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Connect(why) => write!(f, "cannot reach the server: {why}"),
            ClientError::Timeout(what) => write!(f, "timed out: {what}"),
            ClientError::Http {
                status,
                error,
                body,
            } => match error {
                Some(e) => write!(f, "HTTP {status}, JSON-RPC error {}: {}", e.code, e.message),
                None if body.trim().is_empty() => write!(f, "HTTP {status}"),
                None => write!(f, "HTTP {status}: {}", shorten(body.trim(), 300)),
            },
            ClientError::JsonRpc(e) => write!(f, "JSON-RPC error {}: {}", e.code, e.message),
            ClientError::StreamEnded { last_event_id } => match last_event_id {
                Some(id) => write!(f, "stream ended before the response (last event id {id:?})"),
                None => write!(f, "stream ended before the response"),
            },
            ClientError::ResumeFailed {
                last_event_id,
                cause,
            } => write!(
                f,
                "could not resume the stream after event {last_event_id:?} ({cause}); \
                 the request may be sent again"
            ),
            ClientError::SessionExpired => {
                let why = "even after starting a new session";
                write!(f, "session not found (HTTP 404), {why}")
            }
            ClientError::UnsupportedVersion(v) => {
                let ours = SUPPORTED_PROTOCOL_VERSIONS.join(", ");
                let why = format!("this client speaks {ours}");
                write!(f, "the server chose protocol version {v:?}; {why}")
            }
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
    use crate::wire::TRANSPORT_ERROR;

    #[test]
    fn http_error_shows_the_jsonrpc_error_inside_when_there_is_one() {
        let with = ClientError::Http {
            status: 401,
            body: "{...}".into(),
            error: Some(Box::new(ErrorObject::new(TRANSPORT_ERROR, "Unauthorized"))),
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
    fn resume_errors_name_the_event_and_the_cause() {
        let refused = ClientError::ResumeFailed {
            last_event_id: "4-2".into(),
            cause: Box::new(ClientError::from_http(400, &mut &b"names no stream"[..])),
        };
        assert!(refused
            .to_string()
            .contains("\"4-2\" (HTTP 400: names no stream)"));
        let exhausted = ClientError::ResumeFailed {
            last_event_id: "4-2".into(),
            cause: Box::new(ClientError::Connect("connection failed".into())),
        };
        assert!(exhausted
            .to_string()
            .contains("(cannot reach the server: connection failed)"));
    }

    #[test]
    fn failure_body_keeps_text_and_jsonrpc_error() {
        let body =
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}"#;
        let err = ClientError::from_http(404, &mut body.as_bytes());
        let ClientError::Http {
            status,
            body: text,
            error,
        } = err
        else {
            panic!("{err:?}")
        };
        assert_eq!(status, 404);
        assert_eq!(text, body);
        assert_eq!(error.unwrap().code, crate::wire::SESSION_NOT_FOUND);
        let plain = ClientError::from_http(502, &mut &b"Bad Gateway"[..]);
        assert!(matches!(plain, ClientError::Http { error: None, .. }));
    }

    #[test]
    fn long_bodies_are_shortened_on_a_character_boundary() {
        assert_eq!(shorten("äöü", 2), "äö…");
        assert_eq!(shorten("abc", 5), "abc");
    }
}
