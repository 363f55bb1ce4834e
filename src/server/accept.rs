//! Choosing how a reply is framed, from the request's `Accept` header.
//!
//! Implements MCP 2025-11-25 `basic/transports` §Sending Messages to the Server #2 and #5: the
//! client lists what it can read, and a request is answered either with `text/event-stream` (an
//! SSE stream) or with `application/json` (one JSON object); we also offer `application/x-ndjson`
//! for the tutorial. The spec leaves a bad `Accept` to us; like the official SDKs we answer 406.
//!
//! Left out: `q` weights beyond "q=0 means no". Our preference order is fixed (below) because the
//! clients we serve list types without weights. A production server would rank by weight
//! (RFC 9110 §12.5.1), and would still break ties the way this table does.
//!
//! # The rules
//! | `Accept` contains | a call that streams gets | a reply with nothing to stream gets |
//! |---|---|---|
//! | `text/event-stream` | SSE | JSON if allowed, else SSE |
//! | `application/x-ndjson` (and no SSE) | NDJSON | JSON if allowed, else NDJSON |
//! | only `application/json` | one JSON object (progress is dropped) | JSON |
//! | `*/*`, `application/*`, or no header | NDJSON, so plain `curl` shows the lines | JSON |
//! | none of these | 406 | 406 |

use crate::framing::Framing;
use crate::wire::{MIME_JSON, MIME_NDJSON, MIME_SSE};

/// What one `Accept` header allows, read once.
#[derive(Debug, Default, PartialEq)]
struct Allowed {
    sse: bool,
    ndjson: bool,
    json: bool,
    /// `*/*` or `application/*`: anything goes, but nothing was asked for by name.
    wildcard: bool,
    text_wildcard: bool,
}

fn read_accept(accept: Option<&str>) -> Allowed {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        // No Accept header means "any type" (RFC 9110 §12.5.1).
        return Allowed {
            wildcard: true,
            ..Allowed::default()
        };
    };
    let mut allowed = Allowed::default();
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let refused = parts.any(|p| {
            let p = p.trim().replace(' ', "");
            p == "q=0" || p == "q=0.0" || p == "q=0.00" || p == "q=0.000"
        });
        if refused {
            continue;
        }
        match media.as_str() {
            MIME_SSE => allowed.sse = true,
            MIME_NDJSON => allowed.ndjson = true,
            MIME_JSON => allowed.json = true,
            "*/*" | "application/*" => allowed.wildcard = true,
            "text/*" => allowed.text_wildcard = true,
            _ => {}
        }
    }
    allowed
}

/// Does the `Accept` header allow at least one framing we produce? (If not: 406.)
pub fn acceptable(accept: Option<&str>) -> bool {
    let a = read_accept(accept);
    a.sse || a.ndjson || a.json || a.wildcard || a.text_wildcard
}

/// Does the `Accept` header name `text/event-stream`? A GET stream needs it by name: SSE is the
/// only framing a GET can have, and a client that did not ask for it cannot read it.
pub fn allows_sse(accept: Option<&str>) -> bool {
    read_accept(accept).sse
}

/// Pick the framing for one reply. `streams` is true for calls that may send messages before
/// their result (`tools/call`); everything else has one message to send.
///
/// Returns `None` when nothing is acceptable (the caller answers 406).
// ANCHOR: choose
pub fn choose(accept: Option<&str>, streams: bool) -> Option<Framing> {
    let a = read_accept(accept);
    if streams {
        if a.sse {
            Some(Framing::Sse)
        } else if a.ndjson || a.wildcard {
            Some(Framing::Ndjson)
        } else if a.json {
            Some(Framing::Json)
        } else if a.text_wildcard {
            Some(Framing::Sse)
        } else {
            None
        }
    } else if a.json || a.wildcard {
        // One message needs no stream: a JSON object is the simplest answer a client can read.
        Some(Framing::Json)
    } else if a.sse || a.text_wildcard {
        Some(Framing::Sse)
    } else if a.ndjson {
        Some(Framing::Ndjson)
    } else {
        None
    }
}
// ANCHOR_END: choose

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_client_accept_gets_sse_for_streaming_calls_and_json_otherwise() {
        let accept = Some("application/json, text/event-stream");
        assert_eq!(choose(accept, true), Some(Framing::Sse));
        assert_eq!(choose(accept, false), Some(Framing::Json));
    }

    #[test]
    fn ndjson_accept_gets_ndjson() {
        assert_eq!(
            choose(Some("application/x-ndjson"), true),
            Some(Framing::Ndjson)
        );
        assert_eq!(
            choose(Some("application/x-ndjson"), false),
            Some(Framing::Ndjson)
        );
    }

    #[test]
    fn json_only_accept_gets_one_json_object() {
        assert_eq!(choose(Some("application/json"), true), Some(Framing::Json));
    }

    #[test]
    fn wildcard_or_missing_accept_streams_as_ndjson() {
        assert_eq!(choose(Some("*/*"), true), Some(Framing::Ndjson));
        assert_eq!(choose(None, true), Some(Framing::Ndjson));
        assert_eq!(choose(None, false), Some(Framing::Json));
    }

    #[test]
    fn accept_allowing_nothing_we_produce_is_not_acceptable() {
        assert!(!acceptable(Some("text/html")));
        assert_eq!(choose(Some("text/html, image/png"), true), None);
        assert!(acceptable(Some("text/html, application/json")));
    }

    #[test]
    fn q_zero_refuses_a_type() {
        assert_eq!(
            choose(Some("text/event-stream;q=0, application/json"), true),
            Some(Framing::Json)
        );
        assert!(!acceptable(Some("application/json; q=0")));
    }

    #[test]
    fn media_types_are_case_insensitive() {
        assert_eq!(choose(Some("Text/Event-Stream"), true), Some(Framing::Sse));
    }
}
