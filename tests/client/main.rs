//! The client's tests, in one crate (one link of the library instead of six), one module per
//! concern. Each module names the rules it checks (MCP 2025-11-25) in its own `//!`.
//!
//! - `roundtrip`: our client against our server, in every framing;
//! - `errors`: the error paths, against the scripted fake of `fake.rs`;
//! - `elicitation`: the server asks, the client answers;
//! - `resume`: streams cut before their response, resumed with GET + `Last-Event-ID`;
//! - `modern`: revision 2026-07-28, and the choice between the eras (`--era`);
//! - `cli`: the `mcp-client` binary, run as a user would;
//! - `chat`: `mcp-client chat`, with a stand-in language model (`stand_in.rs`);
//! - `interop_python`: our client against the Python SDK's server (ignored unless asked for).

#[path = "../support/mod.rs"]
mod support;

mod fake;
mod stand_in;

mod chat;
mod cli;
mod elicitation;
mod errors;
mod interop_python;
mod modern;
mod resume;
mod roundtrip;
