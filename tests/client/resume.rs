//! Streams that outlive their connections, from the client's side: a call whose SSE stream is cut
//! before its response is resumed with GET + `Last-Event-ID`, as often as it takes, and shows
//! every message exactly once (MCP 2025-11-25 `basic/transports` §Resumability and Redelivery).
//!
//! The first half runs against our own server, which cuts every streamed response after N events
//! when told to (`drop_stream_after`, the `--drop-stream-after` teaching device); the second half
//! against the scripted fake of `fake.rs`, for the exact headers and the bad cases.

use crate::fake::{fake, json_answer, legacy, lifecycle, open_ended, quick, Answer, Fake, Seen};
use crate::support::start;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use streamable_mcp::client::{CallResult, ClientError, Incoming, McpClient, Options};
use streamable_mcp::jsonrpc::INVALID_REQUEST;

/// What one call showed: the progress numbers and the moment each arrived, the resumes, and the
/// result.
struct Call {
    progress: Vec<(f64, Instant)>,
    resumed: Vec<String>,
    result: CallResult,
}

fn call(client: &mut McpClient, city: &str) -> Call {
    let (mut progress, mut resumed) = (Vec::new(), Vec::new());
    let result = client
        .call_tool(
            "get_weather",
            json!({ "city": city }),
            &mut |event| match event {
                Incoming::Progress(p) => progress.push((p.progress, Instant::now())),
                Incoming::Resumed { last_event_id, .. } => resumed.push(last_event_id.clone()),
                _ => {}
            },
        )
        .unwrap_or_else(|e| panic!("get_weather {city}: {e}"));
    Call {
        progress,
        resumed,
        result,
    }
}

fn numbers(seen: &Call) -> Vec<f64> {
    seen.progress.iter().map(|(n, _)| *n).collect()
}

/// A client whose trace counts the JSON-RPC messages it was shown, by kind.
fn traced_client(url: &str) -> (McpClient, Arc<Mutex<Vec<Value>>>) {
    let mut client = McpClient::new(url, legacy());
    let log = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&log);
    client.set_trace(Box::new(move |m: &Value| {
        sink.lock().unwrap().push(m.clone())
    }));
    client.initialize().unwrap();
    (client, log)
}

/// SPEC transports#resumability: the client resumes with GET + Last-Event-ID, and the server
/// replays "after the last event ID": cut after every event, or after two, the call completes
/// with progress 1, 2, 3 each shown once, then the result; one connection per cut.
#[test]
fn a_call_whose_stream_is_cut_completes_with_each_message_exactly_once() {
    // (events per response, resumes expected): 4 events = progress 1, 2, 3 and the result.
    for (cut_after, resumes) in [(1, 3), (2, 1)] {
        let server = start(|c| {
            c.drop_stream_after = Some(cut_after);
            c.retry = Duration::from_millis(10);
        });
        let (mut client, trace) = traced_client(&server.url());
        let seen = call(&mut client, "Hangzhou");
        assert_eq!(numbers(&seen), [1.0, 2.0, 3.0], "cut after {cut_after}");
        assert!(
            seen.result.text.starts_with("Hangzhou, Zhejiang"),
            "{}",
            seen.result.text
        );
        assert_eq!(
            client.resumes(),
            resumes,
            "cut after {cut_after}: connections - 1"
        );
        assert_eq!(seen.resumed.len() as u64, resumes);
        let trace = trace.lock().unwrap();
        let progress = trace
            .iter()
            .filter(|m| m["method"] == "notifications/progress");
        assert_eq!(progress.count(), 3, "{trace:?}");
        let responses = trace.iter().filter(|m| m["id"] == 2);
        assert_eq!(responses.count(), 1, "{trace:?}");
    }
}

/// SPEC transports#sending-messages 6: "The client MUST respect the retry field, waiting the
/// given number of milliseconds before attempting to reconnect." The server says 300 ms: the
/// event after the cut comes at least that much later, and the call takes that much longer than
/// one without cuts (less than our own 1000 ms default, so it is the server's value at work).
#[test]
fn the_servers_retry_is_waited_before_reconnecting() {
    let retry = Duration::from_millis(300);
    let timed = |cut: Option<usize>| {
        let server = start(|c| {
            c.step_delay = Duration::ZERO;
            c.retry = retry;
            c.drop_stream_after = cut;
        });
        let mut client = McpClient::connect(&server.url(), legacy()).unwrap();
        let started = Instant::now();
        let seen = call(&mut client, "Hangzhou");
        (started.elapsed(), seen)
    };
    let (plain, _) = timed(None);
    let (with_cut, seen) = timed(Some(2));
    assert_eq!(seen.resumed.len(), 1);
    let gap = seen.progress[2].1 - seen.progress[1].1;
    assert!(gap >= retry, "progress 3 came {gap:?} after progress 2");
    assert!(
        gap < Duration::from_millis(900),
        "the server's retry, not ours: {gap:?}"
    );
    assert!(
        with_cut >= plain + Duration::from_millis(250),
        "with a cut {with_cut:?}, without {plain:?}"
    );
}

/// Our server answers 400 when the events after Last-Event-ID fell out of its log (here it keeps
/// one event): the typed error, after one GET that got nothing.
#[test]
fn a_resume_after_the_server_dropped_the_events_is_refused_at_once() {
    let server = start(|c| {
        c.step_delay = Duration::ZERO;
        c.max_stream_events = 1;
        c.drop_stream_after = Some(1);
        c.retry = Duration::from_millis(100); // time for the tool to finish, and the log to forget
    });
    let mut client = McpClient::connect(&server.url(), legacy()).unwrap();
    let err = client
        .call_tool("get_weather", json!({"city": "Hangzhou"}), &mut |_| {})
        .unwrap_err();
    match &err {
        ClientError::ResumeFailed { cause, .. }
            if matches!(**cause, ClientError::Http { status: 400, .. }) =>
        {
            assert!(cause.to_string().contains("dropped"), "{cause}")
        }
        other => panic!("expected ResumeFailed with an HTTP 400, got {other:?}"),
    }
    assert_eq!(client.resumes(), 0);
}

/// Robustness: twenty calls in a row, each cut after every event, all complete, in order, with
/// the right city each time.
#[test]
fn twenty_calls_through_cut_streams_all_complete() {
    let server = start(|c| {
        c.step_delay = Duration::from_millis(2);
        c.drop_stream_after = Some(1);
        c.retry = Duration::from_millis(5);
    });
    let mut client = McpClient::connect(&server.url(), legacy()).unwrap();
    let cities = ["Hangzhou", "Beijing", "Wuhan", "Zürich"];
    for n in 0..20 {
        let city = cities[n % cities.len()];
        let seen = call(&mut client, city);
        assert_eq!(numbers(&seen), [1.0, 2.0, 3.0], "call {n}");
        assert_eq!(
            seen.result.structured.as_ref().unwrap()["city"],
            city,
            "call {n}"
        );
    }
    assert_eq!(client.resumes(), 60, "three cuts per call");
}

/// An SSE answer that ends before the response: priming event `s-0` (retry 20 ms), one progress
/// event `s-1`, then the end of the body. What a GET with `Last-Event-ID` gets is up to `resumed`.
fn cut_after_one_event(resumed: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Fake {
    fake(move |seen| {
        if seen.http_method == "GET" {
            return resumed(seen);
        }
        lifecycle(seen).unwrap_or_else(|| {
            let progress = json!({"jsonrpc":"2.0","method":"notifications/progress",
                "params":{"progressToken":seen.body["params"]["_meta"]["progressToken"],"progress":1}});
            Answer::Close(open_ended(
                "text/event-stream",
                &format!("id: s-0\nretry: 20\ndata: \n\nid: s-1\ndata: {progress}\n\n"),
            ))
        })
    })
}

fn gets(server: &Fake) -> Vec<Seen> {
    let seen = server.seen();
    seen.into_iter()
        .filter(|s| s.http_method == "GET")
        .collect()
}

/// The rest of the call: the response to request id 2 (initialize is 1), as event `s-2`.
fn rest_of_the_call() -> Answer {
    let result =
        json!({"jsonrpc":"2.0","id":2,"result":{"content":[{"type":"text","text":"done"}]}});
    Answer::Close(open_ended(
        "text/event-stream",
        &format!("id: s-2\ndata: {result}\n\n"),
    ))
}

/// SPEC transports#resumability: "If the client wishes to resume after a broken connection, it
/// SHOULD issue an HTTP GET to the MCP endpoint, and include the Last-Event-ID header to indicate
/// the last event ID it received." With the session's headers, and only SSE accepted.
#[test]
fn a_cut_sse_stream_is_resumed_with_a_get_carrying_last_event_id_and_the_session() {
    let server = cut_after_one_event(|_| rest_of_the_call());
    let options = Options {
        bearer_token: Some("t0k".into()),
        ..quick()
    };
    let mut client = McpClient::connect(&server.url(), options).unwrap();
    let mut events = Vec::new();
    let result = client
        .call_tool("t", json!({}), &mut |e| events.push(e.clone()))
        .unwrap();
    assert_eq!(result.text, "done");
    assert_eq!(client.resumes(), 1);
    assert!(
        matches!(&events[1], Incoming::Resumed { last_event_id, .. } if last_event_id == "s-1")
    );
    let gets = gets(&server);
    assert_eq!(gets.len(), 1, "{gets:?}");
    assert_eq!(gets[0].header("last-event-id"), Some("s-1"));
    assert_eq!(gets[0].header("accept"), Some("text/event-stream"));
    assert_eq!(gets[0].header("mcp-session-id"), Some("fake-1"));
    assert_eq!(gets[0].header("mcp-protocol-version"), Some("2025-11-25"));
    assert_eq!(gets[0].header("authorization"), Some("Bearer t0k"));
    assert_eq!(client.resume_point().last_event_id.as_deref(), Some("s-2"));
}

/// SPEC transports#resumability: the server replays "after the last event ID". A server that
/// replays one event too many must not make the client show it twice.
#[test]
fn an_event_replayed_on_resume_is_shown_once() {
    let server = cut_after_one_event(|seen| {
        let token = "progress-1";
        let again = json!({"jsonrpc":"2.0","method":"notifications/progress",
            "params":{"progressToken":token,"progress":1}});
        let result = json!({"jsonrpc":"2.0","id":2,"result":{"content":[]}});
        assert_eq!(seen.header("last-event-id"), Some("s-1"));
        Answer::Close(open_ended(
            "text/event-stream",
            &format!("id: s-1\ndata: {again}\n\nid: s-2\ndata: {result}\n\n"),
        ))
    });
    let mut client = McpClient::new(&server.url(), quick());
    let traced = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&traced);
    client.set_trace(Box::new(move |m: &Value| {
        if m["method"] == "notifications/progress" {
            *counter.lock().unwrap() += 1;
        }
    }));
    client.initialize().unwrap();
    let mut progress = 0;
    client
        .call_tool("t", json!({}), &mut |e| {
            if matches!(e, Incoming::Progress(_)) {
                progress += 1;
            }
        })
        .unwrap();
    assert_eq!(progress, 1);
    assert_eq!(
        *traced.lock().unwrap(),
        1,
        "the trace (--json) sees it once too"
    );
}

/// Our server answers 400 when the events after `Last-Event-ID` are gone (docs/streams.md). That
/// is a "no" about this stream: the typed error, at once, after exactly one GET.
#[test]
fn a_400_to_the_resuming_get_is_resume_refused_without_a_second_try() {
    let server = cut_after_one_event(|_| {
        let body = json!({"jsonrpc":"2.0","id":null,"error":{
            "code":INVALID_REQUEST,"message":"names no stream of this session"}});
        Answer::Close(json_answer(400, "", &body.to_string()))
    });
    let mut client = McpClient::connect(&server.url(), quick()).unwrap();
    let started = Instant::now();
    let err = client.call_tool("t", json!({}), &mut |_| {}).unwrap_err();
    let ClientError::ResumeFailed {
        last_event_id,
        cause,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(last_event_id, "s-1");
    let ClientError::Http {
        status: 400,
        error: Some(e),
        ..
    } = *cause
    else {
        panic!("{cause:?}")
    };
    assert_eq!(e.message, "names no stream of this session");
    assert_eq!(gets(&server).len(), 1);
    assert!(started.elapsed() < Duration::from_secs(2), "no retry loop");
    assert_eq!(client.resumes(), 0);
}

/// A 5xx is the server's trouble, not the stream's: the next attempt, after the retry, may work.
#[test]
fn a_5xx_to_the_resuming_get_is_tried_again() {
    let tries = Arc::new(Mutex::new(0));
    let counter = Arc::clone(&tries);
    let server = cut_after_one_event(move |_| {
        let mut n = counter.lock().unwrap();
        *n += 1;
        if *n == 1 {
            Answer::Close(json_answer(503, "", ""))
        } else {
            rest_of_the_call()
        }
    });
    let mut client = McpClient::connect(&server.url(), quick()).unwrap();
    let result = client.call_tool("t", json!({}), &mut |_| {}).unwrap();
    assert_eq!(result.text, "done");
    assert_eq!(gets(&server).len(), 2);
    assert_eq!(client.resumes(), 1, "only the GET that got a stream counts");
}

/// Bounded: five reconnections in a row without a new event, each after the server's retry
/// (20 ms), then the typed error with the last failure inside.
#[test]
fn resuming_gives_up_after_five_attempts_in_a_row_without_a_new_event() {
    let server = cut_after_one_event(|_| Answer::Close(open_ended("text/event-stream", "")));
    let mut client = McpClient::connect(&server.url(), quick()).unwrap();
    let started = Instant::now();
    let err = client.call_tool("t", json!({}), &mut |_| {}).unwrap_err();
    let waited = started.elapsed();
    let ClientError::ResumeFailed {
        last_event_id,
        cause,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(last_event_id, "s-1");
    assert!(matches!(*cause, ClientError::StreamEnded { .. }));
    assert_eq!(gets(&server).len(), 5, "five attempts");
    assert!(
        waited >= Duration::from_millis(100),
        "5 × retry: {waited:?}"
    );
}

/// NDJSON has no event ids, and neither has an SSE stream that sends none: there is nothing to
/// resume from, so the cut stays an error, and no GET is made.
#[test]
fn a_stream_without_event_ids_that_ends_early_is_stream_ended_without_a_get() {
    for (content_type, body) in [
        (
            "application/x-ndjson",
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n",
        ),
        (
            "text/event-stream",
            "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\"}\n\n",
        ),
    ] {
        let server = fake(move |seen| {
            lifecycle(seen).unwrap_or_else(|| Answer::Close(open_ended(content_type, body)))
        });
        let mut client = McpClient::connect(&server.url(), quick()).unwrap();
        let err = client.call_tool("t", json!({}), &mut |_| {}).unwrap_err();
        assert_eq!(
            err,
            ClientError::StreamEnded {
                last_event_id: None
            }
        );
        assert!(err
            .to_string()
            .starts_with("stream ended before the response"));
        assert!(gets(&server).is_empty(), "{content_type}");
    }
}
