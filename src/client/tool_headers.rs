//! A modern tool call's `Mcp-Param-*` headers, and the tool definitions that cannot have them.
//!
//! Implements the client side of MCP 2026-07-28 `basic/transports/streamable-http` §Custom Headers
//! from Tool Parameters: the constraints of §Schema Extension on every `x-mcp-header` annotation
//! (a tool that breaks one is left out of `tools/list`, with the reason), and §Client Behavior
//! (each marked argument the call has goes out as `Mcp-Param-{Name}` too, encoded by
//! `crate::header_value`). Pure: schemas in, headers or reasons out.
//!
//! Left out: the JavaScript safe-integer range is checked on the call's values, not on the
//! schema's `minimum`/`maximum` (a schema need not state a range at all).
//!
//! # Why is a bad annotation the client's problem?
//! The client builds the headers. A name that is not an HTTP token, or two names that differ only
//! in case, would give a request no server can read the same way twice; a header for an array has
//! no encoding at all. Refusing the one tool keeps every other tool of the server usable.

use super::tools::ToolInfo;
use crate::header_value::{annotated_parameters, encode_header_value, header_text, value_at};
use serde_json::Value;

/// The largest integer a JavaScript number holds exactly, 2^53 − 1.
const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// The tools whose annotations can be sent, and the others, each with the reason it was refused.
// SPEC streamable-http (2026-07-28) §Schema Extension: "the client MUST exclude the invalid tool from the result of `tools/list`."
pub fn usable(tools: Vec<ToolInfo>) -> (Vec<ToolInfo>, Vec<(String, String)>) {
    let (mut usable, mut refused) = (Vec::new(), Vec::new());
    for tool in tools {
        match annotation_problem(&tool.input_schema) {
            Some(why) => refused.push((tool.name, why)),
            None => usable.push(tool),
        }
    }
    (usable, refused)
}

/// Why a tool's `inputSchema` cannot be used over HTTP, or `None` when its annotations are sound.
// SPEC streamable-http (2026-07-28) §Schema Extension: "Clients using the Streamable HTTP transport MUST reject tool definitions where any `x-mcp-header` value violates these constraints."
pub fn annotation_problem(schema: &Value) -> Option<String> {
    // The root is the arguments object itself, not a property: nothing there can be annotated.
    if schema.get("x-mcp-header").is_some() {
        return Some("x-mcp-header on the schema's root, which is no property".into());
    }
    if let Some(problem) = stray_annotation(schema, true) {
        return Some(problem);
    }
    let mut seen: Vec<String> = Vec::new();
    for (path, _) in annotated_parameters(schema) {
        let property = path
            .iter()
            .try_fold(schema, |node, key| node.get("properties")?.get(key))?;
        // `annotated_parameters` finds string values only; `stray_annotation` refused the rest.
        let name = property["x-mcp-header"].as_str().unwrap_or_default();
        // SPEC streamable-http (2026-07-28) §Schema Extension: the value "MUST match HTTP field-name token syntax (`1*tchar`...)" (so not empty, no CR or LF).
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Some(format!("x-mcp-header {name:?} is not an HTTP token"));
        }
        // SPEC streamable-http (2026-07-28) §Schema Extension: "MUST be case-insensitively unique among all `x-mcp-header` values"
        if seen.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            return Some(format!("x-mcp-header {name:?} is used twice"));
        }
        seen.push(name.to_string());
        // SPEC streamable-http (2026-07-28) §Schema Extension: "MUST only be applied to parameters with primitive types (integer, string, boolean)"
        // A list of types (`["integer", "null"]`) is refused too: the rule names single types.
        let kind = &property["type"];
        if !matches!(kind.as_str(), Some("string" | "integer" | "boolean")) {
            return Some(format!(
                "x-mcp-header {name:?} is on a property of type {kind}"
            ));
        }
    }
    None
}

/// An `x-mcp-header` that is not at the end of a chain of `properties` keys, or not a string.
///
/// `annotated_parameters` follows only those chains, so an annotation under `items`, `oneOf` or
/// `$defs` is invisible to it; this walks *everything* to find one. `in_chain` says whether
/// `node` is reached from the root by `properties` steps alone.
// SPEC streamable-http (2026-07-28) §Schema Extension: "An `x-mcp-header` annotation anywhere else makes the annotation — and thus the tool definition — invalid."
fn stray_annotation(node: &Value, in_chain: bool) -> Option<String> {
    match node {
        Value::Array(items) => items.iter().find_map(|n| stray_annotation(n, false)),
        Value::Object(map) => {
            match map.get("x-mcp-header") {
                Some(_) if !in_chain => {
                    return Some("x-mcp-header under a keyword other than properties".into())
                }
                Some(name) if !name.is_string() => {
                    return Some(format!("x-mcp-header {name} is not a string"))
                }
                _ => {}
            }
            map.iter()
                .find_map(|(key, child)| match (key.as_str(), child) {
                    // The keys of `properties` are names, not keywords: step over the map itself.
                    ("properties", Value::Object(named)) => named
                        .values()
                        .find_map(|schema| stray_annotation(schema, in_chain)),
                    _ => stray_annotation(child, false),
                })
        }
        _ => None,
    }
}

/// RFC 9110 §5.6.2 `tchar`: the characters of a header name.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The `Mcp-Param-*` headers of a call of the tool whose `inputSchema` is `schema`.
///
/// # Errors
/// An integer beyond the JavaScript safe range: a server written in JavaScript would read the
/// header and the body as two different numbers, so the call is refused before it is sent.
// SPEC streamable-http (2026-07-28) §Custom Headers from Tool Parameters: "conforming clients MUST mirror the designated parameter values into HTTP headers."
pub fn param_headers(schema: &Value, arguments: &Value) -> Result<Vec<(String, String)>, String> {
    let mut headers = Vec::new();
    for (path, name) in annotated_parameters(schema) {
        let Some(value) = value_at(arguments, &path) else {
            continue; // no value, no header
        };
        let at = path.join(".");
        // Every JSON number as f64: i64::MIN and u64::MAX land far outside the range too.
        if value
            .as_f64()
            .is_some_and(|n| n.abs() > MAX_SAFE_INTEGER as f64)
        {
            return Err(format!("{at} = {value} is beyond 2^53 - 1"));
        }
        // A value of the wrong type (an object, or 2.5 for an integer) has no header form. Sent
        // without its header, the server would refuse it with -32020; saying so here is clearer.
        let Some(text) = header_text(value) else {
            return Err(format!(
                "{at} = {value} has no header form (string, integer or boolean)"
            ));
        };
        headers.push((format!("Mcp-Param-{name}"), encode_header_value(&text)));
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with(property: Value) -> Value {
        json!({ "type": "object", "properties": { "p": property, "q": { "type": "string" } } })
    }

    #[test]
    fn sound_annotations_have_no_problem() {
        let schema = json!({ "type": "object", "properties": {
            "region": { "type": "string", "x-mcp-header": "Region" },
            "deep": { "type": "object", "properties": {
                "n": { "type": "integer", "x-mcp-header": "N-1" } } } } });
        assert_eq!(annotation_problem(&schema), None);
        assert_eq!(annotation_problem(&json!({ "type": "object" })), None);
    }

    #[test]
    fn names_that_are_not_tokens_or_repeat_in_another_case_are_refused() {
        for bad in ["", "Has Space", "Line\nBreak", "Colon:", "Ünï"] {
            let schema = with(json!({ "type": "string", "x-mcp-header": bad }));
            assert!(annotation_problem(&schema).is_some(), "{bad:?}");
        }
        let twice = json!({ "type": "object", "properties": {
            "a": { "type": "string", "x-mcp-header": "Region" },
            "b": { "type": "string", "x-mcp-header": "REGION" } } });
        assert!(annotation_problem(&twice).unwrap().contains("twice"));
        let not_text = with(json!({ "type": "string", "x-mcp-header": 7 }));
        assert!(annotation_problem(&not_text).is_some());
    }

    #[test]
    fn only_strings_integers_and_booleans_may_be_annotated() {
        for kind in ["number", "object", "array", "null"] {
            let schema = with(json!({ "type": kind, "x-mcp-header": "P" }));
            assert!(annotation_problem(&schema).is_some(), "{kind}");
        }
        let untyped = with(json!({ "x-mcp-header": "P" }));
        assert!(annotation_problem(&untyped).is_some());
        let listed = with(json!({ "type": ["integer", "null"], "x-mcp-header": "P" }));
        let why = annotation_problem(&listed).unwrap();
        assert!(why.contains("null"), "{why}");
        let root = json!({ "type": "object", "x-mcp-header": "R", "properties": {} });
        assert!(annotation_problem(&root).unwrap().contains("root"));
    }

    #[test]
    fn an_annotation_off_the_properties_chain_is_refused() {
        let under_items =
            with(json!({ "type": "array", "items": { "type": "string", "x-mcp-header": "I" } }));
        let under_one_of = with(json!({ "oneOf": [{ "type": "string", "x-mcp-header": "O" }] }));
        let under_defs = json!({ "type": "object", "$defs": { "d": { "type": "string", "x-mcp-header": "D" } } });
        for schema in [under_items, under_one_of, under_defs] {
            assert!(annotation_problem(&schema).is_some(), "{schema}");
        }
        // A *property* named x-mcp-header is a name, not an annotation.
        let named =
            json!({ "type": "object", "properties": { "x-mcp-header": { "type": "string" } } });
        assert_eq!(annotation_problem(&named), None);
    }

    #[test]
    fn marked_arguments_become_encoded_headers_and_absent_ones_none() {
        let schema = json!({ "type": "object", "properties": {
            "region": { "type": "string", "x-mcp-header": "Region" },
            "n": { "type": "integer", "x-mcp-header": "N" },
            "dry": { "type": "boolean", "x-mcp-header": "Dry" } } });
        let mut headers = param_headers(
            &schema,
            &json!({ "region": "Zürich", "n": -7, "dry": true }),
        )
        .unwrap();
        headers.sort();
        assert_eq!(
            headers,
            [
                ("Mcp-Param-Dry".to_string(), "true".to_string()),
                ("Mcp-Param-N".into(), "-7".into()),
                ("Mcp-Param-Region".into(), "=?base64?WsO8cmljaA==?=".into()),
            ]
        );
        assert_eq!(
            param_headers(&schema, &json!({ "region": null })),
            Ok(vec![])
        );
    }

    #[test]
    fn integers_beyond_the_javascript_safe_range_are_refused() {
        let schema = with(json!({ "type": "integer", "x-mcp-header": "P" }));
        assert!(param_headers(&schema, &json!({ "p": 9007199254740991_i64 })).is_ok());
        assert!(param_headers(&schema, &json!({ "p": 9007199254740992_i64 })).is_err());
        assert!(param_headers(&schema, &json!({ "p": u64::MAX })).is_err());
        assert!(param_headers(&schema, &json!({ "p": i64::MIN })).is_err());
    }

    #[test]
    fn a_whole_float_is_an_integer_and_a_value_without_header_form_is_refused() {
        let schema = with(json!({ "type": "integer", "x-mcp-header": "P" }));
        let whole = param_headers(&schema, &json!({ "p": 10.0 })).unwrap();
        assert_eq!(whole, [("Mcp-Param-P".to_string(), "10".to_string())]);
        assert!(param_headers(&schema, &json!({ "p": 2.5 }))
            .unwrap_err()
            .contains("header form"));
        assert!(param_headers(&schema, &json!({ "p": [1] })).is_err());
    }
}
