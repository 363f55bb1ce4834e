//! `cargo bench --bench throughput`: our weather-server against the official SDKs and the floor of its own stack (issue #15).
//!
//! Measures, for each server: `tools/call get_weather` per second at concurrency 1, 16 and 64 with
//! SSE and JSON framing (p50/p99), full cold sessions per second at c=16, peak RSS, RSS and KiB per
//! idle session with 1,000 sessions open, and how soon a progress event reaches the client; ours
//! also in revision 2026-07-28 (no session). The floor of our stack, tiny_http alone answering the
//! same bytes (`floor.rs`), runs in the same run. With two cores, servers run on one and the load
//! generator on the other (`MCP_BENCH_NO_PIN` turns that off). Then two tiny_http limits with their
//! mitigations. Prints a table, writes `docs/benchmarks.md` and `docs/benchmarks.svg`.
//!
//! Load goes only to 127.0.0.1, every loop is bounded in time, and the whole run takes about three
//! minutes. Settings (environment): `MCP_BENCH_SECS` (measured seconds per cell, default 3),
//! `MCP_BENCH_WARMUP_MS` (500), `MCP_BENCH_SKIP_PYTHON`, `MCP_BENCH_CACHE` (the venv's folder),
//! `MCP_BENCH_OURS_ARGS` (extra flags for our server), `MCP_BENCH_NO_DOCS` (print only).
//!
//! Not a timed test: under `cargo test --benches` (no `--bench` argument) it does nothing.

// A bench's root sits in benches/, so its modules are named by path.
#[path = "throughput/client.rs"]
mod client;
#[path = "throughput/doc.rs"]
mod doc;
#[path = "throughput/floor.rs"]
mod floor;
#[path = "throughput/load.rs"]
mod load;
#[path = "throughput/probes.rs"]
mod probes;
#[path = "throughput/report.rs"]
mod report;
#[path = "throughput/servers.rs"]
mod servers;
#[path = "throughput/svg.rs"]
mod svg;

use client::{ACCEPT_JSON, ACCEPT_SSE};
use load::{Cell, Cold, Window};
use probes::{Nagle, Progress};
use servers::Server;
use std::net::SocketAddr;
use std::time::Duration;

/// Everything one server measured.
#[derive(Debug, Default)]
pub struct Measured {
    /// (framing, concurrency, cell)
    pub calls: Vec<(&'static str, usize, Cell)>,
    /// (how connections are made, cell) at c = [`COLD_CLIENTS`]
    pub cold: Vec<(&'static str, Cell)>,
    /// VmHWM after the throughput and cold-session runs, KiB (the larger of the two processes).
    pub peak_kib: u64,
    pub peak_threads: u64,
    /// A fresh server's RSS after a few requests that create nothing, KiB.
    pub idle_kib: u64,
    /// RSS growth per idle session, KiB.
    pub per_session_kib: f64,
    pub sessions_opened: usize,
    pub progress: Option<Progress>,
}

/// The tiny_http measurements.
#[derive(Debug, Default)]
pub struct Limits {
    /// (label, answered per trial) out of [`BURST`] connections.
    pub bursts: Vec<(&'static str, Vec<usize>)>,
    /// (mode, ms per 2 KiB response, ms late per streamed event)
    pub nagle: Vec<(&'static str, f64, f64)>,
}

/// A long session: (our flags, per second (calls, server µs CPU per call), RSS at the end, KiB).
pub type Long = (&'static str, Vec<(f64, f64)>, u64);

/// The whole run, for the report.
pub struct Report {
    /// Ours as it ships: connections are kept alive (HTTP/1.1's default).
    pub ours: Measured,
    /// Ours with `--connection-close`: every answer says `Connection: close`.
    pub ours_connection_close: Option<Measured>,
    /// The official Rust SDK, when `benches/setup.sh rmcp` has built its server.
    pub rmcp: Option<Measured>,
    pub python: Option<Measured>,
    /// What was not measured, and why.
    pub notes: Vec<String>,
    /// One long session on ours, by default and with `--stream-grace-secs 0`: (flags, per
    /// second (calls, server µs CPU per call), RSS at the end in KiB).
    pub long: Vec<Long>,
    pub limits: Limits,
    pub window: Window,
    pub ours_args: String,
    pub load_before: String,
    pub load_after: String,
    /// Share of the machine's CPU that other processes used during the run, 0 to 1.
    pub others_share: f64,
    /// tiny_http alone answering the same bytes: (label, (concurrency, SSE cell) for each).
    pub floor: Vec<(&'static str, Vec<(usize, Cell)>)>,
    /// Servers on one core and the load generator on the other (`taskset`), when there are two.
    pub pinned: bool,
}

pub const CONCURRENCY: [usize; 3] = [1, 16, 64];
/// The framing label of the 2026-07-28 rows (SSE, no session).
pub const MODERN_SSE: &str = "2026-07-28 SSE";
pub const COLD_CLIENTS: usize = 16;
pub const IDLE_SESSIONS: usize = 1000;
pub const BURST: usize = 64;
pub const BURST_TRIALS: usize = 5;
/// The step delay of the progress runs: long enough that events are never batched by accident.
pub const PROGRESS_STEP: Duration = Duration::from_millis(20);
pub const PROGRESS_CALLS: usize = 25;
/// Seconds of the long-session run.
pub const LONG_SECS: u64 = 10;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // The bench binary started again as the floor server (see `floor.rs`).
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--floor-server") {
        floor::serve(args.get(at + 1).is_some_and(|a| a == "threaded"));
        return;
    }
    if !std::env::args().any(|a| a == "--bench") {
        println!(
            "throughput: a benchmark, not a test; run it with `cargo bench --bench throughput`"
        );
        return;
    }
    let window = Window {
        warmup: Duration::from_millis(env_u64("MCP_BENCH_WARMUP_MS", 500)),
        measure: Duration::from_secs(env_u64("MCP_BENCH_SECS", 3).max(1)),
        timeout: Duration::from_secs(3),
    };
    let pinned = servers::pin_load_generator();
    let load_before = servers::load_average();
    let cpu_before = servers::cpu_snapshot();
    let started = std::time::Instant::now();
    println!("load average before the run: {load_before} (the machine should be quiet)");

    // MCP_BENCH_OURS_ARGS: extra flags for our server, e.g. "--stream-grace-secs 0".
    let ours_args = std::env::var("MCP_BENCH_OURS_ARGS").unwrap_or_default();
    let with = |flags: &str| {
        let extra = format!("{flags} {ours_args}");
        move |_json, step_ms: u64| {
            let mut args = vec!["--step-delay-ms".to_string(), step_ms.to_string()];
            args.extend(extra.split_whitespace().map(String::from));
            servers::start_ours(&args.iter().map(String::as_str).collect::<Vec<_>>())
        }
    };
    println!("\n== ours: weather-server (tiny_http, a thread per request, keep-alive)");
    let ours = measure(&with(""), window, true, true).unwrap_or_else(|e| {
        eprintln!("error: our server could not be measured: {e}");
        std::process::exit(1);
    });
    println!("\n== the floor: tiny_http 0.12 alone, answering the same bytes");
    let floor = floor_runs(window);
    println!("\n== ours with --connection-close");
    let ours_connection_close = measure(&with("--connection-close"), window, true, true).ok();
    println!("\n== ours: one session, c=1, {LONG_SECS} s, as it is and with --stream-grace-secs 0");
    let long = long_sessions(window.timeout);

    let mut notes = Vec::new();
    let rmcp = if servers::rmcp_binary().exists() {
        println!("\n== rmcp 3.9.0 (the official Rust SDK, axum, TCP_NODELAY)");
        measure(&|_, step| servers::start_rmcp(step), window, false, false)
            .map_err(|e| notes.push(format!("rmcp could not be measured: {e}")))
            .ok()
    } else {
        notes.push("rmcp was not measured: `bash benches/setup.sh rmcp` builds its server".into());
        None
    };
    let python = match servers::python_ready() {
        Ok(python) => {
            println!("\n== Python SDK: mcp 2.3.0 (uvicorn, one process)");
            let start = move |json, step_ms| servers::start_python(&python, json, step_ms);
            measure(&start, window, true, false)
                .map_err(|e| notes.push(format!("the Python SDK could not be measured: {e}")))
                .ok()
        }
        Err(e) => {
            notes.push(format!("the Python SDK was not measured: {e}"));
            None
        }
    };
    for note in &notes {
        println!("\nNOTE: {note}");
    }

    println!("\n== tiny_http limits");
    let limits = tiny_http_limits(window.timeout);
    let report = Report {
        ours,
        ours_connection_close,
        rmcp,
        python,
        notes,
        long,
        limits,
        window,
        ours_args,
        load_before,
        load_after: servers::load_average(),
        others_share: others_share(cpu_before, started),
        floor,
        pinned,
    };
    println!("\n{}", report::table(&report));
    if std::env::var_os("MCP_BENCH_NO_DOCS").is_none() {
        let docs = concat!(env!("CARGO_MANIFEST_DIR"), "/docs");
        let written = std::fs::write(format!("{docs}/benchmarks.md"), doc::markdown(&report))
            .and_then(|()| std::fs::write(format!("{docs}/benchmarks.svg"), svg::svg(&report)));
        match written {
            Ok(()) => println!("wrote docs/benchmarks.md and docs/benchmarks.svg"),
            Err(e) => eprintln!("could not write docs/benchmarks.*: {e}"),
        }
    }
}

/// What other processes took of all cores since `before`: busy ticks of the machine minus ours
/// (this process and its stopped servers). Ticks are 10 ms.
fn others_share(before: (u64, u64), since: std::time::Instant) -> f64 {
    let after = servers::cpu_snapshot();
    let others = after.0.saturating_sub(before.0) as f64 - after.1.saturating_sub(before.1) as f64;
    let cores = servers::machine_cores() as f64;
    let available = since.elapsed().as_secs_f64() * 100.0 * cores;
    (others / available).clamp(0.0, 1.0)
}

/// One session calling for [`LONG_SECS`] seconds, on our server as it is and with finished calls
/// forgotten at once: does a call get dearer as its session's history grows? (It does; see
/// the findings in the report.)
fn long_sessions(timeout: Duration) -> Vec<Long> {
    let mut out = Vec::new();
    for flags in ["", "--stream-grace-secs 0"] {
        // The default keeps the one connection alive, so a call's cost is not mostly a new
        // connection's.
        let args: Vec<&str> = flags.split_whitespace().collect();
        let Ok(server) = servers::start_ours(&args) else {
            continue;
        };
        let seconds = load::long_session(server.target(), LONG_SECS, timeout);
        let rss = server.memory().rss_kib;
        let per_sec: Vec<String> = seconds.iter().map(|(n, _)| format!("{n:.0}")).collect();
        let label = if flags.is_empty() { "as it is" } else { flags };
        println!(
            "  {label:<22} calls per second: {}; RSS at the end {rss} KiB",
            per_sec.join(" ")
        );
        out.push((label, seconds, rss));
    }
    out
}

/// The floor servers' SSE `tools/call` at each concurrency: on tiny_http's own thread, and on a
/// new thread per request.
fn floor_runs(window: Window) -> Vec<(&'static str, Vec<(usize, Cell)>)> {
    let mut out = Vec::new();
    for (label, threaded) in [
        ("floor: tiny_http alone", false),
        ("floor + a new thread per request", true),
    ] {
        let Ok(server) = servers::start_floor(threaded) else {
            continue;
        };
        let mut cells = Vec::new();
        for c in CONCURRENCY {
            let cell = load::tools_call(server.target(), ACCEPT_SSE, c, window);
            println!("  {label:<34} c={c:<3} {}", report::cell_line(&cell));
            cells.push((c, cell));
        }
        out.push((label, cells));
    }
    out
}

/// Starts a server: (JSON framing for every call, step delay in ms).
type Start = dyn Fn(bool, u64) -> Result<Server, String>;

/// Run every measurement against servers made by `start(json_response, step_ms)`. Ours chooses the
/// framing per request, so `json_response` changes nothing for it; the Python SDK needs a second
/// instance started with `json_response=True` for the JSON rows; rmcp answers JSON only without
/// sessions, so it gets no JSON rows (`json` false).
fn measure(start: &Start, window: Window, json: bool, modern: bool) -> Result<Measured, String> {
    let mut m = Measured::default();
    let sse = start(false, 0)?;
    let json_server = if json { Some(start(true, 0)?) } else { None };
    let mut framings = vec![("SSE", ACCEPT_SSE, &sse)];
    if let Some(j) = &json_server {
        framings.push(("JSON", ACCEPT_JSON, j));
    }
    for (framing, accept, server) in framings {
        for c in CONCURRENCY {
            let cell = load::tools_call(server.target(), accept, c, window);
            println!(
                "  tools/call {framing:<4} c={c:<3} {}",
                report::cell_line(&cell)
            );
            m.calls.push((framing, c, cell));
        }
    }
    // Ours speaks 2026-07-28 too; the peers measured here do not (yet).
    if modern {
        for c in CONCURRENCY {
            let cell = load::modern_tools_call(sse.target(), c, window);
            println!(
                "  tools/call 2026-07-28 SSE c={c:<3} {}",
                report::cell_line(&cell)
            );
            m.calls.push((MODERN_SSE, c, cell));
        }
    }
    for (label, how) in [
        ("new keep-alive connection per session", Cold::NewConnection),
        ("Connection: close on every request", Cold::CloseEach),
        ("one connection per client, reused", Cold::Reused),
    ] {
        let cell = load::cold_sessions(sse.target(), COLD_CLIENTS, window, how);
        println!(
            "  cold sessions c={COLD_CLIENTS} {label:<40} {}",
            report::cell_line(&cell)
        );
        m.cold.push((label, cell));
    }
    let (a, b) = (sse.memory(), json_server.as_ref().map(Server::memory));
    let b = b.unwrap_or_default();
    m.peak_kib = a.hwm_kib.max(b.hwm_kib);
    m.peak_threads = a.threads.max(b.threads);
    drop((sse, json_server));

    // Idle sessions on a fresh process, so that memory the load left behind is not reused.
    let fresh = start(false, 0)?;
    load::warm_without_sessions(fresh.addr, 400, 4, window.timeout);
    std::thread::sleep(Duration::from_millis(300));
    let before = fresh.memory();
    m.idle_kib = before.rss_kib;
    m.sessions_opened = load::open_idle_sessions(fresh.addr, IDLE_SESSIONS, 4, window.timeout);
    std::thread::sleep(Duration::from_millis(300));
    let after = fresh.memory();
    m.per_session_kib =
        after.rss_kib.saturating_sub(before.rss_kib) as f64 / m.sessions_opened.max(1) as f64;
    println!(
        "  idle RSS {} KiB; {} sessions: {} KiB, {:.2} KiB per session",
        before.rss_kib, m.sessions_opened, after.rss_kib, m.per_session_kib
    );
    drop(fresh);

    m.progress = progress_run(start)?;
    Ok(m)
}

/// Progress timing needs a server with a real step delay, so it gets one of its own.
fn progress_run(start: &Start) -> Result<Option<Progress>, String> {
    let server = start(false, PROGRESS_STEP.as_millis() as u64)?;
    let p = probes::progress(server.addr, PROGRESS_STEP, PROGRESS_CALLS)?;
    println!(
        "  progress ({} calls, step {} ms): latency bound p50 {:.3} ms, max {:.3} ms; spacing excess p50 {:.3} ms, max {:.3} ms",
        p.calls,
        PROGRESS_STEP.as_millis(),
        p.bound_p50_ms,
        p.bound_max_ms,
        p.excess_p50_ms,
        p.excess_max_ms
    );
    Ok(Some(p))
}

fn tiny_http_limits(timeout: Duration) -> Limits {
    let mut limits = Limits::default();
    // Each trial on a fresh server, so that no warm pool thread from the last one helps.
    let mut trial = |label: &'static str, flags: &[&str], f: &dyn Fn(SocketAddr) -> usize| {
        let answered: Vec<usize> = (0..BURST_TRIALS)
            .filter_map(|_| servers::start_ours(flags).ok().map(|s| f(s.addr)))
            .collect();
        println!("  {label:<52} answered {answered:?} of {BURST}");
        limits.bursts.push((label, answered));
    };
    // Our server as it ships (keep-alive, with `unstick.rs`) and with `--connection-close`.
    // `doc.rs` (finding 5) reads the four by position, in this order.
    trial("default: a burst of keep-alive connections", &[], &|a| {
        probes::burst(a, BURST, timeout, false)
    });
    trial("default: the burst sending Connection: close", &[], &|a| {
        probes::burst(a, BURST, timeout, true)
    });
    trial("default: connections opened one by one", &[], &|a| {
        probes::ramp(a, BURST, timeout)
    });
    trial(
        "--connection-close: the burst",
        &["--connection-close"],
        &|a| probes::burst(a, BURST, timeout, false),
    );
    for (label, mode) in [
        ("stock tiny_http", Nagle::Stock),
        ("stock socket, one write per response", Nagle::OneWrite),
        ("TCP_NODELAY on the listener (ours)", Nagle::NoDelay),
    ] {
        let (sized, late) = probes::nagle(mode, Duration::from_millis(5), 10);
        println!("  {label:<40} 2 KiB response {sized:.2} ms, events late by {late:.2} ms");
        limits.nagle.push((label, sized, late));
    }
    limits
}
