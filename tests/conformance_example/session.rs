//! A session with the conformance example's server, as the suite's client would open it.

use crate::conformance::CONFORMANCE;
use crate::support::{
    self, build, post, sse_messages, LiveSse, RawResponse, TestServer, ACCEPT_BOTH,
};
use serde_json::{json, Value};

/// A session on a server with the conformance catalog, opened with the given client capabilities.
pub struct Client {
    pub server: TestServer,
    pub sid: String,
}

impl Client {
    pub fn new(capabilities: Value) -> Client {
        let server = support::start(|c| c.catalog = &CONFORMANCE);
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": capabilities,
            "clientInfo": {"name": "conformance-example-test", "version": "0"}}});
        let r = post(server.addr, &[("Accept", ACCEPT_BOTH)], &init.to_string());
        assert_eq!(r.status, 200, "{r:?}");
        let sid = r.header("mcp-session-id").unwrap().to_string();
        let client = Client { server, sid };
        let ok = client.post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        assert_eq!(ok.status, 202);
        client
    }

    /// Like the suite's client: it can answer sampling and elicitation requests.
    pub fn capable() -> Client {
        Client::new(json!({"sampling": {}, "elicitation": {}}))
    }

    pub fn headers(&self) -> [(&str, &str); 3] {
        [
            ("Accept", ACCEPT_BOTH),
            ("Mcp-Session-Id", &self.sid),
            ("MCP-Protocol-Version", "2025-11-25"),
        ]
    }

    pub fn post(&self, body: &Value) -> RawResponse {
        post(self.server.addr, &self.headers(), &body.to_string())
    }

    /// A request answered by one JSON object: the whole response message.
    pub fn rpc(&self, method: &str, params: Value) -> Value {
        let r = self.post(&json!({"jsonrpc": "2.0", "id": 2, "method": method, "params": params}));
        assert_eq!(r.status, 200, "{r:?}");
        r.json()
    }

    pub fn tools_call_body(name: &str, params: Value) -> Value {
        let mut params = params;
        params["name"] = json!(name);
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": params})
    }

    /// Call a tool and read its SSE response to the end: every message on the call's stream.
    pub fn call(&self, name: &str, params: Value) -> Vec<Value> {
        let r = self.post(&Client::tools_call_body(name, params));
        assert_eq!(r.header("content-type"), Some("text/event-stream"), "{r:?}");
        sse_messages(&r.body)
    }

    /// Call a tool and return the `result` of its final message.
    pub fn result(&self, name: &str, params: Value) -> Value {
        let messages = self.call(name, params);
        messages.last().unwrap()["result"].clone()
    }

    /// Start a tool call whose stream the test reads message by message, to answer questions.
    pub fn open_call(&self, name: &str, arguments: Value) -> LiveSse {
        let body = Client::tools_call_body(name, json!({ "arguments": arguments })).to_string();
        let mut headers = vec![("Content-Type", "application/json")];
        headers.extend_from_slice(&self.headers());
        LiveSse::open(
            self.server.addr,
            &build(self.server.addr, "POST", &headers, &body),
        )
    }

    /// Read the stream up to the server's request `method`, answer it with `result`, and return
    /// the request's params and the call's final result.
    pub fn answer(&self, mut live: LiveSse, method: &str, result: Value) -> (Value, Value) {
        let (_, asked) = live.next_message().expect("a request before the result");
        assert_eq!(asked["method"], method, "{asked}");
        let answer = json!({"jsonrpc": "2.0", "id": asked["id"], "result": result});
        assert_eq!(self.post(&answer).status, 202);
        let (_, last) = live.next_message().expect("the result");
        assert_eq!(last["id"], 3);
        (asked["params"].clone(), last["result"].clone())
    }
}

pub fn text_of(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or("")
}
