//! What tiny_http 0.12 gets wrong for a streaming server, worked around from our side.
//!
//! Implements nothing of MCP; every item here is a SHARP EDGE of the HTTP library, measured (see
//! `docs/reliability.md`) and pinned by a test.
//! Kept in one file so that the socket side (`socket.rs`) reads as plain wiring, and so that a
//! student who moves to another HTTP library knows exactly what to delete.
//!
//! | what tiny_http does | what we do | pinned by |
//! |---|---|---|
//! | never sets `TCP_NODELAY`: back-to-back events wait 40 ms for a delayed ACK | set it on the listening socket, which accepted sockets inherit on Linux | `tests/wire/http.rs` |
//! | never sets a write timeout: a client that stops reading pins a thread | a 10 s write timeout, inherited the same way | `tests/hostile/clients.rs` |
//! | never sets a read timeout: a promised body that never comes pins the thread that waits for it | `--read-timeout-secs` (10 s), inherited the same way; the watchdog's knocks keep `accept`, which the timeout bounds too, from timing out | `tests/hostile/exhaustion.rs` |
//! | its accept thread ends at the first accept error (EMFILE), for good | listen again on the same address | `tests/hostile/crash.rs` |
//! | its accept thread panics when out of file descriptors; `incoming_requests` waits forever | a watchdog knocks on our port and restarts the loop | `tests/hostile/crash.rs` |
//! | drains an unread body *before* `into_writer` returns, and into `vec![0; remaining]` | answer first through `respond`; never drop a request declaring > 64 MiB | `tests/hostile/crash.rs` |
//! | its pool can leave a new connection queued with no thread while keep-alive connections hold theirs | with keep-alive, knocks on our own port free it (`unstick.rs`) | `tests/hostile/exhaustion.rs` |
//! | a server whose accept thread died still queues its old connections' requests | drain its queue ([`Listener::drain`]) | `tests/hostile/crash.rs` |
//!
//! Left out: slowloris connections that send a byte just inside every read timeout (the timeout
//! is per read; a deadline for the whole head would need tiny_http's parser), and closing a
//! connection we answered `Connection: close` on (tiny_http decides from the request alone).
//! The pool race and the first are fixed upstream in unreleased code; a production server would
//! use another library.

use crate::server::locks::{lock, wait};
use crate::server::response::Whole;
use crate::server::unstick::Unsticker;
use crate::wire::knock_path;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// A socket write that has not finished after this long fails, so a client that stops reading
/// cannot pin a thread forever.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the watchdog checks that the listener still accepts connections.
const LISTENER_CHECK: Duration = Duration::from_secs(2);
/// How long the watchdog's knock may wait for its answer (a 404) before the listener counts as
/// dead. Every request has a thread of its own, so only a machine out of breath is this slow.
const KNOCK_ANSWER: Duration = Duration::from_secs(3);
/// How often a draining old server (see [`Listener::drain`]) checks for a shutdown.
const DRAIN_POLL: Duration = Duration::from_millis(100);
/// Above this declared `Content-Length`, an unread body cannot be dropped safely; see
/// [`respond_before_unread_body`].
const MAX_DRAINABLE_BODY: usize = 64 * 1024 * 1024;

/// tiny_http's server, listening again whenever its accept thread dies.
pub struct Listener {
    /// The listening socket, held for the life of the server: tiny_http gets a clone of it, so
    /// when its accept thread dies and closes that clone, the port stays ours (see `serve`).
    socket: TcpListener,
    addr: SocketAddr,
    read_timeout: Duration,
    /// With keep-alive, the knocks that free a connection tiny_http's pool left stalled.
    unsticker: Option<Unsticker>,
    /// Replaced when the accept thread dies (see [`Listener::serve`]).
    http: Mutex<Arc<tiny_http::Server>>,
    /// Set by [`Listener::shutdown`]; the condvar wakes the watchdog at once.
    stopping: Mutex<bool>,
    stopped: Condvar,
}

impl Listener {
    /// Listen on `host:port` (port 0: any free port).
    ///
    /// # Errors
    /// The address cannot be parsed or bound.
    pub fn bind(
        host: &str,
        port: u16,
        read_timeout: Duration,
        keep_alive: bool,
    ) -> io::Result<Listener> {
        let socket = bind_socket(host, port, read_timeout)?;
        let addr = socket.local_addr()?;
        let http = from_socket(socket.try_clone()?)?;
        Ok(Listener {
            socket,
            addr,
            read_timeout,
            unsticker: keep_alive.then(|| Unsticker::new(addr)),
            http: Mutex::new(Arc::new(http)),
            stopping: Mutex::new(false),
            stopped: Condvar::new(),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Give every request to `each` until [`Listener::shutdown`]; blocks.
    pub fn serve(&self, each: impl Fn(tiny_http::Request) + Sync) {
        let each = &each;
        thread::scope(|scope| {
            scope.spawn(|| self.watch());
            if let Some(unsticker) = &self.unsticker {
                scope.spawn(|| unsticker.run());
            }
            // Checked before serving too: a shutdown during a re-listen must not start a new server.
            while !self.is_stopping() {
                let http = self.current();
                for request in http.incoming_requests() {
                    // The watchdog's knock is no client's: it must not start the knocking.
                    match &self.unsticker {
                        Some(u) if request.url() != knock_path() => {
                            u.saw_request_from(request.remote_addr())
                        }
                        _ => {}
                    }
                    each(request);
                }
                // Requests queued behind the end (the watchdog may have unblocked a listener
                // that still accepts): served, not dropped, which would answer them a bare 500.
                while let Ok(Some(request)) = http.try_recv() {
                    each(request);
                }
                if self.is_stopping() {
                    return;
                }
                // The old server's pool still reads the connections it had accepted: kept-alive
                // ones go on sending requests into its queue.
                scope.spawn(move || self.drain(&http, each));
                // SHARP EDGE: the accept thread ended at an accept error (EMFILE, say), and
                // `incoming_requests` with it. Serve the same socket again after a pause. Binding
                // a new one instead would leave the port free in between: out of descriptors, we
                // then met EADDRINUSE, and another local process that took the port received our
                // clients' requests, `Authorization` headers included.
                eprintln!(
                    "warning: the listener on {} failed; listening again in 1 s",
                    self.addr
                );
                thread::sleep(Duration::from_secs(1));
                // tiny_http's constructor spawns its accept thread with `thread::spawn`, which
                // panics when no thread can be had: caught, it is one more "not yet".
                let again =
                    std::panic::catch_unwind(|| self.socket.try_clone().and_then(from_socket));
                let again = again
                    .unwrap_or_else(|_| Err(io::Error::other("no thread for the accept loop")));
                match again {
                    Ok(http) => *lock(&self.http) = Arc::new(http),
                    Err(e) => eprintln!("warning: cannot listen again yet: {e}"),
                }
            }
        });
    }

    /// SHARP EDGE: a tiny_http server whose accept thread died still reads the connections it
    /// had accepted, and queues their requests. Dropped, it would answer each a bare 500 (a
    /// kept-alive client lost its next call after every re-listen), so a thread goes on serving
    /// its queue until it has been silent for the read timeout: by then every connection it had
    /// was closed by that timeout (or by its client).
    fn drain(&self, old: &tiny_http::Server, each: &(impl Fn(tiny_http::Request) + Sync)) {
        let mut last = Instant::now();
        while !self.is_stopping() && last.elapsed() < self.read_timeout {
            if let Ok(Some(request)) = old.recv_timeout(DRAIN_POLL) {
                each(request);
                last = Instant::now();
            }
        }
    }

    /// Make [`Listener::serve`] return.
    pub fn shutdown(&self) {
        if let Some(unsticker) = &self.unsticker {
            unsticker.stop();
        }
        *lock(&self.stopping) = true;
        self.stopped.notify_all();
        self.current().unblock();
    }

    /// SHARP EDGE: when the accept thread panics (it unwraps `try_clone()`, which fails when the
    /// process is out of file descriptors), `incoming_requests` waits forever. Every couple of
    /// seconds we knock on our own port with a small request; no answer within `KNOCK_ANSWER`
    /// means nobody accepts any more (the socket itself is still ours, so the connection was
    /// taken into its backlog and left there), and unblocking makes `serve` listen again.
    fn watch(&self) {
        loop {
            let stopping = lock(&self.stopping);
            // Checked before waiting too: a shutdown that came first must not be slept through.
            // (A spurious wake-up only makes the next knock come early.)
            let stopping = match *stopping {
                true => stopping,
                false => wait(&self.stopped, stopping, self.knock_every()),
            };
            if *stopping {
                return;
            }
            drop(stopping);
            if !self.answers_a_knock() {
                self.current().unblock();
            }
        }
    }

    /// SHARP EDGE: the read timeout (see [`bind_socket`]) also bounds `accept` on the listening
    /// socket, and tiny_http's accept thread ends at the first timed-out `accept`: a server with
    /// no connection for `read_timeout` would stop listening. The knocks are connections too, so
    /// knocking four times per read timeout keeps `accept` from ever waiting that long.
    fn knock_every(&self) -> Duration {
        LISTENER_CHECK.min(self.read_timeout / 4)
    }

    /// Does anyone answer a request on our port? Out of descriptors we cannot even knock (the
    /// connect fails): that says nothing about the listener, so it counts as an answer.
    fn answers_a_knock(&self) -> bool {
        let Ok(mut knock) = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1)) else {
            return true;
        };
        let request = format!(
            "GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            knock_path()
        );
        let mut first = [0u8; 1];
        knock.set_read_timeout(Some(KNOCK_ANSWER)).is_ok()
            && knock.write_all(request.as_bytes()).is_ok()
            && knock.read(&mut first).is_ok_and(|n| n == 1)
    }

    fn is_stopping(&self) -> bool {
        *lock(&self.stopping)
    }

    fn current(&self) -> Arc<tiny_http::Server> {
        Arc::clone(&lock(&self.http))
    }
}

/// The listening socket, with the three options tiny_http never sets. Linux copies a listening
/// socket's options onto every socket it accepts, the only way to reach sockets tiny_http
/// accepts itself.
fn bind_socket(host: &str, port: u16, read_timeout: Duration) -> io::Result<TcpListener> {
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
    // SHARP EDGE: tiny_http reads with no timeout: the next request's head, a body, and the rest
    // of a body it throws away when a request is dropped or answered unread. A client that
    // promises bytes and never sends them held that thread for good, and with it whatever waited
    // on it (the accept loop, an in-flight slot). With this, every such read fails after
    // `read_timeout` of silence, and tiny_http closes the connection.
    socket.set_read_timeout(Some(read_timeout))?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

fn from_socket(socket: TcpListener) -> io::Result<tiny_http::Server> {
    tiny_http::Server::from_listener(socket, None).map_err(io::Error::other)
}

/// Answer a request whose declared body was never read (a refusal before the body, or one too
/// large to read) through tiny_http's own `respond`.
///
/// # Why not our one write path?
/// SHARP EDGE: `into_writer` drops the request's body reader, and dropping it reads the rest of the
/// body, so the response would leave only once the whole body has arrived. A client waiting for our
/// response before it sends its body (`Expect: 100-continue`, or one that never sends) would wait
/// forever. `respond` writes first and drains after. What it costs: tiny_http writes the head
/// itself (its own `Server` and `Date` lines, and no `Connection` header of ours).
// ANCHOR: respond_before_unread_body
pub fn respond_before_unread_body(request: tiny_http::Request, response: &Whole) {
    if request
        .body_length()
        .is_some_and(|n| n > MAX_DRAINABLE_BODY)
    {
        // SHARP EDGE (upstream issue #252, fix in PR #290, unreleased): the drain allocates
        // `vec![0; remaining]`; for a declared length of 1 TB that fails and aborts the whole
        // process. We cannot reach the reader to stop it, so we never drop such a request: it is
        // leaked (its connection stays open, without an answer, until the client gives up). A
        // leak per hostile request beats a dead server.
        std::mem::forget(request);
        return;
    }
    let mut tiny =
        tiny_http::Response::from_data(response.body.clone()).with_status_code(response.status);
    let content_type = response
        .content_type
        .into_iter()
        .map(|ct| ("Content-Type", ct.to_string()));
    for (name, value) in content_type.chain(response.headers.iter().cloned()) {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            tiny.add_header(h);
        }
    }
    // An error means the client left; there is nobody to tell.
    let _ = request.respond(tiny);
}
// ANCHOR_END: respond_before_unread_body
