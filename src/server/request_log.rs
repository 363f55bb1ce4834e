//! The request log (`--log-requests`): one line on stderr per request, saying what the server saw
//! arrive and what it answered. A student (or a lab's checker) reads it to learn what really
//! reached the server, which is often not what the curl command they meant to type would send.
//!
//! Implements no rule of the spec; it reports on the ones of MCP 2026-07-28
//! `basic/transports/streamable-http` (§Protocol Version Header, §Standard Request Headers) and
//! `basic/patterns/mrtr` (`requestState`, `inputResponses`), and on the legacy era's
//! `Mcp-Session-Id` (2025-11-25 §Session Management). Off by default: a server's stderr is for
//! warnings, and a log line per request costs a write on the request's path.
//!
//! # What it never prints
//! No body, and no value that may be a secret: not `Authorization` (not even whether it came), not
//! the session id (whoever holds it speaks as the session; the log says only "present"), not a
//! `requestState` (it says only present or absent). The values it does print come from the client,
//! so they are quoted with Rust's escapes (a `\n` in a method name cannot start a fake log line)
//! and cut at [`MAX_VALUE_CHARS`]. A production server would log to a structured sink (JSON
//! lines, OpenTelemetry) with a request id, and sample; this one prints to stderr.
//!
//! This file formats; `Action::logged` (action.rs) decides when a request's line is written, and
//! `socket.rs` writes the line of the in-flight cap's 503 (`outcome=overloaded`), which it answers
//! before the endpoint sees the request.
//!
//! Left out: the 503 for want of a thread (the OS refused one; `socket.rs` prints a warning); and
//! a legacy stream's end (a legacy call's line names its
//! framing, `sse`, `ndjson` or `json`, and a GET stream's says `stream`, when the answer starts).
//!
//! The line, with every field (each `key=value`, values quoted when they came from the client):
//!
//! ```text
//! request: POST /mcp era=modern MCP-Protocol-Version="2026-07-28" Mcp-Method="tools/call" Mcp-Name="get_weather" Mcp-Session-Id=absent Accept="application/json, text/event-stream" jsonrpc="tools/call" id=2 _meta=protocolVersion,clientInfo,clientCapabilities,progressToken requestState=absent inputResponses=absent status=200 outcome=complete
//! ```

use crate::jsonrpc::{Message, RequestId};
use crate::server::era::Era;
use crate::server::request::RequestHead;
use crate::wire::{
    META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_LOG_LEVEL, META_PROTOCOL_VERSION,
};
use serde_json::Value;
use std::io::Write;

/// Client-sent values longer than this are cut (a header may be 64 KiB; a log line should not).
pub const MAX_VALUE_CHARS: usize = 80;

/// The `_meta` keys the log reports, each under its short name, in this order.
const META_KEYS: [(&str, &str); 5] = [
    (META_PROTOCOL_VERSION, "protocolVersion"),
    (META_CLIENT_INFO, "clientInfo"),
    (META_CLIENT_CAPABILITIES, "clientCapabilities"),
    ("progressToken", "progressToken"),
    (META_LOG_LEVEL, "logLevel"),
];

/// What the log says of one request: its head, its message (if its body was read), its answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub method: String,
    pub path: String,
    pub era: Era,
    pub protocol_version: Option<String>,
    pub mcp_method: Option<String>,
    pub mcp_name: Option<String>,
    pub has_session: bool,
    pub accept: Option<String>,
    /// `None` when the request was refused before its body was read (or had none).
    pub message: Option<MessageFacts>,
    /// The HTTP status answered (for a stream, the status its head carried).
    pub status: u16,
    /// What the answer was, when the status does not say it all: `error(-32602)`, `stream`,
    /// `input_required`, `complete`, `cancelled`.
    pub outcome: Option<String>,
}

/// What the log says of a JSON-RPC message.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageFacts {
    /// The method of a request or notification; `None` for a response the client sent.
    pub method: Option<String>,
    /// The id as JSON text (`2`, `"a"`); `None` for a notification.
    pub id: Option<String>,
    /// The short names of the [`META_KEYS`] that `params._meta` carried.
    pub meta: Vec<&'static str>,
    pub request_state: bool,
    pub input_responses: bool,
}

impl Facts {
    /// The facts of a request's head; the rest is filled in as the endpoint learns it.
    pub fn of_head(head: &RequestHead) -> Facts {
        let header = |name: &str| head.header(name).map(str::to_string);
        Facts {
            method: head.method.clone(),
            path: head.path.clone(),
            era: Era::of(head),
            protocol_version: header("mcp-protocol-version"),
            mcp_method: header("mcp-method"),
            mcp_name: header("mcp-name"),
            has_session: head.header("mcp-session-id").is_some(),
            accept: head.accept(),
            message: None,
            status: 0,
            outcome: None,
        }
    }
}

impl MessageFacts {
    pub fn of(message: &Message) -> MessageFacts {
        let (method, id, params) = match message {
            Message::Request { id, method, params } => (Some(method), Some(id), params.as_ref()),
            Message::Notification { method, params } => (Some(method), None, params.as_ref()),
            Message::Response { id, .. } => (None, Some(id), None),
            Message::Error { id, .. } => (None, id.as_ref(), None),
        };
        let has = |key: &str| params.and_then(|p| p.get(key)).is_some();
        let meta = params.and_then(|p| p.get("_meta")).unwrap_or(&Value::Null);
        MessageFacts {
            method: method.cloned(),
            id: id.map(id_text),
            meta: META_KEYS
                .iter()
                .filter(|(key, _)| meta.get(key).is_some())
                .map(|(_, short)| *short)
                .collect(),
            request_state: has("requestState"),
            input_responses: has("inputResponses"),
        }
    }
}

fn id_text(id: &RequestId) -> String {
    match id {
        RequestId::Number(n) => n.to_string(),
        RequestId::String(s) => quoted(s),
    }
}

/// A client's value, quoted and escaped, cut at [`MAX_VALUE_CHARS`].
fn quoted(value: &str) -> String {
    let cut: String = value.chars().take(MAX_VALUE_CHARS).collect();
    let more = if cut.len() < value.len() { "…" } else { "" };
    format!("{cut:?}{more}")
}

fn present(yes: bool) -> &'static str {
    if yes {
        "present"
    } else {
        "absent"
    }
}

/// The log line of one request (without the line end).
pub fn line(f: &Facts) -> String {
    let value = |v: &Option<String>| v.as_deref().map_or("absent".to_string(), quoted);
    let era = match f.era {
        Era::Legacy => "legacy",
        Era::Modern => "modern",
    };
    let mut out = format!(
        "request: {} {} era={era} MCP-Protocol-Version={} Mcp-Method={} Mcp-Name={} \
         Mcp-Session-Id={} Accept={}",
        quoted_word(&f.method),
        quoted_word(&f.path),
        value(&f.protocol_version),
        value(&f.mcp_method),
        value(&f.mcp_name),
        present(f.has_session),
        value(&f.accept),
    );
    if let Some(m) = &f.message {
        let method = m.method.as_deref().map_or("response".to_string(), quoted);
        let id = m.id.as_deref().unwrap_or("none");
        let meta = match m.meta.is_empty() {
            true => "none".to_string(),
            false => m.meta.join(","),
        };
        out.push_str(&format!(
            " jsonrpc={method} id={id} _meta={meta} requestState={} inputResponses={}",
            present(m.request_state),
            present(m.input_responses)
        ));
    }
    out.push_str(&format!(" status={}", f.status));
    if let Some(outcome) = &f.outcome {
        out.push_str(&format!(" outcome={outcome}"));
    }
    out
}

/// The method and path as they came when they are plain words (they nearly always are), quoted
/// otherwise: tiny_http passes on what the request line said.
fn quoted_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word.len() <= MAX_VALUE_CHARS
        && word.bytes().all(|b| b.is_ascii_graphic() && b != b'"');
    match plain {
        true => word.to_string(),
        false => quoted(word),
    }
}

/// Print one request's line to stderr: the line and its newline in one `write_all` on the locked
/// stderr, so that lines of requests answered at once never interleave (`eprintln!` would write
/// the newline separately). A write error is ignored: a log must not fail a request.
pub fn emit(facts: &Facts) {
    let text = format!("{}\n", line(facts));
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn head(headers: &[(&str, &str)]) -> RequestHead {
        RequestHead {
            method: "POST".into(),
            path: "/mcp".into(),
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..RequestHead::default()
        }
    }

    fn request(params: Value) -> Message {
        Message::Request {
            id: RequestId::Number(2),
            method: "tools/call".into(),
            params: Some(params),
        }
    }

    #[test]
    fn a_modern_call_names_its_headers_meta_keys_and_answer() {
        let mut f = Facts::of_head(&head(&[
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "tools/call"),
            ("mcp-name", "get_weather"),
            ("Accept", "application/json, text/event-stream"),
        ]));
        f.message = Some(MessageFacts::of(&request(json!({
            "name": "get_weather",
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "progressToken": 1,
                "somethingElse": true
            },
            "requestState": "abc.def"
        }))));
        f.status = 200;
        f.outcome = Some("complete".into());
        assert_eq!(
            line(&f),
            "request: POST /mcp era=modern MCP-Protocol-Version=\"2026-07-28\" \
             Mcp-Method=\"tools/call\" Mcp-Name=\"get_weather\" Mcp-Session-Id=absent \
             Accept=\"application/json, text/event-stream\" jsonrpc=\"tools/call\" id=2 \
             _meta=protocolVersion,clientCapabilities,progressToken requestState=present \
             inputResponses=absent status=200 outcome=complete"
        );
    }

    #[test]
    fn a_refusal_before_the_body_has_no_message_part() {
        let mut f = Facts::of_head(&head(&[]));
        f.status = 406;
        f.outcome = Some("error(-32600)".into());
        assert_eq!(
            line(&f),
            "request: POST /mcp era=legacy MCP-Protocol-Version=absent Mcp-Method=absent \
             Mcp-Name=absent Mcp-Session-Id=absent Accept=absent status=406 outcome=error(-32600)"
        );
    }

    #[test]
    fn secrets_are_never_printed_and_client_values_cannot_break_the_line() {
        let mut f = Facts::of_head(&head(&[
            ("Authorization", "Bearer s3cret-token"),
            ("Mcp-Session-Id", "the-session-id"),
            ("Mcp-Method", "tools/call\nrequest: forged"),
            ("Mcp-Name", &"x".repeat(500)),
        ]));
        f.message = Some(MessageFacts::of(&Message::Notification {
            method: "notifications/initialized".into(),
            params: None,
        }));
        let text = line(&f);
        assert!(
            !text.contains("s3cret") && !text.contains("Bearer"),
            "{text}"
        );
        assert!(!text.contains("the-session-id"), "{text}");
        assert!(text.contains("Mcp-Session-Id=present"), "{text}");
        assert!(!text.contains('\n'), "one line: {text}");
        assert!(
            text.contains(r#"Mcp-Method="tools/call\nrequest: forged""#),
            "{text}"
        );
        assert!(
            text.len() < 500,
            "long values are cut: {} chars",
            text.len()
        );
        assert!(text.contains("id=none _meta=none"), "{text}");
    }

    #[test]
    fn a_response_from_the_client_and_a_string_id_are_named_as_such() {
        let facts = MessageFacts::of(&Message::Response {
            id: RequestId::String("q1".into()),
            result: json!({}),
        });
        assert_eq!(facts.method, None);
        assert_eq!(facts.id.as_deref(), Some("\"q1\""));
    }
}
