//! Framing by `Accept`, the exact SSE bytes, and streaming that really streams.

use crate::support::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn call_with_accept(accept: Option<&str>) -> RawResponse {
    let s = start(|c| c.stateless = true);
    let mut headers = vec![];
    if let Some(a) = accept {
        headers.push(("Accept", a));
    }
    post(s.addr, &headers, &weather_call(1, "Hangzhou", "p"))
}

#[test]
fn accept_with_event_stream_gets_sse_events_with_ids() {
    let r = call_with_accept(Some(ACCEPT_BOTH));
    assert_eq!(r.header("content-type"), Some("text/event-stream"));
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    for event in r.body.split("\n\n").filter(|e| !e.is_empty()) {
        let lines: Vec<&str> = event.lines().collect();
        assert_eq!(lines[0], "event: message", "{event}");
        assert!(lines[1].starts_with("id: "), "{event}");
        assert!(lines[2].starts_with("data: {"), "{event}");
        assert_eq!(lines.len(), 3, "one compact JSON per data line: {event}");
    }
    let messages = sse_messages(&r.body);
    assert!(messages.len() >= 3);
    assert_eq!(messages.last().unwrap()["id"], 1);
}

#[test]
fn sse_event_ids_are_unique_and_name_their_stream() {
    let r = call_with_accept(Some(ACCEPT_BOTH));
    let ids: Vec<&str> = r
        .body
        .lines()
        .filter_map(|l| l.strip_prefix("id: "))
        .collect();
    let stream = ids[0].split('-').next().unwrap();
    assert!(ids.iter().all(|id| id.split('-').next() == Some(stream)));
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
}

#[test]
fn accept_ndjson_gets_one_jsonrpc_message_per_line() {
    let r = call_with_accept(Some("application/x-ndjson"));
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    let messages = ndjson_messages(&r.body);
    assert!(messages.len() >= 3);
    for m in &messages {
        assert_eq!(m["jsonrpc"], "2.0");
    }
    assert_eq!(messages.last().unwrap()["result"]["isError"], false);
}

#[test]
fn accept_json_only_gets_the_single_final_response() {
    let r = call_with_accept(Some("application/json"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.json()["id"], 1);
    assert!(r.json()["result"]["structuredContent"].is_object());
}

#[test]
fn wildcard_or_missing_accept_streams_ndjson_so_plain_curl_shows_lines() {
    for accept in [Some("*/*"), None] {
        let r = call_with_accept(accept);
        assert_eq!(
            r.header("content-type"),
            Some("application/x-ndjson"),
            "{accept:?}"
        );
        assert!(ndjson_messages(&r.body).len() >= 3);
    }
}

#[test]
fn accept_allowing_no_framing_we_produce_is_406() {
    let r = call_with_accept(Some("text/html"));
    assert_eq!(r.status, 406);
    assert_eq!(r.json()["error"]["code"], TRANSPORT_ERROR);
    // A POST may ask for any of the three framings, so its 406 names all three (a GET's names
    // only SSE: `streams::a_get_without_event_stream_in_accept_is_told_to_accept_text_event_stream`).
    assert_eq!(
        r.json()["error"]["message"],
        "Not Acceptable: Accept must allow application/json, text/event-stream or application/x-ndjson"
    );
}

#[test]
fn repeated_accept_lines_are_combined_as_one_list() {
    let s = start(|c| c.stateless = true);
    let h = [
        ("Accept", "application/x-ndjson"),
        ("Accept", "text/event-stream"),
    ];
    let r = post(s.addr, &h, &weather_call(1, "Wuhan", "p"));
    assert_eq!(
        r.header("content-type"),
        Some("text/event-stream"),
        "SSE wins once both are seen"
    );
}

#[test]
fn methods_with_nothing_to_stream_answer_application_json() {
    let s = start(|_| {});
    let r = post(s.addr, &[("Accept", ACCEPT_BOTH)], INIT);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.header("transfer-encoding").is_none());
}

/// The exact bytes: head, then each event in its own chunk, then the last chunk.
#[test]
fn raw_sse_bytes_are_exactly_chunk_framed_events() {
    let s = start(|c| {
        c.stateless = true;
        c.step_delay = Duration::ZERO;
    });
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_weather","arguments":{"city":"Wuhan"}}}"#;
    let r = post(s.addr, &[("Accept", "text/event-stream")], body);
    let data = sse_messages(&r.body)[0].to_string();
    let event = format!("event: message\nid: 1-1\ndata: {data}\n\n");
    let expected = format!("{:x}\r\n{event}\r\n0\r\n\r\n", event.len());
    assert_eq!(String::from_utf8_lossy(&r.raw_body), expected);
    assert_eq!(r.header("cache-control"), Some("no-cache"));
}

/// Read an SSE response line by line, noting when each `data:` line arrived.
fn timed_data_lines(addr: std::net::SocketAddr, request: &str) -> Vec<(Duration, String)> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(request.as_bytes()).unwrap();
    let mut reader = BufReader::new(stream);
    let mut out = Vec::new();
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap() > 0 {
        if let Some(d) = line.trim_end().strip_prefix("data: ") {
            out.push((started.elapsed(), d.to_string()));
        }
        if line.starts_with("0\r\n") {
            break;
        }
        line.clear();
    }
    out
}

/// tiny_http's `Response` would buffer 8 KiB and deliver everything at the end; ours must not.
#[test]
fn first_progress_event_arrives_a_full_step_before_the_result() {
    let step = Duration::from_millis(400);
    let s = start(|c| {
        c.stateless = true;
        c.step_delay = step;
    });
    let req = build(
        s.addr,
        "POST",
        &[
            ("Content-Type", "application/json"),
            ("Accept", "text/event-stream"),
        ],
        &weather_call(1, "Hangzhou", "p"),
    );
    let lines = timed_data_lines(s.addr, &req);
    let first = lines.first().unwrap();
    let result = lines.last().unwrap();
    assert!(first.1.contains("notifications/progress"));
    assert!(result.1.contains("\"result\""));
    assert!(
        result.0 - first.0 >= step,
        "progress at {:?}, result at {:?}",
        first.0,
        result.0
    );
}

#[test]
fn twenty_four_concurrent_streaming_calls_all_complete() {
    let s = start(|c| c.step_delay = Duration::from_millis(100));
    let sid = open_session(s.addr);
    let cities = ["Hangzhou", "Beijing", "Wuhan", "Shanghai", "Tokyo", "Paris"];
    let handles: Vec<_> = (0..24)
        .map(|i| {
            let addr = s.addr;
            let sid = sid.clone();
            let city = cities[i % cities.len()];
            std::thread::spawn(move || {
                let body = weather_call(100 + i as u64, city, &format!("tok-{i}"));
                let r = post_in(addr, &sid, &body);
                (i, city, sse_messages(&r.body))
            })
        })
        .collect();
    for h in handles {
        let (i, city, messages) = h.join().unwrap();
        let last = messages.last().unwrap();
        assert_eq!(last["id"], 100 + i as u64);
        assert_eq!(last["result"]["structuredContent"]["city"], city);
        let progress = messages
            .iter()
            .filter(|m| m["method"] == "notifications/progress");
        assert!(progress.clone().count() >= 2);
        assert!(progress
            .into_iter()
            .all(|p| p["params"]["progressToken"] == format!("tok-{i}")));
    }
}

/// A client that leaves mid-stream is noticed on the next write (heartbeats keep writes coming),
/// and its worker stops instead of running to the end.
#[test]
fn worker_stops_within_two_seconds_after_client_disconnects() {
    let s = start(|c| {
        c.stateless = true;
        c.step_delay = Duration::from_secs(10);
    });
    let mut stream = TcpStream::connect(s.addr).unwrap();
    let req = build(
        s.addr,
        "POST",
        &[
            ("Content-Type", "application/json"),
            ("Accept", "text/event-stream"),
        ],
        &weather_call(1, "Hangzhou", "p"),
    );
    stream.write_all(req.as_bytes()).unwrap();
    let mut first = [0u8; 64];
    let _ = stream.read(&mut first).unwrap();
    assert_eq!(s.server.endpoint().running_calls(), 1);
    drop(stream);
    let left = Instant::now();
    while s.server.endpoint().running_calls() > 0 && left.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(s.server.endpoint().running_calls(), 0);
    assert!(
        left.elapsed() < Duration::from_secs(2),
        "took {:?}",
        left.elapsed()
    );
}

#[test]
fn quiet_streams_get_heartbeats() {
    let s = start(|c| {
        c.stateless = true;
        c.step_delay = Duration::from_millis(700);
        c.heartbeat = Duration::from_millis(200);
    });
    let r = post(
        s.addr,
        &[("Accept", "text/event-stream")],
        &weather_call(1, "Hangzhou", "p"),
    );
    assert!(r.body.contains(": ping\n\n"));
    let r = post(
        s.addr,
        &[("Accept", "application/x-ndjson")],
        &weather_call(1, "Hangzhou", "p"),
    );
    assert!(r.body.contains("\n\n"), "an empty NDJSON line");
}
