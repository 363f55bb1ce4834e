//! The fixture prompts: plain, with arguments, with an embedded resource, and with an image.
//!
//! Implements the fixtures of the conformance suite's `prompts-*` and `completion-complete`
//! scenarios (MCP 2025-11-25 `server/prompts`, `server/utilities/completion`); `prompts.rs` in
//! the library does the listing and the argument checks, `completion.rs` the suggestions.

use super::media::{embedded_text, image_item};
use serde_json::Value;
use streamable_mcp::mcp::prompts::{user, Arguments, Prompt, PromptArgument};
use streamable_mcp::mcp::tools::text_item as text;

pub const SIMPLE: Prompt = Prompt {
    name: "test_simple_prompt",
    title: "Simple prompt",
    description: "A prompt without arguments: one user message.",
    arguments: &[],
    messages: |_| vec![user(text("This is a simple prompt for testing."))],
};

pub const WITH_ARGUMENTS: Prompt = Prompt {
    name: "test_prompt_with_arguments",
    title: "Prompt with arguments",
    description: "A prompt that quotes its two required arguments.",
    arguments: &[
        PromptArgument {
            name: "arg1",
            description: "First argument",
            required: true,
            // What completion/complete offers; the suite types "test".
            suggestions: &["testValue1", "testValue2", "example"],
        },
        PromptArgument {
            name: "arg2",
            description: "Second argument",
            required: true,
            suggestions: &[],
        },
    ],
    messages: with_arguments,
};

fn with_arguments(args: &Arguments) -> Vec<Value> {
    // Both are required, so prompts::get has checked they are there.
    let (arg1, arg2) = (
        args.get("arg1").unwrap_or_default(),
        args.get("arg2").unwrap_or_default(),
    );
    vec![user(text(&format!(
        "Prompt with arguments: arg1='{arg1}', arg2='{arg2}'"
    )))]
}

pub const WITH_EMBEDDED_RESOURCE: Prompt = Prompt {
    name: "test_prompt_with_embedded_resource",
    title: "Prompt with an embedded resource",
    description: "A prompt that embeds the text resource named by resourceUri, then asks about it.",
    arguments: &[PromptArgument {
        name: "resourceUri",
        description: "The URI the embedded resource gets",
        required: true,
        suggestions: &[],
    }],
    messages: with_embedded_resource,
};

fn with_embedded_resource(args: &Arguments) -> Vec<Value> {
    let uri = args.get("resourceUri").unwrap_or_default();
    vec![
        user(embedded_text(
            uri,
            "text/plain",
            "Embedded resource content for testing.",
        )),
        user(text("Please process the embedded resource above.")),
    ]
}

pub const WITH_IMAGE: Prompt = Prompt {
    name: "test_prompt_with_image",
    title: "Prompt with an image",
    description: "A prompt with an image (a 1x1 PNG), then a question about it.",
    arguments: &[],
    messages: |_| {
        vec![
            user(image_item()),
            user(text("Please analyze the image above.")),
        ]
    },
};
