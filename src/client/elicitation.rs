//! Answering the server's questions: `elicitation/create`, form mode.
//!
//! Implements the client side of MCP 2025-11-25 `client/elicitation` in form mode: the request's
//! `message` and `requestedSchema` read into Rust values a program (or a person) can answer, and
//! the three answers, `accept` with `content`, `decline` and `cancel`, turned into the result the
//! server reads. Sending that result (a POST of a JSON-RPC response, answered 202) is `channel.rs`'s
//! job; asking a person on a terminal is the CLI's (`src/bin/mcp-client/ask.rs`).
//!
//! Left out: URL mode (`"mode": "url"`, new in 2025-11-25), which we do not declare and answer
//! with `-32602`; multi-select (array) fields beyond reading their type; checking `content`
//! against `requestedSchema` (the server must check what it receives anyway, and ours does);
//! `default`, `format`, `minimum`/`maximum` and the other schema keywords.
//!
//! # Why a callback and not a return value of `call_tool`?
//! The question arrives in the middle of a call, and the server waits for the answer before it
//! can finish: the call cannot return first. A callback runs right there, while the stream is open.

use serde_json::{json, Map, Value};

/// What the client's user is asked to answer. `Send`, so a client can move to another thread.
pub type ElicitationHandler = Box<dyn FnMut(&ElicitRequest) -> ElicitAnswer + Send>;

/// An `elicitation/create` request in form mode, read.
#[derive(Debug, Clone, PartialEq)]
pub struct ElicitRequest {
    /// The question, for a person to read.
    pub message: String,
    /// The fields of `requestedSchema`, in the order the server wrote them.
    pub fields: Vec<Field>,
    /// `requestedSchema` itself, for handlers that want more than [`Field`] keeps.
    pub requested_schema: Value,
}

/// One property of `requestedSchema` (a flat object of primitive properties, by the spec's rule).
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The key the answer's `content` must use.
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// The JSON Schema `type`: `string`, `number`, `integer`, `boolean` (or `array`).
    pub kind: String,
    /// For an enumeration, the allowed values, in order; empty otherwise.
    pub choices: Vec<Choice>,
    /// Listed in the schema's `required`.
    pub required: bool,
}

/// One allowed value of an enumeration, and what to show for it.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub value: String,
    /// The title the schema gives the value, or the value itself.
    pub label: String,
}

/// The user's answer.
// SPEC elicitation: the answer's action is "accept" (with content matching requestedSchema), "decline" or "cancel".
#[derive(Debug, Clone, PartialEq)]
pub enum ElicitAnswer {
    /// The user answered; the map's keys are the field names.
    Accept(Map<String, Value>),
    /// The user said no.
    Decline,
    /// The user walked away without choosing (closed the dialog, or there was nobody to ask).
    Cancel,
}

impl ElicitRequest {
    /// Read the params of an `elicitation/create` request.
    ///
    /// # Errors
    /// A sentence for the `-32602` the client answers with: URL mode, no `message`, or a
    /// `requestedSchema` that is not an object with `properties`.
    pub fn from_params(params: Option<&Value>) -> Result<ElicitRequest, String> {
        let params = params.ok_or("elicitation/create needs params")?;
        let mode = params.get("mode").and_then(Value::as_str).unwrap_or("form");
        if mode != "form" {
            return Err(format!(
                "this client answers form mode only, not {mode:?} (it declared no other mode)"
            ));
        }
        let message = params
            .get("message")
            .and_then(Value::as_str)
            .ok_or("elicitation/create needs a \"message\"")?;
        let schema = params
            .get("requestedSchema")
            .filter(|s| s.is_object())
            .ok_or("elicitation/create needs a \"requestedSchema\" object")?;
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .ok_or("\"requestedSchema\" needs \"properties\"")?;
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let text = |p: &Value, key: &str| p.get(key).and_then(Value::as_str).map(str::to_string);
        let fields = properties
            .iter()
            .map(|(name, property)| Field {
                name: name.clone(),
                title: text(property, "title"),
                description: text(property, "description"),
                kind: text(property, "type").unwrap_or_else(|| "string".into()),
                choices: choices(property),
                required: required.contains(&name.as_str()),
            })
            .collect();
        Ok(ElicitRequest {
            message: message.to_string(),
            fields,
            requested_schema: schema.clone(),
        })
    }
}

/// The allowed values of an enumeration property: `enum` (labelled by the older `enumNames` when
/// present), or `oneOf` with a `const` and a `title` each (2025-11-25's titled enumeration).
fn choices(property: &Value) -> Vec<Choice> {
    let as_text = |v: &Value| {
        v.as_str()
            .map(str::to_string)
            .unwrap_or_else(|| v.to_string())
    };
    if let Some(values) = property.get("enum").and_then(Value::as_array) {
        let names = property.get("enumNames").and_then(Value::as_array);
        return values
            .iter()
            .enumerate()
            .map(|(i, v)| Choice {
                value: as_text(v),
                label: names
                    .and_then(|n| n.get(i))
                    .and_then(Value::as_str)
                    .map_or_else(|| as_text(v), str::to_string),
            })
            .collect();
    }
    let Some(options) = property.get("oneOf").and_then(Value::as_array) else {
        return Vec::new();
    };
    options
        .iter()
        .filter_map(|option| {
            let value = as_text(option.get("const")?);
            let label = option.get("title").and_then(Value::as_str);
            Some(Choice {
                label: label.map_or_else(|| value.clone(), str::to_string),
                value,
            })
        })
        .collect()
}

impl ElicitAnswer {
    /// The `result` of the JSON-RPC response that carries this answer.
    pub fn to_result(&self) -> Value {
        match self {
            ElicitAnswer::Accept(content) => json!({ "action": "accept", "content": content }),
            ElicitAnswer::Decline => json!({ "action": "decline" }),
            ElicitAnswer::Cancel => json!({ "action": "cancel" }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The question our weather server asks about "Springfield".
    fn springfield() -> Value {
        json!({
            "message": "\"Springfield\" matches 2 cities. Which one do you mean?",
            "requestedSchema": {
                "type": "object",
                "properties": {
                    "city": { "type": "string", "title": "City", "enum": ["Springfield, IL", "Springfield, MO"] },
                    "note": { "type": "string" }
                },
                "required": ["city"]
            }
        })
    }

    #[test]
    fn a_form_request_is_read_into_fields_with_choices_in_order() {
        let request = ElicitRequest::from_params(Some(&springfield())).unwrap();
        assert!(request.message.starts_with("\"Springfield\""));
        let names: Vec<&str> = request.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["city", "note"]);
        let city = &request.fields[0];
        assert!(city.required);
        assert_eq!(city.title.as_deref(), Some("City"));
        assert_eq!(city.choices[1].value, "Springfield, MO");
        assert!(!request.fields[1].required);
        assert!(request.fields[1].choices.is_empty());
    }

    #[test]
    fn titled_choices_come_from_one_of_and_enum_names() {
        let titled = json!({"oneOf": [{"const": "il", "title": "Illinois"}, {"const": "mo"}]});
        let got = choices(&titled);
        assert_eq!(
            (got[0].value.as_str(), got[0].label.as_str()),
            ("il", "Illinois")
        );
        assert_eq!(got[1].label, "mo");
        let legacy = json!({"enum": ["il"], "enumNames": ["Illinois"]});
        assert_eq!(choices(&legacy)[0].label, "Illinois");
    }

    #[test]
    fn url_mode_and_malformed_requests_are_refused_with_a_reason() {
        let url = json!({"mode": "url", "message": "m", "url": "https://x", "elicitationId": "1"});
        assert!(ElicitRequest::from_params(Some(&url))
            .unwrap_err()
            .contains("form mode only"));
        assert!(ElicitRequest::from_params(None).is_err());
        assert!(ElicitRequest::from_params(Some(&json!({"message": "m"}))).is_err());
    }

    // SPEC elicitation: the answer's action is "accept" (with content), "decline" or "cancel".
    #[test]
    fn answers_become_the_three_actions() {
        let mut content = Map::new();
        content.insert("city".into(), json!("Springfield, IL"));
        assert_eq!(
            ElicitAnswer::Accept(content).to_result(),
            json!({"action": "accept", "content": {"city": "Springfield, IL"}})
        );
        assert_eq!(
            ElicitAnswer::Decline.to_result(),
            json!({"action": "decline"})
        );
        assert_eq!(
            ElicitAnswer::Cancel.to_result(),
            json!({"action": "cancel"})
        );
    }
}
