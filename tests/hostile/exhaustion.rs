//! One client cannot stop the server: attacks that hold something (a thread, a slot, a read) and
//! never let go, each run with at least as many attackers as the in-flight cap, while a
//! legitimate client must still be answered within a second.
//!
//! Rules checked (ours, from issue 13): a refusal never waits for a body that does not come; a
//! slow or hostile request costs at most its own slot, and only while it is being handled; a
//! connection that says nothing for the read timeout is closed; the accept loop never blocks.

use crate::assert_serves;
use crate::support::binary::Binary;
use crate::support::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The in-flight cap in these tests: small, so that "at least the cap" attackers are few.
const CAP: usize = 4;
const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

/// A POST head that promises a body of `declared` bytes and never sends it; the connection is
/// kept open (returned) so the server waits on it.
fn head_without_body(addr: SocketAddr, extra: &str, declared: usize) -> TcpStream {
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\n{extra}Content-Length: {declared}\r\n\r\n"
    );
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream
}

/// `CAP * 3` connections that each promise a body and never send it, given time to arrive.
fn three_times_the_cap_of_bodiless_posts(addr: SocketAddr) -> Vec<TcpStream> {
    let attackers = (0..CAP * 3)
        .map(|_| head_without_body(addr, "", 5000))
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    attackers
}

/// Send `request` on a new connection and return its status line's code, or `None` when no
/// answer came within `within`.
fn answered_within(addr: SocketAddr, request: &str, within: Duration) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(within)).unwrap();
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

fn stateless_ping(addr: SocketAddr, extra: &[(&str, &str)]) -> String {
    let mut headers = vec![
        ("Accept", "application/json, text/event-stream"),
        ("Content-Type", "application/json"),
    ];
    headers.extend_from_slice(extra);
    build(addr, "POST", &headers, PING)
}

/// Defect 1: with the cap full of requests whose bodies never come, the next request used to
/// get its 503 written on the accept loop, which then waited for *that* request's body: every
/// client hung. Now the 503 leaves at once and the accept loop goes on.
#[test]
fn a_full_cap_answers_503_at_once_even_when_the_refused_bodies_never_come() {
    let server = start(|c| {
        c.stateless = true;
        c.max_in_flight = CAP;
        c.read_timeout = Duration::from_secs(30);
    });
    let attackers = three_times_the_cap_of_bodiless_posts(server.addr);
    // Several in a row: each over-cap request must leave the accept loop free for the next.
    for _ in 0..3 {
        let started = Instant::now();
        let ping = stateless_ping(server.addr, &[]);
        let status = answered_within(server.addr, &ping, Duration::from_secs(2));
        assert_eq!(status, Some(503), "the cap is full of attackers");
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
    }
    drop(attackers);
}

/// Defect 2: refusals decided before the body (here 401 for a missing token) used to keep their
/// thread *and their slot* while tiny_http waited for the body; `CAP` of them locked out the
/// clients that had the token. The slot is now given back before the body is waited for.
#[test]
fn a_refusal_before_the_body_gives_its_slot_back_at_once() {
    let server = start(|c| {
        c.stateless = true;
        c.max_in_flight = CAP;
        c.auth_token = Some("s3cret".into());
        c.read_timeout = Duration::from_secs(30);
    });
    let attackers = three_times_the_cap_of_bodiless_posts(server.addr);
    let auth = [("Authorization", "Bearer s3cret")];
    let started = Instant::now();
    let status = answered_within(
        server.addr,
        &stateless_ping(server.addr, &auth),
        Duration::from_secs(2),
    );
    assert_eq!(
        status,
        Some(200),
        "the client with the token was locked out"
    );
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    drop(attackers);
}

/// Defect 2, GET and DELETE: a `Content-Length` on a request that carries no body used to leave
/// it unanswered (the stream waited for the body first). It is now refused, 400, at once.
#[test]
fn a_get_or_delete_that_declares_a_body_is_refused_400_at_once() {
    let server = start(|c| c.max_in_flight = CAP);
    let sid = open_session(server.addr);
    for method in ["GET", "DELETE"] {
        let head = format!(
            "{method} /mcp HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\nMcp-Session-Id: {sid}\r\n\
             MCP-Protocol-Version: 2025-11-25\r\nContent-Length: 5000\r\n\r\n",
            server.addr
        );
        let status = answered_within(server.addr, &head, Duration::from_secs(2));
        assert_eq!(status, Some(400), "{method}");
    }
    // The DELETE was refused, so the session is still there.
    assert_eq!(post_in(server.addr, &sid, PING).status, 200);
}

/// SHARP EDGE, pinned: a body of at most 1 KiB is read by tiny_http itself before the request
/// reaches us, so a short promised body that never comes gets no answer at all; the read timeout
/// now closes that connection instead of leaving tiny_http's thread on it for ever.
#[test]
fn a_short_promised_body_that_never_comes_is_closed_unanswered_after_the_read_timeout() {
    let server = start(|c| c.read_timeout = Duration::from_millis(500));
    let mut silent = head_without_body(server.addr, "", 100);
    silent
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = silent.read_to_end(&mut answer);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
}

/// A connection that stops sending in the middle of a request is closed after the read timeout,
/// and its handler's slot comes back: the timeout bounds every wait on a client's bytes.
#[test]
fn a_body_that_stops_coming_is_given_up_after_the_read_timeout() {
    let server = start(|c| {
        c.stateless = true;
        c.max_in_flight = CAP;
        c.read_timeout = Duration::from_millis(500);
    });
    let mut silent = head_without_body(server.addr, "", 5000);
    silent.write_all(b"{\"jsonrpc\"").unwrap();
    silent
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = silent.read_to_end(&mut answer);
    let waited = started.elapsed();
    assert!(waited < Duration::from_secs(3), "{waited:?}");
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 400"),
        "{text}"
    );
}

/// Defect 10: `Connection: Upgrade` (as `curl --http2` sends) used to make tiny_http read the
/// socket as the body until the client gave up. It ends within the read timeout now.
#[test]
fn an_upgrade_request_does_not_hold_its_connection_past_the_read_timeout() {
    let server = start(|c| {
        c.stateless = true;
        c.read_timeout = Duration::from_millis(500);
    });
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n\
         HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n\r\n{PING}",
        server.addr,
        PING.len()
    );
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let ping = stateless_ping(server.addr, &[]);
    assert_eq!(
        answered_within(server.addr, &ping, Duration::from_secs(2)),
        Some(200)
    );
}

/// The read timeout bounds `accept` on the listening socket too, and tiny_http stops listening at
/// the first `accept` that fails: an idle server must still be listening long after it.
#[test]
fn an_idle_server_keeps_listening_past_many_read_timeouts() {
    let server = start(|c| c.read_timeout = Duration::from_millis(400));
    std::thread::sleep(Duration::from_secs(3));
    let started = Instant::now();
    assert_serves(server.addr);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
}

/// Defect 5: every session that had ever listened on its GET stream kept an alert thread until
/// the session ended (1,000 sessions: 1,007 threads, no connection held). The alerts now end
/// with the connection that listens: threads come back to where they were.
#[test]
fn alert_producers_end_with_their_listening_connection() {
    let server = Binary::spawn(&["--alert-interval-ms", "50"]);
    // tiny_http starts its four pool threads from its accept thread: let them come up first.
    std::thread::sleep(Duration::from_millis(300));
    let baseline = server.threads();
    let n = 40;
    for _ in 0..n {
        let sid = open_session(server.addr);
        let headers = [
            ("Accept", "text/event-stream"),
            ("Mcp-Session-Id", sid.as_str()),
            ("MCP-Protocol-Version", "2025-11-25"),
        ];
        let mut listen = LiveSse::open(server.addr, &build(server.addr, "GET", &headers, ""));
        assert!(
            listen.next_message().is_some(),
            "an alert arrives while we listen"
        );
        // The connection ends here; the session lives on.
    }
    let settled = server.settle_threads(baseline + 2, Duration::from_secs(5));
    eprintln!("{n} sessions that listened once: threads {baseline} -> {settled}");
    assert!(settled <= baseline + 2, "threads {baseline} -> {settled}");
}

/// Defect 7, pinned: tiny_http reads a header line whole, with no limit, before we see the
/// request; the cap (`MAX_HEAD_BYTES`, 431) refuses it afterwards and the memory is given back.
/// A 32 MiB line: the server answers 431, stays up, and its RSS comes back near where it was.
#[test]
fn a_32_mib_header_line_is_431_and_its_memory_is_given_back() {
    let mut server = Binary::spawn(&["--stateless"]);
    std::thread::sleep(Duration::from_millis(300));
    let rss_before = server.rss_kb();
    let line = "a".repeat(32 * 1024 * 1024);
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nX-Big: {line}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{PING}",
        server.addr,
        PING.len()
    );
    let r = send_raw(server.addr, request.as_bytes());
    assert_eq!(r.status, 431, "{}", r.body);
    drop(request);
    std::thread::sleep(Duration::from_millis(300));
    server.alive().unwrap();
    let rss_after = server.rss_kb();
    eprintln!("a 32 MiB header line: RSS {rss_before} kB -> {rss_after} kB");
    assert!(
        rss_after < rss_before + 16 * 1024,
        "RSS {rss_before} -> {rss_after} kB"
    );
    let ping = stateless_ping(server.addr, &[]);
    assert_eq!(
        answered_within(server.addr, &ping, Duration::from_secs(2)),
        Some(200)
    );
}

/// Defect 8, pinned: each open connection holds one of tiny_http's pool threads, and a
/// `Connection: close` of ours (`--connection-close`) is only a header to tiny_http, which goes on
/// reading as long as the *client* did not say close. What bounds it is the read timeout: an idle
/// connection is closed after it, and its thread with it.
#[test]
fn a_connection_the_client_keeps_open_is_served_again_then_closed_after_the_read_timeout() {
    let server = start(|c| {
        c.stateless = true;
        c.read_timeout = Duration::from_millis(500);
    });
    let one = stateless_ping(server.addr, &[]).replace("Connection: close\r\n", "");
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream.write_all(format!("{one}{one}").as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let started = Instant::now();
    let mut replies = Vec::new();
    let _ = stream.read_to_end(&mut replies);
    let replies = String::from_utf8_lossy(&replies);
    assert_eq!(replies.matches("HTTP/1.1 200").count(), 2, "{replies}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// tiny_http's pool race (a thread it has just woken still counts as idle) left a connection of a
/// burst queued with no thread until some other connection closed: with keep-alive clients that
/// hold theirs, until the watchdog's next knock (every 2 s) freed one, one per knock. Keep-alive
/// is the default only because `unstick.rs` frees such connections, one every 10 ms.
/// Not a speed target: the bound is under the watchdog's 2 s, so that without the fix the
/// stalled connections fail it.
#[test]
fn a_burst_of_keep_alive_connections_held_open_is_answered_without_a_stall() {
    const BURST: usize = 64;
    let server = start(|c| c.stateless = true);
    let addr = server.addr;
    let one = stateless_ping(addr, &[]).replace("Connection: close\r\n", "");
    let go = std::sync::Arc::new(std::sync::Barrier::new(BURST));
    let clients: Vec<_> = (0..BURST)
        .map(|_| {
            let (go, one) = (std::sync::Arc::clone(&go), one.clone());
            std::thread::spawn(move || {
                go.wait();
                let mut stream = TcpStream::connect(addr).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_millis(1500)))
                    .unwrap();
                stream.write_all(one.as_bytes()).unwrap();
                let mut first = [0u8; 12];
                let answered = stream
                    .read_exact(&mut first)
                    .is_ok_and(|()| first.starts_with(b"HTTP/1.1 200"));
                // Held open until every client has its answer, as a keep-alive pool holds it.
                (answered, stream)
            })
        })
        .collect();
    let results: Vec<_> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let answered = results.iter().filter(|(ok, _)| *ok).count();
    assert_eq!(
        answered, BURST,
        "{answered} of {BURST} answered within 1.5 s"
    );
}
