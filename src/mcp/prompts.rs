//! Prompts: message templates a user picks from a menu, filled in with arguments.
//!
//! Implements MCP 2025-11-25 `server/prompts`: §Listing Prompts, §Getting a Prompt, and
//! §Error Handling (an unknown prompt or a missing required argument is `-32602`). A prompt is
//! plain data in the [`Catalog`](crate::mcp::catalog::Catalog), like a tool: a name, its declared
//! arguments, and a function that turns checked arguments into `PromptMessage`s (text, image or
//! embedded-resource content).
//!
//! In 2026-07-28 a prompt may ask the user for an argument instead of requiring it
//! ([`Prompt::asks`]; `mcp/modern.rs` turns it into an `input_required` result).
//!
//! Left out: pagination (one page, never a `nextCursor`), `notifications/prompts/list_changed`,
//! `icons`, and the `assistant` role in our own prompts (clients must accept it; we do not need it).

use crate::jsonrpc::{ErrorObject, INVALID_PARAMS};
use crate::mcp::resources::one_page;
use serde_json::{json, Value};

/// One argument a prompt declares.
#[derive(Debug)]
pub struct PromptArgument {
    pub name: &'static str,
    pub description: &'static str,
    pub required: bool,
    /// What `completion/complete` offers for this argument; may be empty.
    pub suggestions: &'static [&'static str],
}

/// One prompt, as `prompts/list` shows it and `prompts/get` fills it in.
#[derive(Debug)]
pub struct Prompt {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub arguments: &'static [PromptArgument],
    /// Builds the messages. It only ever sees arguments that passed [`get`]'s checks: every
    /// required one is present, and every value is a string.
    pub messages: fn(&Arguments) -> Vec<Value>,
    /// An argument the prompt may ask the user for (2026-07-28 MRTR) when the request leaves it
    /// out: the question comes back as an `input_required` result, the answer as the argument.
    pub asks: Option<PromptQuestion>,
}

/// A question a prompt asks instead of requiring an argument: under `key`, `message`, for the
/// string `argument`.
#[derive(Debug, Clone, Copy)]
pub struct PromptQuestion {
    pub key: &'static str,
    pub message: &'static str,
    pub argument: &'static str,
}

/// The checked arguments of a `prompts/get`: names and string values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Arguments(Vec<(String, String)>);

impl Arguments {
    /// The value given for `name`; `None` for an optional argument left out.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Prompt {
    /// The prompt as `prompts/list` shows it.
    pub fn describe(&self) -> Value {
        let arguments: Vec<Value> = self
            .arguments
            .iter()
            .map(
                |a| json!({ "name": a.name, "description": a.description, "required": a.required }),
            )
            .collect();
        json!({
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "arguments": arguments
        })
    }
}

/// A `PromptMessage` spoken by the user.
pub fn user(content: Value) -> Value {
    json!({ "role": "user", "content": content })
}

pub fn find(prompts: &'static [Prompt], name: &str) -> Option<&'static Prompt> {
    prompts.iter().find(|p| p.name == name)
}

/// `prompts/list`.
///
/// # Errors
/// `-32602` for a cursor: there is one page.
pub fn list(prompts: &[Prompt], params: Option<&Value>) -> Result<Value, ErrorObject> {
    one_page(params)?;
    Ok(json!({ "prompts": prompts.iter().map(Prompt::describe).collect::<Vec<_>>() }))
}

/// `prompts/get`: check the arguments against the prompt's declaration, then build its messages.
///
/// # Errors
/// `-32602` for an unknown prompt, `arguments` that are not an object of strings, an argument the
/// prompt does not declare, or a missing required one.
// SPEC prompts#error-handling: "Invalid prompt name: -32602 (Invalid params)" and "Missing required arguments: -32602 (Invalid params)"
pub fn get(prompts: &'static [Prompt], params: Option<&Value>) -> Result<Value, ErrorObject> {
    let bad = |why: String| ErrorObject::new(INVALID_PARAMS, format!("Invalid params: {why}"));
    let name = params
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .ok_or_else(|| bad("\"name\" must be a string".into()))?;
    let prompt = find(prompts, name).ok_or_else(|| bad(format!("unknown prompt {name:?}")))?;

    // SPEC prompts#security: "Implementations MUST carefully validate all prompt inputs and outputs"
    // Every value must be a string (the schema's `{[key: string]: string}`), and every name one the
    // prompt declared: a typo in a name should not silently become an empty value.
    let mut given = Vec::new();
    match params.and_then(|p| p.get("arguments")) {
        None | Some(Value::Null) => {}
        Some(Value::Object(map)) => {
            for (key, value) in map {
                let Some(text) = value.as_str() else {
                    return Err(bad(format!("argument {key:?} must be a string")));
                };
                if !prompt.arguments.iter().any(|a| a.name == key) {
                    return Err(bad(format!("prompt {name:?} has no argument {key:?}")));
                }
                given.push((key.clone(), text.to_string()));
            }
        }
        Some(_) => return Err(bad("\"arguments\" must be an object".into())),
    }
    let arguments = Arguments(given);
    for declared in prompt.arguments.iter().filter(|a| a.required) {
        if arguments.get(declared.name).is_none() {
            return Err(bad(format!(
                "prompt {name:?} needs the argument {:?}",
                declared.name
            )));
        }
    }
    Ok(json!({
        "description": prompt.description,
        "messages": (prompt.messages)(&arguments)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn greet(args: &Arguments) -> Vec<Value> {
        let who = args.get("who").unwrap_or("?");
        let mood = args.get("mood").unwrap_or("plain");
        vec![user(
            json!({ "type": "text", "text": format!("Greet {who}, {mood}.") }),
        )]
    }

    static PROMPTS: &[Prompt] = &[Prompt {
        name: "greet",
        title: "Greeting",
        description: "Say hello to someone",
        arguments: &[
            PromptArgument {
                name: "who",
                description: "Whom to greet",
                required: true,
                suggestions: &[],
            },
            PromptArgument {
                name: "mood",
                description: "How",
                required: false,
                suggestions: &[],
            },
        ],
        messages: greet,
        asks: None,
    }];

    fn get_with(params: Value) -> Result<Value, ErrorObject> {
        get(PROMPTS, Some(&params))
    }

    #[test]
    fn get_fills_in_arguments_and_leaves_optional_ones_out() {
        let r = get_with(json!({"name": "greet", "arguments": {"who": "Ada"}})).unwrap();
        assert_eq!(r["description"], "Say hello to someone");
        assert_eq!(r["messages"][0]["role"], "user");
        assert_eq!(r["messages"][0]["content"]["text"], "Greet Ada, plain.");
        let r = get_with(json!({"name": "greet", "arguments": {"who": "Ada", "mood": "warmly"}}))
            .unwrap();
        assert_eq!(r["messages"][0]["content"]["text"], "Greet Ada, warmly.");
    }

    #[test]
    fn unknown_prompt_missing_required_or_bad_arguments_are_32602() {
        for params in [
            json!({"name": "nope"}),
            json!({"name": "greet"}),
            json!({"name": "greet", "arguments": {"mood": "x"}}),
            json!({"name": "greet", "arguments": {"who": 3}}),
            json!({"name": "greet", "arguments": {"who": "Ada", "typo": "x"}}),
            json!({"name": "greet", "arguments": ["Ada"]}),
            json!({}),
        ] {
            let e = get_with(params.clone()).unwrap_err();
            assert_eq!(e.code, INVALID_PARAMS, "{params}");
        }
    }

    #[test]
    fn list_declares_each_argument_and_whether_it_is_required() {
        let l = list(PROMPTS, None).unwrap();
        let p = &l["prompts"][0];
        assert_eq!(p["name"], "greet");
        assert_eq!(p["description"], "Say hello to someone");
        assert_eq!(
            p["arguments"][0],
            json!({"name": "who", "description": "Whom to greet", "required": true})
        );
        assert_eq!(p["arguments"][1]["required"], false);
    }
}
