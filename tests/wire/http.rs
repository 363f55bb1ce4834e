//! HTTP-level rules: headers, methods, paths, body limits, security checks and overload.

use crate::support::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

const PING: &str = r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#;

fn stateless() -> TestServer {
    start(|c| c.stateless = true)
}

#[test]
fn missing_protocol_version_header_is_accepted() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post(
        s.addr,
        &[("Accept", ACCEPT_BOTH), ("Mcp-Session-Id", &sid)],
        PING,
    );
    assert_eq!(r.status, 200);
}

/// A version that is no handshake revision goes the 2026-07-28 way (`server/era.rs`), where a
/// version we do not speak is 400 with -32022, naming it.
#[test]
fn unsupported_protocol_version_header_is_400() {
    let s = start(|_| {});
    let ping = r#"{"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"1999-01-01","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
    let r = post(
        s.addr,
        &[
            ("Accept", ACCEPT_BOTH),
            ("MCP-Protocol-Version", "1999-01-01"),
            ("Mcp-Method", "ping"),
        ],
        ping,
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], UNSUPPORTED_PROTOCOL_VERSION);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("1999-01-01"));
}

#[test]
fn any_supported_protocol_version_is_accepted_even_if_not_the_negotiated_one() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post(
        s.addr,
        &[
            ("Accept", ACCEPT_BOTH),
            ("Mcp-Session-Id", &sid),
            ("MCP-Protocol-Version", "2025-03-26"),
        ],
        PING,
    );
    assert_eq!(r.status, 200);
}

#[test]
fn non_json_content_type_is_415() {
    let s = stateless();
    let r = request(
        s.addr,
        "POST",
        &[("Content-Type", "text/plain"), ("Accept", ACCEPT_BOTH)],
        PING,
    );
    assert_eq!(r.status, 415);
    let ok = request(
        s.addr,
        "POST",
        &[
            ("Content-Type", "application/json; charset=utf-8"),
            ("Accept", ACCEPT_BOTH),
        ],
        PING,
    );
    assert_eq!(ok.status, 200);
}

#[test]
fn body_over_one_mib_is_413_and_server_stays_up() {
    let s = stateless();
    let big = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"pad":"{}"}}}}"#,
        "x".repeat(1024 * 1024 + 10)
    );
    let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], &big);
    assert_eq!(r.status, 413);
    assert_eq!(post(s.addr, &[("Accept", ACCEPT_BOTH)], PING).status, 200);
}

#[test]
fn chunked_body_over_one_mib_is_413_read_through_the_cap() {
    let s = stateless();
    let mut req = format!("POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n", s.addr).into_bytes();
    let piece = vec![b' '; 64 * 1024];
    for _ in 0..20 {
        req.extend(format!("{:x}\r\n", piece.len()).as_bytes());
        req.extend(&piece);
        req.extend(b"\r\n");
    }
    req.extend(b"0\r\n\r\n");
    let r = send_raw(s.addr, &req);
    assert_eq!(r.status, 413);
    assert_eq!(post(s.addr, &[("Accept", ACCEPT_BOTH)], PING).status, 200);
}

/// tiny_http would abort the process draining a body it believes is 1 TB (see `server/tiny_http_fixes.rs`).
#[test]
fn lying_huge_content_length_does_not_crash_the_server() {
    let s = stateless();
    let mut stream = TcpStream::connect(s.addr).unwrap();
    let head = format!("POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 1000000000000\r\n\r\n{{", s.addr);
    stream.write_all(head.as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buf = [0u8; 16];
    let _ = stream.read(&mut buf);
    drop(stream);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(post(s.addr, &[("Accept", ACCEPT_BOTH)], PING).status, 200);
}

#[test]
fn post_without_length_or_chunked_body_is_411() {
    let s = stateless();
    let req = format!("POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n", s.addr);
    assert_eq!(send_raw(s.addr, req.as_bytes()).status, 411);
}

#[test]
fn foreign_origin_is_403_with_jsonrpc_error_without_id() {
    let s = stateless();
    let r = post(
        s.addr,
        &[
            ("Accept", ACCEPT_BOTH),
            ("Origin", "http://evil.example.com"),
        ],
        PING,
    );
    assert_eq!(r.status, 403);
    assert!(r.json()["id"].is_null());
    let ok = post(
        s.addr,
        &[("Accept", ACCEPT_BOTH), ("Origin", "http://localhost:6274")],
        PING,
    );
    assert_eq!(ok.status, 200);
}

#[test]
fn allowed_origin_flag_admits_that_origin() {
    let s = start(|c| {
        c.stateless = true;
        c.allowed_origins = vec!["https://course.example.org".into()];
    });
    let r = post(
        s.addr,
        &[
            ("Accept", ACCEPT_BOTH),
            ("Origin", "https://course.example.org"),
        ],
        PING,
    );
    assert_eq!(r.status, 200);
}

#[test]
fn foreign_host_while_bound_to_loopback_is_403() {
    let s = stateless();
    let req = format!(
        "POST /mcp HTTP/1.1\r\nHost: evil.example.com\r\nContent-Type: application/json\r\nAccept: {ACCEPT_BOTH}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PING}",
        PING.len()
    );
    assert_eq!(send_raw(s.addr, req.as_bytes()).status, 403);
}

#[test]
fn missing_or_wrong_bearer_token_is_401_with_www_authenticate() {
    let s = start(|c| {
        c.stateless = true;
        c.auth_token = Some("letmein".into());
    });
    for auth in [None, Some("Bearer wrong")] {
        let mut h = vec![("Accept", ACCEPT_BOTH)];
        h.extend(auth.map(|a| ("Authorization", a)));
        let r = post(s.addr, &h, PING);
        assert_eq!(r.status, 401);
        assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    }
    let ok = post(
        s.addr,
        &[("Accept", ACCEPT_BOTH), ("Authorization", "Bearer letmein")],
        PING,
    );
    assert_eq!(ok.status, 200);
}

#[test]
fn get_on_a_stateless_server_is_405_with_allow() {
    let s = stateless();
    let r = request(s.addr, "GET", &[("Accept", "text/event-stream")], "");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
}

#[test]
fn other_paths_are_404() {
    let s = stateless();
    let req = format!("POST /other HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}", s.addr);
    assert_eq!(send_raw(s.addr, req.as_bytes()).status, 404);
}

#[test]
fn other_methods_are_405_with_allow() {
    let s = stateless();
    let r = request(s.addr, "PUT", &[], "");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, POST, DELETE"));
}

#[test]
fn requests_beyond_the_in_flight_cap_get_503_with_retry_after() {
    let s = start(|c| {
        c.stateless = true;
        c.max_in_flight = 1;
        c.step_delay = Duration::from_secs(1);
    });
    let addr = s.addr;
    let slow = std::thread::spawn(move || {
        post(
            addr,
            &[("Accept", ACCEPT_BOTH)],
            &weather_call(1, "Hangzhou", "t"),
        )
    });
    while s.server.endpoint().running_calls() == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], PING);
    assert_eq!(r.status, 503);
    assert!(r.header("retry-after").is_some());
    assert_eq!(slow.join().unwrap().status, 200);
    // The slow request's thread gives its slot back just after its last byte, so the client can
    // be a moment early: ask again for up to five seconds. A slot never given back still fails.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let mut status = post(s.addr, &[("Accept", ACCEPT_BOTH)], PING).status;
    while status == 503 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        status = post(s.addr, &[("Accept", ACCEPT_BOTH)], PING).status;
    }
    assert_eq!(status, 200, "slot given back");
}

#[test]
fn http_1_0_client_gets_one_json_object_even_for_a_streaming_call() {
    let s = stateless();
    let body = weather_call(1, "Wuhan", "t");
    let req = format!("POST /mcp HTTP/1.0\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: {ACCEPT_BOTH}\r\nContent-Length: {}\r\n\r\n{body}", s.addr, body.len());
    let r = send_raw(s.addr, req.as_bytes());
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json()["result"]["structuredContent"]["city"], "Wuhan");
}

/// Every response leaves through the one write path, refusals included, so every one answers a
/// request's `Connection: close` with its own (RFC 9112 §9.6). The exception, pinned here too: a
/// refusal given before a sent body was read is written by tiny_http itself
/// (`tiny_http_fixes.rs` says why), which adds its own `Server` header and drops ours,
/// `Connection` included (it still closes, since the client asked).
#[test]
fn a_request_saying_connection_close_gets_connection_close_refusals_included() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let ok = post_in(s.addr, &sid, PING);
    let unknown = post_in(s.addr, "no-such-session", PING);
    let get_without_session = request(s.addr, "GET", &[("Accept", "text/event-stream")], "");
    for (what, r, status) in [
        ("a reply", &ok, 200),
        ("a refusal after the body", &unknown, 404),
        ("a refusal of a GET", &get_without_session, 400),
    ] {
        assert_eq!(r.status, status, "{what}");
        assert_eq!(r.header("connection"), Some("close"), "{what}");
        assert!(
            r.header("server").is_none(),
            "{what}: our own bytes, not tiny_http's"
        );
    }
    let unread = post(s.addr, &[("Accept", "text/html")], PING);
    assert_eq!(unread.status, 406);
    assert_eq!(
        unread.header("server"),
        Some("tiny-http (Rust)"),
        "tiny_http wrote it"
    );
    assert!(
        unread.header("connection").is_none(),
        "tiny_http drops our Connection header"
    );
}

/// Two requests on one connection, neither saying `Connection: close`: the answers of `server`.
fn two_on_one_connection(server: &TestServer) -> (RawResponse, Option<RawResponse>) {
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let ping = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: {ACCEPT_BOTH}\r\n\
         MCP-Protocol-Version: 2025-11-25\r\nContent-Length: {}\r\n\r\n{PING}",
        server.addr,
        PING.len()
    );
    let mut reader = std::io::BufReader::new(stream.try_clone().unwrap());
    stream.write_all(ping.as_bytes()).unwrap();
    let first = read_response(&mut reader);
    // On a closed connection the write may still succeed; the read then finds the end.
    let _ = stream.write_all(ping.as_bytes());
    let open = std::io::BufRead::fill_buf(&mut reader).is_ok_and(|b| !b.is_empty());
    (first, open.then(|| read_response(&mut reader)))
}

/// HTTP/1.1 keeps a connection open unless one side says otherwise, and so do we by default;
/// `--connection-close` says `Connection: close` on every answer.
///
/// SHARP EDGE, pinned: RFC 9112 §9.6 wants the server that says "close" to close, but tiny_http
/// decides from the *request's* header alone, and our bytes go out through its raw writer, so it
/// reads on. Every client we know (curl, ureq, Python's httpx, Node's fetch) closes on our word;
/// one that does not is answered again.
#[test]
fn a_connection_is_kept_for_the_next_request_and_connection_close_only_says_close() {
    let kept = start(|c| c.stateless = true);
    let (first, second) = two_on_one_connection(&kept);
    assert_eq!(first.status, 200);
    assert!(first.header("connection").is_none(), "no Connection header");
    let second = second.expect("a second answer on the same connection");
    assert_eq!(second.status, 200);
    let closing = start(|c| {
        c.stateless = true;
        c.keep_alive = false;
    });
    let (first, second) = two_on_one_connection(&closing);
    assert_eq!(first.header("connection"), Some("close"));
    let second = second.expect("tiny_http reads on after our Connection: close");
    assert_eq!(second.header("connection"), Some("close"));
}

/// RFC 9110 §9.3.2: a response to HEAD has no content. Shown with a second request on the same
/// connection: the bytes after HEAD's answer are the next answer's status line, not a body.
#[test]
fn a_head_request_is_answered_without_a_body() {
    let s = stateless();
    let mut stream = TcpStream::connect(s.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!("HEAD /mcp HTTP/1.1\r\nHost: {}\r\n\r\n", s.addr);
    let ping = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: {ACCEPT_BOTH}\r\n\
         Connection: close\r\nContent-Length: {}\r\n\r\n{PING}",
        s.addr,
        PING.len()
    );
    stream
        .write_all(format!("{head}{ping}").as_bytes())
        .unwrap();
    let mut all = String::new();
    let _ = stream.read_to_string(&mut all);
    let (first, rest) = all.split_once("\r\n\r\n").expect("a head");
    assert!(first.starts_with("HTTP/1.1 405"), "{first}");
    assert!(
        first.to_ascii_lowercase().contains("content-length:"),
        "{first}"
    );
    assert!(
        rest.starts_with("HTTP/1.1 200 OK\r\n"),
        "after HEAD's head: {rest:?}"
    );
}
