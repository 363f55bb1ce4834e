//! The course labs' checkers (`docs/labs/`): one test per lab, ignored by default so that plain
//! `cargo test` passes on the tree as it is. A student runs the one of the lab at hand:
//!
//! ```text
//! cargo test --test labs lab_03 -- --ignored
//! ```
//!
//! It fails, saying what is missing, until the lab is done. Each checker talks to the server the
//! way a client does (HTTP, the `weather-server` binary, the student's script) and never through a
//! Rust API that a lab asks the student to write, so this file compiles before and after every lab.
//! `tests/labs/prove.sh` shows that each checker fails on the tree as it is and passes with the
//! reference solution (`docs/labs/solutions/lab_NN.patch`).

mod support;

#[path = "labs/cluster_lab.rs"]
mod cluster_lab;
#[path = "labs/common.rs"]
mod common;
#[path = "labs/http_sse_lab.rs"]
mod http_sse_lab;
#[path = "labs/modern_labs.rs"]
mod modern_labs;
#[path = "labs/recorder.rs"]
mod recorder;
#[path = "labs/rust_labs.rs"]
mod rust_labs;
#[path = "labs/script_labs.rs"]
mod script_labs;

/// Lab 1: `docs/labs/lab01/handshake.sh` runs initialize, initialized, a streamed call and DELETE
/// with curl.
#[test]
#[ignore = "lab checker: run with --ignored"]
fn lab_01_handshake_by_hand() {
    script_labs::handshake_by_hand();
}

/// Lab 2: a `convert_temperature` tool in `src/weather/convert.rs`, listed in `weather::CATALOG`.
#[test]
#[ignore = "lab checker: run with --ignored"]
fn lab_02_add_a_tool() {
    rust_labs::add_a_tool();
}

/// Lab 3: `feels_like_c` in `get_weather`'s `outputSchema` and `structuredContent`.
#[test]
#[ignore = "lab checker: run with --ignored"]
fn lab_03_structured_output() {
    rust_labs::structured_output();
}

/// Lab 4: `docs/labs/lab04/resume.sh` resumes a cut stream with `GET` + `Last-Event-ID`.
#[test]
#[ignore = "lab checker: run with --ignored"]
fn lab_04_cut_and_resume() {
    script_labs::cut_and_resume();
}

/// Lab 5: `docs/labs/lab05/client.py`, a client in Python's standard library.
#[test]
#[ignore = "lab checker: run with --ignored"]
fn lab_05_client_in_another_language() {
    script_labs::client_in_another_language();
}

/// Lab 6: `weather-server --max-calls-per-session N` refuses a session's call beyond N running
/// ones with 429 + `Retry-After`.
#[test]
#[ignore = "lab checker: run with --ignored"]
fn lab_06_cap_the_calls_per_session() {
    rust_labs::cap_the_calls_per_session();
}

/// Lab 7: `docs/labs/lab07/modern_call.sh` makes a 2026-07-28 call with curl: `server/discover`,
/// then `tools/call` with `_meta` and the mirrored headers, as the server's request log sees them.
#[test]
#[ignore = "lab checker: run with --ignored"]
fn lab_07_modern_call_by_hand() {
    modern_labs::modern_call_by_hand();
}

/// Lab 8: `docs/labs/lab08/input_required.sh` answers an `input_required` result with its
/// `requestState`, then sends a tampered one and prints the refusal.
#[test]
#[ignore = "lab checker: run with --ignored"]
fn lab_08_input_required_by_hand() {
    modern_labs::input_required_by_hand();
}

/// Lab 9: `docs/labs/lab09/routing.conf` routes three instances behind nginx: 2026-07-28 calls
/// round robin, each 2025-11-25 session back to its instance, a dead instance's sessions to a 404.
#[test]
#[ignore = "lab checker: run with --ignored"]
fn lab_09_scale_out_by_hand() {
    cluster_lab::scale_out_by_hand();
}

/// Lab 10: `docs/labs/lab10/lose_a_call.sh` cuts revision 2024-11-05's stream during a call and
/// shows that the session and the call's result are lost.
#[test]
#[ignore = "lab checker: run with --ignored"]
fn lab_10_lose_a_call_on_http_sse() {
    http_sse_lab::lose_a_call_on_http_sse();
}
