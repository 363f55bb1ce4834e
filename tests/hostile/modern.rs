//! Hostile input on the 2026-07-28 path: malformed `_meta`, headers and versions. Each gets its
//! status and code with the request's id echoed, the server goes on, and a legacy victim session
//! beside it is not disturbed (the two eras share one endpoint).

use crate::support::*;
use crate::{assert_refused, assert_serves, post_bytes, Victim};
use serde_json::{json, Value};

const MODERN: &str = "2026-07-28";

fn request(id: u64, method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

fn good_meta() -> Value {
    json!({"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": {}})
}

#[test]
fn malformed_meta_of_every_shape_is_400_invalid_params_with_the_id() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let shapes = [
        json!(null),
        json!("a string"),
        json!([1, 2]),
        json!({}),
        json!({"io.modelcontextprotocol/protocolVersion": MODERN}),
        json!({"io.modelcontextprotocol/protocolVersion": 2026, "io.modelcontextprotocol/clientCapabilities": {}}),
        json!({"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": []}),
        json!({"io.modelcontextprotocol/protocolVersion": MODERN, "io.modelcontextprotocol/clientCapabilities": "all"}),
    ];
    let h = [
        ("Accept", ACCEPT_BOTH),
        ("MCP-Protocol-Version", MODERN),
        ("Mcp-Method", "tools/list"),
    ];
    for (i, meta) in shapes.iter().enumerate() {
        let body = request(100 + i as u64, "tools/list", json!({ "_meta": meta }));
        let r = post(s.addr, &h, &body);
        assert_refused(&r, 400, INVALID_PARAMS, &format!("{meta}"));
        assert_eq!(r.json()["id"], 100 + i as u64, "{meta}");
    }
    victim.finish();
    assert_serves(s.addr);
}

#[test]
fn hostile_mirrored_headers_are_400_header_mismatch_and_never_a_crash() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    // Under the 64 KiB cap on all header lines (over it, 431 before the body is read).
    let huge = "x".repeat(48 * 1024);
    let call = request(
        7,
        "tools/call",
        json!({"name": "get_weather", "arguments": {"city": "Wuhan"}, "_meta": good_meta()}),
    );
    let cases: [(&str, &str, &str); 6] = [
        ("Mcp-Method", "tools/call", "=?base64?Z2V0X3dlYXRoZXI=?="), // base64 is for names, not methods
        ("Mcp-Method", "TOOLS/CALL", "get_weather"),                 // values are case-sensitive
        ("Mcp-Method", "tools/call", "=?base64?!!!?="),              // not base64
        ("Mcp-Method", "tools/call", "=?base64?/w==?="), // base64 of a byte that is no UTF-8
        ("Mcp-Method", "tools/call", "=?BASE64?Z2V0X3dlYXRoZXI=?="), // the markers are lowercase only
        ("Mcp-Method", "tools/call", huge.as_str()),
    ];
    for (n, (header, method, name)) in cases.iter().enumerate() {
        let h = [
            ("Accept", "application/json"),
            ("MCP-Protocol-Version", MODERN),
            (*header, *method),
            ("Mcp-Name", *name),
        ];
        let r = post(s.addr, &h, &call);
        let what = format!(
            "case {n}: {header}: {method}, Mcp-Name of {} bytes",
            name.len()
        );
        if n == 0 {
            // The name decodes to "get_weather": only the method header matters, and it is right.
            assert_eq!(r.status, 200, "{what}: {}", r.body);
            continue;
        }
        assert_refused(&r, 400, HEADER_MISMATCH, &what);
        assert_eq!(r.json()["id"], 7, "{what}");
    }
    let over = "x".repeat(512 * 1024);
    let h = [
        ("Accept", "application/json"),
        ("MCP-Protocol-Version", MODERN),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", over.as_str()),
    ];
    assert_eq!(post(s.addr, &h, &call).status, 431, "512 KiB of headers");
    victim.finish();
    assert_serves(s.addr);
}

#[test]
fn versions_of_every_shape_on_the_modern_path_are_refused_with_their_code() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let body = request(3, "tools/list", json!({ "_meta": good_meta() }));
    for version in [
        "2026-07-29",
        "2026-07-28 ",
        " 2026-07-28",
        "2026-7-28",
        "latest",
        "\u{7f}",
    ] {
        let h = [
            ("Accept", ACCEPT_BOTH),
            ("MCP-Protocol-Version", version),
            ("Mcp-Method", "tools/list"),
        ];
        let r = post_bytes(s.addr, &h, body.as_bytes());
        // tiny_http trims header values, so a padded "2026-07-28" is the real one: served.
        if version.trim() == MODERN {
            assert_eq!(r.status, 200, "{version:?}: {}", r.body);
            continue;
        }
        assert_refused(
            &r,
            400,
            UNSUPPORTED_PROTOCOL_VERSION,
            &format!("{version:?}"),
        );
        assert_eq!(r.json()["error"]["data"]["supported"], json!([MODERN]));
        assert_eq!(r.json()["id"], 3, "{version:?}");
    }
    victim.finish();
    assert_serves(s.addr);
}

#[test]
fn a_modern_client_cannot_send_responses_and_gets_a_clear_400() {
    let s = start(|_| {});
    let h = [("Accept", ACCEPT_BOTH), ("MCP-Protocol-Version", MODERN)];
    let r = post(
        s.addr,
        &h,
        r#"{"jsonrpc":"2.0","id":"srv-1","result":{"action":"accept"}}"#,
    );
    assert_refused(&r, 400, INVALID_REQUEST, "a response on the modern path");
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("input_required"));
}
