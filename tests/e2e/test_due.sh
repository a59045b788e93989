#!/bin/bash
# The Due list in a real terminal: who is due for the next dose, most urgent first; a tick stays
# on its person while another station's writes reorder the list; F8 books exactly the ticked
# people. Screen and database.
. "$(dirname "$0")/lib.sh"

echo 2021-10-15T10:05 >"$WORK/clock"
export VAXSITE_CLOCK_FILE="$WORK/clock"
VAXSITE="env VAXSITE_CLOCK_FILE=$WORK/clock $VAXSITE"
demo_db 300
tui 100 30 --lang en
sign_in quanly "Due list"
expect_screen "the Due list opens" "due and overdue"

# --- most urgent first -------------------------------------------------------------------------
most=$($VAXSITE --db "$DB" --lang en due --csv | awk -F, 'NR>1 && $9=="overdue" {print $10}' | sort -n | tail -1)
check "the demo has overdue people" [ -n "$most" ]
first=$(screen | sed -n '4p')
check "the first row is the most overdue person ($most days)" grep -q "overdue $most d" <<<"$first"
check "rows name the dose in words" grep -q " dose 2 " <<<"$first"
days=$(screen | sed -n 's/.*overdue \([0-9]*\) d.*/\1/p' | tr '\n' ' ')
check "overdue days never grow down the list ($days)" bash -c 'p=999999; for d in $1; do [ "$d" -le "$p" ] || exit 1; p=$d; done' _ "$days"

# --- a tick follows its person when the list moves -----------------------------------------------
keys Down
keys Space
wait_for "[x]" # the tick is drawn when the key is handled, not at once under load
ticked=$(screen | sed -n 's/^ *\[x\] \(.*[^ ]\) \{2,\}[A-Z][A-Z] .*/\1/p' | head -1)
check "the second row's person is ticked" [ -n "$ticked" ]
third=$(screen | sed -n '6p' | sed -n 's/^ *\[ \] \(.*[^ ]\) \{2,\}[A-Z][A-Z] .*/\1/p')
check "a third person is listed" [ -n "$third" ]
# another station's write: the third person's last dose turns out to be 300 days older
sql "UPDATE dose SET given_at = given_at - 300*86400 WHERE person_id = (SELECT id FROM person WHERE full_name = '$third') AND voided = 0" >/dev/null
for _ in $(seq 50); do
  first=$(screen | sed -n '4p')
  grep -qF "$third" <<<"$first" && break
  sleep 0.1
done
check "the list is read again (another station wrote): the third person is now first" grep -qF "$third" <<<"$first"
check "and not ticked" grep -q "^ *\[ \]" <<<"$first"
check "the tick is still on its person" grep -qF "[x] $ticked" <<<"$(screen)"
equal "one ticked" "1" "$(screen | grep -c '\[x\]')"

# --- F8 books exactly the ticked person ----------------------------------------------------------
before=$(sql "SELECT count(*) FROM appointment")
keys F8
expect_screen "F8 books" "Booked 1"
equal "one appointment more" "$((before + 1))" "$(sql "SELECT count(*) FROM appointment")"
equal "for the ticked person, dose 2" "$ticked|2" \
  "$(sql "SELECT p.full_name, a.dose_number FROM appointment a JOIN person p ON p.id=a.person_id ORDER BY a.id DESC LIMIT 1")"
expect_screen "the row says booked" "booked "
keys F10
finish
