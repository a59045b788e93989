#!/bin/bash
# The cold chain in a real terminal: a manager logs a fridge's reading outside 2-8 degC at the
# stock station, the lot stored there goes on "check before use"; the injection room warns and
# refuses to open a vial of it, saying why and that a manager must decide; the manager decides
# "use" at the stock station and the room opens the vial. Screens and database at each step.
. "$(dirname "$0")/lib.sh"

demo_db 50
V() { $VAXSITE --db "$DB" --lang en "$@"; }
out=$(V fridge add F1 --name "Tủ lạnh phòng tiêm" 2>&1)
equal "fridge add registers F1" "F1 registered." "$out"
LOT=$(sql "SELECT id FROM lot WHERE lot_no = 'NX4291'")
out=$(V fridge store F1 "$LOT" 2>&1)
equal "lot NX4291 is stored in F1" "1" "$(sql "SELECT count(*) FROM lot l JOIN fridge f ON f.id = l.fridge_id WHERE l.lot_no = 'NX4291' AND f.code = 'F1'")"

# --- the injection room reminds that F1's reading is due ----------------------------------------
tui 100 30 --lang en
sign_in dieuduong "Injection room" 1
expect_screen "the injection room opens" "Open vials at Injection room 1"
expect_screen "its vials' line reminds that F1's temperature reading is due" "F1: temperature reading due by"
keys F10
settle

# --- the manager logs a breach at the stock station --------------------------------------------
tui 100 30 --lang en
sign_in quanly "Vaccine stock"
expect_screen "the stock station opens" "Lots (soonest expiry first)"
expect_screen "it reminds that F1's reading is due" "Temperature reading due by"
keys F6
expect_screen "F6 shows the cold chain" "Today's readings"
expect_screen "F1 is listed with its reading due" "due by"
keys F2
expect_screen "F2 asks for the temperature of the one fridge" "F1: degrees C now"
type_text "9.5"
keys Enter
expect_screen "a reading outside 2-8 degC says it held the lot" "9.5 °C is outside 2-8 °C: 1 lots on \"check before use\""
check "the reading and the hold are in the database" wait_sql \
  "SELECT count(*) FROM temp_reading r JOIN lot_hold h ON h.reading_id = r.id JOIN lot l ON l.id = h.lot_id WHERE r.tenths = 95 AND r.breach = 1 AND l.lot_no = 'NX4291' AND h.decided_at IS NULL" 1
equal "audited by the manager" "1|1" \
  "$(sql "SELECT count(*) FILTER (WHERE a.action = 'temp.log'), count(*) FILTER (WHERE a.action = 'lot.hold') FROM audit a JOIN staff s ON s.id = a.staff_id WHERE s.login = 'quanly'")"
expect_screen "the held lot is listed for a decision" "NX4291"
keys F10
settle

# --- the injection room refuses to open a vial of it --------------------------------------------
tui 100 30 --lang en
sign_in dieuduong "Injection room" 1
expect_screen "the injection room opens" "Open vials at Injection room 1"
expect_no_screen "no reading is due any more for F1 (it was just read)" "temperature reading"
vials_before=$(sql "SELECT count(*) FROM vial")
keys o
expect_screen "o asks which lot" "Which lot?"
expect_screen "the held lot is marked before it is chosen" "NX4291"
expect_screen "with check before use" "✗ check before use"
type_text 1
expect_screen "opening it is refused, naming the reading" "Lot NX4291: check before use. F1 read 9.5 °C"
expect_screen "and that a manager must decide" "a manager must decide"
settle
equal "no vial was opened" "$vials_before" "$(sql "SELECT count(*) FROM vial")"
keys F10
settle

# --- the manager decides "use" ------------------------------------------------------------------
tui 100 30 --lang en
sign_in quanly "Vaccine stock"
expect_screen "the lots view says a lot is on hold" "1 lots on \"check before use\""
keys F6
expect_screen "the cold chain lists the held lot" "Check before use: a manager decides"
expect_screen "with its reading" "F1 read 9.5 °C"
keys Enter
expect_screen "Enter asks use or discard" "use or discard?"
type_text 1
expect_screen "then what was checked" "What was checked"
type_text "VVM stage 1, 2 hours only"
keys Enter
expect_screen "the decision is saved" "Lot NX4291 may be used again."
check "the hold is decided 'use' by the manager, with the note" wait_sql \
  "SELECT count(*) FROM lot_hold h JOIN staff s ON s.id = h.decided_by WHERE h.decision = 'use' AND s.login = 'quanly' AND h.note = 'VVM stage 1, 2 hours only'" 1
equal "audited" "1" "$(sql "SELECT count(*) FROM audit WHERE action = 'lot.hold_decide'")"
expect_screen "the list of held lots is empty" "No lot on hold."
keys F10
settle

# --- now the room opens the vial ----------------------------------------------------------------
tui 100 30 --lang en
sign_in dieuduong "Injection room" 1
expect_screen "the injection room opens again" "Open vials at Injection room 1"
keys o
expect_screen "o asks which lot" "Which lot?"
type_text 1
expect_screen "the vial of the lot is opened" "Vial of AZ lot NX4291 opened."
check "the database holds it" wait_sql \
  "SELECT count(*) FROM vial v JOIN lot l ON l.id = v.lot_id WHERE l.lot_no = 'NX4291'" 1

# --- the command line and the daily report -------------------------------------------------------
out=$(V temp log F1 -0.5 2>&1)
check "a freeze from the command line holds the lot again: $out" grep -q "frozen. 1 lots" <<<"$out"
out=$(V stock open "$LOT" --station injection-1 2>&1); rc=$?
check "and the command line refuses to open a vial of it ($rc)" [ "$rc" -ne 0 ]
check "naming the freeze: $out" grep -q "F1 read -0.5 °C" <<<"$out"
out=$(V stock decide "$LOT" discard --note "frozen" 2>&1)
equal "discard writes off the unopened vials" \
  "$(sql "SELECT -sum(vials) FROM stock_move WHERE kind = 'waste' AND reason = 'cold_chain'")" \
  "$(sql "SELECT vials_removed FROM lot WHERE lot_no = 'NX4291'")"
out=$(V check 2>&1)
check "vaxsite check finds the ledger balanced after the write-off: $out" grep -q ": ok" <<<"$out"
out=$(V report 2>&1)
check "the daily report has the cold chain's table" grep -q "Cold chain" <<<"$out"
check "with both breaches named" test "$(grep -c "Outside 2-8 °C\|Freeze" <<<"$out")" -ge 2
finish
