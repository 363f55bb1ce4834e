//! Closed-loop load: N virtual clients, each on its own keep-alive connection, each sending its
//! next request as soon as the previous answer is complete. Every loop is bounded in time, and
//! every read has a timeout, so an unserved connection is counted, never waited for.

use crate::client::{self, Conn, ACCEPT_SSE, INITIALIZE, INITIALIZED, TOOLS_LIST};
use std::io;
use std::net::SocketAddr;
use std::sync::mpsc;
use std::sync::{Arc, Barrier, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// What one cell of the matrix measured.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub per_sec: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Completed operations inside the measured window.
    pub done: usize,
    /// Wrong answers (a status or body that is not a successful result).
    pub errors: usize,
    /// Requests that got no answer within the timeout (a starved connection); the client then
    /// goes on with a new connection.
    pub stalled: usize,
    /// CPU time the server process used per operation in the window, µs (user + system, all
    /// threads). Less sensitive than req/s to other work on the machine.
    pub server_cpu_us: f64,
    /// The same for this load generator, which shares the two cores with the server.
    pub client_cpu_us: f64,
}

impl Cell {
    fn from_samples(mut micros: Vec<u32>, window: Duration, errors: usize, stalled: usize) -> Cell {
        micros.sort_unstable();
        let pct = |p: f64| {
            if micros.is_empty() {
                return f64::NAN;
            }
            let i = ((micros.len() as f64 * p).ceil() as usize).clamp(1, micros.len()) - 1;
            micros[i] as f64 / 1000.0
        };
        Cell {
            per_sec: micros.len() as f64 / window.as_secs_f64(),
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
            done: micros.len(),
            errors,
            stalled,
            ..Cell::default()
        }
    }
}

/// Timing of a run: a warm-up, then the window whose operations are counted.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub warmup: Duration,
    pub measure: Duration,
    /// A read that waits longer than this marks its client as stalled.
    pub timeout: Duration,
}

/// What one virtual client reports back.
#[derive(Default)]
struct Tally {
    micros: Vec<u32>,
    errors: usize,
    stalled: usize,
}

/// Run `clients` virtual clients for `window`. Each is started only once the previous one has
/// its session (a gradual ramp): a burst of new keep-alive connections can leave some queued in
/// tiny_http's pool (see `probes::burst`; our server frees one per knock, `unstick.rs`), and a client that
/// waited there would measure the race, not the server. `work` does one timed operation;
/// `Ok(false)` is a wrong answer.
fn run<F>(
    (addr, pid): (SocketAddr, u32),
    clients: usize,
    window: Window,
    setup: fn(&mut Conn) -> io::Result<()>,
    work: F,
) -> Cell
where
    F: Fn(&mut Conn, u64) -> io::Result<bool> + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let times: Arc<OnceLock<(Instant, Instant)>> = Arc::new(OnceLock::new());
    let go = Arc::new(Barrier::new(clients + 1));
    let (ready_tx, ready_rx) = mpsc::channel::<bool>();
    let mut handles = Vec::new();
    for _ in 0..clients {
        let (work, times, go, ready) = (
            Arc::clone(&work),
            Arc::clone(&times),
            Arc::clone(&go),
            ready_tx.clone(),
        );
        handles.push(thread::spawn(move || {
            let mut tally = Tally::default();
            let conn = Conn::open(addr, window.timeout).and_then(|mut c| setup(&mut c).map(|()| c));
            let _ = ready.send(conn.is_ok());
            go.wait();
            let Ok(mut conn) = conn else {
                tally.stalled = 1;
                return tally;
            };
            let &(measure_from, end) = times.get().expect("set before the barrier");
            let mut n = 10;
            while Instant::now() < end {
                let started = Instant::now();
                n += 1;
                match work(&mut conn, n) {
                    Ok(ok) if started >= measure_from => {
                        if ok {
                            tally.micros.push(started.elapsed().as_micros() as u32);
                        } else {
                            tally.errors += 1;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        if client::is_timeout(&e) {
                            tally.stalled += 1;
                        } else {
                            tally.errors += 1;
                        }
                        // The connection is unusable now: carry on with a new one (and a new
                        // session), or stop if even that fails. The loop stays bounded by `end`.
                        match Conn::open(addr, window.timeout)
                            .and_then(|mut c| setup(&mut c).map(|()| c))
                        {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            tally
        }));
        // The ramp: bounded by the read timeout of the client's own requests.
        let _ = ready_rx.recv_timeout(window.timeout * 3);
    }
    let start = Instant::now() + Duration::from_millis(20);
    let (from, end) = (
        start + window.warmup,
        start + window.warmup + window.measure,
    );
    let _ = times.set((from, end));
    go.wait();
    // The main thread is idle meanwhile: it reads both processes' CPU clocks at the window's edges.
    thread::sleep(from.saturating_duration_since(Instant::now()));
    let cpu_from = (cpu_ticks(pid), cpu_ticks(std::process::id()));
    thread::sleep(end.saturating_duration_since(Instant::now()));
    let cpu_to = (cpu_ticks(pid), cpu_ticks(std::process::id()));
    let mut all = Tally::default();
    for h in handles {
        if let Ok(t) = h.join() {
            all.micros.extend(t.micros);
            all.errors += t.errors;
            all.stalled += t.stalled;
        }
    }
    let mut cell = Cell::from_samples(all.micros, window.measure, all.errors, all.stalled);
    let per_op = |ticks: u64| ticks as f64 * TICK_US / cell.done.max(1) as f64;
    cell.server_cpu_us = per_op(cpu_to.0.saturating_sub(cpu_from.0));
    cell.client_cpu_us = per_op(cpu_to.1.saturating_sub(cpu_from.1));
    cell
}

/// Linux's clock tick for /proc/<pid>/stat is 100 Hz on every usual kernel (`getconf CLK_TCK`).
const TICK_US: f64 = 10_000.0;

/// utime + stime of a process, in clock ticks, all its threads (finished ones too).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces; fields are counted after its closing parenthesis.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, so 12 and 13 after the name.
    let num = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    num(11) + num(12)
}

/// `tools/call get_weather` inside one session per client, framed as `accept` asks.
pub fn tools_call(
    addr: (SocketAddr, u32),
    accept: &'static str,
    clients: usize,
    window: Window,
) -> Cell {
    run(
        addr,
        clients,
        window,
        |c| c.open_session(),
        move |c, id| {
            let r = c.post(accept, &client::weather_call(id))?;
            Ok(r.is_weather_result())
        },
    )
}

/// The same call in revision 2026-07-28: no session, every request on its own.
pub fn modern_tools_call(addr: (SocketAddr, u32), clients: usize, window: Window) -> Cell {
    run(
        addr,
        clients,
        window,
        |c| {
            c.headers = client::MODERN_HEADERS;
            Ok(())
        },
        move |c, id| {
            let r = c.post(client::ACCEPT_SSE, &client::modern_weather_call(id))?;
            Ok(r.is_weather_result())
        },
    )
}

/// How a cold session gets its connections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cold {
    /// A new keep-alive connection per session, closed after DELETE: new connections all the
    /// time, the pattern that tripped tiny_http's pool before `unstick.rs`.
    NewConnection,
    /// `Connection: close` on every request: five connections per session, none kept by a
    /// tiny_http pool thread between requests.
    CloseEach,
    /// One keep-alive connection per client for all its sessions: session cost alone.
    Reused,
}

/// Full cold sessions: initialize, initialized, tools/list, tools/call (SSE), DELETE.
pub fn cold_sessions(target: (SocketAddr, u32), clients: usize, window: Window, how: Cold) -> Cell {
    let addr = target.0;
    run(
        target,
        clients,
        window,
        |_| Ok(()),
        move |conn, id| {
            // Either a connection of the session's own, or the client's long-lived one.
            let mut own;
            let c: &mut Conn = if how == Cold::Reused {
                conn
            } else {
                own = Conn::open(addr, window.timeout)?;
                own.close = how == Cold::CloseEach;
                &mut own
            };
            c.session_id = None;
            let init = c.post(ACCEPT_SSE, INITIALIZE)?;
            let Some(sid) = init.session_id.clone() else {
                return Ok(false);
            };
            c.session_id = Some(sid);
            let mut ok = init.status == 200;
            // DELETE: ours and the Python SDK answer 200, rmcp 202; any 2xx ends the session.
            let steps: [(&str, String, u16); 4] = [
                ("POST", INITIALIZED.into(), 202),
                ("POST", TOOLS_LIST.into(), 200),
                ("POST", client::weather_call(id), 200),
                ("DELETE", String::new(), 2),
            ];
            for (method, body, status) in steps {
                let r = c.call(method, ACCEPT_SSE, &body)?;
                ok &= r.status == status || r.status / 100 == status;
            }
            c.session_id = None;
            Ok(ok)
        },
    )
}

/// Open `n` sessions with `clients` keep-alive connections and leave them idle; the
/// connections close afterwards (an idle session holds no connection). Returns how many opened.
pub fn open_idle_sessions(addr: SocketAddr, n: usize, clients: usize, timeout: Duration) -> usize {
    let handles: Vec<_> = (0..clients)
        .map(|i| {
            let share = n / clients + usize::from(i < n % clients);
            thread::spawn(move || {
                let Ok(mut c) = Conn::open(addr, timeout) else {
                    return 0;
                };
                (0..share).filter(|_| c.open_session().is_ok()).count()
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
}

/// Requests that create nothing (an unknown session: 404), to warm a fresh server's threads and
/// allocator before the "before" RSS is read.
pub fn warm_without_sessions(addr: SocketAddr, requests: usize, clients: usize, timeout: Duration) {
    let handles: Vec<_> = (0..clients)
        .map(|_| {
            thread::spawn(move || {
                let Ok(mut c) = Conn::open(addr, timeout) else {
                    return;
                };
                c.session_id = Some("0123456789abcdef0123456789abcdef".into());
                for _ in 0..requests / clients {
                    if c.post(ACCEPT_SSE, TOOLS_LIST).is_err() {
                        return;
                    }
                }
            })
        })
        .collect();
    for h in handles {
        let _ = h.join();
    }
}

/// One client in one session calling `get_weather` (SSE) back to back for `secs` seconds.
/// Returns, for each second, (calls completed, server µs of CPU per call): whether a call's cost
/// stays flat as the session's history grows.
pub fn long_session(target: (SocketAddr, u32), secs: u64, timeout: Duration) -> Vec<(f64, f64)> {
    let (addr, pid) = target;
    let Ok(mut conn) = Conn::open(addr, timeout).and_then(|mut c| c.open_session().map(|()| c))
    else {
        return Vec::new();
    };
    let start = Instant::now();
    let mut seconds = Vec::new();
    let (mut calls, mut ticks) = (0u64, cpu_ticks(pid));
    let mut next = start + Duration::from_secs(1);
    let mut id = 10;
    while seconds.len() < secs as usize {
        id += 1;
        match conn.post(ACCEPT_SSE, &client::weather_call(id)) {
            Ok(r) if r.is_weather_result() => calls += 1,
            _ => break,
        }
        if Instant::now() >= next {
            let now_ticks = cpu_ticks(pid);
            let cpu = (now_ticks - ticks) as f64 * TICK_US / calls.max(1) as f64;
            seconds.push((calls as f64, cpu));
            (calls, ticks) = (0, now_ticks);
            next += Duration::from_secs(1);
        }
    }
    seconds
}
