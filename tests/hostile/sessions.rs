//! Unknown, expired and deleted sessions, and one session reaching for another's streams, calls
//! and questions: every attempt is refused or has no effect, and the owner never notices.

use crate::support::*;
use crate::{assert_refused, checked_call, Victim};
use serde_json::json;
use std::time::{Duration, Instant};

const PING: &str = r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#;

#[test]
fn unknown_session_ids_of_any_shape_are_404_session_not_found() {
    let s = start(|_| {});
    let victim = Victim::start(s.addr);
    let real = open_session(s.addr);
    let long = "f".repeat(10_000);
    let upper = real.to_ascii_uppercase();
    let shapes = [
        "",
        " ",
        "0",
        long.as_str(),
        "../../etc/passwd",
        "%00",
        "null",
        &upper,
        &real[1..],
    ];
    for sid in shapes {
        let h = [("Accept", ACCEPT_BOTH), ("Mcp-Session-Id", sid)];
        assert_refused(&post(s.addr, &h, PING), 404, SESSION_NOT_FOUND, sid);
        assert_refused(
            &request(s.addr, "DELETE", &h[1..], ""),
            404,
            SESSION_NOT_FOUND,
            sid,
        );
        assert_refused(&resume(s.addr, sid, "1-1"), 404, SESSION_NOT_FOUND, sid);
    }
    assert_eq!(
        post_in(s.addr, &real, PING).status,
        200,
        "the real one still works"
    );
    victim.finish();
}

#[test]
fn an_expired_session_can_neither_post_resume_listen_nor_delete() {
    let s = start(|c| {
        c.session_idle_timeout = Duration::from_millis(300);
        c.step_delay = Duration::ZERO;
    });
    let sid = open_session(s.addr);
    let r = post_in(s.addr, &sid, &weather_call(1, "Wuhan", "p"));
    let (first_id, _) = sse_events(&r.body)[1].clone();
    std::thread::sleep(Duration::from_millis(500));
    assert_refused(
        &resume(s.addr, &sid, &first_id),
        404,
        SESSION_NOT_FOUND,
        "resume",
    );
    let listen = [
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", sid.as_str()),
    ];
    assert_refused(
        &request(s.addr, "GET", &listen, ""),
        404,
        SESSION_NOT_FOUND,
        "listen",
    );
    assert_refused(&post_in(s.addr, &sid, PING), 404, SESSION_NOT_FOUND, "post");
    assert_refused(
        &request(s.addr, "DELETE", &listen[1..], ""),
        404,
        SESSION_NOT_FOUND,
        "delete",
    );
    assert_eq!(s.server.endpoint().session_count(), 0);
}

#[test]
fn another_sessions_event_id_is_refused_mid_stream_and_the_owner_resumes_every_event() {
    let s = start(|c| {
        c.drop_stream_after = Some(1);
        c.step_delay = Duration::from_millis(250);
    });
    let (owner, thief) = (open_session(s.addr), open_session(s.addr));
    let first = post_in(s.addr, &owner, &weather_call(4, "Paris", "mine"));
    let (stolen_id, data) = sse_events(&first.body).pop().unwrap();
    assert!(data.contains("\"progress\":1"), "{data}");
    // While the call is still running, the other session tries the owner's event id, a neighbour
    // of it, and the owner's stream number with its own sequence.
    let stream_no = stolen_id.split('-').next().unwrap().to_string();
    for id in [
        stolen_id.clone(),
        format!("{stream_no}-0"),
        format!("{stream_no}-3"),
    ] {
        let r = resume(s.addr, &thief, &id);
        assert_refused(&r, 400, INVALID_REQUEST, &id);
        assert!(
            !r.body.contains("Paris"),
            "nothing of the owner's stream leaks"
        );
    }
    assert!(
        s.server.endpoint().running_calls() >= 1,
        "the refusals happened mid-call"
    );
    // The owner picks up exactly where it was.
    let mut messages = vec![serde_json::from_str::<serde_json::Value>(&data).unwrap()];
    let mut last = stolen_id;
    for _ in 0..10 {
        let events = sse_events(&resume(s.addr, &owner, &last).body);
        for (_, d) in events.iter().filter(|(_, d)| !d.is_empty()) {
            messages.push(serde_json::from_str(d).unwrap());
        }
        last = events.last().unwrap().0.clone();
        if messages.last().unwrap().get("result").is_some() {
            break;
        }
    }
    let progress: Vec<u64> = messages
        .iter()
        .filter_map(|m| m["params"]["progress"].as_u64())
        .collect();
    assert_eq!(progress, [1, 2, 3]);
    assert_eq!(messages.len(), 4);
    assert_eq!(messages[3]["result"]["structuredContent"]["city"], "Paris");
    assert_eq!(
        post_in(s.addr, &thief, PING).status,
        200,
        "the thief's own session is fine"
    );
}

#[test]
fn another_session_cannot_cancel_a_call_it_does_not_own() {
    let s = start(|c| c.step_delay = Duration::from_millis(100));
    let (owner, other) = (open_session(s.addr), open_session(s.addr));
    let (addr, sid) = (s.addr, owner.clone());
    let call = std::thread::spawn(move || checked_call(addr, &sid, 77, "Tokyo"));
    while s.server.endpoint().running_calls() == 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let cancel =
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":77}}"#;
    let r = post_in(s.addr, &other, cancel);
    assert_eq!((r.status, r.body.as_str()), (202, ""));
    assert_eq!(
        call.join().unwrap(),
        Ok(()),
        "the owner's call was not cancelled"
    );
}

/// The server asks the owner which Springfield it means; another session answers first with the
/// same request id. Only the owner's own answer counts.
#[test]
fn another_session_cannot_answer_a_question_asked_in_this_session() {
    let s = start(|_| {});
    let init = INIT.replace(
        r#""capabilities":{}"#,
        r#""capabilities":{"elicitation":{}}"#,
    );
    let owner = post(s.addr, &[("Accept", ACCEPT_BOTH)], &init)
        .header("mcp-session-id")
        .unwrap()
        .to_string();
    let initialized = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
    assert_eq!(post_in(s.addr, &owner, initialized).status, 202);
    let other = open_session(s.addr);
    let h = in_session(&owner);
    let mut h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
    h.push(("Content-Type", "application/json"));
    let mut live = LiveSse::open(
        s.addr,
        &build(s.addr, "POST", &h, &weather_call(9, "Springfield", "p")),
    );
    let question = loop {
        let (_, m) = live.next_message().expect("a question");
        if m["method"] == "elicitation/create" {
            break m;
        }
    };
    let forged = json!({"jsonrpc": "2.0", "id": question["id"], "result": {"action": "accept",
        "content": {"city": "Springfield, Illinois, United States"}}});
    assert_eq!(post_in(s.addr, &other, &forged.to_string()).status, 202);
    let mine = json!({"jsonrpc": "2.0", "id": question["id"], "result": {"action": "decline"}});
    assert_eq!(post_in(s.addr, &owner, &mine.to_string()).status, 202);
    let result = loop {
        let (_, m) = live.next_message().expect("a result");
        if m["id"] == 9 {
            break m["result"].clone();
        }
    };
    assert_eq!(
        result["isError"], true,
        "the owner's decline was used: {result}"
    );
    assert!(result["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("declined"));
}

#[test]
fn deleting_a_session_mid_stream_ends_only_its_own_streams() {
    let s = start(|c| c.step_delay = Duration::from_millis(200));
    let victim = Victim::start(s.addr);
    let doomed = open_session(s.addr);
    let h = in_session(&doomed);
    let mut h: Vec<(&str, &str)> = h.iter().map(|(n, v)| (*n, v.as_str())).collect();
    h.push(("Content-Type", "application/json"));
    let mut live = LiveSse::open(
        s.addr,
        &build(s.addr, "POST", &h, &weather_call(5, "Wuhan", "d")),
    );
    let (first_id, first) = live.next_message().unwrap();
    assert_eq!(first["params"]["progress"], 1);
    let d = request(s.addr, "DELETE", &[("Mcp-Session-Id", doomed.as_str())], "");
    assert_eq!(d.status, 200);
    let deleted_at = Instant::now();
    // The stream ends without a result, soon.
    let mut rest = Vec::new();
    while let Some((_, m)) = live.next_message() {
        rest.push(m);
    }
    assert!(rest.iter().all(|m| m.get("result").is_none()), "{rest:?}");
    assert!(
        deleted_at.elapsed() < Duration::from_secs(2),
        "{:?}",
        deleted_at.elapsed()
    );
    assert_refused(
        &resume(s.addr, &doomed, &first_id),
        404,
        SESSION_NOT_FOUND,
        "resume after delete",
    );
    victim.finish();
}

/// Defect 9 of issue 13: DELETE stopped SSE calls but not NDJSON or JSON ones, which delivered
/// their result seconds after their session was gone. Every call of the session stops now.
#[test]
fn deleting_a_session_stops_its_ndjson_and_json_calls_too() {
    let s = start(|c| c.step_delay = Duration::from_millis(300));
    for accept in ["application/x-ndjson", "application/json"] {
        let doomed = open_session(s.addr);
        let h = [
            ("Mcp-Session-Id", doomed.as_str()),
            ("MCP-Protocol-Version", "2025-11-25"),
            ("Content-Type", "application/json"),
            ("Accept", accept),
        ];
        let call = build(s.addr, "POST", &h, &weather_call(5, "Wuhan", "d"));
        let mut stream = crate::connect_and_send(s.addr, call.as_bytes());
        std::thread::sleep(Duration::from_millis(150));
        let d = request(s.addr, "DELETE", &[("Mcp-Session-Id", doomed.as_str())], "");
        assert_eq!(d.status, 200);
        let deleted_at = Instant::now();
        let reply = crate::read_until_quiet(&mut stream, Duration::from_secs(3));
        let reply = String::from_utf8_lossy(&reply);
        assert!(!reply.contains("\"result\""), "{accept}: {reply}");
        assert!(
            deleted_at.elapsed() < Duration::from_secs(2),
            "{accept}: {:?}",
            deleted_at.elapsed()
        );
    }
}

fn get_stream_request(addr: std::net::SocketAddr, sid: &str) -> String {
    let h = [
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", sid),
        ("MCP-Protocol-Version", "2025-11-25"),
    ];
    build(addr, "GET", &h, "")
}

/// Defect 13 of issue 13: a client that only listened on its GET stream counted as idle, and
/// its session expired under it. Listening is using the session.
#[test]
fn a_session_that_listens_on_its_get_stream_does_not_expire() {
    let s = start(|c| {
        c.session_idle_timeout = Duration::from_millis(600);
        c.heartbeat = Duration::from_millis(100);
    });
    let sid = open_session(s.addr);
    let listener = LiveSse::open(s.addr, &get_stream_request(s.addr, &sid));
    assert_eq!(listener.status, 200);
    std::thread::sleep(Duration::from_millis(1500));
    let ping = post_in(s.addr, &sid, r#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#);
    assert_eq!(
        ping.status, 200,
        "the session expired while its client listened: {}",
        ping.body
    );
    drop(listener);
}

/// Defect 14 of issue 13: the GET stream's head and priming event waited for the first heartbeat
/// (500 ms by default); the spec says the priming event is sent "immediately".
#[test]
fn the_get_streams_head_and_priming_event_arrive_at_once() {
    let s = start(|c| c.heartbeat = Duration::from_secs(5));
    let sid = open_session(s.addr);
    let started = Instant::now();
    let mut listener = LiveSse::open(s.addr, &get_stream_request(s.addr, &sid));
    let (id, data) = listener.next_data().expect("the priming event");
    assert!(id.is_some() && data.is_empty(), "{id:?} {data:?}");
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
}

/// Defect 14 of issue 13, second half: a client reconnecting its GET stream met 409 until the
/// server noticed the old connection was gone (a heartbeat or two). A resuming GET (it names its
/// last event) now takes the stream over at once: the old response ends cleanly, and the new one
/// goes on after the named event, so no message is sent on both.
#[test]
fn a_resuming_get_takes_the_stream_over_at_once_and_nothing_is_sent_twice() {
    let s = start(|c| {
        c.heartbeat = Duration::from_secs(5);
        c.alert_every = Duration::from_millis(30);
    });
    let sid = open_session(s.addr);
    let mut old = LiveSse::open(s.addr, &get_stream_request(s.addr, &sid));
    let (last_id, _) = old.next_message().expect("an alert on the old connection");
    let h = [
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", sid.as_str()),
        ("MCP-Protocol-Version", "2025-11-25"),
        ("Last-Event-ID", last_id.as_str()),
    ];
    let started = Instant::now();
    let mut new = LiveSse::open(s.addr, &build(s.addr, "GET", &h, ""));
    assert_eq!(new.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    let mut old_ids = vec![last_id.clone()];
    while let Some((id, _)) = old.next_data() {
        old_ids.extend(id);
    }
    let (first_new, _) = new
        .next_message()
        .expect("alerts go on, on the new connection");
    assert!(
        !old_ids.contains(&first_new),
        "{first_new} went to both: {old_ids:?}"
    );
    let seq = |id: &str| id.rsplit('-').next().unwrap().parse::<u64>().unwrap();
    assert!(
        seq(&first_new) > seq(&last_id),
        "{first_new} after {last_id}"
    );
}

/// `get_stream.rs` computes `seq + 1` on the sequence number of `Last-Event-ID`: at `u64::MAX` that
/// overflows, which panics the request's thread in a debug build (the client gets tiny_http's
/// bare 500) and wraps to 0 in release (then 400 "dropped from the log", by luck).
#[test]
fn a_last_event_id_at_the_end_of_u64_is_400_not_a_panic() {
    let s = start(|c| c.step_delay = Duration::ZERO);
    let sid = open_session(s.addr);
    let r = post_in(s.addr, &sid, &weather_call(1, "Wuhan", "p"));
    let (first_id, _) = sse_events(&r.body)[1].clone();
    let stream_no = first_id.split('-').next().unwrap();
    let r = resume(s.addr, &sid, &format!("{stream_no}-{}", u64::MAX));
    assert_refused(&r, 400, INVALID_REQUEST, "u64::MAX");
}
