#!/bin/bash
# The command line's edges: a file that is not a database, arguments that are not UTF-8, values
# longer than their field, a locked login unlocked by a manager, and who may change the site from
# the command line (--as LOGIN with the PIN on standard input; setting cli.require_staff).
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }
# one_line TEXT NEEDLE: "1|yes" when TEXT is one line that contains NEEDLE
one_line() {
  local lines
  lines=$(printf '%s\n' "$1" | wc -l)
  case "$1" in *"$2"*) echo "$lines|yes" ;; *) echo "$lines|no" ;; esac
}

# --- a file that is not a database ---------------------------------------------------------
EMPTY="$WORK/empty.db"
: >"$EMPTY"
for cmd in "staff list" "queue status" "desk add --kind screening --name X" \
  "setting set observe.minutes 45"; do
  # shellcheck disable=SC2086 # the command's words
  out=$($VAXSITE --db "$EMPTY" --lang en $cmd 2>&1 </dev/null); rc=$?
  equal "an empty file is refused, in one line naming it ($cmd)" "1|1|yes" \
    "$rc|$(one_line "$out" "$EMPTY")"
done
out=$(echo 2468 | $VAXSITE --db "$EMPTY" --lang en staff add --login hoa --name Hoa --role manager 2>&1); rc=$?
equal "staff add does not make a site in it either" "1|1|yes" "$rc|$(one_line "$out" "$EMPTY")"
equal "the empty file stays empty" "0" "$(stat -c %s "$EMPTY")"
out=$($VAXSITE --db "$EMPTY" --lang en site init --code 12001 --name "Trạm Y tế xã Bản Giang" \
  --commune "Bản Giang" --district "Tam Đường" --province "Lai Châu" 2>&1); rc=$?
equal "site init, asked, makes the site in an empty file" "0|12001" \
  "$rc|$(sqlite3 -batch -noheader "$EMPTY" "SELECT code FROM site")"

NOTDB="$WORK/notes.db"
printf 'shopping list\nrice, fish sauce\n' >"$NOTDB"
for cmd in "staff list" "desk add --kind screening --name X"; do
  # shellcheck disable=SC2086
  out=$($VAXSITE --db "$NOTDB" --lang en $cmd 2>&1 </dev/null); rc=$?
  equal "a file that is not SQLite is refused in one line naming it ($cmd)" "1|1|yes" \
    "$rc|$(one_line "$out" "$NOTDB")"
done
equal "and is left as it was" "$(printf 'shopping list\nrice, fish sauce')" "$(cat "$NOTDB")"

# --- the site of the other tests -------------------------------------------------------------
V site init --code 12001 --name "Trạm Y tế xã Bản Giang" --commune "Bản Giang" \
  --district "Tam Đường" --province "Lai Châu" >/dev/null
V setting set staff.pin_iterations 1000 >/dev/null
echo 2468 | V staff add --login hoa --name "Nguyễn Thị Hoa" --role manager >/dev/null
echo 1357 | V staff add --login lan --name "Lê Thị Lan" --role nurse >/dev/null

# --- invalid UTF-8 -------------------------------------------------------------------------
bad=$(printf 'B\xe0n kh\xc3m')
out=$(V desk add --kind screening --name "$bad" 2>&1); rc=$?
equal "invalid UTF-8 in an option's value is refused naming the option" \
  "2|vaxsite: the value of --name is not valid UTF-8 text; nothing was done" "$rc|$out"
out=$(V desk rename screening-1 "$bad" 2>&1); rc=$?
equal "and in a word of the command, naming which" \
  "2|vaxsite: argument 4 of the command is not valid UTF-8 text; nothing was done" "$rc|$out"
out=$(V desk add --kind screening "--name=$bad" 2>&1); rc=$?
equal "also written --name=VALUE" "2" "$rc"
equal "nothing was stored" "1|Screening desk 1" \
  "$(sql "SELECT count(*) FROM desk WHERE kind='screening'")|$(V desk list | awk -F'\t' '$1=="screening-1"{print $2}')"

# --- values longer than their field are refused, never cut -----------------------------------
long=$(printf 'Xã Bản Giang Thượng %.0s' $(seq 1 8))
out=$($VAXSITE --db "$WORK/long.db" --lang en site init --code 12002 --name "Trạm" \
  --commune "$long" --district "Tam Đường" --province "Lai Châu" 2>&1); rc=$?
equal "an over-long commune is refused with the limit" \
  "2|vaxsite: --commune is too long: at most 127 bytes (this one has $(printf '%s' "$long" | wc -c)); nothing was done" \
  "$rc|$out"
equal "and no site is made" "no file" "$([ -e "$WORK/long.db" ] && echo file || echo no file)"
out=$(V person add --name "Nguyễn Văn Hùng" --id 001090001234 --dob 01/02/1990 --commune "$long" 2>&1); rc=$?
equal "a person's over-long commune too" "2|0" \
  "$rc|$(sql "SELECT count(*) FROM person WHERE national_id='001090001234'")"
out=$(V book --list due --from 2021-10-20 --product "AZ$(printf 'Z%.0s' $(seq 1 30))" 2>&1); rc=$?
equal "a due list's over-long product filter is refused with the limit (it was cut and matched nothing)" \
  "2|vaxsite: --product is too long: at most 15 bytes (this one has 32); nothing was done" "$rc|$out"

# --- a lock from wrong PINs, lifted by a manager ---------------------------------------------
for i in 1 2 3 4 5; do echo 0000 | V --as lan queue next screening >/dev/null 2>&1; done
out=$(echo 1357 | V --as lan queue next screening 2>&1); rc=$?
equal "five wrong PINs given with --as lock the login like a sign-in" "1|yes" \
  "$rc|$(case "$out" in *"is locked"*) echo yes ;; *) echo "$out" ;; esac)"
equal "each was counted" "5|5" \
  "$(sql "SELECT count(*) FROM audit WHERE action='sign-in.failed' AND entity_id=(SELECT id FROM staff WHERE login='lan')")|$(sql "SELECT failed_pins FROM staff WHERE login='lan'")"
out=$(echo 1357 | V --as lan staff unlock hoa 2>&1); rc=$?
equal "a locked member cannot unlock anyone" "1" "$rc"
out=$(V staff unlock lan 2>&1); rc=$?
equal "staff unlock" "0|lan is unlocked: they can sign in with their PIN now." "$rc|$out"
equal "clears the lock, audited" "0|0|1" \
  "$(sql "SELECT failed_pins || '|' || locked_until FROM staff WHERE login='lan'")|$(sql "SELECT count(*) FROM audit WHERE action='staff.unlock'")"
out=$(V staff unlock lan 2>&1); rc=$?
equal "unlocking a login that is not locked says so" "1|vaxsite: lan is not locked." "$rc|$out"

# --- --as: changes audited as the staff member ------------------------------------------------
out=$(echo 2468 | V --as hoa desk add --kind screening --name "Bàn khám 2" 2>&1); rc=$?
equal "--as with the right PIN" "0|$(printf 'screening-2\tBàn khám 2')" "$rc|$out"
equal "the change is audited as that member, after a sign-in" "hoa|1" \
  "$(sql "SELECT s.login FROM audit a JOIN staff s ON s.id = a.staff_id WHERE a.action LIKE 'desk.%' ORDER BY a.id DESC LIMIT 1")|$(sql "SELECT count(*) FROM audit WHERE action='sign-in' AND entity_id=(SELECT id FROM staff WHERE login='hoa')")"
out=$(echo 9999 | V --as hoa desk add --kind screening --name "Bàn khám 3" 2>&1); rc=$?
equal "--as with a wrong PIN changes nothing" "1|vaxsite: Unknown login or wrong PIN.|0" \
  "$rc|$out|$(sql "SELECT count(*) FROM desk WHERE name='Bàn khám 3'")"
out=$(echo 1357 | V --as lan staff disable hoa 2>&1); rc=$?
equal "--as gives the member's role, no more" "1|vaxsite: Your role (Nurse) may not manage staff." "$rc|$out"
out=$(echo 2468 | V --as hoa 2>&1 </dev/null); rc=$?
equal "--as without a command is a usage error" "2" "$rc"
out=$(V --as hoa desk add --kind screening --name "Bàn khám 3" 2>&1 </dev/null); rc=$?
equal "--as with no PIN on standard input" "1|vaxsite: --as hoa: no PIN on standard input" "$rc|$out"

# --- cli.require_staff ---------------------------------------------------------------------
out=$(echo 1357 | V --as lan setting set cli.require_staff 1 2>&1); rc=$?
equal "a nurse cannot turn it on" "1" "$rc"
out=$(echo 2468 | V --as hoa setting set cli.require_staff 1 2>&1); rc=$?
equal "a manager turns it on" "0|1" "$rc|$(sql "SELECT value FROM setting WHERE key='cli.require_staff'")"
out=$(V desk add --kind screening --name "Bàn khám 3" 2>&1); rc=$?
equal "then a change without --as is refused, saying what to do" \
  "1|vaxsite: this site requires a staff member for changes at the command line: give --as LOGIN and the PIN on standard input|0" \
  "$rc|$out|$(sql "SELECT count(*) FROM desk WHERE name='Bàn khám 3'")"
out=$(echo 1111 | V staff add --login tam --name "Võ Tâm" --role nurse 2>&1); rc=$?
equal "staff add too" "1|0" "$rc|$(sql "SELECT count(*) FROM staff WHERE login='tam'")"
equal "reading still works without it" "yes|yes|yes" \
  "$(V staff list >/dev/null && echo yes)|$(V desk list >/dev/null && echo yes)|$(V setting get cli.require_staff >/dev/null && echo yes)"
out=$(printf '2468\n1111\n' | V --as hoa staff add --login tam --name "Võ Tâm" --role nurse 2>&1); rc=$?
equal "with --as, the first line is the member's PIN and the next the new PIN" "0|Added tam (Nurse)." "$rc|$out"
equal "tam's PIN is 1111" "0" "$(echo 1111 | V --as tam desk list >/dev/null 2>&1; echo $?)"
out=$(echo 2468 | V --as hoa setting set cli.require_staff 0 2>&1); rc=$?
equal "and a manager turns it off" "0" "$rc"
out=$(V desk add --kind screening --name "Bàn khám 3" 2>&1); rc=$?
equal "changes as the operating-system user again" "0" "$rc"

finish
