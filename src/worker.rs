//! The producers: a tool call running on its own thread, and the weather alerts of the GET stream.
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
//! example also asks `sampling/createMessage`, through the same `ask`.

use crate::jsonrpc::{ErrorObject, Message, RequestId, INTERNAL_ERROR};
use crate::session::Session;
use crate::stream::{Stop, Stream};
use crate::tools::weather_data::CITIES;
use crate::tools::{Call, Context, NoAnswer, Outbox};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A tool call waiting for a thread to run on.
#[derive(Debug)]
pub struct Job {
    pub id: RequestId,
    pub call: Call,
    pub stream: Arc<Stream>,
    pub session: Option<Arc<Session>>,
    pub step_delay: Duration,
    /// Requests can reach the client: a stream to send them on, an initialized session.
    pub can_ask: bool,
    /// The client declared `elicitation` (and `can_ask`).
    pub can_elicit: bool,
    /// The client declared `sampling` (and `can_ask`).
    pub can_sample: bool,
    pub answer_timeout: Duration,
    /// The endpoint's count of running calls; this job holds one unit of it while it runs.
    pub running: Arc<AtomicUsize>,
}

impl Job {
    /// Run the tool, then put its final response in the stream's log. Blocks for the tool's time.
    // ANCHOR: job_run
    pub fn run(self) {
        self.running.fetch_add(1, Ordering::SeqCst);
        let outbox = CallOutbox {
            stream: &self.stream,
            session: self.session.as_deref().filter(|_| self.can_ask),
        };
        let cx = Context {
            progress_token: self.call.progress_token.clone(),
            step_delay: self.step_delay,
            can_elicit: self.can_elicit,
            can_sample: self.can_sample,
            answer_timeout: self.answer_timeout,
            outbox: &outbox,
        };
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.call.run(self.id.clone(), &cx)
        }));
        let last = match run {
            Ok(Some(response)) => Some(response),
            Ok(None) => None, // cancelled or abandoned: no response is sent
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
            // Wake up now and then to notice a cancellation: the channel cannot tell us.
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

/// Produce weather alerts into a session's GET stream until the session ends.
///
/// They are `notifications/message` (the logging utility), unrelated to any request, which is
/// exactly what the GET stream is for: it lets a student watch the server speak first.
// SPEC transports#listening: "These messages SHOULD be unrelated to any concurrently-running JSON-RPC request from the client."
pub fn produce_alerts(stream: &Stream, session: &Session, every: Duration) {
    let alerts = [
        "heavy rain expected",
        "strong wind warning",
        "heat advisory",
        "fog on the roads",
        "snow showers ahead",
    ];
    for n in 0usize.. {
        if stream.pause(every).is_err() || session.is_closed() {
            return;
        }
        let city = &CITIES[(n * 7) % CITIES.len()];
        let alert = alerts[n % alerts.len()];
        let message = Message::notification(
            "notifications/message",
            json!({
                "level": "warning",
                "logger": "weather-alerts",
                "data": { "city": city.label(), "alert": alert, "text": format!("Weather alert for {}: {alert}", city.name) }
            }),
        );
        if stream.push(message.to_line(), false).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_logging_notifications_and_stop_with_the_stream() {
        let stream = Arc::new(Stream::new(1, 16));
        let store =
            crate::session::SessionStore::new(Duration::from_secs(60), Duration::from_secs(1));
        let session = store.create("2025-11-25", json!({})).unwrap();
        let (s2, sess2) = (Arc::clone(&stream), Arc::clone(&session));
        let producer =
            std::thread::spawn(move || produce_alerts(&s2, &sess2, Duration::from_millis(5)));
        let crate::stream::Next::Event { line, .. } =
            stream.next_after(1, 0, Duration::from_secs(5))
        else {
            panic!("no alert")
        };
        let alert: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(alert["method"], "notifications/message");
        assert_eq!(alert["params"]["logger"], "weather-alerts");
        stream.stop(Stop::Abandoned);
        producer.join().unwrap();
    }
}
