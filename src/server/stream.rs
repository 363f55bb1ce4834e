//! A stream: the messages one call produces, kept in a bounded log that a connection reads.
//!
//! Implements the server side of MCP 2025-11-25 `basic/transports` §Sending Messages #6 (an SSE
//! stream may carry requests and notifications before the response) and prepares §Resumability:
//! every message gets a sequence number, so an SSE event id `"<stream>-<seq>"` is unique within the
//! server (hence within the session) and names its stream.
//!
//! # Why a log and not a channel?
//! With a channel the tool would write straight to one connection, and the messages would die with
//! it. With a log the producer (the tool's worker thread) and the reader (whichever HTTP connection
//! is attached right now) are decoupled: a reader can fall behind, go away, or, later, come back
//! with `Last-Event-ID` and read again from where it stopped. That is the transport's promise.
//!
//! A reader names the first sequence number it wants; a new connection wants 1, a connection that
//! resumes after `Last-Event-ID: 7-3` wants 4. The log keeps messages until the stream has ended and
//! its session's grace period is over, and never more than `max_events` of them.

use crate::mcp::tools::Stop;
use crate::server::locks::{lock, wait};
use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The SSE event id of one message: `<stream>-<seq>`, e.g. `7-3`.
///
/// # Why put the stream in the id?
/// `Last-Event-ID` is all a resuming client sends about where it was. With the stream's number in
/// the id, one header names both the stream and the place in it, so the server needs no table
/// from ids to streams, and an id can never lead into another session's stream (the stream is
/// looked up among the session's own). The spec leaves the format to us: it only asks that ids be
/// unique within the session. A production server might sign the id, or use a random stream key,
/// so that ids reveal nothing about how many streams exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventId {
    pub stream: u64,
    /// 0 is the priming event's; messages start at 1.
    pub seq: u64,
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.stream, self.seq)
    }
}

/// The text was not an id we made (garbage, or numbers out of range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotOurEventId;

impl FromStr for EventId {
    type Err = NotOurEventId;

    fn from_str(text: &str) -> Result<EventId, NotOurEventId> {
        let (stream, seq) = text.split_once('-').ok_or(NotOurEventId)?;
        Ok(EventId {
            stream: stream.parse().map_err(|_| NotOurEventId)?,
            seq: seq.parse().map_err(|_| NotOurEventId)?,
        })
    }
}

/// What a reader gets from [`Stream::next_after`].
#[derive(Debug, Clone, PartialEq)]
// ANCHOR: next
pub enum Next {
    /// The message with sequence number `seq`; `last` when it is the call's final response.
    Event { seq: u64, line: String, last: bool },
    /// Nothing new within the timeout: time for a heartbeat.
    Idle,
    /// The final message was already read: the stream is complete.
    Done,
    /// The stream stopped before its final message.
    Stopped(Stop),
    /// The wanted message was dropped from the bounded log.
    Evicted,
    /// The producer asked readers to end their HTTP response here (SSE polling); the stream
    /// goes on and the client resumes with `Last-Event-ID`.
    Cut,
}
// ANCHOR_END: next

#[derive(Debug)]
struct State {
    /// (seq, compact JSON line), oldest first.
    events: VecDeque<(u64, String)>,
    /// The sequence number the next message will get. 0 is the priming event's, so messages
    /// start at 1.
    next_seq: u64,
    /// Set once the final response is in the log.
    final_seq: Option<u64>,
    stop: Option<Stop>,
    /// When the stream completed or stopped: its grace period for resuming starts then.
    ended_at: Option<Instant>,
    /// How many times the producer asked readers to end their responses.
    cuts: u64,
    /// The bytes of the lines in `events`, for the session's budget of kept streams.
    bytes: usize,
}

#[derive(Debug)]
pub struct Stream {
    id: u64,
    max_events: usize,
    state: Mutex<State>,
    changed: Condvar,
}

impl Stream {
    /// A new stream with the next id of `ids`, the endpoint's counter. Stream ids are unique in
    /// the server, so an event id `<stream>-<seq>` is too.
    pub fn next(ids: &AtomicU64, max_events: usize) -> Stream {
        Stream::new(ids.fetch_add(1, Ordering::Relaxed), max_events)
    }

    pub fn new(id: u64, max_events: usize) -> Stream {
        Stream {
            id,
            max_events: max_events.max(1),
            state: Mutex::new(State {
                events: VecDeque::new(),
                next_seq: 1,
                final_seq: None,
                stop: None,
                ended_at: None,
                cuts: 0,
                bytes: 0,
            }),
            changed: Condvar::new(),
        }
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// The bytes of the messages the log holds now.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// The SSE event id of message `seq`: it names the stream, so a `Last-Event-ID` leads back here.
    pub fn event_id(&self, seq: u64) -> EventId {
        EventId {
            stream: self.id,
            seq,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    /// Append a message; `last` marks the call's final response.
    ///
    /// # Errors
    /// [`Stop`] when the stream was cancelled or abandoned: the producer should stop working.
    // ANCHOR: push
    pub fn push(&self, line: String, last: bool) -> Result<u64, Stop> {
        let mut s = self.lock();
        if let Some(stop) = s.stop {
            return Err(stop);
        }
        let seq = s.next_seq;
        s.next_seq += 1;
        s.bytes += line.len();
        s.events.push_back((seq, line));
        if last {
            s.final_seq = Some(seq);
            s.ended_at = Some(Instant::now());
        }
        // Bounded: a producer far ahead of its reader cannot grow memory without limit. What
        // falls off the front is gone; a reader that wanted it gets `Next::Evicted`.
        while s.events.len() > self.max_events {
            if let Some((_, gone)) = s.events.pop_front() {
                s.bytes -= gone.len();
            }
        }
        drop(s);
        self.changed.notify_all();
        Ok(seq)
    }
    // ANCHOR_END: push

    /// Stop the stream: the producer's next `push` or `pause` fails, readers see `Stopped`.
    /// A stream that already completed stays complete.
    pub fn stop(&self, why: Stop) {
        let mut s = self.lock();
        if s.final_seq.is_none() && s.stop.is_none() {
            s.stop = Some(why);
            s.ended_at = Some(Instant::now());
        }
        drop(s);
        self.changed.notify_all();
    }

    pub fn stopped(&self) -> Option<Stop> {
        self.lock().stop
    }

    /// Has the stream ended (completed or stopped) more than `grace` ago? Then nobody can
    /// resume it any more and its session forgets it.
    pub fn expired(&self, grace: Duration, now: Instant) -> bool {
        self.lock()
            .ended_at
            .is_some_and(|t| now.saturating_duration_since(t) >= grace)
    }

    /// Ask every reader attached now to end its HTTP response once it has sent what is in the log.
    // SPEC transports#sending-messages 6 (2025-11-25): the server "MAY close the connection" after sending an event with an id, "without terminating the SSE stream".
    pub fn end_responses(&self) {
        self.lock().cuts += 1;
        self.changed.notify_all();
    }

    /// The number of [`Stream::end_responses`] calls so far; a reader passes the value it saw
    /// when it attached to [`Stream::next_after`].
    pub fn cuts(&self) -> u64 {
        self.lock().cuts
    }

    /// Sleep for `d` on behalf of the producer, waking early if the stream is stopped.
    ///
    /// # Errors
    /// [`Stop`] when the stream was stopped before or during the pause.
    pub fn pause(&self, d: Duration) -> Result<(), Stop> {
        let deadline = Instant::now() + d;
        let mut s = self.lock();
        loop {
            if let Some(stop) = s.stop {
                return Err(stop);
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            s = wait(&self.changed, s, deadline - now);
        }
    }

    /// Is a message with a sequence number ≥ `wanted` in the log right now?
    pub fn has(&self, wanted: u64) -> bool {
        let s = self.lock();
        s.events.back().is_some_and(|(last, _)| *last >= wanted)
    }

    /// The first message with a sequence number ≥ `wanted`, waiting up to `timeout` for it.
    /// `cuts_seen` is [`Stream::cuts`] as the reader saw it when it attached.
    pub fn next_after(&self, wanted: u64, cuts_seen: u64, timeout: Duration) -> Next {
        let deadline = Instant::now() + timeout;
        let mut s = self.lock();
        loop {
            if let Some(final_seq) = s.final_seq {
                if wanted > final_seq {
                    return Next::Done;
                }
            }
            if let Some(&(first, _)) = s.events.front() {
                if wanted < first {
                    return Next::Evicted;
                }
                if let Some((seq, line)) = s.events.get((wanted - first) as usize) {
                    return Next::Event {
                        seq: *seq,
                        line: line.clone(),
                        last: s.final_seq == Some(*seq),
                    };
                }
            }
            if let Some(stop) = s.stop {
                return Next::Stopped(stop);
            }
            if s.cuts != cuts_seen {
                return Next::Cut;
            }
            let now = Instant::now();
            if now >= deadline {
                return Next::Idle;
            }
            s = wait(&self.changed, s, deadline - now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::thread;

    const NOW: Duration = Duration::from_millis(0);

    #[test]
    fn reader_gets_messages_in_order_then_done() {
        let s = Stream::new(1, 16);
        s.push("a".into(), false).unwrap();
        s.push("b".into(), true).unwrap();
        assert_eq!(
            s.next_after(1, 0, NOW),
            Next::Event {
                seq: 1,
                line: "a".into(),
                last: false
            }
        );
        assert_eq!(
            s.next_after(2, 0, NOW),
            Next::Event {
                seq: 2,
                line: "b".into(),
                last: true
            }
        );
        assert_eq!(s.next_after(3, 0, NOW), Next::Done);
    }

    #[test]
    fn quiet_stream_reports_idle_for_heartbeats() {
        let s = Stream::new(1, 16);
        assert_eq!(s.next_after(1, 0, Duration::from_millis(10)), Next::Idle);
    }

    #[test]
    fn reader_wakes_when_producer_pushes() {
        let s = Arc::new(Stream::new(1, 16));
        let producer = Arc::clone(&s);
        let t = thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            producer.push("late".into(), true).unwrap();
        });
        let next = s.next_after(1, 0, Duration::from_secs(5));
        assert_eq!(
            next,
            Next::Event {
                seq: 1,
                line: "late".into(),
                last: true
            }
        );
        t.join().unwrap();
    }

    #[test]
    fn stopped_stream_refuses_pushes_and_wakes_a_pausing_producer() {
        let s = Arc::new(Stream::new(1, 16));
        let stopper = Arc::clone(&s);
        let t = thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            stopper.stop(Stop::Cancelled);
        });
        let started = Instant::now();
        assert_eq!(s.pause(Duration::from_secs(30)), Err(Stop::Cancelled));
        assert!(started.elapsed() < Duration::from_secs(10));
        assert_eq!(s.push("x".into(), false), Err(Stop::Cancelled));
        assert_eq!(s.next_after(1, 0, NOW), Next::Stopped(Stop::Cancelled));
        t.join().unwrap();
    }

    #[test]
    fn log_is_bounded_and_reports_evicted_messages() {
        let s = Stream::new(1, 2);
        for i in 0..5 {
            s.push(format!("m{i}"), false).unwrap();
        }
        assert_eq!(s.next_after(1, 0, NOW), Next::Evicted);
        assert_eq!(
            s.next_after(4, 0, NOW),
            Next::Event {
                seq: 4,
                line: "m3".into(),
                last: false
            }
        );
    }

    #[test]
    fn completed_stream_ignores_a_late_stop() {
        let s = Stream::new(1, 4);
        s.push("r".into(), true).unwrap();
        s.stop(Stop::Abandoned);
        assert_eq!(s.stopped(), None);
        assert!(matches!(
            s.next_after(1, 0, NOW),
            Next::Event { last: true, .. }
        ));
    }

    #[test]
    fn ended_stream_expires_after_its_grace_period() {
        let s = Stream::new(1, 4);
        let grace = Duration::from_secs(30);
        assert!(
            !s.expired(grace, Instant::now()),
            "a running stream never expires"
        );
        s.push("r".into(), true).unwrap();
        assert!(!s.expired(grace, Instant::now()));
        assert!(s.expired(grace, Instant::now() + grace));
    }

    #[test]
    fn end_responses_cuts_readers_attached_before_it_only() {
        let s = Stream::new(1, 4);
        s.push("a".into(), false).unwrap();
        let seen = s.cuts();
        s.end_responses();
        assert!(
            matches!(s.next_after(1, seen, NOW), Next::Event { .. }),
            "what is logged goes first"
        );
        assert_eq!(s.next_after(2, seen, NOW), Next::Cut);
        assert_eq!(
            s.next_after(2, s.cuts(), NOW),
            Next::Idle,
            "a reader attached later is not cut"
        );
    }

    #[test]
    fn has_tells_whether_a_wanted_message_is_waiting() {
        let s = Stream::new(1, 4);
        assert!(!s.has(1));
        s.push("a".into(), false).unwrap();
        assert!(s.has(1) && !s.has(2));
    }

    #[test]
    fn event_id_names_the_stream_and_parses_back() {
        let id = Stream::new(42, 1).event_id(3);
        assert_eq!(id.to_string(), "42-3");
        assert_eq!("42-3".parse(), Ok(id));
    }

    #[test]
    fn text_that_is_not_our_event_id_does_not_parse() {
        for text in [
            "",
            "42",
            "x-1",
            "1-",
            "-1",
            "1-2-3",
            "1-99999999999999999999",
        ] {
            assert_eq!(text.parse::<EventId>(), Err(NotOurEventId), "{text:?}");
        }
    }
}
