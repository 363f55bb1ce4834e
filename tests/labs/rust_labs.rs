//! Checkers of the labs whose work is Rust code in `src/`: lab 2 (a tool), lab 3 (a field of the
//! structured output) and lab 6 (a session cap). They test over HTTP, or through the binary's
//! command line, never by calling the code the student adds: that would not compile before.

use crate::common::{fail, Rpc};
use crate::support::binary::Binary;
use crate::support::{self, ACCEPT_BOTH, INIT};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;
use streamable_mcp::weather::cities::{City, CITIES};

/// Does `schema` (an input or output schema) declare `field` as a number, and require it?
fn requires_number(schema: &Value, field: &str) -> Result<(), String> {
    let ty = &schema["properties"][field]["type"];
    if ty != "number" {
        return Err(format!(
            "its `properties` should have \"{field}\": {{\"type\": \"number\"}}, but the type \
             is {ty}"
        ));
    }
    let required = schema["required"].as_array().cloned().unwrap_or_default();
    if !required.contains(&json!(field)) {
        return Err(format!(
            "its `required` list should name \"{field}\", but is {}",
            schema["required"]
        ));
    }
    Ok(())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

pub fn add_a_tool() {
    const LAB: usize = 2;
    let server = support::start(|c| c.step_delay = Duration::ZERO);
    let rpc = Rpc::open(server.addr);
    let tools = rpc.tools();
    let Some(tool) = tools.iter().find(|t| t["name"] == "convert_temperature") else {
        let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
        fail(
            LAB,
            format!(
                "tools/list names no tool \"convert_temperature\" (it names {}): write the \
                 tool in src/weather/convert.rs, declare the module in src/weather/mod.rs and list \
                 it in weather::CATALOG, in the same file (see the `// LAB:` markers there)",
                names.join(", ")
            ),
        );
    };
    let input = &tool["inputSchema"];
    if let Err(why) = requires_number(input, "celsius") {
        fail(
            LAB,
            format!("the tool's inputSchema is not right: {why}. It is {input}"),
        );
    }
    if input["required"] != json!(["celsius"]) {
        fail(
            LAB,
            format!(
                "the inputSchema's `required` should be [\"celsius\"], is {}",
                input["required"]
            ),
        );
    }
    let Some(output) = tool.get("outputSchema") else {
        fail(
            LAB,
            "the tool has no outputSchema: describe {celsius, fahrenheit} in one",
        );
    };
    for field in ["celsius", "fahrenheit"] {
        if let Err(why) = requires_number(output, field) {
            fail(
                LAB,
                format!("the tool's outputSchema is not right: {why}. It is {output}"),
            );
        }
    }

    for (celsius, fahrenheit) in [(100.0, 212.0), (-40.0, -40.0), (37.5, 99.5)] {
        let result = rpc.call(LAB, "convert_temperature", json!({ "celsius": celsius }));
        if result["isError"] != false {
            fail(
                LAB,
                format!("celsius {celsius} gave an error result: {result}"),
            );
        }
        let s = &result["structuredContent"];
        let ok = s["celsius"].as_f64().is_some_and(|c| close(c, celsius))
            && s["fahrenheit"]
                .as_f64()
                .is_some_and(|f| close(f, fahrenheit));
        if !ok {
            fail(
                LAB,
                format!(
                    "celsius {celsius} should give structuredContent {{\"celsius\": {celsius}, \
                     \"fahrenheit\": {fahrenheit}}} (F = C × 9 / 5 + 32), gave {s}. The whole \
                     result: {result}"
                ),
            );
        }
        let text = result["content"][0]["text"].as_str().unwrap_or("");
        if !text.contains(&fahrenheit.to_string()) {
            fail(
                LAB,
                format!("the text of the result should say {fahrenheit} °F for the model; it is {text:?}"),
            );
        }
    }
    for bad in [json!({ "celsius": "abc" }), json!({})] {
        let result = rpc.call(LAB, "convert_temperature", bad.clone());
        let explained = result["content"][0]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty());
        if result["isError"] != true || !explained {
            fail(
                LAB,
                format!(
                    "arguments {bad} should give a result with \"isError\": true and a text that \
                     says what is wrong (the model reads it and can retry), gave {result}"
                ),
            );
        }
    }
}

/// The lab's formula: wind cools, humidity above 50 % warms; one decimal.
fn feels_like_unrounded(city: &City) -> f64 {
    city.temperature_c - city.wind_kph * 0.1 + (f64::from(city.humidity_percent) - 50.0) * 0.05
}

pub fn structured_output() {
    const LAB: usize = 3;
    let server = support::start(|c| c.step_delay = Duration::ZERO);
    let rpc = Rpc::open(server.addr);
    let tools = rpc.tools();
    let weather = tools
        .iter()
        .find(|t| t["name"] == "get_weather")
        .expect("get_weather is listed");
    let schema = &weather["outputSchema"];
    if let Err(why) = requires_number(schema, "feels_like_c") {
        fail(
            LAB,
            format!(
                "get_weather's outputSchema does not declare feels_like_c: {why} (see the \
                 `// LAB:` marker above get_weather_output() in src/weather/tool.rs)"
            ),
        );
    }
    // Hangzhou first, with its numbers in the message; then every other city the data set has,
    // so that a value typed in for Hangzhou alone does not pass.
    let hangzhou = CITIES.iter().find(|c| c.name == "Hangzhou").unwrap();
    let others = CITIES.iter().filter(|c| c.name != "Hangzhou");
    for city in std::iter::once(hangzhou).chain(others) {
        let query = if city.region.is_empty() {
            format!("{}, {}", city.name, city.country)
        } else {
            format!("{}, {}", city.name, city.region)
        };
        let result = rpc.call(LAB, "get_weather", json!({ "city": query }));
        if result["isError"] == true && city.name != "Hangzhou" {
            continue; // a name the lookup finds ambiguous; not this lab's business
        }
        let raw = feels_like_unrounded(city);
        let expected = (raw * 10.0).round() / 10.0;
        let got = &result["structuredContent"]["feels_like_c"];
        let Some(value) = got.as_f64() else {
            fail(
                LAB,
                format!(
                    "{}'s structuredContent has no number feels_like_c (it has {got}): fill it in \
                     report(), in src/weather/tool.rs. The whole result: {result}",
                    city.name
                ),
            );
        };
        // One decimal, and the nearest one (either neighbour when `raw` is exactly half-way).
        let one_decimal = close((value * 10.0).round(), value * 10.0);
        if !one_decimal || (value - raw).abs() > 0.05 + 1e-9 {
            fail(
                LAB,
                format!(
                    "{}'s feels_like_c is {value}, expected {expected}: temperature_c {} - \
                     wind_kph {} × 0.1 + (humidity_percent {} - 50) × 0.05 = {raw:.4}, rounded \
                     to one decimal",
                    city.name, city.temperature_c, city.wind_kph, city.humidity_percent
                ),
            );
        }
    }
}

/// Start `weather-server --port 0 ARGS` and read the address it prints; fail with its stderr if
/// it exits.
fn spawn_server(lab: usize, args: &[&str]) -> Binary {
    Binary::try_spawn(args).unwrap_or_else(|why| {
        fail(
            lab,
            format!(
                "`weather-server --port 0 {}` {why}\nAdd the flag in src/server/config.rs \
                 (`Config`, `USAGE` and `parse_args`; see the `// LAB:` markers).",
                args.join(" "),
            ),
        )
    })
}

/// Send an initialize; the response.
fn initialize(addr: SocketAddr) -> support::RawResponse {
    support::post(addr, &[("Accept", ACCEPT_BOTH)], INIT)
}

pub fn cap_the_sessions() {
    const LAB: usize = 6;
    let server = spawn_server(LAB, &["--max-sessions", "2"]);
    let mut sessions = Vec::new();
    for n in 1..=2 {
        let r = initialize(server.addr);
        let Some(sid) = r.header("mcp-session-id").filter(|_| r.status == 200) else {
            fail(
                LAB,
                format!(
                    "with --max-sessions 2, initialize number {n} should make a session (200 \
                     with Mcp-Session-Id), got {}: {}",
                    r.status, r.body
                ),
            );
        };
        sessions.push(sid.to_string());
    }
    let third = initialize(server.addr);
    if third.status != 503 {
        fail(
            LAB,
            format!(
                "with --max-sessions 2 and two sessions live, a third initialize should get 503, \
                 got {} (refuse it in src/server/endpoint.rs, where initialize creates the session): {}",
                third.status, third.body
            ),
        );
    }
    let retry_after = third.header("retry-after");
    if retry_after.is_none_or(|v| v.trim().parse::<u32>().is_err()) {
        fail(
            LAB,
            format!(
                "the 503 should carry `Retry-After: <seconds>` (the rejection's `headers`), has \
                 {retry_after:?}"
            ),
        );
    }
    if third.header("mcp-session-id").is_some() {
        fail(LAB, "the refused initialize must not hand out a session id");
    }
    let bye = support::request(
        server.addr,
        "DELETE",
        &[("Mcp-Session-Id", &sessions[0])],
        "",
    );
    assert_eq!(bye.status, 200, "DELETE of a live session: {}", bye.body);
    let fourth = initialize(server.addr);
    if fourth.status != 200 || fourth.header("mcp-session-id").is_none() {
        fail(
            LAB,
            format!(
                "after a DELETE freed a place, initialize should make a session again (200), got \
                 {}: {}",
                fourth.status, fourth.body
            ),
        );
    }
    drop(server);

    let help = Command::new(env!("CARGO_BIN_EXE_weather-server"))
        .arg("--help")
        .output()
        .expect("weather-server --help");
    if !String::from_utf8_lossy(&help.stdout).contains("--max-sessions") {
        fail(
            LAB,
            "`weather-server --help` does not list --max-sessions: add it to USAGE",
        );
    }
    // Without the flag there is no limit.
    let server = spawn_server(LAB, &[]);
    for n in 1..=3 {
        let r = initialize(server.addr);
        if r.status != 200 {
            fail(
                LAB,
                format!("without --max-sessions, initialize number {n} got {}: there should be no limit", r.status),
            );
        }
    }
}
