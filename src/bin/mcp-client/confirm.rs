//! Before `chat` runs a tool call the model asked for, the person says yes or no.
//!
//! Implements, for a command line, MCP 2025-11-25 `server/tools` §User Interaction Model: "there
//! SHOULD always be a human in the loop with the ability to deny tool invocations". The model
//! decides which tools to call and with what; a tool may have effects (ours only read the
//! weather, but `--config` can name any server), so nothing runs on the model's word alone.
//!
//! # Who says yes
//! | stdin | `--yes` | a tool call |
//! |---|---|---|
//! | a terminal | no | asked for, one by one: `y` runs it, anything else declines it |
//! | a terminal or a pipe | yes | runs without asking (scripts, `--ask` in a pipeline) |
//! | a pipe (or a file) | no | declined: nobody is there to say yes |
//!
//! A pipe declines rather than runs, for the same reason as a tool's question in a pipe
//! (`chat.rs`): the lines of a pipe are the next questions, not answers, and a script that wants
//! the tools run says so with `--yes`. A declined call is answered to the model as
//! [`DECLINED`], so it can answer without the tool or say what it would need.
//!
//! Pure: it reads a `&mut dyn BufRead` and writes a `&mut dyn Write`; the binary passes stdin
//! and stderr, tests pass strings. Left out: "yes to all" and a per-tool allow list, which a
//! real host offers so that a person is not asked the same thing fifty times.

use serde_json::Value;
use std::io::{BufRead, Write};

/// What the model is told when a call was not allowed.
pub const DECLINED: &str = "not run: the user declined this tool call";

/// How `chat` gets a yes for each tool call, decided once at the start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Consent {
    /// Ask the person at the terminal before each call.
    AskEach,
    /// `--yes`: every call runs.
    Given,
    /// stdin is not a terminal and `--yes` was not given: no call runs.
    Nobody,
}

impl Consent {
    /// The rule of the table above.
    pub fn new(yes: bool, stdin_is_terminal: bool) -> Consent {
        match (yes, stdin_is_terminal) {
            (true, _) => Consent::Given,
            (false, true) => Consent::AskEach,
            (false, false) => Consent::Nobody,
        }
    }
}

/// Ask whether to run `shown` with `arguments`; `true` only for `y` or `yes` (any case).
///
/// No is the default: an empty line, end of input (Ctrl-D) and a read error all decline, since
/// a call that runs cannot be taken back and one that is declined can be asked for again.
pub fn confirm(
    shown: &str,
    arguments: &Value,
    input: &mut dyn BufRead,
    out: &mut dyn Write,
) -> bool {
    // A failed write to stderr changes nothing: the answer is still read.
    let _ = write!(
        out,
        "the model wants to call {shown} {arguments}; run it? [y/N] "
    );
    let _ = out.flush();
    let mut line = String::new();
    let yes = match input.read_line(&mut line) {
        Ok(0) | Err(_) => false,
        Ok(_) => matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes"),
    };
    if !yes {
        let _ = writeln!(out, "declined; the model is told so");
    }
    yes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn answer(typed: &str) -> (bool, String) {
        let mut out = Vec::new();
        let arguments = json!({"city": "Hangzhou"});
        let yes = confirm(
            "weather.get_weather",
            &arguments,
            &mut typed.as_bytes(),
            &mut out,
        );
        (yes, String::from_utf8(out).unwrap())
    }

    #[test]
    fn the_person_sees_the_tool_and_its_arguments_and_only_y_or_yes_runs_it() {
        let (yes, shown) = answer("y\n");
        assert!(yes);
        assert_eq!(
            shown,
            "the model wants to call weather.get_weather {\"city\":\"Hangzhou\"}; run it? [y/N] "
        );
        assert!(answer(" YES \n").0);
        for no in ["n\n", "\n", "sure\n", ""] {
            let (yes, shown) = answer(no);
            assert!(!yes, "{no:?}");
            assert!(
                shown.ends_with("declined; the model is told so\n"),
                "{shown}"
            );
        }
    }

    #[test]
    fn a_terminal_is_asked_yes_runs_everything_and_a_pipe_without_yes_runs_nothing() {
        assert_eq!(Consent::new(false, true), Consent::AskEach);
        assert_eq!(Consent::new(true, true), Consent::Given);
        assert_eq!(Consent::new(true, false), Consent::Given);
        assert_eq!(Consent::new(false, false), Consent::Nobody);
    }
}
