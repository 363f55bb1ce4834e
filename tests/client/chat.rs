//! `mcp-client chat`, run as a user would: our real `weather-server` for the tools, the
//! stand-in model of `stand_in.rs` for the answers.
//!
//! Checks its contract: the tools are offered as functions, a tool call runs over MCP and its
//! result goes back with its `tool_call_id`, mistakes of the model are told to it and the loop
//! goes on, the loop is bounded, and a model that cannot be used ends with exit 3.

use crate::cli::{code, stderr, stdout};
use crate::fake::{fake, json_answer, Answer};
use crate::stand_in::{
    calls, choice, messages, says, stand_in, stand_in_always, stand_in_that_stalls, tool_result,
};
use crate::support::start;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Run `mcp-client ARGS` with `stdin` piped in (then closed), without any of the environment
/// variables it reads, plus `env`.
fn run(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mcp-client"));
    command.args(args);
    for name in [
        "MCP_AUTH_TOKEN",
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_MODEL",
        "ALL_PROXY",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "NO_PROXY",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut pipe = child.stdin.take().unwrap();
    pipe.write_all(stdin.as_bytes()).unwrap();
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// `mcp-client --url MCP chat --yes --model test-model --model-url MODEL --ask QUESTION EXTRA...`
///
/// With `--yes`: stdin is a pipe here, and without it no tool call would run
/// (`without_yes_a_piped_chat_runs_no_tool_call_and_tells_the_model_the_user_declined`).
fn ask(mcp: &str, model: &str, question: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "--url",
        mcp,
        "chat",
        "--yes",
        "--model",
        "test-model",
        "--model-url",
        model,
    ];
    args.extend(["--ask", question]);
    args.extend(extra);
    run(&args, &[], "")
}

fn function_names(request: &Value) -> Vec<String> {
    let tools = request["tools"].as_array().cloned().unwrap_or_default();
    tools
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn chat_offers_the_tools_as_functions_and_sends_the_tool_result_back_with_its_call_id() {
    let server = start(|_| {});
    let model = stand_in(vec![
        calls(&[("call-1", "get_weather", r#"{"city":"Hangzhou"}"#)]),
        says("It is raining in Hangzhou."),
    ]);
    let out = ask(
        &server.url(),
        &model.base_url(),
        "Weather in Hangzhou?",
        &[],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "It is raining in Hangzhou.\n");
    let err = stderr(&out);
    assert!(
        err.contains(r#"calling get_weather {"city":"Hangzhou"}"#),
        "{err}"
    );
    assert!(err.contains("s] progress 1/3 Looking up Hangzhou"), "{err}");
    let requests = model.requests();
    assert_eq!(requests.len(), 2);
    let first = &requests[0];
    assert_eq!(
        (first.http_method.as_str(), first.target.as_str()),
        ("POST", "/v1/chat/completions")
    );
    assert_eq!(first.body["model"], "test-model");
    assert_eq!(function_names(&first.body), ["get_weather", "list_cities"]);
    assert_eq!(
        first.body["tools"][0]["function"]["parameters"]["properties"]["city"]["type"],
        "string"
    );
    assert_eq!(
        messages(first),
        [json!({"role": "user", "content": "Weather in Hangzhou?"})]
    );
    assert_eq!(
        first.header("authorization"),
        None,
        "loopback: no key, no header"
    );
    let second = &requests[1];
    assert_eq!(messages(second)[1]["tool_calls"][0]["id"], "call-1");
    let result = tool_result(second, "call-1");
    assert!(
        result.starts_with("Hangzhou, Zhejiang, China: Light rain"),
        "{result}"
    );
    assert!(
        result.contains(r#"structuredContent: {"city":"Hangzhou""#),
        "{result}"
    );
}

#[test]
fn two_tool_calls_in_one_turn_are_each_run_and_answered() {
    let server = start(|_| {});
    let model = stand_in(vec![
        calls(&[
            ("a", "get_weather", r#"{"city":"Hangzhou"}"#),
            ("b", "get_weather", r#"{"city":"Beijing"}"#),
        ]),
        says("Rain in Hangzhou, sun in Beijing."),
    ]);
    let out = ask(
        &server.url(),
        &model.base_url(),
        "Hangzhou or Beijing?",
        &[],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let second = &model.requests()[1];
    assert!(tool_result(second, "a").contains("Light rain"));
    assert!(tool_result(second, "b").starts_with("Beijing, China: Sunny"));
    let roles: Vec<Value> = messages(second).iter().map(|m| m["role"].clone()).collect();
    assert_eq!(roles, ["user", "assistant", "tool", "tool"]);
}

#[test]
fn in_the_legacy_era_the_calls_run_in_the_session_opened_at_the_start() {
    let server = start(|_| {});
    let model = stand_in(vec![
        calls(&[("a", "get_weather", r#"{"city":"Hangzhou"}"#)]),
        calls(&[("b", "get_weather", r#"{"city":"Beijing"}"#)]),
        says("Done."),
    ]);
    let out = ask(
        &server.url(),
        &model.base_url(),
        "Both?",
        &["--era", "legacy"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        err.matches("legacy era, protocol version 2025-11-25")
            .count(),
        1,
        "{err}"
    );
    assert!(tool_result(&model.requests()[2], "b").starts_with("Beijing, China: Sunny"));
    assert_eq!(
        server.server.endpoint().session_count(),
        0,
        "ended with DELETE"
    );
}

#[test]
fn a_tools_question_mid_call_is_answered_as_call_answers_it() {
    let server = start(|_| {});
    let model = stand_in(vec![
        calls(&[("s", "get_weather", r#"{"city":"Springfield"}"#)]),
        says("Cloudy."),
    ]);
    let answer = ["--answer", "city=Springfield, Illinois, United States"];
    let out = ask(&server.url(), &model.base_url(), "Springfield?", &answer);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("answered with --answer"),
        "{}",
        stderr(&out)
    );
    let result = tool_result(&model.requests()[1], "s");
    assert!(
        result.starts_with("Springfield, Illinois, United States: Cloudy"),
        "{result}"
    );
}

#[test]
fn without_yes_a_piped_chat_runs_no_tool_call_and_tells_the_model_the_user_declined() {
    let server = start(|_| {});
    let model = stand_in(vec![
        calls(&[("w", "get_weather", r#"{"city":"Hangzhou"}"#)]),
        says("I could not look it up."),
    ]);
    let base = model.base_url();
    let args = ["--url", &server.url(), "chat", "--model", "m"];
    let out = run(
        &[&args[..], &["--model-url", &base, "--ask", "Hangzhou?"]].concat(),
        &[],
        "",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        tool_result(&model.requests()[1], "w"),
        "not run: the user declined this tool call"
    );
    let err = stderr(&out);
    assert!(
        err.contains("tool calls are declined unless --yes is given"),
        "{err}"
    );
    assert!(
        err.contains(r#"not run: get_weather {"city":"Hangzhou"}"#),
        "{err}"
    );
    assert!(
        !err.contains("calling get_weather"),
        "nothing was called: {err}"
    );
}

#[test]
fn with_stdin_a_pipe_a_tools_question_is_declined_and_the_next_line_stays_a_question() {
    let server = start(|_| {});
    let model = stand_in(vec![
        calls(&[("s", "get_weather", r#"{"city":"Springfield"}"#)]),
        says("Which Springfield?"),
        says("Rain in Hangzhou."),
    ]);
    let base = model.base_url();
    let args = ["--url", &server.url(), "chat", "--yes", "--model", "m"];
    let out = run(
        &[&args[..], &["--model-url", &base]].concat(),
        &[],
        "Weather in Springfield?
And in Hangzhou?
",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("declined: stdin is not a terminal"), "{err}");
    let requests = model.requests();
    let result = tool_result(&requests[1], "s");
    assert!(
        result.contains("You declined to choose a city."),
        "{result}"
    );
    assert_eq!(requests.len(), 3, "two questions were asked: {err}");
    let last = messages(&requests[2]);
    assert_eq!(last.last().unwrap()["content"], "And in Hangzhou?");
    assert_eq!(stdout(&out), "Which Springfield?\nRain in Hangzhou.\n");
}

#[test]
fn an_unknown_tool_is_told_to_the_model_and_the_loop_goes_on() {
    let server = start(|_| {});
    let model = stand_in(vec![
        calls(&[("x", "get_wether", r#"{"city":"Hangzhou"}"#)]),
        calls(&[("y", "get_weather", r#"{"city":"Hangzhou"}"#)]),
        says("Light rain."),
    ]);
    let out = ask(&server.url(), &model.base_url(), "Weather?", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "Light rain.\n");
    let told = tool_result(&model.requests()[1], "x");
    assert!(
        told.contains(r#"no tool named "get_wether""#) && told.contains("get_weather, list_cities"),
        "{told}"
    );
    assert!(stderr(&out).contains(r#"the model asked for "get_wether"; told it"#));
    assert!(tool_result(&model.requests()[2], "y").contains("Light rain"));
}

#[test]
fn arguments_that_are_not_json_are_told_to_the_model_and_the_loop_goes_on() {
    let server = start(|_| {});
    let model = stand_in(vec![
        calls(&[("x", "get_weather", "{city: Hangzhou")]),
        says("Sorry, I could not."),
    ]);
    let out = ask(&server.url(), &model.base_url(), "Weather?", &[]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let told = tool_result(&model.requests()[1], "x");
    assert!(
        told.contains("not JSON") && told.contains("{city: Hangzhou"),
        "{told}"
    );
    assert!(
        !stderr(&out).contains("calling get_weather"),
        "nothing was called"
    );
}

#[test]
fn a_model_that_keeps_calling_tools_is_stopped_after_max_rounds_with_exit_3() {
    let server = start(|_| {});
    let model = stand_in_always(calls(&[("again", "list_cities", "{}")]));
    let out = ask(
        &server.url(),
        &model.base_url(),
        "Loop",
        &["--max-rounds", "3"],
    );
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_eq!(model.requests().len(), 3, "one request per round, no more");
    let err = stderr(&out);
    assert_eq!(
        err.matches("calling list_cities").count(),
        2,
        "the last round's call is not run: {err}"
    );
    assert!(err.contains("after 3 rounds"), "{err}");
    assert_eq!(stdout(&out), "");
}

#[test]
fn no_key_for_a_model_off_loopback_exits_3_before_anything_is_sent() {
    let mcp = fake(|_| Answer::Close(json_answer(500, "", "")));
    // 192.0.2.1 is TEST-NET-1: never contacted, because the key is checked first.
    let out = ask(&mcp.url(), "http://192.0.2.1/v1", "Hi", &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("no key") && stderr(&out).contains("OPENAI_API_KEY"));
    assert!(mcp.seen().is_empty(), "no MCP server was contacted either");
}

#[test]
fn a_key_from_the_environment_is_not_sent_over_http_off_loopback() {
    let mcp = fake(|_| Answer::Close(json_answer(500, "", "")));
    let env = [("OPENAI_API_KEY", "sk-real")];
    let args = ["--url", &mcp.url(), "chat", "--model", "m"];
    let remote = ["--model-url", "http://192.0.2.1/v1", "--ask", "Hi"];
    let out = run(&[&args[..], &remote].concat(), &env, "");
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("OPENAI_API_KEY is not sent to http://192.0.2.1/v1")
            && err.contains("--model-key"),
        "{err}"
    );
    assert!(!err.contains("sk-real"), "the key is not printed: {err}");
    assert!(mcp.seen().is_empty(), "nothing was contacted");
}

#[test]
fn the_environment_names_model_url_and_key_and_the_key_is_sent_as_bearer() {
    let server = start(|_| {});
    let model = stand_in(vec![says("Hello.")]);
    let base = model.base_url();
    let env = [
        ("OPENAI_BASE_URL", base.as_str()),
        ("OPENAI_API_KEY", "sk-test"),
        ("OPENAI_MODEL", "env-model"),
    ];
    let out = run(&["--url", &server.url(), "chat", "--ask", "Hi"], &env, "");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let request = &model.requests()[0];
    assert_eq!(request.header("authorization"), Some("Bearer sk-test"));
    assert_eq!(request.body["model"], "env-model");
}

#[test]
fn an_unreachable_model_endpoint_exits_3() {
    let server = start(|_| {});
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    let out = ask(&server.url(), &base, "Hi", &[]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("cannot reach"), "{}", stderr(&out));
}

#[test]
fn a_model_that_stalls_after_its_headers_exits_3_after_model_timeout() {
    let server = start(|_| {});
    let model = stand_in_that_stalls();
    let started = std::time::Instant::now();
    let out = ask(
        &server.url(),
        &model.base_url(),
        "Hi",
        &["--model-timeout", "1"],
    );
    let took = started.elapsed();
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("sent nothing for 1 s"), "{err}");
    assert!(err.contains("--model-timeout"), "{err}");
    assert_eq!(model.requests().len(), 1);
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
}

#[test]
fn a_401_or_500_from_the_model_exits_3_with_its_error_message() {
    let server = start(|_| {});
    let unauthorized =
        r#"{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}"#;
    let model = stand_in(vec![json_answer(401, "", unauthorized)]);
    let out = ask(&server.url(), &model.base_url(), "Hi", &[]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("answered 401: Incorrect API key provided"),
        "{}",
        stderr(&out)
    );
    let model = stand_in(vec![json_answer(500, "", r#"{"error":"model crashed"}"#)]);
    let out = ask(&server.url(), &model.base_url(), "Hi", &[]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("answered 500: model crashed"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_response_without_choices_or_a_refusal_exits_3() {
    let server = start(|_| {});
    let model = stand_in(vec![json_answer(200, "", r#"{"id":"x","choices":[]}"#)]);
    let out = ask(&server.url(), &model.base_url(), "Hi", &[]);
    assert_eq!(code(&out), 3);
    assert!(stderr(&out).contains("no choices"), "{}", stderr(&out));
    let refusal =
        json!({"role": "assistant", "content": null, "refusal": "I cannot help with that."});
    let model = stand_in(vec![choice(refusal, "stop")]);
    let out = ask(&server.url(), &model.base_url(), "Hi", &[]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("the model refused: I cannot help with that."),
        "{}",
        stderr(&out)
    );
}

#[test]
fn questions_from_stdin_are_one_conversation_until_end_of_input() {
    let server = start(|_| {});
    let model = stand_in(vec![says("Hello."), says("Sunny.")]);
    let base = model.base_url();
    let args = [
        "--url",
        &server.url(),
        "chat",
        "--model",
        "m",
        "--model-url",
        &base,
    ];
    let out = run(&args, &[], "Hi\n\nAnd in Beijing?\n");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "Hello.\nSunny.\n");
    let requests = model.requests();
    assert_eq!(requests.len(), 2, "the empty line is no question");
    let contents: Vec<Value> = messages(&requests[1])
        .iter()
        .map(|m| m["content"].clone())
        .collect();
    assert_eq!(contents, ["Hi", "Hello.", "And in Beijing?"]);
}

#[test]
fn with_config_function_names_join_server_and_tool_with_two_underscores_and_show_server_dot_tool() {
    let server = start(|_| {});
    let config = std::env::temp_dir().join(format!("mcp-chat-test-{}.json", std::process::id()));
    let text = json!({"mcpServers": {"weather": {"url": server.url()}}}).to_string();
    std::fs::write(&config, text).unwrap();
    let model = stand_in(vec![
        calls(&[("c", "weather__get_weather", r#"{"city":"Beijing"}"#)]),
        says("Sunny."),
    ]);
    let base = model.base_url();
    let args = [
        "--config",
        config.to_str().unwrap(),
        "chat",
        "--yes",
        "--model",
        "m",
        "--model-url",
        &base,
        "--ask",
        "Beijing?",
    ];
    let out = run(&args, &[], "");
    std::fs::remove_file(&config).unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let requests = model.requests();
    assert_eq!(
        function_names(&requests[0].body),
        ["weather__get_weather", "weather__list_cities"]
    );
    assert!(
        stderr(&out).contains(r#"calling weather.get_weather {"city":"Beijing"}"#),
        "{}",
        stderr(&out)
    );
    assert!(tool_result(&requests[1], "c").starts_with("Beijing, China: Sunny"));
}

#[test]
fn a_proxy_named_in_the_environment_is_used_neither_for_mcp_nor_for_the_model() {
    let server = start(|_| {});
    let model = stand_in(vec![says("Hello.")]);
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let env = [
        ("HTTP_PROXY", proxy.as_str()),
        ("HTTPS_PROXY", proxy.as_str()),
        ("ALL_PROXY", proxy.as_str()),
    ];
    let base = model.base_url();
    let args = ["--url", &server.url(), "chat", "--model", "m"];
    let out = run(
        &[&args[..], &["--model-url", &base, "--ask", "Hi"]].concat(),
        &env,
        "",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("tools: get_weather, list_cities"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "Hello.\n");
    assert_eq!(model.requests().len(), 1);
}
