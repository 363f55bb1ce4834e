//! The weather app: the one thing this server *does*, kept apart from the protocol.
//!
//! Nothing outside this folder and the binaries imports it: the transport (`crate::server`) and
//! the MCP methods (`crate::mcp`) know only a [`Catalog`], and `weather-server` hands them
//! [`CATALOG`]. A student who replaces this folder with another app changes no transport code.
//! The app's page (`page.rs` and `page.html`) is what `weather-server` serves at `GET /`.
//!
//! | file | what it holds |
//! |---|---|
//! | `mod.rs` | the app's catalog, and the alerts its GET stream carries |
//! | `tool.rs` | the `get_weather` and `list_cities` tools (MCP 2025-11-25 `server/tools`) |
//! | `cities.rs` | the embedded data set and the lookup by name |

// LAB: lab 2 (add a tool): declare your tool's module here, beside `cities` and `tool`.
pub mod cities;
pub mod tool;

use crate::jsonrpc::Message;
use crate::mcp::catalog::Catalog;
use serde_json::json;

// LAB: lab 2 (add a tool): list your tool in `tools` below; write it in a file of its own here.
/// The weather server of this course: two tools, and weather alerts on the GET stream.
pub static CATALOG: Catalog = Catalog {
    name: "weather-server",
    title: "Weather (streamable-mcp teaching server)",
    instructions:
        "Call get_weather with a city name (for example Hangzhou or Zürich) to get the current \
weather from an offline data set. Send params._meta.progressToken to watch the lookup progress; \
list_cities names every city the server knows.",
    tools: &[tool::GET_WEATHER, tool::LIST_CITIES],
    resources: &[],
    resource_templates: &[],
    prompts: &[],
    completions: false,
    alerts: Some(alert),
};

/// The page at `GET /`: a browser picks a city and calls `get_weather` itself.
pub mod page;

/// The `n`-th weather alert: a `notifications/message` (the logging utility) unrelated to any
/// request, which is exactly what the GET stream is for. It lets a student watch the server
/// speak first. The cities and alerts cycle, so a long-lived stream never runs out.
// SPEC transports#listening: "These messages SHOULD be unrelated to any concurrently-running JSON-RPC request from the client."
pub fn alert(n: usize) -> Message {
    const ALERTS: [&str; 5] = [
        "heavy rain expected",
        "strong wind warning",
        "heat advisory",
        "fog on the roads",
        "snow showers ahead",
    ];
    let city = &cities::CITIES[(n * 7) % cities::CITIES.len()];
    let alert = ALERTS[n % ALERTS.len()];
    Message::notification(
        "notifications/message",
        json!({
            "level": "warning",
            "logger": "weather-alerts",
            "data": { "city": city.label(), "alert": alert, "text": format!("Weather alert for {}: {alert}", city.name) }
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_are_logging_notifications_that_cycle_through_cities() {
        let first = alert(0).to_json();
        assert_eq!(first["method"], "notifications/message");
        assert_eq!(first["params"]["logger"], "weather-alerts");
        assert_eq!(first["params"]["level"], "warning");
        assert_ne!(
            alert(1).to_json(),
            first,
            "each alert differs from the last"
        );
    }

    #[test]
    fn the_catalog_offers_tools_only_and_alerts() {
        let caps = CATALOG.capabilities();
        for absent in ["resources", "prompts", "completions"] {
            assert!(caps.get(absent).is_none(), "{absent}");
        }
        assert!(caps["tools"].is_object() && caps["logging"].is_object());
        assert!(CATALOG.alerts.is_some());
    }
}
