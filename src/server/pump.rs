//! Writing a stream to a connection: the log's messages as chunks, as they come.
//!
//! Implements the sending half of MCP 2025-11-25 `basic/transports` §Sending Messages #5–6 and
//! §Resumability: an SSE (or NDJSON) response whose events leave as soon as they exist, each in
//! its own chunk, with one write and one flush for whatever is waiting, heartbeats on quiet stretches, a priming event first when the
//! stream is resumable, and an end of the response when the stream is complete, stopped, or cut.
//! It sees only a `dyn Write` (the raw socket writer tiny_http hands out) and a [`Stream`].
//!
//! Left out: HTTP/2 streams, and any buffering beyond "what is waiting leaves together". A
//! production server behind a proxy would also send `X-Accel-Buffering: no` (we do) and keep
//! heartbeats shorter than the proxy's idle timeout.
//!
//! # Why does a lost connection not stop the call?
//! In 2025-11-25 a disconnect is not a cancellation: the client may come back with
//! `Last-Event-ID`. So the writer only *reads* the log; the worker goes on writing into it.
//! Only when nobody can ever come back for the rest (NDJSON, JSON, or no session: no event ids to
//! resume from) does [`pump_call`] stop the worker, so that it does not work for nobody.

use crate::framing::sse;
use crate::framing::Framing;
use crate::mcp::tools::Stop;
use crate::server::response::{chunk, sized, stream_head, LAST_CHUNK};
use crate::server::stream::{Next, Stream};
use crate::wire::MIME_JSON;
use std::io::{self, Write};
use std::time::Duration;

/// How one connection reads a stream.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// The first sequence number to send (1 for a new stream, after `Last-Event-ID` otherwise).
    pub from: u64,
    /// Send a priming event (event id, empty data, `retry`) first: SSE with a session at 2025-11-25.
    pub priming: Option<Duration>,
    /// The client can come back for the rest, so a lost connection must not stop the producer.
    pub resumable: bool,
    /// End the response after this many events (`--drop-stream-after`).
    pub cut_after: Option<usize>,
    /// The stream's [`Stream::cuts`] when this connection attached; only later cuts end it.
    /// Taken before the producer starts, so that a cut it makes at once is not missed.
    pub cuts_seen: u64,
    /// Each SSE event carries its `id:`. False only for revision 2024-11-05's stream, which
    /// nobody can resume, so an id would promise what the server cannot keep.
    pub event_ids: bool,
}

impl Plan {
    /// Read `stream` from its first message.
    pub fn from_start(
        stream: &Stream,
        priming: Option<Duration>,
        resumable: bool,
        cut_after: Option<usize>,
    ) -> Plan {
        Plan {
            from: 1,
            priming,
            resumable,
            cut_after,
            cuts_seen: stream.cuts(),
            event_ids: true,
        }
    }

    /// Read revision 2024-11-05's stream of a session from its first message: no priming, no
    /// ids, no cuts (there is nothing to resume with; see `http_sse.rs`).
    pub fn without_ids(stream: &Stream) -> Plan {
        Plan {
            from: 1,
            priming: None,
            resumable: false,
            cut_after: None,
            cuts_seen: stream.cuts(),
            event_ids: false,
        }
    }

    /// Read `stream` again from message `from` on, for a client that came back with
    /// `Last-Event-ID`. No priming event: the client already knows the stream and its `retry`.
    pub fn resume(stream: &Stream, from: u64, cut_after: Option<usize>) -> Plan {
        Plan {
            from,
            priming: None,
            resumable: true,
            cut_after,
            cuts_seen: stream.cuts(),
            event_ids: true,
        }
    }
}

/// Stream a call's answer: SSE or NDJSON event by event, or the result alone as one JSON object.
/// When the connection is lost and nobody can come back for the rest, stop the call's worker.
pub fn pump_call(
    writer: Box<dyn Write + Send>,
    framing: Framing,
    stream: &Stream,
    plan: Plan,
    conn: &[(&str, String)],
    heartbeat: Duration,
) {
    let delivered = match framing {
        Framing::Json => pump_json(writer, stream, conn),
        _ => pump(writer, framing, stream, plan, conn, heartbeat),
    };
    if delivered.is_err() && !plan.resumable {
        // The client is gone and cannot come back for the rest: stop the worker.
        stream.stop(Stop::Abandoned);
    }
}

/// Stream messages from the log as chunks, one write and one flush for what is waiting, heartbeats on
/// quiet stretches. Ends with the final response, when the stream stops, or after `cut_after`
/// events.
///
/// # Errors
/// A write failed: the client is gone.
// ANCHOR: pump
pub fn pump(
    mut writer: Box<dyn Write + Send>,
    framing: Framing,
    stream: &Stream,
    plan: Plan,
    conn: &[(&str, String)],
    heartbeat: Duration,
) -> io::Result<()> {
    // The head waits and leaves together with the first event (or the priming event): one write.
    let mut out = stream_head(conn, framing.content_type());
    if let Some(retry) = plan.priming {
        // SPEC transports#sending-messages 6: "The server SHOULD immediately send an SSE event consisting of an event ID and an empty data field in order to prime the client to reconnect"
        out.extend(chunk(&sse::encode_priming(
            &stream.event_id(0).to_string(),
            retry.as_millis() as u64,
        )));
        // "Immediately": the head and the priming event leave now, not with the first event or
        // heartbeat (a GET stream may have nothing to say for a while). TCP_NODELAY is set, so the
        // next write does not wait for this one's ACK.
        writer.write_all(&out)?;
        writer.flush()?;
        out.clear();
    }
    pump_log(writer, out, framing, stream, plan, heartbeat)
}
// ANCHOR_END: pump

/// Revision 2024-11-05's stream: the head and its opening event (`endpoint`) leave at once, then
/// the session's log, event by event, as [`pump`] sends any other stream.
///
/// # Errors
/// A write failed: the client is gone.
pub fn pump_opened(
    mut writer: Box<dyn Write + Send>,
    opening_event: &[u8],
    stream: &Stream,
    plan: Plan,
    conn: &[(&str, String)],
    heartbeat: Duration,
) -> io::Result<()> {
    let mut out = stream_head(conn, Framing::Sse.content_type());
    out.extend(chunk(opening_event));
    writer.write_all(&out)?;
    writer.flush()?;
    pump_log(writer, Vec::new(), Framing::Sse, stream, plan, heartbeat)
}

/// The loop of [`pump`]: `out` holds what is still to be written before the first event.
fn pump_log(
    mut writer: Box<dyn Write + Send>,
    mut out: Vec<u8>,
    framing: Framing,
    stream: &Stream,
    plan: Plan,
    heartbeat: Duration,
) -> io::Result<()> {
    let mut wanted = plan.from;
    let mut sent = 0;
    let cuts_seen = plan.cuts_seen;
    loop {
        if plan.cut_after.is_some_and(|n| sent >= n) {
            // TEACHING DEVICE (--drop-stream-after): end the response here, as a dropping
            // network or proxy would. The stream itself goes on; the client resumes with a GET.
            // SPEC transports#sending-messages 6: the server "MAY close the connection" after an event with an id, "without terminating the SSE stream".
            out.extend_from_slice(LAST_CHUNK);
            writer.write_all(&out)?;
            return writer.flush();
        }
        let last = match stream.next_after(wanted, cuts_seen, heartbeat) {
            Next::Event { seq, line, last } => {
                let id = plan.event_ids.then(|| stream.event_id(seq).to_string());
                out.extend(chunk(&framing.encode(id.as_deref(), &line)));
                wanted = seq + 1;
                sent += 1;
                last
            }
            Next::Idle => {
                out.extend(chunk(framing.heartbeat()));
                false
            }
            // Complete, cancelled, the log lost what we wanted, or the producer asked for an end
            // of this response: end the response.
            Next::Done | Next::Stopped(_) | Next::Evicted | Next::Cut => true,
        };
        if last {
            out.extend_from_slice(LAST_CHUNK);
        } else if stream.has(wanted) {
            // More is already waiting: it joins this write. Each event is still its own chunk,
            // sent as soon as it exists; only events that exist together leave together.
            continue;
        }
        writer.write_all(&out)?;
        writer.flush()?;
        out.clear();
        if last {
            return Ok(());
        }
    }
}

/// A call framed as one JSON object: wait for the final response, drop what came before it.
pub fn pump_json(
    mut writer: Box<dyn Write + Send>,
    stream: &Stream,
    conn: &[(&str, String)],
) -> io::Result<()> {
    let mut wanted = 1;
    let mut cuts_seen = stream.cuts();
    let bytes = loop {
        match stream.next_after(wanted, cuts_seen, Duration::from_secs(60)) {
            Next::Event {
                line, last: true, ..
            } => break sized(200, conn, Some(MIME_JSON), line.as_bytes()),
            Next::Event { seq, .. } => wanted = seq + 1,
            Next::Idle => {}
            // One JSON object has nothing to cut: wait on for the result.
            Next::Cut => cuts_seen = stream.cuts(),
            // Cancelled: the spec says no response, but HTTP needs an answer, so: no content.
            Next::Done | Next::Stopped(_) | Next::Evicted => break sized(204, conn, None, b""),
        }
    };
    writer.write_all(&bytes)?;
    writer.flush()
}
