//! Which era a server speaks, decided from its answer to one modern request (the probe).
//!
//! Implements the client side of MCP 2026-07-28 `basic/transports/streamable-http` §Backward
//! Compatibility and `basic/versioning` §Backward Compatibility with Initialization-Based Versions:
//! try a modern request first; a recognised modern error means a modern server (retry with a
//! version it names, or correct the request), anything else means a legacy one (`initialize`).
//!
//! Plain values in, a verdict out: no sockets, so every branch is tested below. [`settle`] is
//! given the probe to send (`McpClient::start` hands it a `server/discover`), so it too is tested
//! here with scripted answers; the era is then kept for the client's life, which is one server
//! URL's. Left out: sharing it between clients of one origin
//! (the spec's cache per origin; a long-lived host would keep a map).
//!
//! # Why not fall back on every 400?
//! A modern server uses 400 too: for a version it does not speak (-32022), a capability we did not
//! declare (-32021), a header that does not match the body (-32020). Falling back on those would
//! send a modern-only server an `initialize` it has no method for, and the real error would be lost.

use super::ClientError;
use crate::jsonrpc::Message;
use crate::wire::{
    HEADER_MISMATCH, LEGACY_ERA_VERSIONS, MISSING_REQUIRED_CLIENT_CAPABILITY,
    MODERN_PROTOCOL_VERSION, UNSUPPORTED_PROTOCOL_VERSION,
};
use serde_json::Value;

/// Which era to speak: the caller's choice (`--era`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EraChoice {
    /// Modern first, legacy when the server's answer says so: what real clients do today.
    #[default]
    Auto,
    /// 2026-07-28 only: a legacy server is an error.
    Modern,
    /// The handshake era only (`initialize`), as this client did before 2026-07-28.
    Legacy,
}

/// The era a client speaks with its server, once connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 2026-07-28: no session, `_meta` and headers on every request.
    Modern,
    /// 2025-11-25 and before: `initialize`, a session, resumable streams.
    Legacy,
}

impl Era {
    /// `"modern"` or `"legacy"`, as the command line and `--json` name it.
    pub fn name(self) -> &'static str {
        match self {
            Era::Modern => "modern",
            Era::Legacy => "legacy",
        }
    }
}

/// What the answer to the probe says about the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A modern server that accepted our version: carry on in 2026-07-28.
    Modern,
    /// A modern server that refused our request for a reason we can correct (a header, a
    /// capability): stay modern and report the error, do not fall back.
    ModernRefused { code: i64, message: String },
    /// A -32022 whose `supported` list names our own version: send the probe once more (a server
    /// may refuse a first request, or have been mid-upgrade); a second refusal is reported.
    RetryModern,
    /// A modern server that speaks none of our modern versions but one of the handshake era's:
    /// `initialize` with it.
    LegacyByVersion,
    /// A modern server that speaks nothing we do; its `supported` list, for the error message.
    NoCommonVersion(Vec<String>),
    /// Not a recognised modern answer: a legacy server. `initialize`.
    Legacy,
    /// An answer that says nothing about eras (401, 403, a 5xx): the caller reports it as it is,
    /// since a fallback would only meet the same refusal again.
    NotAnEraAnswer(u16),
}

/// The era to speak, for the caller's `choice`: `Legacy` without a probe when the choice is
/// legacy; otherwise whatever the answer to `probe` (a `server/discover`) says, probed a second
/// time when the first answer asks for it. `Legacy` means "now send `initialize`".
///
/// # Errors
/// The probe's own error when it says nothing about eras (401, a 5xx, no answer) or is a modern
/// refusal we cannot mend; [`ClientError::Protocol`] for a legacy server when the choice was
/// modern, and for a server that speaks no version of ours.
pub fn settle(
    choice: EraChoice,
    probe: &mut dyn FnMut() -> Result<Value, ClientError>,
) -> Result<Era, ClientError> {
    if choice == EraChoice::Legacy {
        return Ok(Era::Legacy);
    }
    let mut outcome = probe();
    if verdict(&outcome) == Verdict::RetryModern {
        outcome = probe();
        // SPEC streamable-http (2026-07-28) §Backward Compatibility: a recognised modern error means "retry ... or correct the request, rather than falling back" — twice refused, it is reported.
        if verdict(&outcome) == Verdict::RetryModern {
            return outcome.map(|_| Era::Modern);
        }
    }
    let legacy = |why: String| match choice {
        EraChoice::Modern => Err(ClientError::Protocol(format!(
            "the server does not speak 2026-07-28 ({why}); try --era legacy"
        ))),
        _ => Ok(Era::Legacy),
    };
    match (verdict(&outcome), outcome) {
        (Verdict::Modern, _) => Ok(Era::Modern),
        (Verdict::Legacy | Verdict::LegacyByVersion, Err(e)) => legacy(e.to_string()),
        (Verdict::Legacy | Verdict::LegacyByVersion, Ok(_)) => {
            legacy("its server/discover result does not list 2026-07-28".into())
        }
        (Verdict::NoCommonVersion(versions), _) => Err(ClientError::Protocol(format!(
            "the server speaks only {versions:?}, none of which this client does"
        ))),
        // Not about eras, or a modern "no": reported as it is, since a fallback would only meet
        // the same refusal again (or hide it).
        (
            Verdict::ModernRefused { .. } | Verdict::RetryModern | Verdict::NotAnEraAnswer(_),
            outcome,
        ) => outcome.map(|_| Era::Modern),
    }
}

/// The verdict from the probe's outcome as the request loop reports it.
fn verdict(outcome: &Result<Value, ClientError>) -> Verdict {
    match outcome {
        Ok(result) => after_result(result),
        Err(ClientError::Http { status, body, .. }) => after_probe(*status, body),
        // A JSON-RPC error in a 200 (or on an SSE stream): read like any other error body.
        Err(ClientError::JsonRpc(e)) => {
            after_probe(200, &Message::error(None, (**e).clone()).to_line())
        }
        // No answer at all (refused, timed out, garbage): nothing to decide an era from.
        Err(_) => Verdict::NotAnEraAnswer(0),
    }
}

/// The verdict from the probe's HTTP status and body (the body as one JSON-RPC message; the
/// caller has already taken it out of SSE framing if it came that way).
pub fn after_probe(status: u16, body: &str) -> Verdict {
    if matches!(status, 401 | 403) || status >= 500 {
        return Verdict::NotAnEraAnswer(status);
    }
    let message: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let error = &message["error"];
    match error["code"].as_i64() {
        None if (200..300).contains(&status) && message.get("result").is_some() => {
            after_result(&message["result"])
        }
        // SPEC streamable-http (2026-07-28) §Backward Compatibility: on a recognised modern error, "retry using the advertised `supported` versions or correct the request, rather than falling back"
        Some(UNSUPPORTED_PROTOCOL_VERSION) => by_supported(&error["data"]["supported"]),
        Some(code @ (HEADER_MISMATCH | MISSING_REQUIRED_CLIENT_CAPABILITY)) => {
            Verdict::ModernRefused {
                code,
                message: error["message"].as_str().unwrap_or("").to_string(),
            }
        }
        // SPEC streamable-http (2026-07-28) §Backward Compatibility: "If the body is empty or is not a recognized modern JSON-RPC error, fall back to `initialize`"
        _ => Verdict::Legacy,
    }
}

/// The verdict from a `server/discover` *result*: modern when its `supportedVersions` names ours.
///
/// # Why not "any result means modern"?
/// A legacy server may answer a method it does not know with an empty result instead of -32601
/// (one of the conformance suite's legacy servers does). Only a real discover result, which
/// must list the versions, says what the server speaks.
// SPEC server/discover (2026-07-28): the result carries `supportedVersions`, the protocol versions the server supports.
pub fn after_result(result: &Value) -> Verdict {
    let versions = &result["supportedVersions"];
    let named = |v: &Value| v.as_str() == Some(MODERN_PROTOCOL_VERSION);
    match versions.as_array() {
        Some(list) if list.iter().any(named) => Verdict::Modern,
        Some(_) => by_supported(versions),
        None => Verdict::Legacy,
    }
}

/// A -32022's `supported` list: a modern version we speak would have been accepted, so look for a
/// handshake-era one we can `initialize` with.
fn by_supported(supported: &Value) -> Verdict {
    let names: Vec<String> = supported
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if names.iter().any(|v| v == MODERN_PROTOCOL_VERSION) {
        // SPEC streamable-http (2026-07-28) §Backward Compatibility: on -32022, "retry using the advertised `supported` versions"; ours is among them.
        return Verdict::RetryModern;
    }
    if names
        .iter()
        .any(|v| LEGACY_ERA_VERSIONS.contains(&v.as_str()))
    {
        return Verdict::LegacyByVersion;
    }
    Verdict::NoCommonVersion(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc::ErrorObject;

    /// `settle` with the probe's answers scripted; also returns how many probes were sent.
    fn settle_with(
        choice: EraChoice,
        answers: Vec<Result<Value, ClientError>>,
    ) -> (Result<Era, ClientError>, usize) {
        let mut answers = answers.into_iter();
        let mut sent = 0;
        let outcome = settle(choice, &mut || {
            sent += 1;
            answers.next().expect("no more answers scripted")
        });
        (outcome, sent)
    }

    fn http(status: u16, code: i64, data: Value) -> Result<Value, ClientError> {
        let body = error(code, data);
        let error = Some(Box::new(ErrorObject::new(code, "m")));
        Err(ClientError::Http {
            status,
            body,
            error,
        })
    }

    #[test]
    fn legacy_is_chosen_without_a_probe_and_auto_falls_back_on_a_legacy_answer() {
        assert_eq!(settle_with(EraChoice::Legacy, vec![]), (Ok(Era::Legacy), 0));
        let old = http(400, -32000, Value::Null);
        assert_eq!(
            settle_with(EraChoice::Auto, vec![old]),
            (Ok(Era::Legacy), 1)
        );
        let modern = Ok(serde_json::json!({ "supportedVersions": [MODERN_PROTOCOL_VERSION] }));
        assert_eq!(
            settle_with(EraChoice::Auto, vec![modern]),
            (Ok(Era::Modern), 1)
        );
    }

    #[test]
    fn modern_never_falls_back_and_a_modern_refusal_is_reported_as_it_is() {
        let (outcome, _) = settle_with(EraChoice::Modern, vec![http(400, -32000, Value::Null)]);
        assert!(matches!(outcome, Err(ClientError::Protocol(w)) if w.contains("--era legacy")));
        let refused = http(400, HEADER_MISMATCH, Value::Null);
        let (outcome, _) = settle_with(EraChoice::Auto, vec![refused.clone()]);
        assert_eq!(outcome, refused.map(|_| Era::Modern));
        let timeout = Err(ClientError::Timeout("connecting".into()));
        assert_eq!(
            settle_with(EraChoice::Auto, vec![timeout.clone()]).0,
            timeout.map(|_| Era::Modern)
        );
    }

    #[test]
    fn an_unsupported_version_naming_ours_is_probed_once_more_then_reported() {
        let ours = || {
            http(
                400,
                UNSUPPORTED_PROTOCOL_VERSION,
                serde_json::json!({"supported": [MODERN_PROTOCOL_VERSION]}),
            )
        };
        let (outcome, sent) = settle_with(EraChoice::Auto, vec![ours(), ours()]);
        assert_eq!((outcome, sent), (ours().map(|_| Era::Modern), 2));
        let none = http(
            400,
            UNSUPPORTED_PROTOCOL_VERSION,
            serde_json::json!({"supported": ["2099-01-01"]}),
        );
        let (outcome, sent) = settle_with(EraChoice::Auto, vec![none]);
        assert!(
            matches!(outcome, Err(ClientError::Protocol(w)) if w.contains("2099-01-01")),
            "{sent}"
        );
    }

    fn error(code: i64, data: Value) -> String {
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "error": {"code": code, "message": "m", "data": data}})
            .to_string()
    }

    #[test]
    fn a_discover_result_naming_our_version_means_a_modern_server() {
        let body = r#"{"jsonrpc":"2.0","id":1,"result":{"supportedVersions":["2026-07-28"]}}"#;
        assert_eq!(after_probe(200, body), Verdict::Modern);
    }

    #[test]
    fn a_result_that_lists_no_versions_is_no_discover_result() {
        let empty = r#"{"jsonrpc":"2.0","id":1,"result":{}}"#;
        assert_eq!(after_probe(200, empty), Verdict::Legacy);
        let older = serde_json::json!({ "supportedVersions": ["2025-11-25"] });
        assert_eq!(after_result(&older), Verdict::LegacyByVersion);
    }

    #[test]
    fn recognised_modern_errors_keep_the_modern_era() {
        let mismatch = error(HEADER_MISMATCH, Value::Null);
        assert!(matches!(
            after_probe(400, &mismatch),
            Verdict::ModernRefused {
                code: HEADER_MISMATCH,
                ..
            }
        ));
        let missing = error(MISSING_REQUIRED_CLIENT_CAPABILITY, Value::Null);
        assert!(matches!(
            after_probe(400, &missing),
            Verdict::ModernRefused { .. }
        ));
    }

    #[test]
    fn an_unsupported_version_is_answered_from_its_supported_list() {
        let legacy = error(
            UNSUPPORTED_PROTOCOL_VERSION,
            serde_json::json!({"supported": ["2025-11-25"]}),
        );
        assert_eq!(after_probe(400, &legacy), Verdict::LegacyByVersion);
        let future = error(
            UNSUPPORTED_PROTOCOL_VERSION,
            serde_json::json!({"supported": ["2027-01-01"]}),
        );
        assert_eq!(
            after_probe(400, &future),
            Verdict::NoCommonVersion(vec!["2027-01-01".into()])
        );
        let ours = error(
            UNSUPPORTED_PROTOCOL_VERSION,
            serde_json::json!({"supported": [MODERN_PROTOCOL_VERSION]}),
        );
        assert_eq!(after_probe(400, &ours), Verdict::RetryModern);
    }

    #[test]
    fn anything_else_means_a_legacy_server() {
        // A legacy server's usual answers to a request without a session or at an unknown version.
        let old = error(-32600, Value::Null);
        assert_eq!(after_probe(400, &old), Verdict::Legacy);
        assert_eq!(after_probe(400, ""), Verdict::Legacy);
        assert_eq!(after_probe(404, "Not Found"), Verdict::Legacy);
        assert_eq!(after_probe(405, ""), Verdict::Legacy);
        let unknown_method = error(-32601, Value::Null);
        assert_eq!(after_probe(200, &unknown_method), Verdict::Legacy);
    }

    #[test]
    fn credentials_and_server_errors_say_nothing_about_eras() {
        assert_eq!(after_probe(401, ""), Verdict::NotAnEraAnswer(401));
        assert_eq!(after_probe(403, ""), Verdict::NotAnEraAnswer(403));
        assert_eq!(after_probe(503, ""), Verdict::NotAnEraAnswer(503));
    }
}
