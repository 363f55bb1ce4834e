//! `mcp-client chat`: a language model answers questions with the tools of every configured
//! server. The terminal and the I/O around the pure loop of `streamable_mcp::chat`.
//!
//! Implements the host's side of MCP 2025-11-25 `architecture` (one client per server, the
//! host deciding what the model sees) with the model reached over OpenAI's chat-completions wire
//! format. Per question: send the conversation and the tools to the model; run each tool call it
//! makes over MCP, its progress shown live; send the results back; until it answers, or
//! `--max-rounds` model requests have been made.
//!
//! # Who allows a tool call, who answers a tool's question
//! A tool call runs only once the person allowed it (MCP 2025-11-25 `server/tools` §User
//! Interaction Model: a human in the loop "with the ability to deny tool invocations"). The
//! default is to ask, y/N, before each call when stdin is a terminal; `--yes` runs every call
//! without asking; with stdin a pipe and no `--yes`, every call is declined, and the model is told
//! "the user declined" (`confirm.rs` has the table and the why). A tool's question in the middle
//! of a call (`client/elicitation`) follows the same line: asked at a terminal, answered ahead
//! with `--answer` or `--decline`, and declined when stdin is a pipe, because a pipe's next line
//! is the next chat question, not an answer. (`call` does read an answer from a pipe: its stdin
//! carries nothing else.)
//!
//! Where things go: the model's answer to stdout, everything else (the era of each server, the
//! tool calls, their progress and results, the prompt) to stderr, so that
//! `mcp-client chat --ask "..." > answer.txt` keeps just the answer.
//!
//! Ends with exit 3 when the model cannot be used: no key, unreachable, silent for longer than
//! `--model-timeout`, an HTTP error, an answer without choices. A refusal or the round limit
//! ends a `--ask` with exit 3 as well (no answer came); in a conversation they are reported and
//! the next question is read.
//!
//! Left out: streaming the answer as it is written, a history that survives the process, and
//! a way to cancel a tool call (Ctrl-C ends the program).

use crate::cli::{Answers, Args, EXIT_FAILURE};
use crate::config_file::ServerEntry;
use crate::confirm::{confirm, Consent, DECLINED};
use crate::model_settings::{self, ModelSettings, SettingsError};
use crate::{answerer, asker, event_line, failure, say_era, usage_error};
use serde_json::Value;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use streamable_mcp::chat::{
    parse_reply, status_error, tool_message, CallPlan, Chat, Next, Reply, Toolbox,
};
use streamable_mcp::client::{
    ClientError, ElicitAnswer, ElicitRequest, ElicitationHandler, Era, JsonEndpoint, McpClient,
    Options,
};

/// Until the model's server accepts the connection. How long it may then be silent is
/// `--model-timeout` (`model_settings.rs`).
const MODEL_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How a question ended, when the model could be used.
enum Ended {
    Answered,
    /// A refusal, or the round limit: said on stderr already.
    Unanswered,
}

/// The model, as `chat` reaches it, and how its tool calls are allowed.
struct Model {
    endpoint: JsonEndpoint,
    settings: ModelSettings,
    consent: Consent,
}

pub fn run(servers: &[ServerEntry], args: &Args, options: &Options, ask: Option<&str>) -> ExitCode {
    let env = |name: &str| std::env::var(name).ok();
    let settings = match model_settings::resolve(&args.model, &env) {
        Ok(settings) => settings,
        Err(SettingsError::Usage(why)) => return usage_error(&why),
        Err(SettingsError::Unusable(why)) => {
            eprintln!("error: {why}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let mut clients = Vec::new();
    let mut toolbox = Toolbox::new();
    for (index, server) in servers.iter().enumerate() {
        match open(server, args, options) {
            Ok((client, tools)) => {
                for tool in &tools {
                    let description = tool.description.as_deref().or(tool.title.as_deref());
                    let (name, schema) = (&tool.name, &tool.input_schema);
                    toolbox.add(index, &server.name, name, description, schema);
                }
                clients.push(client);
            }
            Err(e) => {
                close(clients);
                return failure(server, &e);
            }
        }
    }
    let endpoint = JsonEndpoint::new(&settings.endpoint, MODEL_CONNECT_TIMEOUT, settings.timeout);
    let shown: Vec<&str> = toolbox.entries().iter().map(|e| e.shown.as_str()).collect();
    eprintln!(
        "model {} at {}; tools: {}",
        settings.model,
        settings.base_url,
        shown.join(", ")
    );
    let mut chat = Chat::new(&settings.model, toolbox, settings.max_rounds);
    let consent = Consent::new(args.yes, std::io::stdin().is_terminal());
    if consent == Consent::Nobody {
        eprintln!("stdin is not a terminal: tool calls are declined unless --yes is given");
    }
    let model = Model {
        endpoint,
        settings,
        consent,
    };
    let outcome = match ask {
        Some(question) => match answer(&mut chat, &model, &mut clients, question) {
            Ok(Ended::Answered) => Ok(()),
            Ok(Ended::Unanswered) => Err(None),
            Err(why) => Err(Some(why)),
        },
        None => conversation(&mut chat, &model, &mut clients).map_err(Some),
    };
    close(clients);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            if let Some(why) = why {
                eprintln!("error: {why}");
            }
            ExitCode::from(EXIT_FAILURE)
        }
    }
}

/// Start a client of `server` (answering its questions as `call` does) and list its tools.
fn open(
    server: &ServerEntry,
    args: &Args,
    options: &Options,
) -> Result<(McpClient, Vec<streamable_mcp::client::ToolInfo>), ClientError> {
    let mut client = McpClient::new(&server.url, options.clone());
    client.set_elicitation(chat_answerer(server, &args.answers));
    let era = client.start()?;
    say_era(server, &client, era, false);
    let tools = client.list_tools()?;
    for (name, why) in client.refused_tools() {
        // SPEC streamable-http (2026-07-28) §Schema Extension: clients "SHOULD log a warning when rejecting a tool definition, including the tool name and the reason"
        eprintln!("warning: tool {name:?} left out: {why}");
    }
    Ok((client, tools))
}

/// A tool's questions are answered as `call` answers them, but never from a pipe: there stdin's
/// next line is the next question for the model, and reading it as the answer would eat it.
fn chat_answerer(server: &ServerEntry, answers: &Answers) -> ElicitationHandler {
    if *answers != Answers::Ask || std::io::stdin().is_terminal() {
        return answerer(server, answers);
    }
    let who = asker(server);
    Box::new(move |question: &ElicitRequest| {
        eprintln!("{who} asks: {}", question.message);
        eprintln!(
            "declined: stdin is not a terminal, and its next line is a question for the model \
             (--answer key=value answers ahead of time)"
        );
        ElicitAnswer::Decline
    })
}

fn close(clients: Vec<McpClient>) {
    for client in clients {
        if let Err(e) = client.close() {
            eprintln!("warning: a session could not be ended: {e}");
        }
    }
}

/// Questions from stdin, one a line, until end of input. Empty lines are skipped.
///
/// Each line is read with `Stdin::read_line`, which holds stdin's lock only while it reads: a
/// tool's question (`ask.rs`) reads the next line from the same stdin in the middle of a call.
fn conversation(chat: &mut Chat, model: &Model, clients: &mut [McpClient]) -> Result<(), String> {
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!("ask a question; end with Ctrl-D");
    }
    loop {
        if interactive {
            eprint!("> ");
        }
        let mut line = String::new();
        match std::io::stdin().read_line(&mut line) {
            Ok(0) => return Ok(()),
            Ok(_) if line.trim().is_empty() => continue,
            Ok(_) => {}
            Err(e) => return Err(format!("cannot read stdin: {e}")),
        }
        answer(chat, model, clients, line.trim())?;
    }
}

/// One question, to its end. `Err` when the model cannot be used.
fn answer(
    chat: &mut Chat,
    model: &Model,
    clients: &mut [McpClient],
    question: &str,
) -> Result<Ended, String> {
    chat.ask(question);
    loop {
        let reply = send(model, &chat.request())?;
        let said = reply.content.clone().filter(|text| !text.trim().is_empty());
        let plans = match chat.on_reply(reply) {
            Next::Calls(plans) => {
                // Words beside tool calls are the model thinking aloud, not the answer.
                if let Some(said) = said {
                    eprintln!("the model says: {said}");
                }
                plans
            }
            Next::Answer { text, cut } => {
                if text.is_empty() {
                    eprintln!("(the model's answer is empty)");
                }
                println!("{text}");
                if cut {
                    eprintln!("(the answer was cut: the model reached its length limit)");
                }
                return Ok(Ended::Answered);
            }
            Next::Refused(why) => {
                eprintln!("the model refused: {why}");
                return Ok(Ended::Unanswered);
            }
            Next::RoundLimit { rounds } => {
                eprintln!(
                    "the model still called tools after {rounds} rounds (--max-rounds); \
                     those calls were not run, and the question has no answer"
                );
                return Ok(Ended::Unanswered);
            }
        };
        for planned in plans {
            let content = match planned.plan {
                CallPlan::Run {
                    server,
                    tool,
                    shown,
                    arguments,
                } => {
                    if allowed(model.consent, &shown, &arguments) {
                        run_tool(&mut clients[server], &tool, &shown, arguments)
                    } else {
                        DECLINED.to_string()
                    }
                }
                CallPlan::Refuse { asked_for, why } => {
                    eprintln!("the model asked for {asked_for:?}; told it: {why}");
                    why
                }
            };
            chat.tool_result(&planned.call_id, content);
        }
    }
}

/// Has the person allowed this call? Asked on stderr, read from stdin, when it is a terminal.
fn allowed(consent: Consent, shown: &str, arguments: &Value) -> bool {
    match consent {
        Consent::Given => true,
        Consent::AskEach => {
            let stdin = std::io::stdin();
            confirm(shown, arguments, &mut stdin.lock(), &mut std::io::stderr())
        }
        Consent::Nobody => {
            eprintln!("not run: {shown} {arguments} (stdin is not a terminal; --yes allows it)");
            false
        }
    }
}

/// Call a tool over MCP, showing what happens on stderr; the text the model is given back.
fn run_tool(client: &mut McpClient, tool: &str, shown: &str, arguments: Value) -> String {
    eprintln!("calling {shown} {arguments}");
    let started = Instant::now();
    let modern = client.era() == Some(Era::Modern);
    let outcome = client.call_tool(tool, arguments, &mut |event| {
        let elapsed = started.elapsed().as_secs_f64();
        eprintln!("[{elapsed:>6.2}s] {}", event_line(event, modern));
    });
    match outcome {
        Ok(result) => {
            let first_line = result.text.lines().next().unwrap_or("");
            if result.is_error {
                eprintln!("{shown} reported an error: {first_line}");
            } else {
                eprintln!("{shown}: {first_line}");
            }
            tool_message(&result.text, result.structured.as_ref(), result.is_error)
        }
        // The model is told, and may try something else; the person sees it too.
        Err(e) => {
            eprintln!("{shown} failed: {e}");
            format!("error: the call failed: {e}")
        }
    }
}

/// One request to the model, its reply read.
fn send(model: &Model, body: &Value) -> Result<Reply, String> {
    let headers: Vec<(String, String)> = match &model.settings.key {
        Some(key) => vec![("Authorization".into(), format!("Bearer {key}"))],
        None => Vec::new(),
    };
    let at = &model.settings.endpoint;
    let response = model
        .endpoint
        .post(&headers, body.to_string().as_bytes())
        .map_err(|e| match e {
            ClientError::Timeout(what) => format!(
                "the model at {at} sent nothing for {} s ({what}); \
                 is it still running? --model-timeout SECS waits longer",
                model.settings.timeout.as_secs()
            ),
            other => format!("the model at {at}: {other}"),
        })?;
    if !(200..300).contains(&response.status) {
        return Err(status_error(response.status, &response.body).to_string());
    }
    parse_reply(&response.body).map_err(|e| e.to_string())
}
