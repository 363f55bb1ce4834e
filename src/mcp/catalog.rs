//! What a server offers: who it is, its tools, and (for richer servers) more features.
//!
//! Implements the server-side inventory behind MCP 2025-11-25 `basic/lifecycle` §Initialization
//! (the `serverInfo`, `instructions` and `capabilities` a server declares) and `server/tools`
//! §Listing Tools. A catalog is chosen by the binary: `weather-server` serves the weather app's
//! (`crate::weather::CATALOG`, tools only); the conformance example
//! (`examples/conformance_server.rs`) builds a bigger one from the same parts, with resources
//! (`resources.rs`), prompts (`prompts.rs`) and completions (`completion.rs`) too. Nothing here
//! knows any app.
//!
//! # Why data and not a trait?
//! A catalog is a value the dispatcher reads: which tools exist, what the server is called. A
//! `trait Server` with a method per MCP method would be more flexible, and would hide the routing
//! a student came to read behind dynamic dispatch.

use crate::jsonrpc::Message;
use crate::mcp::prompts::Prompt;
use crate::mcp::resources::{Resource, ResourceTemplate};
use crate::mcp::tools::Tool;
use serde_json::{json, Value};

#[derive(Debug)]
pub struct Catalog {
    /// `serverInfo.name`, `serverInfo.title`.
    pub name: &'static str,
    pub title: &'static str,
    /// A hint for the model, sent with the `InitializeResult`.
    pub instructions: &'static str,
    /// Every tool, in `tools/list` order.
    pub tools: &'static [Tool],
    /// Resources with a fixed URI, in `resources/list` order.
    pub resources: &'static [Resource],
    /// Families of resources by URI template, in `resources/templates/list` order.
    pub resource_templates: &'static [ResourceTemplate],
    /// Every prompt, in `prompts/list` order.
    pub prompts: &'static [Prompt],
    /// Answer `completion/complete` (from the prompts' argument suggestions).
    pub completions: bool,
    /// The `n`-th notification of the GET stream, sent every `--alert-interval-ms` to a session
    /// that opened it: messages unrelated to any request, the reason that stream exists. `None`:
    /// the GET stream carries nothing but heartbeats.
    pub alerts: Option<fn(usize) -> Message>,
}

impl Catalog {
    /// The `capabilities` of the `InitializeResult`.
    ///
    /// `logging` is always declared: `logging/setLevel` is answered, and an app's GET-stream
    /// alerts are `notifications/message`. The
    /// others only when the catalog has something behind them, so that a client never calls
    /// `resources/list` on the weather server only to get `-32601`.
    // SPEC resources#capabilities: "Servers that support resources MUST declare the resources capability"
    // (and the same sentence for prompts and completions on their pages)
    pub fn capabilities(&self) -> Value {
        let mut capabilities = json!({
            "tools": { "listChanged": false },
            "logging": {}
        });
        if self.offers_resources() {
            // `subscribe: true` with nothing ever sent: our resources do not change (resources.rs).
            capabilities["resources"] = json!({ "subscribe": true, "listChanged": false });
        }
        if self.offers_prompts() {
            capabilities["prompts"] = json!({ "listChanged": false });
        }
        if self.completions {
            capabilities["completions"] = json!({});
        }
        capabilities
    }

    /// Are there resources, fixed or templated? Then the `resources/*` methods are routed.
    pub fn offers_resources(&self) -> bool {
        !self.resources.is_empty() || !self.resource_templates.is_empty()
    }

    /// Are there prompts? Then the `prompts/*` methods are routed.
    pub fn offers_prompts(&self) -> bool {
        !self.prompts.is_empty()
    }
}

/// A catalog for the unit tests of `mcp/`: one tool that echoes its `text`, nothing else. (The
/// weather app is not imported here, even by tests: `mcp/` knows no app.)
#[cfg(test)]
pub(crate) mod fixtures {
    use super::Catalog;
    use crate::mcp::tools::{text_item, Context, Stop, Tool, ToolResult};
    use serde_json::{json, Map, Value};

    fn input() -> Value {
        json!({ "type": "object", "properties": { "text": { "type": "string" } } })
    }

    fn echo(args: &Map<String, Value>, _: &Context) -> Result<ToolResult, Stop> {
        let text = args.get("text").and_then(Value::as_str).unwrap_or("");
        Ok(ToolResult::content(vec![text_item(text)]))
    }

    pub static ECHO: Catalog = Catalog {
        name: "echo-server",
        title: "Echo",
        instructions: "Call echo with some text.",
        tools: &[Tool {
            name: "echo",
            title: "Echo",
            description: "Returns its text.",
            input_schema: input,
            output_schema: None,
            read_only: true,
            run: echo,
        }],
        resources: &[],
        resource_templates: &[],
        prompts: &[],
        completions: false,
        alerts: None,
    };
}
