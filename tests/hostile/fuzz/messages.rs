//! Properties of the message layers: `jsonrpc` parsing, `dispatch` (and the tools it runs), and
//! the whole `Endpoint` on arbitrary bodies and headers.

use super::{accepted_message, corpus, exact_numbers, guarded, iterations, seed, variant, Rng};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::time::Duration;
use streamable_mcp::jsonrpc::{self, Message, RequestId};
use streamable_mcp::mcp::dispatch::{dispatch, Outcome};
use streamable_mcp::mcp::tools::{Context, NoAnswer, Outbox, Stop};
use streamable_mcp::server::action::Action;
use streamable_mcp::server::config::Config;
use streamable_mcp::server::endpoint::Endpoint;
use streamable_mcp::server::rejection::Rejection;
use streamable_mcp::server::request::{BodyLength, HttpVersion, RequestHead};
use streamable_mcp::server::response::Whole;
use streamable_mcp::weather::CATALOG as WEATHER;
use streamable_mcp::wire;

#[test]
fn jsonrpc_parse_never_panics_and_what_it_accepts_round_trips() {
    let mut rng = Rng::new(seed());
    let seeds = corpus("jsonrpc");
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..iterations() {
        let input = variant(&mut rng, &seeds);
        guarded("parse", i, &input, || match jsonrpc::parse(&input) {
            Ok(m) => {
                accepted += 1;
                let line = m.to_line();
                assert!(!line.contains('\n'), "one line: {line}");
                assert_eq!(jsonrpc::classify(m.to_json()), Ok(m.clone()));
                if exact_numbers(&m.to_json()) {
                    assert_eq!(jsonrpc::parse(line.as_bytes()), Ok(m));
                }
            }
            Err(e) => {
                refused += 1;
                let code = e.to_error_object().code;
                assert!(
                    code == jsonrpc::PARSE_ERROR || code == jsonrpc::INVALID_REQUEST,
                    "{code}"
                );
                let answer = Rejection::BadMessage(e.clone()).to_response(None);
                assert_eq!(answer.status, 400);
                let Ok(Message::Error { id, .. }) = jsonrpc::parse(&answer.body) else {
                    panic!("the refusal is not an error response: {answer:?}");
                };
                assert_eq!(id, e.id(), "the refusal echoes the id it could read");
            }
        });
    }
    // Both sides of the parser were explored, or the mutator is broken.
    eprintln!("parse: {accepted} accepted, {refused} refused");
    let n = iterations() / 20;
    assert!(
        accepted >= n && refused >= n,
        "accepted {accepted}, refused {refused}"
    );
}

/// An outbox that records what a tool sends and answers questions as told.
struct Recorder {
    sent: RefCell<Vec<Message>>,
    answer: Option<Value>,
}

impl Outbox for Recorder {
    fn send(&self, message: Message) -> Result<(), Stop> {
        self.sent.borrow_mut().push(message);
        Ok(())
    }
    fn pause(&self, _: Duration) -> Result<(), Stop> {
        Ok(())
    }
    fn ask(&self, _: &str, _: Value, _: Duration) -> Result<Message, NoAnswer> {
        match &self.answer {
            Some(result) => Ok(Message::result(
                RequestId::String("srv-1".into()),
                result.clone(),
            )),
            None => Err(NoAnswer::TimedOut),
        }
    }
}

#[test]
fn dispatch_never_panics_and_every_call_ends_with_one_response() {
    let mut rng = Rng::new(seed() ^ 1);
    let answers = [
        None,
        Some(
            json!({"action": "accept", "content": {"city": "Springfield, Illinois, United States"}}),
        ),
        Some(json!({"action": "decline"})),
        Some(json!({"action": "accept", "content": {"city": 5}})),
        Some(json!([])),
    ];
    let (mut calls, mut replies) = (0, 0);
    let seeds = corpus("jsonrpc");
    for i in 0..iterations() {
        let m = accepted_message(&mut rng, &seeds);
        let input = m.to_line();
        let page_size = rng.below(4);
        let answer = rng.pick(&answers).clone();
        let can_elicit = rng.below(2) == 0;
        guarded("dispatch", i, input.as_bytes(), || {
            match (dispatch(m.clone(), &WEATHER, page_size), &m) {
                (Outcome::Reply(reply), Message::Request { id, .. }) => {
                    replies += 1;
                    match &reply {
                        Message::Response { id: rid, .. } => assert_eq!(rid, id),
                        Message::Error { id: rid, .. } => assert_eq!(rid.as_ref(), Some(id)),
                        other => panic!("a reply that is no response: {other:?}"),
                    }
                    assert_eq!(jsonrpc::parse(reply.to_line().as_bytes()), Ok(reply));
                }
                (
                    Outcome::Initialize {
                        reply,
                        protocol_version,
                        ..
                    },
                    _,
                ) => {
                    assert!(wire::is_supported_version(protocol_version));
                    assert_eq!(
                        reply.to_json()["result"]["protocolVersion"],
                        protocol_version
                    );
                }
                (Outcome::Call { id, call }, _) => {
                    calls += 1;
                    let outbox = Recorder {
                        sent: RefCell::new(Vec::new()),
                        answer,
                    };
                    let cx = Context {
                        progress_token: call.progress_token.clone(),
                        step_delay: Duration::ZERO,
                        can_elicit,
                        can_sample: can_elicit,
                        undeclared_is_refused: false,
                        answer_timeout: Duration::ZERO,
                        outbox: &outbox,
                    };
                    let Ok(Message::Response { id: rid, result }) = call.run(id.clone(), &cx)
                    else {
                        panic!("a call that was not stopped must end with a result");
                    };
                    assert_eq!(rid, id);
                    assert!(
                        result["content"].is_array() && result["isError"].is_boolean(),
                        "{result}"
                    );
                    let progress: Vec<f64> = outbox
                        .sent
                        .borrow()
                        .iter()
                        .filter_map(|s| s.to_json()["params"]["progress"].as_f64())
                        .collect();
                    assert!(
                        progress.windows(2).all(|w| w[0] < w[1]),
                        "progress must increase: {progress:?}"
                    );
                    assert!(call.progress_token.is_some() || progress.is_empty());
                }
                (Outcome::Reply(_), _) => panic!("a reply to something that is not a request"),
                _ => {}
            }
        });
    }
    eprintln!("dispatch: {calls} calls run, {replies} replies");
    assert!(calls > 0 && replies > 0, "calls {calls}, replies {replies}");
}

#[test]
fn endpoint_never_panics_and_every_refusal_has_a_status_from_the_table() {
    let mut rng = Rng::new(seed() ^ 2);
    let seeds = corpus("jsonrpc");
    let accepts = corpus("accept");
    let endpoint = Endpoint::new(Config::new(&WEATHER));
    let init = br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}"#;
    let head = |headers: Vec<(&str, String)>, body: &[u8]| RequestHead {
        method: "POST".into(),
        path: "/mcp".into(),
        query: String::new(),
        version: HttpVersion::Http11,
        headers: headers
            .into_iter()
            .map(|(n, v)| (n.to_string(), v))
            .chain([("Host".to_string(), "127.0.0.1".to_string())])
            .collect(),
        body: BodyLength::Declared(body.len()),
    };
    let json = vec![("Content-Type", "application/json".to_string())];
    let sid = match endpoint.handle(&head(json, init), &mut &init[..]) {
        Action::Send(Whole { headers, .. }) if !headers.is_empty() => headers[0].1.clone(),
        other => panic!("no session: {other:?}"),
    };
    // Every status the endpoint may answer: success, or a row of the refusal table.
    let table = [
        200, 202, 400, 401, 403, 404, 405, 406, 409, 411, 413, 415, 500, 503,
    ];
    for i in 0..iterations() {
        let body = variant(&mut rng, &seeds);
        let accept = String::from_utf8_lossy(&variant(&mut rng, &accepts)).into_owned();
        let mut headers = vec![
            ("Content-Type", "application/json".to_string()),
            ("Accept", accept),
        ];
        let session = [sid.clone(), sid.to_uppercase(), String::new(), "x".into()];
        for _ in 0..rng.below(3) {
            headers.push(("Mcp-Session-Id", rng.pick(&session).clone()));
        }
        let versions = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", ""];
        for _ in 0..rng.below(3) {
            headers.push(("MCP-Protocol-Version", rng.pick(&versions).to_string()));
        }
        let mut head = head(headers, &body);
        if rng.below(8) == 0 {
            head.version = HttpVersion::Http10;
        }
        guarded("endpoint", i, &body, || {
            if let Action::Send(answer) = endpoint.handle(&head, &mut &body[..]) {
                assert!(table.contains(&answer.status), "{answer:?}");
                if answer.status >= 400 {
                    assert!(matches!(
                        jsonrpc::parse(&answer.body),
                        Ok(Message::Error { .. })
                    ));
                }
            }
            // Last-Event-ID of every shape, on this session. (`<stream>-18446744073709551615` is
            // left out: it is a known bug, see hostile's sessions module.)
            let seq = rng.next() % u64::MAX;
            let ids = [
                format!("{}-{}", rng.below(4), seq),
                format!("{}-{}", rng.below(4), rng.below(6)),
                String::from_utf8_lossy(&body).into_owned(),
            ];
            let mut headers = vec![
                ("Accept".into(), "text/event-stream".into()),
                ("Mcp-Session-Id".into(), sid.clone()),
            ];
            if rng.below(4) > 0 {
                headers.push(("Last-Event-ID".into(), rng.pick(&ids).clone()));
            }
            headers.push(("Host".into(), "127.0.0.1".into()));
            let get = RequestHead {
                method: "GET".into(),
                headers,
                body: BodyLength::None,
                ..head.clone()
            };
            if let Action::Send(refusal) = endpoint.handle(&get, &mut std::io::empty()) {
                assert!(table.contains(&refusal.status), "{refusal:?}");
            }
        });
    }
}

/// serde_json parses floats "best effort" unless its `float_roundtrip` feature is on: about a
/// third of all doubles written in shortest form come back one ulp off. A tool argument such as
/// `9007199254740993.0` reaches the tool as ...994 instead of the correctly rounded ...992.
#[test]
fn a_float_argument_is_read_as_a_correctly_rounded_parse_would_read_it() {
    for text in [
        "1.1844674407370955e+20",
        "9007199254740993.0",
        "5.448184794357964e-29",
    ] {
        let body = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"get_weather","arguments":{{"v":{text}}}}}}}"#
        );
        let Ok(Message::Request {
            params: Some(params),
            ..
        }) = jsonrpc::parse(body.as_bytes())
        else {
            panic!("not a request");
        };
        let read = params["arguments"]["v"].as_f64().unwrap();
        assert_eq!(read, text.parse::<f64>().unwrap(), "{text}");
    }
}
