//! The Postman collection (`docs/postman/`) teaches the same habits as the README's curl lines:
//! after `initialize`, every request names the negotiated version and the session.

use serde_json::Value;

/// Every request of the collection, in the order a run sends them: (name, request).
fn requests() -> Vec<(String, Value)> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/postman/streamable-mcp.postman_collection.json"
    );
    let collection: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .expect("the collection is valid JSON");
    let mut found = Vec::new();
    collect(&collection["item"], &mut found);
    found
}

/// A folder's requests, in order, its subfolders' where they stand.
fn collect(items: &Value, found: &mut Vec<(String, Value)>) {
    for item in items.as_array().unwrap() {
        match item.get("item") {
            Some(folder) => collect(folder, found),
            None => found.push((
                item["name"].as_str().unwrap().to_string(),
                item["request"].clone(),
            )),
        }
    }
}

fn header<'a>(request: &'a Value, name: &str) -> Option<&'a str> {
    request["header"]
        .as_array()?
        .iter()
        .filter(|h| h["disabled"] != Value::Bool(true))
        .find(|h| {
            h["key"]
                .as_str()
                .is_some_and(|k| k.eq_ignore_ascii_case(name))
        })
        .and_then(|h| h["value"].as_str())
}

/// SPEC transports#protocol-version-header: "the client MUST include the MCP-Protocol-Version:
/// <protocol-version> HTTP header on all subsequent requests to the MCP server".
#[test]
fn every_postman_request_after_initialize_sends_mcp_protocol_version() {
    let all = requests();
    assert_eq!(
        all[0].0, "initialize",
        "the collection starts with initialize"
    );
    assert!(all.len() > 10, "only {} requests found", all.len());
    let missing: Vec<&str> = all[1..]
        .iter()
        .filter(|(_, r)| header(r, "MCP-Protocol-Version").is_none())
        .map(|(name, _)| name.as_str())
        .collect();
    assert!(missing.is_empty(), "no MCP-Protocol-Version: {missing:?}");
}

/// SPEC transports#session-management: once the server issued a session id, the client "MUST
/// include it in the Mcp-Session-Id header on all of its subsequent HTTP requests". The one
/// request that leaves it out on purpose says so in its name.
#[test]
fn every_postman_request_after_initialize_sends_the_session_id() {
    let missing: Vec<String> = requests()[1..]
        .iter()
        .filter(|(name, r)| {
            header(r, "Mcp-Session-Id").is_none() && !name.starts_with("no Mcp-Session-Id")
        })
        .map(|(name, _)| name.clone())
        .collect();
    assert!(missing.is_empty(), "no Mcp-Session-Id: {missing:?}");
}
