//! What the socket side must do with one request, as the endpoint decides it.
//!
//! Implements no rule of the spec itself: it is the seam between `endpoint.rs` (every rule, no
//! sockets) and `socket.rs` (sockets, no rules). Its own file because both eras' rule files give
//! one back (`endpoint.rs` and `modern.rs`), and neither should import the other for it.

use crate::framing::Framing;
use crate::server::get_stream::GetStream;
use crate::server::http_sse::SseSession;
use crate::server::modern_call::ModernCall;
use crate::server::pump::Plan;
use crate::server::response::Whole;
use crate::server::stream::Stream;
use crate::server::worker::Job;
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
