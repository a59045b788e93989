#!/bin/bash
# Nobody is stranded, check-in knows today, forms never lose input silently: a called person
# makes F10 ask; the injection room offers its own unfinished person first; the queue overview
# lists visits left at a station and returns one to the waiting list (audited); check-in shows a
# visit of today in any state and refuses a second ticket to someone vaccinated today; the key
# that closes the ticket starts the next search; Esc in a changed form asks before discarding.
. "$(dirname "$0")/lib.sh"

demo_db 200

# Closes the terminal and waits until the vaxsite in it has ended (it ends on the hang-up), so
# that the next sqlite3 read never meets its last write.
close_tui() {
  $TM kill-session -t main
  local i=0
  while pgrep -f -- "--db $DB" >/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
}
sql() { sqlite3 -batch -noheader -cmd ".timeout 5000" "$DB" "$1"; }

# --- injection room: F10 asks while a person is called (en) -------------------------------------
tui 80 24 --lang en
sign_in dieuduong "Injection room"
expect_screen "the injection room opens" "Open vials at Injection room"
keys Enter
expect_screen "Enter calls the next person" "this is dose"
ticket=$(screen | sed -n 's/.*Ticket \([0-9][0-9][0-9]\) ·.*/\1/p' | head -1)
check "the called ticket is on screen" [ -n "$ticket" ]
keys F10
expect_screen "F10 with a person called asks first" "Quit anyway?"
keys Escape
expect_screen "Esc keeps the station open" "Open vials at Injection room"
expect_no_screen "and the program did not end" "[vaxsite exited]"

# --- the terminal goes away; opening again offers the unfinished person --------------------------
close_tui
# the room is the desk chosen at sign-in (the first of the demo's two): its code, injection-1
equal "the called person stays in injection at this room" "injection|injection-1" \
  "$(sql "SELECT state, station FROM visit WHERE ticket=$((10#$ticket))")"
# the other room does not offer them: they wait at the door of room 1 (the demo left room 2 a
# person of its own, whom it does offer)
other=$(sql "SELECT printf('%03d', ticket) FROM visit WHERE state='injection' AND station='injection-2'")
check "the demo left room 2 its own unfinished person" [ -n "$other" ]
tui 80 24 --lang en
sign_in dieuduong "Injection room" 2
expect_screen "the other room opens" "Open vials at Injection room 2"
expect_screen "it offers its own unfinished person" "Ticket $other · "
expect_no_screen "and not room 1's" "Ticket $ticket · "
close_tui
tui 80 24 --lang en
sign_in dieuduong "Injection room" 1
expect_screen "the room offers its unfinished person first" "was left here unfinished"
expect_screen "naming the ticket" "Ticket $ticket"
keys Enter
expect_screen "Enter takes them up again" "this is dose"
close_tui

# --- the same offer in Vietnamese ---------------------------------------------------------------
tui 80 24 --lang vi
sign_in dieuduong "Phòng tiêm"
expect_screen "(vi) the room offers its unfinished person" "còn dở tại phòng này"
close_tui

# --- queue overview: a visit left at a station is listed and returned ----------------------------
sql "UPDATE visit SET state_since = state_since - 3600 WHERE state='screening' AND station='screening-1'"
stale=$(sql "SELECT ticket FROM visit WHERE state='screening' AND station='screening-1'")
tui 80 24 --lang en
sign_in quanly "Queue overview"
expect_screen "the overview names visits no desk works on" "no desk working on them"
expect_screen "the stranded ticket is listed first" "$(printf '%03d' "$stale")"
keys F4
expect_screen "R asks before returning" "Return ticket $(printf '%03d' "$stale") to the waiting list?"
keys Enter
expect_screen "the return is confirmed" "is waiting again"
equal "the visit waits for screening again" "waiting_screening" \
  "$(sql "SELECT state FROM visit WHERE ticket=$stale")"
equal "one event records the return, by the manager" "screening|waiting_screening|quanly" \
  "$(sql "SELECT e.from_state, e.to_state, s.login FROM visit_event e JOIN visit v ON v.id=e.visit_id JOIN staff s ON s.id=e.staff_id WHERE v.ticket=$stale ORDER BY e.id DESC LIMIT 1")"
close_tui

# --- check-in knows today ---------------------------------------------------------------------
done_id=$(sql "SELECT p.national_id FROM visit v JOIN person p ON p.id=v.person_id WHERE v.state='done' LIMIT 1")
tui 80 24 --lang en
sign_in dieuduong "Check-in desk"
expect_screen "the check-in desk opens" "Search:"
type_text "$done_id"
expect_screen "a person vaccinated today shows it, with the time" "vaccinated, done at"
before=$(sql "SELECT count(*) FROM visit")
keys Enter
expect_screen "a second ticket needs a manager" "Vaccinated today"
equal "and no ticket was given" "$before" "$(sql "SELECT count(*) FROM visit")"
# Esc closes the question and keeps the search (to ask again); a second Esc clears it
keys Escape
expect_no_screen "Esc closes the question" "Vaccinated today"
keys Escape
obs_id=$(sql "SELECT p.national_id FROM visit v JOIN person p ON p.id=v.person_id WHERE v.state='observing' LIMIT 1")
type_text "$obs_id"
expect_screen "a person under observation shows it, with the time" "Under observation since"
keys Escape

# the key that closes the ticket is the first letter of the next search
new_id=$(sql "SELECT p.national_id FROM person p WHERE NOT EXISTS (SELECT 1 FROM visit v WHERE v.person_id=p.id) LIMIT 1")
type_text "$new_id"
expect_screen "the new person is found" "Today: not checked in"
keys Enter
expect_screen "the ticket is shown" "Press any key"
type_text "xyz"
expect_screen "typing right away starts the next search with every letter" "Search: xyz"

# --- Esc in a changed form asks; the safe answer keeps the input --------------------------------
keys Escape F2
expect_screen "F2 opens the form" "Register a new person"
type_text "Mai Thị Hoa"
keys Escape
expect_screen "Esc in a changed form asks" "Discard what was typed?"
keys Enter
expect_screen "Enter keeps the form" "Register a new person"
expect_screen "with what was typed" "Mai Thị Hoa"
keys F10
expect_screen "F10 in a changed form asks too" "Quit anyway?"
keys Escape
keys Escape
expect_screen "Esc asks again" "Discard what was typed?"
keys d
expect_screen "D discards and goes back to the search" "Search:"
close_tui

tui 80 24 --lang vi
sign_in dieuduong "Bàn tiếp đón"
keys F2
wait_for "Đăng ký người mới"
type_text "Mai"
keys Escape
expect_screen "(vi) Esc in a changed form asks" "Bỏ những gì đã nhập?"

finish
