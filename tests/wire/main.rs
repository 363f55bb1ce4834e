//! The wire, rule by rule: raw HTTP/1.1 requests to a real server on `127.0.0.1:0`, and the exact
//! bytes that come back. Each module is one part of MCP 2025-11-25 `basic/transports` (or the
//! `weather-server` binary's command line); each test is named after the rule it checks, and
//! `docs/spec-coverage.md` maps every MUST and SHOULD to one of them.
//!
//! One test crate with modules, not one crate per file: each crate links the library again, which
//! on two cores costs more than the tests themselves.

#[path = "../support/mod.rs"]
mod support;

mod binary;
mod framing;
mod home_page;
mod http;
mod http_sse;
mod messages;
mod modern;
mod session;
mod streams;
