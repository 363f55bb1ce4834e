//! Missing, duplicated, conflicting, oversized and non-ASCII headers.

use crate::support::*;
use crate::{assert_refused, assert_serves, connect_and_send, read_until_quiet, Victim};
use std::time::Duration;

const PING: &str = r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#;

#[test]
fn conflicting_protocol_version_headers_are_400_and_identical_duplicates_are_served() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let sid = open_session(s.addr);
    let base = [("Accept", ACCEPT_BOTH), ("Mcp-Session-Id", sid.as_str())];
    let v = "MCP-Protocol-Version";
    let conflicting = [(v, "2025-11-25"), (v, "2025-06-18")];
    let r = post(s.addr, &[&base[..], &conflicting[..]].concat(), PING);
    assert_refused(&r, 400, INVALID_REQUEST, "two versions");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("conflicting"));
    let same = [(v, "2025-11-25"), ("mcp-protocol-version", "2025-11-25")];
    assert_eq!(
        post(s.addr, &[&base[..], &same[..]].concat(), PING).status,
        200
    );
    let same_sid = [
        ("Accept", ACCEPT_BOTH),
        ("Mcp-Session-Id", &sid),
        ("MCP-SESSION-ID", &sid),
    ];
    assert_eq!(post(s.addr, &same_sid, PING).status, 200);
    victim.finish();
}

#[test]
fn conflicting_last_event_id_headers_are_400() {
    let s = start(|c| c.drop_stream_after = Some(1));
    let sid = open_session(s.addr);
    let r = post_in(s.addr, &sid, &weather_call(1, "Wuhan", "p"));
    let (id, _) = sse_events(&r.body).pop().unwrap();
    let h = [
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", sid.as_str()),
        ("Last-Event-ID", id.as_str()),
        ("Last-Event-ID", "1-0"),
    ];
    assert_refused(
        &request(s.addr, "GET", &h, ""),
        400,
        INVALID_REQUEST,
        "two ids",
    );
    assert_eq!(
        request(s.addr, "GET", &h[..3], "").status,
        200,
        "one id resumes"
    );
}

#[test]
fn missing_or_foreign_content_type_is_415() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    for content_type in [
        None,
        Some(""),
        Some("application/jsonx"),
        Some("text/json"),
        Some("application/json-seq"),
    ] {
        let mut h = vec![("Accept", ACCEPT_BOTH), ("Mcp-Session-Id", sid.as_str())];
        h.extend(content_type.map(|c| ("Content-Type", c)));
        let r = request(s.addr, "POST", &h, PING);
        assert_refused(&r, 415, TRANSPORT_ERROR, &format!("{content_type:?}"));
    }
}

#[test]
fn one_mib_header_values_are_431_and_the_server_stays_up() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let huge = "a".repeat(1024 * 1024);
    let origin = format!("http://{huge}");
    let sid = open_session(s.addr);
    for (name, value) in [
        ("Mcp-Session-Id", huge.as_str()),
        ("Origin", origin.as_str()),
        ("MCP-Protocol-Version", huge.as_str()),
    ] {
        let mut h = vec![("Accept", ACCEPT_BOTH), (name, value)];
        if name != "Mcp-Session-Id" {
            h.push(("Mcp-Session-Id", sid.as_str()));
        }
        assert_refused(&post(s.addr, &h, PING), 431, TRANSPORT_ERROR, name);
    }
    // Just under the cap is read as usual: an unknown session id of 60 KiB is a 404.
    let long = "a".repeat(60 * 1024);
    let h = [("Accept", ACCEPT_BOTH), ("Mcp-Session-Id", long.as_str())];
    assert_refused(&post(s.addr, &h, PING), 404, SESSION_NOT_FOUND, "60 KiB");
    victim.finish();
    assert_serves(s.addr);
}

/// SHARP EDGE (tiny_http 0.12): a header byte outside ASCII makes it drop the connection without
/// a word; the request never reaches us. Only that connection is affected.
#[test]
fn a_non_ascii_header_value_closes_only_that_connection() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    for value in [&b"caf\xc3\xa9"[..], b"\xff\xfe", b"\x80"] {
        let mut req = format!("POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-Name: ", s.addr, PING.len()).into_bytes();
        req.extend_from_slice(value);
        req.extend_from_slice(b"\r\n\r\n");
        req.extend_from_slice(PING.as_bytes());
        let mut stream = connect_and_send(s.addr, &req);
        let reply = read_until_quiet(&mut stream, Duration::from_secs(2));
        assert!(
            reply.is_empty(),
            "closed without an answer: {:?}",
            String::from_utf8_lossy(&reply)
        );
    }
    victim.finish();
    assert_serves(s.addr);
}

#[test]
fn a_header_line_without_a_colon_is_400() {
    let s = start(|_| {});
    let req = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nthis is not a header\r\nContent-Length: 0\r\n\r\n",
        s.addr
    );
    assert_eq!(send_raw(s.addr, req.as_bytes()).status, 400);
    assert_serves(s.addr);
}

/// RFC 9112 §6.3: a request with several Content-Length values that differ has no valid framing;
/// "the server MUST respond with a 400 (Bad Request) status code and then close the connection".
/// We answer 400. Closing is beyond us: tiny_http keeps the connection and reads the rest of the
/// body as the next request (request smuggling); docs/reliability.md records this limit, and the
/// hidden request here is a harmless ping for that reason.
#[test]
fn conflicting_content_length_headers_are_400() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let hidden = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nMcp-Session-Id: {sid}\r\nContent-Length: {}\r\n\r\n{PING}",
        s.addr,
        PING.len()
    );
    let req = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: {ACCEPT_BOTH}\r\nMcp-Session-Id: {sid}\r\nContent-Length: {}\r\nContent-Length: {}\r\n\r\n{PING}{hidden}",
        s.addr,
        PING.len(),
        PING.len() + hidden.len()
    );
    let mut stream = connect_and_send(s.addr, req.as_bytes());
    let reply = String::from_utf8_lossy(&read_until_quiet(&mut stream, Duration::from_millis(500)))
        .into_owned();
    assert!(reply.starts_with("HTTP/1.1 400"), "{reply}");
    assert!(reply.contains("conflicting content-length"), "{reply}");
    assert_eq!(
        post_in(s.addr, &sid, PING).status,
        200,
        "the session is intact"
    );
}

/// RFC 9112 §3.2: "A server MUST respond with a 400 (Bad Request) status code to any HTTP/1.1
/// request message that lacks a Host header field".
#[test]
fn http_1_1_request_without_host_is_400() {
    let s = start(|_| {});
    let req = format!("POST /mcp HTTP/1.1\r\nContent-Type: application/json\r\nAccept: {ACCEPT_BOTH}\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{INIT}", INIT.len());
    let r = send_raw(s.addr, req.as_bytes());
    assert_refused(&r, 400, INVALID_REQUEST, "no Host");
}
