//! Resources: data a server names by URI, for the client to read into a model's context.
//!
//! Implements MCP 2025-11-25 `server/resources`: §Listing Resources, §Reading Resources (text or
//! base64 `blob` contents), §Resource Templates (`resources/templates/list`, and reading a URI that
//! matches a template), §Subscriptions (`resources/subscribe` and `resources/unsubscribe` are
//! acknowledged), and the `-32002` "Resource not found" of §Error Handling. Like tools, resources
//! are plain data in the [`Catalog`](crate::mcp::catalog::Catalog): a URI, a name, a MIME type and a
//! function that produces the body.
//!
//! Left out:
//! - pagination: our lists are a handful of entries, so there is one page and never a `nextCursor`;
//! - `notifications/resources/updated`: our resources never change, so a subscription is
//!   acknowledged and never fires (nothing is remembered per session);
//! - `notifications/resources/list_changed`, `size`, `icons` and annotations;
//! - most of RFC 6570: templates may only use simple `{name}` expressions (no `{+path}`,
//!   `{?query}`, ...), and matched values are not percent-decoded.

use crate::jsonrpc::{ErrorObject, INVALID_PARAMS};
use serde_json::{json, Value};

/// The error code for a URI that names no resource. MCP picks it from the range JSON-RPC leaves
/// to applications (-32000 to -32099), so it lives here rather than in `jsonrpc.rs`.
pub const RESOURCE_NOT_FOUND: i64 = -32002;

/// What reading a resource gives.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    /// UTF-8 text, sent as `text`.
    Text(String),
    /// Binary data, already base64-encoded, sent as `blob`: JSON strings cannot carry raw bytes.
    Blob(String),
}

/// A resource with a fixed URI, as `resources/list` shows it.
#[derive(Debug)]
pub struct Resource {
    pub uri: &'static str,
    /// A short programmatic name; `title` is the one for people.
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub mime_type: &'static str,
    /// Produces the current body. A function and not a constant so that a resource could be
    /// computed at read time (a file, a clock) without changing this type.
    pub read: fn() -> Body,
}

/// A family of resources whose URIs follow one template, e.g. `test://template/{id}/data`.
#[derive(Debug)]
pub struct ResourceTemplate {
    pub uri_template: &'static str,
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub mime_type: &'static str,
    /// Produces the body of one URI from the values its `{name}` expressions matched.
    pub read: fn(&Variables) -> Body,
}

/// The values a URI gave a template's expressions, e.g. `id` → `"123"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Variables(Vec<(&'static str, String)>);

impl Variables {
    /// The value of expression `{name}`, if the template has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Resource {
    /// The resource as `resources/list` shows it.
    pub fn describe(&self) -> Value {
        json!({
            "uri": self.uri,
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "mimeType": self.mime_type
        })
    }
}

impl ResourceTemplate {
    /// The template as `resources/templates/list` shows it.
    pub fn describe(&self) -> Value {
        json!({
            "uriTemplate": self.uri_template,
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "mimeType": self.mime_type
        })
    }
}

/// One entry of a `contents` array: `{uri, mimeType, text}` or `{uri, mimeType, blob}`.
///
/// The same shape goes inside a `{"type": "resource"}` content item when a tool result or a prompt
/// embeds a resource, which is why it is public.
pub fn contents(uri: &str, mime_type: &str, body: &Body) -> Value {
    match body {
        Body::Text(text) => json!({ "uri": uri, "mimeType": mime_type, "text": text }),
        Body::Blob(blob) => json!({ "uri": uri, "mimeType": mime_type, "blob": blob }),
    }
}

/// Refuse a `cursor`: our lists have one page, so any cursor is one we never handed out.
///
/// # Errors
/// `-32602` when `params.cursor` is present.
// SPEC pagination: "Invalid cursors SHOULD result in an error with code -32602 (Invalid params)."
pub fn one_page(params: Option<&Value>) -> Result<(), ErrorObject> {
    match params.and_then(|p| p.get("cursor")) {
        None | Some(Value::Null) => Ok(()),
        Some(cursor) => Err(ErrorObject::new(
            INVALID_PARAMS,
            format!("Invalid params: unknown cursor {cursor} (this list has a single page)"),
        )),
    }
}

/// `resources/list`.
///
/// # Errors
/// `-32602` for a cursor (see [`one_page`]).
pub fn list(resources: &[Resource], params: Option<&Value>) -> Result<Value, ErrorObject> {
    one_page(params)?;
    Ok(json!({ "resources": resources.iter().map(Resource::describe).collect::<Vec<_>>() }))
}

/// `resources/templates/list`.
///
/// # Errors
/// `-32602` for a cursor (see [`one_page`]).
pub fn list_templates(
    templates: &[ResourceTemplate],
    params: Option<&Value>,
) -> Result<Value, ErrorObject> {
    one_page(params)?;
    Ok(json!({
        "resourceTemplates": templates.iter().map(ResourceTemplate::describe).collect::<Vec<_>>()
    }))
}

/// `resources/read`: a fixed resource first, then the first template the URI matches.
///
/// # Errors
/// `-32602` when `uri` is missing or not a string, `-32002` when it names nothing we have.
pub fn read(
    resources: &'static [Resource],
    templates: &'static [ResourceTemplate],
    params: Option<&Value>,
) -> Result<Value, ErrorObject> {
    let uri = uri_param(params)?;
    if let Some(r) = resources.iter().find(|r| r.uri == uri) {
        return Ok(json!({ "contents": [contents(uri, r.mime_type, &(r.read)())] }));
    }
    for t in templates {
        if let Some(vars) = match_template(t.uri_template, uri) {
            return Ok(json!({ "contents": [contents(uri, t.mime_type, &(t.read)(&vars))] }));
        }
    }
    Err(not_found(uri))
}

/// `resources/subscribe` and `resources/unsubscribe`: `{}` for a URI we could serve.
///
/// Our resources never change, so there is nothing to remember and nothing will ever be sent;
/// checking the URI still tells a client early that it made a typo.
///
/// # Errors
/// As [`read`]: `-32602` without a string `uri`, `-32002` for a URI we do not have.
pub fn subscribe(
    resources: &'static [Resource],
    templates: &'static [ResourceTemplate],
    params: Option<&Value>,
) -> Result<Value, ErrorObject> {
    let uri = uri_param(params)?;
    let known = resources.iter().any(|r| r.uri == uri)
        || templates
            .iter()
            .any(|t| match_template(t.uri_template, uri).is_some());
    if known {
        Ok(json!({}))
    } else {
        Err(not_found(uri))
    }
}

// SPEC resources#security-considerations: "Servers MUST validate all resource URIs"
// We never turn a URI into a file path or a query: it is only compared with the catalog's URIs and
// templates. So validating it means: a string (else -32602), and one we know (else -32002).
fn uri_param(params: Option<&Value>) -> Result<&str, ErrorObject> {
    params
        .and_then(|p| p.get("uri"))
        .and_then(Value::as_str)
        .ok_or_else(|| ErrorObject::new(INVALID_PARAMS, "Invalid params: \"uri\" must be a string"))
}

fn not_found(uri: &str) -> ErrorObject {
    ErrorObject {
        code: RESOURCE_NOT_FOUND,
        message: format!("Resource not found: {uri}"),
        // The spec's example error carries the URI as data, so a program need not parse the text.
        data: Some(json!({ "uri": uri })),
    }
}

/// Match `uri` against a template made of literal text and `{name}` expressions (RFC 6570 level 1).
///
/// A value is the non-empty run of characters up to the next literal character of the template,
/// and never holds a `/`: level-1 expansion percent-encodes `/`, so a raw one ends the value.
/// `test://template/{id}/data` matches `test://template/123/data` with `id` = `"123"`.
///
/// # Why not a regex or a URI-template crate?
/// Level 1 needs ten lines, and a student can follow them; the crates support all four levels
/// and the reverse direction, which we never use.
pub fn match_template(template: &'static str, uri: &str) -> Option<Variables> {
    let mut vars = Vec::new();
    let (mut t, mut u) = (template, uri);
    while let Some(open) = t.find('{') {
        u = u.strip_prefix(&t[..open])?;
        let close = open + t[open..].find('}')?;
        let name = &t[open + 1..close];
        t = &t[close + 1..];
        let stop = t.chars().next();
        let end = u.find(|c| c == '/' || Some(c) == stop).unwrap_or(u.len());
        if end == 0 {
            return None;
        }
        vars.push((name, u[..end].to_string()));
        u = &u[end..];
    }
    // What follows the last expression must be the rest of the URI, exactly.
    (t == u).then_some(Variables(vars))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello() -> Body {
        Body::Text("hello".into())
    }
    fn dot() -> Body {
        Body::Blob("AA==".into())
    }
    fn item(vars: &Variables) -> Body {
        Body::Text(format!("item {}", vars.get("id").unwrap_or("?")))
    }

    static RESOURCES: &[Resource] = &[
        Resource {
            uri: "test://hello",
            name: "hello",
            title: "Hello",
            description: "A greeting",
            mime_type: "text/plain",
            read: hello,
        },
        Resource {
            uri: "test://dot",
            name: "dot",
            title: "Dot",
            description: "One byte",
            mime_type: "application/octet-stream",
            read: dot,
        },
    ];
    static TEMPLATES: &[ResourceTemplate] = &[ResourceTemplate {
        uri_template: "test://items/{id}/data",
        name: "item",
        title: "Item",
        description: "An item by id",
        mime_type: "text/plain",
        read: item,
    }];

    fn read_uri(uri: &str) -> Result<Value, ErrorObject> {
        read(RESOURCES, TEMPLATES, Some(&json!({ "uri": uri })))
    }

    #[test]
    fn template_matches_simple_expressions_only_within_one_segment() {
        let vars = match_template("test://items/{id}/data", "test://items/123/data").unwrap();
        assert_eq!(vars.get("id"), Some("123"));
        assert_eq!(vars.get("other"), None);
        for miss in [
            "test://items//data",
            "test://items/1/2/data",
            "test://items/1/dat",
            "test://things/1/data",
        ] {
            assert!(
                match_template("test://items/{id}/data", miss).is_none(),
                "{miss}"
            );
        }
        let two = match_template("x://{a}-{b}", "x://left-right").unwrap();
        assert_eq!((two.get("a"), two.get("b")), (Some("left"), Some("right")));
    }

    #[test]
    fn read_gives_text_or_blob_contents_with_uri_and_mime_type() {
        let text = read_uri("test://hello").unwrap();
        assert_eq!(
            text["contents"][0],
            json!({"uri": "test://hello", "mimeType": "text/plain", "text": "hello"})
        );
        let blob = read_uri("test://dot").unwrap();
        assert_eq!(blob["contents"][0]["blob"], "AA==");
        assert!(blob["contents"][0].get("text").is_none());
    }

    #[test]
    fn read_of_a_template_uri_passes_the_matched_values() {
        let r = read_uri("test://items/42/data").unwrap();
        assert_eq!(r["contents"][0]["uri"], "test://items/42/data");
        assert_eq!(r["contents"][0]["text"], "item 42");
    }

    #[test]
    fn unknown_uri_is_32002_with_the_uri_as_data_and_missing_uri_is_32602() {
        let e = read_uri("test://nope").unwrap_err();
        assert_eq!(e.code, RESOURCE_NOT_FOUND);
        assert_eq!(e.data, Some(json!({"uri": "test://nope"})));
        assert_eq!(
            read(RESOURCES, TEMPLATES, Some(&json!({"uri": 5})))
                .unwrap_err()
                .code,
            INVALID_PARAMS
        );
        assert_eq!(
            read(RESOURCES, TEMPLATES, None).unwrap_err().code,
            INVALID_PARAMS
        );
    }

    #[test]
    fn subscribe_acknowledges_known_uris_only() {
        let sub = |uri: &str| subscribe(RESOURCES, TEMPLATES, Some(&json!({ "uri": uri })));
        assert_eq!(sub("test://hello").unwrap(), json!({}));
        assert_eq!(sub("test://items/7/data").unwrap(), json!({}));
        assert_eq!(sub("test://nope").unwrap_err().code, RESOURCE_NOT_FOUND);
    }

    #[test]
    fn lists_describe_every_entry_and_refuse_cursors() {
        let l = list(RESOURCES, None).unwrap();
        assert_eq!(l["resources"].as_array().unwrap().len(), 2);
        assert_eq!(l["resources"][0]["mimeType"], "text/plain");
        assert!(l.get("nextCursor").is_none());
        let t = list_templates(TEMPLATES, Some(&json!({}))).unwrap();
        assert_eq!(
            t["resourceTemplates"][0]["uriTemplate"],
            "test://items/{id}/data"
        );
        let e = list(RESOURCES, Some(&json!({"cursor": "x"}))).unwrap_err();
        assert_eq!(e.code, INVALID_PARAMS);
    }
}
