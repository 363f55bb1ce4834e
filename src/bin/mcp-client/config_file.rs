//! The `mcpServers` file that MCP tutorials and desktop hosts use to name their servers.
//!
//! Not part of the MCP specification: it is a convention of MCP hosts (Claude Desktop, Cursor,
//! Cline, Cherry Studio...) that tutorials copy. The CLI reads it with `--config FILE`, so
//! `mcp-client --config servers.json call weather.get_weather city=Hangzhou` finds the server
//! named `weather`. Pure: text in, a list out; the CLI reads the file.
//!
//! Left out: stdio servers (`"command"`), which this HTTP client cannot start; the old HTTP+SSE
//! transport of 2024-11-05 (`"type": "sse"`); per-server `headers` and `env`.
//!
//! # Format
//! ```text
//! {
//!   "mcpServers": {
//!     "weather": { "url": "http://127.0.0.1:8000/mcp", "type": "streamableHttp" },
//!     "files":   { "command": "npx", "args": ["some-stdio-server"] },
//!     "old":     { "url": "http://127.0.0.1:9000/mcp", "isActive": false }
//!   }
//! }
//! ```
//! Here `weather` is used; `files` (stdio) and `old` (inactive) are skipped, each with a note.

use serde_json::{Map, Value};

/// One server the file names and this client can reach.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerEntry {
    pub name: String,
    pub url: String,
}

/// The usable servers, in file order, and a note for each entry that was skipped.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServerList {
    pub servers: Vec<ServerEntry>,
    pub skipped: Vec<String>,
}

/// Read an `mcpServers` file.
///
/// # Errors
/// A sentence when the text is not JSON or has no `mcpServers` object. A single entry that is
/// unusable is not an error: it is skipped with a note, as hosts do.
pub fn parse(text: &str) -> Result<ServerList, String> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| format!("the config file is not JSON ({e})"))?;
    let servers = value
        .get("mcpServers")
        .and_then(Value::as_object)
        .ok_or("the config file has no \"mcpServers\" object")?;
    let mut list = ServerList::default();
    // serde_json keeps the file's order (feature `preserve_order`), so `tools` lists servers in
    // the order the user wrote them.
    for (name, entry) in servers {
        match read_entry(name, entry) {
            Ok(url) => list.servers.push(ServerEntry {
                name: name.clone(),
                url,
            }),
            Err(why) => list
                .skipped
                .push(format!("skipping server {name:?}: {why}")),
        }
    }
    Ok(list)
}

/// The URL of one entry, or why it is skipped.
fn read_entry(name: &str, entry: &Value) -> Result<String, String> {
    let Some(entry) = entry.as_object() else {
        return Err("its entry is not an object".into());
    };
    if name.is_empty() {
        return Err("it has an empty name".into());
    }
    if is_switched_off(entry) {
        return Err("it is switched off (isActive: false or disabled: true)".into());
    }
    let url = entry.get("url").and_then(Value::as_str);
    let kind = entry.get("type").and_then(Value::as_str);
    match (url, kind.map(normalize)) {
        (None, _) if entry.contains_key("command") => {
            Err("it is a stdio server (it has \"command\"); this client speaks HTTP only".into())
        }
        (None, _) => Err("it has no \"url\"".into()),
        (Some(_), Some(kind)) if kind == "sse" => Err(
            "type \"sse\" is the old HTTP+SSE transport (2024-11-05), which this client does not speak"
                .into(),
        ),
        (Some(_), Some(kind)) if kind != "streamablehttp" && kind != "http" => {
            Err(format!("unknown type {:?}", kind))
        }
        (Some(url), _) if !url.starts_with("http://") && !url.starts_with("https://") => {
            Err(format!("{url:?} is not an http:// or https:// URL"))
        }
        (Some(url), _) => Ok(url.to_string()),
    }
}

/// Hosts spell the same switch two ways: `"isActive": false` and `"disabled": true`.
fn is_switched_off(entry: &Map<String, Value>) -> bool {
    entry.get("isActive") == Some(&Value::Bool(false))
        || entry.get("disabled") == Some(&Value::Bool(true))
}

/// `streamableHttp`, `streamable-http` and `streamable_http` are one type, spelled three ways.
fn normalize(kind: &str) -> String {
    kind.chars()
        .filter(|c| *c != '-' && *c != '_')
        .collect::<String>()
        .to_ascii_lowercase()
}

impl ServerList {
    /// Route `server.tool` to a server and the tool's own name.
    ///
    /// Tool names may contain dots too, so the *longest* server name that matches wins: with
    /// servers `a` and `a.b`, `a.b.c` is tool `c` of `a.b`.
    pub fn route<'a>(&'a self, target: &'a str) -> Option<(&'a ServerEntry, &'a str)> {
        self.servers
            .iter()
            .filter_map(|server| {
                let tool = target
                    .strip_prefix(server.name.as_str())?
                    .strip_prefix('.')?;
                (!tool.is_empty()).then_some((server, tool))
            })
            .max_by_key(|(server, _)| server.name.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tutorial_example_names_one_server() {
        let list =
            parse(r#"{"mcpServers":{"weather":{"url":"http://127.0.0.1:8000/mcp"}}}"#).unwrap();
        assert_eq!(
            list.servers,
            [ServerEntry {
                name: "weather".into(),
                url: "http://127.0.0.1:8000/mcp".into()
            }]
        );
        assert!(list.skipped.is_empty());
    }

    #[test]
    fn every_spelling_of_streamable_http_is_accepted_in_file_order() {
        let list = parse(
            r#"{"mcpServers":{
                "z":{"url":"http://h/mcp","type":"streamableHttp"},
                "a":{"url":"http://h/mcp","type":"streamable-http"},
                "m":{"url":"http://h/mcp","type":"http","isActive":true},
                "b":{"url":"https://h/mcp","type":"streamable_http"}}}"#,
        )
        .unwrap();
        let names: Vec<&str> = list.servers.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["z", "a", "m", "b"]);
    }

    #[test]
    fn stdio_inactive_sse_and_bad_entries_are_skipped_with_a_note() {
        let list = parse(
            r#"{"mcpServers":{
                "files":{"command":"npx","args":["x"]},
                "off":{"url":"http://h/mcp","isActive":false},
                "dis":{"url":"http://h/mcp","disabled":true},
                "old":{"url":"http://h/sse","type":"sse"},
                "odd":{"url":"http://h/mcp","type":"websocket"},
                "ftp":{"url":"ftp://h/mcp"},
                "bare":{},
                "num":3,
                "ok":{"url":"http://h/mcp"}}}"#,
        )
        .unwrap();
        assert_eq!(list.servers.len(), 1);
        assert_eq!(list.skipped.len(), 8);
        assert!(list.skipped[0].contains("stdio"), "{:?}", list.skipped);
        assert!(list.skipped[1].contains("switched off"));
        assert!(list.skipped[3].contains("HTTP+SSE"));
    }

    #[test]
    fn a_file_without_mcp_servers_or_not_json_is_an_error() {
        assert!(parse("{").unwrap_err().contains("not JSON"));
        assert!(parse(r#"{"servers":{}}"#)
            .unwrap_err()
            .contains("mcpServers"));
        assert!(parse(r#"{"mcpServers":[]}"#).is_err());
    }

    #[test]
    fn route_splits_server_and_tool_preferring_the_longest_server_name() {
        let list = parse(r#"{"mcpServers":{"a":{"url":"http://h/1"},"a.b":{"url":"http://h/2"}}}"#)
            .unwrap();
        let (server, tool) = list.route("a.b.c").unwrap();
        assert_eq!((server.url.as_str(), tool), ("http://h/2", "c"));
        let (server, tool) = list.route("a.get_weather").unwrap();
        assert_eq!((server.name.as_str(), tool), ("a", "get_weather"));
        assert!(list.route("get_weather").is_none());
        assert!(list.route("zz.get_weather").is_none());
        assert!(list.route("a.").is_none());
    }
}
