//! Revision 2026-07-28 on the wire: no handshake, no session; every request carries its version and
//! capabilities in `_meta` and mirrors its method (and name) in headers. Each test is named after
//! the rule it checks (`basic/transports/streamable-http` 2026-07-28 unless it says otherwise).

use crate::support::*;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const MODERN: &str = "2026-07-28";

/// `params` with the `_meta` every modern request carries.
fn with_meta(mut params: Value, version: &str) -> Value {
    params["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!(version);
    params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!({});
    params
}

fn body(id: u64, method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string()
}

/// POST a modern request with the headers a conforming client sends.
fn modern(
    addr: SocketAddr,
    method: &str,
    name: Option<&str>,
    params: Value,
    accept: &str,
) -> RawResponse {
    let mut h = vec![
        ("Accept", accept),
        ("MCP-Protocol-Version", MODERN),
        ("Mcp-Method", method),
    ];
    h.extend(name.map(|n| ("Mcp-Name", n)));
    post(addr, &h, &body(7, method, with_meta(params, MODERN)))
}

fn weather(city: &str) -> Value {
    json!({"name": "get_weather", "arguments": {"city": city}, "_meta": {"progressToken": "t"}})
}

#[test]
fn server_discover_names_2026_07_28_our_capabilities_and_cache_fields() {
    let s = start(|_| {});
    let r = modern(s.addr, "server/discover", None, json!({}), ACCEPT_BOTH);
    assert_eq!(r.status, 200);
    assert!(
        r.header("mcp-session-id").is_none(),
        "no session in this era"
    );
    let result = &r.json()["result"];
    assert_eq!(result["supportedVersions"], json!([MODERN]));
    assert!(result["capabilities"]["tools"].is_object());
    assert_eq!(result["resultType"], "complete");
    assert!(result["ttlMs"].as_u64().is_some() && result["cacheScope"] == "public");
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "weather-server"
    );
    assert_eq!(s.server.endpoint().session_count(), 0);
}

#[test]
fn a_request_without_meta_is_400_invalid_params_echoing_its_id() {
    let s = start(|_| {});
    let h = [
        ("Accept", ACCEPT_BOTH),
        ("MCP-Protocol-Version", MODERN),
        ("Mcp-Method", "tools/list"),
    ];
    let r = post(s.addr, &h, &body(41, "tools/list", json!({})));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], INVALID_PARAMS);
    assert_eq!(r.json()["id"], 41);
}

#[test]
fn a_header_version_that_differs_from_meta_is_400_header_mismatch() {
    let s = start(|_| {});
    let h = [
        ("Accept", ACCEPT_BOTH),
        ("MCP-Protocol-Version", MODERN),
        ("Mcp-Method", "tools/list"),
    ];
    let r = post(
        s.addr,
        &h,
        &body(8, "tools/list", with_meta(json!({}), "2099-01-01")),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], HEADER_MISMATCH);
    assert_eq!(r.json()["id"], 8);
}

#[test]
fn an_unsupported_version_is_400_with_the_supported_list_and_the_requested_one() {
    let s = start(|_| {});
    let h = [
        ("Accept", ACCEPT_BOTH),
        ("MCP-Protocol-Version", "2099-01-01"),
        ("Mcp-Method", "tools/list"),
    ];
    let r = post(
        s.addr,
        &h,
        &body(9, "tools/list", with_meta(json!({}), "2099-01-01")),
    );
    assert_eq!(r.status, 400);
    let error = &r.json()["error"];
    assert_eq!(error["code"], UNSUPPORTED_PROTOCOL_VERSION);
    assert_eq!(error["data"]["supported"], json!([MODERN]));
    assert_eq!(error["data"]["requested"], "2099-01-01");
}

#[test]
fn mcp_method_is_required_and_must_match_the_body() {
    let s = start(|_| {});
    let params = with_meta(json!({}), MODERN);
    for method_header in [None, Some("tools/call")] {
        let mut h = vec![("Accept", ACCEPT_BOTH), ("MCP-Protocol-Version", MODERN)];
        h.extend(method_header.map(|m| ("Mcp-Method", m)));
        let r = post(s.addr, &h, &body(10, "tools/list", params.clone()));
        assert_eq!(r.status, 400, "{method_header:?}");
        assert_eq!(
            r.json()["error"]["code"],
            HEADER_MISMATCH,
            "{method_header:?}"
        );
    }
}

#[test]
fn mcp_name_is_required_on_tools_call_and_may_come_base64_encoded() {
    let s = start(|c| c.step_delay = Duration::ZERO);
    let missing = modern(
        s.addr,
        "tools/call",
        None,
        weather("Hangzhou"),
        "application/json",
    );
    assert_eq!(
        (missing.status, missing.json()["error"]["code"].clone()),
        (400, json!(HEADER_MISMATCH))
    );
    let other = modern(
        s.addr,
        "tools/call",
        Some("list_cities"),
        weather("Hangzhou"),
        "application/json",
    );
    assert_eq!(other.json()["error"]["code"], HEADER_MISMATCH);
    // "get_weather" in the =?base64?…?= form a client uses for names that are not safe ASCII.
    let encoded = modern(
        s.addr,
        "tools/call",
        Some("=?base64?Z2V0X3dlYXRoZXI=?="),
        weather("Hangzhou"),
        "application/json",
    );
    assert_eq!(encoded.status, 200, "{}", encoded.body);
    assert_eq!(
        encoded.json()["result"]["structuredContent"]["city"],
        "Hangzhou"
    );
}

#[test]
fn handshake_methods_are_404_method_not_found_in_the_modern_era() {
    let s = start(|_| {});
    for method in [
        "initialize",
        "ping",
        "logging/setLevel",
        "resources/subscribe",
        "subscriptions/listen",
        "no/such/method",
    ] {
        let r = modern(s.addr, method, None, json!({}), ACCEPT_BOTH);
        assert_eq!(r.status, 404, "{method}");
        assert_eq!(r.json()["error"]["code"], METHOD_NOT_FOUND, "{method}");
        assert_eq!(r.json()["id"], 7, "{method}");
    }
}

#[test]
fn get_and_delete_with_a_modern_version_are_405() {
    let s = start(|_| {});
    for method in ["GET", "DELETE"] {
        let h = [
            ("Accept", "text/event-stream"),
            ("MCP-Protocol-Version", MODERN),
        ];
        let r = request(s.addr, method, &h, "");
        assert_eq!(r.status, 405, "{method}");
        assert_eq!(r.header("allow"), Some("POST"), "{method}");
    }
}

#[test]
fn a_modern_notification_is_accepted_with_202_and_no_body() {
    let s = start(|_| {});
    let h = [("Accept", ACCEPT_BOTH), ("MCP-Protocol-Version", MODERN)];
    let r = post(
        s.addr,
        &h,
        r#"{"jsonrpc":"2.0","method":"notifications/whatever"}"#,
    );
    assert_eq!((r.status, r.body.as_str()), (202, ""));
}

#[test]
fn tools_list_is_complete_cacheable_and_lists_get_weather() {
    let s = start(|_| {});
    let r = modern(s.addr, "tools/list", None, json!({}), ACCEPT_BOTH);
    let result = &r.json()["result"];
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["cacheScope"], "public");
    assert!(result["tools"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["name"] == "get_weather"));
}

#[test]
fn a_modern_call_streams_progress_then_a_complete_result_without_event_ids() {
    let s = start(|_| {});
    let r = modern(
        s.addr,
        "tools/call",
        Some("get_weather"),
        weather("Hangzhou"),
        ACCEPT_BOTH,
    );
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    // SPEC streamable-http (2026-07-28) §Receiving Messages: servers SHOULD include `X-Accel-Buffering: no`.
    assert_eq!(r.header("x-accel-buffering"), Some("no"));
    assert!(
        !r.body.contains("\nid:") && !r.body.starts_with("id:"),
        "no event ids: nothing to resume"
    );
    let messages = sse_messages(&r.body);
    let progress: Vec<&Value> = messages
        .iter()
        .filter(|m| m["method"] == "notifications/progress")
        .collect();
    assert_eq!(progress.len(), 3);
    let last = messages.last().unwrap();
    assert_eq!(last["id"], 7);
    assert_eq!(last["result"]["resultType"], "complete");
    assert_eq!(last["result"]["structuredContent"]["city"], "Hangzhou");
}

#[test]
fn a_modern_call_over_ndjson_has_lines_and_over_json_only_the_result() {
    let s = start(|_| {});
    let r = modern(
        s.addr,
        "tools/call",
        Some("get_weather"),
        weather("Wuhan"),
        "application/x-ndjson",
    );
    let lines = ndjson_messages(&r.body);
    assert_eq!(lines.len(), 4, "three progress lines and the result");
    assert_eq!(lines[3]["result"]["resultType"], "complete");
    let r = modern(
        s.addr,
        "tools/call",
        Some("get_weather"),
        weather("Wuhan"),
        "application/json",
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json()["result"]["structuredContent"]["city"], "Wuhan");
}

#[test]
fn closing_the_stream_cancels_a_modern_call_and_the_tool_stops() {
    // Three steps of 2 s: a tool left running would take 6 s.
    let s = start(|c| {
        c.step_delay = Duration::from_secs(2);
        c.heartbeat = Duration::from_millis(50);
    });
    let h = [
        ("Accept", ACCEPT_BOTH),
        ("MCP-Protocol-Version", MODERN),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", "get_weather"),
    ];
    let raw = build(
        s.addr,
        "POST",
        &[h.as_slice(), &[("Content-Type", "application/json")]].concat(),
        &body(7, "tools/call", with_meta(weather("Hangzhou"), MODERN)),
    );
    let mut live = LiveSse::open(s.addr, &raw);
    let (_, first) = live.next_message().expect("the first progress event");
    assert_eq!(first["params"]["progress"], 1);
    let started = Instant::now();
    drop(live);
    while s.server.endpoint().running_calls() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "the tool went on after the client left"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// "Which Springfield?" needs the user, and a client that did not declare `elicitation` cannot be
/// asked: the call is refused with 400 -32021 naming the capability, in every framing, even when
/// the request asked for progress (the lookup runs before anything is sent).
#[test]
fn springfield_without_the_elicitation_capability_is_400_32021_requiring_elicitation() {
    let s = start(|c| c.step_delay = Duration::ZERO);
    for accept in ["application/json", ACCEPT_BOTH, "application/x-ndjson"] {
        let r = modern(
            s.addr,
            "tools/call",
            Some("get_weather"),
            weather("Springfield"),
            accept,
        );
        assert_eq!(r.status, 400, "{accept}: {}", r.body);
        let reply = r.json();
        assert_eq!(reply["id"], 7, "{accept}");
        assert_eq!(
            reply["error"]["code"], MISSING_REQUIRED_CLIENT_CAPABILITY,
            "{accept}"
        );
        assert_eq!(
            reply["error"]["data"]["requiredCapabilities"],
            json!({"elicitation": {}}),
            "{accept}"
        );
    }
}

/// A legacy client that sends no version header, or a handshake version, is served exactly as
/// before: the era router sends it the legacy way.
#[test]
fn requests_without_a_version_or_with_a_handshake_version_stay_legacy() {
    let s = start(|_| {});
    let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], INIT);
    assert_eq!(r.status, 200);
    assert!(
        r.header("mcp-session-id").is_some(),
        "initialize starts a session"
    );
    let sid = r.header("mcp-session-id").unwrap().to_string();
    let ping = post_in(s.addr, &sid, r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#);
    assert_eq!(ping.json()["result"], json!({}));
}

/// `with_meta`, declaring `elicitation`.
fn eliciting(mut params: Value) -> Value {
    params = with_meta(params, MODERN);
    params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!({"elicitation": {}});
    params
}

fn call_json(addr: SocketAddr, id: u64, params: Value) -> RawResponse {
    let h = [
        ("Accept", "application/json"),
        ("MCP-Protocol-Version", MODERN),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", "get_weather"),
    ];
    post(addr, &h, &body(id, "tools/call", params))
}

#[test]
fn an_ambiguous_city_is_input_required_and_the_retry_with_the_answer_completes() {
    let s = start(|c| c.step_delay = Duration::ZERO);
    let first = call_json(s.addr, 1, eliciting(weather("Springfield")));
    let result = &first.json()["result"];
    // SPEC mrtr (2026-07-28): an InputRequiredResult has `resultType: "input_required"` and `inputRequests`.
    assert_eq!(result["resultType"], "input_required", "{}", first.body);
    // SPEC basic/index (2026-07-28): results SHOULD carry `_meta["io.modelcontextprotocol/serverInfo"]`; this one too.
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "weather-server"
    );
    let question = &result["inputRequests"]["q1"];
    assert_eq!(question["method"], "elicitation/create");
    let choices = question["params"]["requestedSchema"]["properties"]["city"]["enum"].clone();
    assert!(choices.as_array().unwrap().len() >= 2, "{question}");
    let state = result["requestState"]
        .as_str()
        .expect("a requestState")
        .to_string();
    // The retry: a new id, the answer under the question's key, the state byte for byte.
    let mut retry = eliciting(weather("Springfield"));
    let illinois = choices
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c.as_str().unwrap().contains("Illinois"))
        .unwrap()
        .clone();
    retry["inputResponses"] = json!({"q1": {"action": "accept", "content": {"city": illinois}}});
    retry["requestState"] = json!(state);
    let second = call_json(s.addr, 2, retry);
    let done = &second.json()["result"];
    assert_eq!(done["resultType"], "complete", "{}", second.body);
    assert_eq!(done["structuredContent"]["region"], "Illinois");
    assert_eq!(second.json()["id"], 2);
}

#[test]
fn a_tampered_foreign_or_missing_request_state_is_refused_with_400_invalid_params() {
    let s = start(|c| c.step_delay = Duration::ZERO);
    let first = call_json(s.addr, 1, eliciting(weather("Springfield")));
    let state = first.json()["result"]["requestState"]
        .as_str()
        .unwrap()
        .to_string();
    let answer = json!({"q1": {"action": "accept", "content": {"city": "Springfield, Illinois, United States"}}});
    let retry = |city: &str, state: Option<String>| {
        let mut p = eliciting(weather(city));
        p["inputResponses"] = answer.clone();
        if let Some(state) = state {
            p["requestState"] = json!(state);
        }
        call_json(s.addr, 3, p)
    };
    for (what, r) in [
        (
            "tampered",
            retry("Springfield", Some(format!("{state}-TAMPERED"))),
        ),
        ("another request's", retry("Paris", Some(state.clone()))),
        ("missing", retry("Springfield", None)),
    ] {
        assert_eq!(r.status, 400, "{what}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], INVALID_PARAMS, "{what}");
        assert_eq!(r.json()["id"], 3, "{what}");
    }
}

#[test]
fn a_request_state_from_another_instance_is_accepted_only_with_the_same_state_key() {
    let a = start(|c| {
        c.step_delay = Duration::ZERO;
        c.state_key = Some(b"shared".to_vec());
    });
    let b = start(|c| {
        c.step_delay = Duration::ZERO;
        c.state_key = Some(b"shared".to_vec());
    });
    let other = start(|c| c.step_delay = Duration::ZERO); // a random key of its own
    let first = call_json(a.addr, 1, eliciting(weather("Springfield")));
    let state = first.json()["result"]["requestState"]
        .as_str()
        .unwrap()
        .to_string();
    let mut retry = eliciting(weather("Springfield"));
    retry["inputResponses"] = json!({"q1": {"action": "decline"}});
    retry["requestState"] = json!(state);
    let on_b = call_json(b.addr, 2, retry.clone());
    assert_eq!(on_b.status, 200, "{}", on_b.body);
    assert_eq!(
        on_b.json()["result"]["isError"],
        true,
        "declined: an error result"
    );
    let on_other = call_json(other.addr, 2, retry);
    assert_eq!(on_other.json()["error"]["code"], INVALID_PARAMS);
}
