//! The MCP lifecycle payloads: `initialize` and its version negotiation.
//!
//! Implements MCP 2025-11-25 `basic/lifecycle` §Initialization and §Version Negotiation: the client
//! proposes a `protocolVersion`; if we support it we answer with the same one, otherwise with our
//! latest, and the client decides whether it can live with that. The answer declares our
//! capabilities, `serverInfo` and `instructions`.
//!
//! Left out: `icons`, `websiteUrl`, the `tasks` capability (2025-11-25 additions we do not use).

use crate::jsonrpc::{ErrorObject, INVALID_PARAMS};
use crate::mcp::catalog::Catalog;
use crate::wire::LATEST_PROTOCOL_VERSION;
use serde_json::{json, Value};

/// The parts of `initialize` params we use.
#[derive(Debug, Clone, PartialEq)]
pub struct InitializeParams {
    pub protocol_version: String,
    pub capabilities: Value,
    pub client_name: String,
}

impl InitializeParams {
    /// Read `initialize` params.
    ///
    /// # Errors
    /// `-32602` when `protocolVersion` is missing or not a string, or `capabilities` is not an
    /// object: the request is malformed, which is different from proposing an unknown version.
    pub fn from_params(params: Option<&Value>) -> Result<InitializeParams, ErrorObject> {
        let bad = |why: &str| {
            ErrorObject::new(
                INVALID_PARAMS,
                format!("Invalid params for initialize: {why}"),
            )
        };
        let params = params.ok_or_else(|| bad("params are required"))?;
        let protocol_version = params
            .get("protocolVersion")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("\"protocolVersion\" must be a string"))?;
        let capabilities = params
            .get("capabilities")
            .cloned()
            .unwrap_or_else(|| json!({}));
        if !capabilities.is_object() {
            return Err(bad("\"capabilities\" must be an object"));
        }
        let client_name = params
            .pointer("/clientInfo/name")
            .and_then(Value::as_str)
            .unwrap_or("unknown client")
            .to_string();
        Ok(InitializeParams {
            protocol_version: protocol_version.to_string(),
            capabilities,
            client_name,
        })
    }
}

/// The version we answer with.
// SPEC lifecycle#version-negotiation: "If the server supports the requested protocol version, it MUST respond with the same version. Otherwise, the server MUST respond with another protocol version it supports."
pub fn negotiate(requested: &str) -> &'static str {
    // Return our own `&'static str`, not the client's string: the answer outlives the request.
    crate::wire::SUPPORTED_PROTOCOL_VERSIONS
        .into_iter()
        .find(|v| *v == requested)
        .unwrap_or(LATEST_PROTOCOL_VERSION)
}

/// The `InitializeResult` for a negotiated version.
pub fn initialize_result(protocol_version: &str, catalog: &Catalog) -> Value {
    json!({
        "protocolVersion": protocol_version,
        "capabilities": catalog.capabilities(),
        "serverInfo": {
            "name": catalog.name,
            "title": catalog.title,
            "version": env!("CARGO_PKG_VERSION")
        },
        "instructions": catalog.instructions
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_version_is_echoed() {
        assert_eq!(negotiate("2025-06-18"), "2025-06-18");
        assert_eq!(negotiate("2025-03-26"), "2025-03-26");
    }

    #[test]
    fn unknown_version_gets_our_latest() {
        assert_eq!(negotiate("2024-11-05"), LATEST_PROTOCOL_VERSION);
        assert_eq!(negotiate("banana"), LATEST_PROTOCOL_VERSION);
    }

    #[test]
    fn initialize_params_require_a_string_protocol_version() {
        let err = InitializeParams::from_params(Some(&json!({"protocolVersion": 5}))).unwrap_err();
        assert_eq!(err.code, INVALID_PARAMS);
        assert!(InitializeParams::from_params(None).is_err());
        let ok = InitializeParams::from_params(Some(
            &json!({"protocolVersion": "x", "clientInfo": {"name": "c"}}),
        ))
        .unwrap();
        assert_eq!(ok.client_name, "c");
    }

    #[test]
    fn result_declares_tools_server_info_and_instructions() {
        let r = initialize_result("2025-11-25", &crate::mcp::catalog::fixtures::ECHO);
        assert!(r["capabilities"]["tools"].is_object());
        assert_eq!(r["serverInfo"]["name"], "echo-server");
        assert!(r["serverInfo"]["title"].is_string() && r["serverInfo"]["version"].is_string());
        assert_eq!(r["instructions"], "Call echo with some text.");
    }
}
