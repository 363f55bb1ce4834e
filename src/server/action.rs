//! What the socket side must do with one request, as the endpoint decides it.
//!
//! Implements no rule of the spec itself: it is the seam between the rule files (`endpoint.rs`
//! and those it routes to, no sockets) and `socket.rs` (sockets, no rules). Its own file because
//! every rule file gives one back (`legacy.rs`, `modern.rs`, `endpoint.rs` for HTTP+SSE), and none
//! should import another for it.

use crate::framing::Framing;
use crate::server::get_stream::GetStream;
use crate::server::http_sse::SseSession;
use crate::server::modern_call::ModernCall;
use crate::server::pump::Plan;
use crate::server::request::RequestHead;
use crate::server::request_log::{emit, Facts, MessageFacts};
use crate::server::response::Whole;
use crate::server::stream::Stream;
use crate::server::worker::Job;
use crate::wire::knock_path;
use std::sync::Arc;

/// What the socket side must do with one request.
#[derive(Debug)]
pub enum Action {
    /// Write this response; it is complete.
    Send(Whole),
    /// A tool call: start `job` on its own thread, then stream its log to the client.
    StreamCall {
        framing: Framing,
        job: Job,
        plan: Plan,
    },
    /// `GET /mcp`: start its alerts if any, then stream the session's GET stream (or a resumed one).
    StreamGet(GetStream),
    /// A modern `tools/call`: run it on this request's thread, writing as it goes.
    RunCall(ModernCall),
    /// 2024-11-05 `GET /sse`: send the `endpoint` event and the session's stream; when the
    /// connection ends, end the session.
    OpenSseSession(SseSession),
    /// 2024-11-05 `POST /messages` with a tool call: answer 202, start `job`, and copy its log
    /// onto the session's stream `to`.
    AcceptCall { job: Job, to: Arc<Stream> },
}

impl Action {
    /// Log the request this action answers (`--log-requests`), and hand the action on. A modern
    /// call's answer is known only once its tool ran (a complete result, `input_required`, or a
    /// 400 for a missing capability), so its facts travel with the call, which logs them itself.
    pub fn logged(
        self,
        head: &RequestHead,
        message: Option<MessageFacts>,
        refused: Option<i64>,
    ) -> Action {
        let action = self;
        // The watchdog's knock (tiny_http_fixes.rs) is the server talking to itself, every couple of
        // seconds: not a client's request, and noise in a log a student reads.
        if head.path == knock_path() {
            return action;
        }
        let mut facts = Facts {
            message,
            ..Facts::of_head(head)
        };
        match action {
            Action::RunCall(mut call) => {
                call.log = Some(Box::new(facts));
                return Action::RunCall(call);
            }
            Action::Send(ref whole) => {
                facts.status = whole.status;
                facts.outcome = refused.map(|code| format!("error({code})"));
            }
            // A legacy call is answered in its framing: an SSE or NDJSON stream, or one JSON object
            // written once the tool is done.
            Action::StreamCall { framing, .. } => {
                facts.status = 200;
                facts.outcome = Some(framing_name(framing).into());
            }
            Action::StreamGet(_) | Action::OpenSseSession(_) => {
                facts.status = 200;
                facts.outcome = Some("stream".into());
            }
            // 2024-11-05: the call's answer goes on the session's stream, not on this response.
            Action::AcceptCall { .. } => {
                facts.status = 202;
                facts.outcome = Some("on-stream".into());
            }
        }
        emit(&facts);
        action
    }
}

/// What the log calls a framing.
fn framing_name(framing: Framing) -> &'static str {
    match framing {
        Framing::Sse => "sse",
        Framing::Ndjson => "ndjson",
        Framing::Json => "json",
    }
}
