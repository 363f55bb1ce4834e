//! walkthrough.md quotes code and transcripts; every quote must still match its source.
//!
//! A quote is a marker line followed by a fenced block:
//! `<!-- quote: src/server/socket.rs#pump -->` quotes the region between `// ANCHOR: pump` and
//! `// ANCHOR_END: pump` in that file (dedented); `<!-- quote: docs/transcripts/02-progress-streaming.txt -->`
//! quotes a whole file. An excerpt, `<!-- excerpt: docs/transcripts/05-modern-call.txt -->` before
//! a fenced block, shows some lines of its source: each line of the block (but `…`, which marks
//! lines left out) must be a line of the source, in the source's order; a `…` inside a line stands
//! for text left out of that line (`"structuredContent":{…}`), so an excerpt can skip a value that a
//! lab changes. After a deliberate change, `UPDATE_WALKTHROUGH=1 cargo test --test
//! docs walkthrough` rewrites the quoted blocks; excerpts are edited by hand (the failure names the
//! line that no longer matches). Then reread the prose around them.

use std::fs;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The text a marker refers to, or why it cannot be found.
fn source_of(target: &str) -> Result<String, String> {
    let (path, anchor) = match target.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (target, None),
    };
    let text = fs::read_to_string(format!("{ROOT}/{path}")).map_err(|e| format!("{path}: {e}"))?;
    let Some(anchor) = anchor else {
        return Ok(text.trim_end().to_string());
    };
    let start = format!("// ANCHOR: {anchor}");
    let end = format!("// ANCHOR_END: {anchor}");
    let lines: Vec<&str> = text.lines().collect();
    let from = lines
        .iter()
        .position(|l| l.trim() == start)
        .ok_or(format!("no `{start}` in {path}"))?;
    let to = lines
        .iter()
        .position(|l| l.trim() == end)
        .ok_or(format!("no `{end}` in {path}"))?;
    let region: Vec<&str> = lines[from + 1..to]
        .iter()
        .copied()
        .filter(|l| !l.trim().starts_with("// ANCHOR"))
        .collect();
    let indent = region
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    Ok(region
        .iter()
        .map(|l| {
            if l.len() >= indent {
                &l[indent..]
            } else {
                l.trim()
            }
        })
        .collect::<Vec<_>>()
        .join("\n"))
}

/// Why the fenced block `lines` is not an excerpt of `source`, if it is not.
fn excerpt_problem(target: &str, lines: &[&str], source: &str) -> Option<String> {
    if lines.iter().all(|l| l.trim().is_empty() || l.trim() == "…") {
        return Some(format!("{target}: the excerpt shows no line of its source"));
    }
    let mut rest = source.lines();
    for line in lines.iter().filter(|l| l.trim() != "…") {
        if !rest.any(|s| same_line(line, s)) {
            return Some(format!(
                "{target}: the excerpt's line {line:?} is not in the source (or is out of order)"
            ));
        }
    }
    None
}

/// Does the excerpt's `line` show the source's line `source`? Equal, or, where `line` has `…`,
/// equal in the pieces between them: the first at the start, the last at the end, the others in
/// order between.
fn same_line(line: &str, source: &str) -> bool {
    let pieces: Vec<&str> = line.split('…').collect();
    let [first, middle @ .., last] = pieces.as_slice() else {
        return line == source;
    };
    if pieces.len() == 1 {
        return line == source;
    }
    let Some(mut rest) = source.strip_prefix(first) else {
        return false;
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// Rebuild walkthrough.md with every quoted block taken from its source. Returns the new text
/// and the problems found (missing anchors, markers without a block).
fn rebuild(doc: &str) -> (String, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let mut lines = doc.lines().peekable();
    while let Some(line) = lines.next() {
        out.push(line.to_string());
        if let Some(target) = line
            .trim()
            .strip_prefix("<!-- excerpt: ")
            .and_then(|r| r.strip_suffix(" -->"))
        {
            let Some(fence) = lines.next().filter(|f| f.starts_with("```")) else {
                problems.push(format!(
                    "{target}: the marker must be followed by a fenced block"
                ));
                continue;
            };
            out.push(fence.to_string());
            let mut block = Vec::new();
            for inner in lines.by_ref() {
                out.push(inner.to_string());
                if inner.starts_with("```") {
                    break;
                }
                block.push(inner);
            }
            match source_of(target) {
                Ok(text) => problems.extend(excerpt_problem(target, &block, &text)),
                Err(why) => problems.push(why),
            }
            continue;
        }
        let Some(target) = line
            .trim()
            .strip_prefix("<!-- quote: ")
            .and_then(|r| r.strip_suffix(" -->"))
        else {
            continue;
        };
        let Some(fence) = lines.next().filter(|f| f.starts_with("```")) else {
            problems.push(format!(
                "{target}: the marker must be followed by a fenced block"
            ));
            continue;
        };
        out.push(fence.to_string());
        for inner in lines.by_ref() {
            if inner.starts_with("```") {
                break;
            }
        }
        match source_of(target) {
            Ok(text) => out.push(text),
            Err(why) => problems.push(why),
        }
        out.push("```".to_string());
    }
    (out.join("\n") + "\n", problems)
}

#[test]
fn walkthrough_quotes_match_the_code_and_transcripts() {
    let path = format!("{ROOT}/walkthrough.md");
    let doc = fs::read_to_string(&path).unwrap();
    let (fresh, problems) = rebuild(&doc);
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        doc.matches("<!-- quote: ").count() >= 10,
        "the walkthrough quotes the code"
    );
    if std::env::var_os("UPDATE_WALKTHROUGH").is_some() {
        fs::write(&path, fresh).unwrap();
        return;
    }
    if fresh != doc {
        let changed: Vec<_> = fresh
            .lines()
            .zip(doc.lines())
            .filter(|(a, b)| a != b)
            .take(5)
            .collect();
        panic!(
            "walkthrough.md quotes drifted from the code; run `UPDATE_WALKTHROUGH=1 cargo test --test \
             docs walkthrough`, then reread the prose around them. First differences (now, was): {changed:#?}"
        );
    }
}

#[test]
fn the_http_sse_page_excerpts_match_the_transcripts() {
    let doc = fs::read_to_string(format!("{ROOT}/docs/http-sse.md")).unwrap();
    let (_, problems) = rebuild(&doc);
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(
        doc.matches("<!-- excerpt: ").count() >= 5,
        "the page shows the bytes of both transports"
    );
}

#[test]
fn a_quote_with_a_missing_anchor_is_reported() {
    let (_, problems) = rebuild("<!-- quote: src/lib.rs#no_such_anchor -->\n```rust\n```\n");
    assert_eq!(problems.len(), 1);
    assert!(problems[0].contains("no_such_anchor"));
}

#[test]
fn an_excerpt_line_that_is_not_in_its_source_is_reported() {
    let doc = "<!-- excerpt: docs/transcripts/03-session.txt -->\n```text\nHTTP/1.1 202 Accepted\n…\nHTTP/1.1 999 Invented\n```\n";
    let (_, problems) = rebuild(doc);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("999 Invented"));
    let (_, problems) = rebuild(&doc.replace("HTTP/1.1 999 Invented", "HTTP/1.1 404 Not Found"));
    assert!(problems.is_empty(), "{problems:?}");
}

#[test]
fn an_ellipsis_inside_an_excerpt_line_stands_for_text_left_out() {
    let source = r#"{"a":1,"b":{"x":2},"c":3}"#;
    assert!(same_line(r#"{"a":1,"b":{…},"c":3}"#, source));
    assert!(same_line(r#"{"a":1,…"c":3}"#, source));
    assert!(
        !same_line(r#"{"a":1,"b":{…},"c":4}"#, source),
        "the end must match"
    );
    assert!(!same_line(r#"{"a":2,…"#, source), "the start must match");
    assert!(
        !same_line(r#"{"a":1,…"d"…}"#, source),
        "a middle piece must be there"
    );
    assert!(same_line(source, source));
}

#[test]
fn anchored_regions_are_dedented_and_exclude_the_markers() {
    let text = source_of("src/server/response.rs#chunk").unwrap();
    assert!(text.starts_with("pub fn chunk("), "{text}");
    assert!(!text.contains("ANCHOR"));
}
