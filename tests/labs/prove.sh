#!/usr/bin/env bash
# Prove the course labs: each lab's checker must FAIL on the tree as a student finds it, PASS once
# the lab's reference solution (docs/labs/solutions/lab_NN.patch) is applied, and FAIL again on
# each of the lab's kept wrong solutions (docs/labs/wrong/lab_NN-*.patch), saying what its
# `Expect:` line says: the message that sends the student to the mistake.
#
#   bash tests/labs/prove.sh            # every lab that has a solution
#   bash tests/labs/prove.sh 03 06      # some of them
#
# It works on a scratch copy of HEAD, never on this tree: `git archive HEAD`, plus the lab files
# of the working tree (docs/labs/, tests/labs.rs, tests/labs/ and `// LAB:` comment lines in src/)
# in case they are not committed yet. Builds go to a cached target directory, so only this crate
# is rebuilt on a later run ($LABS_CACHE_DIR, default ~/.cache/streamable-mcp-labs).
#
# Prints one line per lab and `N passed, M failed`; exits 1 on any mismatch. A patch that no
# longer applies to HEAD is a mismatch too: regenerate it (docs/labs/README.md says how).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${LABS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/streamable-mcp-labs}
export CARGO_TARGET_DIR="$CACHE/target"
TREE="$CACHE/tree"
LOGS="$CACHE/logs"
LABS=("$@")
# shellcheck source=tests/labs/lib.sh
. "$REPO/tests/labs/lib.sh"
[ ${#LABS[@]} -gt 0 ] || mapfile -t LABS < <(lab_numbers)
START=$SECONDS

mkdir -p "$CACHE"
# One run at a time per cache: the scratch tree is reused.
if command -v flock >/dev/null; then
  exec 9>"$CACHE/lock"
  flock 9
fi

# --- the scratch tree -------------------------------------------------------------------------
rm -rf "$LOGS"
mkdir -p "$LOGS"
scratch_tree HEAD "$TREE"

# The lab files as they are in the working tree (the same as HEAD's once they are committed).
for path in docs/labs tests/labs tests/labs.rs; do
  rm -rf "${TREE:?}/$path"
  if [ -e "$REPO/$path" ]; then
    mkdir -p "$(dirname "$TREE/$path")"
    cp -R "$REPO/$path" "$TREE/$path"
  fi
done
# `// LAB:` markers in src/ not committed yet: HEAD's version of each file, with the working tree's
# marker comments put back where they are, so that other people's work in progress stays out.
git -C "$REPO" diff --quiet HEAD -- src || python3 - "$REPO" "$TREE" <<'PY'
import re, subprocess, sys

repo, tree = sys.argv[1], sys.argv[2]
git = lambda *a: subprocess.run(
    ["git", "-C", repo, *a], capture_output=True, text=True, encoding="utf-8"
).stdout
MARKER, COMMENT = re.compile(r"^\s*// LAB:"), re.compile(r"^\s*//( |$)")
for path in git("diff", "--name-only", "HEAD", "--", "src").split():
    if subprocess.run(["git", "-C", repo, "cat-file", "-e", f"HEAD:{path}"], stderr=subprocess.DEVNULL).returncode:
        continue  # a new file: not ours
    old = git("show", f"HEAD:{path}").splitlines(keepends=True)
    inserts = []  # (after this many lines of HEAD's file, the marker lines)
    for hunk in re.split(r"^(?=@@ )", git("diff", "-U0", "HEAD", "--", path), flags=re.M)[1:]:
        a, b = re.match(r"@@ -(\d+)(?:,(\d+))?", hunk).groups()
        a, b = int(a), 1 if b is None else int(b)
        added = [l[1:] + "\n" for l in hunk.splitlines() if l.startswith("+")]
        i = 0
        while i < len(added):
            if not MARKER.match(added[i]):
                i += 1
                continue
            j = i + 1
            while j < len(added) and COMMENT.match(added[j]) and not MARKER.match(added[j]):
                j += 1
            # Pure insertions go after line a; in a replacement, before it or after it.
            after = a if b == 0 else (a - 1 if i == 0 else a + b - 1)
            inserts.append((after, added[i:j]))
            i = j
    if not inserts:
        continue
    # From the bottom up, so that the line numbers above stay right.
    order = sorted(range(len(inserts)), key=lambda n: (inserts[n][0], n), reverse=True)
    for after, lines in (inserts[n] for n in order):
        old[after:after] = lines
    with open(f"{tree}/{path}", "w", encoding="utf-8") as f:
        f.write("".join(old))
PY

scratch_commit "$TREE"
cd "$TREE"

# --- the checks -------------------------------------------------------------------------------
echo "building a scratch copy of HEAD in $TREE"
cargo test -q --no-run --test labs >"$LOGS/build.log" 2>&1 || {
  cat "$LOGS/build.log"
  echo "the tree as it is does not build"
  exit 1
}

# First every checker on the tree as it is (one build), then each solution in turn: applying and
# reverting a patch costs a rebuild, so the labs whose solutions touch no Rust code go first.
declare -A BEFORE AFTER
for lab in "${LABS[@]}"; do
  BEFORE[$lab]=$(checker "$lab" "lab_${lab}-as-found")
done
SCRIPTS=()
RUST=()
for lab in "${LABS[@]}"; do
  if lab_is_rust "$lab"; then
    RUST+=("$lab")
  else
    SCRIPTS+=("$lab")
  fi
done
ORDER=("${SCRIPTS[@]}" "${RUST[@]}")
# Apply a patch to the clean scratch tree, run the lab's checker, put the tree back. Prints the
# checker's outcome, or why the patch could not be tried.
try_patch() {
  local lab=$1 patch=$2 name=$3
  if ! git apply --check "$patch" 2>"$LOGS/$name-apply.log"; then
    echo "patch does not apply"
    return
  fi
  git apply "$patch"
  checker "$lab" "$name"
  git reset -q --hard
  git clean -q -fd
}

declare -A WRONG
for lab in "${ORDER[@]}"; do
  patch=docs/labs/solutions/lab_$lab.patch
  if [ -f "$patch" ]; then
    AFTER[$lab]=$(try_patch "$lab" "$patch" "lab_${lab}-solved")
  else
    AFTER[$lab]="no $patch"
  fi
  # Every wrong solution must fail, and the checker must say what its `Expect:` line says.
  WRONG[$lab]=""
  count=0
  for wrong in docs/labs/wrong/lab_"$lab"-*.patch; do
    [ -f "$wrong" ] || continue
    count=$((count + 1))
    name=$(basename "$wrong" .patch)
    expect=$(sed -n 's/^Expect: //p' "$wrong" | head -n 1)
    outcome=$(try_patch "$lab" "$wrong" "$name")
    if [ "$outcome" != failed ]; then
      WRONG[$lab]+=" $name: $outcome (want failed);"
    elif [ -z "$expect" ]; then
      WRONG[$lab]+=" $name: no Expect: line;"
    elif ! grep -qF -- "$expect" "$LOGS/$name.log"; then
      WRONG[$lab]+=" $name: failed without saying \"$expect\";"
    fi
  done
  [ "$count" -ge 2 ] || WRONG[$lab]+=" $count wrong solution(s) in docs/labs/wrong/, want at least 2;"
done

passed=0
failed=0
for lab in "${LABS[@]}"; do
  if [ "${BEFORE[$lab]}" = failed ] && [ "${AFTER[$lab]}" = passed ] && [ -z "${WRONG[$lab]}" ]; then
    passed=$((passed + 1))
    echo "ok    lab_$lab: fails as found, passes with its solution, fails on each wrong solution"
  else
    failed=$((failed + 1))
    echo "FAIL  lab_$lab: as found: ${BEFORE[$lab]} (want failed), with the solution: ${AFTER[$lab]} (want passed);${WRONG[$lab]} logs in $LOGS"
  fi
done
echo "$passed passed, $failed failed ($((SECONDS - START)) s)"
[ "$failed" -eq 0 ]
