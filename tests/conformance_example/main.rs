//! The conformance example's fixtures, checked exactly, over real HTTP.
//!
//! The official suite only checks shapes (an "Unknown tool" error result passes two of its
//! checks, an empty list passes others), so these tests pin what `examples/conformance/` really
//! answers: exact texts and MIME types, the progress sequence, log messages on the call's own
//! stream, sampling and elicitation round trips answered by the test itself, SSE polling, and the
//! resources and prompts. The example's catalog is compiled into this test with `#[path]`.
//!
//! This file checks the tools; `conformance_example/features.rs` the resources, prompts and
//! completions; `conformance_example/session.rs` holds the test's client.

#[path = "../../examples/conformance/mod.rs"]
mod conformance;
mod features;
mod session;
#[path = "../support/mod.rs"]
mod support;

use conformance::client_tools;
use conformance::media::{PNG_BASE64, WAV_BASE64};
use serde_json::{json, Value};
use session::{text_of, Client};
use support::{request, sse_events, sse_messages};

#[test]
fn initialize_declares_every_feature_the_fixtures_use() {
    let c = Client::capable();
    // Another initialize starts another session; only its InitializeResult matters here.
    let r = c.post(&json!({"jsonrpc": "2.0", "id": 9, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}}));
    let init = &r.json()["result"];
    assert_eq!(init["serverInfo"]["name"], "mcp-conformance-test-server");
    let caps = &init["capabilities"];
    assert_eq!(caps["resources"]["subscribe"], true);
    for feature in ["tools", "prompts", "logging", "completions"] {
        assert!(caps[feature].is_object(), "{feature} in {caps}");
    }
}

#[test]
fn tools_list_has_every_fixture_with_a_description_and_an_input_schema() {
    let tools = Client::capable().rpc("tools/list", json!({}))["result"]["tools"].clone();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "test_simple_text",
            "test_image_content",
            "test_audio_content",
            "test_embedded_resource",
            "test_multiple_content_types",
            "test_tool_with_logging",
            "test_tool_with_progress",
            "test_error_handling",
            "test_sampling",
            "test_elicitation",
            "test_elicitation_sep1034_defaults",
            "test_elicitation_sep1330_enums",
            "json_schema_2020_12_tool",
            "test_custom_header",
            "test_reconnection",
            "test_input_required_result_elicitation",
            "test_input_required_result_sampling",
            "test_input_required_result_list_roots",
            "test_input_required_result_request_state",
            "test_input_required_result_multiple_inputs",
            "test_input_required_result_multi_round",
            "test_input_required_result_tampered_state",
            "test_input_required_result_capabilities",
            "test_missing_capability",
            "test_streaming_elicitation",
            "test_logging_tool"
        ]
    );
    for t in tools.as_array().unwrap() {
        assert!(
            t["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{t}"
        );
        assert_eq!(t["inputSchema"]["type"], "object", "{t}");
    }
}

/// The schema must arrive byte for byte: `$schema`, `$defs`, `$ref`, `additionalProperties`, in
/// their order.
#[test]
fn json_schema_2020_12_input_schema_is_listed_verbatim() {
    let r = Client::capable().post(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}));
    let expected = r##"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},"additionalProperties":false}"##;
    assert!(r.body.contains(expected), "{}", r.body);
}

#[test]
fn content_tools_return_the_exact_text_image_audio_and_resources() {
    let c = Client::capable();
    // The suite calls test_simple_text with no `arguments` member at all.
    assert_eq!(
        c.result("test_simple_text", json!({})),
        json!({"content": [{"type": "text", "text": "This is a simple text response for testing."}], "isError": false})
    );
    let image = json!({"type": "image", "data": PNG_BASE64, "mimeType": "image/png"});
    assert_eq!(
        c.result("test_image_content", json!({"arguments": {}}))["content"],
        json!([image])
    );
    assert_eq!(
        c.result("test_audio_content", json!({}))["content"],
        json!([{"type": "audio", "data": WAV_BASE64, "mimeType": "audio/wav"}])
    );
    assert_eq!(
        c.result("test_embedded_resource", json!({}))["content"],
        json!([{"type": "resource", "resource": {"uri": "test://embedded-resource",
            "mimeType": "text/plain", "text": "This is an embedded resource content."}}])
    );
    assert_eq!(
        c.result("test_multiple_content_types", json!({}))["content"],
        json!([
            {"type": "text", "text": "Multiple content types test:"},
            image,
            {"type": "resource", "resource": {"uri": "test://mixed-content-resource",
                "mimeType": "application/json", "text": "{\"test\":\"data\",\"value\":123}"}}
        ])
    );
}

#[test]
fn error_tool_gives_an_is_error_result_not_a_jsonrpc_error() {
    let r = Client::capable().result("test_error_handling", json!({}));
    assert_eq!(r["isError"], true);
    assert_eq!(
        text_of(&r),
        "This tool intentionally returns an error for testing"
    );
}

/// SPEC transports#sending-messages 6: notifications related to a request travel on its stream.
#[test]
fn logging_tool_sends_three_info_messages_on_the_call_stream_before_its_result() {
    let c = Client::capable();
    assert_eq!(
        c.rpc("logging/setLevel", json!({"level": "debug"}))["result"],
        json!({})
    );
    let messages = c.call("test_tool_with_logging", json!({}));
    assert_eq!(messages.len(), 4, "{messages:?}");
    for (m, text) in messages.iter().zip(conformance::stream_tools::LOG_TEXTS) {
        assert_eq!(m["method"], "notifications/message");
        assert_eq!(
            (&m["params"]["level"], &m["params"]["data"]),
            (&json!("info"), &json!(text))
        );
    }
    assert_eq!(messages[3]["result"]["isError"], false);
}

#[test]
fn progress_tool_reports_0_50_100_of_100_echoing_string_and_numeric_tokens() {
    let c = Client::capable();
    for token in [json!("p-1"), json!(7)] {
        let messages = c.call(
            "test_tool_with_progress",
            json!({"_meta": {"progressToken": token}}),
        );
        let progress: Vec<(Value, Value, Value)> = messages[..3]
            .iter()
            .map(|m| {
                (
                    m["params"]["progressToken"].clone(),
                    m["params"]["progress"].clone(),
                    m["params"]["total"].clone(),
                )
            })
            .collect();
        let expect = |p: u32| (token.clone(), json!(p), json!(100));
        assert_eq!(progress, [expect(0), expect(50), expect(100)]);
        assert!(messages[3]["result"].is_object(), "{messages:?}");
    }
    let alone = c.call("test_tool_with_progress", json!({}));
    assert_eq!(alone.len(), 1, "no token, no progress: {alone:?}");
}

#[test]
fn sampling_tool_asks_create_message_and_returns_the_llm_text() {
    let c = Client::capable();
    let live = c.open_call(
        "test_sampling",
        json!({"prompt": "Test prompt for sampling"}),
    );
    let answer = json!({"role": "assistant", "content": {"type": "text", "text": "Hello from the LLM"},
        "model": "test-model", "stopReason": "endTurn"});
    let (asked, result) = c.answer(live, "sampling/createMessage", answer);
    assert_eq!(
        asked,
        json!({"messages": [{"role": "user", "content": {"type": "text", "text": "Test prompt for sampling"}}], "maxTokens": 100})
    );
    assert_eq!(text_of(&result), "LLM response: Hello from the LLM");
}

#[test]
fn elicitation_tool_asks_for_username_and_email_and_reports_the_answer() {
    let c = Client::capable();
    let live = c.open_call(
        "test_elicitation",
        json!({"message": "Please provide your information"}),
    );
    let content = json!({"username": "ada", "email": "ada@example.com"});
    let (asked, result) = c.answer(
        live,
        "elicitation/create",
        json!({"action": "accept", "content": content}),
    );
    assert_eq!(asked["message"], "Please provide your information");
    assert_eq!(
        asked["requestedSchema"]["required"],
        json!(["username", "email"])
    );
    assert_eq!(
        text_of(&result),
        format!("User response: action=accept, content={content}")
    );
}

#[test]
fn sep1034_form_has_a_default_for_every_primitive_type() {
    let c = Client::capable();
    let live = c.open_call("test_elicitation_sep1034_defaults", json!({}));
    let (asked, result) = c.answer(live, "elicitation/create", json!({"action": "decline"}));
    assert_eq!(asked["requestedSchema"], client_tools::defaults_form());
    let p = &asked["requestedSchema"]["properties"];
    assert_eq!(
        (
            &p["name"]["default"],
            &p["age"]["type"],
            &p["age"]["default"]
        ),
        (&json!("John Doe"), &json!("integer"), &json!(30))
    );
    assert_eq!(
        (&p["score"]["default"], &p["verified"]["default"]),
        (&json!(95.5), &json!(true))
    );
    assert_eq!(
        (&p["status"]["enum"], &p["status"]["default"]),
        (&json!(["active", "inactive", "pending"]), &json!("active"))
    );
    assert_eq!(
        text_of(&result),
        "Elicitation completed: action=decline, content={}"
    );
}

#[test]
fn sep1330_form_offers_the_five_enum_styles() {
    let c = Client::capable();
    let live = c.open_call("test_elicitation_sep1330_enums", json!({}));
    let (asked, _) = c.answer(live, "elicitation/create", json!({"action": "cancel"}));
    let p = &asked["requestedSchema"]["properties"];
    assert!(p["untitledSingle"]["enum"].is_array() && p["untitledSingle"].get("oneOf").is_none());
    let titled = p["titledSingle"]["oneOf"].as_array().unwrap();
    assert!(titled
        .iter()
        .all(|o| o["const"].is_string() && o["title"].is_string()));
    assert!(p["titledSingle"].get("enum").is_none());
    let legacy = &p["legacyEnum"];
    assert_eq!(
        legacy["enum"].as_array().unwrap().len(),
        legacy["enumNames"].as_array().unwrap().len()
    );
    assert_eq!(p["untitledMulti"]["type"], "array");
    assert!(p["untitledMulti"]["items"]["enum"].is_array());
    assert!(
        p["titledMulti"]["items"]["anyOf"].is_array()
            && p["titledMulti"]["items"].get("enum").is_none()
    );
}

/// SPEC lifecycle#operation: "Only use capabilities that were successfully negotiated".
#[test]
fn elicitation_tools_refuse_without_the_elicitation_capability() {
    let c = Client::new(json!({}));
    for tool in [
        "test_elicitation_sep1034_defaults",
        "test_elicitation_sep1330_enums",
    ] {
        let messages = c.call(tool, json!({}));
        assert_eq!(
            messages.len(),
            1,
            "no elicitation/create was sent: {messages:?}"
        );
        assert_eq!(messages[0]["result"]["isError"], true);
    }
}

/// SPEC transports#sending-messages 6: the server "MAY close the connection" after an event with
/// an id, "without terminating the SSE stream"; the client resumes with GET and `Last-Event-ID`.
#[test]
fn reconnection_tool_ends_the_post_response_after_priming_and_the_result_comes_on_resume() {
    let c = Client::capable();
    let r = c.post(&Client::tools_call_body("test_reconnection", json!({})));
    let events = sse_events(&r.body);
    assert_eq!(events.len(), 1, "only the priming event: {events:?}");
    let (primer, data) = &events[0];
    assert!(primer.ends_with("-0") && data.is_empty(), "{events:?}");
    assert!(r.body.contains("retry: "), "{}", r.body);
    let mut headers = c.headers().to_vec();
    headers[0] = ("Accept", "text/event-stream");
    headers.push(("Last-Event-ID", primer));
    let resumed = request(c.server.addr, "GET", &headers, "");
    let messages = sse_messages(&resumed.body);
    assert_eq!(messages.len(), 1, "{}", resumed.body);
    assert_eq!(messages[0]["id"], 3);
    assert!(text_of(&messages[0]["result"]).starts_with("Reconnection test completed"));
}
