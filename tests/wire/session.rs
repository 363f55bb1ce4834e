//! Session rules of MCP 2025-11-25 `basic/transports` §Session Management, over real HTTP.

use crate::support::*;
use std::time::Duration;

const PING: &str = r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#;

#[test]
fn session_id_is_issued_on_initialize_as_at_least_128_bits_of_visible_ascii() {
    let s = start(|_| {});
    let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], INIT);
    let sid = r.header("mcp-session-id").unwrap();
    assert!(sid.len() >= 32, "{sid}");
    assert!(sid.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    let other = post(s.addr, &[("Accept", ACCEPT_BOTH)], INIT);
    assert_ne!(other.header("mcp-session-id"), Some(sid));
}

#[test]
fn session_id_is_sent_only_on_the_initialize_response() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post_in(s.addr, &sid, PING);
    assert_eq!(r.status, 200);
    assert!(r.header("mcp-session-id").is_none());
}

#[test]
fn request_without_session_id_is_400_with_jsonrpc_error() {
    let s = start(|_| {});
    let _ = open_session(s.addr);
    let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], PING);
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], TRANSPORT_ERROR);
    assert!(r.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Mcp-Session-Id"));
}

#[test]
fn notification_without_session_id_is_400() {
    let s = start(|_| {});
    let r = post(
        s.addr,
        &[("Accept", ACCEPT_BOTH)],
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    );
    assert_eq!(r.status, 400);
}

#[test]
fn unknown_session_id_is_404() {
    let s = start(|_| {});
    let r = post(
        s.addr,
        &[
            ("Accept", ACCEPT_BOTH),
            ("Mcp-Session-Id", "no-such-session"),
        ],
        PING,
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"]["code"], SESSION_NOT_FOUND);
}

#[test]
fn delete_ends_the_session_with_200_and_later_use_is_404() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let d = request(s.addr, "DELETE", &[("Mcp-Session-Id", &sid)], "");
    assert_eq!(d.status, 200);
    let r = post_in(s.addr, &sid, PING);
    assert_eq!(r.status, 404);
    let again = request(s.addr, "DELETE", &[("Mcp-Session-Id", &sid)], "");
    assert_eq!(again.status, 404);
}

#[test]
fn initialize_beyond_max_sessions_is_503_with_retry_after_until_a_session_ends() {
    let s = start(|c| c.max_sessions = 2);
    let first = open_session(s.addr);
    let second = open_session(s.addr);
    let refused = post(s.addr, &[("Accept", ACCEPT_BOTH)], INIT);
    assert_eq!(refused.status, 503);
    assert_eq!(refused.header("Retry-After"), Some("5"));
    assert_eq!(refused.header("Mcp-Session-Id"), None);
    assert_eq!(refused.json()["id"], 1, "the initialize's id is echoed");
    assert_eq!(refused.json()["error"]["code"], TRANSPORT_ERROR);
    // The sessions there are not disturbed, and a DELETE makes room.
    assert_eq!(post_in(s.addr, &second, PING).status, 200);
    let d = request(s.addr, "DELETE", &[("Mcp-Session-Id", &first)], "");
    assert_eq!(d.status, 200);
    let again = post(s.addr, &[("Accept", ACCEPT_BOTH)], INIT);
    assert_eq!(again.status, 200);
}

#[test]
fn an_idle_session_that_expired_makes_room_under_max_sessions() {
    let s = start(|c| {
        c.max_sessions = 1;
        c.session_idle_timeout = Duration::from_millis(200);
    });
    open_session(s.addr);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(post(s.addr, &[("Accept", ACCEPT_BOTH)], INIT).status, 200);
}

#[test]
fn delete_without_session_id_is_400() {
    let s = start(|_| {});
    assert_eq!(request(s.addr, "DELETE", &[], "").status, 400);
}

#[test]
fn idle_session_expires_and_then_gets_404() {
    let s = start(|c| c.session_idle_timeout = Duration::from_millis(300));
    let sid = open_session(s.addr);
    let r = post_in(s.addr, &sid, PING);
    assert_eq!(r.status, 200, "still fresh");
    std::thread::sleep(Duration::from_millis(500));
    let r = post_in(s.addr, &sid, PING);
    assert_eq!(r.status, 404);
}

#[test]
fn stateless_server_issues_no_session_and_needs_none() {
    let s = start(|c| c.stateless = true);
    let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], INIT);
    assert_eq!(r.status, 200);
    assert!(r.header("mcp-session-id").is_none());
    let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], PING);
    assert_eq!(r.json()["result"], serde_json::json!({}));
    assert_eq!(request(s.addr, "DELETE", &[], "").status, 405);
}

#[test]
fn conflicting_duplicate_session_headers_are_400() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post(
        s.addr,
        &[
            ("Accept", ACCEPT_BOTH),
            ("Mcp-Session-Id", &sid),
            ("Mcp-Session-Id", "other"),
        ],
        PING,
    );
    assert_eq!(r.status, 400);
}

#[test]
fn cancelled_notification_stops_the_call_and_no_response_is_sent() {
    let s = start(|c| c.step_delay = Duration::from_secs(2));
    let sid = open_session(s.addr);
    let addr = s.addr;
    let sid2 = sid.clone();
    let call = std::thread::spawn(move || {
        post(
            addr,
            &[("Accept", ACCEPT_BOTH), ("Mcp-Session-Id", &sid2)],
            &weather_call(77, "Hangzhou", "c"),
        )
    });
    // Wait until the call is running, then cancel it.
    while s.server.endpoint().running_calls() == 0 {
        std::thread::sleep(Duration::from_millis(10));
    }
    let cancel = r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":77,"reason":"test"}}"#;
    let c = post_in(s.addr, &sid, cancel);
    assert_eq!(c.status, 202);
    let r = call.join().unwrap();
    let messages = sse_messages(&r.body);
    assert!(
        messages
            .iter()
            .all(|m| m.get("result").is_none() && m.get("error").is_none()),
        "{messages:?}"
    );
    // The worker gives its slot back just after ending the stream: allow it a moment.
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    while s.server.endpoint().running_calls() > 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        s.server.endpoint().running_calls(),
        0,
        "the cancelled worker stopped"
    );
}

/// A refusal made after the body was read names the request it refuses, so that a client with
/// several requests in flight can match the error to one of them; one made before (a foreign
/// `Origin`, say) has no id to give and says `null`.
#[test]
fn a_refusal_after_the_body_was_read_echoes_the_request_id() {
    let s = start(|_| {});
    let unknown = post(
        s.addr,
        &[
            ("Accept", ACCEPT_BOTH),
            ("Mcp-Session-Id", "no-such-session"),
        ],
        PING,
    );
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json()["id"], 2, "the ping's id");
    let missing = post(s.addr, &[("Accept", ACCEPT_BOTH)], PING);
    assert_eq!(missing.status, 400);
    assert_eq!(missing.json()["id"], 2);
    let foreign = post(
        s.addr,
        &[("Accept", ACCEPT_BOTH), ("Origin", "http://evil.example")],
        PING,
    );
    assert_eq!(foreign.status, 403);
    assert!(foreign.json()["id"].is_null(), "refused before the body");
}
