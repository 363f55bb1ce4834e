//! Fixture tools that ask the client something in the middle of a call: an LLM completion
//! (`sampling/createMessage`) or a form filled in by the user (`elicitation/create`).
//!
//! Implements the fixtures of the conformance suite's `tools-call-sampling`,
//! `tools-call-elicitation`, `elicitation-sep1034-defaults` and `elicitation-sep1330-enums`
//! scenarios, exercising MCP 2025-11-25 `client/sampling` and `client/elicitation` (form mode)
//! from the server's side. The question travels on the call's own SSE stream and the answer comes
//! back in a separate POST (see `worker.rs`); a tool just calls `cx.outbox.ask` and waits.
//!
//! Left out: elicitation's URL mode, sampling with tools, and model preferences.

use super::content_tools::no_arguments;
use serde_json::{json, Map, Value};
use streamable_mcp::jsonrpc::Message;
use streamable_mcp::mcp::tools::Stop;
use streamable_mcp::mcp::tools::{text_item, Context, NoAnswer, Tool, ToolResult};

fn one_string_argument(name: &str, description: &str) -> Value {
    json!({
        "type": "object",
        "properties": { name: { "type": "string", "description": description } },
        "required": [name]
    })
}

/// Ask the client and wait for its `result`, or the tool result to give instead: an `isError`
/// result naming what went wrong, so that the model (and a person reading the suite's log) sees
/// why. `Err` only when the call itself was cancelled.
fn ask(cx: &Context, method: &str, params: Value) -> Result<Result<Value, ToolResult>, Stop> {
    let failed = |why: String| Ok(Err(ToolResult::error(why)));
    match cx.outbox.ask(method, params, cx.answer_timeout) {
        Ok(Message::Response { result, .. }) => Ok(Ok(result)),
        Ok(Message::Error { error, .. }) => failed(format!(
            "The client answered {method} with error {}: {}",
            error.code, error.message
        )),
        Ok(_) => failed(format!(
            "The client's answer to {method} was not a response."
        )),
        Err(NoAnswer::Stopped(stop)) => Err(stop),
        Err(NoAnswer::TimedOut) => failed(format!(
            "The client did not answer {method} within {} s.",
            cx.answer_timeout.as_secs_f32()
        )),
        Err(NoAnswer::Unreachable) => failed(format!(
            "{method} cannot be sent: this call has no session, so no way to get an answer back."
        )),
    }
}

/// The same refusal for every elicitation tool when the client cannot be asked.
// SPEC lifecycle#operation: both parties "MUST: ... Only use capabilities that were successfully negotiated"
fn cannot_elicit() -> ToolResult {
    ToolResult::error(
        "The client did not declare the elicitation capability (or asked for a plain JSON \
response, which has no stream to ask on), so it cannot be asked."
            .into(),
    )
}

/// "action=accept, content={...}": what the user did, for the model to read.
fn describe_answer(answer: &Value) -> String {
    let action = answer["action"].as_str().unwrap_or("(none)");
    let content = answer.get("content").cloned().unwrap_or(json!({}));
    format!("action={action}, content={content}")
}

pub const SAMPLING: Tool = Tool {
    name: "test_sampling",
    title: "Sampling",
    description:
        "Asks the client's LLM to answer `prompt` (sampling/createMessage) and returns its answer.",
    input_schema: || one_string_argument("prompt", "The prompt to send to the LLM"),
    output_schema: None,
    read_only: true,
    run: sampling,
};

fn sampling(args: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    let Some(prompt) = args.get("prompt").and_then(Value::as_str) else {
        return Ok(ToolResult::error(
            "The argument \"prompt\" is required and must be a string.".into(),
        ));
    };
    // SPEC lifecycle#operation: both parties MUST "Only use capabilities that were successfully negotiated"
    if !cx.can_sample {
        return Ok(ToolResult::error(
            "This client did not declare the sampling capability, so no LLM can be asked.".into(),
        ));
    }
    let params = json!({
        "messages": [{ "role": "user", "content": { "type": "text", "text": prompt } }],
        "maxTokens": 100
    });
    let result = match ask(cx, "sampling/createMessage", params)? {
        Ok(result) => result,
        Err(failure) => return Ok(failure),
    };
    // `content` is one block, or (2025-11-25, when tools are involved) an array of blocks.
    let content = &result["content"];
    let text = content["text"]
        .as_str()
        .or_else(|| content.get(0).and_then(|c| c["text"].as_str()))
        .unwrap_or("(no text in the answer)");
    Ok(ToolResult::content(vec![text_item(&format!(
        "LLM response: {text}"
    ))]))
}

pub const ELICITATION: Tool = Tool {
    name: "test_elicitation",
    title: "Elicitation",
    description:
        "Asks the user, through the client, for a username and an email (elicitation/create).",
    input_schema: || one_string_argument("message", "The message to show the user"),
    output_schema: None,
    read_only: true,
    run: elicitation,
};

fn elicitation(args: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    let Some(message) = args.get("message").and_then(Value::as_str) else {
        return Ok(ToolResult::error(
            "The argument \"message\" is required and must be a string.".into(),
        ));
    };
    if !cx.can_elicit {
        return Ok(cannot_elicit());
    }
    let params = json!({
        "message": message,
        "requestedSchema": {
            "type": "object",
            "properties": {
                "username": { "type": "string", "description": "Your username" },
                "email": { "type": "string", "format": "email", "description": "Your email address" }
            },
            "required": ["username", "email"]
        }
    });
    Ok(match ask(cx, "elicitation/create", params)? {
        Ok(answer) => ToolResult::content(vec![text_item(&format!(
            "User response: {}",
            describe_answer(&answer)
        ))]),
        Err(failure) => failure,
    })
}

/// Ask for a fixed form and report what the user did.
fn ask_form(cx: &Context, message: &str, schema: Value) -> Result<ToolResult, Stop> {
    if !cx.can_elicit {
        return Ok(cannot_elicit());
    }
    let params = json!({ "message": message, "requestedSchema": schema });
    Ok(match ask(cx, "elicitation/create", params)? {
        Ok(answer) => ToolResult::content(vec![text_item(&format!(
            "Elicitation completed: {}",
            describe_answer(&answer)
        ))]),
        Err(failure) => failure,
    })
}

/// SEP-1034 (2025-11-25): every primitive field of a form may carry a `default`, which the client
/// shows pre-filled.
pub const ELICITATION_DEFAULTS: Tool = Tool {
    name: "test_elicitation_sep1034_defaults",
    title: "Elicitation with defaults",
    description:
        "Asks for a form whose string, integer, number, enum and boolean fields all have defaults.",
    input_schema: no_arguments,
    output_schema: None,
    read_only: true,
    run: |_, cx| {
        ask_form(
            cx,
            "Please review and update the form fields with defaults",
            defaults_form(),
        )
    },
};

pub fn defaults_form() -> Value {
    json!({
        "type": "object",
        "properties": {
            "name": { "type": "string", "description": "User name", "default": "John Doe" },
            "age": { "type": "integer", "description": "User age", "default": 30 },
            "score": { "type": "number", "description": "User score", "default": 95.5 },
            "status": {
                "type": "string",
                "description": "User status",
                "enum": ["active", "inactive", "pending"],
                "default": "active"
            },
            "verified": { "type": "boolean", "description": "Verification status", "default": true }
        },
        "required": []
    })
}

/// SEP-1330 (2025-11-25): the five ways a form can offer choices: single or multiple, with or
/// without display titles, plus the deprecated `enumNames`.
pub const ELICITATION_ENUMS: Tool = Tool {
    name: "test_elicitation_sep1330_enums",
    title: "Elicitation with enums",
    description: "Asks for a form with every kind of enum field: untitled and titled, single and \
multiple choice, and the legacy enumNames.",
    input_schema: no_arguments,
    output_schema: None,
    read_only: true,
    run: |_, cx| {
        ask_form(
            cx,
            "Please select options from the enum fields",
            enums_form(),
        )
    },
};

pub fn enums_form() -> Value {
    let titled = |word: &str| {
        json!([
            { "const": "value1", "title": format!("First {word}") },
            { "const": "value2", "title": format!("Second {word}") },
            { "const": "value3", "title": format!("Third {word}") }
        ])
    };
    json!({
        "type": "object",
        "properties": {
            // Single choice without titles: the values are what the user sees.
            "untitledSingle": { "type": "string", "enum": ["option1", "option2", "option3"] },
            // Single choice with titles: `oneOf` of `const` + `title`, and no `enum`.
            "titledSingle": { "type": "string", "oneOf": titled("Option") },
            // The deprecated way to title choices: `enumNames`, as long as `enum`.
            "legacyEnum": {
                "type": "string",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"]
            },
            // Multiple choice without titles: an array whose items have an `enum`.
            "untitledMulti": {
                "type": "array",
                "items": { "type": "string", "enum": ["option1", "option2", "option3"] }
            },
            // Multiple choice with titles: items are `anyOf` `const` + `title`, and no `enum`.
            "titledMulti": { "type": "array", "items": { "anyOf": titled("Choice") } }
        },
        "required": []
    })
}
