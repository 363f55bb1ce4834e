#!/usr/bin/env bash
# Pack the labs' files, as they are in this tree, into one archive to hand in.
#
#   bash docs/labs/handin.sh            # writes labs-handin.tar.gz here
#   bash docs/labs/handin.sh ana.tar.gz
#
# Only the files the labs are graded on go in (those their handouts name). The instructor unpacks
# the archive into a folder of its own and runs `bash docs/labs/grade.sh <that folder>`.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/labs/lib.sh
. "$REPO/tests/labs/lib.sh"
OUT=$(realpath -m "${1:-labs-handin.tar.gz}")
cd "$REPO"
FILES=()
while read -r lab; do
  while read -r file; do
    [ -e "$file" ] && FILES+=("$file")
  done < <(lab_files "$lab")
done < <(lab_numbers)
tar -czf "$OUT" "${FILES[@]}"
echo "wrote $OUT: ${#FILES[@]} files"
