//! The fixture set of the official MCP conformance suite, as one [`Catalog`].
//!
//! Implements what `@modelcontextprotocol/conformance` 0.1.16 (server mode, spec 2025-11-25)
//! expects a server under test to offer: tools, resources and prompts with fixed names and
//! outputs, plus `completion/complete`. Each fixture is ordinary catalog data, built from the
//! same parts as the weather server's tools; nothing in the library knows about the suite.
//!
//! The suite's checks are loose (an "Unknown tool" error result passes two of them), so
//! `tests/conformance_example/main.rs` checks the exact outputs defined here.
//!
//! Left out: nothing the suite 0.1.16 checks. Beyond it, the fixtures ignore `logging/setLevel`
//! (dispatch.rs accepts any level and the logging tool always sends `info`), never send
//! `notifications/resources/updated`, and do no real work.
//!
//! Layout: `media` (the PNG, the WAV, content items), `content_tools`, `stream_tools` (logging,
//! progress, reconnection), `client_tools` (sampling, elicitation), `mrtr_tools` (the 2026-07-28
//! `input-required-result-*` fixtures of the 0.2.0-alpha.12 suite), `resource_fixtures`,
//! `prompt_fixtures`.

pub mod client_tools;
pub mod content_tools;
pub mod media;
pub mod mrtr_tools;
pub mod prompt_fixtures;
pub mod resource_fixtures;
pub mod stream_tools;

use streamable_mcp::mcp::catalog::Catalog;

/// Everything the conformance suite calls, reads or gets.
pub static CONFORMANCE: Catalog = Catalog {
    // The name the suite's reference servers use, so logs of both read alike.
    name: "mcp-conformance-test-server",
    title: "MCP conformance fixtures (streamable-mcp example)",
    instructions: "Fixture tools, resources and prompts for the MCP conformance suite. Each one \
returns fixed content; none of them does real work.",
    tools: &[
        content_tools::SIMPLE_TEXT,
        content_tools::IMAGE_CONTENT,
        content_tools::AUDIO_CONTENT,
        content_tools::EMBEDDED_RESOURCE,
        content_tools::MULTIPLE_CONTENT_TYPES,
        stream_tools::WITH_LOGGING,
        stream_tools::WITH_PROGRESS,
        content_tools::ERROR_HANDLING,
        client_tools::SAMPLING,
        client_tools::ELICITATION,
        client_tools::ELICITATION_DEFAULTS,
        client_tools::ELICITATION_ENUMS,
        content_tools::JSON_SCHEMA_2020_12,
        content_tools::CUSTOM_HEADER,
        stream_tools::RECONNECTION,
        mrtr_tools::ELICITATION,
        mrtr_tools::SAMPLING,
        mrtr_tools::LIST_ROOTS,
        mrtr_tools::REQUEST_STATE,
        mrtr_tools::MULTIPLE_INPUTS,
        mrtr_tools::MULTI_ROUND,
        mrtr_tools::TAMPERED_STATE,
        mrtr_tools::CAPABILITIES,
        mrtr_tools::MISSING_CAPABILITY,
        mrtr_tools::STREAMING_ELICITATION,
        mrtr_tools::LOGGING,
    ],
    resources: &[
        resource_fixtures::STATIC_TEXT,
        resource_fixtures::STATIC_BINARY,
        resource_fixtures::WATCHED,
    ],
    resource_templates: &[resource_fixtures::TEMPLATE],
    prompts: &[
        prompt_fixtures::SIMPLE,
        prompt_fixtures::WITH_ARGUMENTS,
        prompt_fixtures::WITH_EMBEDDED_RESOURCE,
        prompt_fixtures::WITH_IMAGE,
        prompt_fixtures::INPUT_REQUIRED,
    ],
    completions: true,
    alerts: None,
};
