//! Values a modern client copies from the body into headers, and how the server checks them.
//!
//! Implements MCP 2026-07-28 `basic/transports/streamable-http` §Value Encoding (plain ASCII or
//! `=?base64?…?=`, for `Mcp-Name` and `Mcp-Param-{Name}`) and §Custom Headers from Tool Parameters
//! (a tool's `inputSchema` property marked `x-mcp-header: "Region"` travels as `Mcp-Param-Region`
//! too, and §Server Behavior for Custom Headers says the server checks the two agree).
//!
//! # Why would a header repeat the body?
//! So that something in front of the server (a gateway, a load balancer, a rate limiter) can route
//! on it without parsing JSON. The price is that the two can disagree, and a server that believed
//! the header while the tool read the body would be open to a request that says one thing to the
//! gateway and another to the tool. Hence the check, and hence -32020 for any disagreement.
//!
//! Left out: checking that our own tool definitions obey the annotation's constraints (the
//! client's job; our catalog is written by us), and `Mcp-Param-*` on anything but `tools/call`,
//! the only method the revision gives them.

use crate::server::rejection::Rejection;
use crate::server::request::RequestHead;
use serde_json::Value;

/// A header value as the client meant it: plain, or `=?base64?…?=` decoded. `None` when it is
/// not valid header text: a character outside visible ASCII, space and tab, or a marked value that
/// is not strict base64 of UTF-8 text.
// SPEC streamable-http (2026-07-28) §Value Encoding: "servers MUST decode an encoded `Mcp-Name` or `Mcp-Param-{Name}` value before comparing it"
pub fn decode_header_value(value: &str) -> Option<String> {
    // SPEC streamable-http (2026-07-28) §Server Validation: a failure condition is "A header value contains invalid characters."
    if !value.chars().all(|c| c == '\t' || (' '..='~').contains(&c)) {
        return None;
    }
    match value
        .strip_prefix("=?base64?")
        .and_then(|v| v.strip_suffix("?="))
    {
        // Without both markers the value is literal, even if it looks like base64.
        None => Some(value.to_string()),
        Some(encoded) => String::from_utf8(base64_decode(encoded)?).ok(),
    }
}

/// Standard base64 (RFC 4648 §4), strict: whole groups of four, `=` only as the last one or two
/// characters, and the bits of the last character that no byte uses left at zero (§3.5). A production server would take a crate; twenty lines keep the dependency list as
/// it is.
///
/// # Why strict?
/// A lenient decoder accepts `SGVsbG8` (no padding) and `SGVsbG9=` (stray low bits) as `Hello`
/// too, so several header values would mean one body value, and a gateway comparing bytes would
/// disagree with us.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    if !text.len().is_multiple_of(4) {
        return None;
    }
    let data = text.trim_end_matches('=');
    if text.len() - data.len() > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut count) = (0u32, 0);
    for &c in data.as_bytes() {
        bits = (bits << 6) | u32::from(value(c)?);
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    // What is left over after the last byte must be zero bits.
    (bits & ((1 << count) - 1) == 0).then_some(out)
}

/// The `x-mcp-header` annotations of a tool's `inputSchema`: each one's path of `properties` keys
/// and its header name (the part after `Mcp-Param-`).
///
/// Only chains of `properties` are followed: §Schema Extension makes an annotation anywhere else
/// (under `items`, `oneOf`, `$ref`…) invalid, so there is nothing there to check.
pub fn annotated_parameters(schema: &Value) -> Vec<(Vec<String>, String)> {
    let mut found = Vec::new();
    let mut pending = vec![(Vec::<String>::new(), schema)];
    while let Some((path, node)) = pending.pop() {
        let Some(properties) = node.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (key, property) in properties {
            let mut here = path.clone();
            here.push(key.clone());
            if let Some(header) = property.get("x-mcp-header").and_then(Value::as_str) {
                found.push((here.clone(), header.to_string()));
            }
            pending.push((here, property));
        }
    }
    found
}

/// The body's value at a path of keys (`None`: absent or `null`, so no header is expected).
fn body_value<'a>(arguments: &'a Value, path: &[String]) -> Option<&'a Value> {
    let value = path.iter().try_fold(arguments, |node, key| node.get(key))?;
    (!value.is_null()).then_some(value)
}

/// Whether a decoded header says what the body says.
// SPEC streamable-http (2026-07-28) §Value Encoding: string "as-is", integer "to decimal string representation", boolean "lowercase `"true"` or `"false"`".
fn agrees(header: &str, body: &Value) -> bool {
    match body {
        Value::String(s) => header == s,
        Value::Bool(b) => header == b.to_string(),
        // SPEC streamable-http (2026-07-28) §Server Validation: servers "SHOULD compare the header value and the body value numerically rather than as strings"
        Value::Number(n) => header.parse::<f64>().ok() == n.as_f64(),
        // An object or array has no header form (only primitives may be annotated): it cannot agree.
        _ => false,
    }
}

/// Every `Mcp-Param-{Name}` the tool's schema names, checked against the call's `arguments`.
///
/// # Errors
/// -32020 (`HeaderMismatch`) when a value in the body has no header, a header has no value in the
/// body, a header is not valid header text, or the two differ.
// SPEC streamable-http (2026-07-28) §Server Behavior for Custom Headers: servers "MUST reject requests with a `400 Bad Request` HTTP status and JSON-RPC error code `-32020`" if any validation fails.
pub fn check_param_headers(
    head: &RequestHead,
    schema: &Value,
    arguments: &Value,
) -> Result<(), Rejection> {
    for (path, name) in annotated_parameters(schema) {
        let header = format!("Mcp-Param-{name}");
        let mismatch = |why: String| Err(Rejection::HeaderMismatch(format!("{header} {why}")));
        let body = body_value(arguments, &path);
        // Two different values for one header are malformed headers, -32020 like the rest.
        let sent = head.single_header(&header).map_err(|_| {
            Rejection::HeaderMismatch(format!("{header} is sent twice, differently"))
        })?;
        match (sent, body) {
            (None, None) => {}
            // SPEC streamable-http (2026-07-28) §Server Behavior for Custom Headers: "Client omits header but value is in body" — "Server MUST reject the request".
            (None, Some(b)) => return mismatch(format!("is missing (the body has {b})")),
            (Some(h), None) => return mismatch(format!("is {h:?} but the body has no value")),
            // SPEC streamable-http (2026-07-28) §Server Behavior for Custom Headers: "Servers MUST reject requests with a recognized `Mcp-Param-{Name}` header that contains invalid characters"
            (Some(h), Some(b)) => match decode_header_value(h) {
                None => {
                    return mismatch(
                        "is not valid header text (printable ASCII, or =?base64?…?=)".into(),
                    )
                }
                Some(decoded) if !agrees(&decoded, b) => {
                    return mismatch(format!("says {decoded:?}, the body {b}"))
                }
                Some(_) => {}
            },
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn head(headers: &[(&str, &str)]) -> RequestHead {
        RequestHead {
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            ..RequestHead::default()
        }
    }

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "region": { "type": "string", "x-mcp-header": "Region" },
                "priority": { "type": "integer", "x-mcp-header": "Priority" },
                "options": { "type": "object", "properties": {
                    "dry": { "type": "boolean", "x-mcp-header": "Dry" } } },
                "list": { "type": "array", "items": { "type": "string", "x-mcp-header": "No" } },
                "query": { "type": "string" }
            }
        })
    }

    #[test]
    fn base64_header_values_are_decoded_and_plain_ones_kept() {
        assert_eq!(
            decode_header_value("get_weather").as_deref(),
            Some("get_weather")
        );
        assert_eq!(
            decode_header_value("=?base64?SGVsbG8sIOS4lueVjA==?=").as_deref(),
            Some("Hello, 世界")
        );
        assert_eq!(
            decode_header_value("=?base64?IHBhZGRlZCA=?=").as_deref(),
            Some(" padded ")
        );
        assert_eq!(decode_header_value("=?base64?not base64!?="), None);
        // Half a marker is no marker: the value is literal.
        assert_eq!(
            decode_header_value("=?base64?SGVsbG8=").as_deref(),
            Some("=?base64?SGVsbG8=")
        );
    }

    #[test]
    fn base64_without_its_padding_or_with_too_much_is_refused() {
        assert_eq!(decode_header_value("=?base64?SGVsbG8?="), None);
        assert_eq!(decode_header_value("=?base64?SGVs!!!bG8=?="), None);
        assert_eq!(decode_header_value("=?base64?S===?="), None);
        // Stray bits after the last byte: not the one encoding of "Hello".
        assert_eq!(decode_header_value("=?base64?SGVsbG9=?="), None);
        assert_eq!(decode_header_value("plain\u{7f}"), None);
        assert_eq!(
            decode_header_value("=?base64?SGVsbG8=?=").as_deref(),
            Some("Hello")
        );
    }

    #[test]
    fn annotations_are_found_along_properties_chains_only() {
        let mut found = annotated_parameters(&schema());
        found.sort();
        let names: Vec<&str> = found.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["Dry", "Priority", "Region"]);
        assert_eq!(found[0].0, ["options", "dry"]);
    }

    #[test]
    fn matching_headers_pass_and_absent_values_expect_no_header() {
        let args = json!({ "region": "us-west1", "priority": 7, "options": { "dry": false } });
        let h = head(&[
            ("Mcp-Param-Region", "us-west1"),
            ("mcp-param-priority", "7"),
            ("Mcp-Param-Dry", "false"),
        ]);
        assert!(check_param_headers(&h, &schema(), &args).is_ok());
        let nulls = json!({ "region": null, "query": "x" });
        assert!(check_param_headers(&head(&[]), &schema(), &nulls).is_ok());
    }

    #[test]
    fn a_value_in_the_body_without_its_header_is_a_mismatch() {
        let args = json!({ "region": "us-west1" });
        let r = check_param_headers(&head(&[]), &schema(), &args);
        assert!(matches!(r, Err(Rejection::HeaderMismatch(w)) if w.contains("Mcp-Param-Region")));
    }

    #[test]
    fn a_header_that_differs_from_the_body_or_has_no_body_value_is_a_mismatch() {
        let args = json!({ "region": "us-west1" });
        let wrong = head(&[("Mcp-Param-Region", "eu-west1")]);
        assert!(check_param_headers(&wrong, &schema(), &args).is_err());
        let extra = head(&[
            ("Mcp-Param-Region", "us-west1"),
            ("Mcp-Param-Priority", "1"),
        ]);
        assert!(check_param_headers(&extra, &schema(), &args).is_err());
        let raw = head(&[("Mcp-Param-Region", "us-wé")]);
        let r = check_param_headers(&raw, &schema(), &json!({ "region": "us-wé" }));
        assert!(matches!(r, Err(Rejection::HeaderMismatch(w)) if w.contains("header text")));
        let twice = head(&[("Mcp-Param-Region", "a"), ("mcp-param-region", "b")]);
        let r = check_param_headers(&twice, &schema(), &json!({ "region": "a" }));
        assert!(matches!(r, Err(Rejection::HeaderMismatch(w)) if w.contains("twice")));
    }

    #[test]
    fn integers_compare_as_numbers_and_objects_never_agree() {
        let h = head(&[("Mcp-Param-Priority", "42")]);
        assert!(check_param_headers(&h, &schema(), &json!({ "priority": 42.0 })).is_ok());
        assert!(check_param_headers(&h, &schema(), &json!({ "priority": 43 })).is_err());
        let obj = head(&[("Mcp-Param-Region", r#"{"a":1}"#)]);
        let r = check_param_headers(&obj, &schema(), &json!({ "region": { "a": 1 } }));
        assert!(r.is_err(), "an object has no header form");
    }

    #[test]
    fn an_encoded_header_is_compared_after_decoding() {
        let args = json!({ "region": "Hello, 世界" });
        let h = head(&[("Mcp-Param-Region", "=?base64?SGVsbG8sIOS4lueVjA==?=")]);
        assert!(check_param_headers(&h, &schema(), &args).is_ok());
        let bad = head(&[("Mcp-Param-Region", "=?base64?SGVsbG8?=")]);
        let r = check_param_headers(&bad, &schema(), &json!({ "region": "Hello" }));
        assert!(r.is_err());
    }
}
