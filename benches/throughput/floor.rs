//! The floor of our stack: tiny_http 0.12 alone, answering the bytes our server answers for the
//! benchmark's workload (an initialize, its notification, a streamed `tools/call` with three
//! progress events), with no MCP logic at all. What it manages per second is the most any server
//! on tiny_http can do here; ours is measured against it.
//!
//! It runs as a child process like the other servers (the bench binary started again with
//! `--floor-server [threaded]`), so that its CPU and memory are its own. `threaded` answers each
//! request on a new thread, as a naive thread-per-request server would: the cost of the thread
//! alone, measured.

use std::io::Write;
use std::thread;

/// The bytes of the SSE answer to a `tools/call` for Hangzhou with a progress token: what ours
/// sends (priming event, three progress events, the result), with `{id}` and `{token}` to fill.
const CALL_EVENTS: [&str; 5] = [
    "id: 1-0\nretry: 1000\ndata: \n\n",
    "event: message\nid: 1-1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"{token}\",\"progress\":1,\"total\":3,\"message\":\"Looking up Hangzhou…\"}}\n\n",
    "event: message\nid: 1-2\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"{token}\",\"progress\":2,\"total\":3,\"message\":\"Reading the sky over Hangzhou…\"}}\n\n",
    "event: message\nid: 1-3\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progressToken\":\"{token}\",\"progress\":3,\"total\":3,\"message\":\"Weather for Hangzhou ready\"}}\n\n",
    "event: message\nid: 1-4\ndata: {\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"Hangzhou, Zhejiang, China: Light rain, 18.5 °C, humidity 82 %, wind 9 km/h\"}],\"isError\":false,\"structuredContent\":{\"city\":\"Hangzhou\",\"region\":\"Zhejiang\",\"country\":\"China\",\"temperature_c\":18.5,\"conditions\":\"Light rain\",\"humidity_percent\":82,\"wind_kph\":9.0}}}\n\n",
];

const INITIALIZE_RESULT: &str = r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{"listChanged":false},"logging":{}},"serverInfo":{"name":"floor","version":"0"}}}"#;

/// Serve until killed. Prints "floor listening on http://ADDR/mcp" first, as the others do.
pub fn serve(threaded: bool) {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("a port");
    let addr = server.server_addr().to_ip().expect("an IP address");
    println!("floor listening on http://{addr}/mcp");
    let _ = std::io::stdout().flush();
    for request in server.incoming_requests() {
        if threaded {
            thread::spawn(move || answer(request));
        } else {
            answer(request);
        }
    }
}

/// The answer to one request, from what its body names, in one write (sized, not chunked: the
/// floor does the least work an answer can take).
fn answer(mut request: tiny_http::Request) {
    let mut body = String::new();
    let _ = request.as_reader().read_to_string(&mut body);
    let (head, payload) = if body.contains("\"initialize\"") {
        (
            "Content-Type: application/json\r\nMcp-Session-Id: floor\r\n",
            INITIALIZE_RESULT.to_string(),
        )
    } else if body.contains("\"tools/call\"") {
        let id = json_after(&body, "\"id\":").unwrap_or("0");
        let token = json_after(&body, "\"progressToken\":\"").unwrap_or("");
        let events: String = CALL_EVENTS
            .iter()
            .map(|e| e.replace("{id}", id).replace("{token}", token))
            .collect();
        (
            "Content-Type: text/event-stream\r\nCache-Control: no-cache\r\n",
            events,
        )
    } else {
        let bytes = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";
        let mut writer = request.into_writer();
        let _ = writer.write_all(bytes).and_then(|()| writer.flush());
        return;
    };
    let response = format!(
        "HTTP/1.1 200 OK\r\n{head}Content-Length: {}\r\n\r\n{payload}",
        payload.len()
    );
    let mut writer = request.into_writer();
    let _ = writer
        .write_all(response.as_bytes())
        .and_then(|()| writer.flush());
}

/// The text after `key` up to the next `"`, `,` or `}`: enough for an id or a token.
fn json_after<'a>(body: &'a str, key: &str) -> Option<&'a str> {
    let rest = &body[body.find(key)? + key.len()..];
    let end = rest.find(['"', ',', '}']).unwrap_or(rest.len());
    Some(&rest[..end])
}
