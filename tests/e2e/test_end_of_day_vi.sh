#!/bin/bash
# The injection room's end of day in the Vietnamese interface: its letter is k (kết thúc ngày), not
# a key that saves elsewhere; the dialog names every open vial by room, product and lot; Enter
# alone discards nothing; only the letter the dialog names (L, "Loại bỏ tất cả") discards.
. "$(dirname "$0")/lib.sh"

export VAXSITE_CLOCK_FILE="$WORK/clock"
echo "2021-10-15T09:00" >"$VAXSITE_CLOCK_FILE"
# a demo made in Vietnamese: its desks and rooms carry Vietnamese names ("Phòng tiêm 1")
$VAXSITE --db "$DB" --lang vi demo --people 100 >/dev/null
open_vials() { sql "SELECT count(*) FROM vial WHERE discarded_at IS NULL OR discarded_at = 0"; }

tui 80 24 --lang vi
sign_in dieuduong 3
expect_screen "the Vietnamese injection room opens" "Phòng tiêm"
before=$(open_vials)
check "the demo has vials open" [ "$before" -gt 0 ]
keys F5
settle
expect_no_screen "F5 (save elsewhere) does not start the end of day" "Loại bỏ tất cả"
type_text k
expect_screen "k asks for the end of day" "Cuối ngày"
lot=$(sql "SELECT l.lot_no FROM vial v JOIN lot l ON l.id=v.lot_id WHERE v.discarded_at IS NULL OR v.discarded_at = 0 LIMIT 1")
expect_screen "it names an open vial by its lot" "$lot"
expect_screen "and says which letter discards" "L: Loại bỏ tất cả"
keys Enter
settle
equal "Enter alone discards nothing" "$before" "$(open_vials)"
type_text l
expect_screen "L discards every open vial and says how many doses were wasted" "Cuối ngày: đã hủy"
equal "no vial is left open" "0" "$(open_vials)"
finish
