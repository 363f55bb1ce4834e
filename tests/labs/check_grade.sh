#!/usr/bin/env bash
# Check the instructors' grader (docs/labs/grade.sh) on two students made up from the repository:
# one who did nothing (every lab "not done"), and one whose tree holds every reference solution at
# once, with lab 2 broken so that it does not compile (lab 2 fails alone, every other lab passes).
# Exits non-zero when the grader says otherwise. `.ci/run` calls it after tests/labs/prove.sh.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export LABS_CACHE_DIR=${LABS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/streamable-mcp-grade}

for student in untouched solved; do
  mkdir -p "$WORK/$student"
  git -C "$REPO" archive HEAD | tar -x -C "$WORK/$student"
done
(
  cd "$WORK/solved"
  for patch in docs/labs/solutions/lab_*.patch; do
    git apply "$patch"
  done
  echo 'this is not Rust' >>src/weather/convert.rs
)

fail=0
out=$(bash "$REPO/docs/labs/grade.sh" "$WORK/untouched" 2>&1 || true)
echo "$out"
if ! grep -q "^0 of [0-9]* labs passed" <<<"$out" || [ "$(grep -c ' fail  not done' <<<"$out")" -ne "$(ls "$REPO"/docs/labs/solutions/lab_*.patch | wc -l)" ]; then
  echo "FAIL  the untouched tree should have every lab 'not done'"
  fail=1
fi
out=$(bash "$REPO/docs/labs/grade.sh" "$WORK/solved" 2>&1 || true)
echo "$out"
labs=$(ls "$REPO"/docs/labs/solutions/lab_*.patch | wc -l)
if ! grep -q "^$((labs - 1)) of $labs labs passed" <<<"$out" || ! grep -q '^02 .* fail  does not compile' <<<"$out"; then
  echo "FAIL  the solved tree with a broken lab 2 should pass every lab but 2, and lab 2 should not compile"
  fail=1
fi
[ "$fail" -eq 0 ] && echo "ok    grade.sh: a lab that does not compile fails alone; the others are graded"
exit "$fail"
