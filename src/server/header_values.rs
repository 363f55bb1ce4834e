//! How the server checks the `Mcp-Param-*` headers a modern client copies from a tool call's body.
//!
//! Implements MCP 2026-07-28 `basic/transports/streamable-http` §Server Behavior for Custom
//! Headers: a tool's `inputSchema` property marked `x-mcp-header: "Region"` travels as
//! `Mcp-Param-Region` too, and the server checks the two agree. Reading a value (plain or
//! `=?base64?…?=`) and finding the marked properties is `crate::header_value`, shared with the
//! client.
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

use crate::header_value::{annotated_parameters, decode_header_value, value_at};
use crate::server::rejection::Rejection;
use crate::server::request::RequestHead;
use serde_json::Value;

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
        let body = value_at(arguments, &path);
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
        RequestHead::with_headers(headers)
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
