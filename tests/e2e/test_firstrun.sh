#!/bin/bash
# A real site from an empty database, through the screens only: the first-run screen (Esc leaves
# no file; a bad PIN repeat and a bad facility code are refused naming the field), the new manager
# signs in, adds two screening desks and two injection rooms, retires the default ones and renames
# one on the desks screen; adds a nurse on the staff screen and goes through her menu (and the
# refusal to demote the last manager); changes a setting on the settings screen (a value out of
# range refused naming the range); then two terminals at the two screening desks call one person
# each and the board (a third terminal) shows the two calls to the two desks' names.
. "$(dirname "$0")/lib.sh"
unset VAXSITE_DESK

# PIN hashes are slow under the sanitizers: each pane gets 15 s to show what is awaited
PANE_WAIT=15
k() { $TM send-keys -t main "$@"; }
t() { $TM send-keys -t main -l "$1"; }

# --- Esc on the first-run screen writes nothing ---------------------------------------------
rm -f "$DB"
tui 80 24 --lang vi
expect_screen "vi: an empty database opens on the site's set-up" "Thiết lập điểm tiêm (1/2)"
k Escape
expect_screen "vi: Esc quits" "[vaxsite exited]"
check "vi: Esc leaves no database file behind" test ! -e "$DB"

# --- the set-up, in English ---------------------------------------------------------------------
tui 80 24 --lang en
expect_screen "en: an empty database opens on the site's set-up" "Set up this site (1/2)"
t LCU; k Tab
t "Trạm Y tế xã Bản Giang"; k Tab
t "Bản Giang"; k Tab
t "Tam Đường"; k Tab
t "Lai Châu"; k Tab
k Enter
expect_screen "Enter on the last field turns to the first manager's page" "The first manager (2/2)"
t hoa; k Tab
t "Nguyễn Thị Hoa"; k Tab
t 2468; k Tab
t 2469; k Enter
expect_screen "two different PINs are refused naming the field" "PIN again: the two PINs are not the same"
equal "nothing is saved after a refused PIN" "0|0" "$(sql "SELECT (SELECT count(*) FROM site) || '|' || (SELECT count(*) FROM staff WHERE login = 'hoa')")"
t 2468; k Tab
t 2468; k F5
expect_screen "a code that is not a facility code is refused naming the field" "Site code: the facility's 5-digit code"
expect_screen "and the screen is back on the site's page" "Set up this site (1/2)"
equal "no site is saved with a bad code" "0" "$(sql "SELECT count(*) FROM site")"
k BSpace BSpace BSpace
t 12001
k F5
expect_screen "the set-up ends on the sign-in, naming the login" "Sign in as hoa" 15
equal "the site is saved with its details" "12001|Trạm Y tế xã Bản Giang|Bản Giang|Tam Đường|Lai Châu|fixed|0" \
  "$(sql "SELECT code || '|' || name || '|' || commune || '|' || district || '|' || province || '|' || kind || '|' || is_demo FROM site")"
equal "the first manager is saved" "Nguyễn Thị Hoa|manager|1" \
  "$(sql "SELECT name || '|' || role || '|' || active FROM staff WHERE login = 'hoa'")"
equal "site init and staff add are audited with who did it" "site.init:os:$(id -un)|staff.add:os:$(id -un)" \
  "$(sql "SELECT group_concat(a.action || ':' || s.login, '|') FROM (SELECT * FROM audit WHERE action IN ('site.init', 'staff.add') ORDER BY id) a JOIN staff s ON s.id = a.staff_id")"
check "the database file is private (0600)" test "$(stat -c %a "$DB")" = 600

# --- the manager's screens -----------------------------------------------------------------------
t hoa; k Tab; t 2468; k Enter
expect_screen "the new manager signs in" "Choose your station" 15
for _ in 1 2 3 4 5 6 7 8 9; do k Down; done
k Enter
expect_screen "the manager opens the staff, desks and settings station" "F7 Desks and rooms"
k F7
expect_screen "the desks screen lists the default desks" "Screening desk 1"
add_desk() { # KIND_NUMBER NAME
  k F2
  wait_for "Kind:" || return 1
  t "$1"
  wait_for "Its name" || return 1
  t "$2"; k Enter
  wait_for "$2 is added" 15
}
check "a screening desk is added" add_desk 2 "Bàn khám A"
check "a second screening desk is added" add_desk 2 "Bàn khám B"
check "an injection room is added" add_desk 3 "Phòng tiêm A"
check "a second injection room is added" add_desk 3 "Phòng tiêm B"
equal "the four are saved with their codes" "screening-2:Bàn khám A|screening-3:Bàn khám B|injection-2:Phòng tiêm A|injection-3:Phòng tiêm B" \
  "$(sql "SELECT group_concat(code || ':' || name, '|') FROM (SELECT * FROM desk WHERE name LIKE 'Bàn%' OR name LIKE 'Phòng%' ORDER BY id)")"
# the default desks 1 are retired: rows 2 (screening) and 5 (injection) of the list
k Down; k Enter
expect_screen "Enter on a desk asks what to do" "Retire (no longer used)"
t 2
expect_screen "the default screening desk is retired" "Screening desk 1 is retired."
k Down; k Down; k Down; k Enter
expect_screen "and the injection room's menu opens" "Retire (no longer used)"
t 2
expect_screen "the default injection room is retired" "Injection room 1 is retired."
k Down; k Down; k Down; k Enter
expect_screen "the observation area's menu opens" "Observation area"
t 1
wait_for "New name:"
for _ in $(seq 16); do k BSpace; done
t "Khu theo dõi"; k Enter
expect_screen "a desk is renamed" "observation-1 is now named Khu theo dõi."
equal "under its code" "Khu theo dõi" "$(sql "SELECT name FROM desk WHERE code = 'observation-1'")"
equal "the retired desks stay, marked" "screening-1:0|injection-1:0" \
  "$(sql "SELECT group_concat(code || ':' || active, '|') FROM (SELECT * FROM desk WHERE code IN ('screening-1', 'injection-1') ORDER BY id)")"
equal "each desk change is audited by who made it (site init made the default ones)" "desk.add:hoa:4|desk.add:os:$(id -un):4|desk.rename:hoa:1|desk.retire:hoa:2" \
  "$(sql "SELECT group_concat(x, '|') FROM (SELECT a.action || ':' || s.login || ':' || count(*) AS x FROM audit a JOIN staff s ON s.id = a.staff_id WHERE a.action LIKE 'desk.%' GROUP BY a.action, s.login ORDER BY a.action)")"

k F6
expect_screen "the staff screen lists the manager" "Nguyễn Thị Hoa"
k F2
expect_screen "F2 opens the new member's form" "Add a staff member"
t lan; k Tab; t "Trần Thị Lan"; k Tab; t 1357; k Tab; t 1357; k F5
expect_screen "saving asks the role" "Role:"
t 2
expect_screen "the nurse is added" "Trần Thị Lan (lan) is added as Nurse." 15
equal "the nurse is saved, active" "Trần Thị Lan|nurse|1" \
  "$(sql "SELECT name || '|' || role || '|' || active FROM staff WHERE login = 'lan'")"
equal "staff.add of the nurse is audited by the manager" "hoa" \
  "$(sql "SELECT s.login FROM audit a JOIN staff s ON s.id = a.staff_id WHERE a.action = 'staff.add' AND a.details = 'lan'")"

# a member's menu: the last manager is protected; the nurse is unlocked, given a role, her PIN
# reset, disabled and enabled, each by the core's own call and audited by the manager
k Enter
wait_for "What to do:"
t 3
wait_for "Role:"
t 2
expect_screen "demoting the last manager is refused" "hoa is the last active manager"
equal "and she stays a manager" "manager" "$(sql "SELECT role FROM staff WHERE login = 'hoa'")"
sql "UPDATE staff SET failed_pins = 5, locked_until = strftime('%s', 'now') + 3600 WHERE login = 'lan'"
member() { # KEY MESSAGE [ROLE_KEY]: the selected member's menu, its choice, what it says
  k Enter
  wait_for "What to do:" || return 1
  t "$1"
  if [ $# -gt 2 ]; then wait_for "Role:" || return 1; t "$3"; fi
  wait_for "$2"
}
k Down
check "a locked login is unlocked" member 4 "lan is unlocked"
equal "its wrong PINs and lock are forgotten" "0|0" "$(sql "SELECT failed_pins || '|' || locked_until FROM staff WHERE login = 'lan'")"
check "a role is changed" member 3 "lan is now Doctor." 3
check "a PIN is reset" member 2 "lan's PIN is reset"
check "a member who left is disabled" member 1 "lan is disabled"
expect_screen "and listed as disabled" "disabled"
equal "disabled, kept" "0" "$(sql "SELECT active FROM staff WHERE login = 'lan'")"
check "and enabled again" member 1 "lan is enabled again."
equal "the member's row at the end" "doctor|1" "$(sql "SELECT role || '|' || active FROM staff WHERE login = 'lan'")"
equal "each change is audited by the manager" "staff.unlock|staff.role|staff.pin_reset|staff.disable|staff.enable" \
  "$(sql "SELECT group_concat(action, '|') FROM (SELECT a.action FROM audit a JOIN staff s ON s.id = a.staff_id WHERE s.login = 'hoa' AND a.details LIKE '%lan%' AND a.action IN ('staff.unlock', 'staff.role', 'staff.pin_reset', 'staff.disable', 'staff.enable') ORDER BY a.id)")"

k F8
expect_screen "the settings screen lists every setting with its help" "observe.minutes"
expect_screen "with the selected one's default and range" "default 30, allowed 15-240"
k Enter
expect_screen "Enter asks the new value" "(allowed 15-240):"
k BSpace BSpace; t 5; k Enter
expect_screen "a value out of range is refused naming the range" "15-240"
equal "and is not saved" "" "$(sql "SELECT value FROM setting WHERE key = 'observe.minutes'")"
k Enter
wait_for "(allowed 15-240):"
k BSpace BSpace; t 45; k Enter
expect_screen "a value in range is saved" "observe.minutes is now 45."
equal "the setting is stored" "45" "$(sql "SELECT value FROM setting WHERE key = 'observe.minutes'")"
check "the change is audited by the manager" test "$(sql "SELECT count(*) FROM audit a JOIN staff s ON s.id = a.staff_id WHERE a.action LIKE 'setting%' AND s.login = 'hoa' AND a.details LIKE '%observe.minutes%45%'")" -ge 1
k F10
expect_screen "F10 quits" "[vaxsite exited]"

# --- two desks call two people; the board names the two desks -----------------------------------
V() { $VAXSITE --db "$DB" --lang en "$@"; }
V person add --name "Lò Văn Pá" --id 001090004321 --dob 01/02/1990 >/dev/null
V person add --name "Lò Thị Xuân" --id 001190004322 --dob 03/04/1990 >/dev/null
V queue checkin 001090004321 >/dev/null
V queue checkin 001190004322 >/dev/null
equal "two people are checked in" "2" "$(sql "SELECT count(*) FROM visit WHERE state = 'waiting_screening'")"
pane_start board "$VAXSITE --db '$DB' --lang en board"
pane_start s1 "$VAXSITE --db '$DB' --lang en"
pane_start s2 "$VAXSITE --db '$DB' --lang en"
login() { # SESSION DESK_NUMBER
  pane_sees "$1" "PIN" || return 1
  $TM send-keys -t "$1" -l hoa
  $TM send-keys -t "$1" Tab
  $TM send-keys -t "$1" -l 2468
  $TM send-keys -t "$1" Enter
  pane_sees "$1" "Choose your station" || return 1
  $TM send-keys -t "$1" -l 2
  pane_sees "$1" "Which desk?" || return 1
  $TM send-keys -t "$1" -l "$2"
}
login s1 1
check "terminal 1 works at Bàn khám A" pane_title_has s1 "Bàn khám A"
login s2 2
check "terminal 2 works at Bàn khám B" pane_title_has s2 "Bàn khám B"
$TM send-keys -t s1 Enter
check "terminal 1 calls a person to its desk" pane_sees s1 "called to Bàn khám A"
$TM send-keys -t s2 Enter
check "terminal 2 calls the other person to its desk" pane_sees s2 "called to Bàn khám B"
equal "two tickets called, one to each desk" "screening-2|screening-3" \
  "$(sql "SELECT group_concat(station, '|') FROM (SELECT station FROM visit WHERE state = 'screening' ORDER BY station)")"
check "the board shows the call to Bàn khám A" pane_sees board "→ Bàn khám A"
check "and the call to Bàn khám B" pane_sees board "→ Bàn khám B"
finish
