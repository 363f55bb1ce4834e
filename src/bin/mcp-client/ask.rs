//! `mcp-client`'s way to answer a server's question: ask the person at the terminal.
//!
//! Implements the user-facing rules of MCP 2025-11-25 `client/elicitation` for a command line:
//! say which server asks and what, list an enumeration's choices numbered, read one line per
//! field, give plain ways to decline and to cancel, and (when a person is typing) show the answer
//! for review before it is sent, with a way back to change it.
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
use streamable_mcp::client::{ElicitAnswer, ElicitRequest, Field};

/// What the person answered for one field.
enum Typed {
    Value(Value),
    /// An optional field left empty.
    Skip,
    Decline,
    Cancel,
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
        for field in &question.fields {
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
