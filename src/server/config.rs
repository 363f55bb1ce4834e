//! The server's settings and the command line that sets them.
//!
//! Implements nothing of the spec by itself; it gathers every knob in one struct so that the rest
//! of the code reads `config.step_delay` instead of a magic number, and so that tests can start a
//! server with, say, a 50 ms step and a 1-tool page.
//!
//! The one setting without a default is the catalog: the server does not know what it serves
//! until a binary says so (`weather-server` passes the weather app's, the conformance example its
//! fixtures). That is what keeps the transport free of any app.

use crate::mcp::catalog::Catalog;
use crate::server::home_page::HomePage;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Config {
    /// What the server offers (tools, name, instructions), chosen by the binary.
    pub catalog: &'static Catalog,
    /// The page served at `GET /`, when the binary gives one (`weather-server` gives the weather
    /// app's); without it `/` is 404 like every other path. Not a flag: a page is the app's.
    pub home_page: Option<HomePage>,
    pub host: String,
    /// 0 lets the OS pick a free port (tests use this).
    pub port: u16,
    /// Pause between a tool's simulated steps (`Context::step`), so progress has something to report.
    pub step_delay: Duration,
    /// No sessions: no `Mcp-Session-Id` is minted or required (revision 2026-07-28 style).
    pub stateless: bool,
    /// Put before every session id this instance mints (`--session-id-prefix`); empty by default.
    /// Behind a load balancer the prefix names the instance, so the balancer can send a session's
    /// requests back to the one instance that holds it (see docs/scale-out.md).
    pub session_id_prefix: String,
    /// Browser origins allowed besides loopback ones.
    pub allowed_origins: Vec<String>,
    /// When set, requests need `Authorization: Bearer <token>`.
    pub auth_token: Option<String>,
    /// Sessions unused for this long are forgotten.
    pub session_idle_timeout: Duration,
    /// Requests handled at once before new ones get 503.
    pub max_in_flight: usize,
    /// Tools per `tools/list` page.
    pub page_size: usize,
    /// A quiet stream gets a heartbeat this often, which also bounds how long a gone client goes
    /// unnoticed (about two heartbeats: the first write after a close usually still succeeds).
    pub heartbeat: Duration,
    /// How long a connection may stay silent while the server waits to read from it (the next
    /// request's head, a body, a body being thrown away). Without it, a client that promises
    /// bytes and never sends them holds a thread, and whatever waits on that thread, for good.
    pub read_timeout: Duration,
    /// Messages a stream's log keeps.
    pub max_stream_events: usize,
    /// How long a finished stream stays resumable.
    pub stream_grace: Duration,
    /// The SSE `retry` the priming event announces: how long a client waits before reconnecting.
    pub retry: Duration,
    /// A teaching device: end every streamed response after this many events, as a flaky network
    /// or an impatient proxy would, so that clients must resume with `Last-Event-ID`.
    pub drop_stream_after: Option<usize>,
    /// How long a tool waits for the client to answer a question (`elicitation/create`).
    pub answer_timeout: Duration,
    /// How often the GET stream carries one of the app's alerts (the catalog's `alerts`).
    pub alert_every: Duration,
    /// The key that signs 2026-07-28 `requestState`s (`--state-key`, or `MCP_STATE_KEY`); random
    /// at start when unset. Instances that share it accept each other's states.
    pub state_key: Option<Vec<u8>>,
    /// How long a `requestState` stays valid: the time a person has to answer a question.
    pub state_ttl: Duration,
    /// Answer even single-message replies as SSE when the client accepts it (as the official
    /// SDKs do); by default they are one JSON object, the simplest thing a client can read.
    pub sse_replies: bool,
    /// Keep connections open between requests (HTTP/1.1's default). `--connection-close` turns
    /// it off: every answer then says `Connection: close`, the way this server ran before.
    ///
    /// # Why was it ever off?
    /// SHARP EDGE (tiny_http 0.12): each open connection holds one of its pool threads, and the
    /// pool has a race that can leave a new connection unserved during a burst until another
    /// connection closes; a client that keeps idle connections (Node's fetch: 4 s) then waited
    /// that long (the conformance suite's three concurrent POSTs: 3 runs in 8 took 4.5 s instead
    /// of 0.5 s). `unstick.rs` now frees such a connection, one every 10 ms
    /// (measured: 0 stalls in 32 runs); `docs/benchmarks.md` measures the burst and both settings.
    pub keep_alive: bool,
    /// At most this many live sessions; an `initialize` beyond them gets 503 (`--max-sessions`).
    /// Each session costs memory (its streams and their logs) until DELETE or the idle timeout.
    pub max_sessions: usize,
    /// Print one line per request to stderr (`--log-requests`): what arrived, what was answered.
    pub log_requests: bool,
    /// Also serve revision 2024-11-05's HTTP+SSE transport at `GET /sse` and `POST /messages`
    /// (`--http-sse`), for the old clients it was made for (see `http_sse.rs`).
    pub http_sse: bool,
    // LAB: lab 6 (cap the calls per session): the new setting goes here, and its default in `Config::new`.
}

impl Config {
    /// Every setting at its default (the tutorial's), serving `catalog`.
    pub fn new(catalog: &'static Catalog) -> Config {
        Config {
            catalog,
            home_page: None,
            host: "127.0.0.1".to_string(),
            port: 8000,
            step_delay: Duration::from_millis(300),
            stateless: false,
            session_id_prefix: String::new(),
            allowed_origins: Vec::new(),
            auth_token: None,
            session_idle_timeout: Duration::from_secs(30 * 60),
            max_in_flight: 256,
            page_size: 50,
            heartbeat: Duration::from_millis(500),
            read_timeout: Duration::from_secs(10),
            max_stream_events: 1024,
            stream_grace: Duration::from_secs(60),
            retry: Duration::from_millis(1000),
            drop_stream_after: None,
            answer_timeout: Duration::from_secs(60),
            state_key: None,
            state_ttl: Duration::from_secs(600),
            alert_every: Duration::from_secs(10),
            sse_replies: false,
            keep_alive: true,
            max_sessions: DEFAULT_MAX_SESSIONS,
            log_requests: false,
            http_sse: false,
        }
    }
}

/// The default of `--max-sessions`. An idle session holds a few kilobytes, so 4096 of them are
/// cheap; the limit is there for a client that initializes in a loop and never sends DELETE.
/// A production server would rather bound sessions per user, which needs users (see session.rs).
pub const DEFAULT_MAX_SESSIONS: usize = 4096;

// LAB: lab 6 (cap the calls per session): document the new flag in the help text.
pub const USAGE: &str = "\
weather-server: a teaching MCP server (Streamable HTTP, revisions 2026-07-28 and 2025-11-25)

USAGE: weather-server [OPTIONS]

OPTIONS:
  --host HOST               address to listen on (default 127.0.0.1; others print a warning)
  --port PORT               port to listen on, 0 picks a free one (default 8000)
  --step-delay-ms N         pause between progress steps of get_weather (default 300)
  --stateless               no sessions: no Mcp-Session-Id is issued or required
  --session-id-prefix P     start every session id with P (letters, digits, . _ -, at most 16,
                            ending in a non-hex character, as in a.): names the
                            instance to a load balancer that routes on it (docs/scale-out.md)
  --allow-origin ORIGIN     allow this browser Origin besides loopback ones (repeatable)
  --auth-token TOKEN        require Authorization: Bearer TOKEN (or set MCP_AUTH_TOKEN)
  --state-key KEY           sign 2026-07-28 requestStates with KEY (or set MCP_STATE_KEY); random
                            at start by default. Instances that share it accept each other's states
  --session-timeout-secs N  forget sessions idle this long (default 1800)
  --max-in-flight N         requests handled at once before answering 503 (default 256)
  --max-sessions N          live sessions at once; initialize beyond them gets 503 (default 4096)
  --page-size N             tools per tools/list page (default 50)
  --heartbeat-ms N          heartbeat interval on quiet streams (default 500)
  --read-timeout-secs N     close a connection silent this long while a read waits (default 10)
  --stream-max-events N     messages kept per stream for resuming (default 1024)
  --stream-grace-secs N     how long a finished stream stays resumable (default 60)
  --retry-ms N              the SSE retry the server announces (default 1000)
  --drop-stream-after N     TEACHING DEVICE: end every 2025-11-25 streamed response after N
                            events, like a flaky network; a session's SSE streams resume with
                            Last-Event-ID, other streams lose the rest
  --answer-timeout-secs N   how long a tool waits for the client's answer (default 60)
  --alert-interval-ms N     the app's alerts on the GET stream this often (default 10000)
  --sse-replies             answer every request as an SSE stream when the client accepts it
  --connection-close        say Connection: close on every answer, as before keep-alive was
                            made safe (clients then close; the labs' recording proxy wants it)
  --log-requests            print to stderr one line per request: the era it was routed to,
                            the MCP headers and _meta keys that arrived (never a body or a
                            secret), and the status answered
  --http-sse                also serve revision 2024-11-05's HTTP+SSE transport: GET /sse
                            opens a session's stream, POST /messages?sessionId=... sends to it
  --help                    print this help
";

/// Read the command line (without the program name) of a server that serves `catalog`.
/// `env_token` is `MCP_AUTH_TOKEN`.
///
/// Returns `Ok(None)` for `--help`.
///
/// # Errors
/// A sentence naming the bad flag, for the binary to print above the usage.
pub fn parse_args(
    args: impl IntoIterator<Item = String>,
    env_token: Option<String>,
    catalog: &'static Catalog,
) -> Result<Option<Config>, String> {
    let mut config = Config {
        auth_token: env_token.filter(|t| !t.is_empty()),
        ..Config::new(catalog)
    };
    let mut args = args.into_iter();
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--help" | "-h" => return Ok(None),
            "--host" => config.host = value()?,
            "--port" => config.port = number(&flag, &value()?)?,
            "--step-delay-ms" => {
                config.step_delay = Duration::from_millis(number(&flag, &value()?)?)
            }
            "--stateless" => config.stateless = true,
            "--session-id-prefix" => config.session_id_prefix = session_id_prefix(&value()?)?,
            "--sse-replies" => config.sse_replies = true,
            "--connection-close" => config.keep_alive = false,
            "--log-requests" => config.log_requests = true,
            "--http-sse" => config.http_sse = true,
            "--allow-origin" => config.allowed_origins.push(value()?),
            "--auth-token" => {
                // An empty token would let every request through with no Authorization at all.
                let token = value()?;
                if token.is_empty() {
                    return Err(
                        "--auth-token needs a token; an empty one would turn authentication off"
                            .into(),
                    );
                }
                config.auth_token = Some(token)
            }
            "--state-key" => config.state_key = Some(value()?.into_bytes()),
            "--session-timeout-secs" => {
                config.session_idle_timeout = Duration::from_secs(number(&flag, &value()?)?)
            }
            "--max-in-flight" => config.max_in_flight = number(&flag, &value()?)?,
            "--max-sessions" => config.max_sessions = number::<usize>(&flag, &value()?)?.max(1),
            "--page-size" => config.page_size = number::<usize>(&flag, &value()?)?.max(1),
            "--heartbeat-ms" => {
                config.heartbeat = Duration::from_millis(number::<u64>(&flag, &value()?)?.max(10))
            }
            "--read-timeout-secs" => {
                // Zero would mean "no timeout" to the socket: the defect itself, so at least 1 s.
                config.read_timeout = Duration::from_secs(number::<u64>(&flag, &value()?)?.max(1))
            }
            "--stream-max-events" => {
                config.max_stream_events = number::<usize>(&flag, &value()?)?.max(1)
            }
            "--stream-grace-secs" => {
                config.stream_grace = Duration::from_secs(number(&flag, &value()?)?)
            }
            "--retry-ms" => config.retry = Duration::from_millis(number(&flag, &value()?)?),
            "--drop-stream-after" => {
                config.drop_stream_after = Some(number::<usize>(&flag, &value()?)?.max(1))
            }
            "--answer-timeout-secs" => {
                config.answer_timeout = Duration::from_secs(number(&flag, &value()?)?)
            }
            "--alert-interval-ms" => {
                config.alert_every = Duration::from_millis(number::<u64>(&flag, &value()?)?.max(10))
            }
            // LAB: lab 6 (cap the calls per session): an unknown flag ends here; parse yours above.
            other => return Err(format!("unknown option {other}")),
        }
    }
    // An HTTP+SSE connection *is* a session: without sessions there is nothing to serve it with.
    if config.http_sse && config.stateless {
        return Err("--http-sse needs sessions: it cannot go with --stateless".to_string());
    }
    Ok(Some(config))
}

/// The command line of a server binary, from the process's arguments and `MCP_AUTH_TOKEN`.
///
/// # Errors
/// The exit code to end with, after the help (0) or an error and the usage (2) was printed: the
/// one piece of output this module writes, shared by `weather-server` and the examples.
pub fn from_command_line(catalog: &'static Catalog) -> Result<Config, std::process::ExitCode> {
    let token = std::env::var("MCP_AUTH_TOKEN").ok();
    match parse_args(std::env::args().skip(1), token, catalog) {
        Ok(Some(mut config)) => {
            if config.state_key.is_none() {
                config.state_key = std::env::var("MCP_STATE_KEY").ok().map(String::into_bytes);
            }
            Ok(config)
        }
        Ok(None) => {
            print!("{USAGE}");
            Err(std::process::ExitCode::SUCCESS)
        }
        Err(why) => {
            eprintln!("error: {why}\n\n{USAGE}");
            Err(std::process::ExitCode::from(2))
        }
    }
}

/// A prefix for session ids, checked here so that every id the server mints stays valid, and
/// stays one piece where it travels: in a header, and unescaped in the query of the 2024-11-05
/// `endpoint` event (so no `&`, `#`, `%`, `+` or `?`: letters, digits, `.`, `_` and `-` only).
/// It must end in a character that is not a hex digit: the random part is hex, so the prefixes
/// `a` and `ab` would make `a` + `b3…` look like an id of `ab` to a balancer routing on prefixes.
// SPEC transports#session-management: "The session ID MUST only contain visible ASCII characters (ranging from 0x21 to 0x7E)"
fn session_id_prefix(text: &str) -> Result<String, String> {
    let safe = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-');
    let ends_apart = text.bytes().last().is_none_or(|b| !b.is_ascii_hexdigit());
    if text.len() > 16 || !safe || !ends_apart {
        return Err(format!(
            "--session-id-prefix takes at most 16 letters, digits, '.', '_' or '-', ending in \
             one that is not a hex digit (as in \"a.\"), got {text:?}"
        ));
    }
    Ok(text.to_string())
}

fn number<T: std::str::FromStr>(flag: &str, text: &str) -> Result<T, String> {
    text.parse()
        .map_err(|_| format!("{flag} expects a number, got {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that offers nothing: the command line does not depend on what is served.
    static NOTHING: Catalog = Catalog {
        name: "nothing",
        title: "Nothing",
        instructions: "",
        tools: &[],
        resources: &[],
        resource_templates: &[],
        prompts: &[],
        completions: false,
        alerts: None,
    };

    fn parse(args: &[&str]) -> Result<Option<Config>, String> {
        parse_args(args.iter().map(|s| s.to_string()), None, &NOTHING)
    }

    #[test]
    fn defaults_match_the_tutorial() {
        let c = parse(&[]).unwrap().unwrap();
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 8000));
        assert_eq!(c.step_delay, Duration::from_millis(300));
        assert_eq!(c.session_idle_timeout, Duration::from_secs(1800));
        assert_eq!(c.max_in_flight, 256);
    }

    #[test]
    fn flags_set_their_fields_and_allow_origin_repeats() {
        let c = parse(&[
            "--port",
            "0",
            "--stateless",
            "--allow-origin",
            "a",
            "--allow-origin",
            "b",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(c.port, 0);
        assert!(c.stateless);
        assert_eq!(c.allowed_origins, ["a", "b"]);
        let c = parse(&["--drop-stream-after", "3", "--retry-ms", "50"])
            .unwrap()
            .unwrap();
        assert_eq!(c.drop_stream_after, Some(3));
        assert_eq!(c.retry, Duration::from_millis(50));
        assert_eq!(parse(&[]).unwrap().unwrap().max_sessions, 4096);
        let c = parse(&["--max-sessions", "2"]).unwrap().unwrap();
        assert_eq!(c.max_sessions, 2);
    }

    #[test]
    fn a_session_id_prefix_must_be_short_safe_in_a_query_and_end_apart_from_hex() {
        let with = |p: &str| parse(&["--session-id-prefix", p]);
        assert_eq!(with("a.").unwrap().unwrap().session_id_prefix, "a.");
        assert_eq!(
            with("node-7_").unwrap().unwrap().session_id_prefix,
            "node-7_"
        );
        assert!(with("a b").is_err(), "a space is not visible ASCII");
        assert!(with("é").is_err());
        assert!(with(&"x".repeat(17)).is_err());
        assert!(
            with("a&").is_err(),
            "& would split the endpoint event's query"
        );
        assert!(with("a#.").is_err(), "# would start a fragment");
        assert!(
            with("ab").is_err(),
            "ends in a hex digit: a + b3… would look like ab's"
        );
        assert!(with("n1").is_err(), "ends in a hex digit");
    }

    #[test]
    fn bad_flags_are_reported_and_help_is_not_an_error() {
        assert!(parse(&["--port", "x"]).unwrap_err().contains("--port"));
        assert!(parse(&["--bogus"]).unwrap_err().contains("--bogus"));
        assert!(parse(&["--port"]).unwrap_err().contains("needs a value"));
        assert!(parse(&["--help"]).unwrap().is_none());
    }

    #[test]
    fn token_comes_from_environment_unless_flag_overrides() {
        let c = parse_args(Vec::new(), Some("env".into()), &NOTHING)
            .unwrap()
            .unwrap();
        assert_eq!(c.auth_token.as_deref(), Some("env"));
        let c = parse_args(
            vec!["--auth-token".into(), "flag".into()],
            Some("env".into()),
            &NOTHING,
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.auth_token.as_deref(), Some("flag"));
    }

    /// An empty token would turn authentication off without a word (issue 13, defect 15).
    #[test]
    fn an_empty_token_flag_is_refused_and_an_empty_environment_means_none() {
        let err = parse(&["--auth-token", ""]).unwrap_err();
        assert!(err.contains("empty"), "{err}");
        let c = parse_args(Vec::new(), Some(String::new()), &NOTHING)
            .unwrap()
            .unwrap();
        assert_eq!(c.auth_token, None);
    }
}
