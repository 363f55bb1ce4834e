//! Resuming a cut stream: wait, reconnect with `GET` + `Last-Event-ID`, read on; and again, for
//! as long as the stream keeps being cut, until the response arrives.
//!
//! Implements the client side of MCP 2025-11-25 `basic/transports` §Resumability and Redelivery
//! (after a broken connection, a GET with the last event id received) and the `retry` rule of
//! §Sending Messages to the Server #6 (wait as long as the server asked before reconnecting), for
//! the SSE stream that answers one of our requests.
//!
//! Left out: resuming NDJSON or JSON answers (they carry no event ids, so there is nothing to
//! resume from: the `StreamEnded` error stands); a stream that *stalls* (no byte for the stall
//! timeout), which stays a `Timeout` error, since the server promised heartbeats and a reconnect
//! would most likely hang the same way; random jitter between clients (one client, one stream);
//! the session's own GET stream, which this client never opens.
//!
//! # The loop, in one picture
//! ```text
//!   POST ──▶ events… ──✂ cut (no response yet)
//!     ┌─▶ wait retry × 2^k ──▶ GET, Last-Event-ID: <last id> ──▶ events… ──✂ cut ─┐
//!     └───────────────────────────── k = 0 if events came, else k + 1 ◀───────────┘
//!   …until the response arrives (done), a 4xx (refused), or 5 tries in a row bring nothing.
//! ```

use super::answer::{self, BodyKind};
use super::exchange::InFlight;
use super::messages::Incoming;
use super::{ClientError, McpClient};
use crate::framing::Framing;
use crate::wire::{HEADER_LAST_EVENT_ID, MIME_SSE};
use serde_json::Value;
use std::thread;
use std::time::Duration;

/// Reconnections in a row that may bring no new event before the client gives up. Each one that
/// brings an event starts the count again: a stream cut after every event still gets through.
pub const MAX_ATTEMPTS_WITHOUT_PROGRESS: u32 = 5;

/// The wait before reconnecting when the server never said (`retry:`). The SSE standard leaves
/// it to the client; a second is what browsers use, give or take.
pub const DEFAULT_RETRY: Duration = Duration::from_millis(1000);

/// The longest our own doubling makes a wait (a server's `retry` may still ask for longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// How long to wait before the next reconnection, and when to stop trying.
///
/// Pure: the loop below tells it how each attempt went; unit tests do the same without sockets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Backoff {
    /// Attempts in a row that brought no new event.
    failures: u32,
}

impl Backoff {
    /// The wait before the next attempt: the server's `retry`, doubled for each attempt in a row
    /// that brought nothing, capped at [`MAX_BACKOFF`]; never less than `retry` itself.
    pub fn wait(&self, retry: Duration) -> Duration {
        // Why double? A server that is restarting is not helped by a client knocking at a steady
        // pace; a growing pause leaves it room, and the cap keeps a person from waiting minutes.
        let doubled = retry.saturating_mul(1 << self.failures.min(16));
        // The cap applies to our doubling only: `retry` is the server's, and it is a MUST.
        doubled.min(MAX_BACKOFF).max(retry)
    }

    /// Record how an attempt that did not finish the request went.
    pub fn record(&mut self, brought_events: bool) {
        if brought_events {
            self.failures = 0;
        } else {
            self.failures += 1;
        }
    }

    /// Enough attempts in a row brought nothing: stop.
    pub fn exhausted(&self) -> bool {
        self.failures >= MAX_ATTEMPTS_WITHOUT_PROGRESS
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }
}

/// How one reconnection went.
enum Attempt {
    /// The request is over: its result, or an error that another attempt would not cure.
    Done(Result<Value, ClientError>),
    /// Worth another try: the stream was cut again, or the server could not be reached.
    Again(ClientError),
}

impl McpClient {
    /// Reconnect to `call`'s cut stream until its response arrives. Called with
    /// `call.position.last_event_id` set.
    ///
    /// # Errors
    /// [`ClientError::ResumeRefused`] for a 4xx (our server's 400: the events are gone),
    /// [`ClientError::ResumeExhausted`] after [`MAX_ATTEMPTS_WITHOUT_PROGRESS`] fruitless
    /// attempts in a row, [`ClientError::SessionExpired`] for a 404, and every error of reading a
    /// stream except a cut.
    pub(super) fn resume(
        &mut self,
        call: &mut InFlight,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<Value, ClientError> {
        let mut backoff = Backoff::default();
        loop {
            let Some(last_event_id) = call.position.last_event_id.clone() else {
                return Err(ClientError::StreamEnded {
                    last_event_id: None,
                });
            };
            // Read again each time: any connection may bring a new `retry`.
            let retry = call
                .position
                .retry_ms
                .map_or(DEFAULT_RETRY, Duration::from_millis);
            let wait = backoff.wait(retry);
            // SPEC transports#sending-messages 6: "The client MUST respect the retry field, waiting the given number of milliseconds before attempting to reconnect."
            thread::sleep(wait);
            match self.attempt(&last_event_id, wait, call, on_event) {
                Attempt::Done(outcome) => return outcome,
                Attempt::Again(error) => {
                    // Progress is a new event id: the next GET starts later than this one did.
                    let moved = call.position.last_event_id.as_ref() != Some(&last_event_id);
                    backoff.record(moved);
                    if backoff.exhausted() {
                        return Err(ClientError::ResumeExhausted {
                            last_event_id: call.position.last_event_id.clone().unwrap_or_default(),
                            attempts: backoff.failures(),
                            last_error: Box::new(error),
                        });
                    }
                }
            }
        }
    }

    /// One reconnection: GET after `last_event_id`, then read the stream as the POST's was read.
    fn attempt(
        &mut self,
        last_event_id: &str,
        waited: Duration,
        call: &mut InFlight,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Attempt {
        let mut headers = self.headers_accepting(MIME_SSE);
        // SPEC transports#resumability: "If the client wishes to resume after a broken connection, it SHOULD issue an HTTP GET to the MCP endpoint, and include the Last-Event-ID header to indicate the last event ID it received."
        headers.push((HEADER_LAST_EVENT_ID, last_event_id.to_string()));
        let mut response = match self.transport.get(&headers) {
            Ok(response) => response,
            // No answer at all (refused, reset, timed out): the server may be restarting, or the
            // network may be back in a moment. That is what the waiting is for.
            Err(e) => return Attempt::Again(e),
        };
        let status = response.status;
        match answer::classify(status, response.content_type.as_deref()) {
            BodyKind::Messages(Framing::Sse) => {}
            BodyKind::Failure if status == 404 && self.session_id.is_some() => {
                return Attempt::Done(Err(ClientError::SessionExpired))
            }
            // A 5xx is the server's trouble, not our stream's: later may work.
            BodyKind::Failure if status >= 500 => {
                return Attempt::Again(answer::failure(status, &mut *response.body))
            }
            // A 4xx is a "no" about this stream (ours: 400, its events are gone). Asking again
            // would be refused again.
            BodyKind::Failure => {
                let error = answer::failure(status, &mut *response.body);
                return Attempt::Done(Err(refused(last_event_id, status, error)));
            }
            BodyKind::Messages(other) => {
                return Attempt::Done(Err(ClientError::Protocol(format!(
                    "a resumed stream must be {MIME_SSE}, not {other:?}"
                ))))
            }
            BodyKind::Accepted | BodyKind::Unexpected(_) => {
                return Attempt::Done(Err(ClientError::Protocol(format!(
                    "HTTP {status} to a GET with Last-Event-ID; expected {MIME_SSE}"
                ))))
            }
        }
        self.resumes += 1;
        on_event(&Incoming::Resumed {
            last_event_id: last_event_id.to_string(),
            waited,
        });
        match self.read_answer(&mut *response.body, Framing::Sse, call, on_event) {
            Err(cut @ ClientError::StreamEnded { .. }) => Attempt::Again(cut),
            outcome => Attempt::Done(outcome),
        }
    }
}

/// The error for a resume the server said no to, with its reason in words.
fn refused(last_event_id: &str, status: u16, error: ClientError) -> ClientError {
    let message = match error {
        ClientError::Http { error: Some(e), .. } => e.message,
        ClientError::Http { body, .. } => body,
        other => other.to_string(),
    };
    ClientError::ResumeRefused {
        last_event_id: last_event_id.to_string(),
        status,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn the_first_wait_is_the_servers_retry_and_fruitless_attempts_double_it() {
        let mut backoff = Backoff::default();
        let mut waits = Vec::new();
        while !backoff.exhausted() {
            waits.push(backoff.wait(300 * MS));
            backoff.record(false);
        }
        assert_eq!(
            waits,
            [300 * MS, 600 * MS, 1200 * MS, 2400 * MS, 4800 * MS],
            "five attempts, then give up"
        );
    }

    #[test]
    fn an_attempt_that_brought_events_starts_the_count_again() {
        let mut backoff = Backoff::default();
        for _ in 0..4 {
            backoff.record(false);
        }
        backoff.record(true);
        assert_eq!(backoff.wait(100 * MS), 100 * MS);
        assert!(!backoff.exhausted());
    }

    /// SPEC transports#sending-messages 6: "The client MUST respect the retry field": the cap
    /// limits our doubling, never the server's own value.
    #[test]
    fn the_cap_limits_the_doubling_but_never_shortens_the_servers_retry() {
        let mut backoff = Backoff::default();
        for _ in 0..4 {
            backoff.record(false);
        }
        assert_eq!(backoff.wait(Duration::from_secs(3)), MAX_BACKOFF);
        assert_eq!(
            Backoff::default().wait(Duration::from_secs(30)),
            Duration::from_secs(30)
        );
        for _ in 0..40 {
            backoff.record(false); // no overflow, however long it goes on
        }
        assert_eq!(backoff.wait(Duration::from_secs(3)), MAX_BACKOFF);
    }
}
