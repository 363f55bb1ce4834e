//! The client's HTTP side, and the only file in the crate that touches ureq.
//!
//! Implements the HTTP mechanics of MCP 2025-11-25 `basic/transports` §Streamable HTTP for a
//! client: every message is a POST to the one MCP endpoint, a cut stream is resumed with a GET to
//! it, a session ends with a DELETE. A response comes back as its status, its framing (read from
//! `Content-Type`), its `MCP-Session-Id`, and a body that can be read line by line *as it
//! arrives*. Which headers to send and what a response means is decided in `channel.rs`.
//!
//! Left out: TLS (ureq is built without it; the course's servers are on loopback), proxies, and
//! cookies. Proxies are left out on purpose, not by default: ureq 3 reads `ALL_PROXY`,
//! `HTTPS_PROXY` and `HTTP_PROXY` on its own, so both agents below say `.proxy(None)`.
//!
//! # Why a second endpoint type, for something that is not MCP?
//! `mcp-client chat` also talks to a language model's chat-completions endpoint (OpenAI's wire
//! format, not MCP). That is one more HTTP client, and keeping every ureq call in this one file
//! keeps ureq's sharp edges in one place too. So [`JsonEndpoint`] is here: "POST this JSON, give
//! me the status and the whole body", nothing more. What the JSON means is `src/chat/`'s.
//!
//! # Why ureq and blocking I/O?
//! A call is "send one request, read one stream until its response". That is a loop over
//! `read_line`, and a blocking client shows it as one. An async client would hide the same loop in
//! a state machine. ureq is small, blocking, and gives the body as a plain `impl Read`.

use super::{ClientError, Options};
use crate::framing::Framing;
use crate::wire::{HEADER_SESSION_ID, MIME_JSON, MIME_NDJSON, MIME_SSE};
use std::io::{self, BufRead, BufReader, Read};
use std::time::Duration;
use ureq::http::Response;
use ureq::{Agent, Body, BodyReader, RequestBuilder, Timeout};

/// A response, with the parts the rules look at copied out of ureq's types.
pub struct HttpResponse {
    pub status: u16,
    /// How the body is framed, by its `Content-Type`; `None` when that names none of the three.
    pub framing: Option<Framing>,
    /// The raw `Content-Type` header, for error messages.
    pub content_type: Option<String>,
    pub session_id: Option<String>,
    /// The body, to be read as it arrives. A `dyn BufRead`, so that `reader.rs` reads "some
    /// lines" and unit tests can hand it a string: naming ureq's type would tie it to ureq.
    pub body: Box<dyn BufRead + Send>,
}

/// The headers of a request, as `channel.rs` decides them.
pub type Headers = [(String, String)];

/// An HTTP client for one MCP endpoint.
pub struct Transport {
    agent: Agent,
    url: String,
}

impl Transport {
    pub fn new(url: &str, options: &Options) -> Transport {
        let config = Agent::config_builder()
            // SHARP EDGE: ureq's default `http_status_as_error(true)` turns every 4xx/5xx into
            // `Err(Error::StatusCode(404))` and drops the body, and with it the JSON-RPC error the
            // server wrote there. We need both the status (404 = session gone) and the body.
            .http_status_as_error(false)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_recv_response(Some(options.response_timeout))
            // SHARP EDGE: `timeout_global`, `timeout_per_call` and `timeout_recv_body` are *total*
            // budgets that keep running while we read the body: a stream that is healthy but long
            // would be cut. `timeout_per_read` restarts at every read, so it measures silence.
            .timeout_per_read(Some(options.stall_timeout))
            // A redirected POST would be re-sent (or turned into a GET) behind our back; an MCP
            // endpoint has no reason to redirect, so a 3xx is reported instead of followed.
            .max_redirects(0)
            // SHARP EDGE: ureq's default is `Proxy::try_from_env()`. With `HTTP_PROXY` set (a
            // campus network, a corporate laptop), even a call to 127.0.0.1 would go through the
            // proxy, which cannot reach this machine's loopback. A production client would honour
            // the proxy and `NO_PROXY`; the course's servers are local, so none is used.
            .proxy(None)
            .user_agent(concat!("streamable-mcp-client/", env!("CARGO_PKG_VERSION")))
            .build();
        let (agent, url) = (config.into(), url.to_string());
        Transport { agent, url }
    }

    /// POST one JSON-RPC message. Like `get` and `delete`, it fails only when no response came; an
    /// HTTP error status is an `Ok` response.
    pub fn post(&self, headers: &Headers, json: &[u8]) -> Result<HttpResponse, ClientError> {
        let request = self.agent.post(self.url.as_str()).content_type(MIME_JSON);
        // `send(&[u8])` sets Content-Length; our server answers a body without one with 411.
        response_of(with_headers(request, headers).send(json))
    }

    /// GET the endpoint: with `Last-Event-ID` among `headers`, that resumes a cut stream.
    pub fn get(&self, headers: &Headers) -> Result<HttpResponse, ClientError> {
        response_of(with_headers(self.agent.get(self.url.as_str()), headers).call())
    }

    /// DELETE the session named in `headers`.
    pub fn delete(&self, headers: &Headers) -> Result<HttpResponse, ClientError> {
        response_of(with_headers(self.agent.delete(self.url.as_str()), headers).call())
    }
}

/// A plain JSON-over-HTTP endpoint that is not MCP: a language model's chat completions.
///
/// One request, one whole answer: no framing, no session, no stream. A production chat client
/// would stream the model's tokens (`"stream": true`, SSE); this one waits for the whole answer,
/// which is why its timeouts are long.
pub struct JsonEndpoint {
    agent: Agent,
    url: String,
}

/// A [`JsonEndpoint`]'s answer: its status and its body, read whole (at most 10 MB, ureq's cap).
pub struct PlainResponse {
    pub status: u16,
    pub body: String,
}

impl JsonEndpoint {
    /// An endpoint at `url`. `silence` is the longest the endpoint may send nothing: from the
    /// end of the request until the status line (a model answers only when it has written the
    /// whole reply, which on a laptop can take minutes), and again between two reads of the body.
    ///
    /// Why the second one: without it, a server that sent its headers and then stalled (a model
    /// that hung, a proxy that lost its upstream) would keep us reading forever, because a
    /// response-header timeout ends with the headers. `timeout_per_read` restarts at each read,
    /// so it measures silence; ureq applies it to the headers' reads too, which is why the one
    /// value serves for both. The alternative, `timeout_recv_body`, is a budget for the whole
    /// body: right for a body read whole, but wrong if this ever streams.
    pub fn new(url: &str, connect_timeout: Duration, silence: Duration) -> JsonEndpoint {
        let config = Agent::config_builder()
            // The same SHARP EDGE as `Transport::new`: a 401 or 500 carries the reason in its body.
            .http_status_as_error(false)
            .timeout_connect(Some(connect_timeout))
            .timeout_recv_response(Some(silence))
            .timeout_per_read(Some(silence))
            .max_redirects(0)
            // The same SHARP EDGE as `Transport::new`: no proxy from the environment.
            .proxy(None)
            .user_agent(concat!("streamable-mcp-client/", env!("CARGO_PKG_VERSION")))
            .build();
        let (agent, url) = (config.into(), url.to_string());
        JsonEndpoint { agent, url }
    }

    /// POST `json` with `headers`; any status is an `Ok` answer, only "no answer" is an error.
    pub fn post(&self, headers: &Headers, json: &[u8]) -> Result<PlainResponse, ClientError> {
        let request = self.agent.post(self.url.as_str()).content_type(MIME_JSON);
        let response = with_headers(request, headers)
            .send(json)
            .map_err(from_ureq)?;
        let status = response.status().as_u16();
        let body = response.into_body().read_to_string().map_err(from_ureq)?;
        Ok(PlainResponse { status, body })
    }
}

fn with_headers<B>(mut request: RequestBuilder<B>, headers: &Headers) -> RequestBuilder<B> {
    for (name, value) in headers {
        // SHARP EDGE: ureq adds `Accept: */*` on its own; setting the header replaces it.
        request = request.header(name.as_str(), value.as_str());
    }
    request
}

fn response_of(result: Result<Response<Body>, ureq::Error>) -> Result<HttpResponse, ClientError> {
    let response = result.map_err(from_ureq)?;
    let header = |name: &str| Some(response.headers().get(name)?.to_str().ok()?.to_string());
    let (content_type, session_id) = (header("content-type"), header(HEADER_SESSION_ID));
    let framing = content_type.as_deref().and_then(framing_of);
    let status = response.status().as_u16();
    // `into_reader` has no size limit (unlike `read_to_string`'s 10 MB); `reader.rs` caps each
    // message itself, because a stream as a whole may rightly be long.
    let body = StallsAsTimedOut(response.into_body().into_reader());
    let body = Box::new(BufReader::new(body));
    Ok(HttpResponse {
        status,
        framing,
        content_type,
        session_id,
        body,
    })
}

/// The framing a `Content-Type` names, ignoring parameters (`; charset=utf-8`) and case.
fn framing_of(content_type: &str) -> Option<Framing> {
    let media = content_type.split(';').next()?.trim().to_ascii_lowercase();
    match media.as_str() {
        MIME_JSON => Some(Framing::Json),
        MIME_SSE => Some(Framing::Sse),
        MIME_NDJSON => Some(Framing::Ndjson), // not MCP: the tutorial's framing
        _ => None,
    }
}

/// Name a failure to get a response at all.
fn from_ureq(e: ureq::Error) -> ClientError {
    use io::ErrorKind::{AddrNotAvailable, ConnectionRefused, NotConnected};
    match e {
        ureq::Error::Timeout(which) => ClientError::Timeout(describe(which)),
        ureq::Error::BadUri(uri) => ClientError::Connect(format!("bad URL {uri}")),
        ureq::Error::HostNotFound => ClientError::Connect("host not found".into()),
        ureq::Error::ConnectionFailed => ClientError::Connect("connection failed".into()),
        ureq::Error::TlsRequired => ClientError::Connect(
            "https:// needs TLS, which this client is built without; use an http:// URL".into(),
        ),
        ureq::Error::Io(io) => match io.kind() {
            ConnectionRefused | AddrNotAvailable | NotConnected => {
                ClientError::Connect(io.to_string())
            }
            _ => ClientError::Io(io.to_string()),
        },
        ureq::Error::Http(e) => ClientError::Protocol(format!("cannot build the request: {e}")),
        other => ClientError::Io(other.to_string()),
    }
}

fn describe(which: Timeout) -> String {
    match which {
        Timeout::Connect | Timeout::Resolve => "connecting to the server".into(),
        Timeout::RecvResponse => "waiting for the response headers".into(),
        Timeout::PerRead => "no data within the per-read (stall) timeout".into(),
        other => format!("ureq timeout \"{other}\""),
    }
}

/// The body reader, with ureq's timeouts made visible to code that only knows `std::io`.
///
/// SHARP EDGE: a stall inside the body comes out of ureq's reader as an `io::Error` of kind
/// `Other` that wraps `ureq::Error::Timeout(PerRead)`; only `ureq::Error::from(io_error)` gets it
/// back. We unwrap it here, once, into `io::ErrorKind::TimedOut`, so `reader.rs` can tell "the
/// server went quiet" from "the connection broke" (`UnexpectedEof`) without knowing ureq.
struct StallsAsTimedOut(BodyReader<'static>);

impl Read for StallsAsTimedOut {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| match ureq::Error::from(e) {
            ureq::Error::Timeout(which) => io::Error::new(io::ErrorKind::TimedOut, describe(which)),
            ureq::Error::Io(io) => io,
            other => io::Error::other(other),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_answers_are_framed_by_their_content_type() {
        assert_eq!(framing_of("application/json"), Some(Framing::Json));
        assert_eq!(
            framing_of("Text/Event-Stream; charset=utf-8"),
            Some(Framing::Sse)
        );
        assert_eq!(framing_of("application/x-ndjson"), Some(Framing::Ndjson));
        assert_eq!(framing_of("text/html"), None);
    }
}
