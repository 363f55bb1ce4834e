//! The course's documents, kept true by tests: the README's curl session runs as written, the
//! walkthrough's quotes match the code, the transcripts match the server byte for byte, and every
//! test `docs/spec-coverage.md` names exists.

#[path = "../support/mod.rs"]
mod support;

mod readme;
mod spec_coverage;
mod transcripts;
mod walkthrough;
