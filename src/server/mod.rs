//! The server side of the Streamable HTTP transport (MCP 2025-11-25 `basic/transports`).
//!
//! Read it from the socket inwards, or from the rules outwards:
//!
//! | file | what it holds | touches tiny_http? |
//! |---|---|---|
//! | `socket.rs` | the accept loop, a thread per request, the one write path | yes |
//! | `tiny_http_fixes.rs` | what tiny_http 0.12 gets wrong, worked around from our side | yes |
//! | `unstick.rs` | with keep-alive, knocks that free a connection tiny_http's pool left stalled | no (plain TCP) |
//! | `endpoint.rs` | **one entry point**: a request in, an [`action::Action`] out; the checks every request passes, then the routing | no |
//! | `legacy.rs` | 2025-11-25's rules for `/mcp`: the handshake, sessions, a call on its stream, GET, DELETE | no |
//! | `action.rs` | what the socket side must do with a request: send, stream, or run a call | no |
//! | `era.rs` | which revision a request speaks: the handshake era or 2026-07-28 | no |
//! | `modern.rs` | 2026-07-28's rules for a POST: `_meta`, mirrored headers, versions | no |
//! | `home_page.rs` | `GET /`: the page a binary hands the server, its headers and its content policy | no |
//! | `header_values.rs` | 2026-07-28 headers that repeat the body: `=?base64?…?=`, `Mcp-Param-*` | no |
//! | `modern_call.rs` | a modern `tools/call`, on its request's thread, written as it goes | no (a `dyn Write`) |
//! | `request_state.rs` | 2026-07-28 `requestState`: signed, bound to its request, expiring | no |
//! | `request_log.rs` | `--log-requests`: one line per request, what arrived and what was answered | no |
//! | `request.rs` | the request's head as plain values, and reading its body under the rules | no |
//! | `accept.rs` | the framing a request's `Accept` asks for | no |
//! | `http_sse.rs` | 2024-11-05's HTTP+SSE (`--http-sse`): `GET /sse`, `POST /messages`, one stream | no |
//! | `get_stream.rs` | `GET /mcp`: the session's own stream, and resuming after `Last-Event-ID` | no |
//! | `rejection.rs` | every refusal, and the one table from refusal to HTTP status + JSON-RPC error | no |
//! | `security.rs` | `Origin`, `Host`, the bearer token | no |
//! | `session.rs` | what one session remembers: its streams, running calls, GET stream, questions | no |
//! | `session_store.rs` | every live session by `Mcp-Session-Id`: minted, looked up, expired, capped | no |
//! | `threads.rs` | threads kept for the next request: one per request in flight, never shared | no |
//! | `stream.rs` | a call's messages in a bounded log, with event ids | no |
//! | `worker.rs` | the producers: a tool call on its thread, the GET stream's notifications | no |
//! | `pump.rs` | copying a stream's log to a connection, event by event | no (a `dyn Write`) |
//! | `response.rs` | the bytes of an HTTP/1.1 response, built by hand | no |
//! | `config.rs` | the settings and the server binaries' command line | no |
//! | `locks.rs` | the one way we take a lock another thread may have poisoned | no |
//!
//! The server knows MCP methods only through `crate::mcp` (dispatch, tools, the catalog), and
//! knows no app: the binary hands it a catalog (`weather-server` hands it the weather app's).

pub mod accept;
pub mod action;
pub mod config;
pub mod endpoint;
pub mod era;
pub mod get_stream;
pub mod header_values;
pub mod home_page;
pub mod http_sse;
pub mod legacy;
pub mod locks;
pub mod modern;
pub mod modern_call;
pub mod pump;
pub mod rejection;
pub mod request;
pub mod request_log;
pub mod request_state;
pub mod response;
pub mod security;
pub mod session;
pub mod session_store;
pub mod socket;
pub mod stream;
pub mod threads;
pub mod tiny_http_fixes;
pub mod unstick;
pub mod worker;
