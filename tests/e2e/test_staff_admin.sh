#!/bin/bash
# Staff administration and the site's desks from the command line: list, disable (kept, cannot
# sign in), enable, reset a PIN, change a role, the last manager kept; desks and rooms added,
# renamed and retired, and a new site's desks; every change audited by its author.
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }

V site init --code 12001 --name "Trạm Y tế xã Bản Giang" --commune "Bản Giang" \
  --district "Tam Đường" --province "Lai Châu" >/dev/null
V setting set staff.pin_iterations 1000 >/dev/null
echo 2468 | V staff add --login hoa --name "Nguyễn Thị Hoa" --role manager >/dev/null
echo 1357 | V staff add --login lan --name "Lê Thị Lan" --role nurse >/dev/null

# --- staff ---------------------------------------------------------------------------------
equal "staff list names everyone with role and state" \
  "$(printf 'lan\tLê Thị Lan\tNurse\tactive\nhoa\tNguyễn Thị Hoa\tManager\tactive')" "$(V staff list)"
out=$(V staff disable hoa 2>&1); rc=$?
equal "the last active manager cannot be disabled" "1" "$rc"
equal "and the refusal says why in one line" \
  "vaxsite: hoa is the last active manager: add or promote another manager first." "$out"
out=$(V staff role hoa nurse 2>&1); rc=$?
equal "nor demoted" "1|active|manager" "$rc|$(sql "SELECT CASE active WHEN 1 THEN 'active' END || '|' || role FROM staff WHERE login='hoa'")"

equal "a role change" "lan is now Doctor." "$(V staff role lan doctor)"
equal "is stored" "doctor" "$(sql "SELECT role FROM staff WHERE login='lan'")"
out=$(V staff role lan system 2>&1); rc=$?
equal "the system role is not given" "2" "$rc"

V staff disable lan >/dev/null
equal "a disabled member is kept" "1|0" "$(sql "SELECT count(*), max(active) FROM staff WHERE login='lan'")"
equal "and listed as disabled" "$(printf 'lan\tLê Thị Lan\tDoctor\tdisabled')" \
  "$(V staff list | grep '^lan')"
out=$(V staff disable lan 2>&1); rc=$?
equal "disabling twice is refused with words" "1|vaxsite: lan is already disabled." "$rc|$out"
V staff enable lan >/dev/null
equal "enable" "1" "$(sql "SELECT active FROM staff WHERE login='lan'")"

equal "reset-pin" "The PIN of lan is reset: at the next sign-in they choose a new one." \
  "$(V staff reset-pin lan)"
equal "forgets the PIN and marks it to be set" "1|1" \
  "$(sql "SELECT pin_hash IS NULL, pin_reset FROM staff WHERE login='lan'")"
equal "the list says a new PIN is due" "$(printf 'lan\tLê Thị Lan\tDoctor\tactive\tnew PIN at next sign-in')" \
  "$(V staff list | grep '^lan')"
out=$(V staff reset-pin nobody 2>&1); rc=$?
equal "an unknown login is named" "1|vaxsite: Login: there is no staff member nobody." "$rc|$out"

me=$(sql "SELECT id FROM staff WHERE role='system'")
equal "every change is audited by the command line's user" \
  "staff.disable|staff.enable|staff.pin_reset|staff.role" \
  "$(sql "SELECT group_concat(action, '|') FROM (SELECT DISTINCT action FROM audit WHERE staff_id=$me AND action LIKE 'staff.%' AND action <> 'staff.add' ORDER BY action)")"
equal "a refused change writes no audit row" "1" \
  "$(sql "SELECT count(*) FROM audit WHERE action='staff.disable' AND details='lan'")"

# --- desks ---------------------------------------------------------------------------------
equal "a new site has one desk of each kind" \
  "$(printf 'checkin-1\tCheck-in desk 1\tCheck-in desk\nscreening-1\tScreening desk 1\tScreening desk\ninjection-1\tInjection room 1\tInjection room\nobservation-1\tObservation area\tObservation')" \
  "$(V desk list)"
equal "desk add prints the new code and name" "$(printf 'screening-2\tBàn khám 2')" \
  "$(V desk add --kind screening --name "Bàn khám 2")"
out=$(V desk add --kind injection --name "Bàn khám 2" 2>&1); rc=$?
equal "a name already in use is refused" "1" "$rc"
V desk rename screening-1 "Bàn khám 1" >/dev/null
equal "rename" "Bàn khám 1" "$(sql "SELECT name FROM desk WHERE code='screening-1'")"

# a call records the desk's code (the board's name for it is tested in test_desk.c)
V person add --name "Lò Văn Pá" --id 001090004321 --dob 01/02/1990 >/dev/null
V queue checkin 001090004321 >/dev/null
V queue next screening --station screening-2 >/dev/null
equal "the visit records the desk's code" "screening-2" "$(sql "SELECT station FROM visit")"

V desk retire screening-2 >/dev/null 2>&1; rc=$?
equal "a desk with a person called to it is not retired" "1" "$rc"
sql "UPDATE visit SET state='left', station=''" >/dev/null
equal "retire" "screening-2 (Bàn khám 2) is retired; its history keeps its name." \
  "$(V desk retire screening-2)"
equal "a retired desk is listed only with --all" "0|1" \
  "$(V desk list | grep -c screening-2)|$(V desk list --all | grep -c "screening-2.*retired")"
equal "desk changes are audited" "desk.add|desk.rename|desk.retire" \
  "$(sql "SELECT group_concat(action, '|') FROM (SELECT DISTINCT action FROM audit WHERE staff_id=$me AND action LIKE 'desk.%' ORDER BY action)")"
out=$(V desk add --kind lab --name X 2>&1); rc=$?
equal "an unknown kind is a usage error" "2" "$rc"

finish
