//! Messages out of one HTTP body, in whichever framing it comes: an SSE stream, NDJSON lines, or
//! one JSON object. One reader for all three, so the request loop reads them the same way.
//!
//! Implements the client side of MCP 2025-11-25 `basic/transports` §Sending Messages to the Server
//! #5–#6 (an `application/json` body with one message, or a `text/event-stream` body with messages
//! and then the response), the bookkeeping of §Resumability and Redelivery (the last event id, the
//! `retry` interval, the ids already delivered), and our non-standard `application/x-ndjson`
//! framing (one message per line, empty heartbeat lines).
//!
//! Pure: it reads a `&mut dyn BufRead` (strings in unit tests, the socket otherwise). The SSE
//! parsing itself is `crate::framing::sse::Decoder`; this file decides what an event means.
//!
//! Left out: SSE events whose type is not `message`, which MCP never sends and we skip.

use super::ClientError;
use crate::framing::sse;
use crate::framing::Framing;
use serde_json::Value;
use std::collections::HashSet;
use std::io::{self, BufRead, Read};

/// The largest single message (or JSON body) we read. Tool results can be big, so this is far
/// above the server's 1 MiB request cap; it only stops a broken server from filling our memory
/// with one endless line.
const MAX_MESSAGE_BYTES: u64 = 16 * 1024 * 1024;

/// Where an SSE stream stands: where a new connection should pick it up, how long to wait before
/// making one, and which events it has already delivered. It belongs to the *stream*, not to one
/// connection: each [`MessageReader`] of a cut and resumed call updates the same one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResumePoint {
    /// The last event id delivered (priming events included); a reconnecting GET sends it as
    /// `Last-Event-ID`.
    pub last_event_id: Option<String>,
    /// The last `retry:` seen: how many milliseconds to wait before reconnecting.
    pub retry_ms: Option<u64>,
    /// Every event id delivered so far. The server replays exactly after `Last-Event-ID`, so a
    /// repeat should never come; if one does, it is dropped rather than shown twice.
    delivered: HashSet<String>,
}

/// Reads the messages of one response body, keeping its stream's [`ResumePoint`] up to date.
pub struct MessageReader<'a> {
    body: &'a mut dyn BufRead,
    framing: Framing,
    decoder: sse::Decoder,
    resume: &'a mut ResumePoint,
    /// The id the previous event of *this body* had; see the SSE branch of `next_message`.
    previous_id: Option<String>,
    /// A JSON body holds exactly one message; after it, the reader is done.
    finished: bool,
}

impl<'a> MessageReader<'a> {
    /// `resume`: a fresh one for the first body of an answer; for a resumed SSE stream, the one
    /// the cut body left, so the ids it delivered stay known.
    pub fn new(
        body: &'a mut dyn BufRead,
        framing: Framing,
        resume: &'a mut ResumePoint,
    ) -> MessageReader<'a> {
        MessageReader {
            body,
            framing,
            decoder: sse::Decoder::new(),
            resume,
            previous_id: None,
            finished: false,
        }
    }

    /// The next message as raw JSON, blocking until it arrives. `Ok(None)` means the body ended.
    ///
    /// Raw JSON, not a `jsonrpc::Message`: the tutorial's `stream` lines are not valid JSON-RPC,
    /// and the trace (`--json`) shows each message exactly as it came. Fails with `Timeout` on a
    /// stall, `StreamEnded` when the connection broke, `Protocol` for a message that is not JSON.
    pub fn next_message(&mut self) -> Result<Option<Value>, ClientError> {
        if self.framing == Framing::Json {
            return self.whole_body();
        }
        while let Some(line) = self.read_line()? {
            if self.framing == Framing::Ndjson {
                // An empty line is the server's heartbeat: it keeps the stream alive, says nothing.
                if !line.trim().is_empty() {
                    return parse_json(&line).map(Some);
                }
                continue;
            }
            let Some(event) = self.decoder.feed_line(&line) else {
                continue; // a field of an event still being read, or a comment
            };
            if event.retry_ms.is_some() {
                self.resume.retry_ms = event.retry_ms;
            }
            // The decoder gives every event the stream's *current* id, which an event without an
            // `id:` line inherits from the one before (the SSE standard). So only an id that
            // changed was named by this event; an inherited one proves nothing.
            let named = event.id.is_some() && event.id != self.previous_id;
            self.previous_id = event.id.clone();
            if let (true, Some(id)) = (named, event.id) {
                if !self.resume.delivered.insert(id.clone()) {
                    continue; // delivered on an earlier connection: do not show it twice
                }
                // Kept even for a priming event: it carries nothing *but* an id (and `retry`),
                // and they are exactly what resuming needs.
                self.resume.last_event_id = Some(id);
            }
            // SPEC transports#sending-messages 6: the priming event has "an event ID and an empty data field"; it is no message.
            if !event.data.is_empty() && event.event == "message" {
                return parse_json(&event.data).map(Some);
            }
        }
        Ok(None)
    }

    /// The error for a body that ended before the response.
    pub fn ended(&self) -> ClientError {
        match self.framing {
            Framing::Json => ClientError::Protocol("the JSON body held no response".into()),
            // Distinct from other failures: with an event id, `channel.rs` reconnects instead.
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
            let why = format!("the JSON body is larger than {MAX_MESSAGE_BYTES} bytes");
            return Err(ClientError::Protocol(why));
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
        if n as u64 == MAX_MESSAGE_BYTES && !line.ends_with('\n') {
            let why = format!("a line longer than {MAX_MESSAGE_BYTES} bytes");
            return Err(ClientError::Protocol(why));
        }
        Ok((n > 0).then_some(line))
    }

    /// Name a read failure. `transport.rs` makes sure a stall arrives as `TimedOut`.
    fn read_error(&self, e: io::Error) -> ClientError {
        use io::ErrorKind::*;
        match e.kind() {
            TimedOut | WouldBlock => ClientError::Timeout(format!("the stream stalled ({e})")),
            UnexpectedEof | ConnectionReset | ConnectionAborted | BrokenPipe => {
                ClientError::StreamEnded {
                    last_event_id: self.resume.last_event_id.clone(),
                }
            }
            // read_line reports bytes that are not UTF-8 as InvalidData.
            InvalidData => ClientError::Protocol(format!("the body is not UTF-8 ({e})")),
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
        let mut point = ResumePoint::default();
        let mut reader = MessageReader::new(&mut body, framing, &mut point);
        let mut out = Vec::new();
        while let Some(v) = reader.next_message().unwrap() {
            out.push(v);
        }
        (out, point)
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
        let mut point = ResumePoint::default();
        let mut reader = MessageReader::new(&mut body, framing, &mut point);
        loop {
            match reader.next_message() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("expected an error"),
                Err(e) => return e,
            }
        }
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
        let mut point = ResumePoint::default();
        let err = MessageReader::new(&mut body, Framing::Sse, &mut point).next_message();
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

    /// SPEC transports#resumability: the server replays "after the last event ID"; the client
    /// carries what it knows from one connection to the next and drops what it already has.
    #[test]
    fn a_resumed_body_continues_the_resume_point_and_drops_repeated_events() {
        let first = "id: 1-0\nretry: 50\ndata: \n\nid: 1-1\ndata: {\"a\":1}\n\n";
        let mut body = Cursor::new(first.as_bytes().to_vec());
        let mut point = ResumePoint::default();
        let mut reader = MessageReader::new(&mut body, Framing::Sse, &mut point);
        assert_eq!(reader.next_message().unwrap(), Some(json!({"a": 1})));
        assert_eq!(reader.next_message().unwrap(), None);

        // A replay that (wrongly) starts one event early: 1-1 is dropped, 1-2 is new.
        let second = "id: 1-1\ndata: {\"a\":1}\n\nid: 1-2\ndata: {\"a\":2}\n\n";
        let mut body = Cursor::new(second.as_bytes().to_vec());
        let mut reader = MessageReader::new(&mut body, Framing::Sse, &mut point);
        assert_eq!(reader.next_message().unwrap(), Some(json!({"a": 2})));
        assert_eq!(reader.next_message().unwrap(), None);
        assert_eq!(point.last_event_id.as_deref(), Some("1-2"));
        assert_eq!(
            point.retry_ms,
            Some(50),
            "the retry of the first connection is kept"
        );
    }

    /// An event without an `id:` line inherits the previous id (SSE standard); that is no repeat.
    #[test]
    fn an_event_that_inherits_its_id_is_not_taken_for_a_repeat() {
        let text = "id: 9\ndata: {\"a\":1}\n\ndata: {\"a\":2}\n\n";
        let (messages, resume) = all(Framing::Sse, text);
        assert_eq!(messages, [json!({"a": 1}), json!({"a": 2})]);
        assert_eq!(resume.last_event_id.as_deref(), Some("9"));
    }
}
