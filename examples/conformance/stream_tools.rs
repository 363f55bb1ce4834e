//! Fixture tools that send messages on the call's own stream before their result, or end the
//! HTTP response under it.
//!
//! Implements the fixtures of the conformance suite's `tools-call-with-logging`,
//! `tools-call-with-progress` and (pending) `server-sse-polling` scenarios, exercising MCP
//! 2025-11-25 `server/utilities/logging` (`notifications/message`), `basic/utilities/progress`,
//! and `basic/transports` §Sending Messages #6 (SSE polling: the server closes the connection
//! mid-call, the client resumes with `Last-Event-ID`).

use super::content_tools::no_arguments;
use serde_json::{json, Map, Value};
use std::time::Duration;
use streamable_mcp::jsonrpc::Message;
use streamable_mcp::mcp::tools::Stop;
use streamable_mcp::mcp::tools::{text_item, Context, Tool, ToolResult};

/// The pause between two messages of one call: long enough that a client sees them arrive one by
/// one (the suite's reference servers use the same), short enough to keep the suite fast.
const BETWEEN: Duration = Duration::from_millis(50);

pub const WITH_LOGGING: Tool = Tool {
    name: "test_tool_with_logging",
    title: "Logging",
    description:
        "Sends three info log messages (notifications/message) during the call, then a text.",
    input_schema: no_arguments,
    output_schema: None,
    read_only: true,
    run: with_logging,
};

/// The texts of the three log messages, in order.
pub const LOG_TEXTS: [&str; 3] = [
    "Tool execution started",
    "Tool processing data",
    "Tool execution completed",
];

fn with_logging(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    for (i, text) in LOG_TEXTS.iter().enumerate() {
        if i > 0 {
            cx.outbox.pause(BETWEEN)?;
        }
        // The outbox puts them on this call's stream, so they reach the client on the POST's
        // response, before the result, and not on the GET stream that may not even be open.
        cx.outbox.send(Message::notification(
            "notifications/message",
            json!({ "level": "info", "logger": "conformance", "data": text }),
        ))?;
    }
    // We send whatever level `logging/setLevel` asked for (dispatch.rs ignores the level), so a
    // client that asked for "error" still gets these three. The suite asks for "debug".
    Ok(ToolResult::content(vec![text_item(
        "Logging test completed: sent 3 log messages.",
    )]))
}

pub const WITH_PROGRESS: Tool = Tool {
    name: "test_tool_with_progress",
    title: "Progress",
    description:
        "Reports progress 0, 50 and 100 of 100 when the request carries _meta.progressToken.",
    input_schema: no_arguments,
    output_schema: None,
    read_only: true,
    run: with_progress,
};

fn with_progress(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    // `Context::progress` sends nothing without a token; saying so in the result helps a person
    // who forgot to send one.
    let Some(token) = &cx.progress_token else {
        return Ok(ToolResult::content(vec![text_item(
            "No _meta.progressToken was sent, so no progress was reported.",
        )]));
    };
    cx.progress(0, 100, "Completed step 0 of 100")?;
    cx.outbox.pause(BETWEEN)?;
    cx.progress(50, 100, "Completed step 50 of 100")?;
    cx.outbox.pause(BETWEEN)?;
    cx.progress(100, 100, "Completed step 100 of 100")?;
    Ok(ToolResult::content(vec![text_item(&format!(
        "Progress 0, 50 and 100 of 100 reported for token {token}."
    ))]))
}

pub const RECONNECTION: Tool = Tool {
    name: "test_reconnection",
    title: "Reconnection",
    description: "Ends the HTTP response of its own call before the result, so the client must \
resume with GET and Last-Event-ID to get it (SSE polling).",
    input_schema: no_arguments,
    output_schema: None,
    read_only: true,
    run: reconnection,
};

/// How long the call waits before ending the response under it. See [`reconnection`].
pub const BEFORE_CUT: Duration = Duration::from_millis(10);
/// How long the call goes on after that before its result: the result is genuinely "mid-call".
pub const AFTER_CUT: Duration = Duration::from_millis(200);

fn reconnection(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    // The connection may attach to this call's stream a moment after the tool starts (they run on
    // different threads); it still obeys this cut, because its plan holds the stream's cut count
    // from before the tool started. The short pause only makes the call look like real work.
    cx.outbox.pause(BEFORE_CUT)?;
    cx.outbox.end_response();
    cx.outbox.pause(AFTER_CUT)?;
    // The result goes into the stream's log like any message; the client's GET with the priming
    // event's id as `Last-Event-ID` reads it from there, whether it came before or after this.
    Ok(ToolResult::content(vec![text_item(
        "Reconnection test completed: this result was sent after the POST response had ended.",
    )]))
}
