//! Well-formed JSON-RPC with the wrong type in every params field of every method we implement.
//! A JSON-RPC error travels in an HTTP 200 (the HTTP exchange worked; the method refused).

use crate::support::*;
use crate::Victim;
use serde_json::{json, Value};
use std::time::Duration;

fn request(method: &str, params: Value) -> String {
    json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}).to_string()
}

/// Assert an HTTP 200 carrying JSON-RPC error `code` for request id 7.
fn assert_error(r: &RawResponse, code: i64, what: &str) {
    assert_eq!(r.status, 200, "{what}: {}", r.body);
    let body = r.json();
    assert_eq!(
        (body["id"].clone(), body["error"]["code"].clone()),
        (json!(7), json!(code)),
        "{what}: {body}"
    );
}

#[test]
fn initialize_with_wrong_typed_version_or_capabilities_is_invalid_params_32602() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let info = json!({"name": "t", "version": "0"});
    let mut cases = vec![
        json!([]),
        json!({}),
        json!({"capabilities": {}, "clientInfo": info}),
    ];
    for bad in [json!(5), json!(null), json!({}), json!([]), json!(true)] {
        cases.push(json!({"protocolVersion": bad, "capabilities": {}, "clientInfo": info}));
    }
    for bad in [json!("x"), json!(5), json!([]), json!(true)] {
        cases.push(
            json!({"protocolVersion": "2025-11-25", "capabilities": bad, "clientInfo": info}),
        );
    }
    for params in cases {
        let r = post(
            s.addr,
            &[("Accept", ACCEPT_BOTH)],
            &request("initialize", params.clone()),
        );
        assert_error(&r, INVALID_PARAMS, &params.to_string());
        assert!(
            r.header("mcp-session-id").is_none(),
            "no session for a refused initialize"
        );
    }
    assert_eq!(
        s.server.endpoint().session_count(),
        1,
        "only the victim's session"
    );
    victim.finish();
}

/// `clientInfo` is only ever read for a display name, so a malformed one is tolerated (the spec
/// marks it required; we chose leniency because nothing depends on it).
#[test]
fn initialize_tolerates_a_malformed_client_info_it_never_uses() {
    let s = start(|_| {});
    for info in [
        json!(5),
        json!("x"),
        json!(null),
        json!([]),
        json!({"name": 5}),
    ] {
        let params =
            json!({"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": info});
        let r = post(
            s.addr,
            &[("Accept", ACCEPT_BOTH)],
            &request("initialize", params),
        );
        assert_eq!(
            r.json()["result"]["protocolVersion"],
            "2025-11-25",
            "{info}"
        );
        assert!(r.header("mcp-session-id").is_some());
    }
}

#[test]
fn tools_list_with_a_wrong_typed_or_forged_cursor_is_invalid_params_32602() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    for cursor in [
        json!(5),
        json!({}),
        json!([]),
        json!(true),
        json!(""),
        json!("tools:0"),
        json!("tools:-1"),
        json!("tools:99999999999999999999999"),
        json!("tools:1e3"),
    ] {
        let r = post_in(
            s.addr,
            &sid,
            &request("tools/list", json!({ "cursor": cursor })),
        );
        assert_error(&r, INVALID_PARAMS, &cursor.to_string());
    }
    // A null cursor, or params that are an array, mean "the first page".
    for params in [json!({"cursor": null}), json!([]), json!({"_meta": 5})] {
        let r = post_in(s.addr, &sid, &request("tools/list", params.clone()));
        assert!(r.json()["result"]["tools"].is_array(), "{params}");
    }
}

#[test]
fn tools_call_with_a_wrong_typed_name_arguments_or_progress_token_is_invalid_params_32602() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let sid = open_session(s.addr);
    let city = json!({"city": "Wuhan"});
    let mut cases = vec![json!([]), json!({}), json!({"arguments": city})];
    for bad in [
        json!(5),
        json!(null),
        json!({}),
        json!(["get_weather"]),
        json!(""),
    ] {
        cases.push(json!({"name": bad, "arguments": city}));
    }
    for bad in [json!("city=Wuhan"), json!(5), json!([1]), json!(true)] {
        cases.push(json!({"name": "get_weather", "arguments": bad}));
    }
    for bad in [json!(1.5), json!({}), json!([]), json!(true), json!(-0.0)] {
        cases.push(
            json!({"name": "get_weather", "arguments": city, "_meta": {"progressToken": bad}}),
        );
    }
    for params in cases {
        let r = post_in(s.addr, &sid, &request("tools/call", params.clone()));
        assert_error(&r, INVALID_PARAMS, &params.to_string());
    }
    assert!(
        s.server.endpoint().running_calls() <= 1,
        "only the victim's call runs"
    );
    victim.finish();
}

#[test]
fn tools_call_with_a_non_object_meta_runs_without_progress() {
    let s = start(|c| c.step_delay = Duration::ZERO);
    let sid = open_session(s.addr);
    for meta in [json!("x"), json!(5), json!([]), json!(null)] {
        let params = json!({"name": "get_weather", "arguments": {"city": "Wuhan"}, "_meta": meta});
        let messages = sse_messages(&post_in(s.addr, &sid, &request("tools/call", params)).body);
        assert_eq!(messages.len(), 1, "{meta}: {messages:?}");
        assert_eq!(messages[0]["result"]["structuredContent"]["city"], "Wuhan");
    }
}

#[test]
fn a_null_array_object_bool_or_blank_city_is_an_is_error_result() {
    let s = start(|c| c.step_delay = Duration::ZERO);
    let sid = open_session(s.addr);
    for city in [
        json!(null),
        json!([]),
        json!({"name": "Wuhan"}),
        json!(true),
        json!(""),
        json!("  "),
    ] {
        let params = json!({"name": "get_weather", "arguments": {"city": city}});
        let messages = sse_messages(&post_in(s.addr, &sid, &request("tools/call", params)).body);
        let result = &messages.last().unwrap()["result"];
        assert_eq!(result["isError"], true, "{city}");
        assert!(result["content"][0]["text"].is_string(), "{city}");
    }
}

#[test]
fn cancelled_with_a_wrong_typed_request_id_is_accepted_202_and_cancels_nothing() {
    let s = start(|c| c.step_delay = Duration::from_millis(100));
    let sid = open_session(s.addr);
    let (addr, sid2) = (s.addr, sid.clone());
    let call = std::thread::spawn(move || crate::checked_call(addr, &sid2, 7, "Wuhan"));
    while s.server.endpoint().running_calls() == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut cases: Vec<Value> = [json!({}), json!(null), json!(7.0), json!(true), json!([7]), json!("7")]
        .into_iter()
        .map(|id| json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": id}}))
        .collect();
    cases.push(json!({"jsonrpc": "2.0", "method": "notifications/cancelled"}));
    cases.push(json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": [7]}));
    for n in cases {
        let r = post_in(s.addr, &sid, &n.to_string());
        assert_eq!((r.status, r.body.as_str()), (202, ""), "{n}");
    }
    assert_eq!(call.join().unwrap(), Ok(()), "the call ran to its result");
}

#[test]
fn ping_with_any_structured_params_answers_an_empty_result() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    for params in [
        json!({"a": 1}),
        json!([]),
        json!([1, 2]),
        json!({"_meta": {"x": [null]}}),
    ] {
        let r = post_in(s.addr, &sid, &request("ping", params.clone()));
        assert_eq!(
            r.json(),
            json!({"jsonrpc": "2.0", "id": 7, "result": {}}),
            "{params}"
        );
    }
}

/// SPEC server/utilities/logging §Error Handling: "Servers SHOULD return standard JSON-RPC errors
/// for common failure cases: Invalid log level: -32602 (Invalid params)".
#[test]
fn logging_set_level_with_an_invalid_level_is_invalid_params_32602() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    for params in [
        json!({}),
        json!({"level": 5}),
        json!({"level": "loud"}),
        json!([]),
    ] {
        let r = post_in(s.addr, &sid, &request("logging/setLevel", params.clone()));
        assert_error(&r, INVALID_PARAMS, &params.to_string());
    }
    let ok = post_in(
        s.addr,
        &sid,
        &request("logging/setLevel", json!({"level": "debug"})),
    );
    assert_eq!(ok.json()["result"], json!({}));
}
