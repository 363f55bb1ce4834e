//! `weather-server`: the MCP server of this course, on `http://127.0.0.1:8000/mcp` by default.
//!
//! Chooses what the server serves (the weather app's catalog and page: the transport knows no app), reads
//! the command line (see `server/config.rs`), binds, prints where to find it, and serves until
//! killed. All protocol work is in the library.

use std::process::ExitCode;
use streamable_mcp::server::config::from_command_line;
use streamable_mcp::server::home_page::HomePage;
use streamable_mcp::server::security::is_loopback_host;
use streamable_mcp::server::socket::Server;
use streamable_mcp::weather;

fn main() -> ExitCode {
    let mut config = match from_command_line(&weather::CATALOG) {
        Ok(config) => config,
        Err(code) => return code,
    };
    // The app's page at `/`: a browser that opens it calls get_weather at /mcp itself.
    config.home_page = Some(HomePage::new(weather::page::html()));
    // SPEC transports#security-warning: "When running locally, servers SHOULD bind only to localhost (127.0.0.1) rather than all network interfaces (0.0.0.0)"
    if !is_loopback_host(&config.host) {
        eprintln!(
            "warning: listening on {} exposes this server beyond this machine; it has no TLS and, \
             unless --auth-token is set, no authentication",
            config.host
        );
    }
    let stateless = config.stateless;
    let drop_stream_after = config.drop_stream_after;
    let wanted = listen_address(&config.host, config.port);
    let server = match Server::bind(config) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: {}", cannot_listen(&wanted, &e));
            return ExitCode::from(1);
        }
    };
    let url = format!("http://{}/mcp", server.addr());
    println!(
        "weather-server listening on {url}{}",
        if stateless { " (stateless)" } else { "" }
    );
    // A student who forgot the flag would otherwise take the cut streams for a bug.
    if let Some(n) = drop_stream_after {
        println!(
            "--drop-stream-after {n}: every 2025-11-25 streamed response ends after {n} events, like a \
             flaky network (a teaching device: a session's SSE streams resume with GET and \
             Last-Event-ID; other streams lose the rest)"
        );
    }
    println!("try it:");
    println!(
        "  curl -N {url} -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\\n    \
         -d '{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{{}},\"clientInfo\":{{\"name\":\"curl\",\"version\":\"0\"}}}}}}' -i"
    );
    println!(
        "or open the page in a browser: http://{}/?city=Hangzhou",
        server.addr()
    );
    server.run();
    ExitCode::SUCCESS
}

/// `host:port` as a student would type it into curl (an IPv6 host in brackets).
fn listen_address(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

/// Why the server could not start, naming the address. The OS's own text ("Address already in
/// use (os error 98)") names neither the address nor a way out; the commonest cause here is a
/// server from an earlier lesson still running in another terminal.
fn cannot_listen(address: &str, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::AddrInUse {
        format!(
            "cannot listen on {address}: address already in use \
             (is another weather-server running? --port 0 picks a free port)"
        )
    } else {
        format!("cannot listen on {address}: {e}")
    }
}
