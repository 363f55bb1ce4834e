//! The three framings of a message on the wire: SSE, NDJSON, one JSON object.
//!
//! Implements the shapes MCP 2025-11-25 `basic/transports` §Sending Messages to the Server #5
//! allows for an answer: `text/event-stream` (an SSE stream, `sse.rs`) or `application/json` (one
//! JSON object). We add a third, `application/x-ndjson` (`ndjson.rs`), for the tutorial this course
//! follows. Both ends use this module: the server to write, the client to read. Which framing a
//! request gets, from its `Accept` header, is a server rule: `server/accept.rs`.
//!
//! Left out: any framing the spec does not name but NDJSON (no WebSocket, no long polling).

pub mod ndjson;
pub mod sse;

use crate::wire::{MIME_JSON, MIME_NDJSON, MIME_SSE};

/// How the messages of one answer travel in its HTTP body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `text/event-stream`: one SSE event per message, with an id a client can resume from.
    Sse,
    /// `application/x-ndjson`: one line per message, no ids (the tutorial's framing).
    Ndjson,
    /// `application/json`: the one final message alone; whatever came before it is dropped.
    Json,
}

impl Framing {
    pub fn content_type(self) -> &'static str {
        match self {
            Framing::Sse => MIME_SSE,
            Framing::Ndjson => MIME_NDJSON,
            Framing::Json => MIME_JSON,
        }
    }

    /// The bytes of one message in this framing. `event_id` is used by SSE only.
    pub fn encode(self, event_id: Option<&str>, json_line: &str) -> Vec<u8> {
        match self {
            Framing::Sse => sse::encode_event(event_id, json_line),
            Framing::Ndjson => ndjson::encode_line(json_line),
            Framing::Json => json_line.as_bytes().to_vec(),
        }
    }

    /// What to write on a quiet stream so that a gone client is noticed.
    pub fn heartbeat(self) -> &'static [u8] {
        match self {
            Framing::Sse => sse::HEARTBEAT,
            Framing::Ndjson => ndjson::HEARTBEAT,
            Framing::Json => b"",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_framing_names_its_media_type() {
        assert_eq!(Framing::Sse.content_type(), MIME_SSE);
        assert_eq!(Framing::Ndjson.content_type(), MIME_NDJSON);
        assert_eq!(Framing::Json.content_type(), MIME_JSON);
    }

    #[test]
    fn a_message_is_an_event_a_line_or_the_bare_object() {
        let line = r#"{"a":1}"#;
        assert_eq!(Framing::Json.encode(Some("1-1"), line), line.as_bytes());
        assert_eq!(Framing::Ndjson.encode(None, line), b"{\"a\":1}\n");
        let event = String::from_utf8(Framing::Sse.encode(Some("1-1"), line)).unwrap();
        assert!(event.contains("id: 1-1\n") && event.ends_with("data: {\"a\":1}\n\n"));
    }
}
