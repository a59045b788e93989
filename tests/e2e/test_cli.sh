#!/bin/bash
# The command line for scripts: each command's output, exit status, one-line reasons, and the
# database behind them; bad files refused without being changed; two processes at once.
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }

# --- a new database, its mode, the first manager ------------------------------------------
echo 2468 | V staff add --login hoa --name "Nguyễn Thị Hoa" --role manager >/dev/null
equal "staff add creates the database with mode 0600" "600" "$(stat -c %a "$DB")"
equal "the first manager is stored with a salted PBKDF2 hash, not the PIN" "1" \
  "$(sql "SELECT count(*) FROM staff WHERE login='hoa' AND pin_hash LIKE 'pbkdf2-sha256\$%' AND length(pin_hash) > 100")"
out=$(echo 1111 | V staff add --login lan --name "Lê Thị Lan" --role nurse 2>&1)
equal "staff add from the command line works once a manager exists" "Added lan (Nurse)." "$out"
out=$(echo 12 | V staff add --login x --name X --role nurse 2>&1); rc=$?
equal "a 2-digit PIN is refused with the reason" "1|vaxsite: PIN: use 4 to 12 digits." "$rc|$out"

# --- person add / find --------------------------------------------------------------------
out=$(V person add --name "Nguyễn Văn Hùng" --id 001090001234 --dob 01/02/1990 --sex m --phone "+84 912 345 678" 2>&1)
equal "person add prints the ID and the name" "$(printf '001090001234\tNguyễn Văn Hùng')" "$out"
equal "the phone is stored in the national 10-digit form" "0912345678" \
  "$(sql "SELECT phone FROM person WHERE national_id='001090001234'")"
V person add --name "Nguyễn Văn Hưng" --id 001090001235 --dob 03/04/1990 --sex m >/dev/null
V person add --name "Trần Thị Hòa" --id 001190001236 --dob 05/06/1990 --sex f >/dev/null
equal "every command-line write is recorded with the operating-system user as the actor" \
  "os:$(id -un)" "$(sql "SELECT s.login FROM person p JOIN staff s ON s.id=p.updated_by WHERE p.national_id='001090001235'")"

out=$(V person find ng v hu)
first=$(printf '%s\n' "$out" | head -1)
equal "find 'ng v hu' puts Nguyễn Văn Hùng first (ID, name, birth date)" \
  "$(printf '001090001234\tNguyễn Văn Hùng\t01/02/1990')" "$first"
equal "find by words in another order and without marks" "001190001236" \
  "$(V person find hoa tran | cut -f1 | head -1)"
equal "find with the old tone placement (hoà) finds Hòa" "001190001236" \
  "$(V person find 'Thị Hoà' | cut -f1 | head -1)"
equal "find by phone typed with +84" "001090001234" "$(V person find '+84912345678' | cut -f1 | head -1)"
equal "find by the exact ID puts that person first" "001090001235" \
  "$(V person find 001090001235 | cut -f1 | head -1)"

# --- bad input: the field and the reason, nothing written -----------------------------------
before=$(sql "SELECT count(*) FROM person")
out=$(V person add --name "A" --id 097090001234 --dob 01/02/1990 2>&1); rc=$?
check "a CCCD with province 097 is refused naming the field" \
  [ $rc -eq 1 -a "${out#vaxsite: ID number:}" != "$out" ]
out=$(V person add --name "B" --id 001090009999 --dob 31/02/1990 2>&1); rc=$?
equal "an impossible birth date is refused with the date named" \
  "1|vaxsite: Birth date: 31/02/1990 does not exist." "$rc|$out"
out=$(V person add --name "C" --id 001090001234 --dob 01/02/1990 2>&1); rc=$?
equal "a duplicate ID is refused with the existing person's name" \
  "1|vaxsite: ID number: 001090001234 is already registered to Nguyễn Văn Hùng (born 01/02/1990)." "$rc|$out"
out=$(V person add --name "D" --id 001090009998 --dob 01/02/1990 --phone 0162123456 2>&1); rc=$?
check "an old 11-digit phone is refused with the reason" [ $rc -eq 1 -a "${out#vaxsite: Phone:}" != "$out" ]
equal "refused adds wrote nothing" "$before" "$(sql "SELECT count(*) FROM person")"
out=$(V person add --name "E" 2>&1); rc=$?
equal "missing options are a usage error (exit 2)" "2" "$rc"
out=$(V person add --name "E" --id 001090001239 --dob 01/02/1990 --colour red 2>&1); rc=$?
equal "an unknown option is refused, not ignored" "2|vaxsite: unknown option --colour (see --help)" "$rc|$out"

# --- queue --------------------------------------------------------------------------------
t1=$(V queue checkin 001090001234)
t2=$(V queue checkin 001090001235)
equal "check-ins get tickets 001 and 002" "001 002" "$t1 $t2"
out=$(V queue checkin 001090001234 2>&1); rc=$?
equal "a second check-in the same day is refused naming the ticket" \
  "1|vaxsite: Already checked in today: ticket 001, \"Waiting for screening\"." "$rc|$out"
equal "queue next screening calls the first arrival" "001" "$(V queue next screening)"
equal "queue status lists ticket and state" "$(printf '001\tscreening\n002\twaiting_screening')" "$(V queue status)"
equal "each step appended one visit_event" "3" "$(sql "SELECT count(*) FROM visit_event")"
out=$(V queue next injection 2>&1); rc=$?
equal "nobody waiting for injection says so" "1|vaxsite: Nobody is waiting for injection." "$rc|$out"

# --- check, damaged and foreign files -------------------------------------------------------
out=$(V check); rc=$?
equal "check on a clean database" "0|$DB: ok (schema $(sql "PRAGMA user_version"))" "$rc|$out"
head -c 40000 /dev/urandom >"$WORK/garbage.db"
sum_before=$(md5sum <"$WORK/garbage.db")
out=$($VAXSITE --db "$WORK/garbage.db" --lang en queue status 2>&1); rc=$?
check "a damaged file gives one clear line and exit 1" \
  [ $rc -eq 1 -a "$(printf '%s\n' "$out" | wc -l)" -eq 1 -a "${out#*damaged}" != "$out" ]
equal "the damaged file is unchanged" "$sum_before" "$(md5sum <"$WORK/garbage.db")"
sqlite3 "$WORK/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
out=$($VAXSITE --db "$WORK/other.db" --lang en check 2>&1); rc=$?
check "another program's SQLite file is refused" [ $rc -eq 1 -a "${out#*another program}" != "$out" ]
cp "$DB" "$WORK/newer.db"
sqlite3 "$WORK/newer.db" "PRAGMA user_version=99"
out=$($VAXSITE --db "$WORK/newer.db" --lang en queue status 2>&1); rc=$?
check "a database from a newer vaxsite is refused naming both versions" \
  [ $rc -eq 1 -a "${out#*schema 99}" != "$out" ]
out=$($VAXSITE --db "$WORK/none.db" --lang en queue status 2>&1); rc=$?
check "a missing database says how to make one" [ $rc -eq 1 -a "${out#*vaxsite demo}" != "$out" ]
check "and creates no file" [ ! -e "$WORK/none.db" ]

# --- where data lives, the test clock ---------------------------------------------------------
XDG_DATA_HOME="$WORK/xdg" $VAXSITE --lang en demo --people 20 >/dev/null
equal "without --db the database is \$XDG_DATA_HOME/vaxsite/vaxsite.db, mode 0600 in a 0700 folder" \
  "600 700" "$(stat -c %a "$WORK/xdg/vaxsite/vaxsite.db") $(stat -c %a "$WORK/xdg/vaxsite")"
VAXSITE_CLOCK=2021-10-15T08:00 V person add --name "Lò Văn Páo" --id 012080001111 --dob 01/01/1980 >/dev/null
VAXSITE_CLOCK=2021-10-15T08:00 V queue checkin 012080001111 >/dev/null
equal "VAXSITE_CLOCK sets the day a check-in belongs to" "2021-10-15" \
  "$(sql "SELECT v.day FROM visit v JOIN person p ON p.id=v.person_id WHERE p.national_id='012080001111'")"
echo "2021-10-15T09:00" >"$WORK/clock"
VAXSITE_CLOCK_FILE="$WORK/clock" V queue next screening >/dev/null
echo "2021-10-15T09:30" >"$WORK/clock"
VAXSITE_CLOCK_FILE="$WORK/clock" V queue status --date 2021-10-15 >/dev/null
equal "VAXSITE_CLOCK_FILE moves every process's clock at once (the call is stamped 09:00 local)" \
  "02:00" "$(sql "SELECT strftime('%H:%M', max(at), 'unixepoch') FROM visit_event WHERE to_state='screening' AND visit_id=(SELECT v.id FROM visit v JOIN person p ON p.id=v.person_id WHERE p.national_id='012080001111')")"
out=$(VAXSITE_CLOCK=yesterday V queue status 2>&1); rc=$?
check "a bad VAXSITE_CLOCK is refused with the reason" [ $rc -eq 2 -a "${out#*VAXSITE_CLOCK}" != "$out" ]
out=$($VAXSITE --db "$WORK" --lang en queue status 2>&1); rc=$?
equal "a folder given as the database is refused" "1|vaxsite: $WORK is a folder, not a database file." "$rc|$out"

# --- a database held by another program longer than the timeout --------------------------
# the holder keeps its write lock until the check-in has given up (a line on a pipe), not for a
# fixed time; the check-in starts once the lock is seen taken
mkfifo "$WORK/release"
(echo "BEGIN IMMEDIATE; INSERT INTO setting VALUES ('x','y',0,NULL);"; read -r _ <"$WORK/release"; echo "ROLLBACK;") | sqlite3 "$DB" &
holder=$!
i=0
until ! sqlite3 -batch "$DB" "PRAGMA busy_timeout=0; BEGIN IMMEDIATE; ROLLBACK;" 2>/dev/null || [ $i -ge 100 ]; do
  sleep 0.05
  i=$((i + 1))
done
before=$(sql "SELECT count(*) FROM visit")
out=$(V queue checkin 001190001236 2>&1); rc=$?
echo done >"$WORK/release"
wait $holder
check "a check-in while another program holds the database for too long says it is busy" \
  [ $rc -eq 1 -a "${out#*busy}" != "$out" -a "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]
equal "and writes nothing" "$before" "$(sql "SELECT count(*) FROM visit")"
equal "once the other program is done, the same check-in works" "003" "$(V queue checkin 001190001236)"

# --- two processes checking in and calling next at once ------------------------------------
for i in $(seq 1 60); do
  printf "INSERT INTO person(uuid,national_id,full_name,name_folded,birth_date,created_at,updated_at) VALUES ('u%d','0010900%05d','P %d','p %d','1990-01-01',0,0);\n" $i $((20000 + i)) $i $i
done | sqlite3 "$DB"
worker() {
  local from=$1
  for i in $(seq "$from" 2 60); do
    V queue checkin "0010900$(printf %05d $((20000 + i)))" >/dev/null
    V queue next screening --station "s$from" >>"$WORK/called.$from" 2>/dev/null
  done
}
worker 1 & worker 2 & wait
equal "two processes: no duplicate ticket today" "0" \
  "$(sql "SELECT count(*) FROM (SELECT ticket FROM visit GROUP BY site_id, day, ticket HAVING count(*) > 1)")"
equal "two processes: nobody called twice" "0" \
  "$(sql "SELECT count(*) FROM (SELECT visit_id FROM visit_event WHERE to_state='screening' GROUP BY visit_id HAVING count(*) > 1)")"
equal "two processes: every printed ticket is a distinct visit" \
  "$(cat "$WORK"/called.* | wc -l)" "$(cat "$WORK"/called.* | sort -u | wc -l)"
equal "two processes: the database is intact" "$DB: ok (schema $(sql "PRAGMA user_version"))" "$(V check)"

# --- files read whole: refused over their limit, never read cut short ----------------------------
head -c $((4 * 1024 * 1024 + 100)) /dev/zero | tr '\0' '#' >"$WORK/big.conf"
out=$(V product load "$WORK/big.conf" 2>&1); rc=$?
check "a catalogue over 4 MiB is refused (it was read cut at 4 MiB)" test "$rc" -ne 0
check "naming the file and the limit" grep -qF "big.conf is larger than 4194304 bytes" <<<"$out"
out=$(head -c $((16 * 1024 * 1024 + 1)) /dev/zero | V cert verify - 2>&1); rc=$?
check "a scanned text over 16 MiB on standard input is refused" test "$rc" -ne 0
check "naming standard input and the limit" grep -qF "standard input is larger than 16777216 bytes" <<<"$out"
out=$(V checklist check "$WORK/no-such-form.txt" 2>&1); rc=$?
check "a missing checklist file is named" grep -qF "cannot read $WORK/no-such-form.txt" <<<"$out"

finish
