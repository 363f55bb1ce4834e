//! The MCP methods of revision 2026-07-28 ("modern"), apart from any transport.
//!
//! Implements MCP 2026-07-28 `basic/index` §_meta (every request carries
//! `io.modelcontextprotocol/protocolVersion` and `…/clientCapabilities`) and §ResultType (every
//! result says `resultType`), `server/discover` (what the server speaks and offers), the caching
//! fields of `server/utilities/caching` (`ttlMs`, `cacheScope`), and `server/tools` (list, call).
//! The transport rules (headers, statuses) are `server/modern.rs`'s.
//!
//! Resources, prompts and completion are routed as in the legacy era, when the catalog has them.
//!
//! `input_required` results (MRTR) are made where the call runs (`server/modern_call.rs`).
//!
//! Left out, for now: `subscriptions/listen`, and `notifications/message` (the per-request `logLevel` is read
//! and no log is ever sent, which the rule allows).
//!
//! # Why a second router and not more arms in `dispatch.rs`?
//! The two eras share tools and the catalog but not the lifecycle: the modern one has no
//! `initialize`, `ping` or `logging/setLevel`, and every result gains fields. One router per era
//! keeps each a plain `match` a student can hold against its revision's method list.

use crate::jsonrpc::{ErrorObject, Message, RequestId, INVALID_PARAMS};
use crate::mcp::catalog::Catalog;
use crate::mcp::tools::{self, Call};
use crate::mcp::{completion, prompts, resources};
use crate::wire::{
    META_CLIENT_CAPABILITIES, META_LOG_LEVEL, META_PROTOCOL_VERSION, META_SERVER_INFO,
    MODERN_PROTOCOL_VERSION,
};
use serde_json::{json, Map, Value};

/// How long a client may cache `server/discover` and `tools/list` (our catalog never changes while
/// the server runs; a minute keeps a student's edits visible soon after a restart).
const TTL_MS: u64 = 60_000;

/// What a modern request says about itself in `params._meta`.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestMeta {
    pub protocol_version: String,
    /// What the client can do *for this request*; nothing is remembered from an earlier one.
    pub client_capabilities: Value,
    /// The log level the client asked for; without one, no `notifications/message` may be sent.
    pub log_level: Option<String>,
}

impl RequestMeta {
    /// Read `params._meta`.
    ///
    /// # Errors
    /// `-32602` when the version or the capabilities are missing or of the wrong type.
    // SPEC basic/index (2026-07-28): `protocolVersion` and `clientCapabilities` in `_meta` are "Required".
    pub fn from_params(params: Option<&Value>) -> Result<RequestMeta, ErrorObject> {
        let bad = |why: &str| ErrorObject::new(INVALID_PARAMS, format!("Invalid params: {why}"));
        let meta = params.and_then(|p| p.get("_meta")).unwrap_or(&Value::Null);
        let version = meta.get(META_PROTOCOL_VERSION).and_then(Value::as_str);
        let version =
            version.ok_or_else(|| bad(&format!("_meta needs {META_PROTOCOL_VERSION}")))?;
        let capabilities = meta.get(META_CLIENT_CAPABILITIES).filter(|c| c.is_object());
        let capabilities = capabilities.ok_or_else(|| {
            bad(&format!(
                "_meta needs {META_CLIENT_CAPABILITIES} (an object)"
            ))
        })?;
        Ok(RequestMeta {
            protocol_version: version.to_string(),
            client_capabilities: capabilities.clone(),
            log_level: meta
                .get(META_LOG_LEVEL)
                .and_then(Value::as_str)
                .map(str::to_string),
        })
    }
}

/// What the transport must do with one modern request.
#[derive(Debug)]
pub enum ModernOutcome {
    /// One message answers it.
    Reply(Message),
    /// A tool call: run it on the request's own connection, ending with its (complete) result.
    Call { id: RequestId, call: Call },
    /// No such method in this revision (`initialize` and `ping` included): 404 + -32601.
    NotFound(String),
    /// The request needs the user's input first (MRTR): these questions, by key. The transport
    /// adds the signed `requestState`.
    InputRequired(Map<String, Value>),
}

/// Route one modern request to what `catalog` offers.
pub fn dispatch_modern(
    id: RequestId,
    method: &str,
    params: Option<&Value>,
    catalog: &'static Catalog,
    page_size: usize,
    answers: &Map<String, Value>,
) -> ModernOutcome {
    let reply = |r: Result<Value, ErrorObject>| match r {
        Ok(result) => ModernOutcome::Reply(Message::result(id.clone(), result)),
        Err(error) => ModernOutcome::Reply(Message::error(Some(id.clone()), error)),
    };
    // The lists and reads a client may cache carry `ttlMs` and `cacheScope`; the rest is complete.
    let cached = |r: Result<Value, ErrorObject>| reply(r.map(|v| cacheable(v, catalog)));
    let done = |r: Result<Value, ErrorObject>| reply(r.map(|v| complete(v, catalog)));
    match method {
        "server/discover" => cached(Ok(discover(catalog))),
        "tools/list" => cached(tools::list_page(catalog.tools, params, page_size)),
        "tools/call" => match Call::from_params(catalog.tools, params) {
            Ok(call) => ModernOutcome::Call { id, call },
            Err(e) => reply(Err(e)),
        },
        // The optional features, as in the legacy router: absent unless the catalog offers them.
        // (`resources/subscribe` is gone in this era: `subscriptions/listen` replaces it.)
        "resources/list" if catalog.offers_resources() => {
            cached(resources::list(catalog.resources, params))
        }
        "resources/templates/list" if catalog.offers_resources() => cached(
            resources::list_templates(catalog.resource_templates, params),
        ),
        "resources/read" if catalog.offers_resources() => cached(resources::read(
            catalog.resources,
            catalog.resource_templates,
            params,
        )),
        "prompts/list" if catalog.offers_prompts() => {
            cached(prompts::list(catalog.prompts, params))
        }
        "prompts/get" if catalog.offers_prompts() => match prompt_input(catalog, params, answers) {
            Ok(params) => done(prompts::get(catalog.prompts, Some(&params))),
            Err(questions) => ModernOutcome::InputRequired(questions),
        },
        "completion/complete" if catalog.completions => done(completion::complete(
            catalog.prompts,
            catalog.resources,
            catalog.resource_templates,
            params,
        )),
        other => ModernOutcome::NotFound(other.to_string()),
    }
}

/// The params of a `prompts/get`, with the argument its prompt asks for filled in from the
/// user's answer; or the question, when neither the request nor an answer gives it.
fn prompt_input(
    catalog: &Catalog,
    params: Option<&Value>,
    answers: &Map<String, Value>,
) -> Result<Value, Map<String, Value>> {
    let mut params = params.cloned().unwrap_or_else(|| json!({}));
    let name = params["name"].as_str().unwrap_or("");
    let Some(ask) = catalog
        .prompts
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.asks)
    else {
        return Ok(params);
    };
    if params["arguments"][ask.argument].is_string() {
        return Ok(params);
    }
    let answer = answers.get(ask.key).filter(|a| a["action"] == "accept");
    if let Some(value) = answer.and_then(|a| a["content"][ask.argument].as_str()) {
        if !params["arguments"].is_object() {
            params["arguments"] = json!({});
        }
        params["arguments"][ask.argument] = json!(value);
        return Ok(params);
    }
    let question = json!({
        "method": "elicitation/create",
        "params": {
            "message": ask.message,
            "requestedSchema": {
                "type": "object",
                "properties": { ask.argument: { "type": "string" } },
                "required": [ask.argument]
            }
        }
    });
    Err(Map::from_iter([(ask.key.to_string(), question)]))
}

/// The result of `server/discover`: the versions we speak and what we offer *in this era*.
fn discover(catalog: &Catalog) -> Value {
    let mut capabilities = catalog.capabilities();
    // `resources/subscribe` does not exist in 2026-07-28, and its replacement
    // (`subscriptions/listen`) is not built: promising updates we cannot deliver would mislead.
    if capabilities.get("resources").is_some() {
        capabilities["resources"]["subscribe"] = json!(false);
    }
    json!({
        // SPEC versioning: every version a -32022 names as supported must be in `supportedVersions` too.
        "supportedVersions": [MODERN_PROTOCOL_VERSION],
        "capabilities": capabilities,
        "instructions": catalog.instructions,
    })
}

/// A finished result as 2026-07-28 wants every result: `resultType` and the server's identity.
// SPEC basic/index (2026-07-28): for `resultType`, "Servers implementing this protocol version MUST include this field."
pub fn complete(mut result: Value, catalog: &Catalog) -> Value {
    // An `input_required` result says so itself; everything else is complete.
    if result.get("resultType").is_none() {
        result["resultType"] = json!("complete");
    }
    let info = json!({ "name": catalog.name, "title": catalog.title, "version": env!("CARGO_PKG_VERSION") });
    result["_meta"] = json!({ META_SERVER_INFO: info });
    result
}

/// A complete result a client may cache: the same for every client (`public`), for a minute.
fn cacheable(result: Value, catalog: &Catalog) -> Value {
    let mut result = complete(result, catalog);
    result["ttlMs"] = json!(TTL_MS);
    result["cacheScope"] = json!("public");
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::catalog::fixtures::ECHO;

    fn meta(version: &str) -> Value {
        json!({ "_meta": { META_PROTOCOL_VERSION: version, META_CLIENT_CAPABILITIES: {} } })
    }

    fn reply(method: &str, params: Value) -> Value {
        match dispatch_modern(
            RequestId::Number(1),
            method,
            Some(&params),
            &ECHO,
            50,
            &Map::new(),
        ) {
            ModernOutcome::Reply(m) => m.to_json(),
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    #[test]
    fn meta_needs_the_version_and_the_capabilities() {
        let ok = RequestMeta::from_params(Some(&meta(MODERN_PROTOCOL_VERSION))).unwrap();
        assert_eq!(ok.protocol_version, MODERN_PROTOCOL_VERSION);
        assert!(ok.log_level.is_none());
        for bad in [
            json!({}),
            json!({"_meta": {META_PROTOCOL_VERSION: "2026-07-28"}}),
            json!({"_meta": {META_PROTOCOL_VERSION: 7, META_CLIENT_CAPABILITIES: {}}}),
        ] {
            assert_eq!(
                RequestMeta::from_params(Some(&bad)).unwrap_err().code,
                INVALID_PARAMS,
                "{bad}"
            );
        }
        assert!(RequestMeta::from_params(None).is_err());
    }

    #[test]
    fn discover_names_the_modern_version_and_is_cacheable() {
        let r = reply("server/discover", meta(MODERN_PROTOCOL_VERSION))["result"].clone();
        assert_eq!(r["supportedVersions"], json!([MODERN_PROTOCOL_VERSION]));
        assert!(r["capabilities"]["tools"].is_object());
        assert_eq!(r["resultType"], "complete");
        assert_eq!(r["cacheScope"], "public");
        assert!(r["ttlMs"].as_u64().is_some());
        assert_eq!(r["_meta"][META_SERVER_INFO]["name"], "echo-server");
    }

    #[test]
    fn tools_list_is_cacheable_and_complete() {
        let r = reply("tools/list", meta(MODERN_PROTOCOL_VERSION))["result"].clone();
        assert_eq!(r["tools"][0]["name"], "echo");
        assert_eq!(r["resultType"], "complete");
        assert_eq!(r["cacheScope"], "public");
    }

    #[test]
    fn legacy_lifecycle_methods_are_not_found_in_the_modern_era() {
        for method in [
            "initialize",
            "ping",
            "logging/setLevel",
            "resources/subscribe",
        ] {
            let o = dispatch_modern(RequestId::Number(1), method, None, &ECHO, 50, &Map::new());
            assert!(
                matches!(o, ModernOutcome::NotFound(ref m) if m == method),
                "{method}"
            );
        }
    }

    #[test]
    fn a_tools_call_becomes_a_call() {
        let mut params = meta(MODERN_PROTOCOL_VERSION);
        params["name"] = json!("echo");
        let o = dispatch_modern(
            RequestId::Number(3),
            "tools/call",
            Some(&params),
            &ECHO,
            50,
            &Map::new(),
        );
        assert!(matches!(o, ModernOutcome::Call { .. }));
    }
}
