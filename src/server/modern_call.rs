//! A modern `tools/call`, run on its request's own thread and written straight to its connection.
//!
//! Implements MCP 2026-07-28 `basic/transports/streamable-http` §Receiving Messages (an SSE stream
//! carries only notifications about its request, then the response, which ends it) and
//! §Cancellation (closing the stream cancels the request), with `basic/patterns/progress`.
//!
//! # Why no log, no worker thread, no event ids?
//! Put this file beside `worker.rs` + `stream.rs` + `pump.rs`: the legacy era needs a producer
//! thread and a bounded log because its stream may outlive the connection and be resumed with
//! `Last-Event-ID`. The modern era has no resumption: when the connection goes, the request is
//! over. So the tool runs right here, each message leaves the moment it exists, and a failed
//! write *is* the cancellation: the tool's next `progress` or `step` returns `Stop` and it ends.
//!
//! A question to the client is MRTR (`basic/patterns/mrtr`): the tool's `ask` is answered from
//! the request's `inputResponses` when the client already sent the answer; otherwise the question
//! is kept, the tool ends this round (`Stop::AwaitingInput`), and the result is `input_required`,
//! carrying the questions and a signed `requestState` for the client to send back with its answers.
//!
//! Left out: sending `notifications/message` (only allowed when the request carried a log level;
//! our tools log nothing), and sampling or roots questions (no tool of ours asks them yet).

use crate::framing::Framing;
use crate::jsonrpc::{ErrorObject, Message, RequestId, INTERNAL_ERROR};
use crate::mcp::catalog::Catalog;
use crate::mcp::modern::complete;
use crate::mcp::tools::{Call, Context, NoAnswer, Outbox, Stop};
use crate::server::rejection::Rejection;
use crate::server::request_log::{self, Facts};
use crate::server::request_state::StateKey;
use crate::server::response::{chunk, sized, stream_head, Whole, LAST_CHUNK};
use serde_json::{json, Map, Value};
use std::cell::{Cell, RefCell};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A checked modern call, waiting for its connection's writer.
#[derive(Debug)]
pub struct ModernCall {
    pub framing: Framing,
    pub id: RequestId,
    pub call: Call,
    pub step_delay: Duration,
    pub catalog: &'static Catalog,
    /// The endpoint's count of running calls (tests watch a cancelled call stop through it).
    pub running: Arc<AtomicUsize>,
    /// The client declared `elicitation` (and `sampling`) in this request's `_meta`: those questions
    /// may be asked.
    pub can_elicit: bool,
    pub can_sample: bool,
    /// The request's `logLevel`, if it named one.
    pub log_level: Option<String>,
    /// This round's `inputResponses` (checked against its `requestState` already), by key.
    pub answers: Map<String, Value>,
    /// Signs the `requestState` of an `input_required` result, bound to `digest`, for `ttl_secs`.
    pub state_key: StateKey,
    pub digest: String,
    pub state_ttl_secs: u64,
    /// With `--log-requests`: what the request log says of this request, logged with its answer.
    pub log: Option<Box<Facts>>,
}

impl ModernCall {
    /// Run the tool, writing what it sends as it sends it, then its final response.
    pub fn run(self, writer: Box<dyn Write + Send>, conn: &[(&str, String)], heartbeat: Duration) {
        self.running.fetch_add(1, Ordering::SeqCst);
        let out = Connection {
            writer: RefCell::new(writer),
            framing: self.framing,
            conn,
            heartbeat,
            head_sent: Cell::new(false),
            pending: RefCell::new(Vec::new()),
            logs: self.log_level.is_some(),
            answers: &self.answers,
            questions: Cell::new(0),
            asked: RefCell::new(Map::new()),
        };
        let cx = Context {
            progress_token: self.call.progress_token.clone(),
            step_delay: self.step_delay,
            // A question becomes an input request (MRTR); only what the client declared is asked.
            can_elicit: self.can_elicit,
            can_sample: self.can_sample,
            undeclared_is_refused: true,
            answer_timeout: Duration::ZERO,
            outbox: &out,
        };
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.call.run(self.id.clone(), &cx)
        }));
        let last = match run {
            Ok(Ok(response)) => Some(final_response(response, self.catalog)),
            // SPEC streamable-http (2026-07-28) §Cancellation: the server "MUST NOT send any further messages for it"
            Ok(Err(Stop::Abandoned | Stop::Cancelled)) => {
                self.log_answer(200, "cancelled");
                None
            }
            // SPEC mrtr (2026-07-28): the server returns `resultType: "input_required"` with `inputRequests` and may include `requestState`.
            // ANCHOR: awaiting_input
            Ok(Err(Stop::AwaitingInput)) => {
                // The answers so far travel in the state, so a later round needs only its own.
                let answers = Value::Object(self.answers.clone());
                let state = self
                    .state_key
                    .seal(&self.digest, self.state_ttl_secs, &answers);
                let result = json!({
                    "resultType": "input_required",
                    "inputRequests": out.asked.take(),
                    "requestState": state,
                });
                // A result like any other: it says who answered (`_meta.serverInfo`).
                Some(Message::result(
                    self.id.clone(),
                    complete(result, self.catalog),
                ))
            }
            // ANCHOR_END: awaiting_input
            // SPEC schema (2026-07-28): a request that needs an undeclared capability gets MissingRequiredClientCapabilityError; "For HTTP, the response status code MUST be `400 Bad Request`."
            Ok(Err(Stop::MissingCapability(capability))) => {
                let refusal = Rejection::MissingCapability(capability);
                if !out.head_sent.get() {
                    self.log_answer(400, &format!("error({})", refusal.to_error_object().code));
                    // Nothing has left yet, so the status can still say it.
                    let _ = out.write_whole(&refusal.to_response(Some(self.id.clone())));
                    None
                } else {
                    // Too late for a status: the error travels as the stream's last message.
                    Some(Message::error(
                        Some(self.id.clone()),
                        refusal.to_error_object(),
                    ))
                }
            }
            Err(_) => Some(Message::error(
                Some(self.id.clone()),
                ErrorObject::new(INTERNAL_ERROR, "Internal error: the tool failed"),
            )),
        };
        // Logged before the last write, so that the line is out before the client has its answer.
        if let Some(message) = &last {
            self.log_answer(200, &outcome_of(message));
        }
        if let Some(message) = last {
            let _ = out.finish(&message);
        }
        self.running.fetch_sub(1, Ordering::SeqCst);
    }
}

impl ModernCall {
    /// With `--log-requests`, the request's log line, now that its answer is known.
    fn log_answer(&self, status: u16, outcome: &str) {
        if let Some(facts) = &self.log {
            let facts = Facts {
                status,
                outcome: Some(outcome.to_string()),
                ..Facts::clone(facts)
            };
            request_log::emit(&facts);
        }
    }
}

/// What the request log says a final message was: `complete`, `input_required`, or `error(code)`.
fn outcome_of(message: &Message) -> String {
    match message {
        Message::Response { result, .. } => result["resultType"]
            .as_str()
            .unwrap_or("complete")
            .to_string(),
        Message::Error { error, .. } => format!("error({})", error.code),
        _ => "other".to_string(),
    }
}

/// The outbox of a modern call: its own HTTP response, written as the tool goes.
struct Connection<'a> {
    writer: RefCell<Box<dyn Write + Send>>,
    framing: Framing,
    conn: &'a [(&'a str, String)],
    heartbeat: Duration,
    head_sent: Cell<bool>,
    /// Bytes of the stream not written yet: events wait here until the tool waits or ends.
    pending: RefCell<Vec<u8>>,
    /// The request named a `logLevel`: only then may `notifications/message` be sent.
    logs: bool,
    /// The client's answers to this call's questions, from the request.
    answers: &'a Map<String, Value>,
    /// Questions asked so far, answered or not: the next one's key is `q{questions + 1}`.
    questions: Cell<usize>,
    /// The questions asked and not answered yet, by key: they become `inputRequests`.
    asked: RefCell<Map<String, Value>>,
}

impl Connection<'_> {
    /// Write `bytes` as one chunk of the stream (the head goes with the first one). A failed write
    /// means the client closed the stream, which is its way to cancel.
    ///
    /// The chunk joins the bytes not written yet; they leave together when `publish` is true, and
    /// otherwise when the tool next waits (`pause`) or ends. Our tools do their slow work in
    /// `pause`, so no event waits longer than it did; but a call with no step delay leaves in one
    /// write instead of five (measured: the legacy pump already joins the events waiting in its
    /// log). A production server with CPU-bound tools would also publish on a timer.
    fn write_chunk(&self, bytes: &[u8], last: bool, publish: bool) -> Result<(), Stop> {
        let mut out = self.pending.borrow_mut();
        if !self.head_sent.replace(true) {
            out.extend(stream_head(self.conn, self.framing.content_type()));
        }
        if !bytes.is_empty() {
            out.extend(chunk(bytes));
        }
        if last {
            out.extend_from_slice(LAST_CHUNK);
        }
        if !(publish || last) {
            return Ok(());
        }
        let mut writer = self.writer.borrow_mut();
        let written = writer.write_all(&out).and_then(|()| writer.flush());
        out.clear();
        written.map_err(|_| Stop::Abandoned)
    }

    /// A whole response instead of a stream, while no byte of the stream has left.
    fn write_whole(&self, response: &Whole) -> Result<(), Stop> {
        let mut writer = self.writer.borrow_mut();
        let bytes = response.to_bytes(self.conn);
        writer
            .write_all(&bytes)
            .and_then(|()| writer.flush())
            .map_err(|_| Stop::Abandoned)
    }

    /// The final response: the last event of the stream, or one JSON object.
    fn finish(&self, message: &Message) -> Result<(), Stop> {
        let line = message.to_line();
        if self.framing == Framing::Json {
            let bytes = sized(
                200,
                self.conn,
                Some(self.framing.content_type()),
                line.as_bytes(),
            );
            let mut writer = self.writer.borrow_mut();
            return writer
                .write_all(&bytes)
                .and_then(|()| writer.flush())
                .map_err(|_| Stop::Abandoned);
        }
        self.write_chunk(&self.framing.encode(None, &line), true, true)
    }
}

impl Outbox for Connection<'_> {
    fn send(&self, message: Message) -> Result<(), Stop> {
        // One JSON object has no room for anything before the result: progress is dropped.
        if self.framing == Framing::Json {
            return Ok(());
        }
        // SPEC schema (2026-07-28) `logLevel`: "If absent, the server MUST NOT send any notifications/message notifications for this request."
        let is_log = matches!(&message, Message::Notification { method, .. } if method == "notifications/message");
        if is_log && !self.logs {
            return Ok(());
        }
        self.write_chunk(&self.framing.encode(None, &message.to_line()), false, false)
    }

    /// Wait, writing a heartbeat now and then: a quiet connection is how a gone client would go
    /// unnoticed, and noticing it is how a cancellation arrives.
    fn pause(&self, d: Duration) -> Result<(), Stop> {
        // What the tool sent before it waits leaves now, so nothing waits for the next event.
        if !d.is_zero() && !self.pending.borrow().is_empty() {
            self.write_chunk(b"", false, true)?;
        }
        let deadline = Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(left.min(self.heartbeat));
            if self.framing != Framing::Json && Instant::now() < deadline {
                self.write_chunk(self.framing.heartbeat(), false, true)?;
            }
        }
    }

    /// Answer from this round's `inputResponses`, or keep the question for the `input_required`
    /// result. Keys are `q1`, `q2`… in the order the tool asks: a tool that asks the same questions
    /// in the same order (ours are deterministic) finds its answers under the same keys.
    fn ask(&self, method: &str, params: Value, timeout: Duration) -> Result<Message, NoAnswer> {
        self.questions.set(self.questions.get() + 1);
        let key = format!("q{}", self.questions.get());
        self.ask_as(&key, method, params, timeout)
    }

    // ANCHOR: ask_as
    fn ask_as(
        &self,
        key: &str,
        method: &str,
        params: Value,
        _: Duration,
    ) -> Result<Message, NoAnswer> {
        if let Some(answer) = self.answers.get(key) {
            return Ok(Message::result(
                RequestId::String(key.to_string()),
                answer.clone(),
            ));
        }
        self.asked.borrow_mut().insert(
            key.to_string(),
            json!({ "method": method, "params": params }),
        );
        Err(NoAnswer::Stopped(Stop::AwaitingInput))
    }
    // ANCHOR_END: ask_as
}

/// The final response of a modern call: its result made complete, or the error as it is.
pub fn final_response(message: Message, catalog: &Catalog) -> Message {
    match message {
        Message::Response { id, result } => Message::result(id, complete(result, catalog)),
        other => other,
    }
}
