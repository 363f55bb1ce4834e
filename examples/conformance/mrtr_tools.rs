//! Fixture tools that ask the client for input the 2026-07-28 way (MRTR): the question leaves in an
//! `input_required` result under a key, and the answer comes back, under the same key, with the
//! request sent again.
//!
//! Implements the fixtures of the conformance suite's `input-required-result-*` scenarios (SEP-2322,
//! MCP 2026-07-28 `basic/patterns/mrtr`). A tool just calls `cx.outbox.ask_as(key, …)`: answered
//! (this round brought it, or an earlier round's signed state did), it gets the answer; not yet,
//! it gets `Stop::AwaitingInput`, asks whatever else it needs this round, and ends. The transport
//! turns that into the `input_required` result (`server/modern_call.rs`). In the legacy era the
//! same call asks mid-call, as the other fixtures do.
//!
//! Also the diagnostic tools of `server-stateless`: a capability that must be declared (-32021),
//! a question on a streamed call, and a log line that only a `logLevel` lets out.
//!
//! The prompt of `input-required-result-non-tool-request` is in `prompt_fixtures.rs` (`asks`).

use super::content_tools::no_arguments;
use serde_json::{json, Map, Value};
use streamable_mcp::jsonrpc::Message;
use streamable_mcp::mcp::tools::{text_item, Context, NoAnswer, Stop, Tool, ToolResult};

/// The answer to the question `key`, `None` when it has been asked and waits for the next round.
fn answer(cx: &Context, key: &str, method: &str, params: Value) -> Result<Option<Value>, Stop> {
    match cx.outbox.ask_as(key, method, params, cx.answer_timeout) {
        Ok(Message::Response { result, .. }) => Ok(Some(result)),
        Err(NoAnswer::Stopped(Stop::AwaitingInput)) => Ok(None),
        Err(NoAnswer::Stopped(stop)) => Err(stop),
        // An error answer, a time-out, no way to ask: an answer with nothing in it.
        Ok(_) | Err(_) => Ok(Some(Value::Null)),
    }
}

fn form(message: &str, field: &str, kind: &str) -> Value {
    json!({
        "message": message,
        "requestedSchema": {
            "type": "object",
            "properties": { field: { "type": kind } },
            "required": [field]
        }
    })
}

fn sampling(text: &str, max_tokens: u32) -> Value {
    json!({
        "messages": [{ "role": "user", "content": { "type": "text", "text": text } }],
        "maxTokens": max_tokens
    })
}

/// The `field` of an accepted form, if the answer is one.
fn field(answer: &Value, field: &str) -> Option<String> {
    (answer["action"] == "accept")
        .then(|| answer["content"][field].as_str().map(str::to_string))
        .flatten()
}

fn done(text: String) -> Result<ToolResult, Stop> {
    Ok(ToolResult::content(vec![text_item(&text)]))
}

const fn tool(
    name: &'static str,
    run: fn(&Map<String, Value>, &Context) -> Result<ToolResult, Stop>,
) -> Tool {
    Tool {
        name,
        title: name,
        description: "A fixture of the conformance suite's input-required-result scenarios.",
        input_schema: no_arguments,
        output_schema: None,
        read_only: true,
        run,
    }
}

fn elicitation(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    let question = || form("What is your name?", "name", "string");
    let Some(first) = answer(cx, "user_name", "elicitation/create", question())? else {
        return Err(Stop::AwaitingInput);
    };
    match field(&first, "name") {
        Some(name) => done(format!("Hello, {name}!")),
        // An answer of the wrong shape: ask again rather than guess.
        None => match answer(cx, "user_name_again", "elicitation/create", question())? {
            Some(again) => done(format!(
                "Hello, {}!",
                field(&again, "name").unwrap_or_default()
            )),
            None => Err(Stop::AwaitingInput),
        },
    }
}

fn sampling_tool(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    let params = sampling("What is the capital of France?", 100);
    let Some(reply) = answer(cx, "capital_question", "sampling/createMessage", params)? else {
        return Err(Stop::AwaitingInput);
    };
    done(format!(
        "The model said: {}",
        reply["content"]["text"].as_str().unwrap_or("")
    ))
}

fn list_roots(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    let Some(roots) = answer(cx, "client_roots", "roots/list", json!({}))? else {
        return Err(Stop::AwaitingInput);
    };
    let uris: Vec<&str> = roots["roots"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["uri"].as_str())
        .collect();
    done(format!("The client's roots: {}", uris.join(", ")))
}

fn request_state(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    match answer(
        cx,
        "confirm",
        "elicitation/create",
        form("Please confirm", "ok", "boolean"),
    )? {
        // The transport checked the state's signature before the tool ran: it is valid.
        Some(_) => done("state-ok: the requestState came back intact".into()),
        None => Err(Stop::AwaitingInput),
    }
}

fn multiple_inputs(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    // All three asked in one round: each `None` is a question that leaves with the others.
    let name = answer(
        cx,
        "user_name",
        "elicitation/create",
        form("What is your name?", "name", "string"),
    )?;
    let greeting = answer(
        cx,
        "greeting",
        "sampling/createMessage",
        sampling("Generate a greeting", 50),
    )?;
    let roots = answer(cx, "client_roots", "roots/list", json!({}))?;
    match (name, greeting, roots) {
        (Some(name), Some(greeting), Some(_)) => done(format!(
            "{} {}",
            greeting["content"]["text"].as_str().unwrap_or("Hello"),
            field(&name, "name").unwrap_or_default()
        )),
        _ => Err(Stop::AwaitingInput),
    }
}

fn multi_round(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    let step1 = form("Step 1: What is your name?", "name", "string");
    let Some(name) = answer(cx, "step1", "elicitation/create", step1)? else {
        return Err(Stop::AwaitingInput);
    };
    let step2 = form("Step 2: What is your favorite color?", "color", "string");
    let Some(color) = answer(cx, "step2", "elicitation/create", step2)? else {
        return Err(Stop::AwaitingInput);
    };
    let (name, color) = (
        field(&name, "name").unwrap_or_default(),
        field(&color, "color").unwrap_or_default(),
    );
    done(format!("{name} likes {color}"))
}

fn capabilities(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    // Only what the client declared in this request's `_meta` may be asked.
    let mut waiting = false;
    if cx.can_elicit {
        waiting |= answer(
            cx,
            "user_name",
            "elicitation/create",
            form("What is your name?", "name", "string"),
        )?
        .is_none();
    }
    if cx.can_sample {
        waiting |= answer(
            cx,
            "greeting",
            "sampling/createMessage",
            sampling("Generate a greeting", 50),
        )?
        .is_none();
    }
    if waiting {
        return Err(Stop::AwaitingInput);
    }
    done("Asked only what the client can answer.".into())
}

pub const ELICITATION: Tool = tool("test_input_required_result_elicitation", elicitation);
pub const SAMPLING: Tool = tool("test_input_required_result_sampling", sampling_tool);
pub const LIST_ROOTS: Tool = tool("test_input_required_result_list_roots", list_roots);
pub const REQUEST_STATE: Tool = tool("test_input_required_result_request_state", request_state);
pub const MULTIPLE_INPUTS: Tool = tool(
    "test_input_required_result_multiple_inputs",
    multiple_inputs,
);
pub const MULTI_ROUND: Tool = tool("test_input_required_result_multi_round", multi_round);
pub const TAMPERED_STATE: Tool = tool("test_input_required_result_tampered_state", request_state);
pub const CAPABILITIES: Tool = tool("test_input_required_result_capabilities", capabilities);

// The diagnostic tools of the suite's `server-stateless` scenario (SEP-2575).

fn missing_capability(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    // It needs sampling; a client that did not declare it gets -32021, never a question.
    if !cx.can_sample {
        return Err(Stop::MissingCapability("sampling"));
    }
    done("sampling was declared".into())
}

fn streaming_elicitation(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    // On its own stream only notifications and the final (here: input_required) result travel.
    let _ = cx.progress(1, 2, "about to ask");
    match answer(
        cx,
        "user_name",
        "elicitation/create",
        form("What is your name?", "name", "string"),
    )? {
        Some(name) => done(format!(
            "Hello, {}!",
            field(&name, "name").unwrap_or_default()
        )),
        None => Err(Stop::AwaitingInput),
    }
}

fn logging(_: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    // Sent only when the request named a `logLevel`; the transport drops it otherwise.
    let log = Message::notification(
        "notifications/message",
        json!({ "level": "info", "logger": "test_logging_tool", "data": "a log line" }),
    );
    cx.outbox.send(log)?;
    done("logged (if asked to)".into())
}

pub const MISSING_CAPABILITY: Tool = tool("test_missing_capability", missing_capability);
pub const STREAMING_ELICITATION: Tool = tool("test_streaming_elicitation", streaming_elicitation);
pub const LOGGING: Tool = tool("test_logging_tool", logging);
