//! The course's documents, kept true by tests: the README's curl session prints what it shows,
//! its curl lines and the Postman collection send the headers a client must, the walkthrough's
//! quotes match the code, the transcripts match the server byte for byte, and every test
//! `docs/spec-coverage.md` names exists.

#[path = "../support/mod.rs"]
mod support;

mod postman;
mod readme;
mod spec_coverage;
mod transcripts;
mod walkthrough;
