//! The numbers as markdown tables (stdout shows the same text) and the targets of issue #15 (performance).
//! The prose around them is in `doc.rs`, the chart in `svg.rs`.

use crate::load::Cell;
use crate::{Measured, Report, COLD_CLIENTS, IDLE_SESSIONS, PROGRESS_CALLS, PROGRESS_STEP};
use std::fmt::Write;

pub const PYTHON: &str = "Python SDK";
pub const RMCP: &str = "rmcp";
pub const CONNECTION_CLOSE: &str = "ours --connection-close";

/// One line per cell while the run goes on.
pub fn cell_line(c: &Cell) -> String {
    format!(
        "{:>7.0}/s  p50 {:>7.3} ms  p99 {:>7.3} ms  CPU per op: server {:>5.0} µs, client {:>4.0} µs  errors {}  stalled {}",
        c.per_sec, c.p50_ms, c.p99_ms, c.server_cpu_us, c.client_cpu_us, c.errors, c.stalled
    )
}

/// "12,345": thousands are easier to compare with separators.
pub fn thousands(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let digits = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// a ÷ b as "×12.3".
pub fn ratio(a: f64, b: Option<f64>) -> String {
    match b {
        Some(b) if b > 0.0 && a.is_finite() => format!("×{:.1}", a / b),
        _ => "–".into(),
    }
}

/// The servers measured, ours first.
pub fn servers(r: &Report) -> Vec<(&'static str, &Measured)> {
    let mut all = vec![("ours", &r.ours)];
    all.extend(
        r.ours_connection_close
            .as_ref()
            .map(|m| (CONNECTION_CLOSE, m)),
    );
    all.extend(r.rmcp.as_ref().map(|m| (RMCP, m)));
    all.extend(r.python.as_ref().map(|m| (PYTHON, m)));
    all
}

pub fn call_cell<'a>(m: &'a Measured, framing: &str, c: usize) -> Option<&'a Cell> {
    m.calls
        .iter()
        .find(|(f, n, _)| *f == framing && *n == c)
        .map(|(_, _, cell)| cell)
}

fn cold_cell<'a>(m: &'a Measured, label: &str) -> Option<&'a Cell> {
    m.cold.iter().find(|(l, _)| *l == label).map(|(_, c)| c)
}

fn row(cells: &[String]) -> String {
    format!("| {} |\n", cells.join(" | "))
}

fn ms(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}")
    } else {
        "–".into()
    }
}

/// One server's figure in a row of the memory table.
type Column = fn(&Measured) -> String;

fn mib_of(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The name in bold when it is ours, so our rows stand out.
fn who(name: &str) -> String {
    if name.starts_with("ours") {
        format!("**{name}**")
    } else {
        name.into()
    }
}

/// The tables, in markdown: printed to stdout as they are (they read well as text too).
pub fn tables(r: &Report) -> String {
    let mut s = String::new();
    let all = servers(r);
    let python = r.python.as_ref();
    let _ = writeln!(
        s,
        "### `tools/call get_weather` inside a session ({} s per cell after {} ms of warm-up)\n",
        r.window.measure.as_secs(),
        r.window.warmup.as_millis()
    );
    s += "| framing | c | server | req/s | p50 ms | p99 ms | server µs CPU/req | stalled, errors | ÷ Python |\n";
    s += "|---|--:|---|--:|--:|--:|--:|--:|--:|\n";
    for (framing, c, _) in &r.ours.calls {
        for (name, m) in &all {
            let Some(cell) = call_cell(m, framing, *c) else {
                continue;
            };
            let py = python
                .and_then(|p| call_cell(p, framing, *c))
                .map(|p| p.per_sec);
            s += &row(&[
                framing.to_string(),
                c.to_string(),
                who(name),
                format!("**{}**", thousands(cell.per_sec)),
                ms(cell.p50_ms),
                ms(cell.p99_ms),
                format!("{:.0}", cell.server_cpu_us),
                format!("{}, {}", cell.stalled, cell.errors),
                ratio(cell.per_sec, py),
            ]);
        }
    }
    if !r.floor.is_empty() {
        s +=
            "\n### The floor: tiny_http 0.12 alone, answering the same SSE bytes (no MCP work)\n\n";
        s += "| server | c | req/s | p50 ms | p99 ms | server µs CPU/req | ours ÷ this |\n|---|--:|--:|--:|--:|--:|--:|\n";
        for (label, cells) in &r.floor {
            for (c, cell) in cells {
                let ours = call_cell(&r.ours, "SSE", *c).map_or(f64::NAN, |o| o.per_sec);
                s += &row(&[
                    label.to_string(),
                    c.to_string(),
                    thousands(cell.per_sec),
                    ms(cell.p50_ms),
                    ms(cell.p99_ms),
                    format!("{:.0}", cell.server_cpu_us),
                    format!("{:.0} %", 100.0 * ours / cell.per_sec),
                ]);
            }
        }
    }
    if r.rmcp.is_some() {
        s += "\nrmcp has no JSON rows: with sessions it always answers `tools/call` as SSE and refuses \
              a JSON-only `Accept` (406).\n";
    }

    if let [(_, a, rss_a), (lb, b, rss_b)] = &r.long[..] {
        let _ = writeln!(
            s,
            "\n### Ours, one session calling back to back on one kept-alive connection (SSE, c=1, {} s): as it is and with `{lb}`\n",
            crate::LONG_SECS
        );
        s += "| second | as it is: calls | server µs CPU/call | no grace: calls | server µs CPU/call |\n|--:|--:|--:|--:|--:|\n";
        for (i, ((na, ca), (nb, cb))) in a.iter().zip(b).enumerate() {
            s += &row(&[
                (i + 1).to_string(),
                thousands(*na),
                format!("{ca:.0}"),
                thousands(*nb),
                format!("{cb:.0}"),
            ]);
        }
        let mib = |k: &u64| format!("{:.1} MiB", *k as f64 / 1024.0);
        let rss = [mib(rss_a), String::new(), mib(rss_b), String::new()];
        s += &row(&[&["RSS at the end".to_string()][..], &rss].concat());
    }

    let _ = writeln!(
        s,
        "\n### Cold sessions per second, c={COLD_CLIENTS} (initialize → initialized → tools/list → tools/call → DELETE)\n"
    );
    s += "| connections | server | sessions/s | p50 ms | p99 ms | server µs CPU/session | stalled, errors | ÷ Python |\n";
    s += "|---|---|--:|--:|--:|--:|--:|--:|\n";
    for (label, _) in &r.ours.cold {
        for (name, m) in &all {
            let Some(cell) = cold_cell(m, label) else {
                continue;
            };
            let py = python.and_then(|p| cold_cell(p, label)).map(|p| p.per_sec);
            s += &row(&[
                label.to_string(),
                who(name),
                format!("**{}**", thousands(cell.per_sec)),
                ms(cell.p50_ms),
                ms(cell.p99_ms),
                format!("{:.0}", cell.server_cpu_us),
                format!("{}, {}", cell.stalled, cell.errors),
                ratio(cell.per_sec, py),
            ]);
        }
    }

    let _ = writeln!(s, "\n### Memory and progress\n");
    s += &row(&[
        &[String::new()][..],
        &all.iter().map(|(n, _)| who(n)).collect::<Vec<_>>(),
    ]
    .concat());
    s += &format!("|---|{}\n", "--:|".repeat(all.len()));
    let lines: [(String, Column); 6] = [
        (
            "RSS of an idle server (fresh, after 400 requests that create nothing)".into(),
            |m| mib_of(m.idle_kib),
        ),
        (
            format!("kept per idle session ({IDLE_SESSIONS} sessions opened)"),
            |m| format!("{:.2} KiB", m.per_session_kib),
        ),
        (
            "peak RSS during the throughput and cold-session runs (VmHWM)".into(),
            |m| mib_of(m.peak_kib),
        ),
        ("threads at the end of those runs".into(), |m| {
            m.peak_threads.to_string()
        }),
        (
            format!(
                "progress: upper bound of an event's latency, p50 / max ms (step {} ms, {PROGRESS_CALLS} calls)",
                PROGRESS_STEP.as_millis()
            ),
            |m| {
                m.progress.as_ref().map_or("–".into(), |p| {
                    format!("{:.3} / {:.3}", p.bound_p50_ms, p.bound_max_ms)
                })
            },
        ),
        (
            "progress: arrival spacing minus the step, p50 / max ms".into(),
            |m| {
                m.progress.as_ref().map_or("–".into(), |p| {
                    format!("{:.3} / {:.3}", p.excess_p50_ms, p.excess_max_ms)
                })
            },
        ),
    ];
    for (label, f) in lines {
        s += &row(&[
            &[label][..],
            &all.iter().map(|(_, m)| f(m)).collect::<Vec<_>>(),
        ]
        .concat());
    }

    s += "\n### tiny_http limits and their mitigations\n\n";
    s += "| our server, fresh each trial | answered per trial |\n|---|---|\n";
    for (label, answered) in &r.limits.bursts {
        let list: Vec<String> = answered
            .iter()
            .map(|a| format!("{a}/{}", crate::BURST))
            .collect();
        s += &row(&[label.to_string(), list.join(", ")]);
    }
    s += "\n| a bare tiny_http server, one keep-alive connection | 2 KiB response, ms | streamed event late by, ms |\n|---|--:|--:|\n";
    for (label, sized, late) in &r.limits.nagle {
        s += &row(&[label.to_string(), ms(*sized), ms(*late)]);
    }
    s
}

/// A target of the issue and whether this run met it.
pub struct Target {
    pub what: &'static str,
    pub measured: String,
    pub met: bool,
}

pub fn targets(r: &Report) -> Vec<Target> {
    let sse16 = call_cell(&r.ours, "SSE", 16).cloned().unwrap_or_default();
    let cc16 = r
        .ours_connection_close
        .as_ref()
        .and_then(|m| call_cell(m, "SSE", 16));
    // "; --connection-close: …" after a figure of ours, when that variant ran.
    let cc = |f: &dyn Fn(&Cell) -> String| {
        cc16.map_or(String::new(), |c| {
            format!("; `--connection-close`: {}", f(c))
        })
    };
    let py16 = r.python.as_ref().and_then(|p| call_cell(p, "SSE", 16));
    let rmcp16 = r.rmcp.as_ref().and_then(|p| call_cell(p, "SSE", 16));
    // Without a run of its own, the figure for each SDK stands in.
    let (base, base_note) = match py16 {
        Some(p) => (p.per_sec, "measured here"),
        None => (900.0, "the issue's figure"),
    };
    let (aim, aim_note) = match rmcp16 {
        Some(p) => (p.per_sec, "measured here"),
        None => (25_000.0, "the issue's figure"),
    };
    let cold = r.ours.cold.first().map_or(0.0, |(_, c)| c.per_sec);
    let best_cold = r
        .ours
        .cold
        .iter()
        .map(|(_, c)| c.per_sec)
        .fold(0.0, f64::max);
    let progress = r.ours.progress.clone().unwrap_or_default();
    let floor16 = r
        .floor
        .first()
        .and_then(|(_, cells)| cells.iter().find(|(c, _)| *c == 16))
        .map(|(_, cell)| cell.per_sec);
    let modern16 = call_cell(&r.ours, crate::MODERN_SSE, 16)
        .cloned()
        .unwrap_or_default();
    let rmcp_note = |x: f64| {
        format!(
            "{} rmcp's {} req/s ({aim_note})",
            ratio(x, Some(aim)),
            thousands(aim)
        )
    };
    vec![
        Target {
            what: "SSE tools/call at c=16, one server core: ≥ 15× the Python SDK",
            measured: format!(
                "{} req/s = {} Python's {} req/s ({base_note}){}",
                thousands(sse16.per_sec),
                ratio(sse16.per_sec, Some(base)),
                thousands(base),
                cc(&|c| format!(
                    "{} req/s = {}",
                    thousands(c.per_sec),
                    ratio(c.per_sec, Some(base))
                ))
            ),
            met: sse16.per_sec >= 15.0 * base,
        },
        Target {
            what: "… ≥ 50 % of rmcp",
            measured: format!(
                "{}{}",
                rmcp_note(sse16.per_sec),
                cc(&|c| ratio(c.per_sec, Some(aim)))
            ),
            met: sse16.per_sec >= 0.5 * aim,
        },
        Target {
            what: "… with p99 < 2 ms",
            measured: format!(
                "p99 {:.2} ms{}",
                sse16.p99_ms,
                cc(&|c| format!("{:.2} ms", c.p99_ms))
            ),
            met: sse16.p99_ms < 2.0,
        },
        Target {
            what: "aim: ≥ rmcp",
            measured: format!(
                "{}{}",
                rmcp_note(sse16.per_sec),
                cc(&|c| ratio(c.per_sec, Some(aim)))
            ),
            met: sse16.per_sec >= aim,
        },
        Target {
            what: "(no target) against the floor, tiny_http alone with the same bytes",
            measured: format!(
                "{} of the floor's {} req/s{}",
                floor16.map_or("–".into(), |f| format!(
                    "{:.0} %",
                    100.0 * sse16.per_sec / f
                )),
                floor16.map_or("–".into(), thousands),
                cc(&|c| floor16
                    .map_or("–".into(), |f| format!("{:.0} %", 100.0 * c.per_sec / f)))
            ),
            met: true,
        },
        Target {
            what: "a 2026-07-28 call at least as fast as a legacy one (SSE, c=16)",
            measured: format!(
                "{} req/s against {} req/s, p99 {:.2} ms",
                thousands(modern16.per_sec),
                thousands(sse16.per_sec),
                modern16.p99_ms
            ),
            met: modern16.per_sec >= sse16.per_sec,
        },
        Target {
            what: "≥ 3,000 cold sessions per second (c=16)",
            measured: format!(
                "{}/s with a new connection per session; best way {}/s{}",
                thousands(cold),
                thousands(best_cold),
                r.ours_connection_close
                    .as_ref()
                    .map_or(String::new(), |m| format!(
                        "; `--connection-close`: {}/s",
                        thousands(m.cold.first().map_or(0.0, |(_, c)| c.per_sec))
                    ))
            ),
            met: cold >= 3000.0,
        },
        Target {
            what: "progress event readable < 1 ms after the tool emits it",
            measured: format!(
                "upper bound p50 {:.3} ms, max {:.3} ms",
                progress.bound_p50_ms, progress.bound_max_ms
            ),
            met: progress.bound_p50_ms < 1.0,
        },
        Target {
            what: "idle RSS < 5 MB",
            measured: format!("{:.1} MiB", r.ours.idle_kib as f64 / 1024.0),
            met: (r.ours.idle_kib as f64) * 1024.0 < 5e6,
        },
        Target {
            what: "< 4 KiB kept per idle session",
            measured: format!("{:.2} KiB", r.ours.per_session_kib),
            met: r.ours.per_session_kib < 4.0,
        },
    ]
}

pub fn targets_table(r: &Report) -> String {
    let mut s = "| target (issue #15) | measured | met |\n|---|---|:-:|\n".to_string();
    for t in targets(r) {
        let met = if t.met { "yes" } else { "**no**" };
        s += &row(&[t.what.into(), t.measured, met.into()]);
    }
    s
}

/// What stdout shows at the end.
pub fn table(r: &Report) -> String {
    let mut s = tables(r);
    s += "\n### Targets\n\n";
    s += &targets_table(r);
    for note in &r.notes {
        let _ = write!(s, "\nNOTE: {note}");
    }
    let _ = write!(
        s,
        "\nother processes used {:.0} % of the CPU during the run; load average before {}, after {}",
        r.others_share * 100.0,
        r.load_before,
        r.load_after
    );
    s
}
