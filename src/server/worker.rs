//! The producers: a tool call running on its own thread, and the alerts of the GET stream.
//!
//! Implements the server side of MCP 2025-11-25 `basic/transports` §Sending Messages #6 (requests
//! and notifications related to a call travel on that call's stream), `client/elicitation` (a
//! server-to-client request in the middle of a call, answered by a separate POST), and
//! §Listening for Messages from the Server (unrelated notifications on the GET stream).
//!
//! A producer writes into a [`Stream`]'s log and never touches a socket; whichever connection is
//! attached reads the log. That is why a call survives its connection: a client disconnect is not
//! a cancellation (2025-11-25), so the worker simply goes on writing into the log.
//!
//! Left out: `roots/list`. The weather tool asks only `elicitation/create`; the conformance
//! example also asks `sampling/createMessage`, through the same `ask`. What the alerts *say* is
//! the app's business (a function in its catalog); this file only sends them.
//!
//! # Why a thread per call and not a pool?
//! A tool may block for its whole run (a step delay, a question to the user), so a small pool would
//! let a few slow calls starve every other client; the cap on requests in flight bounds the number
//! of threads instead. The threads are kept for the next call (`threads.rs`), never shared while
//! busy; a production server would more likely go async.

use crate::jsonrpc::{ErrorObject, Message, RequestId, INTERNAL_ERROR};
use crate::mcp::tools::{Call, Context, NoAnswer, Outbox, Stop};
use crate::server::session::Session;
use crate::server::stream::Stream;
use crate::server::threads::Threads;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// A tool call waiting for a thread to run on.
#[derive(Debug)]
pub struct Job {
    pub id: RequestId,
    pub call: Call,
    pub stream: Arc<Stream>,
    /// The call's session; `None` on a stateless server.
    pub session: Option<Arc<Session>>,
    /// Requests can reach the client: a stream to send them on, and an initialized session.
    pub can_ask: bool,
    pub step_delay: Duration,
    pub answer_timeout: Duration,
    /// The endpoint's count of running calls; this job holds one unit of it while it runs.
    pub running: Arc<AtomicUsize>,
}

impl Job {
    /// Run the job on a thread of its own (from `threads`); the returned stream is where its
    /// messages appear. A legacy call of a session needs this second thread: its stream must go on
    /// filling after its connection is gone, so that the client can resume it.
    ///
    /// A legacy call that cannot be resumed (NDJSON, JSON, or no session) could run on its
    /// request's thread, as a 2026-07-28 call does (`modern_call.rs`). It does not, so that every
    /// legacy call takes the one path the walkthrough follows, and the request's thread stays free
    /// to send heartbeats while the tool waits for an answer. The price is one hand-over between
    /// two kept threads per call; `docs/benchmarks.md` puts the two eras side by side.
    ///
    /// Out of threads, the job runs here, on the request's thread, before the stream is read:
    /// the call still completes, but its progress arrives all at once with the result.
    pub fn spawn(self, threads: &Arc<Threads>) -> Arc<Stream> {
        let stream = Arc::clone(&self.stream);
        match threads.take() {
            Ok(worker) => worker.run(Box::new(move || self.run())),
            Err(_) => self.run(),
        }
        stream
    }

    /// Run the tool, then put its final response in the stream's log. Blocks for the tool's time.
    // ANCHOR: job_run
    pub fn run(self) {
        self.running.fetch_add(1, Ordering::SeqCst);
        let session = self.session.as_deref().filter(|_| self.can_ask);
        // SPEC lifecycle#operation: both parties MUST "only use capabilities that were successfully negotiated"
        let declared = |capability: &str| {
            session.is_some_and(|s| s.client_capabilities.get(capability).is_some())
        };
        let outbox = CallOutbox {
            stream: &self.stream,
            session,
        };
        let cx = Context {
            progress_token: self.call.progress_token.clone(),
            step_delay: self.step_delay,
            can_elicit: declared("elicitation"),
            can_sample: declared("sampling"),
            undeclared_is_refused: false,
            answer_timeout: self.answer_timeout,
            outbox: &outbox,
        };
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.call.run(self.id.clone(), &cx)
        }));
        let last = match run {
            Ok(Ok(response)) => Some(response),
            // A capability the session did not negotiate: say so (the legacy era has no -32021, but
            // the code is MCP's own and a clear error beats silence).
            Ok(Err(Stop::MissingCapability(capability))) => Some(Message::error(
                Some(self.id.clone()),
                ErrorObject::new(
                    crate::wire::MISSING_REQUIRED_CLIENT_CAPABILITY,
                    format!("Missing required client capability: {capability}"),
                ),
            )),
            // Cancelled or abandoned: no response is sent.
            // SPEC cancellation: a receiver of a cancellation SHOULD "Not send a response for the cancelled request"
            Ok(Err(_stop)) => None,
            // A bug in a tool must not leave the client waiting forever.
            Err(_) => Some(Message::error(
                Some(self.id.clone()),
                ErrorObject::new(INTERNAL_ERROR, "Internal error: the tool failed"),
            )),
        };
        if let Some(message) = last {
            let _ = self.stream.push(message.to_line(), true);
        }
        if let Some(session) = &self.session {
            session.end_call(&self.id);
        }
        self.running.fetch_sub(1, Ordering::SeqCst);
    }
    // ANCHOR_END: job_run
}

/// The outbox of one call: messages go into its stream, answers come back through its session.
struct CallOutbox<'a> {
    stream: &'a Stream,
    session: Option<&'a Session>,
}

impl Outbox for CallOutbox<'_> {
    fn send(&self, message: Message) -> Result<(), Stop> {
        self.stream.push(message.to_line(), false).map(|_| ())
    }

    fn pause(&self, d: Duration) -> Result<(), Stop> {
        self.stream.pause(d)
    }

    fn end_response(&self) {
        self.stream.end_responses();
    }

    fn ask(&self, method: &str, params: Value, timeout: Duration) -> Result<Message, NoAnswer> {
        // The question goes out on the call's stream, but the answer comes back in another POST,
        // on another thread: the session is where the two meet, a channel per request id.
        let session = self.session.ok_or(NoAnswer::Unreachable)?;
        let id = session.next_request_id();
        // Register before sending, so that even an instant answer finds its waiter.
        let answers = session.expect_answer(id.clone());
        let request = Message::Request {
            id: id.clone(),
            method: method.to_string(),
            params: Some(params),
        };
        if let Err(stop) = self.stream.push(request.to_line(), false) {
            session.forget_answer(&id);
            return Err(NoAnswer::Stopped(stop));
        }
        let deadline = Instant::now() + timeout;
        loop {
            // Wake up now and then to notice a cancellation: the channel cannot tell us. (A
            // production server would wait on one condition for both; 100 ms of latency on a
            // cancelled question is a price a reader of this loop does not notice.)
            let slice = deadline
                .saturating_duration_since(Instant::now())
                .min(Duration::from_millis(100));
            match answers.recv_timeout(slice) {
                Ok(answer) => return Ok(answer),
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(NoAnswer::Stopped(Stop::Abandoned))
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            if let Some(stop) = self.stream.stopped() {
                session.forget_answer(&id);
                return Err(NoAnswer::Stopped(stop));
            }
            if Instant::now() >= deadline {
                session.forget_answer(&id);
                // SPEC lifecycle#timeouts: "the sender SHOULD issue a cancellation notification for that request and stop waiting for a response"
                let cancel = Message::notification(
                    "notifications/cancelled",
                    json!({ "requestId": id.to_json(), "reason": "no answer in time" }),
                );
                let _ = self.stream.push(cancel.to_line(), false);
                return Err(NoAnswer::TimedOut);
            }
        }
    }
}

/// The alerts of one session's GET stream, while one connection reads it, waiting for a thread.
///
/// One producer per listening connection keeps the code a straight loop. It ends with that
/// connection (`listening` turns false): alerts are news for whoever listens, so a session whose
/// client went away costs no thread (before, one per session that had ever listened stayed until
/// the session ended). A reconnection starts a new producer, which goes on counting. A production
/// server would run one timer for every listener and push into each stream from there.
#[derive(Debug)]
pub struct Alerts {
    pub stream: Arc<Stream>,
    pub session: Arc<Session>,
    pub every: Duration,
    /// The app's `n`-th alert (the catalog's `alerts`).
    pub make: fn(usize) -> Message,
    /// True while the connection that started these alerts still holds the GET stream.
    pub listening: Arc<AtomicBool>,
}

impl Alerts {
    /// Send an alert every `every` on a thread of its own, until the connection, the session or
    /// the stream ends.
    pub fn spawn(self) {
        thread::spawn(move || self.run());
    }

    /// Send alerts until the connection, the session or the stream ends. Blocks.
    pub fn run(&self) {
        loop {
            if self.stream.pause(self.every).is_err() || self.session.is_closed() {
                return;
            }
            if !self.listening.load(Ordering::SeqCst) {
                return;
            }
            let alert = (self.make)(self.session.next_alert());
            if self.stream.push(alert.to_line(), false).is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::session_store::SessionStore;
    use crate::server::stream::Next;

    fn numbered(n: usize) -> Message {
        Message::notification(
            "notifications/message",
            json!({ "level": "info", "data": n }),
        )
    }

    #[test]
    fn alerts_arrive_in_order_and_stop_with_the_stream() {
        let stream = Arc::new(Stream::new(1, 16));
        let store = SessionStore::new(Duration::from_secs(60), Duration::from_secs(1));
        let alerts = Alerts {
            stream: Arc::clone(&stream),
            session: store.create("2025-11-25", json!({})).unwrap(),
            every: Duration::from_millis(5),
            make: numbered,
            listening: Arc::new(AtomicBool::new(true)),
        };
        let producer = thread::spawn(move || alerts.run());
        for n in 0..2 {
            let Next::Event { line, .. } = stream.next_after(n + 1, 0, Duration::from_secs(5))
            else {
                panic!("no alert {n}")
            };
            let alert: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(alert["params"]["data"], n);
        }
        stream.stop(Stop::Abandoned);
        producer.join().unwrap();
    }

    #[test]
    fn alerts_stop_with_their_connection_and_a_new_producer_goes_on_counting() {
        let stream = Arc::new(Stream::new(1, 16));
        let store = SessionStore::new(Duration::from_secs(60), Duration::from_secs(1));
        let session = store.create("2025-11-25", json!({})).unwrap();
        let listening = Arc::new(AtomicBool::new(true));
        let alerts = |listening: &Arc<AtomicBool>| Alerts {
            stream: Arc::clone(&stream),
            session: Arc::clone(&session),
            every: Duration::from_millis(5),
            make: numbered,
            listening: Arc::clone(listening),
        };
        let first = alerts(&listening);
        let producer = thread::spawn(move || first.run());
        assert!(matches!(
            stream.next_after(1, 0, Duration::from_secs(5)),
            Next::Event { .. }
        ));
        listening.store(false, Ordering::SeqCst);
        producer.join().unwrap(); // returns: the connection is gone, the stream is not
        let again = Arc::new(AtomicBool::new(true));
        let second = alerts(&again);
        let sent_before = session.next_alert(); // the number the next producer will not reuse
        let producer = thread::spawn(move || second.run());
        let mut seen = None;
        for seq in 1..20 {
            if let Next::Event { line, .. } = stream.next_after(seq, 0, Duration::from_secs(5)) {
                seen =
                    Some(serde_json::from_str::<Value>(&line).unwrap()["params"]["data"].clone());
            }
            if seen
                .as_ref()
                .is_some_and(|d| d.as_u64() > Some(sent_before as u64))
            {
                break;
            }
        }
        assert!(
            seen.unwrap().as_u64() > Some(sent_before as u64),
            "the count went on"
        );
        stream.stop(Stop::Abandoned);
        producer.join().unwrap();
    }
}
