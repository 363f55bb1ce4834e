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
use crate::wire::{MAX_BODY_BYTES, MAX_HEAD_BYTES};
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

/// The HTTP version of the request line (tiny_http itself answers 505 to 2.0 and 3.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpVersion {
    /// No headers at all: refused (505).
    Http09,
    /// Cannot read a chunked stream, so it gets one JSON object; may omit `Host`.
    Http10,
    #[default]
    Http11,
}

/// The parts of an HTTP request the rules look at.
#[derive(Debug, Clone, Default)]
pub struct RequestHead {
    /// As sent: methods are case-sensitive (RFC 9110 §9.1), so `post` is not `POST`.
    pub method: String,
    /// The path without the query string (an absolute-form target's scheme and host removed).
    pub path: String,
    /// What followed the `?` of the target, if anything (only 2024-11-05's `/messages` reads it).
    pub query: String,
    pub version: HttpVersion,
    /// Every header line in order, repeated names kept (as tiny_http gives them).
    pub headers: Vec<(String, String)>,
    pub body: BodyLength,
}

impl RequestHead {
    /// The rules of HTTP's message syntax (RFC 9110, 9112) that tiny_http leaves to us: checked
    /// before anything else, because each of them is about where this message, or the next one on
    /// the connection, begins and ends.
    ///
    /// # Errors
    /// 505 for HTTP/0.9; 400 for a malformed, missing or repeated `Host`, a header with NUL, CR or
    /// LF, or a folded line, a `Content-Length` that is not digits, or one beside
    /// `Transfer-Encoding`, a GET or DELETE that declares a body; 501 for a transfer coding other
    /// than `chunked`.
    pub fn check_message(&self) -> Result<(), Rejection> {
        let bad = |why: String| Err(Rejection::BadRequest(why));
        if self.version == HttpVersion::Http09 {
            return Err(Rejection::HttpVersionNotSupported);
        }
        // RFC 6585 §5: 431 when "the request's header fields are too large".
        let head_bytes: usize = self.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
        if head_bytes > MAX_HEAD_BYTES {
            return Err(Rejection::HeadersTooLarge);
        }
        for (name, value) in &self.headers {
            // RFC 9110 §5.5: a recipient of "CR, LF, or NUL within a field value MUST either reject the message or replace each of those characters with SP"
            // A name with white space in it is what an obs-fold line (RFC 9112 §5.2) turns into.
            let odd_name =
                name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == '\0');
            if odd_name || value.contains(['\0', '\r', '\n']) {
                return bad(format!(
                    "the header line {name:?} is not a plain name: value line"
                ));
            }
        }
        let values = |wanted: &str| -> Vec<&str> {
            let named = self
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(wanted));
            named.map(|(_, v)| v.as_str()).collect()
        };
        // RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1 request message that lacks a Host header field and to any request message that contains more than one Host header field line or a Host header field with an invalid field value."
        match values("host")[..] {
            [] if self.version == HttpVersion::Http11 => {
                return bad("an HTTP/1.1 request needs a Host header".into())
            }
            [] => {}
            [host] if authority_host(host).is_some() => {}
            [host] => return bad(format!("Host {host:?} is not host[:port]")),
            _ => return bad("more than one Host header".into()),
        }
        let lengths = values("content-length");
        // RFC 9112 §6.2: Content-Length = 1*DIGIT (tiny_http would also take "+5" or drop "abc").
        if let Some(v) = lengths
            .iter()
            .find(|v| v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()))
        {
            return bad(format!("Content-Length {v:?} is not a number"));
        }
        // Digits, but more than any length we could read (tiny_http drops such a header).
        if lengths.iter().any(|v| v.parse::<u64>().is_err()) {
            return Err(Rejection::PayloadTooLarge);
        }
        let codings = values("transfer-encoding");
        // RFC 9112 §6.1: a request with both "ought to be handled as an error"; two readings of where the body ends are how requests are smuggled.
        if !codings.is_empty() && !lengths.is_empty() {
            return bad("both Content-Length and Transfer-Encoding".into());
        }
        // RFC 9110 §9.3.1: content in a GET "has no generally defined semantics" (DELETE alike).
        // Ours have none, and a stream that waited for a promised body would wait for ever.
        if matches!(self.method.as_str(), "GET" | "DELETE") && !self.body.is_empty() {
            return bad(format!("{} carries no body", self.method));
        }
        // RFC 9112 §6.1: a server that receives a transfer coding it does not understand "SHOULD respond with the 501 (Not Implemented) status code" (tiny_http reads any value as chunked).
        if codings.len() > 1
            || codings
                .iter()
                .any(|v| !v.trim().eq_ignore_ascii_case("chunked"))
        {
            return Err(Rejection::NotImplemented(format!(
                "Transfer-Encoding {codings:?}; only chunked"
            )));
        }
        Ok(())
    }

    /// A head with these header lines and defaults for the rest: for unit tests of the rules.
    #[cfg(test)]
    pub fn with_headers(headers: &[(&str, &str)]) -> RequestHead {
        let headers = headers.iter().map(|(n, v)| (n.to_string(), v.to_string()));
        RequestHead {
            headers: headers.collect(),
            ..RequestHead::default()
        }
    }

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

/// The host of an authority (`127.0.0.1:8000`, `[::1]:8000`, `localhost`): `None` unless it is
/// exactly host, or host and a numeric port, with nothing else (no `user@`, no path, no half of
/// an IPv6 bracket). `Host` and `Origin` are both read through here.
pub fn authority_host(authority: &str) -> Option<&str> {
    // RFC 3986 §3.2.3: `port = *DIGIT`, so `localhost:` (an empty port) is valid too.
    let port_ok = |p: &str| p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = authority.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let ip6 = !inside.is_empty()
            && inside
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
        let port = after.strip_prefix(':');
        return (ip6 && (after.is_empty() || port.is_some_and(port_ok))).then_some(inside);
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    // RFC 3986 §3.2.2 reg-name, without percent-encoding: letters, digits, '-', '.', '_', '~'.
    let name_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    (name_ok && port.is_none_or(port_ok)).then_some(host)
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

    fn with(headers: &[(&str, &str)]) -> RequestHead {
        RequestHead::with_headers(headers)
    }

    #[test]
    fn host_must_be_one_valid_authority_and_is_needed_in_http_1_1() {
        assert!(with(&[("Host", "127.0.0.1:8000")]).check_message().is_ok());
        assert!(with(&[("Host", "[::1]:8000")]).check_message().is_ok());
        for bad in [
            "",
            "[::1",
            "[::1]x",
            "a b",
            "localhost:80@evil.com",
            "h:port",
            "h/x",
            "h:123456",
        ] {
            assert!(with(&[("Host", bad)]).check_message().is_err(), "{bad:?}");
        }
        assert!(with(&[]).check_message().is_err(), "HTTP/1.1 without Host");
        let two = with(&[("Host", "localhost"), ("host", "localhost")]);
        assert!(two.check_message().is_err());
        let old = RequestHead {
            version: HttpVersion::Http10,
            ..with(&[])
        };
        assert!(old.check_message().is_ok(), "HTTP/1.0 may omit Host");
        let ancient = RequestHead {
            version: HttpVersion::Http09,
            ..with(&[])
        };
        assert_eq!(
            ancient.check_message(),
            Err(Rejection::HttpVersionNotSupported)
        );
    }

    #[test]
    fn smuggling_shapes_are_refused() {
        let h = |extra: &[(&str, &str)]| {
            let mut all = vec![("Host", "localhost")];
            all.extend_from_slice(extra);
            with(&all).check_message()
        };
        assert!(h(&[("Content-Length", "5")]).is_ok());
        assert!(h(&[("Transfer-Encoding", "chunked")]).is_ok());
        for n in ["+5", "-1", "0x10", "5 ", ""] {
            assert!(h(&[("Content-Length", n)]).is_err(), "{n:?}");
        }
        assert!(h(&[("Content-Length", "5"), ("Transfer-Encoding", "chunked")]).is_err());
        let gzip = h(&[("Transfer-Encoding", "gzip, chunked")]);
        assert!(
            matches!(gzip, Err(Rejection::NotImplemented(_))),
            "{gzip:?}"
        );
        assert!(h(&[("X-A", "a\0b")]).is_err());
        assert!(h(&[(" X-Folded", "b")]).is_err());
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
