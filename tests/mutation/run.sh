#!/bin/sh
# run.sh: applies the mutants of mutants.tsv to core/ one at a time and runs the unit test of the
# mutated module; a mutant the tests let through is a test that is missing.
#
# Run it in a separate git worktree, never in a tree others are editing: it rewrites core/ files
# (each is restored after its mutant).
#   git worktree add /tmp/mut HEAD && cd /tmp/mut && meson setup build
#   tests/mutation/run.sh [-b BUILD_DIR] [-o RESULTS.tsv] [-n "3 7 12"] [FILE_FILTER]
# -n runs only the mutants of those numbers (their line among the list's mutants), e.g. the
# survivors of an earlier run.
# Each line of mutants.tsv: file <TAB> text <TAB> replacement <TAB> what it does. The text must
# occur exactly once in the file ("\n" in text or replacement stands for a line break). The test
# run is tests/unit/test_<module> for core/<module>.c.
# Results: killed (the test failed), survived (it passed), not-viable (the mutant does not
# build) or bad-pattern (the text is not found exactly once: the list needs updating).
set -u
build=build
out=tests/mutation/results.tsv
only=
while getopts b:o:n: opt; do
    case $opt in
    b) build=$OPTARG ;;
    o) out=$OPTARG ;;
    n) only=" $OPTARG " ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
filter=${1:-}
here=$(cd "$(dirname "$0")" && pwd)
list=$here/mutants.tsv
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 2
[ -d "$build" ] || { echo "no build dir $build (meson setup $build)" >&2; exit 2; }
export TZ=Asia/Ho_Chi_Minh CMOCKA_MESSAGE_OUTPUT=TAP
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'n\tfile\tresult\twhat\n' > "$out"
total=$(grep -v '^#' "$list" | grep -c .)
n=0
while [ "$n" -lt "$total" ]; do
    n=$((n + 1))
    case $only in "" | *" $n "*) ;; *) continue ;; esac
    # line n of the list (comments and blank lines skipped): file and what, for the report
    file=$(python3 "$here/mutant.py" "$list" "$n" file)
    what=$(python3 "$here/mutant.py" "$list" "$n" what)
    case $file in *"$filter"*) ;; *) continue ;; esac
    module=$(basename "$file" .c)
    target=tests/unit/test_$module
    cp -p "$file" "$tmp/orig"
    if ! python3 "$here/mutant.py" "$list" "$n" apply; then
        result=bad-pattern
    elif ! nice -n 10 ninja -C "$build" "$target" > "$tmp/build.log" 2>&1; then
        result=not-viable
    elif timeout 300 nice -n 10 "$build/$target" > "$tmp/test.log" 2>&1; then
        result=survived
    else
        result=killed
    fi
    cp "$tmp/orig" "$file"
    touch "$file" # newer than the mutant's object, so the next build compiles the original
    printf '%s\t%s\t%s\t%s\n' "$n" "$file" "$result" "$what" | tee -a "$out"
done
ninja -C "$build" > /dev/null 2>&1
echo
echo "file	mutants	killed	survived	not-viable	bad-pattern"
awk -F'\t' 'NR > 1 { t[$2]++; r[$2, $3]++ }
    END { for (f in t) printf "%s\t%d\t%d\t%d\t%d\t%d\n", f, t[f], r[f, "killed"],
          r[f, "survived"], r[f, "not-viable"], r[f, "bad-pattern"] }' "$out" | sort
