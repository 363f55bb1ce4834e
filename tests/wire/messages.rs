//! JSON-RPC, lifecycle and tools rules, checked over real HTTP against a real server.
//! Each test is named after the rule it checks.

use crate::support::*;
use serde_json::json;

#[test]
fn invalid_json_is_http_400_with_parse_error_32700() {
    let s = start(|_| {});
    let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], "{\"jsonrpc\": ");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], PARSE_ERROR);
    assert_eq!(r.json()["id"], serde_json::Value::Null);
}

#[test]
fn wrong_jsonrpc_version_is_http_400_with_invalid_request_32600_echoing_id() {
    let s = start(|_| {});
    let r = post(
        s.addr,
        &[("Accept", ACCEPT_BOTH)],
        r#"{"jsonrpc":"1.0","id":5,"method":"ping"}"#,
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], INVALID_REQUEST);
    assert_eq!(r.json()["id"], 5);
}

#[test]
fn non_string_method_is_invalid_request_32600() {
    let s = start(|_| {});
    let r = post(
        s.addr,
        &[("Accept", ACCEPT_BOTH)],
        r#"{"jsonrpc":"2.0","id":1,"method":7}"#,
    );
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (400, json!(INVALID_REQUEST))
    );
}

#[test]
fn batch_array_gets_a_clear_invalid_request_error() {
    let s = start(|_| {});
    let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], &format!("[{INIT}]"));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], INVALID_REQUEST);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("batch"));
}

#[test]
fn unknown_method_is_method_not_found_32601() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post_in(
        s.addr,
        &sid,
        r#"{"jsonrpc":"2.0","id":9,"method":"resources/list"}"#,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["error"]["code"], METHOD_NOT_FOUND);
    assert_eq!(r.json()["id"], 9);
}

#[test]
fn initialize_echoes_a_supported_protocol_version() {
    let s = start(|_| {});
    for version in ["2025-11-25", "2025-06-18", "2025-03-26"] {
        let body = INIT.replace("2025-11-25", version);
        let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], &body);
        assert_eq!(r.json()["result"]["protocolVersion"], version);
    }
}

#[test]
fn initialize_answers_latest_version_when_client_asks_for_an_unknown_one() {
    let s = start(|_| {});
    let r = post(
        s.addr,
        &[("Accept", ACCEPT_BOTH)],
        &INIT.replace("2025-11-25", "2024-01-01"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["result"]["protocolVersion"], "2025-11-25");
}

#[test]
fn initialize_declares_tools_server_info_and_instructions() {
    let s = start(|_| {});
    let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], INIT);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let result = &r.json()["result"];
    assert!(result["capabilities"]["tools"].is_object());
    for field in ["name", "title", "version"] {
        assert!(
            result["serverInfo"][field].is_string(),
            "serverInfo.{field}"
        );
    }
    assert!(result["instructions"].is_string());
}

#[test]
fn initialize_with_bad_params_is_invalid_params_32602() {
    let s = start(|_| {});
    let r = post(
        s.addr,
        &[("Accept", ACCEPT_BOTH)],
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#,
    );
    assert_eq!(r.json()["error"]["code"], INVALID_PARAMS);
}

#[test]
fn notification_post_is_answered_202_with_empty_body() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post_in(
        s.addr,
        &sid,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    );
    assert_eq!(r.status, 202);
    assert!(r.raw_body.is_empty());
    assert_eq!(r.header("content-length"), Some("0"));
}

#[test]
fn response_post_is_answered_202_with_empty_body() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post_in(
        s.addr,
        &sid,
        r#"{"jsonrpc":"2.0","id":"srv-1","result":{}}"#,
    );
    assert_eq!((r.status, r.body.as_str()), (202, ""));
}

#[test]
fn ping_answers_empty_result() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post_in(s.addr, &sid, r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#);
    assert_eq!(r.json(), json!({"jsonrpc":"2.0","id":2,"result":{}}));
}

#[test]
fn tools_list_describes_get_weather_with_schemas_and_read_only_hint() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post_in(
        s.addr,
        &sid,
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
    );
    let tools = r.json()["result"]["tools"].clone();
    let weather = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "get_weather")
        .unwrap()
        .clone();
    assert!(weather["title"].is_string() && weather["description"].is_string());
    assert_eq!(weather["inputSchema"]["type"], "object");
    assert_eq!(weather["inputSchema"]["required"], json!(["city"]));
    assert_eq!(
        weather["inputSchema"]["properties"]["city"]["type"],
        "string"
    );
    assert_eq!(weather["outputSchema"]["type"], "object");
    assert_eq!(weather["annotations"]["readOnlyHint"], true);
}

#[test]
fn tools_list_paginates_with_next_cursor() {
    let s = start(|c| c.page_size = 1);
    let sid = open_session(s.addr);
    let mut names = Vec::new();
    let mut params = json!({});
    for id in 2..100 {
        let body = json!({"jsonrpc":"2.0","id":id,"method":"tools/list","params": params});
        let page = post_in(s.addr, &sid, &body.to_string()).json();
        let tools = page["result"]["tools"].as_array().unwrap();
        assert_eq!(tools.len(), 1, "one tool per page");
        names.push(tools[0]["name"].as_str().unwrap().to_string());
        match page["result"].get("nextCursor") {
            Some(cursor) => params = json!({ "cursor": cursor }),
            None => break,
        }
    }
    let catalog: Vec<&str> = streamable_mcp::weather::CATALOG
        .tools
        .iter()
        .map(|t| t.name)
        .collect();
    assert!(catalog.len() >= 2, "more than one page");
    assert_eq!(
        names, catalog,
        "every tool once, in order, then no nextCursor"
    );
}

#[test]
fn tools_list_with_invalid_cursor_is_invalid_params_32602() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post_in(
        s.addr,
        &sid,
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{"cursor":"bogus"}}"#,
    );
    assert_eq!(r.json()["error"]["code"], INVALID_PARAMS);
}

#[test]
fn tools_call_returns_text_and_structured_content() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post_in(s.addr, &sid, &weather_call(3, "BEIJING", "t"));
    let messages = sse_messages(&r.body);
    let result = &messages.last().unwrap()["result"];
    assert_eq!(result["isError"], false);
    assert!(result["content"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("Beijing"));
    assert_eq!(result["structuredContent"]["city"], "Beijing");
    assert!(result["structuredContent"]["temperature_c"].is_number());
}

#[test]
fn tools_call_finds_cities_regardless_of_case_and_accents() {
    let s = start(|c| c.step_delay = std::time::Duration::ZERO);
    let sid = open_session(s.addr);
    for (query, city) in [
        ("zurich", "Zürich"),
        ("SAO PAULO", "São Paulo"),
        ("hangzhou", "Hangzhou"),
    ] {
        let r = post_in(s.addr, &sid, &weather_call(3, query, "t"));
        let last = sse_messages(&r.body).pop().unwrap();
        assert_eq!(last["result"]["structuredContent"]["city"], city);
    }
}

#[test]
fn unknown_city_is_an_is_error_result_with_suggestions() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post_in(s.addr, &sid, &weather_call(3, "Shanghia", "t"));
    let result = sse_messages(&r.body).pop().unwrap()["result"].clone();
    assert_eq!(result["isError"], true);
    assert!(result["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("Shanghai"));
}

#[test]
fn missing_or_non_string_city_is_an_is_error_result() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    for args in [json!({}), json!({"city": 42})] {
        let body = json!({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"get_weather","arguments": args}});
        let r = post_in(s.addr, &sid, &body.to_string());
        let last = sse_messages(&r.body).pop().unwrap();
        assert_eq!(last["result"]["isError"], true, "{args}");
    }
}

#[test]
fn unknown_tool_is_jsonrpc_invalid_params_32602() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post_in(
        s.addr,
        &sid,
        r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"get_wether","arguments":{}}}"#,
    );
    assert_eq!(r.json()["error"]["code"], INVALID_PARAMS);
}

#[test]
fn progress_notifications_echo_the_token_and_strictly_increase() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    for (token, token_json) in [("\"abc\"", json!("abc")), ("17", json!(17))] {
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{{"name":"get_weather","arguments":{{"city":"Wuhan"}},"_meta":{{"progressToken":{token}}}}}}}"#
        );
        let messages = sse_messages(&post_in(s.addr, &sid, &body).body);
        let progress: Vec<_> = messages
            .iter()
            .filter(|m| m["method"] == "notifications/progress")
            .collect();
        assert!(progress.len() >= 2);
        let mut last = 0.0;
        for p in &progress {
            assert_eq!(p["params"]["progressToken"], token_json);
            assert!(p["params"]["total"].is_number() && p["params"]["message"].is_string());
            let value = p["params"]["progress"].as_f64().unwrap();
            assert!(value > last);
            last = value;
        }
        assert!(progress[0]["params"]["message"]
            .as_str()
            .unwrap()
            .contains("Looking up Wuhan"));
    }
}

#[test]
fn no_progress_is_sent_without_a_progress_token() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let body = r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_weather","arguments":{"city":"Wuhan"}}}"#;
    let messages = sse_messages(&post_in(s.addr, &sid, body).body);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["id"], 7);
}
