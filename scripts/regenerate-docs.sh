#!/usr/bin/env bash
# Regenerate what the docs quote from the running code: the transcripts under docs/transcripts/
# (real exchanges with a fresh server), the code and transcript blocks of walkthrough.md, and the
# outputs README.md shows (its curl session and mcp-client runs).
# Run it after a deliberate change, then read `git diff` and the prose around what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
UPDATE_TRANSCRIPTS=1 cargo test -q --test docs transcripts::
UPDATE_WALKTHROUGH=1 cargo test -q --test docs walkthrough::
# One test at a time: each rewrites README.md.
UPDATE_README=1 cargo test -q --test docs readme:: -- --test-threads=1
git --no-pager diff --stat -- docs/transcripts walkthrough.md README.md
