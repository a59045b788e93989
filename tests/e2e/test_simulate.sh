#!/bin/bash
# vaxsite simulate and plan advise from the command line: the figures a manager reads (waits per
# stage and in all, the crowd, the vials), the scratch copy's durability said, a PNG written, the
# site's file left as it was, the same seed giving the same day, and plan advise judging each plan
# by the worst of several days.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# the PNG's text goes through cairo to fontconfig, whose own leak at exit would end the run with
# 134 under ASan (./test sets detect_leaks=1) after the work is done
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$ROOT/tests/e2e/tools/lsan-fontconfig.supp"

V() { $VAXSITE --db "$DB" --lang en "$@"; }
demo_db 50
before=$(sha256sum "$DB" | cut -d' ' -f1)
SMALL=(2021-10-16 --people 60 --capacity 10 --opens 08:00 --closes 11:00 --checkin 1
  --screening 2 --rooms 1 --product AZ --crowd-limit 20)

out=$(V simulate "${SMALL[@]}" --policy both --png "$WORK/day.png" 2>"$WORK/err"); rc=$?
equal "simulate exits 0" "0" "$rc"
check "both policies are reported" grep -q "Vial-aware calling" <<<"$out"
check "the waits in all are a row of the table" grep -qE '^  in all +[0-9]+ ' <<<"$out"
check "the scratch copy's commits are named: synchronous=NORMAL, the site's file not written" \
  grep -q "Commits on the scratch copy: synchronous=NORMAL (the site's file, not written: " <<<"$out"
check "the vials and doses wasted are reported" grep -qE '^AZ: [0-9]+ vials opened' <<<"$out"
equal "the PNG is a PNG" "PNG" "$(head -c 4 "$WORK/day.png" | tail -c 3)"
equal "the site's file is unchanged" "$before" "$(sha256sum "$DB" | cut -d' ' -f1)"
equal "the site's file has no visit of the simulated day" "0" \
  "$(sql "SELECT count(*) FROM visit WHERE day='2021-10-16'")"

again=$(V simulate "${SMALL[@]}" --policy both 2>"$WORK/err")
equal "the same seed gives the same day, to the last figure" \
  "$(grep -v '^Chart written' <<<"$out")" "$again"
other=$(V simulate "${SMALL[@]}" --policy both --seed 2 2>"$WORK/err")
check "another seed, another day" [ "$other" != "$again" ]

out=$(V plan advise "${SMALL[@]}" --checkin-range 1-2 --screening-range 1-2 --rooms-range 1-1 \
  --days 2 2>"$WORK/err"); rc=$?
equal "plan advise exits 0" "0" "$rc"
check "each plan is judged over 2 days" \
  grep -q "Each plan over 2 days (seeds 1 to 2), judged by its worst day" <<<"$out"
equal "four plans are tried (check-in 1-2 x screening 1-2)" "4" \
  "$(grep -cE '^ +10 +[12] +[12] +1 ' <<<"$out")"
check "an advice or the word that none keeps the limits ends it" \
  grep -qE '^(Advice: 10 per slot, [12] check-in desks, [12] screening desks, 1 injection rooms\.|No plan tried keeps both limits)' <<<"$out"
# a plan's row is its worst day: no row may be better than the same plan's day of seed 2 alone
row=$(grep -E '^ +10 +1 +2 +1 ' <<<"$out" | awk '{print $8}')
alone=$(V plan advise "${SMALL[@]}" --checkin-range 1-1 --screening-range 2-2 --rooms-range 1-1 \
  --seed 2 2>"$WORK/err" | grep -E '^ +10 +1 +2 +1 ' | awk '{print $8}')
check "the two-day row's p90 in all ($row) is at least seed 2's alone ($alone)" \
  awk -v a="$row" -v b="$alone" 'BEGIN { exit !(a + 0 >= b + 0) }'
out=$(V plan advise "${SMALL[@]}" --days 0 2>&1); rc=$?
equal "--days 0 is refused" "2" "$rc"
finish
