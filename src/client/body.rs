//! Reading the answer to a POST: which of the spec's shapes it has, then the JSON-RPC messages in
//! it, one at a time, as they arrive.
//!
//! Implements the client side of MCP 2025-11-25 `basic/transports` §Sending Messages to the Server
//! #4–#6 (a 202 with no body; an `application/json` body with one message; a `text/event-stream`
//! body with messages and then the response), the bookkeeping of §Resumability and Redelivery (the
//! last event id and the `retry` interval, remembered for later), and our non-standard
//! `application/x-ndjson` framing (one message per line, empty heartbeat lines).
//!
//! Pure: it reads a `&mut dyn BufRead`. Unit tests feed it strings; `transport.rs` feeds it the
//! socket. The SSE parsing itself is `crate::sse::Decoder`; this file only decides what an event
//! means to a client.
//!
//! Left out: resuming a cut stream (GET with `Last-Event-ID`), which a later issue adds on top of
//! [`ResumePoint`]; SSE events whose type is not `message`, which MCP never sends and we skip.

use super::ClientError;
use crate::framing::Framing;
use crate::jsonrpc::{self, Message};
use crate::sse;
use crate::wire::{MIME_JSON, MIME_NDJSON, MIME_SSE};
use serde_json::Value;
use std::io::{self, BufRead, Read};

/// The largest single message (or JSON body) we read. Tool results can be big, so this is far
/// above the server's 1 MiB request cap; it only stops a broken server from filling our memory
/// with one endless line.
pub const MAX_MESSAGE_BYTES: u64 = 16 * 1024 * 1024;

/// An error body is only read this far: it is for a human, not for parsing.
const MAX_ERROR_BODY_BYTES: u64 = 64 * 1024;

/// What an answer to a POSTed request is, judged by its status and `Content-Type` alone.
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

/// Where a cut SSE stream could be picked up again (§Resumability and Redelivery).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResumePoint {
    /// The last `id:` seen; a reconnecting GET sends it as `Last-Event-ID`.
    pub last_event_id: Option<String>,
    /// The last `retry:` seen: how many milliseconds to wait before reconnecting.
    pub retry_ms: Option<u64>,
}

/// Reads the messages of one response body.
pub struct MessageReader<'a> {
    body: &'a mut dyn BufRead,
    framing: Framing,
    decoder: sse::Decoder,
    resume: ResumePoint,
    /// A JSON body holds exactly one message; after it, the reader is done.
    finished: bool,
}

impl<'a> MessageReader<'a> {
    pub fn new(body: &'a mut dyn BufRead, framing: Framing) -> MessageReader<'a> {
        MessageReader {
            body,
            framing,
            decoder: sse::Decoder::new(),
            resume: ResumePoint::default(),
            finished: false,
        }
    }

    /// The next message as raw JSON, blocking until it arrives. `Ok(None)` means the body ended.
    ///
    /// # Why JSON and not a `jsonrpc::Message`?
    /// The tutorial's streamed lines (`{"jsonrpc":"2.0","id":1,"stream":"..."}`) are not valid
    /// JSON-RPC, and `jsonrpc::parse` rightly rejects them; the caller looks at the raw object
    /// first (see `messages.rs`).
    ///
    /// # Errors
    /// [`ClientError::Timeout`] when no byte came for the stall timeout,
    /// [`ClientError::StreamEnded`] when the connection broke, [`ClientError::Protocol`] for a
    /// message that is not JSON.
    pub fn next_message(&mut self) -> Result<Option<Value>, ClientError> {
        match self.framing {
            Framing::Json => self.whole_body(),
            Framing::Ndjson => loop {
                let Some(line) = self.read_line()? else {
                    return Ok(None);
                };
                // An empty line is the server's heartbeat: it keeps the stream alive, says nothing.
                if !line.trim().is_empty() {
                    return parse_json(&line).map(Some);
                }
            },
            Framing::Sse => loop {
                let Some(line) = self.read_line()? else {
                    return Ok(None);
                };
                let Some(event) = self.decoder.feed_line(&line) else {
                    continue; // a field of an event still being read, or a comment
                };
                // Remember where we are before deciding to skip: a priming event carries nothing
                // *but* an id and a retry interval, and they are exactly what resuming needs.
                self.resume.last_event_id = event.id.clone();
                if event.retry_ms.is_some() {
                    self.resume.retry_ms = event.retry_ms;
                }
                // SPEC transports#sending-messages 6: the priming event has "an event ID and an empty data field"; it is no message.
                if event.data.is_empty() || event.event != "message" {
                    continue;
                }
                return parse_json(&event.data).map(Some);
            },
        }
    }

    /// What this stream taught us about resuming it.
    pub fn resume_point(&self) -> &ResumePoint {
        &self.resume
    }

    /// The error for a body that ended before the response.
    pub fn ended(&self) -> ClientError {
        match self.framing {
            Framing::Json => ClientError::Protocol("the JSON body held no response".into()),
            // Distinct from other failures: a later issue resumes such a stream instead of failing.
            Framing::Sse | Framing::Ndjson => ClientError::StreamEnded {
                last_event_id: self.resume.last_event_id.clone(),
            },
        }
    }

    fn whole_body(&mut self) -> Result<Option<Value>, ClientError> {
        if std::mem::replace(&mut self.finished, true) {
            return Ok(None);
        }
        let mut bytes = Vec::new();
        Read::take(&mut *self.body, MAX_MESSAGE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| self.read_error(e))?;
        if bytes.len() as u64 > MAX_MESSAGE_BYTES {
            return Err(ClientError::Protocol(format!(
                "the JSON body is larger than {MAX_MESSAGE_BYTES} bytes"
            )));
        }
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None); // an empty body: the caller reports the missing response
        }
        parse_json(&String::from_utf8_lossy(&bytes)).map(Some)
    }

    /// One line with its line ending, or `None` at the end of the body.
    fn read_line(&mut self) -> Result<Option<String>, ClientError> {
        let mut line = String::new();
        // `take` caps the line: `read_line` alone would grow the string for as long as the server
        // sends bytes without a newline.
        let n = Read::take(&mut *self.body, MAX_MESSAGE_BYTES)
            .read_line(&mut line)
            .map_err(|e| self.read_error(e))?;
        if n == 0 {
            return Ok(None);
        }
        if n as u64 == MAX_MESSAGE_BYTES && !line.ends_with('\n') {
            return Err(ClientError::Protocol(format!(
                "a line longer than {MAX_MESSAGE_BYTES} bytes"
            )));
        }
        Ok(Some(line))
    }

    /// Name a read failure. `transport.rs` makes sure a stall arrives as `TimedOut` (ureq wraps it
    /// otherwise), so this file needs no knowledge of ureq.
    fn read_error(&self, e: io::Error) -> ClientError {
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ClientError::Timeout(format!(
                "the stream stalled: no data within the per-read timeout ({e})"
            )),
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => ClientError::StreamEnded {
                last_event_id: self.resume.last_event_id.clone(),
            },
            // read_line reports bytes that are not UTF-8 as InvalidData.
            io::ErrorKind::InvalidData => {
                ClientError::Protocol(format!("the body is not UTF-8 ({e})"))
            }
            _ => ClientError::Io(e.to_string()),
        }
    }
}

fn parse_json(text: &str) -> Result<Value, ClientError> {
    serde_json::from_str(text.trim()).map_err(|e| {
        let start: String = text.trim().chars().take(80).collect();
        ClientError::Protocol(format!(
            "the server sent something that is not JSON ({e}): {start}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::{BufReader, Cursor};

    fn all(framing: Framing, text: &str) -> (Vec<Value>, ResumePoint) {
        let mut body = Cursor::new(text.as_bytes().to_vec());
        let mut reader = MessageReader::new(&mut body, framing);
        let mut out = Vec::new();
        while let Some(v) = reader.next_message().unwrap() {
            out.push(v);
        }
        (out, reader.resume_point().clone())
    }

    /// A body that sends `text` and then fails the way a socket would.
    struct ThenFail(io::ErrorKind);
    impl Read for ThenFail {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::from(self.0))
        }
    }

    fn error_after(framing: Framing, text: &str, kind: io::ErrorKind) -> ClientError {
        let mut body = BufReader::new(Cursor::new(text.as_bytes().to_vec()).chain(ThenFail(kind)));
        let mut reader = MessageReader::new(&mut body, framing);
        loop {
            match reader.next_message() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("expected an error"),
                Err(e) => return e,
            }
        }
    }

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
    fn sse_priming_event_is_skipped_but_its_id_and_retry_are_kept() {
        let text = "id: 7-0\nretry: 1500\ndata: \n\nid: 7-1\ndata: {\"a\":1}\n\n";
        let (messages, resume) = all(Framing::Sse, text);
        assert_eq!(messages, [json!({"a": 1})]);
        assert_eq!(resume.last_event_id.as_deref(), Some("7-1"));
        assert_eq!(resume.retry_ms, Some(1500));
    }

    #[test]
    fn sse_with_crlf_lines_comments_and_other_event_types() {
        let text = ": ping\r\n\r\nevent: message\r\ndata: {\"b\":2}\r\n\r\nevent: other\r\ndata: {}\r\n\r\n";
        assert_eq!(all(Framing::Sse, text).0, [json!({"b": 2})]);
    }

    #[test]
    fn ndjson_heartbeat_lines_are_skipped_and_crlf_is_fine() {
        let text = "\n{\"a\":1}\r\n\n\r\n{\"a\":2}\n";
        assert_eq!(
            all(Framing::Ndjson, text).0,
            [json!({"a": 1}), json!({"a": 2})]
        );
    }

    #[test]
    fn json_body_is_one_message_then_nothing() {
        assert_eq!(all(Framing::Json, " {\"a\":1}\n").0, [json!({"a": 1})]);
        assert!(all(Framing::Json, "").0.is_empty());
    }

    #[test]
    fn a_message_that_is_not_json_is_a_protocol_error() {
        let mut body = Cursor::new(b"data: {oops\n\n".to_vec());
        let err = MessageReader::new(&mut body, Framing::Sse).next_message();
        assert!(matches!(err, Err(ClientError::Protocol(_))), "{err:?}");
    }

    #[test]
    fn a_broken_connection_is_stream_ended_with_the_last_event_id() {
        let err = error_after(
            Framing::Sse,
            "id: 3-1\ndata: {}\n\n",
            io::ErrorKind::UnexpectedEof,
        );
        assert_eq!(
            err,
            ClientError::StreamEnded {
                last_event_id: Some("3-1".into())
            }
        );
    }

    #[test]
    fn a_stall_is_a_timeout_not_an_end() {
        let err = error_after(Framing::Ndjson, "{}\n", io::ErrorKind::TimedOut);
        assert!(matches!(err, ClientError::Timeout(_)), "{err:?}");
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
