//! # streamable-mcp
//!
//! A teaching implementation of the Model Context Protocol's **Streamable HTTP** transport, in
//! both eras: revision [2026-07-28](https://modelcontextprotocol.io/specification/2026-07-28/basic/transports/streamable-http)
//! (stateless, `_meta` on every request) beside
//! [2025-11-25](https://modelcontextprotocol.io/specification/2025-11-25/basic/transports)
//! (sessions, negotiating down to 2025-06-18 and 2025-03-26). Synchronous, one thread per request, on
//! `tiny_http` (server) and `ureq` (client). It is meant to be read; it is intentionally incomplete
//! and not meant to be deployed.
//!
//! ## The layout: four floors, each importing only the floors below
//! ```text
//! bin/            weather-server, mcp-client: choose the app, read the command line
//! server/  client/   the two ends of the transport (server: the only tiny_http user;
//!                    client: the only ureq user); neither imports the other
//! chat/           the model's side of `mcp-client chat` (chat completions), pure; beside
//!                 client/, importing nothing of the crate
//! mcp/            the MCP methods without a transport: dispatch, lifecycle, tools, catalog
//! weather/        the app: a catalog of tools and alerts; imports mcp/, imported by nobody but bin/
//! wire, jsonrpc, framing/ (sse, ndjson), header_value   names, messages, framings and header
//!                 encoding both ends share
//! ```
//! One `tools/call` goes down and back up once:
//! ```text
//! socket ─> server::socket      (tiny_http: head, body reader)        with tiny_http_fixes, the only tiny_http users
//!        ─> server::endpoint    (every transport rule: status codes, sessions, framing)
//!        ─> jsonrpc             (bytes → Message)
//!        ─> mcp::dispatch       (Message → Outcome: reply, accept, or a tool call)
//!        <─ server::worker      (the call runs on its thread, into a server::stream log)
//!        <─ server::pump        (the log → chunks, framed as Accept asked) <─ socket
//! ```
//!
//! ## Left out, on purpose
//! JSON-RPC batches (removed in 2025-06-18), OAuth authorization, TLS, roots, tasks. Resources,
//! prompts and completion exist as small modules, and sampling as a capability a tool may use
//! (`Context::can_sample`), for the conformance example
//! (`examples/conformance_server.rs`); the weather server does not use them. See
//! `docs/spec-coverage.md` for every rule and where it is checked.

#![forbid(unsafe_code)]

pub mod chat;
pub mod client;
pub mod framing;
pub mod header_value;
pub mod jsonrpc;
pub mod mcp;
pub mod server;
pub mod weather;
pub mod wire;
