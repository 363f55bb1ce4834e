//! The bytes of an HTTP/1.1 response, built by hand.
//!
//! Implements the response side of RFC 9112 (HTTP/1.1 message syntax) as far as we need it: a
//! status line, headers, and a body that is either sized (`Content-Length`) or chunked
//! (`Transfer-Encoding: chunked`, §7.1). Pure: it returns bytes; `socket.rs` writes them.
//!
//! # Why not tiny_http's `Response`?
//! SHARP EDGE (tiny_http 0.12): a `Response` with a streamed body goes through
//! `chunked_transfer::Encoder`, which buffers 8 KiB before sending anything and never flushes per
//! write. Our progress events (a few hundred bytes each) would all arrive together with the result.
//! And a sized `Response` over ~1 KiB leaves in two writes, which on a keep-alive connection meets
//! Nagle's algorithm and the client's delayed ACK: 40 ms per response. So we take the raw socket
//! writer (`Request::into_writer`) and write each response, and each event, as one buffer. (The
//! one exception, a refusal of a request whose body was never read, is `tiny_http_fixes.rs`'s.)

/// A response sent in one piece: everything but a stream (refusals included).
#[derive(Debug, Clone, PartialEq)]
pub struct Whole {
    pub status: u16,
    /// Headers of this response (`Mcp-Session-Id`, `Allow`, ...); the connection's own header is
    /// added when it is written (see [`Whole::to_bytes`]).
    pub headers: Vec<(&'static str, String)>,
    pub content_type: Option<&'static str>,
    pub body: Vec<u8>,
}

impl Whole {
    /// A response with no body: 202 Accepted for a notification, 200 for a DELETE.
    pub fn empty(status: u16) -> Whole {
        Whole {
            status,
            headers: Vec::new(),
            content_type: None,
            body: Vec::new(),
        }
    }

    /// The bytes to write, with `connection` (the server's `Connection: close`, or nothing)
    /// after this response's own headers.
    pub fn to_bytes(&self, connection: &[(&str, String)]) -> Vec<u8> {
        let mut headers: Vec<(&str, String)> = self.headers.clone();
        headers.extend_from_slice(connection);
        sized(self.status, &headers, self.content_type, &self.body)
    }
}

/// The reason phrase of the statuses we send.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        // Only a status we never send gets here; RFC 9112 §4 lets the phrase be anything, even empty.
        _ => "Unknown",
    }
}

/// A complete response with a sized body: head and body in one buffer, for one write.
pub fn sized(
    status: u16,
    headers: &[(&str, String)],
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<u8> {
    let mut out = status_and_headers(status, headers);
    if let Some(ct) = content_type {
        out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
    }
    // RFC 9110 §8.6: "A server MUST NOT send a Content-Length header field in any response with a
    // status code of 1xx (Informational) or 204 (No Content)."
    if status != 204 {
        out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

/// The head of a streamed response. It is not sent alone: `pump.rs` prepends it to the first
/// event, so that the head never waits on its own for an ACK.
pub fn stream_head(headers: &[(&str, String)], content_type: &str) -> Vec<u8> {
    let mut out = status_and_headers(200, headers);
    out.extend_from_slice(
        format!(
            "Content-Type: {content_type}\r\nCache-Control: no-cache\r\nX-Accel-Buffering: no\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        .as_bytes(),
    );
    out
}

fn status_and_headers(status: u16, headers: &[(&str, String)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.into_bytes()
}

/// One chunk of a chunked body: size in hex, CRLF, data, CRLF.
// ANCHOR: chunk
pub fn chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}
// ANCHOR_END: chunk

/// The zero-size chunk that ends a chunked body (no trailers).
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_in_the_refusal_table_has_its_reason_phrase() {
        // The table in `Rejection::status`'s doc comment lists every status a refusal can have.
        let table = include_str!("rejection.rs");
        let statuses: Vec<u16> = table
            .lines()
            .filter_map(|l| l.trim().strip_prefix("/// | "))
            .filter_map(|l| l.split(' ').next()?.parse().ok())
            .collect();
        assert!(statuses.len() > 10, "the table was found: {statuses:?}");
        for status in statuses {
            assert_ne!(reason(status), "Unknown", "{status}");
        }
    }

    #[test]
    fn sized_response_has_status_headers_length_and_body() {
        let bytes = sized(202, &[], None, b"");
        assert_eq!(bytes, b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n");
        let bytes = sized(
            200,
            &[("Mcp-Session-Id", "abc".into())],
            Some("application/json"),
            b"{}",
        );
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nMcp-Session-Id: abc\r\n"));
        assert!(text.ends_with("Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"));
    }

    #[test]
    fn chunk_frames_data_with_hex_length() {
        assert_eq!(
            chunk(&[b'x'; 26]),
            [b"1a\r\n".as_slice(), &[b'x'; 26], b"\r\n"].concat()
        );
    }

    #[test]
    fn stream_head_declares_chunked_event_stream() {
        let text = String::from_utf8(stream_head(&[], "text/event-stream")).unwrap();
        assert!(text.contains("Transfer-Encoding: chunked\r\n"));
        assert!(text.contains("Content-Type: text/event-stream\r\n"));
        assert!(text.ends_with("\r\n\r\n"));
    }
}
