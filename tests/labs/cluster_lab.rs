//! The checker of lab 9 (scale-out by hand): the student's nginx routing,
//! `docs/labs/lab09/routing.conf`, in front of three real `weather-server` instances started by
//! `scripts/cluster.sh --routing-file`, driven by `tests/interop/cluster_checks.py lab-09`.
//!
//! Needs nginx (the script installs Debian's package when it runs as root) and python3; that is
//! why this lab's checker, like every checker, is ignored by a plain `cargo test`. What it checks
//! is what the script's checks print; this file turns their first failure into a sentence that
//! points at the mistake.

use crate::common::{fail, run};
use std::time::Duration;

/// Three stages of about 1-4 s each, plus starting and stopping the cluster.
const LIMIT: Duration = Duration::from_secs(90);

pub fn scale_out_by_hand() {
    let run = run(
        "bash",
        &[
            "scripts/cluster.sh",
            "--routing-file",
            "docs/labs/lab09/routing.conf",
            "--step-delay-ms",
            "10",
            "--",
            "python3",
            "tests/interop/cluster_checks.py",
            "lab-09",
        ],
        &[
            ("WEATHER_SERVER_BIN", env!("CARGO_BIN_EXE_weather-server")),
            ("MCP_CLIENT_BIN", env!("CARGO_BIN_EXE_mcp-client")),
        ],
        LIMIT,
        9,
    );
    let failed = run
        .stdout()
        .find(|l| l.starts_with("FAIL "))
        .map(str::to_string);
    let passed = run.status.is_some_and(|s| s.success());
    match failed {
        None if passed => {}
        None if run.stderr.contains("nginx did not start") => fail(
            9,
            format!(
                "nginx refused the configuration (its error is below)\n{}",
                run.report()
            ),
        ),
        None => fail(9, format!("the cluster did not run\n{}", run.report())),
        Some(line) => fail(9, format!("{}\n{line}\n\n{}", advice(&line), run.report())),
    }
}

/// What a failing check means for the routing file.
fn advice(line: &str) -> &'static str {
    if line.contains("every instance served") {
        "2026-07-28 calls do not spread over the three instances: a request without \
         Mcp-Session-Id must go to the round-robin upstream `all`"
    } else if line.contains("session routing") || line.contains("spread over the instances") {
        "2025-11-25 sessions do not come back to the instance that holds them (nginx sent a \
         session's requests elsewhere, which answered 404): route on the prefix of \
         Mcp-Session-Id (`a.` is instance a), not on a hash of it"
    } else if line.contains("answer 404 (from a backup") {
        "when an instance dies, its sessions get nginx's 502, not 404, so no client knows to start \
         a new session: give each instance's upstream the other two as `backup` servers, which \
         do not know the session and answer 404"
    } else {
        "a cluster check failed"
    }
}
