//! Writing a stream to a connection: the log's messages as chunks, as they come.
//!
//! Implements the sending half of MCP 2025-11-25 `basic/transports` §Sending Messages #5–6 and
//! §Resumability: an SSE (or NDJSON) response whose events leave as soon as they exist, each in
//! its own chunk, with one write and one flush for whatever is waiting, heartbeats on quiet stretches, a priming event first when the
//! stream is resumable, and an end of the response when the stream is complete, stopped, or cut.
//! It sees only a `dyn Write` (the raw socket writer tiny_http hands out) and a [`Stream`].

use crate::endpoint::Plan;
use crate::framing::sse;
use crate::framing::Framing;
use crate::http::response::{chunk, sized, stream_head, LAST_CHUNK};
use crate::stream::{Next, Stream};
use crate::wire::MIME_JSON;
use std::io::{self, Write};
use std::time::Duration;

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
    // The head waits and leaves together with the first event: one write, no 40 ms stall.
    let mut out = stream_head(conn, framing.content_type());
    if let Some(retry) = plan.priming {
        // SPEC transports#sending-messages 6: "The server SHOULD immediately send an SSE event consisting of an event ID and an empty data field in order to prime the client to reconnect"
        out.extend(chunk(&sse::encode_priming(
            &stream.event_id(0),
            retry.as_millis() as u64,
        )));
    }
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
                out.extend(chunk(&framing.encode(Some(&stream.event_id(seq)), &line)));
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
// ANCHOR_END: pump

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
