#!/bin/bash
# The injection room in a real terminal: a nurse opens a vial, calls the next person, records a
# dose with one key and the arm, sees the doses left drop; the database holds the dose, the vial's
# count and the visit under observation. Also: a discard records its wasted doses, and a resize.
. "$(dirname "$0")/lib.sh"

demo_db 200
tui 80 24 --lang en
expect_screen "the sign-in screen appears" "PIN"
type_text dieuduong; keys Tab; type_text 1234; keys Enter
expect_screen "the station list offers the injection room" "Injection room"
n=$(screen | sed -n 's/.*\([0-9]\)  *Injection room.*/\1/p' | head -1)
check "the injection room has a number key" [ -n "$n" ]
type_text "$n"
# the demo has two rooms: the terminal says which it works at, by the room's name
expect_screen "the room asks which room this terminal works at" "Which desk? (Injection room)"
expect_screen "naming each room" "2  Injection room 2"
type_text 1
expect_screen "the injection room opens with its vial panel, named by the room's name" "Open vials at Injection room 1"
expect_screen "and the title bar names the room" " Injection room 1 ·"
# this room's vial (the demo opened it as "injection-1", the same room): the panel must show what
# the database holds
room_left=$(sql "SELECT (doses - drawn) || ' of ' || doses FROM vial WHERE station IN ('injection', 'injection-1') AND discarded_at IS NULL")
check "the demo left one open vial in room 1" [ -n "$room_left" -a "$(wc -l <<<"$room_left")" -eq 1 ]
expect_screen "room 1's open vial shows its doses left, as the database holds them" "$room_left doses left"
expect_screen "and its minutes left" "min left"

# --- open a vial of the lot that expires first ------------------------------------------------
keys o
expect_screen "o asks which lot to open" "Which lot?"
expect_screen "the soonest expiry is first" "NX4291"
type_text 1
expect_screen "the vial is opened" "Vial of AZ lot NX4291 opened."
expect_screen "the new vial holds 10 doses" "NX4291       10 of 10 doses left"
equal "the database holds the vial, opened by the nurse at this room (injection-1)" "1|10|0|injection-1|dieuduong" \
  "$(sql "SELECT count(*), max(v.doses), max(v.drawn), max(v.station), max(s.login) FROM vial v JOIN lot l ON l.id=v.lot_id JOIN staff s ON s.id=v.opened_by WHERE l.lot_no='NX4291'")"

# --- call next, record the dose ----------------------------------------------------------------
waiting=$(sql "SELECT count(*) FROM visit WHERE state='waiting_injection'")
keys Enter
expect_screen "Enter calls the next person" "this is dose 1"
shot=$(screen)
ticket=$(printf '%s\n' "$shot" | sed -n 's/.*Ticket \([0-9][0-9][0-9]\) ·.*/\1/p' | head -1)
check "the header shows the ticket" [ -n "$ticket" ]
equal "one fewer waits for injection" "$((waiting - 1))" \
  "$(sql "SELECT count(*) FROM visit WHERE state='waiting_injection'")"
keys Enter
expect_screen "Enter asks which arm" "Which arm?"
type_text l
expect_screen "the dose is recorded" "Dose 1 (AZ lot NX4291, left arm) recorded"
expect_screen "the doses left drop on the screen" "NX4291        9 of 10 doses left"
equal "the database holds the dose from that vial, by the nurse" "1|1|left|dieuduong" \
  "$(sql "SELECT count(*), max(d.dose_number), max(d.arm), max(s.login) FROM dose d JOIN visit v ON v.id=d.visit_id JOIN vial x ON x.id=d.vial_id JOIN lot l ON l.id=x.lot_id JOIN staff s ON s.id=d.vaccinator WHERE v.ticket=$((10#$ticket)) AND l.lot_no='NX4291'")"
equal "the visit is under observation" "observing" \
  "$(sql "SELECT state FROM visit WHERE ticket=$((10#$ticket))")"
equal "the vial's count went down by one" "1" \
  "$(sql "SELECT v.drawn FROM vial v JOIN lot l ON l.id=v.lot_id WHERE l.lot_no='NX4291'")"

# --- Enter with nobody called calls the next (the station's main action); F4 sends them back;
# a resize keeps the panel ------------------------------------------------------------------------
keys Enter
expect_screen "Enter with nobody called calls the next person" "this is dose"
keys F4
expect_screen "F4 asks before sending the person back" "back without a dose?"
type_text y
expect_screen "the person waits for injection again" "is waiting for injection again"
resize 200 50
expect_screen "after growing to 200x50 the vial panel is still there" "9 of 10 doses left"
resize 80 24
wait_for "9 of 10 doses left"

# --- discard the vial: the reason and the wasted doses are recorded ----------------------------
keys d
expect_screen "d asks why the vial is discarded" "Discard the vial of lot NX4291"
type_text 2
expect_screen "the discard says how many doses were wasted" "Vial discarded (Broken): 9 doses wasted."
equal "the database holds the discard" "broken|9" \
  "$(sql "SELECT v.discard_reason, v.wasted FROM vial v JOIN lot l ON l.id=v.lot_id WHERE l.lot_no='NX4291'")"
expect_no_screen "the discarded vial leaves the panel" "NX4291"

# --- end of day: not on F5 (save at the other stations); it names each vial; Enter alone does not
# discard, only the letter the dialog names does --------------------------------------------------
open_vials=$(sql "SELECT count(*) FROM vial WHERE discarded_at IS NULL")
check "a vial is still open for the end of day" [ "$open_vials" -gt 0 ]
# two rooms may hold vials of one lot: each vial is named by its room, so each is looked for
# by its own row, the room by its name ("Injection room 2: …, lot A1067: 8 of 10 doses left")
vials=$(sql "SELECT replace(v.station, 'injection-', 'Injection room ') || ': AstraZeneca (Vaxzevria), lot ' || l.lot_no || ': ' || (v.doses - v.drawn) || ' of ' || v.doses || ' doses left' FROM vial v JOIN lot l ON l.id=v.lot_id WHERE v.discarded_at IS NULL ORDER BY v.id")
check "the demo's rooms hold the open vials" [ "$(grep -c '^Injection room [0-9]:' <<<"$vials")" -eq "$open_vials" ]
keys F5
expect_no_screen "F5, the save key elsewhere, does not start the end of day" "doses wasted)?"
keys Escape
keys e
while IFS= read -r vial; do
  expect_screen "e names each vial by room, product, lot and doses left: ${vial%%,*}" "$vial"
done <<<"$vials"
# the dialog wraps each vial's line between words (at 80 columns the room's name puts "open …" on
# a line of its own), so the time open is looked for as words, wherever the line breaks
expect_screen "and how long it has been open" "open 0 h"
check "in hours and minutes" grep -qE "open [0-9]+ h [0-9]{2} min" <<<"$(screen)"
expect_screen "and names the letter that discards" "D: Discard all"
keys Enter
expect_screen "Enter alone leaves the dialog open" "D: Discard all"
equal "Enter alone discards nothing" "$open_vials" "$(sql "SELECT count(*) FROM vial WHERE discarded_at IS NULL")"
type_text d
expect_screen "the letter discards them all" "End of day: $open_vials vials discarded"
equal "no vial is left open" "0" "$(sql "SELECT count(*) FROM vial WHERE discarded_at IS NULL")"
keys F10
expect_screen "F10 quits" "[vaxsite exited]"

# --- the command line: bad receipts are refused with the reason, nothing written ---------------
before=$(sql "SELECT count(*) FROM lot")
out=$($VAXSITE --db "$DB" --lang en stock receive --product AZ --lot "x 1" --expiry 01/01/2020 --vials 5 --from CDC 2>&1)
equal "an expiry in the past is refused at receipt" "1" "$?"
check "naming the expiry as it was typed (dd/mm/yyyy)" grep -q "Expiry: 01/01/2020 has passed" <<<"$out"
out=$($VAXSITE --db "$DB" --lang en stock receive --product AZ --lot "x 1" --expiry 01/01/2099 --vials 5 --doses-per-vial 500 --from CDC 2>&1)
check "500 doses per vial is refused" grep -q "Doses per vial: 500" <<<"$out"
out=$($VAXSITE --db "$DB" --lang en stock receive --product AZ --lot "x 1" --expiry 01/01/2099 --vials 5 --doses-per-vial 0 --from CDC 2>&1)
check "0 doses per vial is refused" grep -q "Doses per vial: 0" <<<"$out"
equal "nothing was written" "$before" "$(sql "SELECT count(*) FROM lot")"
out=$($VAXSITE --db "$DB" --lang en stock receive --product AZ --lot " ab 12c " --expiry 01/01/2099 --vials 5 --from CDC 2>&1)
check "a good receipt prints the normalised lot" grep -q "AB12C" <<<"$out"
check "stock list shows it" grep -q "AB12C" <<<"$($VAXSITE --db "$DB" stock list)"
check "product list shows the catalogue" grep -q "^PF" <<<"$($VAXSITE --db "$DB" product list)"

finish
