//! The load generator's client: raw HTTP/1.1 over one `TcpStream` per virtual client.
//!
//! Why not ureq: the client shares the 2 cores with the server, so it must cost as little as
//! possible per request (one write, a few buffered reads, no allocation beyond the body) for the
//! numbers to describe servers rather than the client. It speaks only what the two servers send:
//! `Content-Length` or chunked bodies, keep-alive by default.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

pub const ACCEPT_SSE: &str = "application/json, text/event-stream";
pub const ACCEPT_JSON: &str = "application/json";
pub const VERSION: &str = "2025-11-25";

pub const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}"#;
pub const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
pub const TOOLS_LIST: &str = r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#;

/// A `tools/call get_weather` with a progress token, so that both servers do the progress work.
pub fn weather_call(id: u64) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"get_weather","arguments":{{"city":"Hangzhou"}},"_meta":{{"progressToken":"p{id}"}}}}}}"#
    )
}

/// The same call in revision 2026-07-28: no session; the version, the client and its capabilities
/// in `_meta`, the method and the tool's name in headers too ([`MODERN_HEADERS`]).
pub fn modern_weather_call(id: u64) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"get_weather","arguments":{{"city":"Hangzhou"}},"_meta":{{"progressToken":"p{id}","io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{{}},"io.modelcontextprotocol/clientInfo":{{"name":"bench","version":"0"}}}}}}}}"#
    )
}

/// The headers every 2026-07-28 `tools/call` of the benchmark carries.
pub const MODERN_HEADERS: &str =
    "MCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: get_weather\r\n";

/// One response as read off the socket. Chunk arrival times are kept for the progress test.
#[derive(Debug, Default)]
pub struct Response {
    pub status: u16,
    pub session_id: Option<String>,
    /// The body with chunk framing removed.
    pub body: Vec<u8>,
    /// The server will close the connection after this response.
    pub closes: bool,
    /// For chunked bodies: when each chunk had been read, and the body length after it.
    pub chunks: Vec<(Instant, usize)>,
}

impl Response {
    pub fn text(&self) -> &str {
        std::str::from_utf8(&self.body).unwrap_or("")
    }

    /// A `tools/call` that ran to the end: a successful result for Hangzhou.
    pub fn is_weather_result(&self) -> bool {
        self.status == 200 && self.text().contains("\"isError\":false")
    }
}

/// The virtual client's connection: kept alive between requests unless either side says
/// `Connection: close`, in which case the next request opens a new one, as HTTP clients do.
pub struct Conn {
    reader: BufReader<TcpStream>,
    addr: SocketAddr,
    timeout: Duration,
    /// The last response said `Connection: close`: reconnect before the next request.
    stale: bool,
    host: String,
    /// Sent with every request once `initialize` answered.
    pub session_id: Option<String>,
    /// Send `Connection: close`: one connection per request, which holds no tiny_http pool
    /// thread between requests.
    pub close: bool,
    /// Header lines (each ending in CRLF) sent with every request: [`MODERN_HEADERS`] for the
    /// 2026-07-28 runs, none otherwise.
    pub headers: &'static str,
    out: Vec<u8>,
}

impl Conn {
    /// Connect with `timeout` as the read timeout: a response that takes longer counts as a stall
    /// (an unserved connection) instead of hanging the benchmark.
    pub fn open(addr: SocketAddr, timeout: Duration) -> io::Result<Conn> {
        Ok(Conn {
            reader: BufReader::with_capacity(16 * 1024, connect(addr, timeout)?),
            addr,
            timeout,
            stale: false,
            host: addr.to_string(),
            session_id: None,
            close: false,
            headers: "",
            out: Vec::with_capacity(1024),
        })
    }

    /// Send one request (one write) and read its whole response.
    pub fn call(&mut self, method: &str, accept: &str, body: &str) -> io::Result<Response> {
        self.send(method, accept, body)?;
        self.read_response()
    }

    /// POST a JSON-RPC message.
    pub fn post(&mut self, accept: &str, body: &str) -> io::Result<Response> {
        self.call("POST", accept, body)
    }

    pub fn send(&mut self, method: &str, accept: &str, body: &str) -> io::Result<()> {
        if self.stale {
            self.reader = BufReader::with_capacity(16 * 1024, connect(self.addr, self.timeout)?);
            self.stale = false;
        }
        let out = &mut self.out;
        out.clear();
        write!(out, "{method} /mcp HTTP/1.1\r\nHost: {}\r\n", self.host)?;
        if self.close {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(self.headers.as_bytes());
        if let Some(sid) = &self.session_id {
            write!(
                out,
                "Mcp-Session-Id: {sid}\r\nMCP-Protocol-Version: {VERSION}\r\n"
            )?;
        }
        if method == "POST" {
            write!(
                out,
                "Content-Type: application/json\r\nAccept: {accept}\r\nContent-Length: {}\r\n",
                body.len()
            )?;
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(body.as_bytes());
        self.reader.get_mut().write_all(out)
    }

    /// Read one response: status line, headers, then a sized or chunked body.
    pub fn read_response(&mut self) -> io::Result<Response> {
        let mut line = String::new();
        let mut response = Response::default();
        self.line(&mut line)?;
        response.status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad(format!("bad status line {line:?}")))?;
        let (mut length, mut chunked) = (None, false);
        loop {
            self.line(&mut line)?;
            let Some((name, value)) = line.trim_end().split_once(':') else {
                break; // the empty line ends the head
            };
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.eq_ignore_ascii_case("chunked");
            } else if name.eq_ignore_ascii_case("mcp-session-id") {
                response.session_id = Some(value.to_string());
            } else if name.eq_ignore_ascii_case("connection") {
                response.closes = value.eq_ignore_ascii_case("close");
            }
        }
        if chunked {
            loop {
                self.line(&mut line)?;
                let size = usize::from_str_radix(line.trim(), 16)
                    .map_err(|_| bad(format!("bad chunk size {line:?}")))?;
                let start = response.body.len();
                response.body.resize(start + size + 2, 0);
                self.reader.read_exact(&mut response.body[start..])?;
                response.body.truncate(start + size); // drop the chunk's CRLF
                if size == 0 {
                    break;
                }
                response.chunks.push((Instant::now(), response.body.len()));
            }
        } else if let Some(n) = length {
            response.body.resize(n, 0);
            self.reader.read_exact(&mut response.body)?;
        } else if response.status >= 200 && response.status != 204 && response.status != 304 {
            self.reader.read_to_end(&mut response.body)?;
            response.closes = true;
        }
        self.stale = response.closes || self.close;
        Ok(response)
    }

    fn line(&mut self, line: &mut String) -> io::Result<()> {
        line.clear();
        if self.reader.read_line(line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        Ok(())
    }

    /// `initialize` then `notifications/initialized`: the session every virtual client works in.
    pub fn open_session(&mut self) -> io::Result<()> {
        self.session_id = None;
        let init = self.post(ACCEPT_SSE, INITIALIZE)?;
        if init.status != 200 || init.session_id.is_none() {
            return Err(bad(format!("initialize answered {}", init.status)));
        }
        self.session_id = init.session_id;
        let done = self.post(ACCEPT_SSE, INITIALIZED)?;
        if done.status != 202 {
            return Err(bad(format!("initialized answered {}", done.status)));
        }
        Ok(())
    }
}

fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, timeout)?;
    // Our own small requests must not wait for the server's delayed ACK either.
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    Ok(stream)
}

/// Did this error come from the read timeout, i.e. a server that never answered?
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn bad(why: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why)
}
