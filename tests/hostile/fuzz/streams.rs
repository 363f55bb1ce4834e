//! Properties of the framings: choosing one from `Accept`, SSE decoding and encoding, NDJSON.

use super::{accepted_message, corpus, exact_numbers, guarded, iterations, seed, variant, Rng};
use std::io::BufRead;
use streamable_mcp::framing::Framing;
use streamable_mcp::framing::{ndjson, sse};
use streamable_mcp::jsonrpc::{self, Message};
use streamable_mcp::server::accept;

#[test]
fn framing_choice_never_panics_and_agrees_with_acceptable() {
    let mut rng = Rng::new(seed() ^ 3);
    let accepts = corpus("accept");
    for i in 0..iterations() {
        let raw = variant(&mut rng, &accepts);
        let accept = String::from_utf8_lossy(&raw).into_owned();
        guarded("framing", i, &raw, || {
            let header = (!raw.is_empty()).then_some(accept.as_str());
            let ok = accept::acceptable(header);
            let (streamed, single) = (accept::choose(header, true), accept::choose(header, false));
            assert_eq!(
                (streamed.is_some(), single.is_some()),
                (ok, ok),
                "{accept:?}"
            );
            let lower = accept.to_ascii_lowercase();
            let named = |f: Framing| match f {
                Framing::Sse => lower.contains("text/event-stream") || lower.contains("text/*"),
                Framing::Ndjson => {
                    lower.contains("application/x-ndjson")
                        || lower.contains("*/*")
                        || lower.contains("application/*")
                        || header.is_none()
                        || accept.trim().is_empty()
                }
                Framing::Json => {
                    lower.contains("application/json")
                        || lower.contains("*/*")
                        || lower.contains("application/*")
                        || header.is_none()
                        || accept.trim().is_empty()
                }
            };
            for f in [streamed, single].into_iter().flatten() {
                assert!(named(f), "{f:?} chosen for {accept:?}");
                assert!(!f.content_type().is_empty());
            }
        });
    }
}

#[test]
fn sse_decoder_never_panics_on_mutated_streams() {
    let mut rng = Rng::new(seed() ^ 4);
    let seeds = corpus("sse");
    let mut events_seen = 0;
    for i in 0..iterations() {
        let input = variant(&mut rng, &seeds);
        guarded("sse decode", i, &input, || {
            let text = String::from_utf8_lossy(&input);
            let mut decoder = sse::Decoder::new();
            let mut blank_lines = 0;
            for line in text.split_inclusive('\n') {
                blank_lines += usize::from(line.trim_end_matches(['\r', '\n']).is_empty());
                if let Some(event) = decoder.feed_line(line) {
                    events_seen += 1;
                    blank_lines = blank_lines
                        .checked_sub(1)
                        .expect("an event needs its blank line");
                    assert!(!event.event.is_empty());
                    assert!(event.id.as_deref().is_none_or(|id| !id.contains('\0')));
                    assert_eq!(event.id.as_deref(), decoder.last_event_id());
                }
            }
        });
    }
    assert!(
        events_seen > iterations(),
        "the mutated streams still carry events ({events_seen})"
    );
}

/// Random text as a server could put in `data` (no CR: the server's data is compact JSON).
fn random_text(rng: &mut Rng) -> String {
    const PIECES: &[&str] = &[
        "a", "Z", " ", ":", "\n", "data: ", "id: ", "é", "杭州", "😀", "\0", "{", "\"", "",
    ];
    (0..rng.below(12)).map(|_| *rng.pick(PIECES)).collect()
}

#[test]
fn sse_encoding_decodes_to_the_same_data_id_and_retry() {
    let mut rng = Rng::new(seed() ^ 5);
    let seeds = corpus("jsonrpc");
    for i in 0..iterations() {
        let data = match i % 2 {
            0 => accepted_message(&mut rng, &seeds).to_line(),
            _ => random_text(&mut rng),
        };
        let id: String = random_text(&mut rng).replace(['\n', '\0'], "-");
        let crlf = rng.below(2) == 0;
        guarded("sse round trip", i, data.as_bytes(), || {
            let mut bytes = sse::HEARTBEAT.to_vec();
            bytes.extend(sse::encode_event(Some(&id), &data));
            bytes.extend(sse::encode_priming(&id, 1500));
            let mut text = String::from_utf8(bytes).unwrap();
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            let mut decoder = sse::Decoder::new();
            let events: Vec<_> = text
                .split_inclusive('\n')
                .filter_map(|l| decoder.feed_line(l))
                .collect();
            assert_eq!(events.len(), 2, "{text:?}");
            assert_eq!(
                (events[0].event.as_str(), events[0].data.as_str()),
                ("message", data.as_str())
            );
            assert_eq!(events[0].id.as_deref(), Some(id.as_str()));
            assert_eq!(
                (events[1].data.as_str(), events[1].retry_ms),
                ("", Some(1500))
            );
        });
    }
}

#[test]
fn ndjson_lines_round_trip_and_heartbeats_vanish() {
    let mut rng = Rng::new(seed() ^ 6);
    let (requests, seeds) = (corpus("jsonrpc"), corpus("ndjson"));
    for i in 0..iterations() / 4 {
        let chunk: Vec<Message> = std::iter::repeat_with(|| accepted_message(&mut rng, &requests))
            .filter(|m| exact_numbers(&m.to_json()))
            .take(4)
            .collect();
        let mut body = Vec::new();
        for m in &chunk {
            let line = ndjson::encode_line(&m.to_line());
            assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1);
            assert_eq!(line.last(), Some(&b'\n'));
            body.extend(line);
            for _ in 0..rng.below(3) {
                body.extend_from_slice(ndjson::HEARTBEAT);
            }
        }
        guarded("ndjson round trip", i, &body, || {
            let back: Vec<Message> = body
                .lines()
                .map(Result::unwrap)
                .filter(|l| !l.trim().is_empty())
                .map(|l| jsonrpc::parse(l.as_bytes()).unwrap())
                .collect();
            assert_eq!(back, chunk);
        });
        // And the lines of a mutated stream are each refused or read, never a panic.
        let input = variant(&mut rng, &seeds);
        guarded("ndjson lines", i, &input, || {
            for line in input.split(|b| *b == b'\n') {
                let _ = jsonrpc::parse(line);
            }
        });
    }
}
