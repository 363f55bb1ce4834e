//! A workaround for tiny_http 0.12's thread-pool race, which keep-alive (our default) exposes:
//! knocks on our own port that free a connection the pool left queued with no thread.
//!
//! Implements nothing of MCP or HTTP; it is a SHARP EDGE of the HTTP library, like everything in
//! `tiny_http_fixes.rs`, which owns the one [`Unsticker`] of a listener. Its own file because it
//! is one idea with its own state, and the first thing to delete when tiny_http's fix is released.
//!
//! # The race
//! tiny_http gives each connection to a task of its thread pool (`util/task_pool.rs`). A thread it
//! has just woken still counts as idle until it runs, so a second connection that comes in that
//! moment is queued for it too, and waits until *some* task of the pool ends. With
//! `Connection: close` every task ends after one request, so that is soon; with keep-alive a task
//! lasts as long as its connection, and a connection of a burst waited seconds (until the
//! watchdog's knock, or an idle client leaving). Measured: the conformance suite's three
//! concurrent POSTs stalled 1.7 s in 3 runs of 8.
//!
//! # The knock
//! A connection opened and closed at once is a task that reads end-of-stream and ends; the thread
//! that ran it takes the next queued connection. (Or, when a woken thread was idle, that one takes
//! the queue's first.) Either way one stalled connection is served per knock. So, for a second
//! after a request comes on a connection we have not seen lately (a new connection: where a burst
//! is), we knock every [`KNOCK_EVERY`], one knock at a time. The n-th stalled connection of a
//! burst therefore waits about n × 10 ms.
//!
//! Why not always: each knock wakes an idle pool thread and restarts its 5 s idle timer, so
//! knocking for ever kept every pool thread of a past peak alive. Why not after every request:
//! steady traffic on kept connections would do the same.
//!
//! Left out: knowing for sure that a connection is stalled (tiny_http shows us no accepted socket
//! before its request). A stalled connection that comes alone, beside no new connection that
//! sends a request, waits for the watchdog's knock (every 2 s). A production server would use an
//! HTTP library without the race (upstream's fix is one line in `task_pool.rs`, unreleased).

use crate::server::locks::{lock, wait};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// How often we knock while a new connection came lately: what each stalled connection waits.
const KNOCK_EVERY: Duration = Duration::from_millis(10);
/// How long tiny_http may take to close a knock before we count it as missed.
const ANSWER: Duration = Duration::from_millis(100);
/// Missed knocks in a row (the machine is overloaded, the listener is dead, we are out of
/// descriptors) before the knocking pauses for [`BACK_OFF`]. Without a pause, knocks piled up in
/// the pool's queue at two descriptors each, and a server out of descriptors could not recover.
/// Not after one miss: a knock can itself be caught by the race.
const MISSES: u32 = 3;
const BACK_OFF: Duration = Duration::from_secs(1);
/// Knocks go on this long after the last new connection.
const KNOCK_WHILE: Duration = Duration::from_secs(1);
/// How often a quiet server checks whether a new connection came.
const QUIET: Duration = Duration::from_millis(100);
/// A peer address not seen for this long counts as a new connection again.
const FORGET_PEERS: Duration = Duration::from_secs(10);

/// The knocking of one listener.
pub struct Unsticker {
    addr: SocketAddr,
    started: Instant,
    /// When a request last came on a connection not seen lately, in ms after `started`.
    last_new_ms: AtomicU64,
    /// The peers (client address and port: one per connection) seen since `.0`.
    peers: Mutex<(Instant, HashSet<SocketAddr>)>,
    stopping: Mutex<bool>,
    stopped: Condvar,
}

impl Unsticker {
    /// The knocking for a listener on `addr`; it starts with [`Unsticker::run`].
    pub fn new(addr: SocketAddr) -> Unsticker {
        Unsticker {
            addr,
            started: Instant::now(),
            last_new_ms: AtomicU64::new(0),
            peers: Mutex::new((Instant::now(), HashSet::new())),
            stopping: Mutex::new(false),
            stopped: Condvar::new(),
        }
    }

    /// A client's request came from `peer`: if that is a connection we have not seen lately, a
    /// burst may have left one stalled beside it, and the knocking goes on.
    pub fn saw_request_from(&self, peer: Option<&SocketAddr>) {
        let Some(peer) = peer else { return };
        let mut peers = lock(&self.peers);
        if peers.0.elapsed() > FORGET_PEERS {
            *peers = (Instant::now(), HashSet::new());
        }
        if peers.1.insert(*peer) {
            let now = self.started.elapsed().as_millis() as u64;
            self.last_new_ms.store(now, Ordering::Relaxed);
        }
    }

    /// Knock while new connections come, until [`Unsticker::stop`]; blocks.
    pub fn run(&self) {
        let (mut pause, mut missed) = (QUIET, 0);
        loop {
            let stopping = lock(&self.stopping);
            let stopping = match *stopping {
                true => stopping,
                false => wait(&self.stopped, stopping, pause),
            };
            if *stopping {
                return;
            }
            drop(stopping);
            if !self.new_connections_came() {
                (pause, missed) = (QUIET, 0);
                continue;
            }
            (pause, missed) = match self.knock_and_leave() {
                true => (KNOCK_EVERY, 0),
                false if missed + 1 >= MISSES => (BACK_OFF, 0),
                false => (KNOCK_EVERY, missed + 1),
            };
        }
    }

    /// Make [`Unsticker::run`] return.
    pub fn stop(&self) {
        *lock(&self.stopping) = true;
        self.stopped.notify_all();
    }

    /// Did a new connection send a request within [`KNOCK_WHILE`]?
    fn new_connections_came(&self) -> bool {
        let last = Duration::from_millis(self.last_new_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last) < KNOCK_WHILE
    }

    /// Connect, send a request line tiny_http cannot parse, and wait for it to close: it
    /// answers 400 itself (we never see it), its task ends, and the thread that ran it is free for
    /// the next queued connection.
    ///
    /// Why a bad request and not a silent close: the side that closes first keeps a TIME_WAIT
    /// socket for a minute, 100 a second of them. tiny_http closes first here, and our reset
    /// (linger 0) when we drop the knock ends its side too: no TIME_WAIT on either.
    fn knock_and_leave(&self) -> bool {
        let Ok(mut knock) = TcpStream::connect_timeout(&self.addr, ANSWER) else {
            return false;
        };
        let _ = socket2::SockRef::from(&knock).set_linger(Some(Duration::ZERO));
        let mut answer = Vec::new();
        knock.set_read_timeout(Some(ANSWER)).is_ok()
            && knock.write_all(b"KNOCK\r\n\r\n").is_ok()
            && knock.read_to_end(&mut answer).is_ok()
    }
}
