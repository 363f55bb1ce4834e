//! The README's curl session, run as written against a real server.

use std::process::Command;

/// Run the README's bash block that starts with `VAR=http://127.0.0.1:8000/mcp` against a fresh
/// server; its stdout, and the server (for checks of its state).
fn run_block(var: &str) -> (String, crate::support::TestServer) {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let marker = format!("```bash\n{var}=");
    let start = readme.find(&marker).expect("the curl block") + "```bash\n".len();
    let script = &readme[start..start + readme[start..].find("```").unwrap()];
    let s = crate::support::start(|_| {});
    let script = script.replace(
        &format!("{var}=http://127.0.0.1:8000/mcp"),
        &format!("{var}={}", s.url()),
    );
    let headers_file =
        std::env::temp_dir().join(format!("mcp-headers-{}-{var}", std::process::id()));
    let script = script.replace("/tmp/mcp-headers", headers_file.to_str().unwrap());
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -e\n{script}"))
        .output()
        .unwrap();
    let _ = std::fs::remove_file(headers_file);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (stdout, s)
}

#[test]
fn readme_curl_session_works_when_pasted() {
    let (stdout, _server) = run_block("URL");
    assert!(stdout.contains("HTTP/1.1 202 Accepted"), "{stdout}");
    assert!(stdout.contains("\"name\":\"get_weather\""));
    assert!(stdout.contains("event: message") && stdout.contains("Looking up Hangzhou"));
    assert!(stdout.contains(r#""progressToken":7"#) && stdout.contains("\"city\":\"Zürich\""));
    assert!(
        stdout.ends_with("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
        "{stdout}"
    );
}

/// The README's 2026-07-28 block: discover, a streamed call with no handshake, a 404 for `ping`.
#[test]
fn readme_modern_curl_session_works_when_pasted() {
    let (stdout, s) = run_block("MODERN");
    assert!(
        stdout.contains(r#""supportedVersions":["2026-07-28"]"#),
        "{stdout}"
    );
    assert!(
        stdout.contains("Looking up Hangzhou") && stdout.contains(r#""resultType":"complete""#)
    );
    assert!(
        !stdout.contains("\nid: "),
        "a modern stream has no event ids: {stdout}"
    );
    assert!(
        stdout.contains("HTTP/1.1 404 Not Found") && stdout.contains("-32601"),
        "{stdout}"
    );
    assert_eq!(
        s.server.endpoint().session_count(),
        0,
        "no session was made"
    );
}
