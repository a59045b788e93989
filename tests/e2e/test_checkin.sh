#!/bin/bash
# The check-in desk in a real terminal: sign in, register a person typed with diacritics, find
# them again without diacritics, check them in, see the ticket; the database holds what the screen
# said. Also: a resize in the middle of the form, and bad input that changes nothing.
. "$(dirname "$0")/lib.sh"

demo_db 200
tui 80 24 --lang en
expect_screen "the sign-in screen appears" "Demo site: every PIN is 1234."

# a wrong PIN is refused and says so
type_text dieuduong; keys Tab; type_text 9999; keys Enter
expect_screen "a wrong PIN is refused" "Unknown login or wrong PIN."
equal "the failed sign-in is in the audit trail" "1" \
  "$(sql "SELECT count(*) FROM audit a JOIN staff s ON s.id=a.staff_id WHERE s.login='dieuduong' AND a.action='sign-in.failed'")"
keys Tab; type_text 1234; keys Enter
expect_screen "the right PIN opens the station list" "Choose your station"
keys Enter
expect_screen "the check-in desk opens" "Search:"
expect_screen "the title bar names the staff member" "Lê Thị Lan"

# --- register a new person, typed with diacritics --------------------------------------------
keys F2
expect_screen "F2 opens the registration form" "Register a new person"
type_text "Đặng Thị Ánh Tuyết"; keys Tab
type_text "0011"
# resize in the middle of typing: the form re-lays out and keeps what was typed
resize 120 40
expect_screen "after growing to 120x40 the form is still there" "Register a new person"
resize 80 24
settle
type_text "95004321"; keys Tab
type_text "30/02/1995"; keys Tab
expect_screen "an impossible date is named under its field when the field is left" \
  "Birth date: 30/02/1995 does not exist."
keys BTab
for i in 1 2 3 4 5 6 7 8 9 10; do keys BSpace; done
type_text "28/02/1995"; keys Tab
type_text "f"; keys Tab
type_text "0912 345 678"
before=$(sql "SELECT count(*) FROM person")
keys F5
expect_screen "saving says the person is registered" "Registered Đặng Thị Ánh Tuyết."
equal "the database holds exactly one new person" "$((before + 1))" "$(sql "SELECT count(*) FROM person")"
equal "with the name in NFC, the ID, the ISO birth date, sex and phone as typed" \
  "Đặng Thị Ánh Tuyết|001195004321|1995-02-28|f|0912345678" \
  "$(sql "SELECT full_name, national_id, birth_date, sex, phone FROM person WHERE national_id='001195004321'")"
equal "and the nurse who registered her" "dieuduong" \
  "$(sql "SELECT s.login FROM person p JOIN staff s ON s.id=p.updated_by WHERE p.national_id='001195004321'")"

# --- find her again without diacritics, check her in -------------------------------------------
keys Escape
type_text "dang thi anh"
expect_screen "typing without marks finds her" "Đặng Thị Ánh Tuyết"
expect_screen "the details pane says she is not checked in" "Today: not checked in"
keys Enter
expect_screen "checking in shows the ticket dialog" "Checked in"
shot=$(screen)
ticket=$(printf '%s\n' "$shot" | sed -n 's/.*Ticket \([0-9][0-9][0-9]\).*/\1/p' | head -1)
check "the dialog shows a three-digit ticket number" [ -n "$ticket" ]
check "the ticket is drawn in big digits" grep -q "█████" <<<"$shot"
equal "the database holds that ticket, waiting for screening, for her" \
  "$((10#$ticket))|waiting_screening" \
  "$(sql "SELECT v.ticket, v.state FROM visit v JOIN person p ON p.id=v.person_id WHERE p.national_id='001195004321'")"
equal "one visit_event records the check-in, by the signed-in nurse" "1|dieuduong" \
  "$(sql "SELECT count(*), max(s.login) FROM visit_event e JOIN visit v ON v.id=e.visit_id JOIN person p ON p.id=v.person_id JOIN staff s ON s.id=e.staff_id WHERE p.national_id='001195004321'")"
keys Space
expect_no_screen "any key closes the ticket dialog" "Press any key"

# --- a second check-in is refused, urgent and undo are recorded ----------------------------------
type_text "001195004321"
expect_screen "searching by ID shows today's ticket" "Today: ticket $ticket"
keys Enter
expect_screen "a second check-in the same day is refused naming the ticket" \
  "Already checked in today: ticket $ticket"
keys F3
expect_screen "F3 asks why the person goes first" "Why does this person go first?"
type_text "wheelchair"; keys Enter
expect_screen "the visit is marked urgent" "Ticket $ticket is marked urgent."
equal "urgent is stored" "1" "$(sql "SELECT urgent FROM visit WHERE ticket=$((10#$ticket))")"
keys F4
expect_screen "F4 asks why the check-in is undone" "Why is this check-in a mistake?"
type_text "wrong person"; keys Enter
expect_screen "the undo is confirmed" "undone (kept in the record)"
equal "the visit is kept, cancelled, with the reason in its event" "cancelled|wrong person" \
  "$(sql "SELECT v.state, e.details FROM visit v JOIN visit_event e ON e.visit_id=v.id WHERE v.ticket=$((10#$ticket)) ORDER BY e.id DESC LIMIT 1")"

# --- a duplicate ID in the form is refused and names who has it ---------------------------------
keys Escape F2
type_text "Ai Đó"; keys Tab; type_text "001195004321"; keys Tab; type_text "28/02/1995"; keys Tab; type_text f
before=$(sql "SELECT count(*) FROM person")
keys F5
expect_screen "a duplicate ID names the person who has it" "already registered to Đặng Thị Ánh Tuyết"
equal "and nothing was written" "$before" "$(sql "SELECT count(*) FROM person")"
keys Escape
expect_screen "Esc in the changed form asks before discarding" "Discard what was typed?"
keys d
expect_screen "D discards it" "Search:"
keys F10
expect_screen "F10 quits" "[vaxsite exited]"

finish
