//! What a server offers: who it is, its tools, and (for richer servers) more features.
//!
//! Implements the server-side inventory behind MCP 2025-11-25 `basic/lifecycle` §Initialization
//! (the `serverInfo`, `instructions` and `capabilities` a server declares) and `server/tools`
//! §Listing Tools. The weather server's catalog is [`WEATHER`]; the conformance example
//! (`examples/conformance_server.rs`) builds a bigger one from the same parts.
//!
//! # Why data and not a trait?
//! A catalog is a value the dispatcher reads: which tools exist, what the server is called. A
//! `trait Server` with a method per MCP method would be more flexible, and would hide the routing
//! a student came to read behind dynamic dispatch.

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
};

impl Catalog {
    /// The `capabilities` of the `InitializeResult`.
    ///
    /// `logging` is always declared: the GET stream carries `notifications/message` alerts.
    pub fn capabilities(&self) -> Value {
        json!({
            "tools": { "listChanged": false },
            "logging": {}
        })
    }
}
