//! The server asks, the client answers: `elicitation/create` in the middle of a call (MCP
//! 2025-11-25 `client/elicitation`, form mode).
//!
//! Against our own server: `get_weather` for "Springfield" matches three cities, and asks which
//! one, but only a client that declared the `elicitation` capability (and sent
//! `notifications/initialized`). Against the fake of `fake.rs`: the exact bytes the
//! client declares and answers.

use crate::fake::{accepted, fake, legacy, lifecycle, open_ended, quick, Answer};
use crate::support::start;
use serde_json::{json, Map, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use streamable_mcp::client::{CallResult, ElicitAnswer, ElicitRequest, Incoming, McpClient};
use streamable_mcp::jsonrpc::INVALID_PARAMS;

const ILLINOIS: &str = "Springfield, Illinois, United States";
const MISSOURI: &str = "Springfield, Missouri, United States";

/// Call get_weather for Springfield with `answer` as the handler's reply (`None`: no handler).
/// Returns the result, the questions the handler saw, and the server requests shown to on_event.
fn springfield(
    server_url: &str,
    answer: Option<ElicitAnswer>,
) -> (CallResult, Vec<ElicitRequest>, Vec<String>) {
    let mut client = McpClient::new(server_url, legacy());
    let questions = Arc::new(Mutex::new(Vec::new()));
    if let Some(answer) = answer {
        let log = Arc::clone(&questions);
        client.set_elicitation(Box::new(move |question: &ElicitRequest| {
            log.lock().unwrap().push(question.clone());
            answer.clone()
        }));
    }
    client.initialize().unwrap();
    let mut requests = Vec::new();
    let result = client
        .call_tool("get_weather", json!({"city": "Springfield"}), &mut |e| {
            if let Incoming::Request { method, .. } = e {
                requests.push(method.clone());
            }
        })
        .unwrap();
    let questions = questions.lock().unwrap().clone();
    (result, questions, requests)
}

fn choose(city: &str) -> ElicitAnswer {
    let mut content = Map::new();
    content.insert("city".into(), json!(city));
    ElicitAnswer::Accept(content)
}

/// SPEC elicitation: the answer's action is "accept", with content matching requestedSchema. The
/// question shows the three candidates; choosing one finishes the call for that city.
#[test]
fn an_accepted_choice_finishes_the_call_for_the_chosen_city() {
    let server = start(|_| {});
    let (result, questions, requests) = springfield(&server.url(), Some(choose(MISSOURI)));
    assert!(!result.is_error, "{}", result.text);
    assert!(result.text.starts_with(MISSOURI), "{}", result.text);
    assert_eq!(requests, ["elicitation/create"]);
    assert_eq!(questions.len(), 1);
    let properties = questions[0].requested_schema["properties"].as_object();
    let (name, field) = properties.and_then(|p| p.iter().next()).expect("one field");
    assert_eq!(name, "city");
    let choices: Vec<&str> = field["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(choices.len(), 3, "{choices:?}");
    assert!(choices.contains(&ILLINOIS) && choices.contains(&MISSOURI));
}

/// SPEC elicitation: "decline" and "cancel" are answers too; our tool then ends with isError.
#[test]
fn a_declined_or_cancelled_question_ends_the_call_with_is_error() {
    let server = start(|_| {});
    for (answer, words) in [
        (ElicitAnswer::Decline, "declined"),
        (ElicitAnswer::Cancel, "cancelled"),
    ] {
        let (result, questions, _) = springfield(&server.url(), Some(answer));
        assert_eq!(questions.len(), 1);
        assert!(result.is_error, "{}", result.text);
        assert!(result.text.contains(words), "{}", result.text);
    }
}

/// Capabilities are promises: without a handler the client does not declare `elicitation`, so
/// the server does not ask, and gives the candidates in an isError result instead.
#[test]
fn without_a_handler_no_question_is_asked_and_the_candidates_come_as_is_error() {
    let server = start(|_| {});
    let (result, _, requests) = springfield(&server.url(), None);
    assert!(requests.is_empty(), "{requests:?}");
    assert!(result.is_error);
    assert!(result.text.contains("ambiguous"), "{}", result.text);
    assert!(
        result.text.contains(ILLINOIS) && result.text.contains(MISSOURI),
        "{}",
        result.text
    );
}

/// The question is the call's second event: cut right after it, the answer is still sent once,
/// the call resumes, and the handler is not asked again when the stream is picked up.
#[test]
fn a_question_on_a_stream_that_is_cut_is_answered_once_and_the_call_completes() {
    let server = start(|c| {
        c.drop_stream_after = Some(2);
        c.retry = Duration::from_millis(10);
    });
    let (result, questions, requests) = springfield(&server.url(), Some(choose(ILLINOIS)));
    assert!(result.text.starts_with(ILLINOIS), "{}", result.text);
    assert_eq!(questions.len(), 1);
    assert_eq!(requests, ["elicitation/create"]);
}

/// The exact bytes: `initialize` declares `{"elicitation": {}}` only with a handler; each answer
/// is a POST of a JSON-RPC response with the request's id; a URL-mode question (never declared)
/// gets `-32602` without reaching the handler.
#[test]
fn the_capability_and_the_answers_on_the_wire() {
    let server = fake(|seen| {
        if seen.body.get("result").is_some() || seen.body.get("error").is_some() {
            return Answer::Close(accepted()); // an answer to one of the questions below
        }
        lifecycle(seen).unwrap_or_else(|| {
            let id = &seen.body["id"];
            let lines = [
                json!({"jsonrpc":"2.0","id":"q-url","method":"elicitation/create","params":{
                    "mode":"url","message":"Sign in","url":"https://example.com","elicitationId":"e1"}}),
                json!({"jsonrpc":"2.0","id":"q-form","method":"elicitation/create","params":{
                    "message":"Which?","requestedSchema":{"type":"object",
                    "properties":{"n":{"type":"integer"}},"required":["n"]}}}),
                json!({"jsonrpc":"2.0","id":id,"result":{"content":[]}}),
            ];
            let body: String = lines.iter().map(|l| format!("data: {l}\n\n")).collect();
            Answer::Close(open_ended("text/event-stream", &body))
        })
    });
    let mut plain = McpClient::connect(&server.url(), quick()).unwrap();
    plain.call_tool("t", json!({}), &mut |_| {}).unwrap();

    let mut client = McpClient::new(&server.url(), quick());
    let asked = Arc::new(Mutex::new(0));
    let count = Arc::clone(&asked);
    client.set_elicitation(Box::new(move |_: &ElicitRequest| {
        *count.lock().unwrap() += 1;
        let mut content = Map::new();
        content.insert("n".into(), json!(3));
        ElicitAnswer::Accept(content)
    }));
    client.initialize().unwrap();
    client.call_tool("t", json!({}), &mut |_| {}).unwrap();
    assert_eq!(
        *asked.lock().unwrap(),
        1,
        "the URL-mode question never reaches the handler"
    );

    let seen = server.seen();
    let inits: Vec<&Value> = seen
        .iter()
        .filter(|s| s.rpc_method() == "initialize")
        .map(|s| &s.body["params"]["capabilities"])
        .collect();
    assert_eq!(inits, [&json!({}), &json!({"elicitation": {}})]);
    let answer = |id: &str| {
        let found = seen.iter().rev().find(|s| s.body["id"] == id);
        found.expect("answered").body.clone()
    };
    assert_eq!(
        answer("q-form"),
        json!({"jsonrpc":"2.0","id":"q-form","result":{"action":"accept","content":{"n":3}}})
    );
    assert_eq!(answer("q-url")["error"]["code"], INVALID_PARAMS);
}
