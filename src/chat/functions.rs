//! MCP tools offered to a model as functions, and the model's function names read back.
//!
//! An MCP tool (`server/tools`: `name`, `description`, `inputSchema`) becomes a chat-completions
//! function definition (`{"type": "function", "function": {"name", "description",
//! "parameters"}}`): the schema is the same JSON Schema, passed on as it is.
//!
//! # Names
//! OpenAI requires function names to match `^[a-zA-Z0-9_-]{1,64}$`, so `weather.get_weather`
//! (how `--config` names a tool) cannot be sent as it is. We send `weather__get_weather`: the
//! dot becomes two underscores, the convention Claude Code uses for its `mcp__server__tool`
//! names. Any other character outside the set becomes `_`, a name is cut at 64 characters, and a
//! name already taken gets `_2`, `_3`... So the mapping cannot be undone by reading the name; it
//! is undone by looking it up in the [`Toolbox`], which remembers each name it gave. The person
//! is always shown `server.tool`. Without `--config` there is one server and tools keep their
//! plain names (`get_weather`, already valid).

use serde_json::{json, Value};

/// The longest function name OpenAI accepts.
pub const MAX_FUNCTION_NAME: usize = 64;

/// Does `name` match `^[a-zA-Z0-9_-]{1,64}$`?
pub fn is_function_name(name: &str) -> bool {
    (1..=MAX_FUNCTION_NAME).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// One tool as the model and the person know it.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolEntry {
    /// The name the model calls it by.
    pub function: String,
    /// Which server has it: an index into the caller's list of servers.
    pub server: usize,
    /// The tool's own name on that server, for `tools/call`.
    pub tool: String,
    /// What the person is shown: `server.tool`, or the plain name.
    pub shown: String,
    definition: Value,
}

/// Every tool of every server, under the names the model was given.
#[derive(Debug, Default)]
pub struct Toolbox {
    entries: Vec<ToolEntry>,
}

impl Toolbox {
    pub fn new() -> Toolbox {
        Toolbox::default()
    }

    /// Add tool `name` of server number `server`, named `server_name` (empty: plain names),
    /// with the `description` (or title) and `inputSchema` of its `tools/list` entry.
    ///
    /// Plain values, not `client::ToolInfo`: `chat/` and `client/` are two ends that do not
    /// import each other; the binary joins them.
    pub fn add(
        &mut self,
        server: usize,
        server_name: &str,
        name: &str,
        description: Option<&str>,
        input_schema: &Value,
    ) -> &ToolEntry {
        let (wanted, shown) = if server_name.is_empty() {
            (name.to_string(), name.to_string())
        } else {
            (
                format!("{server_name}__{name}"),
                format!("{server_name}.{name}"),
            )
        };
        let function = self.free_name(&sanitize(&wanted));
        let mut definition = json!({ "name": function, "parameters": parameters(input_schema) });
        if let Some(text) = description {
            definition["description"] = json!(text);
        }
        self.entries.push(ToolEntry {
            function,
            server,
            tool: name.to_string(),
            shown,
            definition: json!({ "type": "function", "function": definition }),
        });
        self.entries.last().expect("just pushed")
    }

    /// `name`, or `name` with `_2`, `_3`... when it is taken (cut to leave room for the suffix).
    fn free_name(&self, name: &str) -> String {
        let taken = |candidate: &str| self.entries.iter().any(|e| e.function == candidate);
        if !taken(name) {
            return name.to_string();
        }
        (2..)
            .map(|n| {
                let suffix = format!("_{n}");
                let keep = name.len().min(MAX_FUNCTION_NAME - suffix.len());
                format!("{}{suffix}", &name[..keep])
            })
            .find(|candidate| !taken(candidate))
            .expect("some suffix is free")
    }

    /// The `tools` of a request.
    pub fn definitions(&self) -> Vec<Value> {
        self.entries.iter().map(|e| e.definition.clone()).collect()
    }

    /// The tool the model means by `function`, if it was given that name.
    pub fn find(&self, function: &str) -> Option<&ToolEntry> {
        self.entries.iter().find(|e| e.function == function)
    }

    pub fn entries(&self) -> &[ToolEntry] {
        &self.entries
    }
}

/// Characters outside `[a-zA-Z0-9_-]` become `_`; the result is at most 64 characters (all
/// ASCII by then, so cutting by bytes cuts no character in half).
fn sanitize(name: &str) -> String {
    let mut clean: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' => c,
            _ => '_',
        })
        .collect();
    if clean.is_empty() {
        clean.push('_');
    }
    clean.truncate(MAX_FUNCTION_NAME);
    clean
}

/// The tool's `inputSchema`, or an empty object schema when the tool has none (a function
/// definition's `parameters` must be an object schema).
fn parameters(input_schema: &Value) -> Value {
    match input_schema {
        Value::Object(schema) if !schema.is_empty() => input_schema.clone(),
        _ => json!({ "type": "object", "properties": {} }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Add a tool with a description and a one-property schema.
    fn add(toolbox: &mut Toolbox, server: usize, server_name: &str, name: &str) {
        let schema = json!({"type": "object", "properties": {"city": {"type": "string"}}});
        let description = format!("{name} does things");
        toolbox.add(server, server_name, name, Some(&description), &schema);
    }

    #[test]
    fn without_a_server_name_tools_keep_their_plain_names_and_schemas() {
        let mut toolbox = Toolbox::new();
        add(&mut toolbox, 0, "", "get_weather");
        let definition = &toolbox.definitions()[0];
        assert_eq!(definition["type"], "function");
        assert_eq!(definition["function"]["name"], "get_weather");
        assert_eq!(
            definition["function"]["description"],
            "get_weather does things"
        );
        assert_eq!(
            definition["function"]["parameters"]["properties"]["city"]["type"],
            "string"
        );
        let entry = toolbox.find("get_weather").unwrap();
        assert_eq!(
            (entry.shown.as_str(), entry.tool.as_str()),
            ("get_weather", "get_weather")
        );
    }

    #[test]
    fn function_names_match_the_openai_pattern_and_map_back_to_server_dot_tool() {
        let mut toolbox = Toolbox::new();
        add(&mut toolbox, 0, "weather", "get_weather");
        add(&mut toolbox, 1, "my server", "tool.with.dots");
        add(&mut toolbox, 2, "x", &"long".repeat(30));
        add(&mut toolbox, 3, "", "ünïcode");
        for entry in toolbox.entries() {
            assert!(is_function_name(&entry.function), "{:?}", entry.function);
        }
        let entry = toolbox.find("weather__get_weather").unwrap();
        assert_eq!(
            (entry.server, entry.shown.as_str()),
            (0, "weather.get_weather")
        );
        let entry = toolbox.find("my_server__tool_with_dots").unwrap();
        assert_eq!((entry.server, entry.tool.as_str()), (1, "tool.with.dots"));
        assert_eq!(toolbox.entries()[2].function.len(), MAX_FUNCTION_NAME);
        assert!(toolbox.find("weather.get_weather").is_none());
    }

    #[test]
    fn names_that_collide_after_mapping_get_a_suffix() {
        let mut toolbox = Toolbox::new();
        add(&mut toolbox, 0, "a", "b.c");
        add(&mut toolbox, 1, "a", "b_c");
        add(&mut toolbox, 2, "x", &"n".repeat(70));
        add(&mut toolbox, 3, "x", &"n".repeat(71));
        let names: Vec<&str> = toolbox
            .entries()
            .iter()
            .map(|e| e.function.as_str())
            .collect();
        assert_eq!(names[..2], ["a__b_c", "a__b_c_2"]);
        assert_ne!(names[2], names[3]);
        assert!(names[3].ends_with("_2") && names[3].len() == MAX_FUNCTION_NAME);
        assert_eq!(toolbox.find("a__b_c_2").unwrap().tool, "b_c");
    }

    #[test]
    fn a_tool_without_a_schema_gets_an_empty_object_schema() {
        let mut toolbox = Toolbox::new();
        toolbox.add(0, "", "ping", None, &Value::Null);
        assert_eq!(
            toolbox.definitions()[0]["function"]["parameters"],
            json!({"type": "object", "properties": {}})
        );
        assert!(!is_function_name("") && !is_function_name("a.b"));
    }
}
