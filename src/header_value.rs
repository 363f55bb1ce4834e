//! Header values copied from a modern request's body: how a client writes them and a server reads
//! them. Both ends use this file, so the two directions cannot drift apart.
//!
//! Implements MCP 2026-07-28 `basic/transports/streamable-http` §Value Encoding (a value goes
//! plain when it is safe ASCII, else as `=?base64?…?=` of its UTF-8 bytes; for `Mcp-Name` and
//! `Mcp-Param-{Name}`) and the path rule of §Custom Headers from Tool Parameters (which input
//! properties are marked `x-mcp-header`, and where their value sits in the call's arguments).
//! Checking the two against each other is each end's own job: `server/header_values.rs` compares,
//! `client/tool_headers.rs` refuses tool definitions whose annotations break the rules.
//!
//! Left out: header *names* (a `Mcp-Param-` prefix and a token; HTTP libraries check those).

use serde_json::Value;

/// The text a header carries for `value`, encoded when it is not safe as it is.
///
/// # Why encode at all?
/// A header is a line of visible ASCII. A city called "Zürich", a value with a newline in it (which
/// could start a header of the attacker's choosing), or one with spaces at its ends (which HTTP
/// trims) would not arrive as written.
// SPEC streamable-http (2026-07-28) §Value Encoding: "When a value cannot be safely represented as a plain ASCII header value (...), clients MUST use Base64 encoding of the UTF-8 representation"
pub fn encode_header_value(value: &str) -> String {
    // A tab is allowed in a header, but it is a control character, and some readers trim or
    // refuse it: encoded, it arrives as it was.
    let printable = value.chars().all(|c| (' '..='~').contains(&c));
    let padded = value.starts_with(' ') || value.ends_with(' ');
    // SPEC streamable-http (2026-07-28) §Value Encoding: "clients MUST also Base64-encode any plain-ASCII value that matches the sentinel pattern"
    let looks_encoded = value.starts_with("=?base64?") && value.ends_with("?=");
    if printable && !padded && !looks_encoded {
        return value.to_string();
    }
    format!("=?base64?{}?=", base64_encode(value.as_bytes()))
}

/// An argument's header text before encoding: a string as it is, an integer in decimal (`10.0`
/// too: JSON Schema counts it as the integer 10), a boolean as `true` or `false`. `None` for
/// anything else (null, a number with a fraction, an object).
// SPEC streamable-http (2026-07-28) §Value Encoding: string "as-is", integer "to decimal string representation", boolean "lowercase `"true"` or `"false"`".
pub fn header_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(n.to_string()),
        // Whole and within ±2^53, where every f64 is exactly an integer.
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => {
                Some(format!("{}", f as i64))
            }
            _ => None,
        },
        _ => None,
    }
}

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

/// Standard base64 with padding (RFC 4648 §4), the one form `base64_decode` accepts. (Also the
/// form of a `Content-Security-Policy` hash: `server/home_page.rs`.)
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for group in bytes.chunks(3) {
        // Three bytes are 24 bits, four characters of 6 bits each; a short group is padded.
        let n = group
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= group.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 (RFC 4648 §4), strict: whole groups of four, `=` only as the last one or two
/// characters, and the bits of the last character that no byte uses left at zero (§3.5). A production
/// server would take a crate; twenty lines keep the dependency list as it is.
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

/// The arguments' value at a path of keys (`None`: absent or `null`, so no header is sent or
/// expected).
// SPEC streamable-http (2026-07-28) §Schema Extension: "If no value is present at that path in the call arguments, the header is omitted."
pub fn value_at<'a>(arguments: &'a Value, path: &[String]) -> Option<&'a Value> {
    let value = path.iter().try_fold(arguments, |node, key| node.get(key))?;
    (!value.is_null()).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "region": { "type": "string", "x-mcp-header": "Region" },
                "options": { "type": "object", "properties": {
                    "dry": { "type": "boolean", "x-mcp-header": "Dry" } } },
                "list": { "type": "array", "items": { "type": "string", "x-mcp-header": "No" } }
            }
        })
    }

    #[test]
    fn the_specs_encoding_examples_come_out_as_the_spec_shows() {
        assert_eq!(encode_header_value("us-west1"), "us-west1");
        assert_eq!(
            encode_header_value("Hello, 世界"),
            "=?base64?SGVsbG8sIOS4lueVjA==?="
        );
        assert_eq!(encode_header_value(" padded "), "=?base64?IHBhZGRlZCA=?=");
        assert_eq!(
            encode_header_value("line1\nline2"),
            "=?base64?bGluZTEKbGluZTI=?="
        );
        assert_eq!(
            encode_header_value("=?base64?literal?="),
            "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="
        );
    }

    #[test]
    fn every_encoded_value_decodes_to_what_was_encoded() {
        for text in [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "Zürich",
            " x",
            "tab\t",
            "\u{7f}",
            "=?base64?x?=",
        ] {
            let encoded = encode_header_value(text);
            assert_eq!(
                decode_header_value(&encoded).as_deref(),
                Some(text),
                "{encoded}"
            );
        }
    }

    #[test]
    fn only_strings_integers_and_booleans_have_header_text() {
        assert_eq!(header_text(&json!("us")).as_deref(), Some("us"));
        assert_eq!(header_text(&json!(-7)).as_deref(), Some("-7"));
        assert_eq!(header_text(&json!(true)).as_deref(), Some("true"));
        assert_eq!(header_text(&json!(1.5)), None);
        assert_eq!(header_text(&json!(-3.0)).as_deref(), Some("-3"));
        assert_eq!(header_text(&json!({"a": 1})), None);
        assert_eq!(header_text(&Value::Null), None);
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
        assert_eq!(names, ["Dry", "Region"]);
        assert_eq!(found[0].0, ["options", "dry"]);
    }
}
