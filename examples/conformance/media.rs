//! The fixed media of the fixtures, and the content items that carry them.
//!
//! Implements the content types of MCP 2025-11-25 `server/tools` §Tool Result (image, audio,
//! embedded resource) as small constructors; text items come from the library
//! (`tools::text_item`). Binary data is stored already base64-encoded: the fixtures never need
//! the bytes, and it keeps a base64 crate out of the dependencies.

use serde_json::{json, Value};
use streamable_mcp::mcp::resources::{contents, Body};

/// A 1×1 pixel PNG, base64-encoded.
pub const PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

/// A WAV header (mono, 8 kHz, 16-bit), base64-encoded. Its data chunk announces one sample whose
/// two bytes are not there: the smallest thing that looks like a WAV to a client that checks the
/// MIME type and the magic numbers, which is all the suite does.
pub const WAV_BASE64: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

// SPEC prompts#image-content: "The image data MUST be base64-encoded and include a valid MIME type."
// (The same holds for image and audio content in tool results.)
pub fn image_item() -> Value {
    json!({ "type": "image", "data": PNG_BASE64, "mimeType": "image/png" })
}

pub fn audio_item() -> Value {
    json!({ "type": "audio", "data": WAV_BASE64, "mimeType": "audio/wav" })
}

/// A `resource` content item: a resource's contents carried inside a result or a prompt.
// SPEC prompts#embedded-resources: embedded resources "MUST include: A valid resource URI, The appropriate MIME type, Either text content or base64-encoded blob data"
pub fn embedded_text(uri: &str, mime_type: &str, text: &str) -> Value {
    json!({ "type": "resource", "resource": contents(uri, mime_type, &Body::Text(text.to_string())) })
}
