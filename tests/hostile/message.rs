//! HTTP's own message rules (RFC 9110, RFC 9112) and the security headers read strictly: what
//! tiny_http 0.12 leaves to us, each refused (or served) as the RFC says, over real sockets.
//! Issue 13, defects 11, 15 and 16.

use crate::support::*;
use crate::{assert_refused, connect_and_send, read_until_quiet};
use std::time::Duration;
use streamable_mcp::jsonrpc::INVALID_REQUEST;
use streamable_mcp::wire::TRANSPORT_ERROR;

const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

/// A stateless ping with `extra` header lines, and `first_line` as its request line.
fn ping(addr: std::net::SocketAddr, first_line: &str, extra: &str) -> RawResponse {
    let request = format!(
        "{first_line}\r\n{extra}Content-Type: application/json\r\nAccept: {ACCEPT_BOTH}\r\n\
         Connection: close\r\nContent-Length: {}\r\n\r\n{PING}",
        PING.len()
    );
    send_raw(addr, request.as_bytes())
}

fn stateless() -> TestServer {
    start(|c| c.stateless = true)
}

/// RFC 9112 §3.2: 400 for a request "that contains more than one Host header field line or a
/// Host header field with an invalid field value".
#[test]
fn two_hosts_an_empty_host_or_a_malformed_host_is_400() {
    let s = stateless();
    let line = "POST /mcp HTTP/1.1";
    let a = s.addr;
    for hosts in [
        format!("Host: {a}\r\nHost: {a}\r\n"),
        "Host: \r\n".to_string(),
        "Host: [::1\r\n".to_string(),
        "Host: localhost:80@evil.com\r\n".to_string(),
    ] {
        assert_refused(&ping(a, line, &hosts), 400, INVALID_REQUEST, &hosts);
    }
    assert_eq!(ping(a, line, &format!("Host: {a}\r\n")).status, 200);
}

/// RFC 9112 §3.2.2: "a server MUST accept the absolute-form in requests".
#[test]
fn an_absolute_form_target_is_served_like_its_path() {
    let s = stateless();
    let line = format!("POST http://{}/mcp HTTP/1.1", s.addr);
    let r = ping(s.addr, &line, &format!("Host: {}\r\n", s.addr));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["result"], serde_json::json!({}));
}

/// RFC 9110 §9.1: "The method token is case-sensitive": `post` is no POST.
#[test]
fn a_lower_case_method_is_not_post() {
    let s = stateless();
    let r = ping(
        s.addr,
        "post /mcp HTTP/1.1",
        &format!("Host: {}\r\n", s.addr),
    );
    assert_refused(&r, 405, TRANSPORT_ERROR, "post");
}

/// RFC 9110 §5.5: a field value with NUL "MUST" be rejected (or the NUL replaced).
#[test]
fn a_nul_in_a_header_value_is_400() {
    let s = stateless();
    let extra = format!("Host: {}\r\nX-Note: a\0b\r\n", s.addr);
    let r = ping(s.addr, "POST /mcp HTTP/1.1", &extra);
    assert_refused(&r, 400, INVALID_REQUEST, "NUL");
}

/// HTTP/0.9 has no headers, so no Host, no length and no session: 505.
#[test]
fn http_0_9_is_505() {
    let s = stateless();
    let r = ping(
        s.addr,
        "POST /mcp HTTP/0.9",
        &format!("Host: {}\r\n", s.addr),
    );
    assert_refused(&r, 505, TRANSPORT_ERROR, "HTTP/0.9");
}

/// SHARP EDGE, pinned: RFC 9112 §2.2 says a server SHOULD ignore an empty line before the
/// request line; tiny_http's parser answers 400 and closes. Only that connection is affected.
#[test]
fn a_leading_empty_line_gets_tiny_https_400() {
    let s = stateless();
    let request = format!(
        "\r\nPOST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{PING}",
        s.addr,
        PING.len()
    );
    let mut stream = connect_and_send(s.addr, request.as_bytes());
    let reply = read_until_quiet(&mut stream, Duration::from_millis(500));
    assert!(String::from_utf8_lossy(&reply).starts_with("HTTP/1.1 400"));
    assert_eq!(
        ping(
            s.addr,
            "POST /mcp HTTP/1.1",
            &format!("Host: {}\r\n", s.addr)
        )
        .status,
        200
    );
}

fn with_token() -> TestServer {
    start(|c| {
        c.stateless = true;
        c.auth_token = Some("s3cret".into());
    })
}

/// RFC 9110 §11.1: the authentication scheme "is case-insensitive".
#[test]
fn the_bearer_scheme_is_case_insensitive() {
    let s = with_token();
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let extra = format!("Host: {}\r\nAuthorization: {scheme} s3cret\r\n", s.addr);
        assert_eq!(
            ping(s.addr, "POST /mcp HTTP/1.1", &extra).status,
            200,
            "{scheme}"
        );
    }
    let wrong = format!("Host: {}\r\nAuthorization: Basic s3cret\r\n", s.addr);
    assert_refused(
        &ping(s.addr, "POST /mcp HTTP/1.1", &wrong),
        401,
        TRANSPORT_ERROR,
        "Basic",
    );
}

/// Two different tokens or two different Origins: refused, instead of the first one winning
/// (which one a proxy adds first would decide what we check).
#[test]
fn two_different_tokens_or_origins_are_400() {
    let s = with_token();
    let a = s.addr;
    let tokens =
        format!("Host: {a}\r\nAuthorization: Bearer s3cret\r\nAuthorization: Bearer other\r\n");
    assert_refused(
        &ping(a, "POST /mcp HTTP/1.1", &tokens),
        400,
        INVALID_REQUEST,
        "tokens",
    );
    let origins = format!(
        "Host: {a}\r\nAuthorization: Bearer s3cret\r\nOrigin: http://localhost\r\nOrigin: http://evil.example\r\n"
    );
    assert_refused(
        &ping(a, "POST /mcp HTTP/1.1", &origins),
        400,
        INVALID_REQUEST,
        "origins",
    );
}

/// RFC 6454 §7: an origin is scheme, host and port, nothing more; `localhost:80@evil.com` is a
/// page from evil.com.
#[test]
fn an_origin_with_user_info_or_a_path_is_403() {
    let s = stateless();
    for origin in [
        "http://localhost:80@evil.com",
        "http://localhost/x",
        "http://[::1",
        "localhost",
    ] {
        let extra = format!("Host: {}\r\nOrigin: {origin}\r\n", s.addr);
        assert_refused(
            &ping(s.addr, "POST /mcp HTTP/1.1", &extra),
            403,
            TRANSPORT_ERROR,
            origin,
        );
    }
}
