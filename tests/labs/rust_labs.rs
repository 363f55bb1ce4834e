//! Checkers of the labs whose work is Rust code in `src/`: lab 2 (a tool), lab 3 (a field of the
//! structured output) and lab 6 (a cap on each session's running calls). They test over HTTP, or through the binary's
//! command line, never by calling the code the student adds: that would not compile before.

use crate::common::{fail, Rpc};
use crate::support::binary::Binary;
use crate::support::{self, LiveSse};
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

/// A `get_weather` call in session `sid`, left streaming: its first event (the priming event) has
/// been read, so the call is running on the server.
fn running_call(addr: SocketAddr, sid: &str, id: u64) -> LiveSse {
    let request =
        support::build_post_in(addr, sid, &support::weather_call(id, "Hangzhou", "lab-06"));
    let mut live = LiveSse::open(addr, &request);
    if live.status == 200 {
        live.next_data();
    }
    live
}

/// Read a streaming call to its end.
fn finish(mut live: LiveSse) {
    while live.next_data().is_some() {}
}

pub fn cap_the_calls_per_session() {
    const LAB: usize = 6;
    // Each call takes 3 steps of 400 ms: long enough to hold two open while the checker asks more.
    let server = spawn_server(
        LAB,
        &["--max-calls-per-session", "2", "--step-delay-ms", "400"],
    );
    let addr = server.addr;
    let a = support::open_session(addr);
    let first = running_call(addr, &a, 1);
    let second = running_call(addr, &a, 2);
    for (n, call) in [(1, &first), (2, &second)] {
        if call.status != 200 {
            fail(
                LAB,
                format!(
                    "with --max-calls-per-session 2, call {n} of a session should stream (200), \
                     got {}",
                    call.status
                ),
            );
        }
    }
    let third = support::post_in(addr, &a, &support::weather_call(3, "Hangzhou", "lab-06"));
    if third.status != 429 {
        fail(
            LAB,
            format!(
                "with --max-calls-per-session 2 and two calls of the session running, a third \
                 should get 429 Too Many Requests, got {} (refuse it in src/server/legacy.rs, \
                 where a call of a session starts): {}",
                third.status, third.body
            ),
        );
    }
    let retry_after = third.header("retry-after");
    if retry_after.is_none_or(|v| v.trim().parse::<u32>().is_err()) {
        fail(
            LAB,
            format!(
                "the 429 should carry `Retry-After: <seconds>` (the rejection's `headers`), has \
                 {retry_after:?}"
            ),
        );
    }
    let error = serde_json::from_str::<Value>(&third.body).unwrap_or_default();
    if error["id"] != 3 || !error["error"]["message"].is_string() {
        fail(
            LAB,
            format!(
                "the 429's body should be a JSON-RPC error for the refused call, with its id (3): \
                 {}",
                third.body
            ),
        );
    }
    // The cap is per session: another client's session is not disturbed.
    let b = support::open_session(addr);
    let other = support::post_in(addr, &b, &support::weather_call(4, "Hangzhou", "lab-06"));
    if other.status != 200 {
        fail(
            LAB,
            format!(
                "a call in another session got {} while the first session had two calls running: \
                 the limit is per session, so count each session's own calls (`Session`, in \
                 src/server/session.rs), not the server's: {}",
                other.status, other.body
            ),
        );
    }
    finish(first);
    finish(second);
    // The calls have ended; the place they held must be free again (soon: the call is forgotten
    // just after its last message is written).
    let mut again = support::post_in(addr, &a, &support::weather_call(5, "Hangzhou", "lab-06"));
    for _ in 0..10 {
        if again.status != 429 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        again = support::post_in(addr, &a, &support::weather_call(5, "Hangzhou", "lab-06"));
    }
    if again.status != 200 {
        fail(
            LAB,
            format!(
                "after the first two calls had finished, a new call of the same session got {}: a \
                 call that has ended no longer counts (count the running calls, not the calls \
                 ever started)",
                again.status
            ),
        );
    }
    drop(server);

    let help = Command::new(env!("CARGO_BIN_EXE_weather-server"))
        .arg("--help")
        .output()
        .expect("weather-server --help");
    if !String::from_utf8_lossy(&help.stdout).contains("--max-calls-per-session") {
        fail(
            LAB,
            "`weather-server --help` does not list --max-calls-per-session: add it to USAGE",
        );
    }
    // Without the flag there is no limit.
    let server = spawn_server(LAB, &["--step-delay-ms", "400"]);
    let sid = support::open_session(server.addr);
    let calls: Vec<LiveSse> = (1..=3)
        .map(|id| running_call(server.addr, &sid, id))
        .collect();
    for (n, call) in calls.iter().enumerate() {
        if call.status != 200 {
            fail(
                LAB,
                format!(
                    "without --max-calls-per-session, call {} of three at once got {}: there \
                     should be no limit",
                    n + 1,
                    call.status
                ),
            );
        }
    }
}
