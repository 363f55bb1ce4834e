//! `weather-server`: the MCP server of this course, on `http://127.0.0.1:8000/mcp` by default.
//!
//! Chooses what the server serves (the weather app's catalog: the transport knows no app), reads
//! the command line (see `server/config.rs`), binds, prints where to find it, and serves until
//! killed. All protocol work is in the library.

use std::process::ExitCode;
use streamable_mcp::server::config::from_command_line;
use streamable_mcp::server::security::is_loopback_host;
use streamable_mcp::server::socket::Server;
use streamable_mcp::weather;

fn main() -> ExitCode {
    let config = match from_command_line(&weather::CATALOG) {
        Ok(config) => config,
        Err(code) => return code,
    };
    // SPEC transports#security-warning: "When running locally, servers SHOULD bind only to localhost (127.0.0.1) rather than all network interfaces (0.0.0.0)"
    if !is_loopback_host(&config.host) {
        eprintln!(
            "warning: listening on {} exposes this server beyond this machine; it has no TLS and, \
             unless --auth-token is set, no authentication",
            config.host
        );
    }
    let stateless = config.stateless;
    let server = match Server::bind(config) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: cannot listen: {e}");
            return ExitCode::from(1);
        }
    };
    let url = format!("http://{}/mcp", server.addr());
    println!(
        "weather-server listening on {url}{}",
        if stateless { " (stateless)" } else { "" }
    );
    println!("try it:");
    println!(
        "  curl -N {url} -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\\n    \
         -d '{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{{}},\"clientInfo\":{{\"name\":\"curl\",\"version\":\"0\"}}}}}}' -i"
    );
    server.run();
    ExitCode::SUCCESS
}
