//! The fixture prompts: plain, with arguments, with an embedded resource, and with an image.
//!
//! Implements the fixtures of the conformance suite's `prompts-*` and `completion-complete`
//! scenarios (MCP 2025-11-25 `server/prompts`, `server/utilities/completion`); `prompts.rs` in
//! the library does the listing and the argument checks, `completion.rs` the suggestions.

use super::media::{embedded_text, image_item};
use serde_json::Value;
use streamable_mcp::mcp::prompts::{user, Arguments, Prompt, PromptArgument, PromptQuestion};
use streamable_mcp::mcp::tools::text_item as text;

pub const SIMPLE: Prompt = Prompt {
    name: "test_simple_prompt",
    title: "Simple prompt",
    description: "A prompt without arguments: one user message.",
    arguments: &[],
    messages: |_| vec![user(text("This is a simple prompt for testing."))],
    asks: None,
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
    asks: None,
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
    asks: None,
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
    asks: None,
};

/// The prompt of the suite's `input-required-result-non-tool-request` scenario (2026-07-28): it
/// asks the user for its context (MRTR) when the request does not give it.
pub const INPUT_REQUIRED: Prompt = Prompt {
    name: "test_input_required_result_prompt",
    title: "Prompt that asks for input",
    description: "Asks the user for the context it should use, then quotes it.",
    arguments: &[PromptArgument {
        name: "context",
        description: "The context to use (asked for when left out)",
        required: false,
        suggestions: &[],
    }],
    messages: |args| {
        let context = args.get("context").unwrap_or("(none)");
        vec![user(text(&format!("Use this context: {context}")))]
    },
    asks: Some(PromptQuestion {
        key: "user_context",
        message: "What context should the prompt use?",
        argument: "context",
    }),
};
