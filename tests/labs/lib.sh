# What tests/labs/prove.sh (for maintainers) and docs/labs/grade.sh (for instructors) share: the list
# of labs, the files each lab is graded on, and running one lab's checker in a scratch tree.
# Sourced, not run. The caller sets REPO (the course repository) and LOGS (a folder for logs), and
# runs the functions with the scratch tree as its working directory.

# The labs, in order: every lab that has a reference solution.
lab_numbers() {
  local patch name
  for patch in "$REPO"/docs/labs/solutions/lab_*.patch; do
    name=${patch##*/lab_}
    echo "${name%.patch}"
  done
}

# The files a lab is graded on: those its reference solution touches (the files its handout names).
lab_files() {
  sed -n 's|^+++ b/||p' "$REPO/docs/labs/solutions/lab_$1.patch"
}

# Does a lab change the server (so that checking it costs a rebuild)?
lab_is_rust() {
  lab_files "$1" | grep -q '^src/'
}

# A scratch tree for the checks: the course at commit $1 in directory $2. Put in what else belongs
# there, then call scratch_commit.
scratch_tree() {
  local rev=$1 tree=$2
  rm -rf "$tree"
  mkdir -p "$tree"
  # -m: every file gets the time of now, not of the commit. Cargo decides what to rebuild by comparing
  # times; with the commit's, the last run's build (of a solution, maybe) would look newer and be reused.
  git -C "$REPO" archive "$rev" | tar -x -m -C "$tree"
}

# Make the scratch tree in $1 a git repository whose one commit is the tree as a student finds it,
# so that `git reset --hard` and `git clean` put it back between labs.
scratch_commit() {
  (
    cd "$1"
    git init -q
    git add -A
    git -c user.name=labs -c user.email=labs@localhost commit -q -m "as a student finds it"
  )
}

# Run one lab's checker in the current directory: prints "passed", "failed" (the checker ran and
# failed), "does not compile" or "broken" (it did not run exactly one test). Output goes to
# $LOGS/<name>.log.
checker() {
  local lab=$1 log=$LOGS/$2.log
  if ! cargo test -q --no-run --test labs >"$log" 2>&1; then
    echo "does not compile"
  elif cargo test -q --test labs "lab_${lab}_" -- --ignored >"$log" 2>&1; then
    grep -q 'test result: ok. 1 passed' "$log" && echo passed || echo broken
  else
    grep -q 'test result: FAILED. 0 passed; 1 failed' "$log" && echo failed || echo broken
  fi
}

# Why a checker did not pass, in one line, from its log: the checker's own first line, or the
# compiler's first error.
reason() {
  local log=$LOGS/$1.log line
  line=$(grep -m 1 -o 'lab [0-9]* is not done yet: .*' "$log" | sed 's/^lab [0-9]* is not done yet: //')
  [ -n "$line" ] || line=$(grep -m 1 -E '^error(\[E[0-9]+\])?:' "$log")
  [ -n "$line" ] || line="see $log"
  echo "${line:0:150}"
}
