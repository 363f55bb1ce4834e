//! Bodies that are not JSON, not JSON-RPC, too deep, too long, or not UTF-8.

use crate::support::*;
use crate::{assert_refused, assert_serves, post_bytes, Victim};
use serde_json::json;

#[test]
fn every_truncation_of_a_valid_request_is_http_400_parse_error_32700() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let sid = open_session(s.addr);
    let whole = weather_call(5, "Wuhan", "t");
    // Every cut point would be ~150 requests; every third one still hits every kind of token.
    for cut in (0..whole.len()).step_by(3) {
        let r = post_in(s.addr, &sid, &whole[..cut]);
        assert_refused(&r, 400, PARSE_ERROR, &format!("cut at {cut}"));
        assert!(
            r.json()["id"].is_null(),
            "no id can be read from broken JSON"
        );
    }
    victim.finish();
    assert_serves(s.addr);
}

#[test]
fn malformed_json_is_http_400_parse_error_32700() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let sid = open_session(s.addr);
    let cases = [
        "",
        "   \r\n\t ",
        "{",
        "}",
        "{'jsonrpc':'2.0','id':1,'method':'ping'}",
        r#"{"jsonrpc":"2.0","id":1,"method":"ping",}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"ping"}x"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"ping"}{"jsonrpc":"2.0","id":2,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":01,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":NaN,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":1e999,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"ping" // comment"#,
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"pi\nng\"}",
        r#"{"jsonrpc":"2.0","id":1,"method":"\ud800"}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"\x41"}"#,
        "\u{feff}{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}",
        "\0",
    ];
    for body in cases {
        let r = post_in(s.addr, &sid, body);
        assert_refused(&r, 400, PARSE_ERROR, &format!("{body:?}"));
    }
    victim.finish();
    assert_serves(s.addr);
}

#[test]
fn valid_json_that_is_not_jsonrpc_is_http_400_invalid_request_32600() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let sid = open_session(s.addr);
    let cases = [
        "42",
        "-1.5e3",
        r#""ping""#,
        "true",
        "null",
        "{}",
        "[]",
        "[1]",
        r#"{"id":1,"method":"ping"}"#,
        r#"{"jsonrpc":2.0,"id":1,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0 ","id":1,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0"}"#,
        r#"{"jsonrpc":"2.0","id":{},"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":[1],"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":true,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":null}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":["ping"]}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":null}"#,
        r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":"x"}"#,
        r#"{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":"1","message":"x"}}"#,
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":1.5,"message":"x"}}"#,
        r#"{"jsonrpc":"2.0","result":{}}"#,
    ];
    for body in cases {
        let r = post_in(s.addr, &sid, body);
        assert_refused(&r, 400, INVALID_REQUEST, body);
    }
    // When the id could be read, the error echoes it.
    let r = post_in(s.addr, &sid, r#"{"jsonrpc":"2.0","id":"k7"}"#);
    assert_eq!(r.json()["id"], "k7");
    victim.finish();
    assert_serves(s.addr);
}

#[test]
fn nesting_100k_deep_is_parse_error_32700_not_a_stack_overflow() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let sid = open_session(s.addr);
    let deep_params = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"a":{}"#,
        "[".repeat(100_000)
    );
    for body in [
        "[".repeat(100_000),
        "{\"a\":".repeat(100_000),
        format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)),
        deep_params,
    ] {
        let r = post_in(s.addr, &sid, &body);
        assert_refused(&r, 400, PARSE_ERROR, &body[..40]);
        let message = r.json()["error"]["message"].as_str().unwrap().to_string();
        assert!(message.contains("recursion limit"), "{message}");
    }
    victim.finish();
    assert_serves(s.addr);
}

#[test]
fn nesting_just_under_the_parser_limit_is_served() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    // The message object is depth 1 and params depth 2: 120 more arrays stay under 128.
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"a":{}{}}}}}"#,
        "[".repeat(120),
        "]".repeat(120)
    );
    let r = post_in(s.addr, &sid, &body);
    assert_eq!(r.json(), json!({"jsonrpc":"2.0","id":1,"result":{}}));
}

#[test]
fn strings_just_under_the_one_mib_cap_are_served() {
    let s = start(|c| c.step_delay = std::time::Duration::ZERO);
    let victim = Victim::start(s.addr);
    let sid = open_session(s.addr);
    let room = 1024 * 1024 - 200;
    let long = "x".repeat(room);

    let pad = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"pad":"{long}"}}}}"#);
    assert_eq!(post_in(s.addr, &sid, &pad).json()["result"], json!({}));

    let id = format!(r#"{{"jsonrpc":"2.0","id":"{long}","method":"ping"}}"#);
    assert_eq!(post_in(s.addr, &sid, &id).json()["id"], long.as_str());

    let method = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"{long}"}}"#);
    let r = post_in(s.addr, &sid, &method);
    assert_eq!(
        (r.status, r.json()["error"]["code"].clone()),
        (200, json!(METHOD_NOT_FOUND))
    );

    // A progress token of half a MiB is echoed in every progress event.
    let token = "t".repeat(room / 2);
    let messages = sse_messages(&post_in(s.addr, &sid, &weather_call(3, "Wuhan", &token)).body);
    assert_eq!(messages.len(), 4);
    assert!(messages[..3]
        .iter()
        .all(|m| m["params"]["progressToken"] == token.as_str()));
    assert_eq!(messages[3]["result"]["structuredContent"]["city"], "Wuhan");
    victim.finish();
}

#[test]
fn invalid_utf8_in_the_body_is_parse_error_32700() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let sid = open_session(s.addr);
    let h = [("Accept", ACCEPT_BOTH), ("Mcp-Session-Id", sid.as_str())];
    let cases: [&[u8]; 6] = [
        b"\xff\xfe{}",
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"\xff\"}}",
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xc0\x80\"}", // overlong NUL
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xed\xa0\x80\"}", // a surrogate
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xe4\xb8\"}", // truncated sequence
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xf8\x88\x80\x80\x80\"}", // 5 bytes
    ];
    for body in cases {
        let r = post_bytes(s.addr, &h, body);
        assert_refused(&r, 400, PARSE_ERROR, &String::from_utf8_lossy(body));
        assert!(r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("UTF-8"));
    }
    victim.finish();
    assert_serves(s.addr);
}

/// A city name of ~1 MiB makes `weather::cities::suggest` compute an edit distance between it and
/// every city name (O(query length x cities), one allocation per character): ~3 s of CPU in
/// release and ~40 s in debug, per request, while the in-flight cap allows 256 at once.
#[test]
fn a_city_name_just_under_the_cap_is_answered_within_two_seconds() {
    let s = start(|c| c.step_delay = std::time::Duration::ZERO);
    let sid = open_session(s.addr);
    let city = "x".repeat(1024 * 1024 - 200);
    let h = [
        ("Accept", "application/json"),
        ("Mcp-Session-Id", sid.as_str()),
    ];
    let started = std::time::Instant::now();
    let r = post(s.addr, &h, &weather_call(1, &city, "t"));
    let took = started.elapsed();
    assert_eq!(r.json()["result"]["isError"], true);
    assert!(took < std::time::Duration::from_secs(2), "took {took:?}");
}
