#!/bin/bash
# A serious reaction that left its site before the action taken was recorded (the observation
# desk keeps a reaction at once, the action after): at another site's screening desk it reads as
# not complete, not as "observed", at 80x24 and 200x50, in English and Vietnamese; once the
# reaction is completed at its site and the next bundle is read, it reads as completed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/laptops.sh"

COMMUNE="Xã Bản Giang"
ON=012191002222

# --- laptop A: dose 1 five weeks ago and a serious reaction kept before its action -------------
laptop A TEAM-A
V A person add --name "Lò Thị Ón" --id $ON --dob 03/04/1991 --sex f --commune "$COMMUNE" >/dev/null
V A queue checkin $ON >/dev/null
GIVEN=$(($(date +%s) - 35 * 86400))
lsql A "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, given_at, lot_no, series,
          arm, station, created_at, updated_at)
        SELECT lower(hex(randomblob(16))), p.id, v.id, 'AZ', 1, $GIVEN, 'NJ0342', 'covid-19',
          'left', 'injection-1', $GIVEN, $GIVEN
        FROM person p JOIN visit v ON v.person_id = p.id WHERE p.national_id = '$ON';
        INSERT INTO reaction(uuid, visit_id, person_id, seen_at, signs, severity, action, pending,
          created_at, updated_at)
        SELECT lower(hex(randomblob(16))), d.visit_id, d.person_id, d.given_at + 900,
          'hives breathing', 'serious', 'observed', 'action', d.given_at + 900, d.given_at + 900
          FROM dose d"
SEEN=$(date -d "@$((GIVEN + 900))" +%d/%m/%Y)
FP=$(V A sync status | sed -n 's/^bundles signed by key: //p')
V A export --bundle "$WORK/a1.vxb" >/dev/null

# --- site B reads the bundle ----------------------------------------------------------------------
DB="$WORK/B.db"
$VAXSITE --db "$DB" demo --people 1 >/dev/null
V B sync trust "$FP" >/dev/null
V B import --bundle "$WORK/a1.vxb" >/dev/null
equal "B holds the reaction with what A had still to record" "serious|observed|action|TEAM-A" \
  "$(lsql B "SELECT severity || '|' || action || '|' || pending || '|' || site FROM reaction")"
V B queue checkin $ON >/dev/null

screen_her() { # LANG COLS ROWS
  tui "$2" "$3" --lang "$1"
  sign_in bacsi "${4:-Screening desk}" || return 1
  wait_for "Enter" || return 1
  keys Enter
  wait_for "Lò Thị Ón"
}

screen_her en 80 24
expect_screen "80x24: the serious reaction, said to be not complete" \
  "⚠ Serious reaction after dose 1 (not complete: action taken not"
expect_no_screen "80x24: not read as only observed" "(observed)"
resize 200 50
expect_screen "200x50: the whole line" \
  "⚠ Serious reaction after dose 1 (not complete: action taken not recorded yet), $SEEN at TEAM-A."
keys F4
$TM kill-session -t main >/dev/null 2>&1

tui 200 50 --lang vi
wait_for "PIN"
type_text bacsi; keys Tab; type_text 1234; keys Enter
wait_for "1  "
n=$(screen | sed -n 's/^ *\([0-9]\+\)  Bàn khám sàng lọc.*/\1/p' | head -1)
[ -z "$n" ] && n=$(screen | sed -n 's/^ *\([0-9]\+\)  .*[Ss]àng lọc.*/\1/p' | head -1)
type_text "$n"
wait_for "2  " && type_text 1
wait_for "Enter"
keys Enter
expect_screen "vi: the same, in Vietnamese" \
  "⚠ Tai biến nặng sau mũi 1 (chưa hoàn tất: chưa ghi xử trí), $SEEN tại TEAM-A."
keys F4
$TM kill-session -t main >/dev/null 2>&1

# --- A records the action; B reads the next bundle -----------------------------------------------
lsql A "UPDATE reaction SET action = 'anaphylaxis', pending = '', updated_at = updated_at + 120"
V A export --bundle "$WORK/a2.vxb" >/dev/null
V B import --bundle "$WORK/a2.vxb" >/dev/null
screen_her en 200 50
expect_screen "after the next bundle: the reaction as completed at TEAM-A" \
  "⚠ Serious reaction after dose 1 (anaphylaxis), $SEEN at TEAM-A."
expect_no_screen "and no longer said to be not complete" "not complete"
keys F4
$TM kill-session -t main >/dev/null 2>&1

finish
