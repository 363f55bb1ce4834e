//! Interop: our Rust client against a server built with the official MCP Python SDK (mcp 2.3.0).
//!
//! The server is `tests/interop/py_weather_server.py`. These tests need a Python with the SDK, so
//! they are ignored by default; `.ci/run` runs them. By hand:
//! ```text
//! python3 -m venv /tmp/pyvenv && /tmp/pyvenv/bin/pip install mcp==2.3.0
//! MCP_PYTHON=/tmp/pyvenv/bin/python cargo test --test client interop_python -- --ignored
//! ```
//! What they prove: our reading of the spec matches the SDK's on the wire (SSE with priming events,
//! session ids, the `MCP-Protocol-Version` header, progress on the POST's stream, `isError`, and
//! 404 for a deleted session), not just our own server's habits.

use serde_json::json;
use std::fs::File;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use streamable_mcp::client::{Era, EraChoice, Incoming, McpClient, Options};

/// The Python server, killed when dropped (also when a test panics).
struct PyServer {
    child: Child,
    addr: SocketAddr,
}

impl PyServer {
    fn start() -> PyServer {
        let python = std::env::var("MCP_PYTHON").unwrap_or_else(|_| {
            panic!(
                "MCP_PYTHON is not set: point it at a Python with the MCP SDK installed, e.g.\n  \
                 python3 -m venv /tmp/pyvenv && /tmp/pyvenv/bin/pip install mcp==2.3.0\n  \
                 MCP_PYTHON=/tmp/pyvenv/bin/python cargo test --test client interop_python -- --ignored"
            )
        });
        // Ask the OS for a free port, then let it go for Python to take. Another process could
        // grab it in between; on a test machine that is rare enough.
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let script = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/interop/py_weather_server.py"
        );
        // Uvicorn logs every request; a file (not a pipe nobody reads) cannot fill up and block it.
        let log_path = std::env::temp_dir().join(format!("py-weather-{}.log", addr.port()));
        let log = File::create(&log_path).unwrap();
        let child = Command::new(&python)
            .arg(script)
            .arg(addr.port().to_string())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
        let mut server = PyServer { child, addr };
        server.wait_until_listening(&log_path);
        server
    }

    /// Poll until the port accepts connections: readiness, not a guess at how long startup takes.
    fn wait_until_listening(&mut self, log_path: &std::path::Path) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if TcpStream::connect(self.addr).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                let log = std::fs::read_to_string(log_path).unwrap_or_default();
                panic!("the Python server exited ({status}) before listening:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let log = std::fs::read_to_string(log_path).unwrap_or_default();
        panic!(
            "the Python server did not listen on {} within 15 s:\n{log}",
            self.addr
        );
    }

    fn url(&self) -> String {
        format!("http://{}/mcp", self.addr)
    }
}

impl Drop for PyServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn era(era: EraChoice) -> Options {
    Options {
        era,
        ..Options::default()
    }
}

/// List the tools, call get_weather for Hangzhou, and check its progress came before the result.
fn lists_and_streams(client: &mut McpClient) {
    let tools = client.list_tools().expect("tools/list");
    assert!(tools.iter().any(|t| t.name == "get_weather"), "{tools:?}");

    let mut progress = Vec::new();
    let result = client
        .call_tool("get_weather", json!({"city": "Hangzhou"}), &mut |event| {
            if let Incoming::Progress(p) = event {
                progress.push((Instant::now(), p.clone()));
            }
        })
        .expect("tools/call");
    let returned = Instant::now();
    assert!(!result.is_error, "{result:?}");
    assert_eq!(result.text, "Hangzhou: Light rain, 18.5 °C");
    assert!(progress.len() >= 2, "{progress:?}");
    // The tool pauses 0.2 s twice after its first report: live progress arrives well before.
    let lead = returned - progress[0].0;
    assert!(
        lead >= Duration::from_millis(150),
        "progress was not streamed ({lead:?})"
    );
    assert_eq!(
        progress[0].1.message.as_deref(),
        Some("Looking up Hangzhou")
    );
    client.ping().expect("ping");
}

#[test]
#[ignore = "needs Python with mcp==2.3.0; run by .ci/run"]
fn python_sdk_server_lists_get_weather_and_streams_progress_before_the_result() {
    let server = PyServer::start();
    let mut client = McpClient::connect(&server.url(), era(EraChoice::Legacy)).expect("connect");
    assert_eq!(client.protocol_version(), Some("2025-11-25"));
    assert!(client.session_id().is_some(), "the SDK server is stateful");
    lists_and_streams(&mut client);
    client.close().expect("DELETE");
}

/// The SDK 2.3 server is dual-era: auto finds it modern (its `server/discover` answers), and the
/// same list and call work there without a session, our headers and `_meta` accepted by its checks.
#[test]
#[ignore = "needs Python with mcp==2.3.0; run by .ci/run"]
fn python_sdk_server_is_modern_to_auto_and_the_call_streams_there_too() {
    let server = PyServer::start();
    let mut client = McpClient::connect(&server.url(), era(EraChoice::Auto)).expect("connect");
    assert_eq!(client.era(), Some(Era::Modern));
    assert_eq!(client.protocol_version(), Some("2026-07-28"));
    assert_eq!(client.session_id(), None);
    lists_and_streams(&mut client);
    client.close().expect("nothing to end");
}

#[test]
#[ignore = "needs Python with mcp==2.3.0; run by .ci/run"]
fn python_sdk_server_reports_an_unknown_city_as_is_error() {
    let server = PyServer::start();
    let mut client = McpClient::connect(&server.url(), era(EraChoice::Auto)).unwrap();
    let result = client
        .call_tool("get_weather", json!({"city": "Atlantis"}), &mut |_| {})
        .expect("a tool error is a result, not a JSON-RPC error");
    assert!(result.is_error, "{result:?}");
    assert!(result.text.contains("Unknown city"), "{}", result.text);
    client.close().unwrap();
}

/// SPEC transports#session-management 4: on 404 for our session id, a new session — checked
/// against the SDK's idea of a deleted session, not only ours.
#[test]
#[ignore = "needs Python with mcp==2.3.0; run by .ci/run"]
fn python_sdk_server_404_for_a_deleted_session_starts_a_new_one() {
    let server = PyServer::start();
    let mut client = McpClient::connect(&server.url(), era(EraChoice::Legacy)).unwrap();
    let first = client.session_id().unwrap().to_string();
    let deleted = crate::support::request(
        server.addr,
        "DELETE",
        &[
            ("Mcp-Session-Id", &first),
            ("MCP-Protocol-Version", "2025-11-25"),
        ],
        "",
    );
    assert!((200..300).contains(&deleted.status), "DELETE: {deleted:?}");
    let tools = client.list_tools().expect("retried in a new session");
    assert!(tools.iter().any(|t| t.name == "get_weather"));
    assert_ne!(client.session_id().unwrap(), first);
}
