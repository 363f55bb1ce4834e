//! The fixture resources: two static ones (text and binary), one to subscribe to, and a template.
//!
//! Implements the fixtures of the conformance suite's `resources-*` scenarios (MCP 2025-11-25
//! `server/resources`); `resources.rs` in the library does the listing, reading and matching.

use super::media::PNG_BASE64;
use serde_json::json;
use streamable_mcp::mcp::resources::{Body, Resource, ResourceTemplate, Variables};

pub const STATIC_TEXT: Resource = Resource {
    uri: "test://static-text",
    name: "static-text",
    title: "Static text",
    description: "A fixed text resource.",
    mime_type: "text/plain",
    read: || Body::Text("This is the content of the static text resource.".into()),
};

pub const STATIC_BINARY: Resource = Resource {
    uri: "test://static-binary",
    name: "static-binary",
    title: "Static binary",
    description: "A fixed binary resource (a 1x1 PNG), read as a base64 blob.",
    mime_type: "image/png",
    read: || Body::Blob(PNG_BASE64.into()),
};

/// The suite subscribes to this one. It never changes, so no update notification ever follows.
pub const WATCHED: Resource = Resource {
    uri: "test://watched-resource",
    name: "watched-resource",
    title: "Watched resource",
    description: "A resource to subscribe to (it never changes).",
    mime_type: "text/plain",
    read: || Body::Text("Watched resource content".into()),
};

/// `test://template/123/data` reads as a small JSON document about item 123.
pub const TEMPLATE: ResourceTemplate = ResourceTemplate {
    uri_template: "test://template/{id}/data",
    name: "template-data",
    title: "Data by id",
    description: "A JSON document for any id, e.g. test://template/123/data.",
    mime_type: "application/json",
    read: template_data,
};

fn template_data(vars: &Variables) -> Body {
    // The template has an `{id}`, so a URI that matched it always has one.
    let id = vars.get("id").unwrap_or_default();
    let document = json!({ "id": id, "templateTest": true, "data": format!("Data for ID: {id}") });
    Body::Text(document.to_string())
}
