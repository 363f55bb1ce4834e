//! How a client talks: the era it tries, the framing it asks for, its credentials, its timeouts.
//!
//! Implements no rule of its own: every field is a choice the specification leaves to the client
//! (MCP 2026-07-28 and 2025-11-25 `basic/transports`: which `Accept`, which era first, how long to
//! wait). One set for every request of a client; a production client might vary the timeouts per
//! method (a long tool call against a quick `tools/list`).

use super::era::EraChoice;
use crate::framing::Framing;
use std::time::Duration;

/// How the client talks: framing, credentials, timeouts (one set for every request).
#[derive(Debug, Clone)]
pub struct Options {
    /// Which era to speak (`--era`): auto, the default, tries 2026-07-28 first.
    pub era: EraChoice,
    /// The framing we ask for with `Accept` (SSE, the spec's; NDJSON or JSON only are ours).
    pub framing: Framing,
    /// Sent as `Authorization: Bearer <token>` on every request.
    pub bearer_token: Option<String>,
    /// `clientInfo.name`: in `initialize` (legacy), in every request's `_meta` (modern).
    pub client_name: String,
    /// Until the TCP connection is up.
    pub connect_timeout: Duration,
    /// From the end of our request until the answer's status line and headers.
    pub response_timeout: Duration,
    /// The longest silence *inside* a body. Longer than the server's heartbeat (ours: 500 ms on a
    /// quiet stream), or a slow call looks dead; with JSON-only framing there are no heartbeats.
    pub stall_timeout: Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            era: EraChoice::Auto,
            framing: Framing::Sse,
            bearer_token: None,
            client_name: "streamable-mcp-client".to_string(),
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(30),
            stall_timeout: Duration::from_secs(10),
        }
    }
}
