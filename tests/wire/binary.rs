//! The `weather-server` binary: flags, the printed URL, and the non-loopback warning.

use crate::support::binary::Binary;
use std::io::{BufRead, Read, Write};
use std::process::Command;

#[test]
fn port_zero_picks_a_free_port_and_prints_the_url_and_a_curl_line() {
    let mut server = Binary::spawn(&[]);
    let first = server.first_line.clone();
    let url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
        "{first}"
    );
    assert!(!url.contains(":0/"), "the real port is printed: {url}");
    let mut rest = String::new();
    server.stdout.read_line(&mut rest).unwrap();
    server.stdout.read_line(&mut rest).unwrap();
    assert!(rest.contains("curl"), "{rest}");
    // It really serves there.
    let addr = url.trim_start_matches("http://").trim_end_matches("/mcp");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    write!(s, "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(
        reply.starts_with("HTTP/1.1 400"),
        "a ping without a session is refused: {reply}"
    );
}

#[test]
fn binding_a_non_loopback_address_prints_a_warning() {
    let mut server = Binary::spawn(&["--host", "0.0.0.0"]);
    let line = server.stderr_line();
    assert!(
        line.starts_with("warning:") && line.contains("0.0.0.0"),
        "{line}"
    );
}

/// Bound to 0.0.0.0, the server still prints a page link a browser can use: a loopback one,
/// whose calls carry a loopback `Origin` and are let in (a link to 0.0.0.0 would get 403).
#[test]
fn bound_to_a_wildcard_address_the_page_link_is_a_loopback_one() {
    let mut server = Binary::spawn(&["--host", "0.0.0.0"]);
    let port = server.addr.port();
    let mut line = String::new();
    while !line.contains("open the page") {
        line.clear();
        assert!(
            server.stdout.read_line(&mut line).unwrap() > 0,
            "no page line"
        );
    }
    let link = format!("http://127.0.0.1:{port}/?city=Hangzhou");
    assert!(line.contains(&link), "{line}");
}

#[test]
fn help_prints_usage_and_bad_flags_exit_2() {
    let help = Command::new(env!("CARGO_BIN_EXE_weather-server"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--step-delay-ms"));
    let bad = Command::new(env!("CARGO_BIN_EXE_weather-server"))
        .arg("--nope")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

/// A second server on a port already taken exits non-zero and says which address, why, and the
/// way out, instead of the OS's bare "Address already in use".
#[test]
fn a_port_in_use_is_named_with_a_hint_and_a_non_zero_exit() {
    let first = Binary::spawn(&[]);
    let port = first.addr.port().to_string();
    let second = Command::new(env!("CARGO_BIN_EXE_weather-server"))
        .args(["--port", &port])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!(
            "error: cannot listen on 127.0.0.1:{port}: address already in use \
             (is another weather-server running? --port 0 picks a free port)"
        )
    );
    assert_eq!(second.status.code(), Some(1), "{stderr}");
    assert!(
        second.stdout.is_empty(),
        "no banner for a server that did not start"
    );
}

/// The banner's last line names the page, and the binary serves the weather app's page there.
#[test]
fn weather_server_prints_its_page_url_and_serves_the_weather_page_there() {
    let mut server = Binary::spawn(&[]);
    let page_line = (0..4)
        .map(|_| {
            let mut line = String::new();
            server.stdout.read_line(&mut line).unwrap();
            line
        })
        .find(|l| l.contains("in a browser"))
        .expect("a line names the page");
    let url = page_line.split_whitespace().last().unwrap();
    let addr = url
        .strip_prefix("http://")
        .and_then(|u| u.strip_suffix("/?city=Hangzhou"))
        .unwrap_or_else(|| panic!("{page_line}"));
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /?city=Hangzhou HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    s.read_to_string(&mut reply).unwrap();
    assert!(reply.starts_with("HTTP/1.1 200 OK\r\n"), "{reply:.200}");
    assert!(reply.contains("\r\nContent-Type: text/html; charset=utf-8\r\n"));
    assert!(reply.contains("get_weather") && reply.contains("Zürich"));
}

/// `--drop-stream-after N` cuts every stream on purpose; the banner says so, so that nobody takes
/// the cuts for a bug.
#[test]
fn the_banner_says_when_drop_stream_after_is_active() {
    let mut cutting = Binary::spawn(&["--drop-stream-after", "2"]);
    let mut second = String::new();
    cutting.stdout.read_line(&mut second).unwrap();
    assert_eq!(
        second.trim_end(),
        "--drop-stream-after 2: every 2025-11-25 streamed response ends after 2 events, like a \
         flaky network (a teaching device: a session's SSE streams resume with GET and \
         Last-Event-ID; other streams lose the rest)"
    );
    let mut plain = Binary::spawn(&[]);
    let mut line = String::new();
    plain.stdout.read_line(&mut line).unwrap();
    assert_eq!(line.trim_end(), "try it:", "no such line without the flag");
}

/// `--log-requests`: one stderr line per request with what arrived (era, MCP headers, `_meta`
/// keys, `requestState`) and the status answered; never the token, the session id or a body.
#[test]
fn the_request_log_names_what_arrived_and_the_status_and_never_a_secret() {
    let mut server = Binary::spawn(&["--log-requests", "--auth-token", "s3cret"]);
    let log = server.stderr_lines();
    let body = r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"get_weather","arguments":{"city":"Hangzhou"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"t","version":"0"}}}}"#;
    let r = crate::support::post(
        server.addr,
        &[
            ("Authorization", "Bearer s3cret"),
            ("Accept", "application/json"),
            ("MCP-Protocol-Version", "2026-07-28"),
            ("Mcp-Method", "tools/call"),
            ("Mcp-Name", "get_weather"),
        ],
        body,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let line = log
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("a log line");
    for fact in [
        "era=modern",
        "MCP-Protocol-Version=\"2026-07-28\"",
        "Mcp-Method=\"tools/call\"",
        "Mcp-Name=\"get_weather\"",
        "jsonrpc=\"tools/call\" id=5",
        "_meta=protocolVersion,clientInfo,clientCapabilities ",
        "requestState=absent",
        "status=200 outcome=complete",
    ] {
        assert!(line.contains(fact), "{fact} in {line}");
    }
    assert!(
        !line.contains("s3cret") && !line.contains("Hangzhou"),
        "{line}"
    );
    // A legacy request without the token: refused before its body, and logged as such.
    let r = crate::support::post(server.addr, &[("Accept", "application/json")], body);
    assert_eq!(r.status, 401);
    let line = log
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("a log line");
    assert!(
        line.contains("era=legacy") && line.contains("status=401") && !line.contains("jsonrpc="),
        "{line}"
    );
}

/// The log is off by default: a server's stderr is for warnings.
#[test]
fn without_log_requests_nothing_is_logged() {
    let mut server = Binary::spawn(&[]);
    let log = server.stderr_lines();
    let r = crate::support::post(
        server.addr,
        &[("Accept", "application/json")],
        crate::support::INIT,
    );
    assert_eq!(r.status, 200);
    let line = log.recv_timeout(std::time::Duration::from_millis(500));
    assert!(line.is_err(), "nothing on stderr: {line:?}");
}

/// The watchdog knocks on the server's own port every `--read-timeout-secs / 4` (at most 2 s); those
/// knocks are the server talking to itself and stay out of the request log.
#[test]
fn the_watchdogs_knocks_are_not_in_the_request_log() {
    let mut server = Binary::spawn(&["--log-requests", "--read-timeout-secs", "1"]);
    let log = server.stderr_lines();
    // Four knock intervals of 250 ms.
    let quiet = log.recv_timeout(std::time::Duration::from_millis(1000));
    assert!(quiet.is_err(), "no line for a knock: {quiet:?}");
    let r = crate::support::post(
        server.addr,
        &[("Accept", "application/json")],
        crate::support::INIT,
    );
    assert_eq!(r.status, 200);
    let line = log
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("a client's request is logged");
    assert!(line.contains("jsonrpc=\"initialize\""), "{line}");
}

/// The in-flight cap's 503 is decided on the socket side, before the endpoint: it is logged there,
/// so that every request still has its line.
#[test]
fn a_503_of_the_in_flight_cap_has_its_line_in_the_request_log() {
    let mut server = Binary::spawn(&[
        "--log-requests",
        "--stateless",
        "--max-in-flight",
        "1",
        "--step-delay-ms",
        "1000",
    ]);
    let log = server.stderr_lines();
    let addr = server.addr;
    let call = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_weather","arguments":{"city":"Hangzhou"}}}"#;
    let slow = std::thread::spawn(move || {
        crate::support::post(addr, &[("Accept", crate::support::ACCEPT_BOTH)], call)
    });
    // The slow call's line comes once the endpoint has decided it: its slot is taken by then.
    let first = log
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("the slow call's line");
    assert!(first.contains("jsonrpc=\"tools/call\""), "{first}");
    let ping = r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#;
    let r = crate::support::post(addr, &[("Accept", crate::support::ACCEPT_BOTH)], ping);
    assert_eq!(r.status, 503, "{}", r.body);
    let line = log
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("a line for the 503");
    assert!(line.contains("status=503 outcome=overloaded"), "{line}");
    assert_eq!(slow.join().unwrap().status, 200);
}
