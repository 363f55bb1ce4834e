//! The README's curl session, run as written against a real server.

use std::process::Command;

#[test]
fn readme_curl_session_works_when_pasted() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme
        .find("```bash\nURL=")
        .expect("the curl session block")
        + "```bash\n".len();
    let script = &readme[start..start + readme[start..].find("```").unwrap()];
    let s = crate::support::start(|_| {});
    let script = script.replace("URL=http://127.0.0.1:8000/mcp", &format!("URL={}", s.url()));
    let headers_file = std::env::temp_dir().join(format!("mcp-headers-{}", std::process::id()));
    let script = script.replace("/tmp/mcp-headers", headers_file.to_str().unwrap());
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("set -e\n{script}"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("HTTP/1.1 202 Accepted"), "{stdout}");
    assert!(stdout.contains("\"name\":\"get_weather\""));
    assert!(stdout.contains("event: message") && stdout.contains("Looking up Hangzhou"));
    assert!(stdout.contains(r#""progressToken":7"#) && stdout.contains("\"city\":\"Zürich\""));
    assert!(
        stdout.ends_with("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
        "{stdout}"
    );
    let _ = std::fs::remove_file(headers_file);
}
