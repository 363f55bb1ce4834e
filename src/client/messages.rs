//! What arrives on a request's stream, message by message, as plain Rust values, with no I/O.
//!
//! Implements the client side of MCP 2025-11-25 `basic/transports` §Sending Messages #6 (before
//! the response, a stream may carry requests and notifications, which "SHOULD relate to the
//! originating client request"), `basic/utilities/progress` (progress notifications, matched to
//! our call by their token) and JSON-RPC's matching of a response to its request by id. It also reads the tutorial's
//! non-standard `{"jsonrpc":"2.0","id":1,"stream":"..."}` lines as progress. The payloads of our
//! own requests and their results are in `payloads.rs`.
//!
//! Left out: `notifications/cancelled` from the server is shown as a plain notification; nothing
//! else is done about it (the server has given up on that request already).

use super::ClientError;
use crate::jsonrpc::{self, ErrorObject, Message, RequestId};
use serde_json::Value;
use std::fmt;

/// One progress report of a running call.
#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// How far along; the spec makes it a number that increases with each report.
    pub progress: f64,
    pub total: Option<f64>,
    pub message: Option<String>,
}

impl fmt::Display for Progress {
    /// `1/3 Looking up Hangzhou…`; numbers without a fraction print as integers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.progress)?;
        if let Some(total) = self.total {
            write!(f, "/{total}")?;
        }
        if let Some(message) = &self.message {
            write!(f, " {message}")?;
        }
        Ok(())
    }
}

/// Something that happened on a call's stream before the response: almost always a message the
/// server sent, and once in a while a cut it recovered from ([`Incoming::Resumed`]).
///
/// # Why an enum and not one callback per kind?
/// One callback with a `match` keeps the call's signature small, and a new kind of message is a
/// new variant. Answering a `Request` is not this callback's job: it only *shows* what arrived;
/// the answer comes from the client's elicitation handler (see [`super::McpClient::set_elicitation`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// `notifications/progress` for our call's token, or a tutorial `stream` line.
    Progress(Progress),
    /// Any other notification (`notifications/message`, a progress of another token...).
    Notification {
        method: String,
        params: Option<Value>,
    },
    /// Not a message: the call's stream was cut before its response, and picked up again with
    /// GET + `Last-Event-ID` after waiting `waited` (see `resume.rs`). Shown so a person can see
    /// why a call paused; the messages that follow continue where the cut left off.
    Resumed {
        last_event_id: String,
        waited: std::time::Duration,
    },
    /// A server-to-client request. `elicitation/create` is answered by the elicitation handler
    /// when one is set (and only then is the capability declared); anything else is answered
    /// `-32601 Method not found`.
    Request {
        id: RequestId,
        method: String,
        params: Option<Value>,
    },
}

/// What one received message means for the request we are waiting for.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Show it to the caller and keep reading.
    Event(Incoming),
    /// The response: the call is over.
    Answer(Value),
    /// An error response to our request: the call is over.
    Failed(ErrorObject),
    /// A response to some other request; nothing to do with us, keep reading.
    Unrelated,
}

/// A request waiting for its response, and how to read what arrives meanwhile.
#[derive(Debug)]
pub struct Pending {
    pub id: RequestId,
    pub progress_token: Option<Value>,
    /// Tutorial `stream` lines carry no number, so we count them.
    stream_lines: u32,
}

impl Pending {
    pub fn new(id: RequestId, progress_token: Option<Value>) -> Pending {
        Pending {
            id,
            progress_token,
            stream_lines: 0,
        }
    }

    /// Read one received message.
    ///
    /// # Errors
    /// [`ClientError::Protocol`] when it is neither JSON-RPC nor a tutorial `stream` line.
    pub fn take(&mut self, value: Value) -> Result<Step, ClientError> {
        // The tutorial's lines are checked first: `jsonrpc::classify` would reject them, since
        // they have an id but neither `method`, `result` nor `error`.
        if let Some(text) = tutorial_stream_line(&value) {
            self.stream_lines += 1;
            return Ok(Step::Event(Incoming::Progress(Progress {
                progress: f64::from(self.stream_lines),
                total: None,
                message: Some(text.to_string()),
            })));
        }
        let message = jsonrpc::classify(value).map_err(|e| {
            ClientError::Protocol(format!("the server sent an invalid JSON-RPC message: {e}"))
        })?;
        Ok(match message {
            Message::Response { id, result } if id == self.id => Step::Answer(result),
            // An error whose id is null is about a request the server could not read: on this
            // request's own stream, that can only be ours.
            Message::Error { id, error } if id.is_none() || id.as_ref() == Some(&self.id) => {
                Step::Failed(error)
            }
            Message::Response { .. } | Message::Error { .. } => Step::Unrelated,
            Message::Notification { method, params } => {
                Step::Event(self.notification(method, params))
            }
            Message::Request { id, method, params } => {
                Step::Event(Incoming::Request { id, method, params })
            }
        })
    }

    fn notification(&self, method: String, params: Option<Value>) -> Incoming {
        if method == "notifications/progress" {
            let p = params.as_ref();
            let token = p.and_then(|p| p.get("progressToken"));
            let progress = p.and_then(|p| p.get("progress")).and_then(Value::as_f64);
            // SPEC progress: notifications "MUST only reference tokens that: Were provided in an active request"; another token is not ours to show as progress.
            if let (Some(progress), true) = (progress, token == self.progress_token.as_ref()) {
                return Incoming::Progress(Progress {
                    progress,
                    total: p.and_then(|p| p.get("total")).and_then(Value::as_f64),
                    message: p
                        .and_then(|p| p.get("message"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                });
            }
        }
        Incoming::Notification { method, params }
    }
}

/// The text of a tutorial line `{"jsonrpc":"2.0","id":1,"stream":"..."}`, if `value` is one.
pub fn tutorial_stream_line(value: &Value) -> Option<&str> {
    let object = value.as_object()?;
    if ["method", "result", "error"]
        .iter()
        .any(|k| object.contains_key(*k))
    {
        return None;
    }
    object.get("stream")?.as_str()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pending() -> Pending {
        Pending::new(RequestId::Number(5), Some(json!("call-5")))
    }

    #[test]
    fn progress_with_our_token_becomes_progress_and_other_tokens_do_not() {
        let ours = json!({"jsonrpc":"2.0","method":"notifications/progress",
            "params":{"progressToken":"call-5","progress":1,"total":3,"message":"Looking up"}});
        let Step::Event(Incoming::Progress(p)) = pending().take(ours).unwrap() else {
            panic!()
        };
        assert_eq!(p.to_string(), "1/3 Looking up");
        let theirs = json!({"jsonrpc":"2.0","method":"notifications/progress",
            "params":{"progressToken":"other","progress":1}});
        assert!(matches!(
            pending().take(theirs).unwrap(),
            Step::Event(Incoming::Notification { .. })
        ));
    }

    #[test]
    fn tutorial_stream_lines_are_counted_as_progress() {
        let mut p = pending();
        for n in 1..=2 {
            let line = json!({"jsonrpc":"2.0","id":5,"stream":format!("chunk {n}")});
            let Step::Event(Incoming::Progress(progress)) = p.take(line).unwrap() else {
                panic!()
            };
            assert_eq!(progress.to_string(), format!("{n} chunk {n}"));
        }
        // The same object with a result is a response, not a stream line.
        assert!(tutorial_stream_line(&json!({"id":5,"stream":"x","result":{}})).is_none());
    }

    #[test]
    fn only_the_response_with_our_id_ends_the_call() {
        let mut p = pending();
        assert_eq!(
            p.take(json!({"jsonrpc":"2.0","id":4,"result":{}})).unwrap(),
            Step::Unrelated
        );
        assert_eq!(
            p.take(json!({"jsonrpc":"2.0","id":5,"result":{"ok":true}}))
                .unwrap(),
            Step::Answer(json!({"ok": true}))
        );
        let err =
            json!({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}});
        assert!(matches!(p.take(err).unwrap(), Step::Failed(e) if e.code == -32700));
    }

    #[test]
    fn server_requests_are_events_and_garbage_is_a_protocol_error() {
        let req = json!({"jsonrpc":"2.0","id":"s1","method":"elicitation/create","params":{}});
        assert!(matches!(
            pending().take(req).unwrap(),
            Step::Event(Incoming::Request { .. })
        ));
        assert!(matches!(
            pending().take(json!({"hello": 1})),
            Err(ClientError::Protocol(_))
        ));
    }
}
