//! What an HTTP answer is, judged by its status line and `Content-Type` alone, before a byte of
//! its body is read.
//!
//! Implements the client side of MCP 2025-11-25 `basic/transports` §Sending Messages to the Server
//! #4–#5 (202 Accepted with no body for a notification or a response; `application/json` or
//! `text/event-stream` for a request) and §Listening for Messages from the Server (a GET is
//! answered with `text/event-stream`), plus our non-standard `application/x-ndjson`. It also turns
//! a 4xx/5xx body into an error that keeps the JSON-RPC error the server put there.
//!
//! Left out: redirects (reported, never followed) and `Retry-After` on 503 (a resume waits by its
//! own rules, see `resume.rs`).

use super::ClientError;
use crate::framing::Framing;
use crate::jsonrpc::{self, Message};
use crate::wire::{MIME_JSON, MIME_NDJSON, MIME_SSE};
use std::io::{BufRead, Read};

/// An error body is only read this far: it is for a human, not for parsing.
const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// What an answer is, judged by its status and `Content-Type` alone.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyKind {
    /// 202 Accepted: nothing to read. Right for a notification, wrong for a request.
    Accepted,
    /// 2xx with messages in it, framed as the content type says.
    Messages(Framing),
    /// 4xx or 5xx: the body explains, often with a JSON-RPC error inside.
    Failure,
    /// Anything an MCP server should not send (a redirect, 204, an HTML page...).
    Unexpected(String),
}

/// Classify a response. `content_type` is the raw header; parameters such as `; charset=utf-8`
/// are ignored and media types compare case-insensitively, as HTTP says.
pub fn classify(status: u16, content_type: Option<&str>) -> BodyKind {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase());
    match status {
        202 => BodyKind::Accepted,
        400..=599 => BodyKind::Failure,
        200 | 201 => match media.as_deref() {
            Some(MIME_JSON) => BodyKind::Messages(Framing::Json),
            Some(MIME_SSE) => BodyKind::Messages(Framing::Sse),
            Some(MIME_NDJSON) => BodyKind::Messages(Framing::Ndjson),
            other => BodyKind::Unexpected(format!(
                "HTTP {status} with Content-Type {:?}; expected {MIME_JSON} or {MIME_SSE}",
                other.unwrap_or("(none)")
            )),
        },
        _ => BodyKind::Unexpected(format!("HTTP {status} is not an answer to an MCP request")),
    }
}

/// Turn a 4xx/5xx body into a [`ClientError::Http`], keeping the JSON-RPC error if there is one.
pub fn failure(status: u16, body: &mut dyn BufRead) -> ClientError {
    let mut bytes = Vec::new();
    // A failure to read the explanation should not hide the status, so the error is dropped.
    let _ = body.take(MAX_ERROR_BODY_BYTES).read_to_end(&mut bytes);
    let error = match jsonrpc::parse(&bytes) {
        Ok(Message::Error { error, .. }) => Some(Box::new(error)),
        _ => None,
    };
    ClientError::Http {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn spec_answers_are_classified_by_status_and_content_type() {
        assert_eq!(classify(202, None), BodyKind::Accepted);
        assert_eq!(
            classify(200, Some("application/json")),
            BodyKind::Messages(Framing::Json)
        );
        assert_eq!(
            classify(200, Some("Text/Event-Stream; charset=utf-8")),
            BodyKind::Messages(Framing::Sse)
        );
        assert_eq!(
            classify(200, Some("application/x-ndjson")),
            BodyKind::Messages(Framing::Ndjson)
        );
        assert_eq!(classify(404, Some("application/json")), BodyKind::Failure);
        assert!(matches!(
            classify(200, Some("text/html")),
            BodyKind::Unexpected(_)
        ));
        assert!(matches!(classify(204, None), BodyKind::Unexpected(_)));
        assert!(matches!(classify(302, None), BodyKind::Unexpected(_)));
    }

    #[test]
    fn failure_body_keeps_text_and_jsonrpc_error() {
        let body =
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32001,"message":"Session not found"}}"#;
        let err = failure(404, &mut Cursor::new(body.as_bytes().to_vec()));
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
        assert_eq!(error.unwrap().code, -32001);
        let plain = failure(502, &mut Cursor::new(b"Bad Gateway".to_vec()));
        assert!(matches!(plain, ClientError::Http { error: None, .. }));
    }
}
