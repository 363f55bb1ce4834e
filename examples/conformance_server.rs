//! `conformance_server`: our library serving the fixture set of the official MCP conformance suite.
//!
//! ```text
//! cargo run --example conformance_server -- --port 0
//! conformance server --url http://127.0.0.1:PORT/mcp      # @modelcontextprotocol/conformance 0.1.16
//! ```
//! Takes the weather server's flags (see `config.rs`) and serves, instead of the weather tools,
//! the catalog in `conformance/mod.rs`: the tools, resources and prompts the suite calls by name.
//! `tests/interop/conformance_example.sh` runs the suite against it; the first line printed is
//! `conformance-server listening on http://HOST:PORT/mcp`, which that script reads.

#[path = "conformance/mod.rs"]
mod conformance;

use std::process::ExitCode;
use streamable_mcp::server::config::from_command_line;
use streamable_mcp::server::socket::Server;

fn main() -> ExitCode {
    let mut config = match from_command_line(&conformance::CONFORMANCE) {
        Ok(config) => config,
        Err(code) => return code,
    };
    // What differs from the weather server: what is offered, and replies framed as SSE, as the
    // official SDKs frame them (the suite's server-sse-multiple-streams check counts SSE answers).
    config.sse_replies = true;
    let server = match Server::bind(config) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: cannot listen: {e}");
            return ExitCode::from(1);
        }
    };
    // Rust's stdout is line-buffered, so this line reaches a script reading a pipe at once.
    println!(
        "conformance-server listening on http://{}/mcp",
        server.addr()
    );
    server.run();
    ExitCode::SUCCESS
}
