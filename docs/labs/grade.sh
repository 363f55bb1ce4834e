#!/usr/bin/env bash
# Grade every lab of one or more students' work and print a table in lab order: lab, pass or fail,
# and the reason. docs/labs/INSTRUCTORS.md says how to hand labs out and collect them.
#
#   bash docs/labs/grade.sh                     # this tree (a student grading their own work)
#   bash docs/labs/grade.sh work/ana work/ben   # handed-in trees, or unpacked handin archives
#
# Each lab is graded alone: a scratch copy of the course as handed out (this repository's HEAD, or
# $LABS_START) gets only that lab's files from the student's tree (the files its handout names, those
# its reference solution touches), and the lab's checker runs there. So a lab that does not compile
# fails alone, and the others are still graded. Nothing in the student's tree is changed.
#
# Exits 0 when every lab of every student passed, 1 otherwise. Builds are cached in
# $LABS_CACHE_DIR (default ~/.cache/streamable-mcp-grade): the first run builds the server once,
# each Rust lab then rebuilds only this crate (about 20 s).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${LABS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/streamable-mcp-grade}
export CARGO_TARGET_DIR="$CACHE/target"
TREE="$CACHE/tree"
START_REV=${LABS_START:-HEAD}
# shellcheck source=tests/labs/lib.sh
. "$REPO/tests/labs/lib.sh"
STUDENTS=("$@")
[ ${#STUDENTS[@]} -gt 0 ] || STUDENTS=("$REPO")
mapfile -t LABS < <(lab_numbers)

mkdir -p "$CACHE"
if command -v flock >/dev/null; then
  exec 9>"$CACHE/lock"
  flock 9
fi

# The handout's title of a lab, for the table.
title() {
  sed -n '1s/^# Lab [0-9]*: //p' "$REPO"/docs/labs/lab_"$1"-*.md
}

all_passed=true
for student in "${STUDENTS[@]}"; do
  student=$(cd "$student" && pwd)
  LOGS="$CACHE/logs/$(basename "$student")"
  rm -rf "$LOGS"
  mkdir -p "$LOGS"
  scratch_tree "$START_REV" "$TREE"
  scratch_commit "$TREE"
  cd "$TREE"
  echo "== $student"
  printf '%-4s  %-36s  %-4s  %s\n' lab title grade reason
  passed=0
  for lab in "${LABS[@]}"; do
    # Only this lab's files, as the student has them (a file the student deleted is deleted).
    while read -r file; do
      if [ -e "$student/$file" ]; then
        mkdir -p "$(dirname "$file")"
        cp "$student/$file" "$file"
      else
        rm -f "$file"
      fi
    done < <(lab_files "$lab")
    if git diff --quiet HEAD && [ -z "$(git status --porcelain)" ]; then
      outcome="not done"
      why="the lab's files are as handed out: $(lab_files "$lab" | tr '\n' ' ')"
    else
      outcome=$(checker "$lab" "lab_$lab")
      why=$(reason "lab_$lab")
    fi
    case $outcome in
      passed) passed=$((passed + 1)); printf '%-4s  %-36s  %-4s\n' "$lab" "$(title "$lab")" pass ;;
      *) all_passed=false; printf '%-4s  %-36s  %-4s  %s: %s\n' "$lab" "$(title "$lab")" fail "$outcome" "$why" ;;
    esac
    git reset -q --hard
    git clean -q -fd
  done
  echo "$passed of ${#LABS[@]} labs passed; the checkers' whole messages are in $LOGS"
  cd "$REPO"
done
$all_passed
