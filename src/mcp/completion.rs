//! Completion: suggestions for an argument while the user is still typing it.
//!
//! Implements MCP 2025-11-25 `server/utilities/completion`: `completion/complete` for a
//! `ref/prompt` (the prompt's declared argument offers its `suggestions` that start with what was
//! typed, ignoring case) and for a `ref/resource` (accepted, with no suggestions: our templates
//! declare none), and §Error Handling (`-32602` for an unknown prompt, template or argument).
//!
//! Left out: fuzzy matching and ranking by relevance (a prefix match, in declaration order),
//! `context.arguments` (no suggestion of ours depends on another argument), and rate limiting.

use crate::jsonrpc::{ErrorObject, INVALID_PARAMS};
use crate::mcp::prompts::{self, Prompt};
use crate::mcp::resources::{Resource, ResourceTemplate};
use serde_json::{json, Value};

/// At most this many values go in one answer.
// SPEC completion#completion-results: "Maximum 100 items per response"
pub const MAX_VALUES: usize = 100;

/// `completion/complete`.
///
/// # Errors
/// `-32602` when `ref` or `argument` is malformed, or names a prompt, argument or resource we do
/// not have.
pub fn complete(
    prompts: &'static [Prompt],
    resources: &[Resource],
    templates: &[ResourceTemplate],
    params: Option<&Value>,
) -> Result<Value, ErrorObject> {
    let bad = |why: String| ErrorObject::new(INVALID_PARAMS, format!("Invalid params: {why}"));
    let field = |pointer: &str| {
        params
            .and_then(|p| p.pointer(pointer))
            .and_then(Value::as_str)
            .ok_or_else(|| bad(format!("\"{}\" must be a string", &pointer[1..])))
    };
    let argument = field("/argument/name")?;
    let typed = field("/argument/value")?;
    let candidates: &[&str] = match field("/ref/type")? {
        "ref/prompt" => {
            let name = field("/ref/name")?;
            let prompt = prompts::find(prompts, name)
                .ok_or_else(|| bad(format!("unknown prompt {name:?}")))?;
            let declared = prompt
                .arguments
                .iter()
                .find(|a| a.name == argument)
                .ok_or_else(|| bad(format!("prompt {name:?} has no argument {argument:?}")))?;
            declared.suggestions
        }
        "ref/resource" => {
            let uri = field("/ref/uri")?;
            let known = templates.iter().any(|t| t.uri_template == uri)
                || resources.iter().any(|r| r.uri == uri);
            if !known {
                return Err(bad(format!("unknown resource or template {uri:?}")));
            }
            &[]
        }
        other => return Err(bad(format!("unknown ref type {other:?}"))),
    };
    let typed = typed.to_lowercase();
    let matches: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| c.to_lowercase().starts_with(&typed))
        .collect();
    let shown = &matches[..matches.len().min(MAX_VALUES)];
    Ok(json!({
        "completion": {
            "values": shown,
            "total": matches.len(),
            "hasMore": matches.len() > shown.len()
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::prompts::PromptArgument;
    use crate::mcp::resources::Body;

    fn no_messages(_: &prompts::Arguments) -> Vec<Value> {
        Vec::new()
    }
    fn empty(_: &crate::mcp::resources::Variables) -> Body {
        Body::Text(String::new())
    }

    static PROMPTS: &[Prompt] = &[Prompt {
        name: "pick",
        title: "Pick",
        description: "Pick a language",
        arguments: &[PromptArgument {
            name: "language",
            description: "A language",
            required: true,
            suggestions: &["Python", "PyTorch", "Rust"],
        }],
        messages: no_messages,
        asks: None,
    }];
    static TEMPLATES: &[ResourceTemplate] = &[ResourceTemplate {
        uri_template: "test://items/{id}",
        name: "item",
        title: "Item",
        description: "An item",
        mime_type: "text/plain",
        read: empty,
    }];

    fn ask(params: Value) -> Result<Value, ErrorObject> {
        complete(PROMPTS, &[], TEMPLATES, Some(&params))
    }

    #[test]
    fn prompt_argument_suggestions_are_filtered_by_prefix_ignoring_case() {
        let r = ask(json!({"ref": {"type": "ref/prompt", "name": "pick"}, "argument": {"name": "language", "value": "py"}}))
            .unwrap();
        assert_eq!(
            r["completion"],
            json!({"values": ["Python", "PyTorch"], "total": 2, "hasMore": false})
        );
    }

    #[test]
    fn template_reference_is_answered_with_no_values() {
        let r = ask(json!({"ref": {"type": "ref/resource", "uri": "test://items/{id}"}, "argument": {"name": "id", "value": "1"}}))
            .unwrap();
        assert_eq!(r["completion"]["values"], json!([]));
    }

    #[test]
    fn unknown_prompt_argument_template_or_ref_type_is_32602() {
        for params in [
            json!({"ref": {"type": "ref/prompt", "name": "nope"}, "argument": {"name": "language", "value": ""}}),
            json!({"ref": {"type": "ref/prompt", "name": "pick"}, "argument": {"name": "nope", "value": ""}}),
            json!({"ref": {"type": "ref/resource", "uri": "test://other"}, "argument": {"name": "id", "value": ""}}),
            json!({"ref": {"type": "ref/tool", "name": "x"}, "argument": {"name": "a", "value": ""}}),
            json!({"ref": {"type": "ref/prompt", "name": "pick"}}),
        ] {
            assert_eq!(
                ask(params.clone()).unwrap_err().code,
                INVALID_PARAMS,
                "{params}"
            );
        }
    }
}
