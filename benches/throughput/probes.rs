//! Measurements that are not throughput: how soon progress reaches the client, and two tiny_http
//! limits (its connection pool under a burst, its missing TCP_NODELAY) with their mitigations.

use crate::client::{self, Conn, ACCEPT_SSE, INITIALIZE};
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// Progress delivery, in ms. See `docs/benchmarks.md` ("How progress latency is measured").
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Upper bound of each event's latency: arrival − request sent − (k−1)·step. Median over calls.
    pub bound_p50_ms: f64,
    /// The same, worst event of all calls.
    pub bound_max_ms: f64,
    /// Arrival spacing minus the step between consecutive events: median and worst.
    pub excess_p50_ms: f64,
    pub excess_max_ms: f64,
    pub calls: usize,
}

/// Call `get_weather` `calls` times on a server whose steps pause `step`, one call at a time,
/// and time each progress event's arrival.
pub fn progress(addr: SocketAddr, step: Duration, calls: usize) -> Result<Progress, String> {
    let mut conn = Conn::open(addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    conn.open_session().map_err(|e| e.to_string())?;
    let step_ms = step.as_secs_f64() * 1000.0;
    let (mut bounds, mut excess) = (Vec::new(), Vec::new());
    for id in 0..calls as u64 + 1 {
        let sent = Instant::now();
        let r = conn
            .post(ACCEPT_SSE, &client::weather_call(100 + id))
            .map_err(|e| e.to_string())?;
        if !r.is_weather_result() {
            return Err(format!("unexpected answer {}: {}", r.status, r.text()));
        }
        // When did the chunk holding progress k end? (A chunk may hold several events.)
        let text = r.text();
        let mut arrived = Vec::new();
        for k in 1..=3 {
            // `"progress":2,` from ours, `"progress":2.0` from rmcp.
            let at = text
                .find(&format!("\"progress\":{k}"))
                .ok_or("a progress event is missing")?;
            let (t, _) = r
                .chunks
                .iter()
                .find(|(_, end)| *end > at)
                .ok_or("no chunk holds the event")?;
            arrived.push(t.duration_since(sent).as_secs_f64() * 1000.0);
        }
        if id == 0 {
            continue; // the first call warms up the connection and the server's code paths
        }
        for (k, a) in arrived.iter().enumerate() {
            bounds.push(a - k as f64 * step_ms);
            if k > 0 {
                excess.push(a - arrived[k - 1] - step_ms);
            }
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let max = |v: &[f64]| v.iter().copied().fold(f64::MIN, f64::max);
    Ok(Progress {
        bound_p50_ms: median(&mut bounds),
        bound_max_ms: max(&bounds),
        excess_p50_ms: median(&mut excess),
        excess_max_ms: max(&excess),
        calls,
    })
}

/// `n` clients open new connections at the same instant and send `initialize` (with
/// `Connection: close` when `close`). Returns how many got an answer within `timeout`. A client
/// keeps its connection open until all are done, as a keep-alive client would, unless either side
/// said `Connection: close`: then it closes it at once, as HTTP asks.
pub fn burst(addr: SocketAddr, n: usize, timeout: Duration, close: bool) -> usize {
    let (go, done) = (Arc::new(Barrier::new(n)), Arc::new(Barrier::new(n)));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (go, done) = (Arc::clone(&go), Arc::clone(&done));
            thread::spawn(move || {
                go.wait();
                let mut held = None;
                let mut answered = false;
                if let Ok(mut c) = Conn::open(addr, timeout) {
                    c.close = close;
                    if let Ok(r) = c.post(ACCEPT_SSE, INITIALIZE) {
                        answered = r.status == 200;
                        if !r.closes && !close {
                            held = Some(c);
                        }
                    }
                }
                done.wait();
                drop(held);
                answered
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().unwrap_or(false))
        .filter(|&ok| ok)
        .count()
}

/// The same `n` connections opened one after another, each waiting for its answer before the
/// next connects: the ramp the load cells use. Returns how many were answered.
pub fn ramp(addr: SocketAddr, n: usize, timeout: Duration) -> usize {
    let mut open = Vec::new();
    for _ in 0..n {
        if let Ok(mut c) = Conn::open(addr, timeout) {
            if c.post(ACCEPT_SSE, INITIALIZE)
                .is_ok_and(|r| r.status == 200)
            {
                open.push(c);
            }
        }
    }
    open.len()
}

/// How a probe server treats TCP_NODELAY and its writes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Nagle {
    /// tiny_http as it comes: `Server::http`, `respond()` (head and body in two writes when the
    /// body is over ~1 KiB), events written as they come.
    Stock,
    /// Stock socket, but each response is one write (our `write_once`).
    OneWrite,
    /// TCP_NODELAY on the listener, inherited by accepted sockets (what our server does).
    NoDelay,
}

/// A minimal tiny_http server in this process, to show what its missing TCP_NODELAY costs: no
/// MCP, just `POST /sized` (a 2 KiB JSON body) and `POST /events` (3 chunks `step` apart).
/// Returns (median ms per sized response, median ms by which event 2 and 3 came late).
pub fn nagle(mode: Nagle, step: Duration, rounds: usize) -> (f64, f64) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    if mode == Nagle::NoDelay {
        socket2::SockRef::from(&listener)
            .set_tcp_nodelay(true)
            .expect("nodelay");
    }
    let addr = listener.local_addr().expect("addr");
    let server = Arc::new(tiny_http::Server::from_listener(listener, None).expect("server"));
    let runner = Arc::clone(&server);
    let serving = thread::spawn(move || {
        for mut rq in runner.incoming_requests() {
            let mut body = Vec::new();
            let _ = rq.as_reader().read_to_end(&mut body);
            thread::spawn(move || probe_answer(rq, mode, step));
        }
    });
    let mut conn = Conn::open(addr, Duration::from_secs(5)).expect("connect");
    let (mut sized, mut late) = (Vec::new(), Vec::new());
    for round in 0..rounds + 1 {
        let t = Instant::now();
        let r = conn.call("POST", "*/*", "/sized").expect("sized");
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let r2 = conn.call("POST", "*/*", "/events").expect("events");
        if round == 0 || r.status != 200 || r2.chunks.len() < 3 {
            continue; // the first round opens the connection (quick ACKs hide Nagle)
        }
        sized.push(ms);
        for w in r2.chunks.windows(2) {
            let gap = w[1].0.duration_since(w[0].0).as_secs_f64() * 1000.0;
            late.push(gap - step.as_secs_f64() * 1000.0);
        }
    }
    drop(conn);
    server.unblock();
    let _ = serving.join();
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    (median(&mut sized), median(&mut late))
}

fn probe_answer(rq: tiny_http::Request, mode: Nagle, step: Duration) {
    // The Conn sends the path in the body, so both requests go to /mcp.
    let wants_events = rq.body_length() == Some(7);
    if !wants_events {
        let body = format!("{{\"pad\":\"{}\"}}", "x".repeat(2048));
        if mode == Nagle::OneWrite {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let mut w = rq.into_writer();
            let _ = w.write_all([head.as_bytes(), body.as_bytes()].concat().as_slice());
            let _ = w.flush();
        } else {
            let _ = rq.respond(tiny_http::Response::from_string(body));
        }
        return;
    }
    // Chunked events, each its own write and flush, `step` apart; the head goes with the first.
    let mut w = rq.into_writer();
    let event = |i: usize| {
        let data = format!("data: {{\"event\":{i}}}\n\n");
        format!("{:x}\r\n{data}\r\n", data.len())
    };
    let head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";
    let _ = w.write_all(format!("{head}{}", event(1)).as_bytes());
    let _ = w.flush();
    for i in 2..=3 {
        thread::sleep(step);
        let last = if i == 3 { "0\r\n\r\n" } else { "" };
        let _ = w.write_all(format!("{}{last}", event(i)).as_bytes());
        let _ = w.flush();
    }
}
