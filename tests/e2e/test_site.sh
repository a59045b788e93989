#!/bin/bash
# A real site from the command line: the device id of a copied file, site init and show, the demo
# mark and the refusals of a demo site, the settings table, staff administration.
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }
dev_of() { $VAXSITE --db "$1" --lang en device show 2>/dev/null | sed -n 's/^device: //p'; }

# --- a laptop is one device ------------------------------------------------------------------
echo 2468 | V staff add --login hoa --name "Nguyễn Thị Hoa" --role manager >/dev/null
first=$(dev_of "$DB")
check "device show prints a device id" test ${#first} -eq 36
equal "the same file on the same path keeps its id" "$first" "$(dev_of "$DB")"
cp "$DB" "$WORK/copy.db"
out=$($VAXSITE --db "$WORK/copy.db" --lang en device show 2>&1)
copied=$(printf '%s\n' "$out" | sed -n 's/^device: //p')
check "a copy opened on another path gets a new device id" test -n "$copied" -a "$copied" != "$first"
case "$out" in
*"copied from another machine or folder"*"was $first"*) ok "the copy says so, naming the old id" ;;
*) not_ok "the copy says so, naming the old id" "$out" ;;
esac
equal "the copy names the id it was copied with" "previous device: $first" \
  "$(printf '%s\n' "$out" | grep '^previous device')"
equal "the copy keeps its new id afterwards" "$copied" "$(dev_of "$WORK/copy.db")"
equal "the re-mint is in the audit trail" "1" \
  "$(sqlite3 "$WORK/copy.db" "SELECT count(*) FROM audit WHERE action='device.remint'")"
cp "$DB" "$WORK/b.db"
V person add --name "Lò Văn Pá" --id 001090004321 --dob 01/02/1990 >/dev/null
$VAXSITE --db "$WORK/b.db" person add --name "Lò Thị Xuân" --id 001190004322 --dob 01/02/1990 >/dev/null 2>&1
last_dev() { sqlite3 "$1" "SELECT device FROM sync_outbox ORDER BY seq DESC LIMIT 1"; }
equal "the original writes its events under its own id" "$first" "$(last_dev "$DB")"
equal "the copy writes its events under its new id" "$(dev_of "$WORK/b.db")" "$(last_dev "$WORK/b.db")"
check "the two laptops write under different ids" test "$(last_dev "$DB")" != "$(last_dev "$WORK/b.db")"
equal "no event uuid is shared by the copies' new events" "0" \
  "$(sqlite3 "$DB" "ATTACH '$WORK/b.db' AS b; SELECT count(*) FROM sync_outbox o JOIN b.sync_outbox p USING (uuid) WHERE o.seq > (SELECT max(seq) - 1 FROM sync_outbox)")"

# --- site init and show -------------------------------------------------------------------------
DB="$WORK/real.db"
out=$(V site init --code LCU --name "Trạm Y tế xã Bản Giang" --commune "Bản Giang" --district "Tam Đường" --province "Lai Châu" 2>&1); rc=$?
equal "a code that is not a facility code is refused, naming the shape" \
  "1|vaxsite: Site code: the facility's 5-digit code in the national system (province 2 digits, facility 3, e.g. 12001); \"LCU\" is not." "$rc|$out"
V site init --code 12001 --name "Trạm Y tế xã Bản Giang" --commune "Bản Giang" --district "Tam Đường" --province "Lai Châu" >/dev/null
equal "site init makes a new database 0600" "600" "$(stat -c %a "$DB")"
equal "site show names the site, its place and kind" \
  "$(printf 'code: 12001\nname: Trạm Y tế xã Bản Giang\ncommune: Bản Giang\ndistrict: Tam Đường\nprovince: Lai Châu\nkind: fixed site')" \
  "$(V site show)"
equal "no demo data in a real site" "0|0" "$(sql "SELECT (SELECT count(*) FROM person) || '|' || (SELECT is_demo FROM site)")"
equal "site init is audited with who did it" "os:$(id -un)" \
  "$(sql "SELECT s.login FROM audit a JOIN staff s ON s.id = a.staff_id WHERE a.action = 'site.init'")"
out=$(V site init --code 12002 --name X --commune X --district X --province X 2>&1); rc=$?
equal "a second site init is refused and changes nothing" "1|vaxsite: This database is already site 12001; nothing was changed.|12001" "$rc|$out|$(sql "SELECT code FROM site")"
echo 2468 | V staff add --login hoa --name "Nguyễn Thị Hoa" --role manager >/dev/null
out=$(V export --bundle "$WORK/real.vxb" 2>&1)
check "a real site exports its bundle: $out" test -s "$WORK/real.vxb"
DB="$WORK/team.db"
V site init --kind mobile --code 12001-M2 --name "Đội tiêm lưu động 2" --commune "Bản Giang" --district "Tam Đường" --province "Lai Châu" >/dev/null
equal "a mobile team's laptop joins the site code with its team, no demo data" "12001-M2|mobile|0" \
  "$(sql "SELECT code || '|' || kind || '|' || (SELECT count(*) FROM person) FROM site")"

# --- a demo site is marked and never leaves ------------------------------------------------------
DB="$WORK/demo.db"
demo_db 40
out=$(V export --bundle "$WORK/demo.vxb" 2>&1); rc=$?
equal "export --bundle of a demo site is refused with one line" \
  "1|vaxsite: Bundle export refused: LCU-DEMO is a demo site, its made-up people never leave this machine; set up a real site with 'vaxsite site init'." "$rc|$out"
check "no bundle file was made" test ! -e "$WORK/demo.vxb"
out=$(V sync push postgresql://127.0.0.1:1/none 2>&1); rc=$?
equal "sync push of a demo site is refused with one line, before any connection" \
  "1|vaxsite: Push refused: LCU-DEMO is a demo site, its made-up people never leave this machine; set up a real site with 'vaxsite site init'." "$rc|$out"
case "$(V report)" in *"DEMO – not valid · "*) ok "the demo's daily report says DEMO – not valid" ;; *) not_ok "the demo's daily report says DEMO – not valid" ;; esac
case "$(V export national)" in *"DEMO – not valid · "*) ok "the demo's national export says DEMO – not valid" ;; *) not_ok "the demo's national export says DEMO – not valid" ;; esac
case "$(V site show)" in *"DEMO – not valid"*) ok "site show marks the demo" ;; *) not_ok "site show marks the demo" ;; esac

# --- settings as one table -----------------------------------------------------------------------
DB="$WORK/real.db"
list=$(V setting list)
equal "setting list names board.initials with its value, default, range and help" \
  "$(printf 'board.initials\t0\t0\t0/1\t1: the board shows initials (N.V.H.) beside each ticket')" \
  "$(printf '%s\n' "$list" | grep '^board.initials')"
check "setting list names cert.printer and queue.stranded_min" \
  grep -q "^cert.printer" <<<"$list"
check "setting list names queue.stranded_min" grep -q "^queue.stranded_min" <<<"$list"
out=$(V setting set observe.minutes 5 2>&1); rc=$?
equal "a value out of range is refused with one line naming the range" \
  "1|vaxsite: Setting observe.minutes: a whole number from 15 to 240." "$rc|$out"
equal "the refused value is not stored" "30" "$(V setting get observe.minutes)"
equal "setting set stores and prints the value in force" "45" "$(V setting set observe.minutes 45)"
equal "the change is audited with who and what" "os:$(id -un)|observe.minutes=45" \
  "$(sql "SELECT s.login || '|' || a.details FROM audit a JOIN staff s ON s.id = a.staff_id WHERE a.action = 'setting' ORDER BY a.id DESC LIMIT 1")"
V setting set cert.printer HP_LaserJet >/dev/null
equal "cert.printer can be set" "HP_LaserJet" "$(V setting get cert.printer)"
out=$(V setting set board.intials 1 2>&1); rc=$?
equal "a mistyped key is refused" "1|vaxsite: there is no setting board.intials (see vaxsite setting list)" "$rc|$out"

# README's settings table is what the program declares (it is written by setting list --markdown)
readme="$(dirname "$0")/../../README.md"
fresh="$WORK/fresh-settings.db"
$VAXSITE --db "$fresh" --lang en site init --code 12009 --name T --commune C --district D \
  --province P >/dev/null
equal "README's settings table is setting list --markdown of a new site (regenerate it if not)" \
  "$($VAXSITE --db "$fresh" --lang en setting list --markdown)" \
  "$(awk '/the table below is `vaxsite setting list --markdown`/{f=1;next} f&&/^\|/{print;p=1;next} p{exit}' "$readme")"

finish
