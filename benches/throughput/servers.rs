//! Starting, measuring and stopping the servers under test, each a child process on 127.0.0.1.
//!
//! Ours is the `weather-server` binary that cargo builds for this bench (in the bench profile,
//! which is `release`); the Python SDK's is `benches/py_weather_server.py` in the venv that
//! `benches/setup.sh` makes. Each is a separate process so that `/proc/<pid>/status` tells its
//! memory alone, and so that the load generator's threads do not count against it.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

pub struct Server {
    pub addr: SocketAddr,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        // Our own child, by its pid: nothing else is touched.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Memory of a process in KiB, from `/proc/<pid>/status`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Memory {
    /// Resident now.
    pub rss_kib: u64,
    /// The peak resident size since the process started ("high water mark").
    pub hwm_kib: u64,
    pub threads: u64,
}

impl Server {
    /// Its address and process id, for the load generator.
    pub fn target(&self) -> (SocketAddr, u32) {
        (self.addr, self.child.id())
    }

    pub fn memory(&self) -> Memory {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        Memory {
            rss_kib: field("VmRSS:"),
            hwm_kib: field("VmHWM:"),
            threads: field("Threads:"),
        }
    }
}

/// Start our `weather-server` with `--port 0`; it names its port on the first line it prints.
pub fn start_ours(extra: &[&str]) -> Result<Server, String> {
    let mut args = vec!["--port", "0", "--step-delay-ms", "0"];
    args.extend_from_slice(extra);
    start_binary(env!("CARGO_BIN_EXE_weather-server").as_ref(), &args)
}

/// Start the rmcp server that `benches/setup.sh rmcp` built, if it did.
pub fn start_rmcp(step_ms: u64) -> Result<Server, String> {
    start_binary(&rmcp_binary(), &["0", &step_ms.to_string()])
}

/// Where `benches/setup.sh rmcp` puts the rmcp server.
pub fn rmcp_binary() -> PathBuf {
    cache().join("rmcp-weather/target/release/rmcp-weather")
}

/// Start the floor server (`floor.rs`): this bench binary again, in its floor mode.
pub fn start_floor(threaded: bool) -> Result<Server, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut args = vec!["--floor-server"];
    if threaded {
        args.push("threaded");
    }
    start_binary(&exe, &args)
}

/// The machine's cores, from `/proc/cpuinfo`: once this process is pinned to one core,
/// `available_parallelism` says 1.
pub fn machine_cores() -> usize {
    let listed = std::fs::read_to_string("/proc/cpuinfo")
        .map(|text| text.lines().filter(|l| l.starts_with("processor")).count())
        .unwrap_or(0);
    match listed {
        0 => thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}

/// The core servers run on when the load generator has the other one to itself.
const SERVER_CORE: &str = "1";

/// With two cores or more and `taskset` at hand (and no `MCP_BENCH_NO_PIN`), put this process, the
/// load generator, on core 0; `start_binary` then puts each server on core 1. Then neither takes
/// the other's core, and a server's figures are what one core can do. Returns whether it pinned.
pub fn pin_load_generator() -> bool {
    if machine_cores() < 2 || std::env::var_os("MCP_BENCH_NO_PIN").is_some() {
        return false;
    }
    let pid = std::process::id().to_string();
    // -a: every thread of the process (those started later inherit it from their parent).
    Command::new("taskset")
        .args(["-a", "-p", "-c", "0", &pid])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Is the load generator pinned (so the servers should be too)?
fn pinned() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .is_some_and(|cpus| cpus.trim() == "0")
}

/// The command that starts a server program: on the server core when the load generator is
/// pinned. `taskset -c 1 exe args` execs exe, so the child's pid (and /proc) is the server's own.
fn server_command(exe: &Path) -> Command {
    if pinned() {
        let mut c = Command::new("taskset");
        c.args(["-c", SERVER_CORE]).arg(exe);
        c
    } else {
        Command::new(exe)
    }
}

/// Start a server that prints "... listening on http://ADDR/mcp" as its first line.
fn start_binary(exe: &Path, args: &[&str]) -> Result<Server, String> {
    let mut child = server_command(exe)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))?;
    let mut first = String::new();
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    stdout.read_line(&mut first).map_err(|e| e.to_string())?;
    // Keep reading what else it prints, or its next println! would fail on a closed pipe; the
    // thread ends when the server does.
    thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let addr = first
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|a| a.parse().ok());
    match addr {
        Some(addr) => Ok(Server { addr, child }),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            Err(format!("unexpected first line {first:?}"))
        }
    }
}

/// `${MCP_BENCH_CACHE:-$HOME/.cache/streamable-mcp-bench}`, as in `benches/setup.sh`.
fn cache() -> PathBuf {
    std::env::var_os("MCP_BENCH_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").unwrap_or_default();
            PathBuf::from(home).join(".cache/streamable-mcp-bench")
        })
}

/// The venv that `benches/setup.sh` fills.
pub fn python_venv() -> PathBuf {
    cache().join("venv/bin/python")
}

/// Make sure the Python SDK is installed (running `benches/setup.sh` once if not).
///
/// # Errors
/// Why the Python server cannot run; the benchmark then measures ours alone.
pub fn python_ready() -> Result<PathBuf, String> {
    if std::env::var_os("MCP_BENCH_SKIP_PYTHON").is_some() {
        return Err("MCP_BENCH_SKIP_PYTHON is set".into());
    }
    let python = python_venv();
    let has_mcp = |p: &Path| {
        Command::new(p)
            .args(["-c", "import mcp.server.mcpserver"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if has_mcp(&python) {
        return Ok(python);
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/setup.sh");
    println!("The Python SDK is not installed yet: running {script} (about 30 s)");
    let ran = Command::new("bash").arg(script).status();
    if ran.is_ok_and(|s| s.success()) && has_mcp(&python) {
        Ok(python)
    } else {
        Err(format!(
            "the Python SDK (mcp 2.3.0) could not be installed with {script}"
        ))
    }
}

/// Start the Python SDK server on a free port and wait until it accepts connections.
pub fn start_python(python: &Path, json_response: bool, step_ms: u64) -> Result<Server, String> {
    // Ask the OS for a free port, then hand it over; uvicorn prints no machine-readable address.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/py_weather_server.py");
    let mut cmd = server_command(python);
    cmd.arg(script)
        .args(["--port", &port.to_string()])
        .args(["--step-delay-ms", &step_ms.to_string()]);
    if json_response {
        cmd.arg("--json-response");
    }
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", python.display()))?;
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let server = Server { addr, child };
    // Bounded wait: importing the SDK takes a second or two on these machines.
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return Ok(server);
        }
        thread::sleep(Duration::from_millis(100));
    }
    Err("the Python server did not start listening within 30 s".into())
}

/// The machine, for the report: cores, CPU model, memory, and the load average right now.
pub fn machine() -> (usize, String, String, String) {
    let cores = machine_cores();
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mem = format!("{:.1} GiB", mem_kib as f64 / (1024.0 * 1024.0));
    (cores, model, mem, load_average())
}

/// The 1-, 5- and 15-minute load averages: other work on the machine skews the numbers.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// CPU clock ticks used so far (user + nice + system + irq + softirq + steal) by the whole
/// machine, and by this process with the children it has waited for (the servers, once stopped).
/// Their difference over the run is what other work took: the honest "was it quiet?".
pub fn cpu_snapshot() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let busy = stat
        .lines()
        .next()
        .map(|cpu| {
            let f: Vec<u64> = cpu
                .split_whitespace()
                .skip(1)
                .filter_map(|v| v.parse().ok())
                .collect();
            // user nice system idle iowait irq softirq steal
            [0, 1, 2, 5, 6, 7].iter().filter_map(|&i| f.get(i)).sum()
        })
        .unwrap_or(0);
    let own = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = own
        .rsplit_once(')')
        .map_or("", |(_, r)| r)
        .split_whitespace()
        .collect();
    // utime, stime, cutime, cstime: fields 14 to 17 of the line, 11 to 14 counted from 0 after
    // the name (the first after it is field 3, the state).
    let mine = (11..=14)
        .filter_map(|i| fields.get(i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    (busy, mine)
}
