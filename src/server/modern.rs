//! The transport rules of revision 2026-07-28 for one POSTed message: what the legacy path does
//! with sessions, the modern path does with headers and `_meta`, on every request.
//!
//! Implements MCP 2026-07-28 `basic/transports/streamable-http` §Sending Messages (202 for a
//! notification; JSON or SSE for a request), §Protocol Version Header (header and `_meta` agree,
//! else -32020; a version we do not speak, -32022), §Standard Request Headers (`Mcp-Method` on
//! every request, `Mcp-Name` on `tools/call`, its `=?base64?…?=` form decoded), §Server Validation,
//! and §Error Codes (an unknown method is 404 with -32601). The checks run in this order: the
//! header's version (-32022), `_meta` (-32602), `_meta` against the header (-32020), the mirrored
//! headers (-32020), the method (404). (The official Python SDK reads `_meta` before the version;
//! the two orders differ only for a request that is wrong twice over.)
//!
//! `Mcp-Param-*` headers (a tool's `x-mcp-header` inputs) and the `=?base64?…?=` form are checked
//! in `header_values.rs`; a retry's `requestState` (MRTR) in `request_state.rs`.
//!
//! # Why is there no session lookup here?
//! There is nothing to look up: §Statelessness says a server MUST NOT rely on an earlier request.
//! What the legacy era kept in a session (the version, the capabilities), the request now says.

use crate::header_value::decode_header_value;
use crate::jsonrpc::Message;
use crate::mcp::modern::{complete, dispatch_modern, ModernOutcome, RequestMeta};
use crate::server::accept;
use crate::server::action::Action;
use crate::server::config::Config;
use crate::server::header_values::check_param_headers;
use crate::server::modern_call::ModernCall;
use crate::server::rejection::Rejection;
use crate::server::request::RequestHead;
use crate::server::request_state::{request_digest, BadState, StateKey};
use crate::server::response::Whole;
use crate::wire::MODERN_PROTOCOL_VERSION;
use serde_json::{Map, Value};
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

/// One modern POST: check it, route it, say what to send.
///
/// # Errors
/// -32602 for an incomplete `_meta`, -32020 for a header that does not match the body, -32022
/// for a version we do not speak, 404/-32601 for a method this revision does not have.
pub fn post(
    config: &Config,
    head: &RequestHead,
    message: Message,
    running: &Arc<AtomicUsize>,
    state_key: &StateKey,
) -> Result<Action, Rejection> {
    let (id, method, params) = match message {
        Message::Request { id, method, params } => (id, method, params),
        // SPEC streamable-http (2026-07-28) §Sending Messages 5: "If the server accepts it, the server MUST return HTTP status code `202 Accepted` with no body."
        Message::Notification { .. } => return Ok(Action::Send(Whole::empty(202))),
        // SPEC streamable-http (2026-07-28) §Sending Messages 4: "The client MUST NOT send JSON-RPC _responses_."
        Message::Response { .. } | Message::Error { .. } => {
            let why =
                "a modern client sends no responses: questions come back as input_required results";
            return Err(Rejection::BadRequest(why.into()));
        }
    };
    // LAB: lab 7 (a modern call by hand): the checks run in this order: version, _meta, mirrored headers.
    // The version first: the header is what routed us here, and a version we do not speak is
    // the one thing a client must hear about before anything else can help it.
    let header_version = head.single_header("mcp-protocol-version")?.unwrap_or("");
    // SPEC streamable-http (2026-07-28) §Protocol Version Header: a version the server does not implement "MUST respond with `400 Bad Request` and an UnsupportedProtocolVersionError"
    if header_version != MODERN_PROTOCOL_VERSION {
        return Err(Rejection::UnsupportedModernVersion(
            header_version.to_string(),
        ));
    }
    let meta = RequestMeta::from_params(params.as_ref()).map_err(Rejection::MissingMeta)?;
    // SPEC streamable-http (2026-07-28) §Protocol Version Header: "If the values do not match, the server MUST reject the request with `400 Bad Request` and a `HeaderMismatch` JSON-RPC error"
    if meta.protocol_version != header_version {
        return Err(Rejection::HeaderMismatch(format!(
            "MCP-Protocol-Version {header_version:?} differs from _meta's {:?}",
            meta.protocol_version
        )));
    }
    check_mirrored_headers(head, &method, params.as_ref())?;
    // A tool we do not have gets its own error from the dispatcher; one we have names its
    // mirrored inputs in its schema.
    if method == "tools/call" {
        let p = params.as_ref().unwrap_or(&Value::Null);
        let name = p["name"].as_str().unwrap_or("");
        if let Some(tool) = crate::mcp::tools::find(config.catalog.tools, name) {
            check_param_headers(head, &(tool.input_schema)(), &p["arguments"])?;
        }
    }
    let accept = head.accept();
    let catalog = config.catalog;
    // A prompt may ask for input (MRTR) too: its retry's answers are checked here, like a call's.
    let prompt_round = match method.as_str() {
        "prompts/get" => {
            let p = params.clone().unwrap_or_default();
            let name = p["name"].as_str().unwrap_or("");
            let digest = request_digest("prompts/get", name, &p["arguments"]);
            Some((
                checked_answers(params.as_ref(), &digest, state_key)?,
                digest,
            ))
        }
        _ => None,
    };
    let answers = prompt_round
        .as_ref()
        .map(|(a, _)| a.clone())
        .unwrap_or_default();
    match dispatch_modern(
        id.clone(),
        &method,
        params.as_ref(),
        catalog,
        config.page_size,
        &answers,
    ) {
        // SPEC mrtr (2026-07-28): the server returns `resultType: "input_required"` with `inputRequests` and may include `requestState`.
        ModernOutcome::InputRequired(questions) => {
            let (answers, digest) = prompt_round.unwrap_or_default();
            let state =
                state_key.seal(&digest, config.state_ttl.as_secs(), &Value::Object(answers));
            let result = serde_json::json!({
                "resultType": "input_required",
                "inputRequests": questions,
                "requestState": state,
            });
            one_message(
                config,
                accept.as_deref(),
                &Message::result(id, complete(result, catalog)),
            )
        }
        // SPEC streamable-http (2026-07-28) §Protocol Version Header: an unimplemented method "MUST respond with `404 Not Found` and a JSON-RPC error with code `-32601`"
        ModernOutcome::NotFound(method) => Err(Rejection::MethodNotFound(method)),
        ModernOutcome::Reply(message) => one_message(config, accept.as_deref(), &message),
        ModernOutcome::Call { id, call } => {
            let framing =
                accept::choose(accept.as_deref(), true).ok_or(Rejection::NotAcceptable)?;
            // The state and answers of a retry (MRTR) are checked before the tool runs.
            let arguments = Value::Object(call.arguments.clone());
            let digest = request_digest("tools/call", call.tool.name, &arguments);
            let answers = checked_answers(params.as_ref(), &digest, state_key)?;
            let can_elicit = meta.client_capabilities.get("elicitation").is_some();
            let can_sample = meta.client_capabilities.get("sampling").is_some();
            Ok(Action::RunCall(ModernCall {
                framing,
                id,
                call,
                step_delay: config.step_delay,
                catalog,
                running: Arc::clone(running),
                can_elicit,
                can_sample,
                log_level: meta.log_level.clone(),
                answers,
                state_key: state_key.clone(),
                digest,
                state_ttl_secs: config.state_ttl.as_secs(),
                log: None,
            }))
        }
    }
}

// LAB: lab 8 (input_required by hand): a retry's requestState is opened here; a changed one gets -32602.
/// The answers a retried request brings (`inputResponses`), once its `requestState` proves they
/// answer questions we asked for this very request.
// SPEC mrtr (2026-07-28): `requestState` is attacker-controlled; when it affects behaviour it MUST be integrity-protected.
fn checked_answers(
    params: Option<&Value>,
    digest: &str,
    key: &StateKey,
) -> Result<Map<String, Value>, Rejection> {
    let answers = params.and_then(|p| p.get("inputResponses"));
    match params.and_then(|p| p.get("requestState")) {
        None if answers.is_none() => Ok(Map::new()),
        // Answers without the state of their question: nothing says they belong to this request.
        None => Err(Rejection::BadRequestState(BadState::Tampered)),
        Some(state) => {
            let state = state
                .as_str()
                .ok_or(Rejection::BadRequestState(BadState::Tampered))?;
            // The earlier rounds' answers, as we signed them, and this round's on top.
            let earlier = key
                .open(state, digest)
                .map_err(Rejection::BadRequestState)?;
            let mut all = earlier.as_object().cloned().unwrap_or_default();
            if let Some(Value::Object(now)) = answers {
                all.extend(now.clone());
            }
            Ok(all)
        }
    }
}

/// `Mcp-Method` on every request and `Mcp-Name` on a `tools/call`, `resources/read` or
/// `prompts/get`, each equal to the body's value.
fn check_mirrored_headers(
    head: &RequestHead,
    method: &str,
    params: Option<&serde_json::Value>,
) -> Result<(), Rejection> {
    let mismatch = |why: String| Err(Rejection::HeaderMismatch(why));
    // SPEC streamable-http (2026-07-28) §Server Validation: servers "MUST reject requests where the values specified in the headers do not match the corresponding values in the request body"
    match head.single_header("mcp-method")? {
        None => {
            return mismatch(format!(
                "the Mcp-Method header is required (the body says {method:?})"
            ))
        }
        Some(h) if h != method => {
            return mismatch(format!(
                "Mcp-Method {h:?} differs from the body's {method:?}"
            ))
        }
        Some(_) => {}
    }
    // SPEC streamable-http (2026-07-28) §Standard Request Headers: `Mcp-Name` mirrors "`params.name` or `params.uri`" on `tools/call`, `resources/read`, `prompts/get`.
    let field = match method {
        "tools/call" | "prompts/get" => "name",
        "resources/read" => "uri",
        _ => return Ok(()),
    };
    let name = params
        .and_then(|p| p.get(field))
        .and_then(|n| n.as_str())
        .unwrap_or("");
    match head.single_header("mcp-name")?.map(decode_header_value) {
        None => mismatch(format!(
            "the Mcp-Name header is required on {method} (the body names {name:?})"
        )),
        Some(None) => {
            mismatch("Mcp-Name is not valid header text (printable ASCII, or =?base64?…?=)".into())
        }
        Some(Some(h)) if h != name => {
            mismatch(format!("Mcp-Name {h:?} differs from the body's {name:?}"))
        }
        Some(Some(_)) => Ok(()),
    }
}

/// A reply with nothing to stream, framed as the legacy path frames one. (The router has already
/// made a result complete; an error carries no `resultType`.)
fn one_message(
    config: &Config,
    accept: Option<&str>,
    message: &Message,
) -> Result<Action, Rejection> {
    let framing = accept::choose(accept, config.sse_replies).ok_or(Rejection::NotAcceptable)?;
    Ok(Action::Send(Whole {
        status: 200,
        headers: Vec::new(),
        content_type: Some(framing.content_type()),
        body: framing.encode(None, &message.to_line()),
    }))
}
