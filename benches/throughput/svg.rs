//! `docs/benchmarks.svg`, drawn by hand: horizontal bars, ours against the Python SDK, one panel
//! per kind of number, each with its own scale and the issue's target as a dashed line.

use crate::report::{call_cell, ratio, thousands};
use crate::{Measured, Report, COLD_CLIENTS};
use std::fmt::Write;

/// Bar colours, in the order of `values` in a row: ours, ours --connection-close, rmcp, Python.
const COLORS: [&str; 4] = ["#1d4ed8", "#60a5fa", "#10b981", "#f59e0b"];
const WIDTH: f64 = 860.0;
const LABEL_W: f64 = 190.0;
const BAR_W: f64 = 520.0;
const BAR_H: f64 = 12.0;

/// One panel: rows of (label, values in the order of [`COLORS`]), a unit, maybe a target line.
struct Panel {
    title: String,
    rows: Vec<(String, [Option<f64>; 4])>,
    fmt: fn(f64) -> String,
    target: Option<(f64, String)>,
    higher_is_better: bool,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn svg(r: &Report) -> String {
    let each_server = |f: &dyn Fn(&Measured) -> Option<f64>| {
        [
            f(&r.ours),
            r.ours_connection_close.as_ref().and_then(f),
            r.rmcp.as_ref().and_then(f),
            r.python.as_ref().and_then(f),
        ]
    };
    let calls = r
        .ours
        .calls
        .iter()
        .map(|(f, c, _)| {
            let v = each_server(&|m| call_cell(m, f, *c).map(|x| x.per_sec));
            (format!("{f}, c={c}"), v)
        })
        .collect();
    // The issue's target: 10× the Python SDK's SSE c=16 (measured here, else the issue's 900).
    let py16 = r.python.as_ref().and_then(|p| call_cell(p, "SSE", 16));
    let cold = r
        .ours
        .cold
        .iter()
        .map(|(label, _)| {
            let per_sec = |m: &Measured| {
                m.cold
                    .iter()
                    .find(|(l, _)| l == label)
                    .map(|(_, c)| c.per_sec)
            };
            (short(label), each_server(&per_sec))
        })
        .collect();
    let panels = [
        Panel {
            title: "tools/call get_weather per second, in a session (higher is better)".into(),
            rows: calls,
            fmt: thousands,
            target: Some((
                10.0 * py16.map_or(900.0, |p| p.per_sec),
                if py16.is_some() {
                    "10× Python at SSE c=16".into()
                } else {
                    "10× the issue's Python figure".into()
                },
            )),
            higher_is_better: true,
        },
        Panel {
            title: format!(
                "Cold sessions per second, c={COLD_CLIENTS}: 5 requests each (higher is better)"
            ),
            rows: cold,
            fmt: thousands,
            target: Some((3000.0, "target 3,000/s".into())),
            higher_is_better: true,
        },
        Panel {
            title: "Memory (lower is better)".into(),
            rows: vec![
                (
                    "KiB per idle session".into(),
                    each_server(&|m| Some(m.per_session_kib)),
                ),
                (
                    "idle RSS, MiB".into(),
                    each_server(&|m| Some(m.idle_kib as f64 / 1024.0)),
                ),
            ],
            fmt: |x| format!("{x:.1}"),
            target: None,
            higher_is_better: false,
        },
    ];
    draw(r, &panels)
}

/// Colour keys for the servers that were measured.
fn legend(r: &Report) -> String {
    let names = [
        // Short enough that the four names leave room for the note on the right.
        Some("ours (keep-alive)"),
        r.ours_connection_close
            .as_ref()
            .map(|_| "ours --connection-close"),
        r.rmcp.as_ref().map(|_| "rmcp 3.9.0 (axum)"),
        r.python.as_ref().map(|_| "Python SDK (mcp 2.3.0)"),
    ];
    let mut out = String::new();
    let mut x = 16.0;
    for (name, color) in names.iter().zip(COLORS) {
        let Some(name) = name else { continue };
        let _ = write!(
            out,
            r#"<rect x="{x}" y="58" width="12" height="12" fill="{color}"/><text x="{}" y="68" font-size="12">{name}</text>"#,
            x + 16.0
        );
        x += 16.0 + 7.0 * name.len() as f64 + 18.0;
    }
    out + "\n"
}

fn short(label: &str) -> String {
    match label.split_whitespace().next() {
        Some("new") => "new connection each".into(),
        Some("Connection:") => "Connection: close".into(),
        _ => "reused connection".into(),
    }
}

fn draw(r: &Report, panels: &[Panel]) -> String {
    let mut body = String::new();
    let mut y = 100.0;
    for p in panels {
        let _ = writeln!(
            body,
            r#"<text x="16" y="{y}" font-size="15" font-weight="bold">{}</text>"#,
            esc(&p.title)
        );
        y += 12.0;
        let top = y;
        let max = p
            .rows
            .iter()
            .flat_map(|(_, values)| *values)
            .flatten()
            .chain(p.target.as_ref().map(|t| t.0))
            .filter(|x| x.is_finite())
            .fold(0.0, f64::max)
            .max(1e-9);
        let scale = |x: f64| BAR_W * (x / max).clamp(0.0, 1.0);
        for (label, values) in &p.rows {
            let bars = values.iter().filter(|v| v.is_some()).count() as f64;
            let mid = y + bars * (BAR_H + 2.0) / 2.0;
            let _ = writeln!(
                body,
                r#"<text x="{}" y="{}" text-anchor="end" font-size="13">{}</text>"#,
                LABEL_W - 8.0,
                mid + 4.0,
                esc(label)
            );
            let mut by = y;
            for (value, color) in values.iter().zip(COLORS) {
                let Some(v) = value else { continue };
                let w = scale(*v).max(1.0);
                let _ = writeln!(
                    body,
                    r#"<rect x="{LABEL_W}" y="{by}" width="{w:.1}" height="{BAR_H}" fill="{color}"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
                    LABEL_W + w + 4.0,
                    by + BAR_H - 2.0,
                    (p.fmt)(*v)
                );
                by += BAR_H + 2.0;
            }
            // Ours against Python, always as "how many times better ours is".
            let (ours, python) = (values[0].unwrap_or(f64::NAN), values[3]);
            let times = if p.higher_is_better {
                ratio(ours, python)
            } else {
                ratio(python.unwrap_or(f64::NAN), Some(ours))
            };
            let _ = writeln!(
                body,
                r#"<text x="{}" y="{}" font-size="13" font-weight="bold" text-anchor="end">{}</text>"#,
                WIDTH - 14.0,
                mid + 4.0,
                times
            );
            y = by + 10.0;
        }
        if let Some((t, label)) = &p.target {
            let x = LABEL_W + scale(*t);
            let _ = writeln!(
                body,
                r##"<line x1="{x:.1}" y1="{}" x2="{x:.1}" y2="{}" stroke="#dc2626" stroke-dasharray="5,4" stroke-width="1.5"/><text x="{:.1}" y="{}" font-size="11" fill="#dc2626" text-anchor="end">{}</text>"##,
                top - 2.0,
                y - 8.0,
                x - 3.0,
                y - 10.0,
                esc(label)
            );
        }
        y += 26.0;
    }
    let (cores, model, mem, _) = crate::servers::machine();
    let subtitle = format!(
        "{cores} cores ({model}), {mem}; other work took {:.0} % of the CPU during the run",
        r.others_share * 100.0
    );
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{h}" viewBox="0 0 {WIDTH} {h}" font-family="Helvetica, Arial, sans-serif" fill="#111">
<rect width="100%" height="100%" fill="#fff"/>
<text x="16" y="26" font-size="18" font-weight="bold">weather-server (Rust, tiny_http) against the official MCP SDKs</text>
<text x="16" y="46" font-size="12" fill="#555">{}</text>
{legend}<text x="{rx}" y="68" font-size="12" text-anchor="end" fill="#555">ours: × better than Python</text>
{body}</svg>
"##,
        esc(&subtitle),
        legend = legend(r),
        h = y + 4.0,
        rx = WIDTH - 14.0,
    )
}
