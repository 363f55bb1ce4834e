//! `weather-server`: the MCP server of this course, on `http://127.0.0.1:8000/mcp` by default.
//!
//! Chooses what the server serves (the weather app's catalog and page: the transport knows no app), reads
//! the command line (see `server/config.rs`), binds, prints where to find it, and serves until
//! killed. All protocol work is in the library.

use std::net::{IpAddr, SocketAddr};
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
    let allowed_origins = config.allowed_origins.clone();
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
    println!("{}", page_line(server.addr(), &allowed_origins));
    server.run();
    ExitCode::SUCCESS
}

/// Where to open the page, as a link a browser on this machine can use.
///
/// The page's calls carry `Origin: http://HOST:PORT`, the address in the browser's bar, and the
/// server lets in a loopback origin or one named with `--allow-origin`, no other. So the link for
/// a wildcard address (`0.0.0.0`, `::`) is the loopback one, which reaches the same socket; a
/// link to `0.0.0.0` would load the page and then get 403 for every call. For any other host
/// the line says which `--allow-origin` the page needs, unless it was given.
fn page_line(addr: SocketAddr, allowed_origins: &[String]) -> String {
    let (ip, port) = (addr.ip(), addr.port());
    let loopback = match ip {
        IpAddr::V6(_) if ip.is_unspecified() || ip.is_loopback() => Some(format!("[::1]:{port}")),
        _ if ip.is_unspecified() || ip.is_loopback() => Some(format!("127.0.0.1:{port}")),
        _ => None,
    };
    if let Some(local) = loopback {
        let mut line = format!("or open the page in a browser: http://{local}/?city=Hangzhou");
        if ip.is_unspecified() {
            line.push_str(
                " (from another machine the page needs --allow-origin http://NAME:PORT,                  the address in its browser's bar)",
            );
        }
        return line;
    }
    let origin = format!("http://{addr}");
    let mut line = format!("or open the page in a browser: {origin}/?city=Hangzhou");
    if !allowed_origins
        .iter()
        .any(|o| o.eq_ignore_ascii_case(&origin))
    {
        line.push_str(&format!(
            " (its calls get 403 unless the server is started with --allow-origin {origin})"
        ));
    }
    line
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_address_gets_a_loopback_page_link_and_another_host_the_origin_it_needs() {
        let any: SocketAddr = "0.0.0.0:8000".parse().unwrap();
        let line = page_line(any, &[]);
        assert!(
            line.starts_with("or open the page in a browser: http://127.0.0.1:8000/?city=Hangzhou"),
            "{line}"
        );
        assert!(line.contains("--allow-origin"), "{line}");
        let any6: SocketAddr = "[::]:8000".parse().unwrap();
        assert!(page_line(any6, &[]).contains("http://[::1]:8000/"));
        let local: SocketAddr = "127.0.0.1:8000".parse().unwrap();
        assert_eq!(
            page_line(local, &[]),
            "or open the page in a browser: http://127.0.0.1:8000/?city=Hangzhou"
        );
        let lan: SocketAddr = "192.168.1.5:8000".parse().unwrap();
        assert!(page_line(lan, &[])
            .ends_with("(its calls get 403 unless the server is started with --allow-origin http://192.168.1.5:8000)"));
        let allowed = ["http://192.168.1.5:8000".to_string()];
        assert_eq!(
            page_line(lan, &allowed),
            "or open the page in a browser: http://192.168.1.5:8000/?city=Hangzhou"
        );
    }
}
