//! Streams that outlive connections: priming, resuming with `Last-Event-ID`, the GET stream, and a
//! server-to-client request in the middle of a call (MCP 2025-11-25 `basic/transports`
//! §Resumability and Redelivery, §Listening for Messages from the Server; `client/elicitation`).

use crate::support::*;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;

/// POST a call, then GET with `Last-Event-ID` after every cut, until the final response arrives.
/// Returns every message received, in order, and the number of connections used.
fn call_through_cuts(addr: SocketAddr, sid: &str, body: &str) -> (Vec<Value>, usize) {
    let mut r = post(addr, &as_refs(&in_session(sid)), body);
    let mut messages = Vec::new();
    let mut connections = 1;
    loop {
        assert_eq!(r.status, 200, "{r:?}");
        let events = sse_events(&r.body);
        let last_id = events
            .last()
            .map(|(id, _)| id.clone())
            .expect("every cut response has an event");
        for (_, data) in events.iter().filter(|(_, d)| !d.is_empty()) {
            messages.push(serde_json::from_str::<Value>(data).unwrap());
        }
        if messages
            .last()
            .is_some_and(|m| m.get("result").is_some() || m.get("error").is_some())
        {
            return (messages, connections);
        }
        assert!(connections < 50, "no end in sight: {messages:?}");
        r = resume(addr, sid, &last_id);
        connections += 1;
    }
}

#[test]
fn post_sse_stream_starts_with_priming_event_carrying_id_and_retry() {
    let s = start(|c| c.retry = Duration::from_millis(1500));
    let sid = open_session(s.addr);
    let r = post(
        s.addr,
        &as_refs(&in_session(&sid)),
        &weather_call(3, "Wuhan", "p"),
    );
    let first = r.body.split("\n\n").next().unwrap();
    let lines: Vec<&str> = first.lines().collect();
    assert!(
        lines[0].starts_with("id: ") && lines[0].ends_with("-0"),
        "{first}"
    );
    assert_eq!(&lines[1..], ["retry: 1500", "data: "]);
}

#[test]
fn sessions_older_than_2025_11_25_get_no_priming_event() {
    let s = start(|_| {});
    let init = post(
        s.addr,
        &[("Accept", ACCEPT_BOTH)],
        &INIT.replace("2025-11-25", "2025-06-18"),
    );
    let sid = init.header("mcp-session-id").unwrap().to_string();
    let r = post(
        s.addr,
        &as_refs(&in_session(&sid)),
        &weather_call(3, "Wuhan", "p"),
    );
    assert!(r.body.starts_with("event: message\n"), "{}", r.body);
}

#[test]
fn resume_after_a_cut_loses_nothing_and_repeats_nothing() {
    let s = start(|c| {
        c.drop_stream_after = Some(2);
        c.step_delay = Duration::from_millis(20);
    });
    let sid = open_session(s.addr);
    let (messages, connections) =
        call_through_cuts(s.addr, &sid, &weather_call(5, "Hangzhou", "tok"));
    assert!(connections >= 2, "the stream was cut at least once");
    let progress: Vec<u64> = messages
        .iter()
        .filter_map(|m| m["params"]["progress"].as_u64())
        .collect();
    assert_eq!(
        progress,
        [1, 2, 3],
        "each progress event exactly once, in order"
    );
    assert_eq!(messages.last().unwrap()["id"], 5);
    assert_eq!(messages.len(), 4);
}

#[test]
fn replay_is_limited_to_the_stream_the_event_id_names() {
    let s = start(|c| {
        c.drop_stream_after = Some(1);
        c.step_delay = Duration::from_millis(30);
    });
    let sid = open_session(s.addr);
    let (addr, sid2) = (s.addr, sid.clone());
    let other = std::thread::spawn(move || {
        call_through_cuts(addr, &sid2, &weather_call(7, "Tokyo", "other"))
    });
    let (mine, _) = call_through_cuts(s.addr, &sid, &weather_call(6, "Paris", "mine"));
    let (theirs, _) = other.join().unwrap();
    assert!(
        mine.iter()
            .all(|m| m["params"]["progressToken"] == "mine" || m["id"] == 6),
        "{mine:?}"
    );
    assert!(theirs
        .iter()
        .all(|m| m["params"]["progressToken"] == "other" || m["id"] == 7));
    assert_eq!(
        mine.last().unwrap()["result"]["structuredContent"]["city"],
        "Paris"
    );
}

#[test]
fn another_sessions_event_id_is_refused() {
    let s = start(|c| c.drop_stream_after = Some(1));
    let a = open_session(s.addr);
    let b = open_session(s.addr);
    let r = post(
        s.addr,
        &as_refs(&in_session(&a)),
        &weather_call(1, "Wuhan", "p"),
    );
    let (id, _) = sse_events(&r.body).pop().unwrap();
    let stolen = resume(s.addr, &b, &id);
    assert_eq!(stolen.status, 400);
    assert!(
        resume(s.addr, &a, &id).status == 200,
        "its own session may resume it"
    );
}

#[test]
fn unknown_or_malformed_last_event_id_is_400_with_a_clear_message() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    for bad in ["999-1", "garbage", "-"] {
        let r = resume(s.addr, &sid, bad);
        assert_eq!(r.status, 400, "{bad}");
        assert!(r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("re-send the request"));
    }
}

#[test]
fn finished_stream_expires_after_its_grace_period() {
    let s = start(|c| {
        c.stream_grace = Duration::from_millis(150);
        c.step_delay = Duration::ZERO;
    });
    let sid = open_session(s.addr);
    let r = post(
        s.addr,
        &as_refs(&in_session(&sid)),
        &weather_call(1, "Wuhan", "p"),
    );
    let (first_id, _) = sse_events(&r.body)[1].clone();
    assert_eq!(
        resume(s.addr, &sid, &first_id).status,
        200,
        "within the grace period"
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(resume(s.addr, &sid, &first_id).status, 400, "after it");
}

#[test]
fn client_disconnect_is_not_a_cancellation_the_worker_finishes_into_the_log() {
    let s = start(|c| c.step_delay = Duration::from_millis(150));
    let sid = open_session(s.addr);
    let req = build_post_in(s.addr, &sid, &weather_call(8, "Beijing", "p"));
    let mut live = LiveSse::open(s.addr, &req);
    let (first_id, first) = live.next_message().unwrap();
    assert_eq!(first["params"]["progress"], 1);
    drop(live);
    while s.server.endpoint().running_calls() > 0 {
        std::thread::sleep(Duration::from_millis(20));
    }
    let rest = sse_messages(&resume(s.addr, &sid, &first_id).body);
    let progress: Vec<u64> = rest
        .iter()
        .filter_map(|m| m["params"]["progress"].as_u64())
        .collect();
    assert_eq!(progress, [2, 3]);
    assert_eq!(
        rest.last().unwrap()["result"]["structuredContent"]["city"],
        "Beijing"
    );
}

#[test]
fn hundred_calls_with_random_cuts_all_complete_exactly_once() {
    let mut seed = 0x2545_f491_u64;
    let mut servers = Vec::new();
    for _ in 0..4 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let cut = 1 + (seed >> 33) as usize % 4;
        servers.push(start(move |c| {
            c.drop_stream_after = Some(cut);
            c.step_delay = Duration::from_millis(2);
        }));
    }
    let threads: Vec<_> = servers
        .iter()
        .enumerate()
        .map(|(n, s)| {
            let addr = s.addr;
            std::thread::spawn(move || {
                let sid = open_session(addr);
                for i in 0..25u64 {
                    let id = 1000 * n as u64 + i;
                    let (messages, _) = call_through_cuts(
                        addr,
                        &sid,
                        &weather_call(id, "Shanghai", &format!("t{id}")),
                    );
                    let results = messages
                        .iter()
                        .filter(|m| m.get("result").is_some())
                        .count();
                    let progress: Vec<u64> = messages
                        .iter()
                        .filter_map(|m| m["params"]["progress"].as_u64())
                        .collect();
                    assert_eq!((results, progress), (1, vec![1, 2, 3]), "call {id}");
                    assert_eq!(messages.last().unwrap()["id"], id);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn get_stream_opens_with_priming_and_carries_weather_alerts() {
    let s = start(|c| c.alert_every = Duration::from_millis(50));
    let sid = open_session(s.addr);
    let req = build(
        s.addr,
        "GET",
        &[("Accept", "text/event-stream"), ("Mcp-Session-Id", &sid)],
        "",
    );
    let mut live = LiveSse::open(s.addr, &req);
    assert_eq!(live.status, 200);
    let (priming_id, data) = live.next_data().unwrap();
    assert!(data.is_empty() && priming_id.unwrap().ends_with("-0"));
    let (_, alert) = live.next_message().unwrap();
    assert_eq!(alert["method"], "notifications/message");
    assert!(alert["params"]["data"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Weather alert"));
    assert!(alert.get("id").is_none(), "no responses on the GET stream");
}

/// A second listener of the session (a GET without `Last-Event-ID`) is 409 while the first holds
/// the stream; a *resuming* GET takes it over (see `tests/hostile/sessions.rs`).
#[test]
fn second_get_stream_for_a_session_is_409_until_the_first_closes() {
    let s = start(|c| c.alert_every = Duration::from_millis(20));
    let sid = open_session(s.addr);
    let h = [
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", sid.as_str()),
    ];
    let mut first = LiveSse::open(s.addr, &build(s.addr, "GET", &h, ""));
    assert_eq!(first.status, 200);
    let _ = first.next_message().unwrap();
    assert_eq!(request(s.addr, "GET", &h, "").status, 409);
    drop(first);
    // The server notices the closed connection on its next write (alerts come every 20 ms).
    let mut status = 409;
    for _ in 0..100 {
        let mut again = LiveSse::open(s.addr, &build(s.addr, "GET", &h, ""));
        status = again.status;
        if status == 200 {
            assert!(again.next_data().is_some());
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(status, 200);
}

#[test]
fn get_stream_needs_event_stream_accept_and_a_session() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    assert_eq!(
        request(
            s.addr,
            "GET",
            &[("Accept", "application/json"), ("Mcp-Session-Id", &sid)],
            ""
        )
        .status,
        406
    );
    assert_eq!(
        request(s.addr, "GET", &[("Accept", "text/event-stream")], "").status,
        400
    );
    assert_eq!(
        request(
            s.addr,
            "GET",
            &[("Accept", "text/event-stream"), ("Mcp-Session-Id", "nope")],
            ""
        )
        .status,
        404
    );
}

/// SPEC transports#listening 2: a GET "MUST include an Accept header, listing text/event-stream".
/// The 406 says what a GET accepts (an SSE stream), not the three framings a POST may ask for:
/// a student who followed the POST's list and sent `Accept: application/json` learned nothing.
#[test]
fn a_get_without_event_stream_in_accept_is_told_to_accept_text_event_stream() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    for accept in ["application/json", "application/json, application/x-ndjson"] {
        let r = request(
            s.addr,
            "GET",
            &[("Accept", accept), ("Mcp-Session-Id", &sid)],
            "",
        );
        assert_eq!(r.status, 406, "{accept}");
        assert_eq!(
            r.body,
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"Not Acceptable: a GET is answered only with an SSE stream; Accept must list text/event-stream"}}"#,
            "{accept}"
        );
    }
}

fn elicitation_session(addr: SocketAddr, send_initialized: bool) -> String {
    let init = INIT.replace(
        r#""capabilities":{}"#,
        r#""capabilities":{"elicitation":{}}"#,
    );
    let r = post(addr, &[("Accept", ACCEPT_BOTH)], &init);
    let sid = r.header("mcp-session-id").unwrap().to_string();
    if send_initialized {
        let done = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        assert_eq!(post(addr, &as_refs(&in_session(&sid)), done).status, 202);
    }
    sid
}

/// Call get_weather for "Springfield", answer the question with `answer` (or not at all), and
/// return the question and the call's result.
fn ask_springfield(addr: SocketAddr, sid: &str, answer: Option<Value>) -> (Value, Value) {
    let req = build_post_in(addr, sid, &weather_call(9, "Springfield", "p"));
    let mut live = LiveSse::open(addr, &req);
    let question = loop {
        let (_, m) = live.next_message().expect("a question before the end");
        if m["method"] == "elicitation/create" {
            break m;
        }
    };
    if let Some(result) = answer {
        let reply = json!({"jsonrpc": "2.0", "id": question["id"], "result": result}).to_string();
        let r = post(addr, &as_refs(&in_session(sid)), &reply);
        assert_eq!(
            (r.status, r.body.as_str()),
            (202, ""),
            "the answer is a POST answered 202"
        );
    }
    let mut between = Vec::new();
    let result = loop {
        let (_, m) = live.next_message().expect("a result");
        if m["id"] == 9 {
            break m["result"].clone();
        }
        between.push(m);
    };
    (question, json!({ "result": result, "between": between }))
}

#[test]
fn ambiguous_city_asks_the_client_on_the_call_stream_and_uses_the_answer() {
    let s = start(|_| {});
    let sid = elicitation_session(s.addr, true);
    let chosen = "Springfield, Massachusetts, United States";
    let (question, answer) = ask_springfield(
        s.addr,
        &sid,
        Some(json!({"action": "accept", "content": {"city": chosen}})),
    );
    let result = &answer["result"];
    let choices = &question["params"]["requestedSchema"]["properties"]["city"]["enum"];
    assert!(choices.as_array().unwrap().contains(&json!(chosen)));
    assert_eq!(result["isError"], false);
    assert_eq!(result["structuredContent"]["region"], "Massachusetts");
}

#[test]
fn declined_elicitation_ends_the_call_with_an_error_result() {
    let s = start(|_| {});
    let sid = elicitation_session(s.addr, true);
    let (_, answer) = ask_springfield(s.addr, &sid, Some(json!({"action": "decline"})));
    let result = &answer["result"];
    assert_eq!(result["isError"], true);
    assert!(result["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("declined"));
}

#[test]
fn unanswered_elicitation_times_out_with_an_error_result() {
    let s = start(|c| c.answer_timeout = Duration::from_millis(300));
    let sid = elicitation_session(s.addr, true);
    let (question, answer) = ask_springfield(s.addr, &sid, None);
    let result = &answer["result"];
    assert_eq!(result["isError"], true);
    assert!(result["content"][0]["text"]
        .as_str()
        .unwrap()
        .contains("No answer came"));
    let cancel = &answer["between"][0];
    assert_eq!(
        cancel["method"], "notifications/cancelled",
        "the timed-out request is cancelled"
    );
    assert_eq!(cancel["params"]["requestId"], question["id"]);
}

#[test]
fn no_elicitation_request_is_sent_before_the_client_sent_initialized() {
    let s = start(|_| {});
    let sid = elicitation_session(s.addr, false);
    let r = post(
        s.addr,
        &as_refs(&in_session(&sid)),
        &weather_call(9, "Springfield", "p"),
    );
    let messages = sse_messages(&r.body);
    assert!(messages.iter().all(|m| m["method"] != "elicitation/create"));
    assert_eq!(messages.last().unwrap()["result"]["isError"], true);
}

#[test]
fn a_call_framed_as_one_json_object_cannot_ask_and_answers_at_once() {
    let s = start(|c| c.answer_timeout = Duration::from_secs(30));
    let sid = elicitation_session(s.addr, true);
    let mut h = in_session(&sid);
    h[0].1 = "application/json".into(); // Accept
    let started = std::time::Instant::now();
    let r = post(s.addr, &as_refs(&h), &weather_call(9, "Springfield", "p"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.json()["result"]["isError"],
        true,
        "the candidates, as an error result"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "no 30 s wait for an answer that cannot come"
    );
}

#[test]
fn without_the_elicitation_capability_the_candidates_come_back_as_an_error() {
    let s = start(|_| {});
    let sid = open_session(s.addr);
    let r = post(
        s.addr,
        &as_refs(&in_session(&sid)),
        &weather_call(9, "Springfield", "p"),
    );
    let messages = sse_messages(&r.body);
    assert!(messages.iter().all(|m| m["method"] != "elicitation/create"));
    let text = messages.last().unwrap()["result"]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        text.contains("Illinois") && text.contains("Missouri"),
        "{text}"
    );
}
