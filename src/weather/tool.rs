//! The `get_weather` and `list_cities` tools.
//!
//! Implements a tool in the sense of MCP 2025-11-25 `server/tools`: an `inputSchema`, an
//! `outputSchema` that its `structuredContent` matches, text `content` for the model, and `isError`
//! results for input the model can correct (2025-11-25 moved input validation errors from JSON-RPC
//! errors into tool results, so the model sees them and can retry).
//!
//! The work is simulated: the data set is offline (`cities.rs`) and each step sleeps for
//! `--step-delay-ms`, so that progress notifications have something to report, as in the tutorial.

use super::cities::{self, City, Lookup};
use crate::jsonrpc::Message;
use crate::mcp::tools::{Context, NoAnswer, Stop, Tool, ToolResult};
use serde_json::{json, Map, Value};

// LAB: lab 2 (add a tool): a tool is a `Tool` value like this one: a name, schemas, a `run` function.
pub const GET_WEATHER: Tool = Tool {
    name: "get_weather",
    title: "Current weather",
    description: "Get the current weather for a city from an offline data set. Case and accents do not \
matter (\"zurich\" finds Zürich). Reports progress while it works when the request carries a progress token.",
    input_schema: get_weather_input,
    output_schema: Some(get_weather_output),
    read_only: true,
    run: get_weather,
};

pub const LIST_CITIES: Tool = Tool {
    name: "list_cities",
    title: "Known cities",
    description: "List every city get_weather knows, as \"name, region, country\".",
    input_schema: list_cities_input,
    output_schema: Some(list_cities_output),
    read_only: true,
    run: list_cities,
};

fn get_weather_input() -> Value {
    json!({
        "type": "object",
        "properties": {
            "city": { "type": "string", "description": "City name, e.g. \"Hangzhou\", \"São Paulo\" or \"Springfield, Illinois\"" }
        },
        "required": ["city"]
    })
}

// LAB: lab 3 (structured output): a new field of the result is declared here, in `properties` and
// `required`...
fn get_weather_output() -> Value {
    json!({
        "type": "object",
        "properties": {
            "city": { "type": "string" },
            "region": { "type": "string" },
            "country": { "type": "string" },
            "temperature_c": { "type": "number" },
            "conditions": { "type": "string" },
            "humidity_percent": { "type": "integer" },
            "wind_kph": { "type": "number" }
        },
        "required": ["city", "region", "country", "temperature_c", "conditions", "humidity_percent", "wind_kph"]
    })
}

/// The three steps of a lookup; progress is reported as `step / STEPS`.
const STEPS: u32 = 3;

// ANCHOR: get_weather
fn get_weather(args: &Map<String, Value>, cx: &Context) -> Result<ToolResult, Stop> {
    // SPEC tools#security-considerations: "Servers MUST validate all tool inputs"
    let Some(query) = args.get("city").and_then(Value::as_str) else {
        return Ok(ToolResult::error(
            "The argument \"city\" is required and must be a string, for example {\"city\": \"Hangzhou\"}.".into(),
        ));
    };
    // The lookup is pure and instant, so it runs before anything is sent: a refusal can then
    // still be an HTTP status rather than an error at the end of a stream.
    let lookup = cities::lookup(query);
    // SPEC basic/index (2026-07-28): "If processing a request requires a capability the client did not include [...] the server MUST return a MissingRequiredClientCapabilityError"
    if matches!(lookup, Lookup::Ambiguous(_)) && !cx.can_elicit && cx.undeclared_is_refused {
        return Err(Stop::MissingCapability("elicitation"));
    }
    // Every `?` below is where a cancelled call stops: `progress` and `step` fail with `Stop` once
    // the client has cancelled (or nobody can read the rest), and the tool ends without a result.
    cx.progress(1, STEPS, &format!("Looking up {query}…"))?;
    cx.step()?;
    let city = match lookup {
        Lookup::Found(city) => city,
        // Two ways to settle "which Springfield?": ask the user now, if the client can answer
        // (it declared `elicitation`; the handshake era also needs a stream to ask on, 2026-07-28
        // sends the question back as an `input_required` result), or, in the handshake era, hand
        // the choice back to the model in an error result it can act on. Asking is friendlier;
        // the fallback always works. (2026-07-28 refused the call above instead.)
        Lookup::Ambiguous(candidates) if cx.can_elicit => {
            match ask_which(query, &candidates, cx)? {
                Ok(city) => city,
                Err(failure) => return Ok(failure),
            }
        }
        Lookup::Ambiguous(candidates) => return Ok(ambiguous(query, &candidates)),
        Lookup::NotFound { suggestions } => return Ok(not_found(query, &suggestions)),
    };
    cx.progress(2, STEPS, &format!("Reading the sky over {}…", city.name))?;
    cx.step()?;
    cx.progress(3, STEPS, &format!("Weather for {} ready", city.name))?;
    Ok(report(city))
}
// ANCHOR_END: get_weather

// LAB: lab 3 (structured output): ...and filled in here, from the city's numbers.
fn report(city: &City) -> ToolResult {
    let text = format!(
        "{}: {}, {:.1} °C, humidity {} %, wind {:.0} km/h",
        city.label(),
        city.conditions,
        city.temperature_c,
        city.humidity_percent,
        city.wind_kph
    );
    ToolResult::ok(
        text,
        json!({
            "city": city.name,
            "region": city.region,
            "country": city.country,
            "temperature_c": city.temperature_c,
            "conditions": city.conditions,
            "humidity_percent": city.humidity_percent,
            "wind_kph": city.wind_kph
        }),
    )
}

/// Ask the user, through the client, which city they meant: a server-to-client request in the
/// middle of a call, sent on the call's own stream, answered by a separate POST.
///
/// Returns the chosen city, or the result to give when there is none (declined, cancelled, no
/// answer in time, or an answer that is not one of the choices).
// SPEC elicitation: the client answers with action "accept" (with content), "decline" or "cancel"
fn ask_which(
    query: &str,
    candidates: &[&'static City],
    cx: &Context,
) -> Result<Result<&'static City, ToolResult>, Stop> {
    let labels: Vec<String> = candidates.iter().map(|c| c.label()).collect();
    let params = json!({
        "message": format!("\"{query}\" matches {} cities. Which one do you mean?", labels.len()),
        "requestedSchema": {
            "type": "object",
            "properties": {
                "city": { "type": "string", "title": "City", "enum": labels }
            },
            "required": ["city"]
        }
    });
    let failed = |why: String| {
        Ok(Err(ToolResult::error(format!(
            "{why} No weather was looked up."
        ))))
    };
    // `ask` blocks this worker thread until the client's POST with the answer arrives (or the
    // timeout, or a cancellation). That is why a call has a thread of its own.
    let answer = match cx
        .outbox
        .ask("elicitation/create", params, cx.answer_timeout)
    {
        Ok(Message::Response { result, .. }) => result,
        Ok(Message::Error { error, .. }) => {
            return failed(format!("The client could not ask: {}.", error.message))
        }
        Ok(_) => return failed("The client's answer was not a response.".into()),
        Err(NoAnswer::Stopped(stop)) => return Err(stop),
        Err(NoAnswer::TimedOut) => {
            let secs = cx.answer_timeout.as_secs_f32();
            return failed(format!(
                "No answer came within {secs} s to the question which \"{query}\" you meant."
            ));
        }
        Err(NoAnswer::Unreachable) => return Ok(Err(ambiguous(query, candidates))),
    };
    // The client's answer is input like any other: check that the chosen label is one we offered.
    match answer["action"].as_str() {
        Some("accept") => {
            let chosen = answer
                .pointer("/content/city")
                .and_then(Value::as_str)
                .unwrap_or("");
            match candidates.iter().find(|c| c.label() == chosen) {
                Some(city) => Ok(Ok(*city)),
                None => failed(format!("The answer {chosen:?} is not one of the choices.")),
            }
        }
        Some("decline") => failed("You declined to choose a city.".into()),
        _ => failed("The question was cancelled.".into()),
    }
}

/// The result for a name several cities share, when we cannot ask: an error result (not a
/// JSON-RPC error), so the model reads it and can call again with the region. Naming an example
/// in the text is what makes a model's second try succeed.
fn ambiguous(query: &str, candidates: &[&City]) -> ToolResult {
    let labels: Vec<String> = candidates.iter().map(|c| c.label()).collect();
    ToolResult::error(format!(
        "\"{query}\" is ambiguous; it could be: {}. Ask again with the region, for example \"{}, {}\".",
        labels.join("; "),
        candidates[0].name,
        candidates[0].region
    ))
}

/// The result for a city we do not know, with the nearest names when there are some. A production
/// tool would geocode instead; ours knows the table and says so, pointing at `list_cities`.
fn not_found(query: &str, suggestions: &[&str]) -> ToolResult {
    let hint = match suggestions {
        [] => "Call list_cities to see the cities this server knows.".to_string(),
        some => format!("Did you mean: {}?", some.join(", ")),
    };
    ToolResult::error(format!("Unknown city \"{query}\". {hint}"))
}

fn list_cities_input() -> Value {
    json!({ "type": "object", "properties": {} })
}

fn list_cities_output() -> Value {
    json!({
        "type": "object",
        "properties": { "cities": { "type": "array", "items": { "type": "string" } } },
        "required": ["cities"]
    })
}

/// Every city the table knows. It exists so that a model facing "Unknown city" has a way to
/// recover on its own, without a person reading the README.
fn list_cities(_args: &Map<String, Value>, _cx: &Context) -> Result<ToolResult, Stop> {
    let labels: Vec<String> = cities::CITIES.iter().map(City::label).collect();
    Ok(ToolResult::ok(
        labels.join("\n"),
        json!({ "cities": labels }),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc::RequestId;
    use crate::mcp::tools::Outbox;
    use std::cell::RefCell;
    use std::time::Duration;

    #[test]
    fn every_tool_describes_name_schemas_and_read_only_hint() {
        let page = crate::mcp::tools::list_page(&[GET_WEATHER, LIST_CITIES], None, 50).unwrap();
        for t in page["tools"].as_array().unwrap() {
            // SPEC tools#tool-names: names SHOULD be 1-128 characters of A-Z, a-z, 0-9, _, - and .
            let name = t["name"].as_str().unwrap();
            assert!(
                (1..=128).contains(&name.len())
                    && name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
            );
            assert_eq!(t["inputSchema"]["type"], "object");
            assert_eq!(t["outputSchema"]["type"], "object");
            assert!(t["annotations"]["readOnlyHint"].is_boolean());
            assert!(t["description"].as_str().is_some_and(|d| !d.is_empty()));
        }
    }

    /// An outbox that records what the tool sends, never waits, and answers questions from a script.
    #[derive(Default)]
    struct Recorder(RefCell<Vec<Value>>, Option<Result<Value, NoAnswer>>);

    impl Outbox for Recorder {
        fn send(&self, m: Message) -> Result<(), Stop> {
            self.0.borrow_mut().push(m.to_json());
            Ok(())
        }
        fn pause(&self, _: Duration) -> Result<(), Stop> {
            Ok(())
        }
        fn ask(&self, method: &str, params: Value, _: Duration) -> Result<Message, NoAnswer> {
            self.0
                .borrow_mut()
                .push(json!({ "asked": method, "params": params }));
            let result = self.1.clone().expect("the test scripted no answer")?;
            Ok(Message::result(RequestId::String("srv-1".into()), result))
        }
    }

    /// A context in the handshake era with nothing declared and no progress token; tests change
    /// what they need with `..quiet(&rec)`.
    fn quiet(outbox: &Recorder) -> Context<'_> {
        Context {
            progress_token: None,
            step_delay: Duration::ZERO,
            can_elicit: false,
            can_sample: false,
            undeclared_is_refused: false,
            answer_timeout: Duration::ZERO,
            outbox,
        }
    }

    fn elicit(answer: Result<Value, NoAnswer>) -> (ToolResult, Vec<Value>) {
        let rec = Recorder(RefCell::default(), Some(answer));
        let cx = Context {
            can_elicit: true,
            answer_timeout: Duration::from_secs(1),
            ..quiet(&rec)
        };
        let result = get_weather(json!({"city": "Springfield"}).as_object().unwrap(), &cx).unwrap();
        (result, rec.0.into_inner())
    }

    #[test]
    fn ambiguous_city_asks_with_the_candidates_as_an_enum_and_uses_the_choice() {
        let choice = "Springfield, Missouri, United States";
        let (r, sent) = elicit(Ok(json!({"action": "accept", "content": {"city": choice}})));
        assert_eq!(sent[0]["asked"], "elicitation/create");
        let choices = &sent[0]["params"]["requestedSchema"]["properties"]["city"]["enum"];
        assert_eq!(choices.as_array().unwrap().len(), 3);
        assert!(!r.is_error, "{}", r.text());
        assert_eq!(r.structured.unwrap()["region"], "Missouri");
    }

    #[test]
    fn declined_cancelled_or_unanswered_question_is_an_error_result() {
        for answer in [
            Ok(json!({"action": "decline"})),
            Ok(json!({"action": "cancel"})),
            Err(NoAnswer::TimedOut),
        ] {
            let (r, _) = elicit(answer.clone());
            assert!(r.is_error, "{answer:?}");
            assert!(
                r.text().contains("No weather was looked up"),
                "{}",
                r.text()
            );
        }
        let (r, _) = elicit(Ok(
            json!({"action": "accept", "content": {"city": "Atlantis"}}),
        ));
        assert!(r.is_error && r.text().contains("not one of the choices"));
    }

    fn call(args: Value, token: Option<Value>) -> (ToolResult, Vec<Value>) {
        let rec = Recorder::default();
        let cx = Context {
            progress_token: token,
            ..quiet(&rec)
        };
        let result = get_weather(args.as_object().unwrap(), &cx).unwrap();
        (result, rec.0.into_inner())
    }

    #[test]
    fn known_city_gives_text_and_structured_content_matching_output_schema() {
        let (r, _) = call(json!({"city": "hangzhou"}), None);
        assert!(!r.is_error);
        assert!(r.text().starts_with("Hangzhou"));
        let s = r.structured.unwrap();
        let schema = get_weather_output();
        for key in schema["required"].as_array().unwrap() {
            let ty = schema["properties"][key.as_str().unwrap()]["type"]
                .as_str()
                .unwrap();
            let v = &s[key.as_str().unwrap()];
            let ok = match ty {
                "string" => v.is_string(),
                "number" => v.is_number(),
                "integer" => v.is_u64() || v.is_i64(),
                _ => false,
            };
            assert!(ok, "{key} should be a {ty}, is {v}");
        }
    }

    #[test]
    fn progress_is_sent_only_with_a_token_and_echoes_it_exactly() {
        let (_, none) = call(json!({"city": "Wuhan"}), None);
        assert!(none.is_empty());
        let (_, sent) = call(json!({"city": "Wuhan"}), Some(json!("tok-1")));
        assert!(sent.len() >= 2);
        let mut last = 0;
        for n in &sent {
            assert_eq!(n["method"], "notifications/progress");
            assert_eq!(n["params"]["progressToken"], json!("tok-1"));
            assert_eq!(n["params"]["total"], json!(STEPS));
            let p = n["params"]["progress"].as_u64().unwrap();
            assert!(p > last, "progress must increase strictly");
            last = p;
        }
        assert!(sent[0]["params"]["message"]
            .as_str()
            .unwrap()
            .contains("Looking up Wuhan"));
        let (_, numeric) = call(json!({"city": "Wuhan"}), Some(json!(42)));
        assert_eq!(numeric[0]["params"]["progressToken"], json!(42));
    }

    #[test]
    fn unknown_city_is_an_error_result_with_suggestions() {
        let (r, _) = call(json!({"city": "Hangzou"}), None);
        assert!(r.is_error);
        assert!(r.text().contains("Did you mean: Hangzhou"), "{}", r.text());
    }

    #[test]
    fn missing_or_non_string_city_is_an_error_result() {
        assert!(call(json!({}), None).0.is_error);
        assert!(call(json!({"city": 12}), None).0.is_error);
    }

    #[test]
    fn ambiguous_city_lists_the_candidates() {
        let (r, _) = call(json!({"city": "Springfield"}), None);
        assert!(r.is_error);
        assert!(r.text().contains("Illinois") && r.text().contains("Missouri"));
    }

    #[test]
    fn in_2026_07_28_an_ambiguous_city_without_elicitation_is_refused_before_anything_is_sent() {
        let rec = Recorder::default();
        let cx = Context {
            progress_token: Some(json!("p")),
            undeclared_is_refused: true,
            ..quiet(&rec)
        };
        let args = json!({"city": "Springfield"});
        let r = get_weather(args.as_object().unwrap(), &cx);
        assert_eq!(r, Err(Stop::MissingCapability("elicitation")));
        assert!(rec.0.borrow().is_empty(), "no progress before the refusal");
        // A city that is not ambiguous needs nothing the client lacks.
        let rec = Recorder::default();
        let cx = Context {
            undeclared_is_refused: true,
            ..quiet(&rec)
        };
        let found = get_weather(json!({"city": "Hangzhou"}).as_object().unwrap(), &cx);
        assert!(found.is_ok_and(|r| !r.is_error));
    }

    #[test]
    fn list_cities_names_every_city() {
        let rec = Recorder::default();
        let cx = quiet(&rec);
        let r = list_cities(&Map::new(), &cx).unwrap();
        assert_eq!(
            r.structured.unwrap()["cities"].as_array().unwrap().len(),
            cities::CITIES.len()
        );
    }
}
