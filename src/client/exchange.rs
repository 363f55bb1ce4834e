//! One request and its answer: the headers, the POST, the answer read as it arrives (through every
//! connection its stream takes), the one retry on 404, and the answers to what the server asks
//! in the meantime.
//!
//! Implements the client side of MCP 2025-11-25 `basic/transports` §Sending Messages to the Server
//! (one POST per message, the `Accept` header, 202 for what needs no answer, one JSON object or an
//! SSE stream for a request), §Session Management #2 and #4 (the session id on every request; on
//! 404, a new session, once), §Protocol Version Header, and the transport half of
//! `client/elicitation`: the answer is a JSON-RPC response in a POST of its own, sent while the
//! call's stream stays open. What to answer is decided in `elicitation.rs` (and by the handler).
//!
//! Left out: several requests in flight at once (one client is one thread, one request), JSON-RPC
//! batches, and cancelling our own requests (`notifications/cancelled`).

use super::answer::{self, BodyKind};
use super::body::{MessageReader, ResumePoint};
use super::elicitation::ElicitRequest;
use super::messages::{Incoming, Pending, Step};
use super::{accept_header, ClientError, McpClient};
use crate::framing::Framing;
use crate::jsonrpc::{ErrorObject, Message, RequestId, INVALID_PARAMS, METHOD_NOT_FOUND};
use crate::wire::{HEADER_PROTOCOL_VERSION, HEADER_SESSION_ID};
use serde_json::Value;
use std::io::BufRead;

/// An answer to one request: its result, and the session id header that came with it.
pub(super) struct Reply {
    pub result: Value,
    pub session_id: Option<String>,
}

/// One request waiting for its response, across every connection its stream takes.
pub(super) struct InFlight {
    /// What we wait for (the response with our id), and how to read what comes before it.
    pub pending: Pending,
    /// Where its SSE stream stands: handed from the POST's body to each resumed GET's body.
    pub position: ResumePoint,
}

impl McpClient {
    /// The headers of a request, from what the session knows so far.
    ///
    /// # Why not a ureq middleware that adds the session header?
    /// It would work, but the session id would then live inside the HTTP agent, out of sight of
    /// the 404 rule that must drop it. As plain fields, the rule and the header are a screen apart.
    pub(super) fn headers(&self) -> Vec<(&'static str, String)> {
        self.headers_accepting(accept_header(self.options.framing))
    }

    /// [`McpClient::headers`] with another `Accept` (a resuming GET wants only SSE).
    pub(super) fn headers_accepting(&self, accept: &str) -> Vec<(&'static str, String)> {
        let mut headers = vec![("Accept", accept.to_string())];
        // SPEC transports#session-management 2: clients "MUST include it in the MCP-Session-Id header on all of their subsequent HTTP requests."
        if let Some(id) = &self.session_id {
            headers.push((HEADER_SESSION_ID, id.clone()));
        }
        // SPEC transports#protocol-version-header: "the client MUST include the MCP-Protocol-Version: <protocol-version> HTTP header on all subsequent requests to the MCP server"
        if let Some(version) = &self.protocol_version {
            headers.push((HEADER_PROTOCOL_VERSION, version.clone()));
        }
        if let Some(token) = &self.options.bearer_token {
            headers.push(("Authorization", format!("Bearer {token}")));
        }
        headers
    }

    /// A request, with the one retry the session rules ask for.
    pub(super) fn request(
        &mut self,
        method: &str,
        params: Option<Value>,
        progress_token: Option<Value>,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<Value, ClientError> {
        match self.exchange(method, params.clone(), progress_token.clone(), on_event) {
            // SPEC transports#session-management 4: "When a client receives HTTP 404 in response to a request containing an MCP-Session-Id, it MUST start a new session by sending a new InitializeRequest without a session ID attached."
            // (A 404 to a resuming GET lands here too: with the session, its streams are gone,
            // so the request is sent again in the new session, and may run a second time.)
            Err(ClientError::SessionExpired) => {
                self.initialize()?;
                // Once only: if the new session is refused too, SessionExpired reaches the caller.
                self.exchange(method, params, progress_token, on_event)
                    .map(|reply| reply.result)
            }
            other => other.map(|reply| reply.result),
        }
    }

    /// POST one request and read its answer, whatever its shape, until the response arrives,
    /// resuming its SSE stream as often as it is cut.
    pub(super) fn exchange(
        &mut self,
        method: &str,
        params: Option<Value>,
        progress_token: Option<Value>,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<Reply, ClientError> {
        let id = RequestId::Number(self.next_id);
        self.next_id += 1;
        let line = Message::Request {
            id: id.clone(),
            method: method.to_string(),
            params,
        }
        .to_line();
        let carried_session = self.session_id.is_some();
        let mut response = self.transport.post(&self.headers(), line.as_bytes())?;
        let framing = match answer::classify(response.status, response.content_type.as_deref()) {
            BodyKind::Messages(framing) => framing,
            BodyKind::Failure if response.status == 404 && carried_session => {
                return Err(ClientError::SessionExpired)
            }
            BodyKind::Failure => return Err(answer::failure(response.status, &mut *response.body)),
            BodyKind::Accepted => {
                return Err(ClientError::Protocol(format!(
                    "{method}: HTTP 202 Accepted, but a request needs a response"
                )))
            }
            BodyKind::Unexpected(why) => {
                return Err(ClientError::Protocol(format!("{method}: {why}")))
            }
        };
        self.last_framing = Some(framing);

        let mut call = InFlight {
            pending: Pending::new(id, progress_token),
            position: ResumePoint::default(),
        };
        let outcome = match self.read_answer(&mut *response.body, framing, &mut call, on_event) {
            // Cut before the response, but with an event id to come back to: resume.rs takes
            // over. (NDJSON, JSON, and SSE without ids have no such id: the error stands.)
            Err(ClientError::StreamEnded { .. })
                if framing == Framing::Sse && call.position.last_event_id.is_some() =>
            {
                self.resume(&mut call, on_event)
            }
            other => other,
        };
        // Kept even on failure: it tells where the stream stopped.
        self.resume = call.position;
        // We stop reading at the response. A server SHOULD end the stream there anyway; one that
        // does not is not waited for. (Production code might drain a little, so that ureq can
        // reuse the connection.)
        Ok(Reply {
            result: outcome?,
            session_id: response.session_id.take(),
        })
    }

    /// Read one body (a POST's answer, or a resumed GET's stream) until our response arrives.
    /// Each message is handled the moment it is read: that is what makes progress live.
    pub(super) fn read_answer(
        &mut self,
        body: &mut dyn BufRead,
        framing: Framing,
        call: &mut InFlight,
        on_event: &mut dyn FnMut(&Incoming),
    ) -> Result<Value, ClientError> {
        let position = std::mem::take(&mut call.position);
        let mut reader = MessageReader::continuing(body, framing, position);
        let outcome = loop {
            let value = match reader.next_message() {
                Ok(Some(value)) => value,
                Ok(None) => break Err(reader.ended()),
                Err(e) => break Err(e),
            };
            // The reader has dropped repeats already, so the trace sees each message once.
            if let Some(trace) = &mut self.trace {
                trace(&value);
            }
            match call.pending.take(value) {
                Ok(Step::Answer(result)) => break Ok(result),
                Ok(Step::Failed(error)) => break Err(ClientError::JsonRpc(Box::new(error))),
                Ok(Step::Unrelated) => {}
                Ok(Step::Event(event)) => {
                    on_event(&event);
                    if let Incoming::Request { id, method, params } = &event {
                        if let Err(e) = self.answer_server(id, method, params.as_ref()) {
                            break Err(e);
                        }
                    }
                }
                Err(e) => break Err(e),
            }
        };
        call.position = reader.finish();
        outcome
    }

    /// Answer a server-to-client request with a POST of its own, while the stream that carried
    /// it stays open (the server is waiting for this answer before it can go on).
    fn answer_server(
        &mut self,
        id: &RequestId,
        method: &str,
        params: Option<&Value>,
    ) -> Result<(), ClientError> {
        let answer = match (method, self.elicitation.as_mut()) {
            ("elicitation/create", Some(handler)) => match ElicitRequest::from_params(params) {
                Ok(question) => Message::result(id.clone(), handler(&question).to_result()),
                Err(why) => Message::error(Some(id.clone()), ErrorObject::new(INVALID_PARAMS, why)),
            },
            // Without a handler we never declared `elicitation`, and we declare nothing else: a
            // server should not have asked, and the honest answer is "no such method here".
            _ => Message::error(
                Some(id.clone()),
                ErrorObject::new(
                    METHOD_NOT_FOUND,
                    format!("Method not found: this client does not offer {method}"),
                ),
            ),
        };
        self.send_without_answer(&answer)
    }

    /// POST a notification or a response: the server accepts it with 202 and sends nothing back.
    pub(super) fn send_without_answer(&mut self, message: &Message) -> Result<(), ClientError> {
        let carried_session = self.session_id.is_some();
        let line = message.to_line();
        let mut response = self.transport.post(&self.headers(), line.as_bytes())?;
        match response.status {
            // SPEC transports#sending-messages 4: "If the server accepts the input, the server MUST return HTTP status code 202 Accepted with no body."
            202 => Ok(()),
            // Another 2xx breaks that rule, but the message was taken; refusing helps nobody.
            200..=299 => Ok(()),
            404 if carried_session => Err(ClientError::SessionExpired),
            status => Err(answer::failure(status, &mut *response.body)),
        }
    }
}
