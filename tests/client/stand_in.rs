//! A stand-in language model for `mcp-client chat`: the scripted fake of `fake.rs` answering
//! OpenAI's chat-completions wire format, on `127.0.0.1:0`.
//!
//! Each test gives the replies in order: the first request gets the first, and so on; a request
//! past the end of the script gets a 500, so a client that asks once too often fails its test.
//! The requests are kept, so a test can check what the model was sent (`tools`, the `tool`
//! messages with their `tool_call_id`).

use crate::fake::{fake, json_answer, Answer, Fake, Seen};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct StandIn {
    fake: Fake,
}

impl StandIn {
    /// The base URL, as `OPENAI_BASE_URL` takes it.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.fake.addr)
    }

    /// Every request so far, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.fake.seen()
    }
}

/// A stand-in that answers the n-th request with `script[n]` (whole HTTP responses).
pub fn stand_in(script: Vec<String>) -> StandIn {
    let next = AtomicUsize::new(0);
    let fake = fake(move |_| {
        let n = next.fetch_add(1, Ordering::SeqCst);
        let body = r#"{"error":{"message":"the stand-in's script has no more replies"}}"#;
        let answer = script
            .get(n)
            .cloned()
            .unwrap_or_else(|| json_answer(500, "", body));
        Answer::Close(answer)
    });
    StandIn { fake }
}

/// A stand-in that answers every request with the same `reply`.
pub fn stand_in_always(reply: String) -> StandIn {
    StandIn {
        fake: fake(move |_| Answer::Close(reply.clone())),
    }
}

/// A stand-in that sends the head of a 200 and the start of its body, then nothing: a model
/// that hung mid-answer. It holds the connection until the client gives up.
pub fn stand_in_that_stalls() -> StandIn {
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n";
    let partial = format!("{head}{{\"id\":\"chatcmpl-test\",\"choices\":[");
    StandIn {
        fake: fake(move |_| Answer::Hold(partial.clone())),
    }
}

/// A 200 with `choices[0]` = `message`, ended for `finish_reason`.
pub fn choice(message: Value, finish_reason: &str) -> String {
    let body = json!({
        "id": "chatcmpl-test", "object": "chat.completion", "model": "test-model",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}]
    });
    json_answer(200, "", &body.to_string())
}

/// The model answers in words.
pub fn says(text: &str) -> String {
    choice(json!({"role": "assistant", "content": text}), "stop")
}

/// The model asks for tool calls: (id, function name, arguments as the model wrote them).
pub fn calls(list: &[(&str, &str, &str)]) -> String {
    let calls: Vec<Value> = list
        .iter()
        .map(|(id, name, arguments)| {
            json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments}})
        })
        .collect();
    choice(
        json!({"role": "assistant", "content": null, "tool_calls": calls}),
        "tool_calls",
    )
}

/// The `messages` of a request the stand-in saw.
pub fn messages(seen: &Seen) -> Vec<Value> {
    seen.body["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The `tool` message of a request that answers call `id`.
pub fn tool_result(seen: &Seen, id: &str) -> String {
    messages(seen)
        .iter()
        .find(|m| m["role"] == "tool" && m["tool_call_id"] == id)
        .and_then(|m| m["content"].as_str())
        .unwrap_or_else(|| panic!("no tool message for {id} in {}", seen.body))
        .to_string()
}
