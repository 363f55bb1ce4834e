//! Fixture tools that only return content: one per content type, an error result, and a tool
//! whose `inputSchema` must survive `tools/list` untouched.
//!
//! Implements the fixtures of the conformance suite's `tools-call-*` scenarios (MCP 2025-11-25
//! `server/tools` §Tool Result: text, image, audio and embedded-resource content, and `isError`)
//! and of the pending `json-schema-2020-12` scenario (§Tool: `inputSchema` defaults to JSON
//! Schema 2020-12), and a tool with an `x-mcp-header` input for the pending
//! `http-custom-header-server-validation` scenario (MCP 2026-07-28 `basic/transports/streamable-http`
//! §Custom Headers from Tool Parameters). Names and texts are exactly the ones the suite's reference servers use.

use super::media::{audio_item, embedded_text, image_item};
use serde_json::{json, Map, Value};
use streamable_mcp::mcp::tools::Stop;
use streamable_mcp::mcp::tools::{text_item, Context, Tool, ToolResult};

/// The schema of a tool without arguments.
pub fn no_arguments() -> Value {
    json!({ "type": "object", "properties": {} })
}

/// A tool without arguments. The tools below pass closures as `run`: a closure that captures
/// nothing is a plain `fn`, so it can sit in a `const` and keep each text next to its tool's name.
const fn fixed(
    name: &'static str,
    title: &'static str,
    description: &'static str,
    run: fn(&Map<String, Value>, &Context) -> Result<ToolResult, Stop>,
) -> Tool {
    Tool {
        name,
        title,
        description,
        input_schema: no_arguments,
        output_schema: None,
        read_only: true,
        run,
    }
}

pub const SIMPLE_TEXT: Tool = fixed(
    "test_simple_text",
    "Simple text",
    "Returns one text item.",
    |_, _| {
        Ok(ToolResult::content(vec![text_item(
            "This is a simple text response for testing.",
        )]))
    },
);

pub const IMAGE_CONTENT: Tool = fixed(
    "test_image_content",
    "Image content",
    "Returns one image item (a 1x1 PNG).",
    |_, _| Ok(ToolResult::content(vec![image_item()])),
);

pub const AUDIO_CONTENT: Tool = fixed(
    "test_audio_content",
    "Audio content",
    "Returns one audio item (a tiny WAV).",
    |_, _| Ok(ToolResult::content(vec![audio_item()])),
);

pub const EMBEDDED_RESOURCE: Tool = fixed(
    "test_embedded_resource",
    "Embedded resource",
    "Returns one embedded text resource.",
    |_, _| {
        Ok(ToolResult::content(vec![embedded_text(
            "test://embedded-resource",
            "text/plain",
            "This is an embedded resource content.",
        )]))
    },
);

pub const MULTIPLE_CONTENT_TYPES: Tool = fixed(
    "test_multiple_content_types",
    "Mixed content",
    "Returns a text, an image and an embedded JSON resource, in that order.",
    |_, _| {
        Ok(ToolResult::content(vec![
            text_item("Multiple content types test:"),
            image_item(),
            embedded_text(
                "test://mixed-content-resource",
                "application/json",
                r#"{"test":"data","value":123}"#,
            ),
        ]))
    },
);

/// A failure reported *in* the result, where the model can read it, not as a JSON-RPC error.
pub const ERROR_HANDLING: Tool = fixed(
    "test_error_handling",
    "Error result",
    "Always fails, with isError: true and a text explaining so.",
    |_, _| {
        Ok(ToolResult::error(
            "This tool intentionally returns an error for testing".into(),
        ))
    },
);

/// A tool whose schema uses JSON Schema 2020-12 keywords (`$schema`, `$defs`, `$ref`,
/// `additionalProperties`). `tools/list` must pass it on verbatim; serde_json's `preserve_order`
/// feature (see Cargo.toml) even keeps its key order.
pub const JSON_SCHEMA_2020_12: Tool = Tool {
    name: "json_schema_2020_12_tool",
    title: "JSON Schema 2020-12",
    description:
        "Takes a name and an address described with JSON Schema 2020-12 $defs; echoes them.",
    input_schema: schema_2020_12,
    output_schema: None,
    read_only: true,
    run: |args, _| {
        Ok(ToolResult::content(vec![text_item(&format!(
            "JSON Schema 2020-12 tool called with: {}",
            Value::Object(args.clone())
        ))]))
    },
};

fn schema_2020_12() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "address": {
                "type": "object",
                "properties": {
                    "street": { "type": "string" },
                    "city": { "type": "string" }
                }
            }
        },
        "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" }
        },
        "additionalProperties": false
    })
}

/// A tool with one input mirrored into a header (`x-mcp-header`): a modern request must carry
/// `Mcp-Param-Region` equal to `arguments.region`, and the server refuses it otherwise (the check
/// is the transport's, `src/server/header_values.rs`; the tool only echoes).
pub const CUSTOM_HEADER: Tool = Tool {
    name: "test_custom_header",
    title: "Custom header",
    description: "Echoes its region, which a 2026-07-28 request also sends as Mcp-Param-Region.",
    input_schema: || {
        json!({
            "type": "object",
            "properties": {
                "region": { "type": "string", "x-mcp-header": "Region" },
                "query": { "type": "string" }
            },
            "required": ["region"]
        })
    },
    output_schema: None,
    read_only: true,
    run: |args, _| {
        let region = args.get("region").and_then(Value::as_str).unwrap_or("");
        Ok(ToolResult::content(vec![text_item(&format!(
            "region: {region}"
        ))]))
    },
};
