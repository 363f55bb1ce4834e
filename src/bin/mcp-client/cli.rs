//! The command line of `mcp-client`, parsed into values: pure, so it is unit-tested here, and the
//! binary (`main.rs`) keeps only the I/O.
//!
//! Implements no part of the MCP specification. It decides how a person names a server (`--url`,
//! or `--config` with an `mcpServers` file), a framing (`--framing`, which becomes the `Accept`
//! header), a tool's arguments (`key=value` pairs, read as JSON when they are JSON), and how the
//! server's questions (`client/elicitation`) are answered: asked on the terminal, or answered
//! ahead of time with `--answer key=value` or `--decline`.
//!
//! For `chat` it reads the model's flags (`--model`, `--model-url`, `--model-key`, `--ask`,
//! `--max-rounds`, `--model-timeout`; the environment and the defaults are `model_settings.rs`'s)
//! and `--yes`, which runs the model's tool calls without asking (`confirm.rs`).
//!
//! Left out: `--header` for arbitrary headers, and reading arguments from stdin.

use serde_json::{Map, Value};
use streamable_mcp::client::{EraChoice, Framing};

pub const USAGE: &str = "\
mcp-client: a blocking MCP client (Streamable HTTP, revisions 2026-07-28 and 2025-11-25)

USAGE:
  mcp-client [OPTIONS] tools                      list the tools (name and description)
  mcp-client [OPTIONS] call TOOL [key=value ...]  call a tool, printing progress as it arrives
  mcp-client [OPTIONS] ping                       check that the server answers
  mcp-client [OPTIONS] chat [--ask QUESTION]      let a language model answer with the tools

  key=value: the value is read as JSON when it is JSON (n=3 is a number, ok=true a boolean),
  and as a string otherwise (city=Hangzhou). Quote for the shell: city='New York'.

OPTIONS:
  --url URL                the MCP endpoint (default http://127.0.0.1:8000/mcp)
  --config FILE            an mcpServers JSON file; tools are then named server.tool
  --era auto|modern|legacy which protocol era to speak. auto (default): try 2026-07-28 with
                           server/discover, and fall back to initialize (2025-11-25) when the
                           server's answer says it is older; modern or legacy: that era only.
                           The era used is named on stderr (one JSON line with --json)
  --args JSON              the call's arguments as one JSON object (key=value pairs add to it)
  --framing sse|ndjson|json  how answers should be framed: SSE (the spec's, default), NDJSON
                           (the tutorial's), or one JSON object (progress is then lost)
  --json                   print every JSON-RPC message received, one compact line each (once,
                           even when a cut stream is resumed; the priming event is no message)
  --answer key=value       answer the server's questions with these fields, without asking
                           (repeatable; values read like key=value arguments)
  --decline                decline the server's questions without asking
  --token TOKEN            send Authorization: Bearer TOKEN (default: $MCP_AUTH_TOKEN)
  --help                   print this help

CHAT: questions are read from stdin, one a line, until end of input (Ctrl-D); with --ask
  one question is answered and the client exits. The model (any OpenAI-compatible server:
  Ollama, llama.cpp's llama-server, vLLM...) is offered every tool of every server; its tool
  calls run over MCP, once allowed (--yes, or y at the terminal), with their progress on
  stderr; its answer goes to stdout.
  --model NAME             the model's name (default: $OPENAI_MODEL; required)
  --model-url URL          its base URL, where /chat/completions is appended
                           (default: $OPENAI_BASE_URL, else http://127.0.0.1:11434/v1, Ollama's)
  --model-key KEY          sent as Authorization: Bearer KEY (default: $OPENAI_API_KEY, but
                           that one only to loopback: http off this machine is clear text);
                           required unless the base URL is on loopback (127.0.0.1, localhost)
  --max-rounds N           model requests per question, at most (default 10); a model still
                           calling tools after that is stopped, its last calls not run
  --yes                    run the model's tool calls without asking. Without it each call is
                           shown and asked for (y/N) when stdin is a terminal, and declined
                           (the model is told so) when stdin is a pipe: nobody can say yes
  --model-timeout SECS     the longest the model may send nothing (default 300): until its
                           answer starts, and again within it; then exit 3. Connecting to it
                           may take 5 s
  Exit 3 when the model cannot be used: no key, unreachable, silent past --model-timeout, an
  HTTP error (its message is shown), an answer without choices; with --ask also a refusal or
  the round limit.

QUESTIONS: a tool may ask something in the middle of a call (get_weather does for
  city=Springfield): in the legacy era on the call's stream, in the modern era as an
  input_required result, after which the call is sent again with the answer. Without
  --answer or --decline, the question and its numbered choices are shown on stderr and the
  answer is read from stdin: a number or a value; an empty line declines; end of input
  (Ctrl-D, or nothing piped) cancels. A declined question usually ends the call with a tool
  error (exit 1). chat reads an answer only from a terminal: with stdin a pipe, its next line
  is the next question, so the tool's question is declined unless --answer answers it.

CUT STREAMS: legacy era: a call whose SSE stream ends before its result is resumed with GET
  and Last-Event-ID, after the server's retry interval; after 5 reconnections in a row without
  a new event, or when the server refuses (its events are gone), the call fails (exit 3).
  Modern era: streams cannot be resumed, so the request is sent again with a new id, at most
  3 times (the tool may run again).

TIMEOUTS: an MCP server gets 5 s to accept the connection, 30 s until its answer's headers,
  and 10 s of silence inside a stream (our server's heartbeat is 500 ms); then exit 3. The
  model: 5 s to connect, then --model-timeout (default 300 s) of silence, before and within
  its answer.

EXIT CODES: 0 success, 1 the tool reported an error (isError), 2 usage error,
            3 connection or protocol error (including JSON-RPC errors such as an unknown tool,
              and a server that speaks neither era)
";

pub const DEFAULT_URL: &str = "http://127.0.0.1:8000/mcp";

// Exit codes. A tool that fails (an unknown city) is not the same news as a server that fails,
// so a script can tell "fix your input" (1) from "fix your setup" (3). A JSON-RPC error such as
// -32602 for an unknown tool is the protocol refusing the request: 3, not 1.
pub const EXIT_TOOL_ERROR: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_FAILURE: u8 = 3;

/// What to do, once connected.
#[derive(Debug, PartialEq)]
pub enum Command {
    Tools,
    /// `target` is `tool`, or `server.tool` with `--config`.
    Call {
        target: String,
        arguments: Value,
    },
    Ping,
    /// `chat`: read questions from stdin, or answer `ask` and stop.
    Chat {
        ask: Option<String>,
    },
}

/// The model's flags, as given (`model_settings.rs` adds the environment and the defaults).
#[derive(Debug, PartialEq, Default)]
pub struct ModelFlags {
    pub model: Option<String>,
    pub url: Option<String>,
    pub key: Option<String>,
    pub max_rounds: Option<usize>,
    /// `--model-timeout SECS`: the longest the model may be silent.
    pub timeout_secs: Option<u64>,
}

/// How `call` answers the server's questions (`elicitation/create`).
#[derive(Debug, PartialEq)]
pub enum Answers {
    /// Ask the person at the terminal (the default).
    Ask,
    /// `--answer key=value ...`: accept with these fields, without asking.
    Accept(Map<String, Value>),
    /// `--decline`: decline without asking.
    Decline,
}

/// The whole command line, checked.
#[derive(Debug, PartialEq)]
pub struct Args {
    pub url: Option<String>,
    pub era: EraChoice,
    pub config: Option<String>,
    pub framing: Framing,
    pub json: bool,
    pub token: Option<String>,
    pub answers: Answers,
    pub model: ModelFlags,
    /// `--yes` (chat): run the model's tool calls without asking.
    pub yes: bool,
    pub command: Command,
}

/// Read the command line (without the program name). `Ok(None)` means `--help`. Flags may come
/// before or after the command; `env_token` is `$MCP_AUTH_TOKEN`, which `--token` overrides.
///
/// # Errors
/// A sentence naming what is wrong, for the binary to print above the usage (exit code 2).
pub fn parse_args(args: Vec<String>, env_token: Option<String>) -> Result<Option<Args>, String> {
    let (mut url, mut config, mut args_json) = (None, None, None);
    let mut framing = Framing::Sse;
    let mut era = EraChoice::Auto;
    let (mut json, mut yes) = (false, false);
    let mut token = env_token.filter(|t| !t.is_empty());
    let (mut answer_pairs, mut decline) = (Vec::new(), false);
    let (mut model, mut ask) = (ModelFlags::default(), None);
    let mut words = Vec::new();
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--help" | "-h" => return Ok(None),
            "--url" => url = Some(value()?),
            "--config" => config = Some(value()?),
            "--args" => args_json = Some(value()?),
            "--token" => token = Some(value()?),
            "--json" => json = true,
            "--yes" => yes = true,
            "--answer" => answer_pairs.push(value()?),
            "--decline" => decline = true,
            "--model" => model.model = Some(value()?),
            "--model-url" => model.url = Some(value()?),
            "--model-key" => model.key = Some(value()?),
            "--ask" => ask = Some(value()?),
            "--model-timeout" => {
                let text = value()?;
                match text.parse::<u64>() {
                    Ok(n) if n > 0 => model.timeout_secs = Some(n),
                    _ => {
                        return Err(format!(
                            "--model-timeout takes a number of seconds from 1, not {text:?}"
                        ))
                    }
                }
            }
            "--max-rounds" => {
                let text = value()?;
                match text.parse::<usize>() {
                    Ok(n) if n > 0 => model.max_rounds = Some(n),
                    _ => return Err(format!("--max-rounds takes a number from 1, not {text:?}")),
                }
            }
            "--era" => {
                era = match value()?.as_str() {
                    "auto" => EraChoice::Auto,
                    "modern" => EraChoice::Modern,
                    "legacy" => EraChoice::Legacy,
                    other => {
                        return Err(format!("--era takes auto, modern or legacy, not {other:?}"))
                    }
                }
            }
            "--framing" => {
                framing = match value()?.as_str() {
                    "sse" => Framing::Sse,
                    "ndjson" => Framing::Ndjson,
                    "json" => Framing::Json,
                    other => {
                        return Err(format!(
                            "--framing takes sse, ndjson or json, not {other:?}"
                        ))
                    }
                }
            }
            flag if flag.starts_with("--") => return Err(format!("unknown option {flag}")),
            _ => words.push(arg),
        }
    }
    if url.is_some() && config.is_some() {
        return Err("--url and --config both name the server; give one".into());
    }
    let mut words = words.into_iter();
    let command = match words.next().as_deref() {
        Some("tools") => Command::Tools,
        Some("ping") => Command::Ping,
        Some("chat") => Command::Chat { ask: ask.take() },
        Some("call") => {
            let target = words.next().ok_or("call needs a tool name")?;
            let pairs: Vec<String> = words.by_ref().collect();
            let arguments = parse_arguments(args_json.as_deref(), &pairs)?;
            Command::Call { target, arguments }
        }
        Some(other) => return Err(format!("unknown command {other:?}")),
        None => return Err("no command given".into()),
    };
    if let Some(extra) = words.next() {
        return Err(format!("unexpected argument {extra:?}"));
    }
    let is_call = matches!(command, Command::Call { .. });
    let is_chat = matches!(command, Command::Chat { .. });
    if args_json.is_some() && !is_call {
        return Err("--args only goes with call".into());
    }
    if yes && !is_chat {
        return Err("--yes goes with chat (it runs the model's tool calls without asking)".into());
    }
    if is_chat && json {
        return Err("--json does not go with chat (its stdout is the model's answers)".into());
    }
    if !is_chat && (ask.is_some() || model != ModelFlags::default()) {
        return Err(
            "--ask, --model, --model-url, --model-key, --max-rounds and --model-timeout go with chat"
                .into(),
        );
    }
    let answers = match (answer_pairs.is_empty(), decline) {
        (true, false) => Answers::Ask,
        (false, true) => return Err("--answer and --decline contradict each other".into()),
        _ if !is_call && !is_chat => {
            return Err("--answer and --decline only go with call and chat".into())
        }
        (true, true) => Answers::Decline,
        (false, false) => {
            let mut content = Map::new();
            insert_pairs(&mut content, &answer_pairs).map_err(|e| format!("--answer: {e}"))?;
            Answers::Accept(content)
        }
    };
    Ok(Some(Args {
        url,
        era,
        config,
        framing,
        json,
        token,
        answers,
        model,
        yes,
        command,
    }))
}

/// `--args` (a JSON object) plus `key=value` pairs, which win over `--args`.
///
/// # Why "JSON if it parses, else a string"?
/// It lets `n=3` be a number and `city=Hangzhou` a string without a type syntax. The price: a
/// string that happens to be JSON (`zip=02134` is not, `answer=42` is) needs `--args`.
///
/// # Errors
/// A pair without `=` or with an empty key, or `--args` that is not a JSON object.
pub fn parse_arguments(base: Option<&str>, pairs: &[String]) -> Result<Value, String> {
    let mut arguments = match base.map(serde_json::from_str::<Value>) {
        None => Map::new(),
        Some(Ok(Value::Object(object))) => object,
        Some(Ok(_)) => return Err("--args must be a JSON object".into()),
        Some(Err(e)) => return Err(format!("--args is not JSON ({e})")),
    };
    insert_pairs(&mut arguments, pairs)?;
    Ok(Value::Object(arguments))
}

/// Add `key=value` pairs to `object`, later pairs winning.
///
/// # Errors
/// A pair without `=` or with an empty key.
fn insert_pairs(object: &mut Map<String, Value>, pairs: &[String]) -> Result<(), String> {
    for pair in pairs {
        let Some((key, text)) = pair.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(format!("expected key=value, got {pair:?}"));
        };
        // JSON when it parses, else the text itself: `n=3` is 3, `city=Hangzhou` is "Hangzhou".
        let value = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()));
        object.insert(key.to_string(), value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(words: &[&str]) -> Result<Option<Args>, String> {
        parse_args(words.iter().map(|s| s.to_string()).collect(), None)
    }

    #[test]
    fn key_value_pairs_are_json_when_they_parse_and_strings_otherwise() {
        let pairs: Vec<String> = ["city=Hangzhou", "n=3", "ok=true", "zip=02134", "q=a=b"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            parse_arguments(None, &pairs).unwrap(),
            json!({"city": "Hangzhou", "n": 3, "ok": true, "zip": "02134", "q": "a=b"})
        );
    }

    #[test]
    fn args_json_is_merged_with_pairs_winning() {
        let pairs = vec!["city=Beijing".to_string()];
        let merged = parse_arguments(Some(r#"{"city":"Hangzhou","units":"c"}"#), &pairs).unwrap();
        assert_eq!(merged, json!({"city": "Beijing", "units": "c"}));
        assert!(parse_arguments(Some("[1]"), &[]).is_err());
        assert!(parse_arguments(Some("{"), &[]).is_err());
    }

    #[test]
    fn flags_go_anywhere_and_call_collects_its_pairs() {
        let args = parse(&[
            "call",
            "get_weather",
            "--framing",
            "ndjson",
            "city=Wuhan",
            "--json",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(args.framing, Framing::Ndjson);
        assert!(args.json);
        assert_eq!(
            args.command,
            Command::Call {
                target: "get_weather".into(),
                arguments: json!({"city": "Wuhan"})
            }
        );
    }

    #[test]
    fn the_era_is_auto_unless_named() {
        assert_eq!(parse(&["ping"]).unwrap().unwrap().era, EraChoice::Auto);
        let legacy = parse(&["--era", "legacy", "ping"]).unwrap().unwrap();
        assert_eq!(legacy.era, EraChoice::Legacy);
        let modern = parse(&["tools", "--era", "modern"]).unwrap().unwrap();
        assert_eq!(modern.era, EraChoice::Modern);
    }

    #[test]
    fn usage_errors_are_sentences() {
        assert!(parse(&[]).unwrap_err().contains("no command"));
        assert!(parse(&["fly"]).unwrap_err().contains("unknown command"));
        assert!(parse(&["--bogus", "tools"])
            .unwrap_err()
            .contains("--bogus"));
        assert!(parse(&["call"]).unwrap_err().contains("tool name"));
        assert!(parse(&["call", "t", "novalue"])
            .unwrap_err()
            .contains("key=value"));
        assert!(parse(&["call", "t", "=x"])
            .unwrap_err()
            .contains("key=value"));
        assert!(parse(&["tools", "extra"])
            .unwrap_err()
            .contains("unexpected"));
        assert!(parse(&["--framing", "xml", "ping"])
            .unwrap_err()
            .contains("--framing"));
        assert!(parse(&["--era", "2026", "ping"])
            .unwrap_err()
            .contains("--era"));
        assert!(parse(&["--url", "u", "--config", "c", "ping"]).is_err());
        assert!(parse(&["--url"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["ping", "--help"]).unwrap().is_none());
    }

    #[test]
    fn answer_pairs_accept_ahead_of_time_and_decline_declines() {
        let args = parse(&[
            "call",
            "get_weather",
            "city=Springfield",
            "--answer",
            "city=Springfield, Illinois, United States",
            "--answer",
            "days=2",
        ])
        .unwrap()
        .unwrap();
        let Answers::Accept(content) = args.answers else {
            panic!("{:?}", args.answers)
        };
        assert_eq!(
            Value::Object(content),
            json!({"city": "Springfield, Illinois, United States", "days": 2})
        );
        let args = parse(&["call", "t", "--decline"]).unwrap().unwrap();
        assert_eq!(args.answers, Answers::Decline);
        assert_eq!(parse(&["ping"]).unwrap().unwrap().answers, Answers::Ask);
        assert!(parse(&["call", "t", "--decline", "--answer", "a=1"])
            .unwrap_err()
            .contains("contradict"));
        assert!(parse(&["ping", "--decline"])
            .unwrap_err()
            .contains("only go with call and chat"));
        assert!(parse(&["call", "t", "--answer", "novalue"])
            .unwrap_err()
            .starts_with("--answer: expected key=value"));
    }

    #[test]
    fn chat_takes_the_model_flags_and_an_optional_question() {
        let args = parse(&[
            "chat",
            "--model",
            "qwen3",
            "--model-url",
            "http://127.0.0.1:8080/v1",
            "--model-key",
            "k",
            "--max-rounds",
            "3",
            "--model-timeout",
            "20",
            "--ask",
            "Weather in Hangzhou?",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(
            args.command,
            Command::Chat {
                ask: Some("Weather in Hangzhou?".into())
            }
        );
        assert_eq!(
            args.model,
            ModelFlags {
                model: Some("qwen3".into()),
                url: Some("http://127.0.0.1:8080/v1".into()),
                key: Some("k".into()),
                max_rounds: Some(3),
                timeout_secs: Some(20),
            }
        );
        assert!(!args.yes);
        let plain = parse(&["chat", "--yes"]).unwrap().unwrap();
        assert_eq!(plain.command, Command::Chat { ask: None });
        assert!(plain.yes);
        assert!(parse(&["call", "t", "--yes"])
            .unwrap_err()
            .contains("--yes goes with chat"));
        assert!(parse(&["chat", "--decline"]).is_ok());
        assert!(parse(&["chat", "--max-rounds", "0"])
            .unwrap_err()
            .contains("--max-rounds"));
        assert!(parse(&["chat", "--model-timeout", "0.5"])
            .unwrap_err()
            .contains("--model-timeout"));
        assert!(parse(&["tools", "--ask", "q"])
            .unwrap_err()
            .contains("go with chat"));
        assert!(parse(&["call", "t", "--model", "m"])
            .unwrap_err()
            .contains("go with chat"));
    }

    #[test]
    fn token_comes_from_the_environment_unless_the_flag_says_otherwise() {
        let env = Some("from-env".to_string());
        let args = parse_args(vec!["ping".into()], env.clone())
            .unwrap()
            .unwrap();
        assert_eq!(args.token.as_deref(), Some("from-env"));
        let args = parse_args(vec!["--token".into(), "flag".into(), "ping".into()], env)
            .unwrap()
            .unwrap();
        assert_eq!(args.token.as_deref(), Some("flag"));
    }
}
