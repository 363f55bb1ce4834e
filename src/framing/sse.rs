//! Server-Sent Events: writing events (server) and reading them incrementally (client).
//!
//! Implements the event-stream format of the WHATWG HTML standard §9.2 as MCP 2025-11-25
//! `basic/transports` uses it: each JSON-RPC message is one `message` event whose `data` is one
//! line of compact JSON, with an `id` so a client can resume. Pure: bytes in, bytes out, no sockets.
//!
//! Left out: the `event` names other than `message` are read but have no meaning for MCP; the BOM
//! at the start of a stream is not stripped (no MCP server sends one).
//!
//! # Format
//! ```text
//! event: message
//! id: 7-1
//! data: {"jsonrpc":"2.0","method":"notifications/progress","params":{...}}
//!
//! ```
//! A blank line ends an event. A line starting with `:` is a comment: we send `: ping` as a
//! heartbeat, which keeps proxies from closing a quiet stream and lets the server notice a client
//! that has gone away (a write to a closed socket fails).

// LAB: lab 5 (a client in another language): this is what your client parses: `event:`, `id:`
// and `data:` lines, and a blank line after each event.
/// One event as written by the server.
// ANCHOR: encode_event
pub fn encode_event(id: Option<&str>, data: &str) -> Vec<u8> {
    let mut out = String::with_capacity(data.len() + 32);
    out.push_str("event: message\n");
    if let Some(id) = id {
        out.push_str("id: ");
        out.push_str(id);
        out.push('\n');
    }
    // `data` is one line of compact JSON; were it ever several lines, each would need its own
    // `data:` field, which the loop keeps true.
    for line in data.split('\n') {
        out.push_str("data: ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('\n');
    out.into_bytes()
}
// ANCHOR_END: encode_event

/// The priming event of MCP 2025-11-25: an id and an empty `data`, so the client learns an event
/// id (to resume from) before any message, and `retry`, how long to wait before reconnecting.
// SPEC transports#sending-messages 6: "The server SHOULD immediately send an SSE event consisting of an event ID and an empty data field"
pub fn encode_priming(id: &str, retry_ms: u64) -> Vec<u8> {
    format!("id: {id}\nretry: {retry_ms}\ndata: \n\n").into_bytes()
}

/// A comment line: ignored by every SSE reader, but it is a write, so a gone client shows up.
pub const HEARTBEAT: &[u8] = b": ping\n\n";

/// An event as read by the client.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Event {
    /// The `event` field, `"message"` when absent.
    pub event: String,
    /// The `data` lines joined with `\n`; empty for a priming event.
    pub data: String,
    /// The last event id seen on the stream so far (ids persist across events, per the standard).
    pub id: Option<String>,
    /// A `retry` field carried by this event, in milliseconds.
    pub retry_ms: Option<u64>,
}

/// Incremental SSE parser: feed it lines as they arrive, take events as they complete.
///
/// # Why lines and not bytes?
/// The client reads through `BufRead::read_line`, which already handles partial reads; the decoder
/// then stays a small state machine over whole lines, easy to unit-test.
#[derive(Debug, Default)]
pub struct Decoder {
    event: String,
    data: Vec<String>,
    /// Did this block have any field at all? A block of only comments is no event.
    saw_field: bool,
    last_id: Option<String>,
    retry_ms: Option<u64>,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    /// Feed one line (with or without its `\n` / `\r\n`). Returns an event when the line was the
    /// blank line that ends one. Events with neither data nor id nor retry (a lone comment block)
    /// produce nothing.
    pub fn feed_line(&mut self, line: &str) -> Option<Event> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None; // comment, e.g. a heartbeat
        }
        self.saw_field = true;
        let (field, value) = match line.split_once(':') {
            // "If a single U+0020 SPACE character follows the colon, remove it."
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => self.data.push(value.to_string()),
            // "If the field value does not contain U+0000 NULL, then set the last event ID buffer"
            "id" if !value.contains('\0') => self.last_id = Some(value.to_string()),
            "retry" => {
                if let Ok(ms) = value.parse() {
                    self.retry_ms = Some(ms);
                }
            }
            _ => {} // unknown fields are ignored, as the standard says
        }
        None
    }

    fn dispatch(&mut self) -> Option<Event> {
        if !std::mem::take(&mut self.saw_field) {
            return None;
        }
        let event = Event {
            event: if self.event.is_empty() {
                "message".into()
            } else {
                std::mem::take(&mut self.event)
            },
            data: self.data.join("\n"),
            id: self.last_id.clone(),
            retry_ms: self.retry_ms.take(),
        };
        self.data.clear();
        // The standard dispatches nothing when data is empty, but an id-only block (the priming
        // event) still matters to MCP: it tells the client where to resume. So we hand it out
        // too, and callers skip events whose data is empty.
        Some(event)
    }

    /// The id to send as `Last-Event-ID` when reconnecting.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_id.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(text: &str) -> Vec<Event> {
        let mut d = Decoder::new();
        text.split_inclusive('\n')
            .filter_map(|l| d.feed_line(l))
            .collect()
    }

    #[test]
    fn encoded_event_has_event_id_and_one_data_line() {
        let bytes = encode_event(Some("3-1"), r#"{"a":1}"#);
        assert_eq!(bytes, b"event: message\nid: 3-1\ndata: {\"a\":1}\n\n");
    }

    #[test]
    fn encoded_event_round_trips_through_the_decoder() {
        let text = String::from_utf8(encode_event(Some("9-4"), "{}")).unwrap();
        let events = decode_all(&text);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].data, "{}");
        assert_eq!(events[0].id.as_deref(), Some("9-4"));
    }

    #[test]
    fn multi_line_data_is_joined_with_newlines() {
        let events = decode_all("data: a\ndata: b\n\n");
        assert_eq!(events[0].data, "a\nb");
    }

    #[test]
    fn crlf_lines_and_comments_are_handled() {
        let events = decode_all(": ping\r\n\r\nevent: message\r\ndata: x\r\n\r\n");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].data, "x");
    }

    #[test]
    fn priming_event_yields_id_and_retry_with_empty_data() {
        let text = String::from_utf8(encode_priming("5-0", 1000)).unwrap();
        let events = decode_all(&text);
        assert_eq!(events[0].data, "");
        assert_eq!(events[0].id.as_deref(), Some("5-0"));
        assert_eq!(events[0].retry_ms, Some(1000));
    }

    #[test]
    fn id_persists_to_later_events_without_id() {
        let events = decode_all("id: 1\ndata: a\n\ndata: b\n\n");
        assert_eq!(events[1].id.as_deref(), Some("1"));
    }

    #[test]
    fn field_without_colon_and_value_without_space_are_read() {
        let events = decode_all("data\ndata:x\n\n");
        assert_eq!(events[0].data, "\nx");
    }

    #[test]
    fn event_type_defaults_to_message_and_named_events_are_kept() {
        let events = decode_all("data: a\n\nevent: endpoint\ndata: /x\n\n");
        assert_eq!(events[0].event, "message");
        assert_eq!(events[1].event, "endpoint");
    }

    #[test]
    fn heartbeat_alone_produces_no_event_even_after_an_id() {
        let heartbeat = String::from_utf8(HEARTBEAT.to_vec()).unwrap();
        assert!(decode_all(&heartbeat).is_empty());
        let events = decode_all(&format!("id: 1\ndata: a\n\n{heartbeat}"));
        assert_eq!(events.len(), 1);
    }
}
