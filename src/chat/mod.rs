//! The chat-completions side of `mcp-client chat`: a language model that uses MCP tools.
//!
//! Implements no part of MCP: what it speaks is OpenAI's chat-completions wire format, which is
//! no MCP specification (and has no specification of its own beyond OpenAI's API reference,
//! which local servers copy). It is the *host* half of the picture MCP draws (MCP 2025-11-25
//! `architecture` §Core Components: a host runs a model and one client per server): the model
//! is told which tools exist, asks for some, the client calls them over MCP, and the results go
//! back to the model until it answers. The model is reached with OpenAI's chat-completions wire
//! format (`POST {base}/chat/completions`), which Ollama, llama.cpp's `llama-server`, vLLM and
//! hosted services all speak.
//!
//! Pure, like `mcp/`: JSON in, JSON out, unit-tested without sockets. It imports nothing of the
//! crate: `client/` knows MCP, `chat/` knows the model, and the binary
//! (`src/bin/mcp-client/chat.rs`) joins the two, with the terminal. The model's HTTP is
//! `client::JsonEndpoint` (in `client/transport.rs`, the one ureq file).
//!
//! - `request.rs`: the conversation's messages and the request body (`model`, `messages`, `tools`);
//! - `reply.rs`: a response read (`choices[0].message`, its `tool_calls`, `finish_reason`), and
//!   the errors a model endpoint can give;
//! - `functions.rs`: MCP tools as function definitions, and function names back to tools;
//! - `turn.rs`: the loop's decisions (ask, call, answer, give up) as a small state machine.
//!
//! Left out: streaming the model's tokens (`"stream": true`), images, `tool_choice`, system
//! prompts, and trimming a long conversation to the model's context window (a real host must).

mod functions;
mod reply;
mod request;
mod turn;

pub use self::functions::{is_function_name, ToolEntry, Toolbox, MAX_FUNCTION_NAME};
pub use self::reply::{parse_reply, status_error, ChatError, Reply, ToolCall};
pub use self::request::{request_body, ChatMessage};
pub use self::turn::{tool_message, CallPlan, Chat, Next, Planned};
