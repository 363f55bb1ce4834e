//! What the lab checkers share: failing with a message for the student, running a student's
//! program with a time limit, and JSON-RPC requests inside a session.

use crate::support;
use serde_json::{json, Value};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The handout of each lab, by number.
const HANDOUTS: [&str; 10] = [
    "docs/labs/lab_01-handshake-by-hand.md",
    "docs/labs/lab_02-add-a-tool.md",
    "docs/labs/lab_03-structured-output.md",
    "docs/labs/lab_04-cut-and-resume.md",
    "docs/labs/lab_05-client-in-another-language.md",
    "docs/labs/lab_06-cap-the-calls-per-session.md",
    "docs/labs/lab_07-a-modern-call-by-hand.md",
    "docs/labs/lab_08-input-required-by-hand.md",
    "docs/labs/lab_09-scale-out-by-hand.md",
    "docs/labs/lab_10-lose-a-call-on-http-sse.md",
];

/// End the checker with a message that says what is missing, and where to read about it.
pub fn fail(lab: usize, what: impl std::fmt::Display) -> ! {
    panic!(
        "\n\nlab {lab} is not done yet: {what}\n\n(the handout: {})\n",
        HANDOUTS[lab - 1]
    )
}

/// A student's program, run to its end (or killed at the time limit).
pub struct Run {
    /// What it ran, for messages.
    pub what: String,
    /// `None` when it was killed because it ran too long.
    pub status: Option<ExitStatus>,
    /// Its stdout, line by line (line ends removed), each with when it arrived after the start.
    pub lines: Vec<(Duration, String)>,
    pub stderr: String,
}

impl Run {
    /// Its stdout lines, without the times.
    pub fn stdout(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(|(_, l)| l.as_str())
    }

    /// Its exit status and what it printed, for a failure message.
    pub fn report(&self) -> String {
        let status = match self.status {
            Some(s) => s.to_string(),
            None => "killed: it ran too long".to_string(),
        };
        let quote = |text: &str| -> String {
            let lines: Vec<&str> = text.lines().collect();
            let skipped = lines.len().saturating_sub(60);
            let mut out: String = lines[skipped..]
                .iter()
                .map(|l| format!("  | {l}\n"))
                .collect();
            if skipped > 0 {
                out.insert_str(0, &format!("  | ({skipped} lines before these)\n"));
            }
            if out.is_empty() {
                out = "  (nothing)\n".to_string();
            }
            out
        };
        let stdout: Vec<&str> = self.stdout().collect();
        format!(
            "`{}` ended with {status}.\nstdout:\n{}stderr:\n{}",
            self.what,
            quote(&stdout.join("\n")),
            quote(&self.stderr)
        )
    }

    /// Fail unless the program exited with status 0.
    pub fn expect_success(&self, lab: usize) {
        if !self.status.is_some_and(|s| s.success()) {
            let hint = if self.stdout().any(|l| l.contains("TODO")) {
                "it is still the stub that prints TODO; write it"
            } else {
                "it must exit with status 0"
            };
            fail(lab, format!("{hint}.\n{}", self.report()));
        }
    }
}

/// Run `program args…` from the repository's root with `env`, for at most `limit`.
///
/// `lab` is the lab whose checker runs it, for the message when it cannot be started.
pub fn run(program: &str, args: &[&str], env: &[(&str, &str)], limit: Duration, lab: usize) -> Run {
    let what = std::iter::once(program)
        .chain(args.iter().copied())
        .collect::<Vec<_>>()
        .join(" ");
    let start = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(ROOT)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            fail(
                lab,
                format!("`{program}` could not be started ({e}): is it installed and on PATH?"),
            )
        });
    // Readers on their own threads, so a chatty program never blocks on a full pipe, and each
    // stdout line is stamped when it arrives (lab 5 checks that output streams).
    let (lines_tx, lines_rx) = mpsc::channel();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    thread::spawn(move || loop {
        let mut line = Vec::new();
        match stdout.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end_matches(['\r', '\n']).to_string();
                if lines_tx.send((start.elapsed(), text)).is_err() {
                    break;
                }
            }
        }
    });
    let (err_tx, err_rx) = mpsc::channel();
    let mut stderr = child.stderr.take().unwrap();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stderr.read_to_end(&mut bytes);
        let _ = err_tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(10));
    };
    // A program's own children (a curl left running) can hold the pipes open after it ends: take
    // what came, and give up on the rest after a moment.
    let mut lines = Vec::new();
    while let Ok(line) = lines_rx.recv_timeout(Duration::from_secs(2)) {
        lines.push(line);
    }
    let stderr = err_rx
        .recv_timeout(Duration::from_secs(2))
        .unwrap_or_default();
    Run {
        what,
        status,
        lines,
        stderr,
    }
}

/// The JSON-RPC messages in `data:` lines of SSE output, with the index of their line. Empty data
/// (priming events) and lines that are not JSON are skipped.
pub fn sse_data<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<(usize, Value)> {
    lines
        .enumerate()
        .filter_map(|(i, l)| {
            let data = l.strip_prefix("data:")?.trim();
            serde_json::from_str(data).ok().map(|v| (i, v))
        })
        .collect()
}

/// Is `message` a progress notification?
pub fn is_progress(message: &Value) -> bool {
    message["method"] == "notifications/progress"
}

/// Is `message` a response (a result or an error)?
pub fn is_response(message: &Value) -> bool {
    message.get("id").is_some()
        && (message.get("result").is_some() || message.get("error").is_some())
}

/// A session with a test server, for JSON-RPC requests answered as one JSON object.
pub struct Rpc {
    pub addr: SocketAddr,
    pub sid: String,
    next_id: Cell<u64>,
}

impl Rpc {
    /// Initialize and send `notifications/initialized`.
    pub fn open(addr: SocketAddr) -> Rpc {
        Rpc {
            addr,
            sid: support::open_session(addr),
            next_id: Cell::new(10),
        }
    }

    /// Send a request; return its response, whole (`result` or `error`).
    pub fn request(&self, method: &str, params: Value) -> Value {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        let r = support::post(
            self.addr,
            &[
                // JSON only: a tools/call answers with its final response as one object.
                ("Accept", "application/json"),
                ("Mcp-Session-Id", &self.sid),
                ("MCP-Protocol-Version", "2025-11-25"),
            ],
            &body.to_string(),
        );
        assert_eq!(r.status, 200, "{method} got HTTP {}: {}", r.status, r.body);
        r.json()
    }

    /// Every tool `tools/list` names, through all its pages.
    pub fn tools(&self) -> Vec<Value> {
        let mut tools = Vec::new();
        let mut params = json!({});
        loop {
            let page = self.request("tools/list", params);
            let result = &page["result"];
            tools.extend(result["tools"].as_array().cloned().unwrap_or_default());
            match result.get("nextCursor") {
                Some(cursor) => params = json!({ "cursor": cursor }),
                None => return tools,
            }
        }
    }

    /// `tools/call name arguments`: the call's `result`, or a failure if it was a JSON-RPC error.
    pub fn call(&self, lab: usize, name: &str, arguments: Value) -> Value {
        let response = self.request(
            "tools/call",
            json!({ "name": name, "arguments": arguments }),
        );
        match response.get("result") {
            Some(result) => result.clone(),
            None => fail(
                lab,
                format!(
                    "tools/call {name} {arguments} answered with a JSON-RPC error instead of a \
                     result: {response}"
                ),
            ),
        }
    }
}
