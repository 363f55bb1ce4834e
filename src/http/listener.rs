//! The listening socket, with the two options tiny_http never sets.
//!
//! Implements nothing of MCP: it is the TCP underneath. tiny_http accepts connections itself and
//! never shows us the accepted sockets, but Linux copies a listening socket's options onto every
//! socket it accepts, so options set here reach every connection.

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::time::Duration;

/// A socket write that has not finished after this long fails, so a client that stops reading
/// cannot pin a thread forever (tiny_http sets no timeouts of its own).
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Bind the listening socket with the two options tiny_http never sets. Linux copies both onto
/// every accepted connection, which is the only way to reach sockets tiny_http accepts itself.
pub fn listen(host: &str, port: u16) -> io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let addr: SocketAddr = format!("{host}:{port}")
        .parse()
        .or_else(|_| format!("[{host}]:{port}").parse())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, format!("bad host {host:?}")))?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    // SHARP EDGE: without TCP_NODELAY, a small write that follows another within ~40 ms waits for
    // the client's delayed ACK (Nagle's algorithm): back-to-back events would arrive 40 ms late.
    socket.set_tcp_nodelay(true)?;
    socket.set_write_timeout(Some(WRITE_TIMEOUT))?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}
