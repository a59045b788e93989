#!/bin/bash
# The screening desk in a real terminal: a doctor calls the next person, answers every question
# "no" with one key, enters normal vital signs, confirms, and the visit waits for injection; the
# next person has a fever (38.5 °C) and is postponed with a day to come back. Screen and database.
. "$(dirname "$0")/lib.sh"

demo_db 200
tui 80 24 --lang en
wait_for "PIN"
type_text bacsi; keys Tab; type_text 1234; keys Enter
expect_screen "the doctor's station list appears" "Choose your station"
n=$(screen | sed -n 's/^ *\([0-9]\+\)  Screening desk.*/\1/p' | head -1)
check "the station list offers the screening desk" [ -n "$n" ]
type_text "$n"
# the demo has two screening desks: the terminal says which it works at, by the desk's name
expect_screen "the desk asks which desk this terminal works at" "Which desk? (Screening desk)"
expect_screen "naming each desk" "2  Screening desk 2"
type_text 1
# the demo site leaves a person in screening at desk 1: the desk offers them first; F4 sends back
own=$(sql "SELECT printf('%03d', ticket) FROM visit WHERE state='screening' AND station='screening-1' AND day=date('now','localtime')")
if [ -n "$own" ]; then
  expect_screen "the desk offers its own unfinished person first" "Ticket $own is still at this desk"
  keys Enter
  expect_screen "Enter resumes them" "#$own "
  keys F4
fi
expect_screen "the screening desk opens, idle" "Press Enter to call the next person"
waiting=$(sql "SELECT count(*) FROM visit WHERE state='waiting_screening' AND day=date('now','localtime')")
check "some people wait for screening in the demo" [ "$waiting" -gt 0 ]
expect_screen "the idle desk says how many wait, from the database" "Waiting for screening: $waiting (next: ticket"

# --- all no, normal vitals: eligible, waiting for injection -------------------------------------
keys Enter
expect_screen "calling next shows the questions" "questions not answered yet"
ticket=$(screen | sed -n 's/^ *#\([0-9][0-9][0-9]\) .*/\1/p' | head -1)
check "the header shows the ticket" [ -n "$ticket" ]
nq=$(screen | sed -n 's/.* \([0-9]\+\) questions not answered yet.*/\1/p' | head -1)
no_answers=$(printf 'n%.0s' $(seq "$nq"))
expect_screen "the message names the desk by its name, not its code" "Ticket $ticket called to Screening desk 1."
expect_screen "both blood pressures keep their whole names at 80x24" "Systolic BP"
expect_screen "(diastolic too)" "Diastolic BP"
equal "the database has the visit in screening at this desk" "screening|screening-1" \
  "$(sql "SELECT state, station FROM visit WHERE ticket=$((10#$ticket)) AND day=date('now','localtime')")"
type_text a
# the usual systolic (treated hypertension) stays empty
type_text 36.6; keys Tab; type_text 80; keys Tab; type_text 120; keys Tab; type_text 80; keys Tab Tab
type_text 18
expect_screen "the proposal is shown with a symbol" "✓ Proposed: Eligible"
expect_screen "with the longer-observation hint absent (30 min)" "observe 30 min"
keys F5
expect_screen "confirming says the person waits for injection" "waiting for injection"
equal "the visit is waiting for injection" "waiting_injection" \
  "$(sql "SELECT state FROM visit WHERE ticket=$((10#$ticket)) AND day=date('now','localtime')")"
equal "the screening row holds answers, vitals, outcome and the doctor" \
  "$no_answers|temperature=36.6 pulse=80 systolic=120 diastolic=80 breathing=18|eligible|eligible|bacsi" \
  "$(sql "SELECT s.answers, s.vitals, s.proposed_outcome, s.final_outcome, st.login FROM screening s JOIN visit v ON v.id=s.visit_id JOIN staff st ON st.id=s.screened_by WHERE v.ticket=$((10#$ticket)) AND v.day=date('now','localtime')")"
equal "the event log has the whole path, eligible then waiting_injection" \
  "waiting_screening,screening,eligible,waiting_injection" \
  "$(sql "SELECT group_concat(to_state) FROM (SELECT e.to_state FROM visit_event e JOIN visit v ON v.id=e.visit_id WHERE v.ticket=$((10#$ticket)) AND v.day=date('now','localtime') ORDER BY e.id)")"
expect_screen "the desk is idle again" "Press Enter to call the next person"

# --- a typo in the vital signs is refused, a fever postpones --------------------------------------
keys Enter
expect_screen "the next person is called" "questions not answered yet"
ticket2=$(screen | sed -n 's/^ *#\([0-9][0-9][0-9]\) .*/\1/p' | head -1)
type_text a
type_text 60
expect_screen "60 °C is named as a typing error" "60.0 °C cannot be a real reading"
keys Tab
expect_screen "and Tab does not leave the temperature with it" "Temperature: 60 °C is not possible"
keys F5
expect_screen "confirming a typo is refused" "cannot be a real reading"
equal "and nothing was written" "screening|0" \
  "$(sql "SELECT v.state, (SELECT count(*) FROM screening s WHERE s.visit_id=v.id) FROM visit v WHERE v.ticket=$((10#$ticket2)) AND v.day=date('now','localtime')")"
keys BSpace BSpace
type_text 38.5
# QĐ 5785 (the form of today) proposes caution for a fever; the doctor postpones with F3
expect_screen "a fever changes the proposal to caution" "! Proposed: Caution"
back=$(TZ=Asia/Ho_Chi_Minh date -d "+7 days" +%Y-%m-%d)
keys F3
expect_screen "F3 asks for the outcome" "p postponed"
type_text p; keys Enter
expect_screen "a different outcome asks why" "Why does the outcome differ"
type_text "fever"; keys Enter
expect_screen "postponing asks for the day" "Come back on"
type_text "$(TZ=Asia/Ho_Chi_Minh date -d "+7 days" +%d/%m/%Y)"; keys Enter
expect_screen "the postponed person sees when to come back" "please come back on"
equal "the visit is postponed, with the return date in the screening" "postponed|postponed|$back" \
  "$(sql "SELECT v.state, s.final_outcome, s.return_date FROM visit v JOIN screening s ON s.visit_id=v.id WHERE v.ticket=$((10#$ticket2)) AND v.day=date('now','localtime')")"
keys Space
expect_screen "the message line repeats the date" "postponed: come back on"

# --- wide terminal: the same screen re-lays out ---------------------------------------------------
resize 200 50
keys Enter
expect_screen "at 200x50 the next person is called" "questions not answered yet"
keys F4
expect_screen "F4 sends the person back to the queue" "is back in the screening queue"
resize 80 24
keys F10
expect_screen "F10 quits" "[vaxsite exited]"

# --- in Vietnamese at 80x24: the two blood pressures keep names that tell them apart -------------
tui 80 24 --lang vi
wait_for "PIN"
type_text bacsi; keys Tab; type_text 1234; keys Enter
expect_screen "Vietnamese station list" "Chọn vị trí làm việc"
type_text "$n"
expect_screen "(vi) the desk asks which desk" "Bàn nào?"
keys Enter
# (the desk's name is the site's data: this demo was made in English)
expect_screen "(vi) Enter takes the first desk" "Screening desk 1 ·"
keys Enter
expect_screen "systolic by its whole name" "Huyết áp tối đa  "
expect_screen "diastolic by its whole name" "Huyết áp tối thiểu"
expect_screen "pulse per minute in Vietnamese" "lần/phút"
check "no range is cut in the middle of a number" bash -c '! grep -q "35.5–37[^.]\|35.5–37\.$\|35.5–37\. " <<<"$1"' _ "$(screen)"
type_text a
type_text 36.6; keys Tab; type_text 80; keys Tab; type_text 120; keys Tab; type_text 80
keys F3
expect_screen "the change-outcome prompt is not cut: its last choice is there" "x chống chỉ"
expect_screen "(whole, wrapped inside the box)" "x chống chỉ định"
expect_screen "with its key hint" "Esc: hủy"
keys Escape
keys F10
finish
