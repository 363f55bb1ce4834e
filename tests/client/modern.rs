//! The client in revision 2026-07-28, and the choice between the eras.
//!
//! Against our own server (dual-era) and against the scripted fake, which here plays a modern
//! server or a legacy one. Rules checked: `basic/transports/streamable-http` (2026-07-28)
//! §Backward Compatibility (probe, fall back, or stay), §Standard Request Headers, §Custom Headers
//! from Tool Parameters, `basic/index` §_meta and §ResultType, `basic/patterns/mrtr` §Client
//! Requirements, and the re-issue of a request whose stream broke.

use crate::fake::{fake, json_answer, legacy, lifecycle, open_ended, Answer, Fake, Seen};
use crate::support::start;
use serde_json::{json, Value};
use std::time::Duration;
use streamable_mcp::client::{
    ClientError, ElicitAnswer, Era, EraChoice, Framing, Incoming, McpClient, Options,
    MAX_INPUT_ROUNDS, MAX_REISSUES,
};
use streamable_mcp::wire::{
    HEADER_MISMATCH, META_CLIENT_CAPABILITIES, META_CLIENT_INFO, META_PROTOCOL_VERSION,
    MODERN_PROTOCOL_VERSION, UNSUPPORTED_PROTOCOL_VERSION,
};

const ILLINOIS: &str = "Springfield, Illinois, United States";

fn options(era: EraChoice, framing: Framing) -> Options {
    Options {
        era,
        framing,
        stall_timeout: Duration::from_secs(2),
        ..Options::default()
    }
}

fn auto() -> Options {
    options(EraChoice::Auto, Framing::Sse)
}

/// A JSON answer carrying `result` for the request `seen`.
fn result(seen: &Seen, result: Value) -> Answer {
    let body = json!({ "jsonrpc": "2.0", "id": seen.body["id"], "result": result });
    Answer::Close(json_answer(200, "", &body.to_string()))
}

fn error(seen: &Seen, status: u16, code: i64, data: Value) -> Answer {
    let error = json!({ "code": code, "message": "refused", "data": data });
    let body = json!({ "jsonrpc": "2.0", "id": seen.body["id"], "error": error });
    Answer::Close(json_answer(status, "", &body.to_string()))
}

/// A modern fake: `server/discover` answered, the rest by `rest`.
fn modern_fake(rest: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Fake {
    fake(move |seen| match seen.rpc_method() {
        "server/discover" => result(
            seen,
            json!({ "resultType": "complete",
            "supportedVersions": [MODERN_PROTOCOL_VERSION], "capabilities": { "tools": {} } }),
        ),
        _ => rest(seen),
    })
}

fn calls(fake: &Fake) -> Vec<Seen> {
    let seen = fake.seen();
    seen.into_iter()
        .filter(|s| s.rpc_method() == "tools/call")
        .collect()
}

/// Auto against our dual-era server: `server/discover` answers, so the client stays modern: no
/// session, no `initialize`, progress live in each framing that has room for it.
#[test]
fn auto_speaks_the_modern_era_to_a_modern_server_in_every_framing() {
    let server = start(|_| {});
    for framing in [Framing::Sse, Framing::Ndjson, Framing::Json] {
        let mut client =
            McpClient::connect(&server.url(), options(EraChoice::Auto, framing)).expect("connect");
        assert_eq!(client.era(), Some(Era::Modern));
        assert_eq!(client.protocol_version(), Some(MODERN_PROTOCOL_VERSION));
        assert_eq!(client.session_id(), None, "the modern era has no session");
        let mut progress = 0;
        let args = json!({ "city": "Hangzhou" });
        let result = client
            .call_tool("get_weather", args, &mut |e| {
                progress += matches!(e, Incoming::Progress(_)) as usize
            })
            .unwrap();
        assert!(result.text.starts_with("Hangzhou"), "{}", result.text);
        let expected = if framing == Framing::Json { 0 } else { 3 };
        assert_eq!(progress, expected, "{framing:?}");
        client.ping().expect("a modern ping is server/discover");
        client.close().unwrap();
    }
}

/// `--era legacy` against the same server: `initialize`, a session, 2025-11-25.
#[test]
fn era_legacy_starts_a_session_with_initialize_even_on_a_modern_server() {
    let server = start(|_| {});
    let mut client = McpClient::connect(&server.url(), legacy()).unwrap();
    assert_eq!(client.era(), Some(Era::Legacy));
    assert_eq!(client.protocol_version(), Some("2025-11-25"));
    assert!(client.session_id().is_some());
    assert!(!client.list_tools().unwrap().is_empty());
}

/// SPEC streamable-http (2026-07-28) §Backward Compatibility: an answer that is not a recognised
/// modern error means a legacy server: `initialize`, and the call works in that era.
#[test]
fn auto_falls_back_to_initialize_when_the_probe_gets_a_legacy_answer() {
    let fake = fake(|seen| {
        if let Some(answer) = lifecycle(seen) {
            return answer;
        }
        match seen.rpc_method() {
            // What a TypeScript SDK 1.x server says to a request without a session.
            "server/discover" => error(seen, 400, -32000, Value::Null),
            _ => result(
                seen,
                json!({ "content": [{ "type": "text", "text": "old" }] }),
            ),
        }
    });
    let mut client = McpClient::connect(&fake.url(), auto()).unwrap();
    assert_eq!(client.era(), Some(Era::Legacy));
    assert_eq!(client.session_id(), Some("fake-1"));
    let result = client.call_tool("t", json!({}), &mut |_| {}).unwrap();
    assert_eq!(result.text, "old");
    let methods: Vec<String> = fake.seen().iter().map(|s| s.rpc_method().into()).collect();
    assert_eq!(
        methods[..4],
        [
            "server/discover",
            "initialize",
            "notifications/initialized",
            "tools/call"
        ]
    );
    // After the probe, the legacy exchange is the one a legacy-only client sends: ids from 1, no
    // version header on `initialize`, none of the modern headers or `_meta` fields, then the
    // session and the negotiated version on every request.
    let legacy = &fake.seen()[1..];
    assert_eq!(legacy[0].body["id"], json!(1));
    assert_eq!(legacy[0].header("MCP-Protocol-Version"), None);
    for seen in legacy {
        assert_eq!(seen.header("Mcp-Method"), None, "{:?}", seen.body);
        assert_eq!(seen.header("Mcp-Name"), None);
        assert!(seen.body["params"]["_meta"][META_PROTOCOL_VERSION].is_null());
    }
    assert_eq!(legacy[2].header("MCP-Protocol-Version"), Some("2025-11-25"));
    assert_eq!(legacy[2].header("Mcp-Session-Id"), Some("fake-1"));
}

/// `--era modern` never falls back: a legacy server is an error that says so.
#[test]
fn era_modern_against_a_legacy_server_is_an_error_not_a_fallback() {
    let fake = fake(|seen| error(seen, 400, -32000, Value::Null));
    let options = options(EraChoice::Modern, Framing::Sse);
    let err = McpClient::connect(&fake.url(), options).err().unwrap();
    assert!(
        err.to_string().contains("does not speak 2026-07-28"),
        "{err}"
    );
    assert_eq!(fake.seen().len(), 1, "no initialize was sent");
}

/// A recognised modern error is reported as it is: falling back would hide it.
#[test]
fn a_recognised_modern_refusal_of_the_probe_is_reported_not_fallen_back_from() {
    let fake = fake(|seen| error(seen, 400, HEADER_MISMATCH, Value::Null));
    let err = McpClient::connect(&fake.url(), auto()).err().unwrap();
    assert!(
        matches!(&err, ClientError::Http { status: 400, error: Some(e), .. } if e.code == HEADER_MISMATCH),
        "{err:?}"
    );
    assert_eq!(fake.seen().len(), 1);
}

/// SPEC streamable-http (2026-07-28) §Backward Compatibility: on -32022, "retry using the
/// advertised `supported` versions": one that names ours gets the probe again.
#[test]
fn a_32022_that_names_our_version_is_probed_again_and_stays_modern() {
    let fake = fake(|seen| {
        let first = seen.body["id"] == json!(1);
        match seen.rpc_method() {
            "server/discover" if first => error(
                seen,
                400,
                UNSUPPORTED_PROTOCOL_VERSION,
                json!({ "supported": [MODERN_PROTOCOL_VERSION] }),
            ),
            _ => result(
                seen,
                json!({ "supportedVersions": [MODERN_PROTOCOL_VERSION] }),
            ),
        }
    });
    let client = McpClient::connect(&fake.url(), auto()).unwrap();
    assert_eq!(client.era(), Some(Era::Modern));
    assert_eq!(fake.seen().len(), 2);
}

/// SPEC basic (2026-07-28) §_meta and streamable-http §Standard Request Headers: every request
/// carries the version twice (header and `_meta`), the capabilities and client info, and
/// `Mcp-Method`; a `tools/call` also `Mcp-Name`, base64 when the name is not plain ASCII.
#[test]
fn modern_requests_carry_meta_the_version_header_and_the_standard_headers() {
    let fake = modern_fake(|seen| match seen.rpc_method() {
        "tools/list" => result(
            seen,
            json!({ "tools": [{ "name": "wetter_für", "inputSchema": {} }] }),
        ),
        _ => result(seen, json!({ "content": [] })),
    });
    let mut client = McpClient::new(&fake.url(), auto());
    client.set_elicitation(Box::new(|_| ElicitAnswer::Cancel));
    client.start().unwrap();
    client
        .call_tool("wetter_für", json!({}), &mut |_| {})
        .unwrap();
    for seen in fake.seen() {
        let meta = &seen.body["params"]["_meta"];
        assert_eq!(
            seen.header("MCP-Protocol-Version"),
            Some(MODERN_PROTOCOL_VERSION)
        );
        assert_eq!(meta[META_PROTOCOL_VERSION], MODERN_PROTOCOL_VERSION);
        assert_eq!(meta[META_CLIENT_CAPABILITIES], json!({ "elicitation": {} }));
        assert!(meta[META_CLIENT_INFO]["name"].is_string(), "{meta}");
        assert_eq!(seen.header("Mcp-Method"), Some(seen.rpc_method()));
        assert_eq!(seen.header("Mcp-Session-Id"), None);
    }
    let call = &calls(&fake)[0];
    assert_eq!(call.header("Mcp-Name"), Some("=?base64?d2V0dGVyX2bDvHI=?="));
    assert!(call.body["params"]["_meta"]["progressToken"].is_string());
}

fn annotated_tools() -> Value {
    json!({ "tools": [
        { "name": "sql", "inputSchema": { "type": "object", "properties": {
            "region": { "type": "string", "x-mcp-header": "Region" },
            "limit": { "type": "integer", "x-mcp-header": "Limit" },
            "query": { "type": "string" } } } },
        { "name": "broken", "inputSchema": { "type": "object", "properties": {
            "ratio": { "type": "number", "x-mcp-header": "Ratio" } } } }
    ] })
}

/// SPEC streamable-http (2026-07-28) §Custom Headers from Tool Parameters: marked arguments are
/// mirrored into `Mcp-Param-*` (encoded when unsafe, omitted when absent), and a tool whose
/// annotation breaks the rules is left out of `tools/list`, with its reason kept for a warning.
#[test]
fn marked_arguments_travel_as_mcp_param_headers_and_invalid_tools_are_left_out() {
    let fake = modern_fake(|seen| match seen.rpc_method() {
        "tools/list" => result(seen, annotated_tools()),
        _ => result(seen, json!({ "content": [] })),
    });
    let mut client = McpClient::connect(&fake.url(), auto()).unwrap();
    let names: Vec<String> = client
        .list_tools()
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["sql"]);
    assert_eq!(client.refused_tools()[0].0, "broken");
    assert!(client.refused_tools()[0].1.contains("number"));
    let args = json!({ "region": " eu-west1", "limit": 10, "query": "x" });
    client.call_tool("sql", args, &mut |_| {}).unwrap();
    client
        .call_tool("sql", json!({ "query": "y" }), &mut |_| {})
        .unwrap();
    let calls = calls(&fake);
    assert_eq!(
        calls[0].header("Mcp-Param-Region"),
        Some("=?base64?IGV1LXdlc3Qx?=")
    );
    assert_eq!(calls[0].header("Mcp-Param-Limit"), Some("10"));
    assert_eq!(
        calls[1].header("Mcp-Param-Region"),
        None,
        "no value, no header"
    );
    let err = client
        .call_tool("broken", json!({ "ratio": 0.5 }), &mut |_| {})
        .unwrap_err();
    assert!(err.to_string().contains("not usable over HTTP"), "{err}");
    assert_eq!(
        self::calls(&fake).len(),
        2,
        "the invalid tool was never called"
    );
}

/// A call fetches the tool list first when it has none: the headers come from the definition.
#[test]
fn a_call_without_a_tool_list_fetches_one_for_the_tools_annotations() {
    let fake = modern_fake(|seen| match seen.rpc_method() {
        "tools/list" => result(seen, annotated_tools()),
        _ => result(seen, json!({ "content": [] })),
    });
    let mut client = McpClient::connect(&fake.url(), auto()).unwrap();
    client
        .call_tool("sql", json!({ "region": "us" }), &mut |_| {})
        .unwrap();
    let methods: Vec<String> = fake.seen().iter().map(|s| s.rpc_method().into()).collect();
    assert_eq!(methods, ["server/discover", "tools/list", "tools/call"]);
    assert_eq!(calls(&fake)[0].header("Mcp-Param-Region"), Some("us"));
}

/// SPEC mrtr (2026-07-28) §Client Requirements, against our server: the question of an
/// `input_required` result goes to the handler, and the call is sent again with the answer.
#[test]
fn input_required_is_answered_by_the_handler_and_the_call_completes() {
    let server = start(|_| {});
    let mut client = McpClient::new(&server.url(), auto());
    client.set_elicitation(Box::new(|question| {
        assert!(
            question.message.contains("Springfield"),
            "{}",
            question.message
        );
        let mut content = serde_json::Map::new();
        content.insert("city".into(), json!(ILLINOIS));
        ElicitAnswer::Accept(content)
    }));
    assert_eq!(client.start().unwrap(), Era::Modern);
    let mut rounds = 0;
    let result = client
        .call_tool("get_weather", json!({ "city": "Springfield" }), &mut |e| {
            rounds += matches!(e, Incoming::InputRequired { .. }) as usize
        })
        .unwrap();
    assert_eq!(rounds, 1);
    assert!(result.text.starts_with(ILLINOIS), "{}", result.text);
}

/// SPEC mrtr (2026-07-28) §Client Requirements: the retry has a new id, this round's answers,
/// and the `requestState` exactly as it came; without a state, the retry has none.
#[test]
fn the_retry_has_a_new_id_the_answers_and_the_state_byte_for_byte() {
    let state = "  opaque, with spaces and \u{e9} \\\" ";
    let fake = modern_fake(move |seen| {
        let params = &seen.body["params"];
        match (seen.rpc_method(), params["inputResponses"].is_object()) {
            ("tools/list", _) => result(seen, json!({ "tools": [] })),
            ("tools/call", false) if params["name"] == "stateful" => result(
                seen,
                json!({
                "resultType": "input_required", "requestState": state,
                "inputRequests": { "ok": { "method": "elicitation/create", "params": {
                    "message": "Sure?", "requestedSchema": { "type": "object", "properties": {} } } } } }),
            ),
            ("tools/call", false) => result(
                seen,
                json!({ "resultType": "input_required",
                "inputRequests": { "ok": { "method": "elicitation/create", "params": {
                    "message": "Sure?", "requestedSchema": { "type": "object", "properties": {} } } } } }),
            ),
            _ => result(
                seen,
                json!({ "content": [{ "type": "text", "text": "done" }] }),
            ),
        }
    });
    let mut client = McpClient::new(&fake.url(), auto());
    client.set_elicitation(Box::new(|_| ElicitAnswer::Decline));
    client.start().unwrap();
    client
        .call_tool("stateful", json!({}), &mut |_| {})
        .unwrap();
    client
        .call_tool("stateless", json!({}), &mut |_| {})
        .unwrap();
    let calls = calls(&fake);
    assert_eq!(calls.len(), 4);
    assert_ne!(calls[0].body["id"], calls[1].body["id"]);
    assert_eq!(calls[1].body["params"]["requestState"], json!(state));
    assert_eq!(
        calls[1].body["params"]["inputResponses"],
        json!({ "ok": { "action": "decline" } })
    );
    assert!(
        calls[2].body["params"].get("inputResponses").is_none(),
        "a new call starts clean"
    );
    assert!(calls[3].body["params"].get("requestState").is_none());
}

/// A server that asks for ever is stopped after `MAX_INPUT_ROUNDS` rounds, with an error.
#[test]
fn a_server_that_keeps_asking_is_stopped_after_the_round_limit() {
    let fake = modern_fake(|seen| match seen.rpc_method() {
        "tools/list" => result(seen, json!({ "tools": [] })),
        _ => result(
            seen,
            json!({ "resultType": "input_required", "requestState": "again" }),
        ),
    });
    let mut client = McpClient::connect(&fake.url(), auto()).unwrap();
    let err = client.call_tool("t", json!({}), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("rounds"), "{err}");
    assert_eq!(calls(&fake).len(), MAX_INPUT_ROUNDS);
}

/// SPEC basic (2026-07-28) §ResultType: a result without `resultType` is complete; one this
/// client does not know is an error, not a guess.
#[test]
fn a_missing_result_type_is_complete_and_an_unknown_one_is_an_error() {
    let fake =
        modern_fake(
            |seen| match (seen.rpc_method(), seen.body["params"]["name"].as_str()) {
                ("tools/list", _) => result(seen, json!({ "tools": [] })),
                (_, Some("plain")) => result(
                    seen,
                    json!({ "content": [{ "type": "text", "text": "ok" }] }),
                ),
                _ => result(seen, json!({ "resultType": "task", "content": [] })),
            },
        );
    let mut client = McpClient::connect(&fake.url(), auto()).unwrap();
    assert_eq!(
        client
            .call_tool("plain", json!({}), &mut |_| {})
            .unwrap()
            .text,
        "ok"
    );
    let err = client
        .call_tool("future", json!({}), &mut |_| {})
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::Protocol(w) if w.contains("\"task\"")),
        "{err:?}"
    );
}

/// A modern stream cannot be resumed: one that breaks before its response is sent again with
/// a new id, after the server's `retry`, and the caller sees it happen.
#[test]
fn a_broken_modern_stream_is_reissued_with_a_new_id() {
    let fake = modern_fake(|seen| match seen.rpc_method() {
        "tools/list" => result(seen, json!({ "tools": [] })),
        _ if seen.body["id"].as_i64() < Some(5) => {
            let progress = json!({ "jsonrpc": "2.0", "method": "notifications/progress",
                "params": { "progressToken": seen.body["params"]["_meta"]["progressToken"], "progress": 1 } });
            // An event id, as a legacy stream would have: in the modern era it must not be used.
            let events = format!("retry: 20\n\nid: 1\ndata: {progress}\n\n");
            Answer::Close(open_ended("text/event-stream", &events))
        }
        _ => result(
            seen,
            json!({ "content": [{ "type": "text", "text": "at last" }] }),
        ),
    });
    let mut client = McpClient::connect(&fake.url(), auto()).unwrap();
    let mut reissued = Vec::new();
    let result = client
        .call_tool("t", json!({}), &mut |e| {
            if let Incoming::Reissued { attempt, waited } = e {
                reissued.push((*attempt, *waited));
            }
        })
        .unwrap();
    assert_eq!(result.text, "at last");
    assert_eq!(
        reissued,
        [
            (1, Duration::from_millis(20)),
            (2, Duration::from_millis(20))
        ]
    );
    let ids: Vec<Value> = calls(&fake).iter().map(|s| s.body["id"].clone()).collect();
    assert_eq!(
        ids,
        [json!(3), json!(4), json!(5)],
        "a new id each time, and no GET"
    );
}

/// The re-issue is bounded: a stream that always breaks ends in `StreamEnded` after
/// `MAX_REISSUES` more tries.
#[test]
fn reissuing_stops_after_the_limit() {
    let fake = modern_fake(|seen| match seen.rpc_method() {
        "tools/list" => result(seen, json!({ "tools": [] })),
        _ => Answer::Close(open_ended("text/event-stream", "retry: 5\n\n")),
    });
    let mut client = McpClient::connect(&fake.url(), auto()).unwrap();
    let err = client.call_tool("t", json!({}), &mut |_| {}).unwrap_err();
    assert!(matches!(err, ClientError::StreamEnded { .. }), "{err:?}");
    assert_eq!(calls(&fake).len(), 1 + MAX_REISSUES as usize);
}

/// A legacy server that answers an unknown method with an empty result is no modern server:
/// only a discover result that lists 2026-07-28 is.
#[test]
fn a_probe_result_without_our_version_is_taken_for_a_legacy_server() {
    let fake = fake(|seen| {
        if let Some(answer) = lifecycle(seen) {
            return answer;
        }
        result(seen, json!({}))
    });
    let client = McpClient::connect(&fake.url(), auto()).unwrap();
    assert_eq!(client.era(), Some(Era::Legacy));
}

/// SPEC streamable-http (2026-07-28) §Client Behavior: after a -32020 the tool list is fetched
/// again (the tool may have changed its annotations) and the call retried once with new headers.
#[test]
fn a_header_mismatch_fetches_the_tool_list_again_and_retries_once() {
    let lists = std::sync::atomic::AtomicUsize::new(0);
    let fake = modern_fake(move |seen| match seen.rpc_method() {
        "tools/list" if lists.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 => result(
            seen,
            json!({ "tools": [{ "name": "sql", "inputSchema": {} }] }),
        ),
        "tools/list" => result(seen, annotated_tools()),
        _ if seen.header("Mcp-Param-Region").is_none() => {
            error(seen, 400, HEADER_MISMATCH, Value::Null)
        }
        _ => result(
            seen,
            json!({ "content": [{ "type": "text", "text": "ok" }] }),
        ),
    });
    let mut client = McpClient::connect(&fake.url(), auto()).unwrap();
    let result = client
        .call_tool("sql", json!({ "region": "us" }), &mut |_| {})
        .unwrap();
    assert_eq!(result.text, "ok");
    let methods: Vec<String> = fake.seen().iter().map(|s| s.rpc_method().into()).collect();
    assert_eq!(
        methods,
        [
            "server/discover",
            "tools/list",
            "tools/call",
            "tools/list",
            "tools/call"
        ]
    );
}
