//! The method router: one JSON-RPC message in, what to do about it out.
//!
//! Implements the server's side of MCP 2025-11-25 methods we offer: `initialize`
//! (`basic/lifecycle`), `ping` (`basic/utilities/ping`), `tools/list` and `tools/call`
//! (`server/tools`), `logging/setLevel` (`server/utilities/logging`), and the notifications `notifications/initialized` and
//! `notifications/cancelled` (`basic/utilities/cancellation`). When the catalog has resources,
//! prompts or completions, their methods go to `resources.rs` (`server/resources`), `prompts.rs`
//! (`server/prompts`) and `completion.rs` (`server/utilities/completion`). Free of I/O: the answer
//! is an [`Outcome`] value, and the transport (`server/legacy.rs`) decides how it travels.
//!
//! # Why return a value and not act?
//! Most methods are answered here and now (`ping`, `tools/list`), but some need what only the
//! transport has: `initialize` needs a session minted, `tools/call` a stream and a thread,
//! `notifications/cancelled` the call it names. Returning *what should happen* keeps this file free
//! of all of that, and lets a unit test check the routing without a server. The official SDKs
//! hide the same step behind handler registration (`server.tool(...)`); a `match` on the method
//! name is what they do underneath.
//!
//! Left out: every other method, and a feature's methods when the catalog does not offer it, get
//! `-32601 Method not found`; unknown notifications are ignored, as JSON-RPC says a receiver must
//! not answer a notification.

use crate::jsonrpc::{ErrorObject, Message, RequestId, METHOD_NOT_FOUND};
use crate::mcp::catalog::Catalog;
use crate::mcp::lifecycle::{self, InitializeParams};
use crate::mcp::tools::{self, Call};
use crate::mcp::{completion, prompts, resources};
use serde_json::{json, Value};

/// What the transport must do with one message.
#[derive(Debug)]
// ANCHOR: outcome
pub enum Outcome {
    /// A notification or a response was taken: HTTP 202, no body.
    Accepted,
    /// The client finished initializing: from now on we may send it requests. Then 202.
    Initialized,
    /// The client cancelled request `id`: stop its call, then 202.
    Cancel(RequestId),
    /// The client answered a request we sent it (e.g. `elicitation/create`): hand it over, then 202.
    Answer(Message),
    /// One message answers the request.
    Reply(Message),
    /// `initialize` was answered; the transport starts a session for the negotiated version.
    Initialize {
        reply: Message,
        protocol_version: &'static str,
        capabilities: Value,
    },
    /// A tool call: run it, streaming what it sends, ending with its result.
    Call { id: RequestId, call: Call },
}
// ANCHOR_END: outcome

/// Route one message to what `catalog` offers. `page_size` is how many tools one `tools/list` page
/// holds.
pub fn dispatch(message: Message, catalog: &'static Catalog, page_size: usize) -> Outcome {
    match message {
        Message::Request { id, method, params } => {
            request(id, &method, params.as_ref(), catalog, page_size)
        }
        Message::Notification { method, params } => notification(&method, params.as_ref()),
        // Answers to requests we sent the client (`elicitation/create`): the transport knows which
        // session waits for which id; here we only say "this is an answer".
        answer @ (Message::Response { .. } | Message::Error { .. }) => Outcome::Answer(answer),
    }
}

fn request(
    id: RequestId,
    method: &str,
    params: Option<&Value>,
    catalog: &'static Catalog,
    page_size: usize,
) -> Outcome {
    // Every answer carries the request's id, success or failure: that is how the client matches
    // it to its request (JSON-RPC §5: "the same as the value of the id member in the Request").
    let reply = |r: Result<Value, ErrorObject>| match r {
        Ok(result) => Outcome::Reply(Message::result(id.clone(), result)),
        Err(error) => Outcome::Reply(Message::error(Some(id.clone()), error)),
    };
    match method {
        // `initialize` is routed like any request, but its outcome is special: the transport must
        // start a session for the version we chose (revision 2026-07-28 has neither initialize
        // nor sessions: every request carries its version instead).
        "initialize" => match InitializeParams::from_params(params) {
            Ok(init) => {
                let version = lifecycle::negotiate(&init.protocol_version);
                Outcome::Initialize {
                    reply: Message::result(id, lifecycle::initialize_result(version, catalog)),
                    protocol_version: version,
                    capabilities: init.capabilities,
                }
            }
            Err(e) => reply(Err(e)),
        },
        // SPEC ping: "The receiver MUST respond promptly with an empty response"
        "ping" => reply(Ok(json!({}))),
        "tools/list" => reply(tools::list_page(catalog.tools, params, page_size)),
        // We declare `logging` because the GET stream carries `notifications/message` alerts; a
        // valid level is accepted and not used (every alert is a warning).
        "logging/setLevel" => reply(set_level(params)),
        // A call is checked here (the tool exists, the params have the right shape) and run by the
        // transport: a bad call is answered at once, a good one only when its tool is done.
        "tools/call" => match Call::from_params(catalog.tools, params) {
            Ok(call) => Outcome::Call { id, call },
            Err(e) => reply(Err(e)),
        },
        // The optional features. A guard that fails falls through to `-32601` below, exactly as
        // if the method did not exist: a server that declared no `resources` capability has none.
        "resources/list" if catalog.offers_resources() => {
            reply(resources::list(catalog.resources, params))
        }
        "resources/templates/list" if catalog.offers_resources() => reply(
            resources::list_templates(catalog.resource_templates, params),
        ),
        "resources/read" if catalog.offers_resources() => reply(resources::read(
            catalog.resources,
            catalog.resource_templates,
            params,
        )),
        "resources/subscribe" | "resources/unsubscribe" if catalog.offers_resources() => reply(
            resources::subscribe(catalog.resources, catalog.resource_templates, params),
        ),
        "prompts/list" if catalog.offers_prompts() => reply(prompts::list(catalog.prompts, params)),
        "prompts/get" if catalog.offers_prompts() => reply(prompts::get(catalog.prompts, params)),
        "completion/complete" if catalog.completions => reply(completion::complete(
            catalog.prompts,
            catalog.resources,
            catalog.resource_templates,
            params,
        )),
        // Everything else, `resources/list` on a server with no resources included. A production
        // server might also answer `-32601` for methods it knows but has switched off by config.
        other => reply(Err(ErrorObject::new(
            METHOD_NOT_FOUND,
            format!("Method not found: {other}"),
        ))),
    }
}

/// The eight levels of RFC 5424 that MCP logging uses.
const LOG_LEVELS: [&str; 8] = [
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
];

// SPEC server/utilities/logging#error-handling: servers SHOULD return -32602 for an invalid log level
fn set_level(params: Option<&Value>) -> Result<Value, ErrorObject> {
    match params.and_then(|p| p.get("level")).and_then(Value::as_str) {
        Some(level) if LOG_LEVELS.contains(&level) => Ok(json!({})),
        _ => Err(ErrorObject::new(
            crate::jsonrpc::INVALID_PARAMS,
            format!(
                "Invalid params: \"level\" must be one of {}",
                LOG_LEVELS.join(", ")
            ),
        )),
    }
}

fn notification(method: &str, params: Option<&Value>) -> Outcome {
    match method {
        "notifications/cancelled" => {
            // SPEC cancellation: "Invalid cancellation notifications SHOULD be ignored" — a missing
            // or malformed requestId is simply accepted and does nothing.
            let id = params
                .and_then(|p| p.get("requestId"))
                .and_then(RequestId::from_json);
            id.map_or(Outcome::Accepted, Outcome::Cancel)
        }
        // Until this arrives the server may send only pings and logging (see `server/worker.rs`):
        // the client has the `InitializeResult` but may not be ready for questions yet.
        "notifications/initialized" => Outcome::Initialized,
        // A notification we do not know (`notifications/roots/list_changed`, say): nothing to do,
        // and never an error, since a notification cannot be answered.
        _ => Outcome::Accepted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc::{parse, INVALID_PARAMS};

    fn run(text: &str) -> Outcome {
        dispatch(
            parse(text.as_bytes()).unwrap(),
            &crate::mcp::catalog::fixtures::ECHO,
            50,
        )
    }

    fn reply_json(text: &str) -> Value {
        match run(text) {
            Outcome::Reply(m) => m.to_json(),
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    #[test]
    fn ping_answers_empty_object() {
        assert_eq!(
            reply_json(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)["result"],
            json!({})
        );
    }

    #[test]
    fn unknown_method_is_32601() {
        let r = reply_json(r#"{"jsonrpc":"2.0","id":1,"method":"resources/list"}"#);
        assert_eq!(r["error"]["code"], METHOD_NOT_FOUND);
        assert_eq!(r["id"], 1);
    }

    #[test]
    fn initialize_negotiates_and_reports_the_version() {
        let o = run(
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{"elicitation":{}}}}"#,
        );
        let Outcome::Initialize {
            reply,
            protocol_version,
            capabilities,
        } = o
        else {
            panic!()
        };
        assert_eq!(protocol_version, "2025-06-18");
        assert_eq!(reply.to_json()["result"]["protocolVersion"], "2025-06-18");
        assert!(capabilities["elicitation"].is_object());
    }

    #[test]
    fn initialize_without_params_is_invalid_params() {
        let r = reply_json(r#"{"jsonrpc":"2.0","id":1,"method":"initialize"}"#);
        assert_eq!(r["error"]["code"], INVALID_PARAMS);
    }

    #[test]
    fn notifications_are_accepted_and_cancel_names_its_request() {
        assert!(matches!(
            run(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Outcome::Initialized
        ));
        let o = run(
            r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"a"}}"#,
        );
        assert!(matches!(o, Outcome::Cancel(RequestId::String(ref s)) if s == "a"));
        let bad = run(r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{}}"#);
        assert!(matches!(bad, Outcome::Accepted));
    }

    #[test]
    fn tools_call_becomes_a_call_and_unknown_tool_a_32602_reply() {
        let o = run(
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#,
        );
        assert!(matches!(o, Outcome::Call { .. }));
        let r =
            reply_json(r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x"}}"#);
        assert_eq!(r["error"]["code"], INVALID_PARAMS);
    }

    #[test]
    fn client_responses_are_handed_over_as_answers() {
        assert!(matches!(
            run(r#"{"jsonrpc":"2.0","id":9,"result":{}}"#),
            Outcome::Answer(_)
        ));
    }

    // The optional features, routed only when the catalog has them.

    use crate::mcp::catalog::Catalog;
    use crate::mcp::prompts::{Arguments, Prompt, PromptArgument};
    use crate::mcp::resources::{Body, Resource, ResourceTemplate, Variables, RESOURCE_NOT_FOUND};

    fn note() -> Body {
        Body::Text("a note".into())
    }
    fn page(vars: &Variables) -> Body {
        Body::Text(format!("page {}", vars.get("n").unwrap_or("?")))
    }
    fn echo(args: &Arguments) -> Vec<Value> {
        vec![prompts::user(
            json!({ "type": "text", "text": args.get("word").unwrap_or("") }),
        )]
    }

    /// A catalog with one of everything, standing in for the conformance example's.
    static RICH: Catalog = Catalog {
        name: "rich",
        title: "Rich",
        instructions: "",
        tools: &[],
        resources: &[Resource {
            uri: "test://note",
            name: "note",
            title: "Note",
            description: "A note",
            mime_type: "text/plain",
            read: note,
        }],
        resource_templates: &[ResourceTemplate {
            uri_template: "test://page/{n}",
            name: "page",
            title: "Page",
            description: "A page by number",
            mime_type: "text/plain",
            read: page,
        }],
        prompts: &[Prompt {
            name: "echo",
            title: "Echo",
            description: "Repeat a word",
            arguments: &[PromptArgument {
                name: "word",
                description: "The word",
                required: true,
                suggestions: &["hello", "help"],
            }],
            messages: echo,
            asks: None,
        }],
        completions: true,
        alerts: None,
    };

    fn rich(method: &str, params: Value) -> Value {
        let text =
            json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}).to_string();
        match dispatch(parse(text.as_bytes()).unwrap(), &RICH, 50) {
            Outcome::Reply(m) => m.to_json(),
            other => panic!("expected a reply, got {other:?}"),
        }
    }

    #[test]
    fn optional_feature_methods_are_32601_when_the_catalog_has_none() {
        for method in [
            "resources/list",
            "resources/templates/list",
            "resources/read",
            "resources/subscribe",
            "resources/unsubscribe",
            "prompts/list",
            "prompts/get",
            "completion/complete",
        ] {
            let r = reply_json(
                &json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": {}}).to_string(),
            );
            assert_eq!(r["error"]["code"], METHOD_NOT_FOUND, "{method}");
        }
    }

    #[test]
    fn capabilities_declare_only_the_features_the_catalog_has() {
        let tools_only = crate::mcp::catalog::fixtures::ECHO.capabilities();
        for absent in ["resources", "prompts", "completions"] {
            assert!(tools_only.get(absent).is_none(), "{absent}");
        }
        let caps = RICH.capabilities();
        assert_eq!(caps["resources"]["subscribe"], true);
        assert!(caps["prompts"].is_object() && caps["completions"].is_object());
        assert!(caps["tools"].is_object() && caps["logging"].is_object());
    }

    #[test]
    fn resources_methods_reach_the_catalog() {
        let list = rich("resources/list", json!({}));
        assert_eq!(list["result"]["resources"][0]["uri"], "test://note");
        let templates = rich("resources/templates/list", json!({}));
        assert_eq!(
            templates["result"]["resourceTemplates"][0]["uriTemplate"],
            "test://page/{n}"
        );
        let read = rich("resources/read", json!({"uri": "test://page/4"}));
        assert_eq!(read["result"]["contents"][0]["text"], "page 4");
        let missing = rich("resources/read", json!({"uri": "test://none"}));
        assert_eq!(missing["error"]["code"], RESOURCE_NOT_FOUND);
        for method in ["resources/subscribe", "resources/unsubscribe"] {
            assert_eq!(
                rich(method, json!({"uri": "test://note"}))["result"],
                json!({})
            );
        }
    }

    #[test]
    fn prompts_and_completion_methods_reach_the_catalog() {
        let list = rich("prompts/list", json!({}));
        assert_eq!(list["result"]["prompts"][0]["name"], "echo");
        let get = rich(
            "prompts/get",
            json!({"name": "echo", "arguments": {"word": "hi"}}),
        );
        assert_eq!(get["result"]["messages"][0]["content"]["text"], "hi");
        let missing = rich("prompts/get", json!({"name": "echo"}));
        assert_eq!(missing["error"]["code"], INVALID_PARAMS);
        let done = rich(
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "echo"}, "argument": {"name": "word", "value": "hel"}}),
        );
        assert_eq!(
            done["result"]["completion"]["values"],
            json!(["hello", "help"])
        );
    }
}
