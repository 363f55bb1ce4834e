//! What a client is told before it connects: framing, credentials, timeouts.
//!
//! Implements MCP 2025-11-25 `basic/transports` §Sending Messages to the Server #2 (the `Accept`
//! header of every POST), and chooses the limits the spec leaves to implementations: how long to
//! wait to connect, for an answer, and through a silent stream.
//!
//! Left out: per-request timeouts (every request shares these), and a configurable policy for
//! resuming cut streams (its default `retry`, attempts and backoff cap are constants in
//! `resume.rs`).

use crate::framing::Framing;
use std::time::Duration;

/// How long the client waits, and for what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Until the TCP connection is up.
    pub connect: Duration,
    /// From the end of our request until the answer's status line and headers.
    pub response: Duration,
    /// The longest silence *inside* an answer's body. It must be longer than the server's
    /// heartbeat (ours writes one every 500 ms on a quiet stream), or a slow call looks dead.
    /// With JSON-only framing there are no heartbeats, so a tool slower than this fails.
    pub stall: Duration,
}

/// How the client talks: framing, credentials, limits.
#[derive(Debug, Clone)]
pub struct Options {
    /// The framing we ask for with `Accept`; see [`accept_header`].
    pub framing: Framing,
    /// Sent as `Authorization: Bearer <token>` on every request.
    pub bearer_token: Option<String>,
    pub timeouts: Timeouts,
    /// `clientInfo.name` in `initialize`.
    pub client_name: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            framing: Framing::Sse,
            bearer_token: None,
            timeouts: Timeouts {
                connect: Duration::from_secs(5),
                response: Duration::from_secs(30),
                stall: Duration::from_secs(10),
            },
            client_name: "streamable-mcp-client".to_string(),
        }
    }
}

/// The `Accept` header for a framing.
pub fn accept_header(framing: Framing) -> &'static str {
    match framing {
        // SPEC transports#sending-messages 2: "The client MUST include an Accept header, listing both application/json and text/event-stream as supported content types."
        Framing::Sse => "application/json, text/event-stream",
        // Not MCP: our server's tutorial framing (a spec-only server, like the Python SDK's, answers
        // 406). JSON stays listed, so answers with nothing to stream still come as one object.
        Framing::Ndjson => "application/json, application/x-ndjson",
        // Not MCP either: with nowhere to put progress, the server drops it and sends the result.
        Framing::Json => "application/json",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_header_names_the_framing_asked_for() {
        assert!(accept_header(Framing::Ndjson).contains("application/x-ndjson"));
        assert_eq!(accept_header(Framing::Json), "application/json");
    }
}
