//! The loop of one question, as a state machine: ask the model, run the tools it asks for, give
//! it the results, ask again, until it answers or the round limit is reached.
//!
//! ```text
//!   ask(question) ─> request() ──model──> on_reply(reply) ─┬─> Answer / Refused     (done)
//!                       ^                                  ├─> RoundLimit            (done)
//!                       └── tool_result(id, text) × n <────┴─> Calls(n plans)
//! ```
//! Implements no MCP specification: this is the host's loop around OpenAI's tool calling (a
//! reply's `tool_calls`, each answered by one `tool` message). MCP's part, `tools/call`, is the
//! caller's (`client/`), and so is the human in the loop of MCP 2025-11-25 `server/tools` §User
//! Interaction Model (`src/bin/mcp-client/confirm.rs`), since asking a person is I/O.
//!
//! Pure: the caller sends the request, runs the MCP calls, and hands back what happened. The
//! conversation is kept across questions, so a follow-up ("and tomorrow?") has its context.
//!
//! Left out: running a reply's calls in parallel (they run one after another, in order), and
//! trimming the conversation when it outgrows the model's context window.
//!
//! Every tool call the model makes gets exactly one `tool` message back, also the ones that are
//! not run (an unknown tool, arguments that are not a JSON object, a refusal beside the calls,
//! the round limit, a call the person declined): the API refuses a conversation in which a call
//! has no answer, and a model that is told what went wrong can correct itself on the next round.
//! That is the choice here: tell the model, go on.

use super::functions::Toolbox;
use super::reply::{Reply, ToolCall};
use super::request::{request_body, ChatMessage};
use serde_json::Value;

/// What the caller does next, after a reply.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Carry out every plan, hand each outcome to [`Chat::tool_result`], then send
    /// [`Chat::request`] again.
    Calls(Vec<Planned>),
    /// The model answered. `cut`: it stopped at its length limit (`finish_reason: "length"`).
    Answer { text: String, cut: bool },
    /// The model declined (`refusal`, or `finish_reason: "content_filter"`). Tool calls beside a
    /// refusal were not run; each was answered "not run", as for the round limit.
    Refused(String),
    /// The model still asked for tools in the last round allowed. Its calls were not run (each
    /// was answered "not run", so the conversation can go on with the next question).
    RoundLimit { rounds: usize },
}

/// One tool call of a reply, and what to do about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub call_id: String,
    pub plan: CallPlan,
}

/// What to do about one tool call. (`CallPlan`, not `Plan`: `server::pump::Plan` is the plan of
/// a stream, and one name should mean one thing in the crate.)
#[derive(Debug, Clone, PartialEq)]
pub enum CallPlan {
    /// Call `tool` on server number `server`; show it to the person as `shown`.
    Run {
        server: usize,
        tool: String,
        shown: String,
        arguments: Value,
    },
    /// Do not call anything: give `why` to the model as the call's result.
    Refuse { asked_for: String, why: String },
}

/// One conversation with one model.
pub struct Chat {
    model: String,
    toolbox: Toolbox,
    messages: Vec<ChatMessage>,
    max_rounds: usize,
    /// Model requests made for the current question.
    rounds: usize,
    /// Calls of the last reply still waiting for their result.
    open_calls: Vec<String>,
}

impl Chat {
    /// A conversation with `model`, offering `toolbox`, at most `max_rounds` model requests per
    /// question (at least 1).
    pub fn new(model: &str, toolbox: Toolbox, max_rounds: usize) -> Chat {
        Chat {
            model: model.to_string(),
            toolbox,
            messages: Vec::new(),
            max_rounds: max_rounds.max(1),
            rounds: 0,
            open_calls: Vec::new(),
        }
    }

    pub fn toolbox(&self) -> &Toolbox {
        &self.toolbox
    }

    pub fn messages(&self) -> &[ChatMessage] {
        &self.messages
    }

    /// Start a question: the rounds are counted afresh.
    pub fn ask(&mut self, question: &str) {
        self.messages.push(ChatMessage::User(question.to_string()));
        self.rounds = 0;
    }

    /// The body of the next model request; counts one round.
    ///
    /// # Panics
    /// When a call of the last reply has no result yet: that is a bug in the caller.
    pub fn request(&mut self) -> Value {
        assert!(
            self.open_calls.is_empty(),
            "every tool call needs its result before the next request: {:?}",
            self.open_calls
        );
        self.rounds += 1;
        request_body(&self.model, &self.messages, &self.toolbox.definitions())
    }

    /// Take the model's reply into the conversation and decide what comes next.
    pub fn on_reply(&mut self, reply: Reply) -> Next {
        self.messages.push(ChatMessage::Assistant {
            content: reply.content.clone(),
            tool_calls: reply.tool_calls.clone(),
        });
        if let Some(why) = reply.refusal {
            // A refusal beside tool calls: the calls are not run (the model said it will not go
            // on), but each still gets its `tool` message, or the next question's request would
            // carry calls without answers and the API would refuse the whole conversation.
            self.answer_unrun(&reply.tool_calls, "not run: the model refused to answer");
            return Next::Refused(why);
        }
        // Decided by the calls, not by `finish_reason`: some local servers say "stop" beside
        // their tool calls.
        if reply.tool_calls.is_empty() {
            return match reply.finish_reason.as_deref() {
                Some("content_filter") => {
                    Next::Refused("the answer was filtered (finish_reason: content_filter)".into())
                }
                finish => Next::Answer {
                    text: reply.content.unwrap_or_default(),
                    cut: finish == Some("length"),
                },
            };
        }
        if self.rounds >= self.max_rounds {
            let why = "not run: the limit of model rounds for this question was reached";
            self.answer_unrun(&reply.tool_calls, why);
            return Next::RoundLimit {
                rounds: self.rounds,
            };
        }
        let plans: Vec<Planned> = reply.tool_calls.iter().map(|c| self.plan(c)).collect();
        self.open_calls = plans.iter().map(|p| p.call_id.clone()).collect();
        Next::Calls(plans)
    }

    /// The outcome of one planned call, as the text the model will read.
    pub fn tool_result(&mut self, call_id: &str, content: String) {
        if let Some(at) = self.open_calls.iter().position(|id| id == call_id) {
            self.open_calls.remove(at);
        }
        self.push_result(call_id, content);
    }

    /// Answer each of `calls` with `why`: calls that end the question without being run.
    fn answer_unrun(&mut self, calls: &[ToolCall], why: &str) {
        for call in calls {
            self.push_result(&call.id, why.to_string());
        }
    }

    fn push_result(&mut self, call_id: &str, content: String) {
        self.messages.push(ChatMessage::Tool {
            tool_call_id: call_id.to_string(),
            content,
        });
    }

    fn plan(&self, call: &ToolCall) -> Planned {
        let refuse = |why: String| CallPlan::Refuse {
            asked_for: call.name.clone(),
            why,
        };
        let plan = match (self.toolbox.find(&call.name), arguments(&call.arguments)) {
            (None, _) => {
                let known: Vec<&str> = self
                    .toolbox
                    .entries()
                    .iter()
                    .map(|e| e.function.as_str())
                    .collect();
                refuse(format!(
                    "error: there is no tool named {:?}; the tools are: {}",
                    call.name,
                    known.join(", ")
                ))
            }
            (Some(_), Err(why)) => refuse(format!("error: {why}; nothing was called")),
            (Some(entry), Ok(arguments)) => CallPlan::Run {
                server: entry.server,
                tool: entry.tool.clone(),
                shown: entry.shown.clone(),
                arguments,
            },
        };
        Planned {
            call_id: call.id.clone(),
            plan,
        }
    }
}

/// The model's argument text as a JSON object. An empty text is `{}`: models send it for tools
/// without parameters.
fn arguments(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => Ok(Value::Object(object)),
        Ok(other) => Err(format!("the arguments must be a JSON object, not {other}")),
        Err(e) => Err(format!("the arguments are not JSON ({e}): {text}")),
    }
}

/// A tool's result as the text of a `tool` message: its text content, then its
/// `structuredContent` as JSON (a model reads JSON well), and an `isError` said in words.
pub fn tool_message(text: &str, structured: Option<&Value>, is_error: bool) -> String {
    let mut text = if is_error {
        format!("The tool reported an error (isError: true): {text}")
    } else {
        text.to_string()
    };
    if let Some(structured) = structured {
        text.push_str(&format!("\nstructuredContent: {structured}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chat(max_rounds: usize) -> Chat {
        let mut toolbox = Toolbox::new();
        toolbox.add(
            0,
            "weather",
            "get_weather",
            None,
            &json!({"type": "object"}),
        );
        Chat::new("m", toolbox, max_rounds)
    }

    fn calls(list: &[(&str, &str, &str)]) -> Reply {
        Reply {
            content: None,
            tool_calls: list
                .iter()
                .map(|(id, name, arguments)| ToolCall {
                    id: id.to_string(),
                    name: name.to_string(),
                    arguments: arguments.to_string(),
                })
                .collect(),
            finish_reason: Some("tool_calls".into()),
            refusal: None,
        }
    }

    fn text(content: &str, finish: &str) -> Reply {
        Reply {
            content: Some(content.into()),
            tool_calls: Vec::new(),
            finish_reason: Some(finish.into()),
            refusal: None,
        }
    }

    #[test]
    fn a_tool_call_is_planned_its_result_goes_back_and_the_answer_ends_the_question() {
        let mut chat = chat(5);
        chat.ask("Weather in Hangzhou?");
        assert_eq!(
            chat.request()["tools"][0]["function"]["name"],
            "weather__get_weather"
        );
        let next = chat.on_reply(calls(&[(
            "c1",
            "weather__get_weather",
            r#"{"city":"Hangzhou"}"#,
        )]));
        let Next::Calls(plans) = next else {
            panic!("{next:?}")
        };
        assert_eq!(
            plans[0].plan,
            CallPlan::Run {
                server: 0,
                tool: "get_weather".into(),
                shown: "weather.get_weather".into(),
                arguments: json!({"city": "Hangzhou"})
            }
        );
        chat.tool_result("c1", "Light rain".into());
        let body = chat.request();
        assert_eq!(
            body["messages"][2],
            json!({"role": "tool", "tool_call_id": "c1", "content": "Light rain"})
        );
        assert_eq!(
            chat.on_reply(text("It rains.", "stop")),
            Next::Answer {
                text: "It rains.".into(),
                cut: false
            }
        );
        assert_eq!(chat.messages().len(), 4);
    }

    #[test]
    fn unknown_tools_and_bad_arguments_are_refused_with_a_reason_for_the_model() {
        let mut chat = chat(5);
        chat.ask("q");
        chat.request();
        let next = chat.on_reply(calls(&[
            ("a", "get_weather", "{}"),
            ("b", "weather__get_weather", "{city: Hangzhou}"),
            ("c", "weather__get_weather", "[1]"),
            ("d", "weather__get_weather", ""),
        ]));
        let Next::Calls(plans) = next else {
            panic!("{next:?}")
        };
        let CallPlan::Refuse { asked_for, why } = &plans[0].plan else {
            panic!()
        };
        assert_eq!(asked_for, "get_weather");
        assert!(
            why.contains("no tool named \"get_weather\"") && why.contains("weather__get_weather"),
            "{why}"
        );
        let CallPlan::Refuse { why, .. } = &plans[1].plan else {
            panic!()
        };
        assert!(
            why.contains("not JSON") && why.contains("{city: Hangzhou}"),
            "{why}"
        );
        let CallPlan::Refuse { why, .. } = &plans[2].plan else {
            panic!()
        };
        assert!(why.contains("must be a JSON object"), "{why}");
        assert!(
            matches!(&plans[3].plan, CallPlan::Run { arguments, .. } if *arguments == json!({}))
        );
    }

    #[test]
    #[should_panic(expected = "needs its result")]
    fn a_request_before_every_call_has_its_result_is_a_bug() {
        let mut chat = chat(5);
        chat.ask("q");
        chat.request();
        chat.on_reply(calls(&[
            ("a", "weather__get_weather", "{}"),
            ("b", "x", "{}"),
        ]));
        chat.tool_result("a", "done".into());
        chat.request();
    }

    #[test]
    fn the_round_limit_stops_the_calls_and_answers_each_as_not_run() {
        let mut chat = chat(2);
        chat.ask("q");
        chat.request();
        let next = chat.on_reply(calls(&[("a", "weather__get_weather", "{}")]));
        assert!(matches!(next, Next::Calls(_)));
        chat.tool_result("a", "done".into());
        chat.request();
        let next = chat.on_reply(calls(&[
            ("b", "weather__get_weather", "{}"),
            ("c", "x", "{}"),
        ]));
        assert_eq!(next, Next::RoundLimit { rounds: 2 });
        let last: Vec<Value> = chat.messages()[4..]
            .iter()
            .map(ChatMessage::to_json)
            .collect();
        assert_eq!(last.len(), 2);
        assert!(last
            .iter()
            .all(|m| m["content"].as_str().unwrap().starts_with("not run")));
        // The next question starts its rounds afresh, and its request is allowed.
        chat.ask("q2");
        chat.request();
        assert!(matches!(
            chat.on_reply(calls(&[("d", "weather__get_weather", "{}")])),
            Next::Calls(_)
        ));
    }

    #[test]
    fn refusals_filters_and_cut_answers_are_told_apart() {
        let mut chat = chat(5);
        chat.ask("q");
        chat.request();
        let mut refusal = text("", "stop");
        refusal.refusal = Some("I cannot help with that.".into());
        assert_eq!(
            chat.on_reply(refusal),
            Next::Refused("I cannot help with that.".into())
        );
        assert!(matches!(
            chat.on_reply(text("", "content_filter")),
            Next::Refused(_)
        ));
        assert_eq!(
            chat.on_reply(text("Half an ans", "length")),
            Next::Answer {
                text: "Half an ans".into(),
                cut: true
            }
        );
    }

    #[test]
    fn a_refusal_beside_tool_calls_answers_each_call_as_not_run_and_the_next_question_can_be_sent()
    {
        let mut chat = chat(5);
        chat.ask("q");
        chat.request();
        let mut reply = calls(&[("a", "weather__get_weather", "{}"), ("b", "x", "{}")]);
        reply.refusal = Some("I will not.".into());
        assert_eq!(chat.on_reply(reply), Next::Refused("I will not.".into()));
        let answered: Vec<Value> = chat.messages()[2..]
            .iter()
            .map(ChatMessage::to_json)
            .collect();
        assert_eq!(
            answered,
            [
                json!({"role": "tool", "tool_call_id": "a", "content": "not run: the model refused to answer"}),
                json!({"role": "tool", "tool_call_id": "b", "content": "not run: the model refused to answer"}),
            ]
        );
        chat.ask("another question");
        assert_eq!(chat.request()["messages"].as_array().unwrap().len(), 5);
    }

    #[test]
    fn a_tool_result_is_its_text_then_its_structured_content_and_an_error_says_so() {
        let structured = json!({"t": 18.5});
        assert_eq!(
            tool_message("Light rain", Some(&structured), false),
            "Light rain\nstructuredContent: {\"t\":18.5}"
        );
        assert_eq!(
            tool_message("Unknown city", None, true),
            "The tool reported an error (isError: true): Unknown city"
        );
    }
}
