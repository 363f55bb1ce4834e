//! Newline-delimited JSON: the framing the tutorial uses for its streamed lines.
//!
//! Not part of MCP 2025-11-25, which streams with SSE only; we offer it because the tutorial this
//! course follows prints one JSON object per line, and `curl -N` shows such a stream plainly.
//! Unlike the tutorial's `{"stream": "..."}` lines, every line here is a valid JSON-RPC message.
//!
//! Left out: event ids and resumption, which NDJSON has no syntax for. A client that needs to
//! resume a cut stream must ask for SSE.

/// One message as one line.
pub fn encode_line(json_line: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(json_line.len() + 1);
    out.extend_from_slice(json_line.as_bytes());
    out.push(b'\n');
    out
}

/// NDJSON has no comments, so the heartbeat is an empty line, which readers skip.
pub const HEARTBEAT: &[u8] = b"\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_message_is_one_line_ending_in_newline() {
        assert_eq!(encode_line(r#"{"a":1}"#), b"{\"a\":1}\n");
    }
}
