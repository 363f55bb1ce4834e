//! A blocking MCP client for the Streamable HTTP transport, in both eras: revision 2026-07-28
//! (modern, stateless) and 2025-11-25 with the two before it (legacy, with a session).
//!
//! The client is [`McpClient`] (`mcp_client.rs`): the MCP methods a caller uses, in both eras.
//! This file is the module's map; what the client leaves out is listed in `mcp_client.rs`.
//!
//! Below `mcp_client.rs`: `channel.rs` (the request loop), `incoming.rs` (what a call hears, sorted),
//! `reader.rs` (messages out of a body), `elicitation.rs` (the server's questions), `handshake.rs`
//! (`initialize`'s params, the version check, `clientInfo`), `era.rs`
//! (which era a server speaks), `modern.rs` (what makes a request modern, and how a modern result
//! reads), `tool_headers.rs` (`Mcp-Param-*`), `error.rs`, and `transport.rs` (ureq, nothing else; its `JsonEndpoint` also carries
//! `mcp-client chat`'s requests to a language model, which are not MCP).
//! The command line, `mcp-client` (`src/bin/mcp-client/`), is a user of this library.
//!
//! ```no_run
//! use streamable_mcp::client::{Incoming, McpClient, Options};
//! let mut client = McpClient::connect("http://127.0.0.1:8000/mcp", Options::default())?;
//! let args = serde_json::json!({ "city": "Hangzhou" });
//! let result = client.call_tool("get_weather", args, &mut |event| {
//!     if let Incoming::Progress(p) = event {
//!         println!("progress {p}");
//!     }
//! })?;
//! println!("{}", result.text);
//! client.close()?;
//! # Ok::<(), streamable_mcp::client::ClientError>(())
//! ```

mod channel;
mod elicitation;
pub mod era;
mod error;
mod handshake;
mod incoming;
mod mcp_client;
mod modern;
mod options;
mod reader;
mod tool_headers;
mod tools;
mod transport;

pub use self::channel::{Trace, MAX_REISSUES};
pub use self::elicitation::{ElicitAnswer, ElicitRequest, ElicitationHandler};
pub use self::era::{Era, EraChoice};
pub use self::error::ClientError;
pub use self::incoming::{Incoming, Progress};
pub use self::mcp_client::{McpClient, MAX_INPUT_ROUNDS};
pub use self::options::Options;
pub use self::reader::{MessageReader, ResumePoint};
pub use self::tools::{CallResult, ToolInfo};
pub use self::transport::{JsonEndpoint, PlainResponse};
pub use crate::framing::Framing;
