#!/bin/bash
# The screening desk keeps every keystroke where the doctor meant it and never strands a person:
# a whole form typed in one burst arrives digit by digit in the right fields; a reading that cannot
# belong to a field is refused there, naming the field; the answer keys follow the UI language;
# Esc, F10 and Ctrl-C ask before throwing answers or a called person away (the default keeps
# them); a desk that opens again resumes its own called person; and the form is the one for the
# visit's day and the person's age (a 15-year-old in November 2021 gets the children's form).
. "$(dirname "$0")/lib.sh"

demo_db 60
today="date('now','localtime')"

# open_desk LANG: signs the doctor in at 80x24 and opens the screening desk.
open_desk() {
  tui 80 24 --lang "$1"
  wait_for "PIN"
  type_text bacsi; keys Tab; type_text 1234; keys Enter
  wait_for "1  "
  type_text "$desk"
  # the demo has two screening desks: this terminal works at the first
  wait_for_either "Which desk?" "Bàn nào?" && type_text 1
}

ticket_on_screen() { screen | sed -n 's/^ *#\([0-9][0-9][0-9]\) .*/\1/p' | head -1; }
# The number of questions, from "N questions not answered yet" (en) or "Còn N câu" (vi).
questions_on_screen() {
  screen | sed -n 's/.* \([0-9]\+\) questions not answered yet.*/\1/p; s/.*Còn \([0-9]\+\) câu.*/\1/p' | head -1
}
visit_sql() { sql "SELECT $2 FROM visit v WHERE v.ticket=$((10#$1)) AND v.day=$today"; }

tui 80 24 --lang en
wait_for "PIN"
type_text bacsi; keys Tab; type_text 1234; keys Enter
wait_for "Choose your station"
desk=$(screen | sed -n 's/^ *\([0-9]\+\)  Screening desk.*/\1/p' | head -1)
check "the station list offers the screening desk" [ -n "$desk" ]
type_text "$desk"
# the demo has two screening desks: the terminal says which it works at, by the desk's name
expect_screen "the desk asks which desk this terminal works at" "Which desk? (Screening desk)"
type_text 1
expect_screen "the title names the desk chosen" " Screening desk 1 ·"
# The demo site leaves a person in screening at desk 1: the desk offers them before anyone new.
own=$(sql "SELECT printf('%03d', ticket) FROM visit WHERE state='screening' AND station='screening-1' AND day=$today")
if [ -n "$own" ]; then
  expect_screen "the desk offers the demo's unfinished person first" "Ticket $own is still at this desk"
  # they are in screening at this desk, resumed or not: leaving asks first
  keys F10
  expect_screen "F10 with the unfinished person offered asks, naming them" "Ticket $own is at this desk, not finished."
  keys Escape
  expect_screen "Esc keeps the offer" "Ticket $own is still at this desk"
  keys Enter
  expect_screen "Enter resumes them" "#$own "
  keys F4
fi
expect_screen "the screening desk is idle" "Press Enter to call the next person"

# --- A: a whole form typed in one burst: after the last answer the digits go to the vitals ------
keys Enter
expect_screen "a person is called" "questions not answered yet"
t1=$(ticket_on_screen)
nq=$(questions_on_screen)
check "the number of questions is on screen" [ -n "$nq" ]
answers=$(printf 'n%.0s' $(seq "$nq"))
# temperature, pulse, systolic, diastolic, usual systolic (left empty), breathing
type_text "${answers}36.6	76	120	80		18"
expect_screen "the burst ends in a proposal" "Proposed: Eligible"
keys F5
expect_screen "confirmed" "waiting for injection"
equal "every digit arrived, each in its own field" \
  "$answers|temperature=36.6 pulse=76 systolic=120 diastolic=80 breathing=18" \
  "$(sql "SELECT s.answers, s.vitals FROM screening s JOIN visit v ON v.id=s.visit_id WHERE v.ticket=$((10#$t1)) AND v.day=$today")"

# --- A: a pulse typed where the temperature goes is refused as a temperature, named -------------
keys Enter
expect_screen "the next person is called" "questions not answered yet"
t2=$(ticket_on_screen)
type_text a
type_text "76	"
expect_screen "76 is refused as a temperature, the field named" "Temperature: 76 °C is not possible"
type_text "999"
keys BSpace BSpace BSpace BSpace BSpace
type_text "36.6	76	120	80		18"
expect_screen "corrected, the proposal follows" "Proposed: Eligible"
keys F5
expect_screen "confirmed again" "waiting for injection"
equal "the focus stayed on the temperature: 76 ended as the pulse" \
  "temperature=36.6 pulse=76 systolic=120 diastolic=80 breathing=18" \
  "$(sql "SELECT s.vitals FROM screening s JOIN visit v ON v.id=s.visit_id WHERE v.ticket=$((10#$t2)) AND v.day=$today")"

# --- A: English answer keys are shown in English ------------------------------------------------
keys Enter
expect_screen "a third person is called" "questions not answered yet"
t3=$(ticket_on_screen)
type_text y
expect_screen "y is shown as Y" " 1 [Y] "
type_text n
expect_screen "n is shown as N" " 2 [N] "

# --- A: Esc with changed answers asks, and the default keeps them -------------------------------
keys Escape
expect_screen "Esc with answers typed asks before discarding" "Discard the answers"
keys Enter
expect_no_screen "Enter kept them: the dialog is gone" "Discard the answers"
expect_screen "and the answers are still there" " 2 [N] "

# --- A: F10 and Ctrl-C with a called person ask; Esc stays --------------------------------------
keys F10
expect_screen "F10 with a person called asks, naming the ticket" "Ticket $t3 is at this desk"
keys Escape
expect_screen "Esc keeps the desk and the answers" " 2 [N] "
keys C-c
expect_screen "Ctrl-C asks too" "Ticket $t3 is at this desk"
keys Escape
expect_screen "Esc keeps the desk again" " 1 [Y] "

# --- B: the terminal goes away; the person stays with this desk and is offered first -----------
$TM kill-session -t main
# the program records the hang-up before it ends: wait for it to be gone
i=0; while pgrep -f -- "--db $DB" >/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
equal "after the hang-up the person is still in screening at this desk" "screening|screening-1" \
  "$(visit_sql "$t3" "state, station")"
before=$(sql "SELECT count(*) FROM visit_event")
open_desk en
expect_screen "the desk offers its own unfinished person first" "Ticket $t3 is still at this desk"
keys Enter
expect_screen "Enter resumes that person" "#$t3 "
equal "nobody new was called" "1" \
  "$(sql "SELECT count(*) FROM visit WHERE state='screening' AND day=$today")"
equal "resuming wrote no queue event" "$before" "$(sql "SELECT count(*) FROM visit_event")"
keys F10
expect_screen "F10 asks" "Ticket $t3 is at this desk"
keys Enter
expect_no_screen "Enter on the question does not quit (the safe answer needs no thought)" \
  "[vaxsite exited]"
keys F10
expect_no_screen "nor does F10 pressed again (it closes the question)" "[vaxsite exited]"
keys F10
expect_screen "F10 asks once more" "Ticket $t3 is at this desk"
type_text q
expect_screen "only the letter it names (Q: Quit) quits" "[vaxsite exited]"

# --- A and B in Vietnamese: the answer keys are c/k, shown as C/K; the desk resumes in words ----
open_desk vi
expect_screen "the Vietnamese desk offers its unfinished person" "Số thứ tự $t3 vẫn đang ở bàn này"
keys Enter
expect_screen "Enter resumes" "#$t3 "
type_text c
expect_screen "c (có) is shown as C" " 1 [C] "
type_text k
expect_screen "k (không) is shown as K" " 2 [K] "
expect_screen "the question hint is in Vietnamese keys" "c có · k không"
keys Escape
expect_screen "Esc asks in Vietnamese" "Bỏ các câu trả lời"
keys Enter
expect_screen "Enter keeps them" " 2 [K] "
type_text a
type_text "76	"
expect_screen "76 is refused as a temperature, in Vietnamese" "Nhiệt độ: 76 °C không thể đúng"
keys F10
expect_screen "F10 asks in Vietnamese" "Số thứ tự $t3 đang ở bàn này"
keys Escape
keys F4
expect_screen "F4 sends the person back" "$t3"
keys F10
expect_screen "with nobody called F10 quits at once" "[vaxsite exited]"

# --- C: a 15-year-old in November 2021 is screened with the children's form --------------------
export VAXSITE_CLOCK=2021-11-15T08:00
$VAXSITE --db "$DB" --lang en person add --name "Lò Thị Mai" --id 001306001111 --dob 01/03/2006 >/dev/null
$VAXSITE --db "$DB" --lang en queue checkin 001306001111 >/dev/null
check "the child waits for screening on 15/11/2021" \
  [ "$(sql "SELECT count(*) FROM visit WHERE day='2021-11-15' AND state='waiting_screening'")" = 1 ]
open_desk en
expect_screen "the desk opens on 15/11/2021" "Press Enter to call the next person"
keys Enter
expect_screen "the child is called" "Lò Thị Mai"
expect_screen "the header names the children's checklist" "vaccination of children (Decision 5002/QĐ-BYT)"
expect_screen "and its source" "5002/QĐ-BYT ngày 29/10/2021"
type_text a
# the children's checklist asks only the temperature and the pulse
type_text "36.6	76"
expect_screen "the child's proposal" "Proposed:"
keys F5
expect_screen "confirmed" "Ticket"
child_form="SELECT c.code FROM screening s JOIN visit v ON v.id=s.visit_id JOIN person p ON p.id=v.person_id JOIN checklist c ON c.id=s.checklist_id WHERE p.national_id='001306001111'"
wait_sql "$child_form" "BYT-5002"
equal "the screening was recorded with the children's form" "BYT-5002" "$(sql "$child_form")"
$VAXSITE --db "$DB" --lang en person add --name "Lò Văn Páo" --id 001080002222 --dob 01/01/1980 >/dev/null
$VAXSITE --db "$DB" --lang en queue checkin 001080002222 >/dev/null
keys Enter
expect_screen "the adult is called" "Lò Văn Páo"
expect_screen "the adult's header names the adult form of that day" "4355"
expect_no_screen "and not the children's" "vaccination of children"
unset VAXSITE_CLOCK
finish
