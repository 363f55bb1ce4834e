//! Clients that misbehave in time rather than in bytes: slowloris, clients that vanish
//! mid-stream, clients that stop reading. Other clients must be served as if nothing happened.

use crate::support::*;
use crate::{assert_serves, Victim};
use socket2::{Domain, Socket, Type};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const PING: &str = r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#;

/// 50 connections each send a request head one byte every 50 ms and never finish it. tiny_http
/// has no read timeout, so each holds one of its threads for as long as it trickles; a normal
/// client must still be answered at once, and none of the slow ones may get an answer.
#[test]
fn fifty_slowloris_connections_do_not_delay_a_normal_client() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let stop = Arc::new(AtomicBool::new(false));
    let slow: Vec<_> = (0..50)
        .map(|_| {
            let (addr, stop) = (s.addr, Arc::clone(&stop));
            thread::spawn(move || {
                let mut stream = TcpStream::connect(addr).unwrap();
                let head = format!("POST /mcp HTTP/1.1\r\nHost: {addr}\r\nX-Slow: ");
                stream.write_all(head.as_bytes()).unwrap();
                let started = Instant::now();
                while !stop.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(20) {
                    stream.write_all(b"z").unwrap();
                    thread::sleep(Duration::from_millis(50));
                }
                stream
                    .set_read_timeout(Some(Duration::from_millis(100)))
                    .unwrap();
                let mut buf = [0u8; 64];
                stream.read(&mut buf).unwrap_or(0) == 0
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(300));
    let sid = open_session(s.addr);
    for _ in 0..10 {
        let started = Instant::now();
        let r = crate::post_in(s.addr, &sid, PING);
        assert_eq!(r.status, 200);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
        thread::sleep(Duration::from_millis(50));
    }
    crate::checked_call(s.addr, &sid, 8, "Beijing").unwrap();
    stop.store(true, Ordering::SeqCst);
    for t in slow {
        assert!(
            t.join().unwrap(),
            "a slow client got an answer to half a head"
        );
    }
    victim.finish();
    assert_serves(s.addr);
}

/// Connect with `SO_LINGER 0`, so that dropping the socket sends RST rather than FIN.
fn connect_rst(addr: SocketAddr) -> TcpStream {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.set_linger(Some(Duration::ZERO)).unwrap();
    socket.connect(&addr.into()).unwrap();
    socket.into()
}

/// 24 clients start streamed calls in every framing and vanish after the first bytes, half with
/// FIN and half with RST. The victims' streams flow on and complete; resumable (SSE) calls run
/// to their end into the log, and every call whose client cannot come back (NDJSON, JSON) stops
/// within a few heartbeats.
#[test]
fn clients_vanishing_mid_stream_do_not_disturb_other_streams() {
    let s = start(|c| {
        c.step_delay = Duration::from_millis(150);
        c.heartbeat = Duration::from_millis(100);
    });
    let victims = [Victim::start(s.addr), Victim::start(s.addr)];
    let sid = open_session(s.addr);
    let accepts = [
        "text/event-stream",
        "application/x-ndjson",
        "application/json",
        "*/*",
    ];
    let mut resumable = 0;
    for i in 0..24usize {
        let accept = accepts[i % accepts.len()];
        let mut h = in_session(&sid);
        h[0].1 = accept.to_string();
        resumable += usize::from(accept == "text/event-stream");
        let mut h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
        h.push(("Content-Type", "application/json"));
        let req = build(s.addr, "POST", &h, &weather_call(i as u64, "Wuhan", "gone"));
        let mut stream = if i % 2 == 0 {
            connect_rst(s.addr)
        } else {
            TcpStream::connect(s.addr).unwrap()
        };
        stream.write_all(req.as_bytes()).unwrap();
        if accept != "application/json" {
            let mut first = [0u8; 16];
            assert!(stream.read(&mut first).unwrap() > 0);
        }
        drop(stream);
    }
    // Soon none run but the victims' (at most one each).
    let deadline = Instant::now() + Duration::from_secs(5);
    while s.server.endpoint().running_calls() > 2 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    assert!(
        s.server.endpoint().running_calls() <= 2,
        "{} still running",
        s.server.endpoint().running_calls()
    );
    assert!(resumable > 0);
    for v in victims {
        v.finish();
    }
    assert_serves(s.addr);
}

/// A client asks for a call whose progress events are 900 KiB each, then stops reading. The
/// server's writes to it block (for up to the 10 s write timeout); other streams must flow
/// meanwhile, and when the slow client reads again it gets every event.
#[test]
fn a_client_that_stops_reading_does_not_block_other_streams_and_loses_nothing() {
    let s = start(|c| c.step_delay = Duration::from_millis(10));
    let sid = open_session(s.addr);
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    socket.connect(&s.addr.into()).unwrap();
    let mut stuck: TcpStream = socket.into();
    let token = "t".repeat(900 * 1024);
    let h = in_session(&sid);
    let mut h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
    h.push(("Content-Type", "application/json"));
    stuck
        .write_all(build(s.addr, "POST", &h, &weather_call(1, "Wuhan", &token)).as_bytes())
        .unwrap();
    thread::sleep(Duration::from_millis(200));
    let victim = Victim::start(s.addr);
    let started = Instant::now();
    for id in 0..3 {
        crate::checked_call(s.addr, &sid, 10 + id, "Tokyo").unwrap();
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    victim.finish();
    stuck
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let r = read_response(&mut std::io::BufReader::new(stuck));
    let messages = sse_messages(&r.body);
    assert_eq!(messages.len(), 4);
    assert!(messages[..3]
        .iter()
        .all(|m| m["params"]["progressToken"] == token.as_str()));
    assert_eq!(messages[3]["id"], 1);
    assert_serves(s.addr);
}
