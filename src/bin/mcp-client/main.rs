//! `mcp-client`: list the tools of an MCP server, call one and watch its progress live, ping it,
//! or let a language model use its tools (`chat`).
//!
//! A thin command line over `streamable_mcp::client` (MCP 2026-07-28 and 2025-11-25, Streamable
//! HTTP): it reads the arguments, settles the era (`--era`), does one thing, prints it, and ends
//! the legacy era's session with DELETE.
//! Every protocol rule lives in the library (resuming cut streams included). Beside this file, and
//! unit-tested there: the parsing of the command line (`cli.rs`), the terminal questions of
//! `client/elicitation` (`ask.rs`), the `mcpServers` file (`config_file.rs`), the model's
//! settings (`model_settings.rs`) and the y/N before each of `chat`'s tool calls (`confirm.rs`),
//! all pure; this file does the I/O: files, sessions, printing, stdin. `chat.rs` does the I/O
//! of `chat`.
//!
//! Errors are printed as sentences and mapped to an exit code; no error type of its own is needed
//! here, because nothing downstream matches on it (the library's [`ClientError`] is what a program
//! would match on).

use serde_json::Value;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;
mod ask;
mod chat;
mod cli;
mod config_file;
mod confirm;
mod model_settings;

use ask::ask;
use cli::{
    parse_args, Answers, Args, Command, DEFAULT_URL, EXIT_FAILURE, EXIT_TOOL_ERROR, EXIT_USAGE,
    USAGE,
};
use config_file::{ServerEntry, ServerList};
use streamable_mcp::client::{
    ClientError, ElicitAnswer, ElicitRequest, ElicitationHandler, Era, Incoming, McpClient, Options,
};

fn main() -> ExitCode {
    let args = match parse_args(
        std::env::args().skip(1).collect(),
        std::env::var("MCP_AUTH_TOKEN").ok(),
    ) {
        Ok(Some(args)) => args,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(why) => return usage_error(&why),
    };
    // Without --config there is one server, and its tools keep their plain names.
    let servers = match &args.config {
        None => ServerList {
            servers: vec![ServerEntry {
                name: String::new(),
                url: args.url.clone().unwrap_or_else(|| DEFAULT_URL.to_string()),
            }],
            skipped: Vec::new(),
        },
        Some(path) => match read_config(path) {
            Ok(servers) => servers,
            Err(why) => return usage_error(&why),
        },
    };
    let options = Options {
        era: args.era,
        framing: args.framing,
        bearer_token: args.token.clone(),
        ..Options::default()
    };
    match &args.command {
        Command::Tools => each_server(&servers.servers, &args, &options, list_tools),
        Command::Ping => each_server(&servers.servers, &args, &options, ping),
        Command::Chat { ask } => chat::run(&servers.servers, &args, &options, ask.as_deref()),
        Command::Call { target, arguments } => {
            let (server, tool) = if args.config.is_some() {
                match servers.route(target) {
                    Some(found) => found,
                    None => {
                        return usage_error(&format!(
                            "{target:?} names no configured server; use server.tool"
                        ))
                    }
                }
            } else {
                (&servers.servers[0], target.as_str())
            };
            let handler = answerer(server, &args.answers);
            let outcome = session(server, &args, &options, Some(handler), |client| {
                call(client, tool, arguments.clone(), args.json)
            });
            match outcome {
                Ok(true) => ExitCode::from(EXIT_TOOL_ERROR),
                Ok(false) => ExitCode::SUCCESS,
                Err(e) => failure(server, &e),
            }
        }
    }
}

fn usage_error(why: &str) -> ExitCode {
    eprintln!("error: {why}\n\n{USAGE}");
    ExitCode::from(EXIT_USAGE)
}

fn failure(server: &ServerEntry, e: &ClientError) -> ExitCode {
    if server.name.is_empty() {
        eprintln!("error: {e}");
    } else {
        eprintln!("error: server {}: {e}", server.name);
    }
    ExitCode::from(EXIT_FAILURE)
}

fn read_config(path: &str) -> Result<ServerList, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let list = config_file::parse(&text).map_err(|e| format!("{path}: {e}"))?;
    for note in &list.skipped {
        eprintln!("note: {note}");
    }
    if list.servers.is_empty() {
        return Err(format!("{path} names no server this client can reach"));
    }
    Ok(list)
}

/// Open a session, run `work`, and end the session whatever `work` returned. With a `handler`,
/// the session declares that it can answer the server's questions.
fn session<T>(
    server: &ServerEntry,
    args: &Args,
    options: &Options,
    handler: Option<ElicitationHandler>,
    work: impl FnOnce(&mut McpClient) -> Result<T, ClientError>,
) -> Result<T, ClientError> {
    let mut client = McpClient::new(&server.url, options.clone());
    if args.json {
        // println! locks stdout per line, and Rust's stdout is line-buffered: each message is
        // visible to a reading script as soon as it arrives.
        client.set_trace(Box::new(|message| println!("{message}")));
    }
    if let Some(handler) = handler {
        client.set_elicitation(handler); // before start, which declares the capability
    }
    let era = client.start()?;
    say_era(server, &client, era, args.json);
    let outcome = work(&mut client);
    if let Err(e) = client.close() {
        eprintln!("warning: the session could not be ended: {e}");
    }
    outcome
}

/// Name the era on stderr, so stdout stays the command's own output: a sentence, or with `--json`
/// one JSON line a script can read (stdout then holds JSON-RPC messages only).
fn say_era(server: &ServerEntry, client: &McpClient, era: Era, json: bool) {
    let version = client.protocol_version().unwrap_or("?");
    if json {
        let line =
            serde_json::json!({ "era": era.name(), "protocolVersion": version, "url": server.url });
        eprintln!("{line}");
    } else {
        eprintln!(
            "{}: {} era, protocol version {version}",
            server.url,
            era.name()
        );
    }
}

/// Run `work` on every server; exit 3 if any of them failed, after trying them all.
fn each_server(
    servers: &[ServerEntry],
    args: &Args,
    options: &Options,
    work: fn(&mut McpClient, &ServerEntry, bool) -> Result<(), ClientError>,
) -> ExitCode {
    let mut code = ExitCode::SUCCESS;
    for server in servers {
        if let Err(e) = session(server, args, options, None, |c| work(c, server, args.json)) {
            code = failure(server, &e);
        }
    }
    code
}

fn list_tools(client: &mut McpClient, server: &ServerEntry, json: bool) -> Result<(), ClientError> {
    let tools = client.list_tools()?;
    for (name, why) in client.refused_tools() {
        // SPEC streamable-http (2026-07-28) §Schema Extension: clients "SHOULD log a warning when rejecting a tool definition, including the tool name and the reason"
        eprintln!("warning: tool {name:?} left out: {why}");
    }
    if json {
        return Ok(()); // the trace printed the messages
    }
    let prefix = if server.name.is_empty() {
        String::new()
    } else {
        format!("{}.", server.name)
    };
    let width = tools
        .iter()
        .map(|t| prefix.len() + t.name.len())
        .max()
        .unwrap_or(0);
    for tool in tools {
        let description = tool.description.as_deref().unwrap_or("");
        let first_line = description.lines().next().unwrap_or("");
        println!("{:<width$}  {first_line}", format!("{prefix}{}", tool.name));
    }
    Ok(())
}

fn ping(client: &mut McpClient, server: &ServerEntry, json: bool) -> Result<(), ClientError> {
    let started = Instant::now();
    client.ping()?;
    if !json {
        // Without --config the server has no name: its URL says who answered.
        let who = if server.name.is_empty() {
            &server.url
        } else {
            &server.name
        };
        println!(
            "pong from {who} in {:.1} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(())
}

/// Call the tool; `Ok(true)` when the tool reported an error.
fn call(
    client: &mut McpClient,
    tool: &str,
    arguments: Value,
    json: bool,
) -> Result<bool, ClientError> {
    let started = Instant::now();
    let modern = client.era() == Some(Era::Modern);
    let result = client.call_tool(tool, arguments, &mut |event| {
        if !json {
            // (--json: the trace printed it)
            let elapsed = started.elapsed().as_secs_f64();
            println!("[{elapsed:>6.2}s] {}", event_line(event, modern));
        }
    })?;
    if !json {
        println!("{}", result.text);
        if let Some(structured) = &result.structured {
            let pretty = serde_json::to_string_pretty(structured).unwrap_or_default();
            println!("structuredContent: {pretty}");
        }
        if result.is_error {
            eprintln!("the tool reported an error (isError: true)");
        }
    }
    Ok(result.is_error)
}

/// One thing a call heard, in words (after its elapsed time): `call` prints it on stdout,
/// `chat` on stderr.
fn event_line(event: &Incoming, modern: bool) -> String {
    match event {
        Incoming::Progress(p) => format!("progress {p}"),
        Incoming::Notification { method, params } => {
            let params = params.as_ref().map(Value::to_string).unwrap_or_default();
            format!("{method} {params}")
        }
        Incoming::Resumed {
            last_event_id,
            waited,
        } => format!(
            "the stream was cut; resumed after event {last_event_id} (waited {} ms)",
            waited.as_millis()
        ),
        Incoming::Reissued { attempt, waited } => format!(
            "the stream was cut; sent the request again (attempt {attempt}, waited {} ms)",
            waited.as_millis()
        ),
        Incoming::InputRequired { keys } => {
            format!("the server needs input first ({})", keys.join(", "))
        }
        // A modern server has no session to take an answer in: the request is only shown.
        Incoming::Request { method, .. } if modern => {
            format!(
                "the server sent {method} on the stream; not answered (2026-07-28 asks in results)"
            )
        }
        // The handler shows the question itself (on stderr), and what was answered.
        Incoming::Request { method, .. } if method == "elicitation/create" => {
            format!("the server asks a question ({method})")
        }
        Incoming::Request { method, .. } => {
            format!("the server asked for {method}; answered: not supported")
        }
    }
}

/// Who asks, as the person is shown it: `server NAME`, or its URL without `--config`.
fn asker(server: &ServerEntry) -> String {
    if server.name.is_empty() {
        server.url.clone()
    } else {
        format!("server {}", server.name)
    }
}

/// The elicitation handler for `call` and `chat`: ask on the terminal, or answer as the flags said. Every
/// line goes to stderr, so that `--json` keeps stdout for JSON-RPC messages.
fn answerer(server: &ServerEntry, answers: &Answers) -> ElicitationHandler {
    // SPEC elicitation: clients MUST "Provide UI that makes it clear which server is requesting information"
    let who = asker(server);
    match answers {
        Answers::Ask => Box::new(move |question: &ElicitRequest| {
            // A person can review an answer before it goes; a pipe cannot, so it is not asked to.
            let interactive = std::io::stdin().is_terminal();
            let stdin = std::io::stdin();
            ask(
                &who,
                question,
                interactive,
                &mut stdin.lock(),
                &mut std::io::stderr(),
            )
        }),
        Answers::Accept(content) => {
            let content = content.clone();
            Box::new(move |question: &ElicitRequest| {
                eprintln!("{who} asks: {}", question.message);
                eprintln!("answered with --answer: {}", Value::Object(content.clone()));
                ElicitAnswer::Accept(content.clone())
            })
        }
        Answers::Decline => Box::new(move |question: &ElicitRequest| {
            eprintln!("{who} asks: {}", question.message);
            eprintln!("declined (--decline)");
            ElicitAnswer::Decline
        }),
    }
}
