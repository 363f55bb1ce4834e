//! The conformance example's resources, prompts and completions, and its 2026-07-28 fixtures,
//! checked exactly.

use crate::conformance::media::PNG_BASE64;
use crate::session::Client;
use crate::support::INVALID_PARAMS;
use serde_json::{json, Value};

/// What the 2026-07-28 calls below accept: either framing.
const ACCEPT: &str = "application/json, text/event-stream";

/// One 2026-07-28 request: the version in the header and in `_meta`, the method (and `name`, when
/// given, as `Mcp-Name`) mirrored in headers. `params` is laid over
/// `{"_meta": {version, no capabilities}}`, its `_meta` key by key; `headers` follow the standard ones.
fn modern_request(
    addr: std::net::SocketAddr,
    accept: &str,
    id: u64,
    method: &str,
    name: Option<&str>,
    params: Value,
    headers: &[(&str, &str)],
) -> crate::support::RawResponse {
    let mut all = json!({"_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}}});
    for (k, v) in params.as_object().unwrap() {
        match v.as_object() {
            Some(meta) if k == "_meta" => {
                for (mk, mv) in meta {
                    all["_meta"][mk] = mv.clone();
                }
            }
            _ => all[k] = v.clone(),
        }
    }
    let mut h = vec![
        ("Accept", accept),
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", method),
    ];
    h.extend(name.map(|n| ("Mcp-Name", n)));
    h.extend_from_slice(headers);
    let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": all});
    crate::support::post(addr, &h, &body.to_string())
}

/// [`modern_request`] for a `tools/call` of the example's `tool`, with no arguments unless
/// `params` brings some.
fn modern_tool_call(
    addr: std::net::SocketAddr,
    accept: &str,
    id: u64,
    tool: &str,
    params: Value,
    headers: &[(&str, &str)],
) -> crate::support::RawResponse {
    let mut all = json!({"name": tool, "arguments": {}});
    for (k, v) in params.as_object().unwrap() {
        all[k] = v.clone();
    }
    modern_request(addr, accept, id, "tools/call", Some(tool), all, headers)
}

#[test]
fn resources_are_listed_and_read_with_exact_contents() {
    let c = Client::capable();
    let list = c.rpc("resources/list", json!({}))["result"]["resources"].clone();
    let listed: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["uri"].as_str().unwrap(), r["mimeType"].as_str().unwrap()))
        .collect();
    assert_eq!(
        listed,
        [
            ("test://static-text", "text/plain"),
            ("test://static-binary", "image/png"),
            ("test://watched-resource", "text/plain")
        ]
    );
    let templates = c.rpc("resources/templates/list", json!({}));
    assert_eq!(
        templates["result"]["resourceTemplates"][0]["uriTemplate"],
        "test://template/{id}/data"
    );
    assert_eq!(
        c.rpc("resources/read", json!({"uri": "test://static-text"}))["result"],
        json!({"contents": [{"uri": "test://static-text", "mimeType": "text/plain",
            "text": "This is the content of the static text resource."}]})
    );
    assert_eq!(
        c.rpc("resources/read", json!({"uri": "test://static-binary"}))["result"],
        json!({"contents": [{"uri": "test://static-binary", "mimeType": "image/png", "blob": PNG_BASE64}]})
    );
}

#[test]
fn template_uri_with_id_123_reads_as_json_about_123() {
    let r = Client::capable().rpc("resources/read", json!({"uri": "test://template/123/data"}));
    let contents = &r["result"]["contents"][0];
    assert_eq!(
        (&contents["uri"], &contents["mimeType"]),
        (
            &json!("test://template/123/data"),
            &json!("application/json")
        )
    );
    assert_eq!(
        contents["text"],
        r#"{"id":"123","templateTest":true,"data":"Data for ID: 123"}"#
    );
}

#[test]
fn subscribe_and_unsubscribe_answer_empty_and_unknown_resources_are_32002() {
    let c = Client::capable();
    for method in ["resources/subscribe", "resources/unsubscribe"] {
        assert_eq!(
            c.rpc(method, json!({"uri": "test://watched-resource"}))["result"],
            json!({})
        );
    }
    let missing = c.rpc("resources/read", json!({"uri": "test://nothing"}));
    assert_eq!(missing["error"]["code"], -32002);
}

#[test]
fn prompts_are_listed_and_filled_in_with_their_arguments() {
    let c = Client::capable();
    let list = c.rpc("prompts/list", json!({}))["result"]["prompts"].clone();
    // The four of the 2025-11-25 suite, and the one that asks for input in 2026-07-28.
    assert_eq!(list.as_array().unwrap().len(), 5);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["description"].is_string()));
    let simple = c.rpc("prompts/get", json!({"name": "test_simple_prompt"}));
    assert_eq!(
        simple["result"]["messages"],
        json!([{"role": "user", "content": {"type": "text", "text": "This is a simple prompt for testing."}}])
    );
    let args = json!({"arg1": "testValue1", "arg2": "testValue2"});
    let with = c.rpc(
        "prompts/get",
        json!({"name": "test_prompt_with_arguments", "arguments": args}),
    );
    assert_eq!(
        with["result"]["messages"][0]["content"]["text"],
        "Prompt with arguments: arg1='testValue1', arg2='testValue2'"
    );
    let without = c.rpc(
        "prompts/get",
        json!({"name": "test_prompt_with_arguments", "arguments": {"arg1": "x"}}),
    );
    assert_eq!(without["error"]["code"], INVALID_PARAMS, "arg2 is required");
}

#[test]
fn prompts_embed_the_given_resource_or_the_png() {
    let c = Client::capable();
    let r = c.rpc(
        "prompts/get",
        json!({"name": "test_prompt_with_embedded_resource",
        "arguments": {"resourceUri": "test://example-resource"}}),
    );
    assert_eq!(
        r["result"]["messages"],
        json!([
            {"role": "user", "content": {"type": "resource", "resource": {"uri": "test://example-resource",
                "mimeType": "text/plain", "text": "Embedded resource content for testing."}}},
            {"role": "user", "content": {"type": "text", "text": "Please process the embedded resource above."}}
        ])
    );
    let image = c.rpc("prompts/get", json!({"name": "test_prompt_with_image"}));
    assert_eq!(
        image["result"]["messages"],
        json!([
            {"role": "user", "content": {"type": "image", "data": PNG_BASE64, "mimeType": "image/png"}},
            {"role": "user", "content": {"type": "text", "text": "Please analyze the image above."}}
        ])
    );
}

#[test]
fn completion_offers_the_arg1_suggestions_that_start_with_what_was_typed() {
    let r = Client::capable().rpc(
        "completion/complete",
        json!({
        "ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"},
        "argument": {"name": "arg1", "value": "test"}}),
    );
    assert_eq!(
        r["result"]["completion"],
        json!({"values": ["testValue1", "testValue2"], "total": 2, "hasMore": false})
    );
}

/// The same features in revision 2026-07-28: no session; `Mcp-Name` mirrors the uri or the name;
/// lists and reads carry the cache fields, every result `resultType`.
#[test]
fn resources_prompts_and_completion_answer_in_the_modern_era_too() {
    use crate::support::{start, HEADER_MISMATCH};
    let s = start(|c| c.catalog = &crate::conformance::CONFORMANCE);
    let call = |method: &str, name: Option<&str>, params: Value| {
        modern_request(s.addr, "application/json", 1, method, name, params, &[]).json()
    };
    let read = call(
        "resources/read",
        Some("test://static-text"),
        json!({"uri": "test://static-text"}),
    );
    assert_eq!(read["result"]["contents"][0]["uri"], "test://static-text");
    assert_eq!(read["result"]["resultType"], "complete");
    assert_eq!(read["result"]["cacheScope"], "public");
    let wrong = call(
        "resources/read",
        Some("test://other"),
        json!({"uri": "test://static-text"}),
    );
    assert_eq!(wrong["error"]["code"], HEADER_MISMATCH);
    let list = call("prompts/list", None, json!({}));
    assert!(list["result"]["ttlMs"].as_u64().is_some());
    let get = call(
        "prompts/get",
        Some("test_simple_prompt"),
        json!({"name": "test_simple_prompt"}),
    );
    assert_eq!(get["result"]["resultType"], "complete");
    assert!(get["result"]["messages"].is_array());
    let done = call(
        "completion/complete",
        None,
        json!({"ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"}, "argument": {"name": "arg1", "value": ""}}),
    );
    assert_eq!(done["result"]["resultType"], "complete");
    assert_eq!(s.server.endpoint().session_count(), 0);
}

/// MRTR over three rounds (2026-07-28): each answer comes back once, the earlier ones ride in the
/// signed `requestState`, and a client that declared only `sampling` is asked only that.
#[test]
fn input_required_fixtures_carry_earlier_answers_in_the_state_and_ask_only_what_was_declared() {
    use crate::support::start;
    let s = start(|c| c.catalog = &crate::conformance::CONFORMANCE);
    let call = |id: u64, tool: &str, caps: Value, extra: Value| {
        let mut params = json!({"_meta": {"io.modelcontextprotocol/clientCapabilities": caps}});
        for (k, v) in extra.as_object().unwrap() {
            params[k] = v.clone();
        }
        modern_tool_call(s.addr, "application/json", id, tool, params, &[]).json()["result"].clone()
    };
    let form = json!({"elicitation": {}});
    let round1 = call(
        1,
        "test_input_required_result_multi_round",
        form.clone(),
        json!({}),
    );
    assert_eq!(round1["resultType"], "input_required");
    assert!(round1["inputRequests"]["step1"].is_object());
    let accept = |field: &str, value: &str| json!({"action": "accept", "content": {field: value}});
    let round2 = call(
        2,
        "test_input_required_result_multi_round",
        form.clone(),
        json!({
        "inputResponses": {"step1": accept("name", "Ada")}, "requestState": round1["requestState"]}),
    );
    assert!(round2["inputRequests"]["step2"].is_object(), "{round2}");
    assert!(round2["inputRequests"].get("step1").is_none(), "asked once");
    let round3 = call(
        3,
        "test_input_required_result_multi_round",
        form,
        json!({
        "inputResponses": {"step2": accept("color", "green")}, "requestState": round2["requestState"]}),
    );
    assert_eq!(round3["resultType"], "complete");
    assert_eq!(
        round3["content"][0]["text"], "Ada likes green",
        "step1 came back in the state"
    );
    let only_sampling = call(
        4,
        "test_input_required_result_capabilities",
        json!({"sampling": {}}),
        json!({}),
    );
    let asked: Vec<&String> = only_sampling["inputRequests"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(asked, ["greeting"]);
}

/// 2026-07-28's diagnostics: an undeclared capability is 400 -32021 naming it, and a log line is
/// sent only to a request that named a `logLevel`.
#[test]
fn an_undeclared_capability_is_400_32021_and_logs_need_a_log_level() {
    use crate::support::{sse_messages, start, MISSING_REQUIRED_CLIENT_CAPABILITY};
    let s = start(|c| c.catalog = &crate::conformance::CONFORMANCE);
    let call = |tool: &str, meta: Value| {
        modern_tool_call(s.addr, ACCEPT, 5, tool, json!({ "_meta": meta }), &[])
    };
    let refused = call("test_missing_capability", json!({}));
    assert_eq!(refused.status, 400, "{}", refused.body);
    let error = &refused.json()["error"];
    assert_eq!(error["code"], MISSING_REQUIRED_CLIENT_CAPABILITY);
    assert_eq!(
        error["data"]["requiredCapabilities"],
        json!({"sampling": {}})
    );
    assert_eq!(refused.json()["id"], 5);
    let declared = call(
        "test_missing_capability",
        json!({"io.modelcontextprotocol/clientCapabilities": {"sampling": {}}}),
    );
    assert_eq!(declared.status, 200);
    let logs = |r: &crate::support::RawResponse| {
        sse_messages(&r.body)
            .iter()
            .filter(|m| m["method"] == "notifications/message")
            .count()
    };
    assert_eq!(
        logs(&call("test_logging_tool", json!({}))),
        0,
        "no logLevel, no log"
    );
    assert_eq!(
        logs(&call(
            "test_logging_tool",
            json!({"io.modelcontextprotocol/logLevel": "info"})
        )),
        1
    );
}

/// MRTR is not only for tools: a prompt that needs its context asks for it, and the retry with
/// the answer gets the filled-in prompt. And `server/discover` promises no `resources/subscribe`,
/// which this era does not have.
#[test]
fn a_prompt_asks_for_input_in_the_modern_era_and_discover_promises_no_subscriptions() {
    use crate::support::start;
    let s = start(|c| c.catalog = &crate::conformance::CONFORMANCE);
    let rpc = |method: &str, name: Option<&str>, mut params: Value| {
        params["_meta"] =
            json!({"io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}});
        modern_request(s.addr, "application/json", 1, method, name, params, &[]).json()["result"]
            .clone()
    };
    let name = "test_input_required_result_prompt";
    let first = rpc("prompts/get", Some(name), json!({"name": name}));
    assert_eq!(first["resultType"], "input_required", "{first}");
    assert_eq!(
        first["inputRequests"]["user_context"]["method"],
        "elicitation/create"
    );
    let answer =
        json!({"user_context": {"action": "accept", "content": {"context": "a rainy day"}}});
    let second = rpc(
        "prompts/get",
        Some(name),
        json!({"name": name, "inputResponses": answer, "requestState": first["requestState"]}),
    );
    assert_eq!(second["resultType"], "complete", "{second}");
    assert_eq!(
        second["messages"][0]["content"]["text"],
        "Use this context: a rainy day"
    );
    let discover = rpc("server/discover", None, json!({}));
    assert_eq!(discover["capabilities"]["resources"]["subscribe"], false);
}

/// A tool input marked `x-mcp-header: "Region"` must travel as `Mcp-Param-Region` too, equal to
/// the body's value after decoding; missing, different or badly encoded, it is 400 -32020 with
/// the id echoed, and the tool does not run.
#[test]
fn an_x_mcp_header_input_must_arrive_in_its_mcp_param_header_or_the_call_is_400_32020() {
    use crate::support::{start, HEADER_MISMATCH};
    let s = start(|c| c.catalog = &crate::conformance::CONFORMANCE);
    let call = |region: &str, header: Option<&str>| {
        let headers: Vec<(&str, &str)> = header
            .map(|v| ("Mcp-Param-Region", v))
            .into_iter()
            .collect();
        let params = json!({ "arguments": { "region": region } });
        modern_tool_call(s.addr, ACCEPT, 9, "test_custom_header", params, &headers)
    };
    let plain = call("us-west1", Some("us-west1"));
    assert_eq!(plain.status, 200, "{}", plain.body);
    assert!(plain.body.contains("region: us-west1"), "{}", plain.body);
    let encoded = call("Hello, 世界", Some("=?base64?SGVsbG8sIOS4lueVjA==?="));
    assert_eq!(encoded.status, 200, "{}", encoded.body);
    for (header, why) in [
        (None, "missing"),
        (Some("eu-west1"), "differs"),
        (Some("=?base64?dXMtd2VzdDE?="), "unpadded base64"),
    ] {
        let refused = call("us-west1", header);
        assert_eq!(refused.status, 400, "{why}: {}", refused.body);
        assert_eq!(refused.json()["error"]["code"], HEADER_MISMATCH, "{why}");
        assert_eq!(refused.json()["id"], 9, "{why}");
        assert!(!refused.body.contains("region: "), "{why}: the tool ran");
    }
}
