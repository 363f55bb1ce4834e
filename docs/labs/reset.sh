#!/usr/bin/env bash
# Put the labs' files back as they were handed out, keeping the work in a git stash.
#
#   bash docs/labs/reset.sh          # every lab
#   bash docs/labs/reset.sh 02 06    # some labs
#
# The files of a lab are the ones its handout names (those its reference solution touches). They
# are stashed (`git stash push --include-untracked`), so nothing is lost: `git stash list` shows the
# work, `git stash pop` brings it back. Files that belong to no lab are not touched; to drop every
# change of the tree instead, `git stash push --include-untracked` alone does that.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/labs/lib.sh
. "$REPO/tests/labs/lib.sh"
cd "$REPO"
LABS=("$@")
[ ${#LABS[@]} -gt 0 ] || mapfile -t LABS < <(lab_numbers)

FILES=()
for lab in "${LABS[@]}"; do
  [ -f "docs/labs/solutions/lab_$lab.patch" ] || { echo "no lab $lab" >&2; exit 2; }
  while read -r file; do
    # Only what differs from HEAD (a changed file, or a new one the lab asked for).
    if [ -n "$(git status --porcelain -- "$file")" ]; then
      FILES+=("$file")
    fi
  done < <(lab_files "$lab")
done

if [ ${#FILES[@]} -eq 0 ]; then
  echo "nothing to reset: the files of lab(s) ${LABS[*]} are as handed out"
  exit 0
fi
git stash push --include-untracked -m "labs reset $(date '+%Y-%m-%d %H:%M') (labs ${LABS[*]})" -- "${FILES[@]}"
echo "reset ${#FILES[@]} file(s): ${FILES[*]}"
echo "your work is kept in the stash (git stash list); git stash pop brings it back"
