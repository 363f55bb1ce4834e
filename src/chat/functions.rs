//! MCP tools offered to a model as functions, and the model's function names read back.
//!
//! Maps MCP 2025-11-25 and 2026-07-28 `server/tools` (a tool of `tools/list`: `name`,
//! `description`, `inputSchema`, the same fields in both revisions) onto OpenAI's
//! chat-completions function definitions, which are no MCP specification (`{"type": "function",
//! "function": {"name", "description", "parameters"}}`): the schema is the same JSON Schema,
//! passed on as it is.
//!
//! # Names
//! OpenAI requires function names to match `^[a-zA-Z0-9_-]{1,64}$`, so `weather.get_weather`
//! (how `--config` names a tool) cannot be sent as it is. We send `weather__get_weather`: the
//! dot becomes two underscores, the convention Claude Code uses for its `mcp__server__tool`
//! names. Any other character outside the set becomes `_`. A name longer than 64 characters is
//! shortened in its *server* part, because the tool's part is what the model picks a tool by
//! (`a_very_long_server_name_cut__get_weather`); only a tool name of more than 61 characters is
//! cut itself. A name already taken gets `_2`, `_3`... after the server part (`w.1` and `w_1`
//! both map to `w_1`: `w_1__get_weather`, then `w_1_2__get_weather`).
//!
//! So the mapping cannot be undone by reading the name; it is undone by looking it up in the
//! [`Toolbox`], which remembers each name it gave. And since the model cannot undo it either,
//! a function whose name is not the tool's own starts its description with `server.tool`, the
//! name the person is shown. Without `--config` there is one server and tools keep their plain
//! names (`get_weather`, already valid), and their descriptions as they are.
//!
//! Left out: the rest of a tool's `tools/list` entry (`title`, `outputSchema`, `annotations`
//! such as `readOnlyHint`, `icons`): a function definition has no place for them. A host could
//! use `readOnlyHint` to skip the confirmation of a call (`confirm.rs` asks for every one).

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
        let shown = if server_name.is_empty() {
            name.to_string()
        } else {
            format!("{server_name}.{name}")
        };
        let (server_part, tool_part) = (sanitize(server_name), sanitize(name));
        let taken = |candidate: &str| self.entries.iter().any(|e| e.function == candidate);
        let function = (1..)
            .map(|n| {
                let suffix = if n == 1 {
                    String::new()
                } else {
                    format!("_{n}")
                };
                if server_name.is_empty() {
                    plain_name(&tool_part, &suffix)
                } else {
                    joined_name(&server_part, &tool_part, &suffix)
                }
            })
            .find(|candidate| !taken(candidate))
            .expect("some suffix is free");
        let mut definition = json!({ "name": function, "parameters": parameters(input_schema) });
        // The model reads the description to choose: it says which tool this is when the name
        // no longer does.
        let description = match description {
            _ if function == shown => description.map(str::to_string),
            Some(text) => Some(format!("{shown}: {text}")),
            None => Some(shown.clone()),
        };
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

/// Characters outside `[a-zA-Z0-9_-]` become `_` (all ASCII then, so cutting the result by
/// bytes cuts no character in half); an empty name becomes `_`.
fn sanitize(name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-' => c,
            _ => '_',
        })
        .collect();
    if clean.is_empty() {
        "_".to_string()
    } else {
        clean
    }
}

/// `tool` then `suffix`, within 64 characters: the tool's name is cut to make room.
fn plain_name(tool: &str, suffix: &str) -> String {
    let keep = tool.len().min(MAX_FUNCTION_NAME - suffix.len());
    format!("{}{suffix}", &tool[..keep])
}

/// `server`, `suffix`, `__`, `tool`, within 64 characters. The server part is cut first, down to
/// one character; the tool part is cut only when even that does not leave room for it.
fn joined_name(server: &str, tool: &str, suffix: &str) -> String {
    let fixed = suffix.len() + "__".len();
    let tool = &tool[..tool.len().min(MAX_FUNCTION_NAME - fixed - 1)];
    let server = &server[..server.len().min(MAX_FUNCTION_NAME - fixed - tool.len())];
    format!("{server}{suffix}__{tool}")
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
        assert_eq!(names[..2], ["a__b_c", "a_2__b_c"]);
        assert_ne!(names[2], names[3]);
        assert!(names[3].starts_with("x_2__n") && names[3].len() == MAX_FUNCTION_NAME);
        assert_eq!(toolbox.find("a_2__b_c").unwrap().tool, "b_c");
        let descriptions: Vec<Value> = toolbox
            .definitions()
            .iter()
            .map(|d| d["function"]["description"].clone())
            .collect();
        assert_eq!(
            descriptions[..2],
            ["a.b.c: b.c does things", "a.b_c: b_c does things"]
        );
    }

    #[test]
    fn a_long_server_name_is_cut_in_its_server_part_and_the_tool_part_stays_whole() {
        let mut toolbox = Toolbox::new();
        let server = "a-server-with-a-name-far-too-long-for-a-function-name-of-sixty-four";
        add(&mut toolbox, 0, server, "get_weather");
        add(&mut toolbox, 1, server, "list_cities");
        add(&mut toolbox, 2, "w.1", "get_weather");
        add(&mut toolbox, 3, "w_1", "get_weather");
        add(&mut toolbox, 4, "s", &"t".repeat(80));
        let names: Vec<&str> = toolbox
            .entries()
            .iter()
            .map(|e| e.function.as_str())
            .collect();
        assert_eq!(names[0].len(), MAX_FUNCTION_NAME);
        assert!(names[0].ends_with("__get_weather") && names[0].starts_with("a-server-"));
        assert!(names[1].ends_with("__list_cities"), "{}", names[1]);
        assert_eq!(names[2..4], ["w_1__get_weather", "w_1_2__get_weather"]);
        assert_eq!(names[4], format!("s__{}", "t".repeat(61)));
        assert_eq!(toolbox.find(names[0]).unwrap().tool, "get_weather");
        let description = |i: usize| toolbox.definitions()[i]["function"]["description"].clone();
        assert_eq!(
            description(0),
            format!("{server}.get_weather: get_weather does things")
        );
        assert_eq!(description(2), "w.1.get_weather: get_weather does things");
        assert_eq!(description(3), "w_1.get_weather: get_weather does things");
        for entry in toolbox.entries() {
            assert!(is_function_name(&entry.function), "{:?}", entry.function);
        }
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
