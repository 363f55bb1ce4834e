//! The MCP methods a server answers, apart from any transport.
//!
//! Everything here is plain values in, plain values out: a JSON-RPC [`crate::jsonrpc::Message`]
//! goes into [`dispatch::dispatch`], and an [`dispatch::Outcome`] comes back, saying what the
//! transport must do (reply, accept, start a call). No file here knows HTTP, sessions or streams;
//! a running tool reaches the client only through the [`tools::Outbox`] trait.
//!
//! | file | MCP 2025-11-25 | what it holds |
//! |---|---|---|
//! | `dispatch.rs` | every method we route | method name → [`dispatch::Outcome`] |
//! | `lifecycle.rs` | `basic/lifecycle` | `initialize`: its params, version negotiation, the result |
//! | `modern.rs` | 2026-07-28 `basic/index`, `server/discover` | the modern era's router: `_meta`, `resultType`, caching |
//! | `catalog.rs` | `server/tools`, capabilities | what a server offers, as data the binary picks |
//! | `tools.rs` | `server/tools`, `basic/utilities/progress` | a tool, a checked call, its result, the outbox |
//! | `resources.rs`, `prompts.rs`, `completion.rs` | `server/resources`, `server/prompts`, `server/utilities/completion` | the optional features (the conformance example uses them) |

pub mod catalog;
pub mod completion;
pub mod dispatch;
pub mod lifecycle;
pub mod modern;
pub mod prompts;
pub mod resources;
pub mod tools;
