#!/bin/bash
# run.sh: whole-screen tests. Each tests/screens/*.keys script drives the real vaxsite (no terminal:
# the test mode of tui/screentest.c) at each of its sizes and languages; every screen it writes is
# compared exactly with golden/SCRIPT.SCREEN.SIZE.LANG.txt (the text) and .roles (a colour role
# per cell), its size is checked, and no word on it may be cut. TAP on stdout.
#
#   VAXSITE=build/tui/vaxsite tests/screens/run.sh [--update] [SCRIPT...]
#   --update   writes the screens as the new golden files (review them with git diff)
#
# Script header lines (the program ignores every '#' line):
#   ## args: board           what follows `vaxsite --db DB --lang LANG` (default: the stations)
#   ## sizes: 80x24 120x40   (the default)       ## langs: vi en   (the default)
#   ## clock: 2021-10-15T09:00 (the default)     ## people: 300    (demo size; 0: empty database)
#   ## desk: ask      the sign-in asks which desk (VAXSITE_DESK unset; by default it is desk 1)
#   ## setup: ARGS    a command line run on the site before the script (any number of lines)
# A step line may start with [vi], [en] or [COLSxROWS]: it is kept only in that variant.
set -u
: "${VAXSITE:?VAXSITE must name the vaxsite binary}"
HERE=$(cd "$(dirname "$0")" && pwd)
GOLDEN="$HERE/golden"
PYTHON=${PYTHON:-python3}
export TZ=Asia/Ho_Chi_Minh LANG=C.UTF-8 LC_ALL=C.UTF-8
unset LANGUAGE NO_COLOR VAXSITE_CLOCK
# the demo has two screening desks and two injection rooms: these screens are desk 1's (the
# question of which desk is a screen of the sign-in script)
export VAXSITE_DESK=1
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

update=0
scripts=()
for a in "$@"; do
  case "$a" in
  --update) update=1 ;;
  *) scripts+=("$HERE/${a%.keys}.keys") ;;
  esac
done
[ ${#scripts[@]} -gt 0 ] || scripts=("$HERE"/*.keys)

WORK=$(mktemp -d /tmp/vaxsite-screens.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
N=0
FAILED=0
ok() { N=$((N + 1)); echo "ok $N - $1"; }
not_ok() {
  N=$((N + 1))
  FAILED=$((FAILED + 1))
  echo "not ok $N - $1"
  shift
  for line in "$@"; do printf '%s\n' "$line" | sed 's/^/# /'; done
}

header() { sed -n "s/^## $2: *//p" "$1" | head -1; }

# Every run opens its database at the same path, $WORK/run/site.db: a file opened at another path
# than the one it was made at is taken for a copy and gets a new (random) device id, which the
# sign-in screen says, and a golden file cannot hold a random id.
RUN="$WORK/run"

# demo PEOPLE CLOCK LANG: a demo site made once per (size, clock, language), at the run's path,
# kept aside and copied back there for each run. Made in the screens' language: its desks' names
# are the site's data, and a Vietnamese site names them in Vietnamese ("Bàn khám 1").
demo() {
  local dir="$WORK/demo-$1-${2//:/}-$3"
  if [ ! -d "$dir" ]; then
    rm -rf "$RUN"
    mkdir -p "$RUN"
    echo "$2" >"$RUN/clock"
    if [ "$1" -gt 0 ]; then
      VAXSITE_CLOCK_FILE="$RUN/clock" "$VAXSITE" --db "$RUN/site.db" --lang "$3" demo --people "$1" >/dev/null ||
        echo "# demo database failed" >&2
    fi
    mv "$RUN" "$dir"
  fi
  echo "$dir"
}

# variant SCRIPT SIZE LANG: the steps of one variant; a `screen` line also says the size the
# terminal has at that moment (after any resize step) for the size check.
variant() {
  awk -v size="$2" -v lang="$3" '
    /^[ \t]*#/ { next }
    {
      if (match($0, /^[ \t]*\[[^]]*\] */)) {
        tag = $0; sub(/^[ \t]*\[/, "", tag); sub(/\].*/, "", tag)
        if (tag != size && tag != lang) next
        sub(/^[ \t]*\[[^]]*\] */, "")
      }
      if ($1 == "resize") size = $2 "x" $3
      if ($1 == "screen") print "# size " $2 " " size
      print
    }' "$1"
}

# geometry SCREEN COLS ROWS ARGS: what is wrong with the screen's size (nothing if it is right):
# as many rows as the terminal, none wider (wc -L counts display columns), a role for every cell;
# a station's first row is all title bar (a demo site's mark in the urgent colour inside it) and
# its last row holds the key bar, so its layout fits.
geometry() {
  local t=$1.txt r=$1.roles
  [ "$(wc -l <"$t")" = "$3" ] || echo "$(wc -l <"$t") text rows, the terminal has $3"
  [ "$(wc -L <"$t")" -le "$2" ] || echo "a text row is $(wc -L <"$t") columns wide, the terminal has $2"
  awk -v cols="$2" -v rows="$3" -v station="$([ -z "$4" ] && echo 1)" '
    length($0) != cols { print "role row " NR " has " length($0) " cells, not " cols }
    NR == 1 && station && $0 !~ /^T+u*T+$/ { print "the first row is not all title bar: " $0 }
    { last = $0 }
    END {
      if (NR != rows) print NR " role rows, the terminal has " rows
      if (station && last !~ /K/) print "the last row has no key of the key bar: " last
    }' "$r"
}

produced=()
for script in "${scripts[@]}"; do
  name=$(basename "$script" .keys)
  args=$(header "$script" args)
  sizes=$(header "$script" sizes)
  langs=$(header "$script" langs)
  clock=$(header "$script" clock)
  people=$(header "$script" people)
  for size in ${sizes:-80x24 120x40}; do
    for lang in ${langs:-vi en}; do
      base=$(demo "${people:-300}" "${clock:-2021-10-15T09:00}" "$lang")
      tag="$name.$size.$lang"
      run="$RUN"
      rm -rf "$run"
      mkdir -p "$run/out"
      cp -r "$base"/. "$run"/
      variant "$script" "$size" "$lang" >"$run/steps"
      while read -r setup; do
        # shellcheck disable=SC2086 # a setup line is words
        VAXSITE_CLOCK_FILE="$run/clock" "$VAXSITE" --db "$run/site.db" --lang "$lang" $setup \
          >/dev/null 2>>"$run/stderr" || echo "# setup failed: $setup" >&2
      done < <(sed -n 's/^## setup: *//p' "$script")
      desk=1
      [ "$(header "$script" desk)" = ask ] && desk=
      # shellcheck disable=SC2086 # args are words
      if ! VAXSITE_DESK="$desk" VAXSITE_CLOCK_FILE="$run/clock" VAXSITE_SCREEN_SCRIPT="$run/steps" \
        VAXSITE_SCREEN_OUT="$run/out" VAXSITE_SCREEN_SIZE="$size" \
        "$VAXSITE" --db "$run/site.db" --lang "$lang" $args </dev/null 2>"$run/stderr"; then
        not_ok "$tag: the script runs to its end (status 0)" "$(cat "$run/stderr")"
        continue
      fi
      ok "$tag: the script runs to its end (status 0)"
      while read -r _ _ screen at; do
        out="$run/out/$screen"
        file="$name.$screen.$size.$lang"
        if [ ! -f "$out.txt" ] || [ ! -f "$out.roles" ]; then
          not_ok "$file: written" "no $out.txt or .roles"
          continue
        fi
        cp "$out.txt" "$WORK/$file.txt"
        cp "$out.roles" "$WORK/$file.roles"
        produced+=("$file")
        # the screen has the terminal's size: as many rows, no row wider, a role for every cell
        problem=$(geometry "$out" "${at%x*}" "${at#*x}" "$args")
        if [ -z "$problem" ]; then ok "$file: fills the ${at} screen exactly"; else not_ok "$file: fills the ${at} screen exactly" "$problem"; fi
        if [ $update = 1 ]; then
          cp "$out.txt" "$out.roles" "$GOLDEN/"
          mv "$GOLDEN/$screen.txt" "$GOLDEN/$file.txt"
          mv "$GOLDEN/$screen.roles" "$GOLDEN/$file.roles"
          ok "$file: golden file written"
        elif [ ! -f "$GOLDEN/$file.txt" ]; then
          not_ok "$file: matches its golden file" "no golden/$file.txt: run.sh --update, then review"
        else
          d=$(diff -u --label "golden/$file.txt" --label "screen" "$GOLDEN/$file.txt" "$out.txt"
            diff -u --label "golden/$file.roles" --label "screen" "$GOLDEN/$file.roles" "$out.roles")
          if [ -z "$d" ]; then ok "$file: matches its golden file"; else not_ok "$file: matches its golden file" "$d"; fi
        fi
      done < <(grep '^# size ' "$run/steps")
    done
  done
done

# golden files no script writes any more are stale (only when every script ran)
if [ $# -eq 0 ] || { [ $# -eq 1 ] && [ $update = 1 ]; }; then
  for g in "$GOLDEN"/*.txt; do
    [ -e "$g" ] || continue
    f=$(basename "$g" .txt)
    if [ ! -f "$WORK/$f.txt" ]; then
      if [ $update = 1 ]; then rm -f "$GOLDEN/$f.txt" "$GOLDEN/$f.roles"; else not_ok "golden/$f.txt is written by a script" "no script writes it: remove it or run.sh --update"; fi
    fi
  done
fi

# no word on any screen is cut
if [ ${#produced[@]} -gt 0 ]; then
  cut=$(cd "$WORK" && "$PYTHON" "$HERE/cutwords.py" "$HERE/../.." "${produced[@]/%/.txt}")
  if [ -z "$cut" ]; then ok "no word is cut on ${#produced[@]} screens"; else not_ok "no word is cut on any screen" "$cut"; fi
fi

echo "1..$N"
exit 0
