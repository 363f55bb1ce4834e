//! Who the client says it is, and the legacy era's handshake: the `initialize` params and the
//! check of the version the server chose.
//!
//! Implements MCP 2025-11-25 `basic/lifecycle` §Initialization (the params: the version we
//! propose, our capabilities, `clientInfo`) and §Version Negotiation (accept 2025-11-25,
//! 2025-06-18 or 2025-03-26; refuse anything else). `clientInfo` is also what a 2026-07-28
//! request carries in its `_meta` (`modern.rs`), so both eras name us the same way. Pure: values
//! in, values out; sending them is `McpClient::initialize`.
//!
//! Left out: proposing an older version first (we propose the newest and accept what the server
//! answers, if we speak it).

use super::ClientError;
use crate::wire::{is_supported_version, LATEST_PROTOCOL_VERSION};
use serde_json::{json, Value};

/// `clientInfo`: our name (the caller's choice) and this crate's version.
pub fn client_info(client_name: &str) -> Value {
    json!({ "name": client_name, "version": env!("CARGO_PKG_VERSION") })
}

/// The params of our `initialize` request.
pub fn initialize_params(client_name: &str, capabilities: Value) -> Value {
    let version = LATEST_PROTOCOL_VERSION;
    let client_info = client_info(client_name);
    json!({ "protocolVersion": version, "capabilities": capabilities, "clientInfo": client_info })
}

/// The version the server chose, if we speak it.
// SPEC lifecycle#version-negotiation: "If the client does not support the version in the server's response, it SHOULD disconnect."
pub fn negotiated_version(result: &Value) -> Result<String, ClientError> {
    match result["protocolVersion"].as_str() {
        Some(v) if is_supported_version(v) => Ok(v.to_string()),
        Some(v) => Err(ClientError::UnsupportedVersion(v.to_string())),
        None => Err(ClientError::Protocol("no protocolVersion".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initialize_proposes_the_newest_version_with_our_capabilities_and_name() {
        let params = initialize_params("c", json!({ "elicitation": {} }));
        assert_eq!(params["capabilities"], json!({ "elicitation": {} }));
        assert_eq!(params["protocolVersion"], LATEST_PROTOCOL_VERSION);
        assert_eq!(params["clientInfo"]["name"], "c");
    }

    #[test]
    fn versions_we_speak_are_accepted_and_others_refused() {
        for v in ["2025-11-25", "2025-06-18", "2025-03-26"] {
            assert_eq!(
                negotiated_version(&json!({"protocolVersion": v})).unwrap(),
                v
            );
        }
        assert_eq!(
            negotiated_version(&json!({"protocolVersion": "2024-11-05"})),
            Err(ClientError::UnsupportedVersion("2024-11-05".into()))
        );
        assert!(matches!(
            negotiated_version(&json!({})),
            Err(ClientError::Protocol(_))
        ));
    }
}
