//! The real `weather-server` binary as a child process, for tests whose input could kill a
//! server (an in-process one would take the test runner down with it) and for measuring a
//! server's threads, sockets and memory from `/proc`, and for the binary's own command line.
//! The one place that starts the binary and reads the address it prints.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub struct Binary {
    child: Child,
    pub addr: SocketAddr,
    /// The line that named the address (`weather-server listening on http://…/mcp`).
    pub first_line: String,
    /// The rest of what the server prints. Kept open: a closed pipe would make its `println!`
    /// panic.
    pub stdout: BufReader<ChildStdout>,
}

impl Binary {
    /// Start `weather-server --port 0 ARGS` and wait for the address it prints.
    pub fn spawn(args: &[&str]) -> Binary {
        Binary::try_spawn(args).unwrap_or_else(|why| panic!("weather-server {why}"))
    }

    /// The same, or why the server did not start ("did not start (exit status: 2): error: ...").
    pub fn try_spawn(args: &[&str]) -> Result<Binary, String> {
        Binary::start(Command::new(env!("CARGO_BIN_EXE_weather-server")), args)
    }

    /// The same, with the soft and hard limits on open files set to `limit` (through `sh`'s
    /// `ulimit`, which then `exec`s the server, so the pid is the server's).
    pub fn spawn_with_fd_limit(limit: u32, args: &[&str]) -> Binary {
        let mut sh = Command::new("sh");
        sh.args(["-c", &format!("ulimit -n {limit} && exec \"$0\" \"$@\"")])
            .arg(env!("CARGO_BIN_EXE_weather-server"));
        Binary::start(sh, args).unwrap_or_else(|why| panic!("weather-server {why}"))
    }

    fn start(mut command: Command, args: &[&str]) -> Result<Binary, String> {
        // A dying server should die at once, not spend a second printing a backtrace while its
        // other threads still answer.
        let mut child = command
            .env("RUST_BACKTRACE", "0")
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start weather-server");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        let _ = stdout.read_line(&mut first);
        let addr = first
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .and_then(|w| w.strip_suffix("/mcp"))
            .and_then(|w| w.parse().ok());
        let Some(addr) = addr else {
            // It printed no address: it exited (a bad flag, say); its first error line says why.
            let status = child.wait().ok();
            let mut stderr = String::new();
            let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
            let first_error = stderr.lines().next().unwrap_or("").to_string();
            let status = status.map_or("still running".to_string(), |s| s.to_string());
            return Err(format!("did not start ({status}): {first_error}"));
        };
        Ok(Binary {
            child,
            addr,
            first_line: first,
            stdout,
        })
    }

    /// The next line the server writes to stderr (a warning, say).
    pub fn stderr_line(&mut self) -> String {
        let mut line = String::new();
        if let Some(err) = self.child.stderr.as_mut() {
            let mut byte = [0u8; 1];
            while err.read(&mut byte).is_ok_and(|n| n == 1) && byte[0] != b'\n' {
                line.push(byte[0] as char);
            }
        }
        line
    }

    /// The rest of the server's stderr, line by line as it is written (`--log-requests`), read on
    /// a thread of its own so that a test can wait for a line with a time limit. Takes the pipe:
    /// call it once, and not with [`Binary::stderr_line`].
    pub fn stderr_lines(&mut self) -> mpsc::Receiver<String> {
        let (tx, rx) = mpsc::channel();
        if let Some(err) = self.child.stderr.take() {
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        rx
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Is the process still running? If not, what it wrote to stderr says why.
    pub fn alive(&mut self) -> Result<(), String> {
        match self.child.try_wait().unwrap() {
            None => Ok(()),
            Some(status) => {
                let mut err = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                let first_lines: Vec<&str> = err.lines().take(3).collect();
                Err(format!("exited with {status}: {}", first_lines.join(" | ")))
            }
        }
    }

    /// A field of `/proc/<pid>/status` (e.g. "Threads", "VmRSS" in kB), as a number.
    pub fn status(&self, field: &str) -> u64 {
        let text = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("no {field} in /proc status"))
    }

    pub fn threads(&self) -> u64 {
        self.status("Threads")
    }

    pub fn rss_kb(&self) -> u64 {
        self.status("VmRSS")
    }

    /// Open file descriptors (sockets included).
    pub fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .unwrap()
            .count()
    }

    /// Wait until `Threads` is at most `limit` (or `within` has passed); returns the last count.
    pub fn settle_threads(&self, limit: u64, within: Duration) -> u64 {
        let deadline = Instant::now() + within;
        loop {
            let n = self.threads();
            if n <= limit || Instant::now() >= deadline {
                return n;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
