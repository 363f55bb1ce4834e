//! # streamable-mcp
//!
//! A teaching implementation of the Model Context Protocol's **Streamable HTTP** transport,
//! revision [2025-11-25](https://modelcontextprotocol.io/specification/2025-11-25/basic/transports),
//! negotiating down to 2025-06-18 and 2025-03-26. Synchronous, one thread per request, on
//! `tiny_http` (server) and `ureq` (client). It is meant to be read; it is intentionally incomplete
//! and not meant to be deployed.
//!
//! ## The chain of representations (one module per step)
//! ```text
//! bytes on a socket ──> http::server   (tiny_http: head, capped body)         the only tiny_http user
//!                   ──> endpoint       (the transport's rules: status codes, sessions, framing)
//!                   ──> jsonrpc        (bytes → Message: request / notification / response)
//!                   ──> dispatch       (Message → Outcome: reply, accept, or a tool call)
//!                   ──> tools          (a Call runs, reporting progress to an Outbox)
//!                   ──> stream         (the call's messages, in a bounded log)
//!                   ──> framing / sse / ndjson (Message → bytes, as Accept asked)
//!                   ──> http::response (status line, headers, chunks) ──> socket
//! ```
//! Around them: `wire` (names and numbers), `rejection` (every refusal → HTTP status + JSON-RPC
//! error), `session`, `security`, `mcp` (initialize and version negotiation), `config`.
//! What a server offers: `catalog` (its inventory), `tools`, and the optional features the
//! weather server leaves empty and the conformance example fills: `resources`, `prompts`,
//! `completion`.
//! The other side of the wire: `client` (a blocking ureq client and the `mcp-client` CLI's logic).
//!
//! ## Left out, on purpose
//! JSON-RPC batches (removed in 2025-06-18), OAuth authorization, TLS, roots, tasks. Resources,
//! prompts, completion and sampling exist as small modules for the conformance example
//! (`examples/conformance_server.rs`); the weather server does not use them. See
//! `docs/spec-coverage.md` for every rule and where it is checked.

#![forbid(unsafe_code)]

pub mod catalog;
pub mod client;
pub mod completion;
pub mod config;
pub mod dispatch;
pub mod endpoint;
pub mod framing;
pub mod http;
pub mod jsonrpc;
pub mod listen;
pub mod mcp;
pub mod prompts;
pub mod rejection;
pub mod resources;
pub mod security;
pub mod session;
pub mod stream;
pub mod tools;
pub mod wire;
pub mod worker;
