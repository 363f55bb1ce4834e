//! `mcp-client`'s way to answer a server's question: ask the person at the terminal.
//!
//! Implements the user-facing rules of MCP 2025-11-25 `client/elicitation` for a command line:
//! say which server asks and what, list an enumeration's choices numbered, read one line per
//! field, give plain ways to decline and to cancel, and (when a person is typing) show the answer
//! for review before it is sent, with a way back to change it.
//!
//! The library hands over `requestedSchema` as it came; reading its properties into fields with
//! numbered choices (`enum`, with the older `enumNames` labels, or 2025-11-25's titled `oneOf`) is
//! this UI's business, so it is done here.
//!
//! Pure: it reads a `&mut dyn BufRead` and writes a `&mut dyn Write`. The binary passes stdin and
//! stderr (stderr, so that `--json` keeps stdout for JSON-RPC lines); tests pass strings.
//!
//! Left out: multi-select fields (an `array` field takes a JSON value typed in), defaults, and
//! checking a `string` against its `format`; the server checks what it receives anyway.
//!
//! # What a line means
//! | typed | meaning |
//! |---|---|
//! | a number | that choice of an enumeration (`2` is the second) |
//! | anything else | the value itself (a choice's value or label, any case; or a free value) |
//! | an empty line | skip an optional field; **decline** when the field is required |
//! | end of input (Ctrl-D, or a closed pipe) | **cancel**: nobody is there to answer |

use serde_json::{Map, Value};
use std::io::{BufRead, Write};
use streamable_mcp::client::{ElicitAnswer, ElicitRequest};

/// What the person answered for one field.
enum Typed {
    Value(Value),
    /// An optional field left empty.
    Skip,
    Decline,
    Cancel,
}

/// One property of `requestedSchema` (a flat object of primitive properties, by the spec's rule).
#[derive(Debug, Clone, PartialEq)]
struct Field {
    /// The key the answer's `content` must use.
    name: String,
    title: Option<String>,
    description: Option<String>,
    /// The JSON Schema `type`: `string`, `number`, `integer`, `boolean` (or `array`).
    kind: String,
    /// For an enumeration, the allowed values, in order; empty otherwise.
    choices: Vec<Choice>,
    /// Listed in the schema's `required`.
    required: bool,
}

/// One allowed value of an enumeration, and what to show for it.
#[derive(Debug, Clone, PartialEq)]
struct Choice {
    value: String,
    /// The title the schema gives the value, or the value itself.
    label: String,
}

/// The fields of `requestedSchema`, in the order the server wrote them. (`from_params` in the
/// library has checked that it is an object with `properties`.)
fn fields(schema: &Value) -> Vec<Field> {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return Vec::new();
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let text = |p: &Value, key: &str| p.get(key).and_then(Value::as_str).map(str::to_string);
    properties
        .iter()
        .map(|(name, property)| Field {
            name: name.clone(),
            title: text(property, "title"),
            description: text(property, "description"),
            kind: text(property, "type").unwrap_or_else(|| "string".into()),
            choices: choices(property),
            required: required.contains(&name.as_str()),
        })
        .collect()
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

/// Ask `question`, from `server` (a name or URL, so the person knows who asks).
///
/// `interactive` says a person is typing (stdin is a terminal): the answer is then shown for
/// review and sent only once confirmed. Otherwise (a pipe) nobody could review anything, so it is
/// sent at once, and each line read is echoed, so that a log shows what was answered.
// SPEC elicitation: clients MUST "Provide UI that makes it clear which server is requesting information" and "Respect user privacy and provide clear decline and cancel options"
pub fn ask(
    server: &str,
    question: &ElicitRequest,
    interactive: bool,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> ElicitAnswer {
    say(output, &format!("{server} asks: {}", question.message));
    loop {
        let mut content = Map::new();
        for field in &fields(&question.requested_schema) {
            match ask_field(field, !interactive, input, output) {
                Typed::Value(value) => {
                    content.insert(field.name.clone(), value);
                }
                Typed::Skip => {}
                Typed::Decline => return ElicitAnswer::Decline,
                Typed::Cancel => return ElicitAnswer::Cancel,
            }
        }
        if !interactive {
            return ElicitAnswer::Accept(content);
        }
        // SPEC elicitation: for form mode, clients MUST "allow users to review and modify their responses before sending"
        let shown = Value::Object(content.clone());
        prompt(
            output,
            &format!("Send {shown}? [Y]es, [e]dit, [n]o (decline): "),
        );
        match read_line(input).as_deref().map(str::to_ascii_lowercase) {
            None => return ElicitAnswer::Cancel,
            Some(yes) if ["", "y", "yes"].contains(&yes.as_str()) => {
                return ElicitAnswer::Accept(content)
            }
            Some(no) if ["n", "no"].contains(&no.as_str()) => return ElicitAnswer::Decline,
            Some(_) => {} // "e", or anything else: ask the fields again
        }
    }
}

/// Ask for one field until the line makes sense, or the person declines or leaves. With `echo`,
/// each line read is written back (a terminal echoes what a person types; a pipe does not).
fn ask_field(field: &Field, echo: bool, input: &mut dyn BufRead, output: &mut dyn Write) -> Typed {
    let name = field.title.as_deref().unwrap_or(&field.name);
    match &field.description {
        Some(description) => say(output, &format!("{name} ({description}):")),
        None => say(output, &format!("{name}:")),
    }
    for (n, choice) in field.choices.iter().enumerate() {
        say(output, &format!("  {}) {}", n + 1, choice.label));
    }
    let what = if field.choices.is_empty() {
        format!("a {}", field.kind)
    } else {
        format!("1-{} or a value", field.choices.len())
    };
    let empty = if field.required { "decline" } else { "skip" };
    loop {
        prompt(
            output,
            &format!("Enter {what} (empty line: {empty}, Ctrl-D: cancel): "),
        );
        let Some(line) = read_line(input) else {
            if echo {
                say(output, "(end of input)");
            }
            return Typed::Cancel;
        };
        if echo {
            say(output, &line);
        }
        if line.is_empty() {
            return if field.required {
                Typed::Decline
            } else {
                Typed::Skip
            };
        }
        match parse(field, &line) {
            Ok(value) => return Typed::Value(value),
            Err(why) => say(output, &format!("  {why}; try again.")),
        }
    }
}

/// One typed line as the field's value.
fn parse(field: &Field, text: &str) -> Result<Value, String> {
    if !field.choices.is_empty() {
        if let Ok(n) = text.parse::<usize>() {
            return match field.choices.get(n.wrapping_sub(1)) {
                Some(choice) => Ok(Value::String(choice.value.clone())),
                None => Err(format!("{n} is not between 1 and {}", field.choices.len())),
            };
        }
        let lower = text.to_lowercase();
        return field
            .choices
            .iter()
            .find(|c| c.value.to_lowercase() == lower || c.label.to_lowercase() == lower)
            .map(|c| Value::String(c.value.clone()))
            .ok_or_else(|| format!("{text:?} is not one of the choices"));
    }
    match field.kind.as_str() {
        "string" => Ok(Value::String(text.to_string())),
        "boolean" => match text.to_ascii_lowercase().as_str() {
            "y" | "yes" | "true" => Ok(Value::Bool(true)),
            "n" | "no" | "false" => Ok(Value::Bool(false)),
            _ => Err("answer yes or no".into()),
        },
        "integer" => text
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| format!("{text:?} is not a whole number")),
        "number" => match serde_json::from_str::<Value>(text) {
            Ok(number @ Value::Number(_)) => Ok(number),
            _ => Err(format!("{text:?} is not a number")),
        },
        // Anything else (an array of choices, say): JSON when it parses, else the text.
        _ => Ok(serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))),
    }
}

/// A trimmed line, or `None` at the end of input (or when input fails: nobody can answer then).
fn read_line(input: &mut dyn BufRead) -> Option<String> {
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_string()),
    }
}

/// Write a line. A terminal that cannot be written to is no reason to fail the call: the person
/// then sees nothing, and their answer (or the end of input) still decides.
fn say(output: &mut dyn Write, text: &str) {
    let _ = writeln!(output, "{text}");
}

/// Write a prompt without a newline, flushed so that it shows before we wait for the line.
fn prompt(output: &mut dyn Write, text: &str) {
    let _ = write!(output, "{text}");
    let _ = output.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Cursor;

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
        let fields = fields(&request.requested_schema);
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["city", "note"]);
        let city = &fields[0];
        assert!(city.required);
        assert_eq!(city.title.as_deref(), Some("City"));
        assert_eq!(city.choices[1].value, "Springfield, MO");
        assert!(!fields[1].required);
        assert!(fields[1].choices.is_empty());
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

    fn question() -> ElicitRequest {
        let params = json!({
            "message": "Which one?",
            "requestedSchema": {"type": "object", "properties": {
                "city": {"type": "string", "title": "City", "enum": ["Springfield, IL", "Springfield, MO"]},
                "days": {"type": "integer"}
            }, "required": ["city"]}
        });
        ElicitRequest::from_params(Some(&params)).unwrap()
    }

    fn run(typed: &str, interactive: bool) -> (ElicitAnswer, String) {
        let mut out = Vec::new();
        let answer = ask(
            "weather",
            &question(),
            interactive,
            &mut Cursor::new(typed.as_bytes().to_vec()),
            &mut out,
        );
        (answer, String::from_utf8(out).unwrap())
    }

    fn accepted(pairs: Value) -> ElicitAnswer {
        let Value::Object(map) = pairs else { panic!() };
        ElicitAnswer::Accept(map)
    }

    #[test]
    fn the_server_the_question_and_numbered_choices_are_shown() {
        let (_, shown) = run("", false);
        assert!(
            shown.starts_with("weather asks: Which one?\nCity:\n"),
            "{shown}"
        );
        assert!(shown.contains("  1) Springfield, IL\n  2) Springfield, MO\n"));
        assert!(shown.contains("empty line: decline, Ctrl-D: cancel"));
    }

    #[test]
    fn a_number_or_a_value_picks_a_choice_and_an_optional_field_may_be_skipped() {
        assert_eq!(
            run("2\n\n", false).0,
            accepted(json!({"city": "Springfield, MO"}))
        );
        assert_eq!(
            run("springfield, il\n3\n", false).0,
            accepted(json!({"city": "Springfield, IL", "days": 3}))
        );
    }

    #[test]
    fn a_bad_line_is_asked_again_and_piped_lines_are_echoed() {
        let (answer, shown) = run("7\nParis\n1\nmany\n2\n", false);
        assert!(shown.contains("Ctrl-D: cancel): 7\n"), "{shown}");
        assert_eq!(
            answer,
            accepted(json!({"city": "Springfield, IL", "days": 2}))
        );
        assert!(shown.contains("7 is not between 1 and 2; try again."));
        assert!(shown.contains("\"Paris\" is not one of the choices"));
        assert!(shown.contains("\"many\" is not a whole number"));
    }

    #[test]
    fn an_empty_required_field_declines_and_end_of_input_cancels() {
        assert_eq!(run("\n", false).0, ElicitAnswer::Decline);
        assert_eq!(run("", false).0, ElicitAnswer::Cancel);
        assert_eq!(run("1\n", false).0, ElicitAnswer::Cancel, "EOF at days");
    }

    #[test]
    fn with_review_the_answer_is_sent_only_when_confirmed_and_can_be_edited() {
        let (answer, shown) = run("1\n\ne\n2\n\n\n", true);
        assert_eq!(answer, accepted(json!({"city": "Springfield, MO"})));
        assert!(shown.contains("Send {\"city\":\"Springfield, IL\"}? [Y]es, [e]dit"));
        assert_eq!(run("1\n\nn\n", true).0, ElicitAnswer::Decline);
        assert_eq!(run("1\n\n", true).0, ElicitAnswer::Cancel);
    }
}
