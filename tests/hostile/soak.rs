//! Load and soak: 64 clients of mixed traffic against the real `weather-server` binary, started
//! with `--drop-stream-after 2` so that every streamed call is cut and must be resumed. Checks:
//! zero errors, every call's messages exactly once (progress 1, 2, 3, then one result), and
//! afterwards the server's threads back to its idle count and its memory not growing with time.
//!
//! `SOAK_SECS` (default 30) sets the duration. Run it as CI does:
//! `cargo test --release --test hostile soak:: -- --ignored --nocapture`
//!
//! The clients send `Connection: close` (the test helpers always do): tiny_http 0.12's pool can
//! leave new keep-alive connections unserved during a burst (see docs/reliability.md), a known
//! upstream bug this test does not measure.

use crate::support::binary::Binary;
use crate::support::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

const CLIENTS: usize = 64;

fn headers(sid: &str, accept: &str) -> Vec<(&'static str, String)> {
    vec![
        ("Content-Type", "application/json".into()),
        ("Accept", accept.into()),
        ("Mcp-Session-Id", sid.into()),
        ("MCP-Protocol-Version", "2025-11-25".into()),
    ]
}

fn send(addr: SocketAddr, method: &str, h: &[(&'static str, String)], body: &str) -> RawResponse {
    let h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
    request(addr, method, &h, body)
}

/// What one client saw; summed over all clients at the end.
#[derive(Default)]
struct Counts {
    requests: AtomicU64,
    calls: AtomicU64,
    resumes: AtomicU64,
    events: AtomicU64,
    sessions: AtomicU64,
    errors: AtomicU64,
    first_errors: Mutex<Vec<String>>,
}

impl Counts {
    fn add(&self, counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}

/// A small xorshift generator: each client's traffic mix is reproducible from its seed.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Follow a cut SSE stream to its end: `r` is the first response, `messages` what came before it.
/// Checks the whole call: progress 1, 2, 3 exactly once, then exactly one result for `id`.
fn finish_call(
    addr: SocketAddr,
    sid: &str,
    id: u64,
    mut r: RawResponse,
    mut messages: Vec<Value>,
    n: &Counts,
) -> Result<(), String> {
    for round in 0.. {
        n.add(&n.requests, 1);
        if r.status != 200 {
            return Err(format!("call {id}: HTTP {} {}", r.status, r.body));
        }
        let events = sse_events(&r.body);
        n.add(&n.events, events.len() as u64);
        for (_, data) in events.iter().filter(|(_, d)| !d.is_empty()) {
            messages.push(serde_json::from_str(data).map_err(|e| format!("{e}: {data}"))?);
        }
        if messages.last().is_some_and(|m| m.get("id").is_some()) {
            break;
        }
        let last = events
            .last()
            .ok_or(format!("call {id}: an empty response"))?
            .0
            .clone();
        if round > 20 {
            return Err(format!("call {id}: no end after 20 resumes: {messages:?}"));
        }
        n.add(&n.resumes, 1);
        r = resume(addr, sid, &last);
    }
    let progress: Vec<u64> = messages
        .iter()
        .filter_map(|m| m["params"]["progress"].as_u64())
        .collect();
    let results = messages
        .iter()
        .filter(|m| m.get("result").is_some())
        .count();
    if progress != [1, 2, 3] || results != 1 || messages.len() != 4 || messages[3]["id"] != id {
        return Err(format!("call {id}: lost or repeated events: {messages:?}"));
    }
    n.add(&n.calls, 1);
    Ok(())
}

/// A streamed call whose client reads the first progress event and vanishes, then comes back
/// with `Last-Event-ID` for the rest.
fn vanish_and_resume(addr: SocketAddr, sid: &str, id: u64, n: &Counts) -> Result<(), String> {
    let h = headers(sid, ACCEPT_BOTH);
    let h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let mut live = LiveSse::open(
        addr,
        &build(
            addr,
            "POST",
            &h,
            &weather_call(id, "Wuhan", &format!("v{id}")),
        ),
    );
    let (event_id, first) = live
        .next_message()
        .ok_or(format!("call {id}: no first event"))?;
    drop(live);
    n.add(&n.resumes, 1);
    finish_call(addr, sid, id, resume(addr, sid, &event_id), vec![first], n)
}

/// One operation, chosen by `dice`; `Err` says what went wrong.
fn operation(addr: SocketAddr, sid: &str, id: u64, dice: u64, n: &Counts) -> Result<(), String> {
    let expect =
        |r: RawResponse, status: u16, check: &dyn Fn(&Value) -> bool| -> Result<(), String> {
            n.add(&n.requests, 1);
            if r.status != status || (status == 200 && !check(&r.json())) {
                return Err(format!("HTTP {}: {}", r.status, r.body));
            }
            Ok(())
        };
    let json = headers(sid, "application/json");
    match dice {
        0..=34 => {
            let r = send(
                addr,
                "POST",
                &headers(sid, ACCEPT_BOTH),
                &weather_call(id, "Hangzhou", &format!("t{id}")),
            );
            finish_call(addr, sid, id, r, Vec::new(), n)
        }
        35..=44 => vanish_and_resume(addr, sid, id, n),
        45..=54 => {
            let r = send(addr, "POST", &json, &weather_call(id, "Tokyo", "j"));
            expect(r, 200, &|v| {
                v["id"] == id && v["result"]["structuredContent"]["city"] == "Tokyo"
            })
        }
        55..=69 => {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#);
            expect(send(addr, "POST", &json, &body), 200, &|v| {
                v["result"] == serde_json::json!({})
            })
        }
        70..=84 => {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/list"}}"#);
            expect(send(addr, "POST", &json, &body), 200, &|v| {
                v["result"]["tools"]
                    .as_array()
                    .is_some_and(|t| t.iter().any(|t| t["name"] == "get_weather"))
            })
        }
        85..=89 => {
            let body = format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"logging/setLevel","params":{{"level":"info"}}}}"#
            );
            expect(send(addr, "POST", &json, &body), 200, &|v| v["id"] == id)
        }
        // Broken input under load is refused as usual.
        90..=94 => expect(send(addr, "POST", &json, "{\"jsonrpc\":"), 400, &|_| true),
        _ => {
            let body = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
            expect(send(addr, "POST", &json, body), 202, &|_| true)
        }
    }
}

/// One client: sessions one after another until `deadline`, each with a few operations, most
/// ended with DELETE (checked to really end them), some abandoned to expire.
fn client(addr: SocketAddr, seed: u64, deadline: Instant, n: &Counts) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut id = seed * 1_000_000;
    while Instant::now() < deadline {
        let life = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
            let sid = open_session(addr);
            n.add(&n.sessions, 1);
            n.add(&n.requests, 2);
            for _ in 0..1 + rng.below(12) {
                id += 1;
                operation(addr, &sid, id, rng.below(100), n)?;
            }
            if rng.below(100) < 85 {
                let h = [("Mcp-Session-Id", sid.clone())];
                let d = send(addr, "DELETE", &h, "");
                let after = send(
                    addr,
                    "POST",
                    &headers(&sid, "application/json"),
                    r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
                );
                n.add(&n.requests, 2);
                if (d.status, after.status) != (200, 404) {
                    return Err(format!("DELETE {} then ping {}", d.status, after.status));
                }
            }
            Ok(())
        }));
        let error = match life {
            Ok(Ok(())) => continue,
            Ok(Err(why)) => why,
            Err(panic) => panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        };
        n.add(&n.errors, 1);
        let mut first = n.first_errors.lock().unwrap();
        if first.len() < 10 {
            first.push(error);
        }
    }
}

/// A raw keep-alive check that the server still answers after the soak.
fn still_serves(addr: SocketAddr) -> bool {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "DELETE /mcp HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).unwrap();
    line.starts_with("HTTP/1.1 400")
}

#[test]
#[ignore = "30 s soak; run by .ci/run: cargo test --release --test hostile soak:: -- --ignored"]
fn sixty_four_clients_of_mixed_traffic_lose_no_event_and_leave_no_thread_behind() {
    let secs: u64 = std::env::var("SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let server = Binary::spawn(&[
        "--step-delay-ms",
        "5",
        "--drop-stream-after",
        "2",
        "--session-timeout-secs",
        "5",
        "--stream-grace-secs",
        "2",
    ]);
    thread::sleep(Duration::from_millis(300));
    let (threads_idle, rss_idle) = (server.threads(), server.rss_kb());
    let counts = Arc::new(Counts::default());
    let started = Instant::now();
    let deadline = started + Duration::from_secs(secs);
    let clients: Vec<_> = (0..CLIENTS as u64)
        .map(|seed| {
            let (addr, counts) = (server.addr, Arc::clone(&counts));
            thread::spawn(move || client(addr, seed + 1, deadline, &counts))
        })
        .collect();
    // Sample the server while it works: memory after the first fifth is the "warm" level.
    let (mut peak_threads, mut peak_rss, mut warm_rss) = (0, 0, 0);
    while Instant::now() < deadline {
        thread::sleep(Duration::from_millis(250));
        peak_threads = peak_threads.max(server.threads());
        peak_rss = peak_rss.max(server.rss_kb());
        if warm_rss == 0 && started.elapsed() >= Duration::from_secs(secs) / 5 {
            warm_rss = server.rss_kb();
        }
    }
    for c in clients {
        c.join().unwrap();
    }
    let ran = started.elapsed();
    // Streams end with their calls; tiny_http's extra pool threads exit after 5 s idle.
    let threads_after = server.settle_threads(threads_idle, Duration::from_secs(15));
    let rss_after = server.rss_kb();
    let n = &counts;
    let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
    eprintln!(
        "soak: {CLIENTS} clients for {ran:.1?}: {} requests ({:.0}/s), {} sessions, {} streamed calls checked, {} resumes, {} SSE events, {} errors\n\
         server threads: idle {threads_idle}, peak {peak_threads}, after {threads_after}; RSS kB: idle {rss_idle}, warm {warm_rss}, peak {peak_rss}, after {rss_after}",
        get(&n.requests), get(&n.requests) as f64 / ran.as_secs_f64(), get(&n.sessions), get(&n.calls), get(&n.resumes), get(&n.events), get(&n.errors)
    );
    assert_eq!(
        get(&n.errors),
        0,
        "first errors: {:#?}",
        n.first_errors.lock().unwrap()
    );
    assert!(
        get(&n.calls) >= CLIENTS as u64,
        "every client completed calls"
    );
    assert!(
        get(&n.resumes) >= get(&n.calls),
        "every streamed call was cut and resumed"
    );
    assert!(
        threads_after <= threads_idle,
        "threads: idle {threads_idle}, after {threads_after}"
    );
    // The allocator keeps freed memory for reuse, so "back near baseline" means: no growth after
    // the warm-up beyond a bounded slack, i.e. memory does not grow with time or traffic.
    assert!(
        rss_after <= warm_rss + warm_rss / 2 + 16 * 1024,
        "RSS kB: warm {warm_rss}, after {rss_after}"
    );
    assert!(still_serves(server.addr));
}
