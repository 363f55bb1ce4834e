//! The HTTP side of the server: the only code that touches tiny_http (`server.rs`), the bytes of
//! HTTP/1.1 responses we write ourselves (`response.rs`), the listening socket's options (`listener.rs`), and the writer that copies a stream to a
//! connection, event by event (`pump.rs`).
//!
//! Implements the I/O half of MCP 2025-11-25 `basic/transports` §Streamable HTTP; the rules live in
//! `endpoint.rs`.

pub mod listener;
pub mod pump;
pub mod response;
pub mod server;
