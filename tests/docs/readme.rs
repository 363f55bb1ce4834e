//! The README's curl sessions, run as written against a real server: what the README says a step
//! prints is what it prints, byte for byte; and every curl line of the README and of
//! `docs/streams.md` sends the headers the spec requires of a client.
//!
//! After a deliberate change (a lab that adds a tool, say), `UPDATE_README=1 cargo test --test docs
//! readme -- --test-threads=1` writes what the server printed into the README's shown outputs (one
//! test at a time, since each rewrites the file); then read `git diff README.md`.

use std::process::Command;

fn read_doc(path: &str) -> String {
    std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// Is this run asked to rewrite the README instead of comparing it?
fn updating() -> bool {
    std::env::var_os("UPDATE_README").is_some()
}

/// Replace the README's bytes `start..end` by the text of each edit (spans from one reading of
/// the file, none overlapping).
fn rewrite_readme(mut edits: Vec<(usize, usize, String)>) {
    let mut readme = read_doc("README.md");
    edits.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    for (start, end, text) in edits {
        readme.replace_range(start..end, &text);
    }
    std::fs::write(format!("{}/README.md", env!("CARGO_MANIFEST_DIR")), readme).unwrap();
}

/// What a run of a README block printed: all of it, and each step's part.
struct Run {
    stdout: String,
    /// (step number, what that step printed), in order.
    steps: Vec<(u32, String)>,
    /// What the block's `echo "session: $SID"` printed, if it has one.
    session_id: Option<String>,
    server: crate::support::TestServer,
}

impl Run {
    fn step(&self, n: u32) -> &str {
        self.steps
            .iter()
            .find(|(k, _)| *k == n)
            .map(|(_, text)| text.as_str())
            .unwrap_or_else(|| panic!("no step {n} in {:?}", self.stdout))
    }
}

/// The step number of a line like `# 4. a streaming call …`.
fn step_number(line: &str) -> Option<u32> {
    let (n, _) = line.strip_prefix("# ")?.split_once(". ")?;
    n.parse().ok()
}

/// Run the README's bash block that starts with `VAR=http://127.0.0.1:8000/mcp` against a fresh
/// server. Before each `# N.` comment the script prints a marker, so that what each step printed
/// can be told apart; nothing else of the script is changed but the URL and the temporary file.
fn run_block(var: &str) -> Run {
    let readme = read_doc("README.md");
    let marker = format!("```bash\n{var}=");
    let start = readme.find(&marker).expect("the curl block") + "```bash\n".len();
    let script = &readme[start..start + readme[start..].find("```").unwrap()];
    let server = crate::support::start(|_| {});
    let script = script.replace(
        &format!("{var}=http://127.0.0.1:8000/mcp"),
        &format!("{var}={}", server.url()),
    );
    let headers_file =
        std::env::temp_dir().join(format!("mcp-headers-{}-{var}", std::process::id()));
    let script = script.replace("/tmp/mcp-headers", headers_file.to_str().unwrap());
    let marked: String = script
        .lines()
        .map(|line| match step_number(line) {
            Some(n) => format!("printf '@@step {n}@@\\n'\n{line}\n"),
            None => format!("{line}\n"),
        })
        .collect();
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -e\n{marked}"))
        .output()
        .unwrap();
    let _ = std::fs::remove_file(headers_file);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut steps = Vec::new();
    for part in stdout.split("@@step ").skip(1) {
        let (n, text) = part.split_once("@@\n").unwrap();
        steps.push((n.parse().unwrap(), text.to_string()));
    }
    let session_id = stdout
        .lines()
        .find_map(|l| l.strip_prefix("session: "))
        .map(str::to_string);
    Run {
        stdout,
        steps,
        session_id,
        server,
    }
}

/// Replace what differs from run to run (the session id, the port) with what the README shows.
fn normalise(text: &str, run: &Run) -> String {
    let mut text = text.replace(
        &format!("127.0.0.1:{}", run.server.addr.port()),
        "127.0.0.1:8000",
    );
    if let Some(sid) = run.session_id.as_deref().filter(|sid| !sid.is_empty()) {
        text = text.replace(sid, "$SID");
    }
    text
}

/// Every "What step N prints" in the README with the `text` block that follows it, and where that
/// block's text starts in the README.
fn shown_step_outputs(readme: &str) -> Vec<(u32, usize, String)> {
    let mut shown = Vec::new();
    for (at, _) in readme.match_indices("\nWhat step ") {
        let from = at + "\nWhat step ".len();
        let rest = &readme[from..];
        let n: u32 = rest.split(' ').next().unwrap().parse().unwrap();
        let block = rest.find("```text\n").expect("a text block after it") + "```text\n".len();
        let end = rest[block..].find("```").unwrap();
        shown.push((n, from + block, rest[block..block + end].to_string()));
    }
    shown
}

#[test]
fn readme_curl_session_prints_what_the_readme_shows() {
    let run = run_block("URL");
    let shown = shown_step_outputs(&read_doc("README.md"));
    assert!(
        shown.iter().any(|(n, _, _)| *n == 4),
        "the README shows what step 4 prints"
    );
    if updating() {
        let edits = shown
            .iter()
            .map(|(n, at, text)| (*at, at + text.len(), normalise(run.step(*n), &run)))
            .collect();
        rewrite_readme(edits);
        return;
    }
    for (n, _, text) in &shown {
        assert_eq!(
            normalise(run.step(*n), &run),
            *text,
            "README.md: what step {n} prints"
        );
    }
    // docs/streams.md shows the same start of a GET stream.
    let streams = read_doc("docs/streams.md");
    let heartbeats = &streams[streams
        .find("### Heartbeats")
        .expect("the heartbeat section")..];
    let block = heartbeats.find("```text\n").unwrap() + "```text\n".len();
    let end = heartbeats[block..].find("```").unwrap();
    assert_eq!(
        normalise(run.step(6), &run),
        heartbeats[block..block + end],
        "docs/streams.md: the start of a GET stream"
    );
    // The steps the README describes without showing them.
    assert!(
        run.step(2).starts_with("HTTP/1.1 202 Accepted\r\n") && run.step(2).ends_with("\r\n\r\n"),
        "{}",
        run.step(2)
    );
    assert!(run.step(3).contains("\"name\":\"get_weather\""));
    let ndjson: Vec<serde_json::Value> = run
        .step(5)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert_eq!(ndjson[0]["params"]["progressToken"], 7);
    assert_eq!(
        ndjson.last().unwrap()["result"]["structuredContent"]["city"],
        "Zürich"
    );
    assert_eq!(run.step(7), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
}

/// The README's 2026-07-28 block: discover, a streamed call with no handshake, a 404 for `ping`.
#[test]
fn readme_modern_curl_session_works_when_pasted() {
    let run = run_block("MODERN");
    assert!(
        run.step(1)
            .contains(r#""supportedVersions":["2026-07-28"]"#),
        "{}",
        run.stdout
    );
    assert!(
        run.step(2).contains("Looking up Hangzhou")
            && run.step(2).contains(r#""resultType":"complete""#)
    );
    assert!(
        !run.step(2).contains("\nid: "),
        "a modern stream has no event ids: {}",
        run.step(2)
    );
    assert!(
        run.step(3).starts_with("HTTP/1.1 404 Not Found") && run.step(3).contains("-32601"),
        "{}",
        run.step(3)
    );
    assert_eq!(
        run.server.server.endpoint().session_count(),
        0,
        "no session was made"
    );
}

/// One curl command of a document: its arguments' text (continuation lines joined, `"${H[@]}"`
/// replaced by what the block put in `H`), and where it starts.
struct Curl {
    at: String,
    text: String,
}

/// Every curl command in the `bash` blocks of `path`.
fn curl_commands(path: &str) -> Vec<Curl> {
    let doc = read_doc(path);
    let mut found = Vec::new();
    let mut arrays: Vec<(String, String)> = Vec::new();
    let mut in_bash = false;
    let mut pending: Option<Curl> = None;
    for (i, line) in doc.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_bash = trimmed == "```bash";
            arrays.clear();
            continue;
        }
        if !in_bash {
            continue;
        }
        if let Some(curl) = pending.as_mut() {
            curl.text.push(' ');
            curl.text.push_str(trimmed.trim_end_matches('\\'));
        } else if let Some((name, value)) = trimmed.split_once("=(") {
            arrays.push((format!("\"${{{name}[@]}}\""), value.to_string()));
        } else if trimmed.starts_with("curl ") {
            pending = Some(Curl {
                at: format!("{path}:{}", i + 1),
                text: trimmed.trim_end_matches('\\').to_string(),
            });
        }
        if line.ends_with('\\') {
            continue;
        }
        if let Some(mut curl) = pending.take() {
            for (name, value) in &arrays {
                curl.text = curl.text.replace(name.as_str(), value);
            }
            found.push(curl);
        }
    }
    found
}

/// The value of header `name` in a curl command's `-H 'Name: value'` (or `"Name: value"`).
fn header<'a>(curl: &'a str, name: &str) -> Option<&'a str> {
    let lower = curl.to_ascii_lowercase();
    let at = [format!("-h '{name}: "), format!("-h \"{name}: ")]
        .iter()
        .find_map(|h| lower.find(&h.to_ascii_lowercase()).map(|i| i + h.len()))?;
    let end = curl[at..].find(['\'', '"'])?;
    Some(&curl[at..at + end])
}

/// SPEC transports#sending-messages 2: a POST's Accept lists "both application/json and
/// text/event-stream"; #listening 2: a GET's lists "text/event-stream"; #protocol-version-header:
/// "the client MUST include the MCP-Protocol-Version: <protocol-version> HTTP header on all
/// subsequent requests"; #session-management: the client "MUST include it in the Mcp-Session-Id
/// header on all of its subsequent HTTP requests". The course's examples teach these habits, so
/// every curl line keeps them; the one exception is the README's NDJSON step, which asks for
/// this server's own framing on purpose and says so.
#[test]
fn every_curl_request_in_the_readme_and_streams_md_sends_the_headers_a_client_must() {
    let mut wrong = Vec::new();
    let mut checked = 0;
    for doc in ["README.md", "docs/streams.md"] {
        for curl in curl_commands(doc) {
            checked += 1;
            let text = &curl.text;
            let initialize = text.contains(r#""method":"initialize""#);
            let version = header(text, "MCP-Protocol-Version");
            let modern = version == Some("2026-07-28");
            let accept = header(text, "Accept").unwrap_or("");
            let is_post = text.contains(" -d ");
            let is_delete = text.contains("-X DELETE");
            if !initialize && version.is_none() {
                wrong.push(format!("{}: no MCP-Protocol-Version", curl.at));
            }
            if !initialize && !modern && header(text, "Mcp-Session-Id").is_none() {
                wrong.push(format!("{}: no Mcp-Session-Id", curl.at));
            }
            let ndjson_on_purpose = accept == "application/x-ndjson";
            if is_post
                && !ndjson_on_purpose
                && !(accept.contains("application/json") && accept.contains("text/event-stream"))
            {
                wrong.push(format!("{}: a POST's Accept lacks one of the two", curl.at));
            }
            if !is_post && !is_delete && !accept.contains("text/event-stream") {
                wrong.push(format!(
                    "{}: a GET's Accept lacks text/event-stream",
                    curl.at
                ));
            }
        }
    }
    assert!(checked >= 12, "only {checked} curl commands found");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// One `$ cargo run -q --bin mcp-client -- …` of a README `text` block and what the README says
/// it prints.
struct ShownRun {
    at: String,
    /// Where `shown` is in the README, in bytes.
    span: (usize, usize),
    /// The arguments after `--`, as bash reads them (quotes included).
    args: String,
    shown: String,
}

/// The README's `text` blocks of `mcp-client` runs, each with whether the prose just before it
/// says the server was started with `--drop-stream-after 2`.
fn shown_client_runs(readme: &str) -> Vec<(bool, Vec<ShownRun>)> {
    const PROMPT: &str = "$ cargo run -q --bin mcp-client -- ";
    let mut blocks = Vec::new();
    for (at, _) in readme.match_indices(&format!("```text\n{PROMPT}")) {
        let before = &readme[..at];
        let paragraph = &before[before.trim_end().rfind("\n\n").unwrap_or(0)..];
        let cutting = paragraph.contains("`weather-server --drop-stream-after 2`");
        let line = readme[..at].lines().count() + 2;
        let start = at + "```text\n".len();
        let body = &readme[start..];
        let body = &body[..body.find("```").unwrap()];
        let mut runs: Vec<ShownRun> = Vec::new();
        let mut offset = start;
        for (i, text) in body.split_inclusive('\n').enumerate() {
            offset += text.len();
            let text = text.strip_suffix('\n').unwrap_or(text);
            if let Some(args) = text.strip_prefix(PROMPT) {
                runs.push(ShownRun {
                    at: format!("README.md:{}", line + i),
                    span: (offset, offset),
                    args: args.to_string(),
                    shown: String::new(),
                });
            } else if let Some(run) = runs.last_mut() {
                run.shown.push_str(text);
                run.shown.push('\n');
                run.span.1 = offset;
            }
        }
        for run in &mut runs {
            // A blank line separates one run from the next; it is not output.
            if run.shown.ends_with("\n\n") {
                run.shown.pop();
                run.span.1 -= 1;
            }
        }
        blocks.push((cutting, runs));
    }
    blocks
}

/// Elapsed times such as `[  0.31s]` differ from run to run; everything else must not.
fn without_timings(text: &str) -> String {
    text.lines()
        .map(|line| match (line.find('['), line.find("s] ")) {
            (Some(0), Some(end)) if line[1..end].trim().parse::<f64>().is_ok() => {
                format!("[ time ]{}", &line[end + 2..])
            }
            _ => line.to_string(),
        })
        .map(|line| line + "\n")
        .collect()
}

/// Every `mcp-client` run the README shows is run against a fresh server started the way the
/// README says, with `--url` pointing at it; stderr and stdout together, as a terminal shows them,
/// must be what the README shows, but for the elapsed times and the port.
#[test]
fn readme_mcp_client_runs_print_what_the_readme_shows() {
    let blocks = shown_client_runs(&read_doc("README.md"));
    assert!(
        blocks.len() >= 4,
        "only {} client blocks found",
        blocks.len()
    );
    let mut edits = Vec::new();
    for (cutting, runs) in blocks {
        let server = crate::support::start(|c| {
            c.step_delay = std::time::Duration::from_millis(300);
            if cutting {
                c.drop_stream_after = Some(2);
            }
        });
        for run in runs {
            let command = format!("\"$0\" --url {} {}", server.url(), run.args);
            let out = Command::new("bash")
                .arg("-c")
                .arg(format!("{{ {command}; }} 2>&1"))
                .arg(env!("CARGO_BIN_EXE_mcp-client"))
                .output()
                .unwrap();
            let printed = String::from_utf8_lossy(&out.stdout).replace(
                &format!("127.0.0.1:{}", server.addr.port()),
                "127.0.0.1:8000",
            );
            if updating() {
                edits.push((run.span.0, run.span.1, printed));
                continue;
            }
            assert_eq!(
                without_timings(&printed),
                without_timings(&run.shown),
                "{}: mcp-client {}",
                run.at,
                run.args
            );
        }
    }
    if updating() {
        rewrite_readme(edits);
    }
}

/// The README's "If port 8000 is taken" shows what a second server on a taken port prints.
#[test]
fn readme_shows_what_a_server_on_a_taken_port_prints() {
    let readme = read_doc("README.md");
    let after = &readme[readme.find("If port 8000 is taken").expect("the paragraph")..];
    let block = after.find("```text\n").unwrap() + "```text\n".len();
    let shown = &after[block..block + after[block..].find("```").unwrap()];
    let first = crate::support::binary::Binary::spawn(&[]);
    let port = first.addr.port().to_string();
    let second = Command::new(env!("CARGO_BIN_EXE_weather-server"))
        .args(["--port", &port])
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(1), "the README says status 1");
    let printed = String::from_utf8_lossy(&second.stderr)
        .replace(&format!("127.0.0.1:{port}"), "127.0.0.1:8000");
    assert_eq!(printed, shown);
}
