//! The page at `GET /` (`server/home_page.rs`): served only when the binary gave one, as HTML with
//! its policy, under the same `Host` and `Origin` rules as `/mcp`, without the bearer token.

use crate::support::*;
use std::net::SocketAddr;
use streamable_mcp::server::home_page::HomePage;
use streamable_mcp::weather;

/// A server with the weather page, and a token that `/mcp` asks for.
fn with_page() -> TestServer {
    start(|c| {
        c.home_page = Some(HomePage::new(weather::page::html()));
        c.auth_token = Some("letmein".into());
    })
}

/// `METHOD target` to the server, with `Host` and any other header lines given.
fn to_target(addr: SocketAddr, method: &str, target: &str, headers: &[&str]) -> RawResponse {
    let mut text = format!("{method} {target} HTTP/1.1\r\nConnection: close\r\n");
    for line in headers {
        text.push_str(&format!("{line}\r\n"));
    }
    text.push_str("\r\n");
    send_raw(addr, text.as_bytes())
}

#[test]
fn get_slash_is_200_html_with_a_content_security_policy_and_nosniff_and_needs_no_token() {
    let s = with_page();
    let host = format!("Host: {}", s.addr);
    for target in ["/", "/?city=Hangzhou"] {
        let r = to_target(s.addr, "GET", target, &[&host]);
        assert_eq!(r.status, 200, "{target}: {}", r.body);
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        let policy = r.header("content-security-policy").unwrap();
        assert!(
            policy.starts_with("default-src 'none'; script-src 'sha256-"),
            "{policy}"
        );
        assert!(policy.contains("connect-src 'self'"), "{policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(r.body.starts_with("<!doctype html>"));
        assert!(r
            .body
            .contains("<option value=\"Hangzhou\">Hangzhou, Zhejiang, China</option>"));
    }
    // The page's exemption is the page's alone: /mcp still asks for the token.
    let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    assert_eq!(post(s.addr, &[("Accept", ACCEPT_BOTH)], ping).status, 401);
}

#[test]
fn another_method_on_slash_is_405_with_allow_get() {
    let s = with_page();
    let host = format!("Host: {}", s.addr);
    // HEAD too, in tests/wire/http.rs (its answer has no body to read).
    for method in ["POST", "DELETE", "PUT"] {
        let r = to_target(s.addr, method, "/", &[&host, "Content-Length: 0"]);
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("GET"), "{method}");
    }
}

/// DNS rebinding: a site that points its own name at 127.0.0.1 must not read even the page.
#[test]
fn a_foreign_host_or_origin_on_slash_is_403() {
    let s = with_page();
    let r = to_target(s.addr, "GET", "/", &["Host: evil.example.com"]);
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body.contains("DNS rebinding"), "{}", r.body);
    let host = format!("Host: {}", s.addr);
    let r = to_target(
        s.addr,
        "GET",
        "/",
        &[&host, "Origin: http://evil.example.com"],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let same = format!("Origin: http://{}", s.addr);
    assert_eq!(to_target(s.addr, "GET", "/", &[&host, &same]).status, 200);
}

#[test]
fn a_server_given_no_page_answers_slash_with_404() {
    let s = start(|_| {});
    let host = format!("Host: {}", s.addr);
    let r = to_target(s.addr, "GET", "/", &[&host]);
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
}

/// HEAD on `/` is refused like every method but GET, and, as every answer to HEAD (RFC 9110
/// §9.3.2), without a body: the bytes after its head are the next answer on the connection.
#[test]
fn head_on_slash_is_405_without_a_body() {
    use std::io::{Read, Write};
    let s = with_page();
    let mut stream = std::net::TcpStream::connect(s.addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let requests = format!(
        "HEAD / HTTP/1.1\r\nHost: {0}\r\n\r\nGET / HTTP/1.1\r\nHost: {0}\r\nConnection: close\r\n\r\n",
        s.addr
    );
    stream.write_all(requests.as_bytes()).unwrap();
    let mut all = String::new();
    let _ = stream.read_to_string(&mut all);
    let (head, rest) = all.split_once("\r\n\r\n").expect("a head");
    assert!(head.starts_with("HTTP/1.1 405"), "{head}");
    assert!(head.contains("Allow: GET"), "{head}");
    assert!(
        rest.starts_with("HTTP/1.1 200 OK\r\n"),
        "after HEAD: {:?}",
        &rest[..rest.len().min(80)]
    );
}
