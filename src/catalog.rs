//! What a server offers: who it is, its tools, and (for richer servers) more features.
//!
//! Implements the server-side inventory behind MCP 2025-11-25 `basic/lifecycle` §Initialization
//! (the `serverInfo`, `instructions` and `capabilities` a server declares) and `server/tools`
//! §Listing Tools. The weather server's catalog is [`WEATHER`]: tools only. The conformance
//! example (`examples/conformance_server.rs`) builds a bigger one from the same parts, with
//! resources (`resources.rs`), prompts (`prompts.rs`) and completions (`completion.rs`) too.
//!
//! # Why data and not a trait?
//! A catalog is a value the dispatcher reads: which tools exist, what the server is called. A
//! `trait Server` with a method per MCP method would be more flexible, and would hide the routing
//! a student came to read behind dynamic dispatch.

use crate::prompts::Prompt;
use crate::resources::{Resource, ResourceTemplate};
use crate::tools::{weather, Tool};
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
    /// Send weather alerts on the GET stream (the weather server's demonstration of it).
    pub alerts: bool,
}

// LAB: add a tool. Write it in its own file next to tools/weather.rs and list it here.
/// The weather server of this course.
pub static WEATHER: Catalog = Catalog {
    name: "weather-server",
    title: "Weather (streamable-mcp teaching server)",
    instructions:
        "Call get_weather with a city name (for example Hangzhou or Zürich) to get the current \
weather from an offline data set. Send params._meta.progressToken to watch the lookup progress; \
list_cities names every city the server knows.",
    tools: &[weather::GET_WEATHER, weather::LIST_CITIES],
    resources: &[],
    resource_templates: &[],
    prompts: &[],
    completions: false,
    alerts: true,
};

impl Catalog {
    /// The `capabilities` of the `InitializeResult`.
    ///
    /// `logging` is always declared: the GET stream carries `notifications/message` alerts. The
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
