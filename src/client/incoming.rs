//! What a call hears on its stream before its response, sorted for the caller: progress for our
//! token, other notifications, and the server's own requests.
//!
//! Implements the client side of MCP 2025-11-25 `basic/utilities/progress` (a progress
//! notification is ours only when it carries our call's token). Not MCP: the tutorial's NDJSON
//! `{"stream": "..."}` lines, counted and shown as progress. The loop that reads them off the
//! wire, resuming and answering, is `channel.rs`; this file only names and sorts.
//!
//! Left out: checking that progress increases (the server's MUST; we show what arrives).

use crate::jsonrpc::RequestId;
use serde::Deserialize;
use serde_json::Value;
use std::fmt;
use std::time::Duration;

/// Something that happened on a call's stream before the response. One enum and one callback
/// rather than a callback per kind: the call's signature stays small. The callback only *shows*
/// what arrived; a `Request` is answered by the elicitation handler.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    /// `notifications/progress` for our call's token, or a tutorial `stream` line.
    Progress(Progress),
    /// Any other notification (`notifications/message`, another token's progress...).
    Notification {
        method: String,
        params: Option<Value>,
    },
    /// Not a message: the stream was cut, and picked up again with GET + `Last-Event-ID` after
    /// waiting `waited`, so a person can see why a call paused.
    Resumed {
        last_event_id: String,
        waited: Duration,
    },
    /// Not a message: in the modern era a cut stream cannot be resumed, so the request was sent
    /// again with a new id (`attempt` counts from 1), after waiting `waited`.
    Reissued { attempt: u32, waited: Duration },
    /// Not a message: a modern call's result asked for input (its `inputRequests` keys); the
    /// answers go back in a new request.
    InputRequired { keys: Vec<String> },
    /// A server-to-client request: `elicitation/create` goes to the handler when one is set;
    /// anything else is answered `-32601 Method not found`.
    Request {
        id: RequestId,
        method: String,
        params: Option<Value>,
    },
}

/// One progress report of a running call: the params of `notifications/progress`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
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
        match &self.message {
            Some(message) => write!(f, " {message}"),
            None => Ok(()),
        }
    }
}

/// Our request, waiting for its response across every connection its stream takes.
pub(super) struct Pending {
    pub(super) id: RequestId,
    pub(super) progress_token: Option<Value>,
    /// Tutorial `stream` lines carry no number, so we count them.
    pub(super) stream_lines: u32,
}

impl Pending {
    /// The tutorial's `{"jsonrpc":"2.0","id":1,"stream":"..."}` line as progress, if `value` is
    /// one. Checked before `jsonrpc::classify`, which rightly rejects such a line: it has an id
    /// but neither `method`, `result` nor `error`.
    pub(super) fn stream_line(&mut self, value: &Value) -> Option<Incoming> {
        let object = value.as_object()?;
        if ["method", "result", "error"]
            .iter()
            .any(|k| object.contains_key(*k))
        {
            return None;
        }
        let message = Some(object.get("stream")?.as_str()?.to_string());
        self.stream_lines += 1;
        let progress = f64::from(self.stream_lines);
        Some(Incoming::Progress(Progress {
            progress,
            total: None,
            message,
        }))
    }

    /// Progress for our token, any other notification as it is.
    pub(super) fn notification(&self, method: String, params: Option<Value>) -> Incoming {
        let token = params.as_ref().and_then(|p| p.get("progressToken"));
        // SPEC progress: notifications "MUST only reference tokens that: Were provided in an active request"; another token is not ours to show as progress.
        let ours = method == "notifications/progress" && token == self.progress_token.as_ref();
        match params.as_ref().map(Progress::deserialize) {
            Some(Ok(progress)) if ours => Incoming::Progress(progress),
            _ => Incoming::Notification { method, params },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pending() -> Pending {
        Pending {
            id: RequestId::Number(5),
            progress_token: Some(json!("call-5")),
            stream_lines: 0,
        }
    }

    #[test]
    fn progress_with_our_token_becomes_progress_and_other_tokens_do_not() {
        let ours = json!({"progressToken":"call-5","progress":1,"total":3,"message":"Looking up"});
        let method = || "notifications/progress".to_string();
        let Incoming::Progress(p) = pending().notification(method(), Some(ours)) else {
            panic!()
        };
        assert_eq!(p.to_string(), "1/3 Looking up");
        let theirs = json!({"progressToken":"other","progress":1});
        assert!(matches!(
            pending().notification(method(), Some(theirs)),
            Incoming::Notification { .. }
        ));
    }

    #[test]
    fn tutorial_stream_lines_are_counted_as_progress() {
        let mut p = pending();
        for n in 1..=2 {
            let line = json!({"jsonrpc":"2.0","id":5,"stream":format!("chunk {n}")});
            let Some(Incoming::Progress(progress)) = p.stream_line(&line) else {
                panic!()
            };
            assert_eq!(progress.to_string(), format!("{n} chunk {n}"));
        }
        // The same object with a result is a response, not a stream line.
        assert!(p
            .stream_line(&json!({"id":5,"stream":"x","result":{}}))
            .is_none());
    }
}
