//! A request as the rules see it: its head as plain values, and its body read under the caps.
//!
//! Implements the request side of RFC 9112 (HTTP/1.1 message syntax) that MCP 2025-11-25
//! `basic/transports` relies on without saying so: where a body ends (`Content-Length` or
//! `Transfer-Encoding: chunked`), what a repeated header means, and a cap on what we read. The
//! socket side copies tiny_http's request into a [`RequestHead`] and hands over a reader of the
//! body; from then on everything is `&str` and `Vec<u8>`, so each rule can be tested without a
//! socket.
//!
//! Left out: trailers of a chunked body, `Content-Encoding` (a compressed JSON-RPC body is refused
//! as not JSON), and HTTP/2 (tiny_http speaks HTTP/1.x only).

use crate::server::rejection::Rejection;
use crate::wire::MAX_BODY_BYTES;
use std::io::Read;

/// Where the request's body ends, as tiny_http read the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BodyLength {
    /// Neither `Content-Length` nor `Transfer-Encoding`: HTTP says there is no body.
    #[default]
    None,
    /// `Content-Length: n`.
    Declared(usize),
    /// `Transfer-Encoding: chunked`: the length is known only at the end.
    Chunked,
}

impl BodyLength {
    /// No body bytes to read (none declared, or a length of 0).
    pub fn is_empty(self) -> bool {
        matches!(self, BodyLength::None | BodyLength::Declared(0))
    }
}

/// The parts of an HTTP request the rules look at.
#[derive(Debug, Clone, Default)]
pub struct RequestHead {
    /// Upper case, as the rules compare it.
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// An HTTP/1.0 client cannot read a chunked stream, so it gets one JSON object.
    pub http_1_0: bool,
    /// Every header line in order, repeated names kept (as tiny_http gives them).
    pub headers: Vec<(String, String)>,
    pub body: BodyLength,
}

impl RequestHead {
    /// The first value of a header; names are compared case-insensitively, as HTTP says.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `Accept`, with repeated lines combined: RFC 9110 §5.3 says a list-valued field sent on several
    /// lines means the same as one line with the values joined by commas.
    pub fn accept(&self) -> Option<String> {
        let values: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("accept"))
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }

    /// A header that must not appear twice with different values (a session id, a version).
    ///
    /// # Why refuse instead of taking the first?
    /// Two different session ids on one request mean a confused client or a proxy that added one;
    /// picking either would act on a guess. The same reasoning makes RFC 9112 refuse two lengths.
    ///
    /// # Errors
    /// 400 when the values differ.
    pub fn single_header(&self, name: &str) -> Result<Option<&str>, Rejection> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name));
        let first = values.next().map(|(_, v)| v.as_str());
        if values.any(|(_, v)| Some(v.as_str()) != first) {
            return Err(Rejection::BadRequest(format!("conflicting {name} headers")));
        }
        Ok(first)
    }
}

/// Read the body, never more than [`MAX_BODY_BYTES`] whatever the head declares.
///
/// # Errors
/// 411 without a length, 413 over the cap, 400 for a body shorter than declared or unreadable.
// ANCHOR: read_body
pub fn read_body(head: &RequestHead, body: &mut dyn Read) -> Result<Vec<u8>, Rejection> {
    let declared = match head.body {
        // SHARP EDGE (tiny_http 0.12): with neither header it treats the body as empty and would
        // read the real body bytes as the next request. So a POST must say where its body ends.
        BodyLength::None => return Err(Rejection::LengthRequired),
        // Refused before reading a byte: a 1 TB claim costs us nothing.
        BodyLength::Declared(n) if n > MAX_BODY_BYTES => return Err(Rejection::PayloadTooLarge),
        BodyLength::Declared(n) => Some(n),
        // A chunked body declares nothing, so the cap is enforced while reading.
        BodyLength::Chunked => None,
    };
    let mut bytes = Vec::new();
    body.take(MAX_BODY_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Rejection::BadRequest(format!("the body could not be read ({e})")))?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(Rejection::PayloadTooLarge);
    }
    // The client closed before sending all it announced: what arrived may parse, but it is not
    // the message the client meant to send.
    if declared.is_some_and(|n| n != bytes.len()) {
        return Err(Rejection::BadRequest(
            "the body ended before its Content-Length".into(),
        ));
    }
    Ok(bytes)
}
// ANCHOR_END: read_body

#[cfg(test)]
mod tests {
    use super::*;

    fn head(body: BodyLength) -> RequestHead {
        RequestHead {
            method: "POST".into(),
            path: "/mcp".into(),
            body,
            ..RequestHead::default()
        }
    }

    #[test]
    fn a_post_without_a_length_is_411() {
        let r = read_body(&head(BodyLength::None), &mut &b"{}"[..]);
        assert_eq!(r, Err(Rejection::LengthRequired));
    }

    #[test]
    fn a_declared_length_over_the_cap_is_413_before_any_read() {
        let mut nothing = std::io::repeat(b'x');
        let r = read_body(
            &head(BodyLength::Declared(MAX_BODY_BYTES + 1)),
            &mut nothing,
        );
        assert_eq!(r, Err(Rejection::PayloadTooLarge));
    }

    #[test]
    fn a_chunked_body_over_the_cap_is_413_after_reading_one_byte_more() {
        let mut endless = std::io::repeat(b'x');
        let r = read_body(&head(BodyLength::Chunked), &mut endless);
        assert_eq!(r, Err(Rejection::PayloadTooLarge));
    }

    #[test]
    fn a_body_shorter_than_declared_is_400() {
        let r = read_body(&head(BodyLength::Declared(10)), &mut &b"{}"[..]);
        assert!(matches!(r, Err(Rejection::BadRequest(_))));
        let ok = read_body(&head(BodyLength::Declared(2)), &mut &b"{}"[..]);
        assert_eq!(ok.unwrap(), b"{}");
    }

    #[test]
    fn repeated_accept_lines_are_one_list_and_conflicting_ids_are_400() {
        let head = RequestHead {
            headers: vec![
                ("Accept".into(), "application/json".into()),
                ("accept".into(), "text/event-stream".into()),
                ("Mcp-Session-Id".into(), "a".into()),
                ("mcp-session-id".into(), "b".into()),
            ],
            ..RequestHead::default()
        };
        assert_eq!(
            head.accept().as_deref(),
            Some("application/json, text/event-stream")
        );
        assert!(head.single_header("mcp-session-id").is_err());
    }
}
