#!/bin/bash
# Two SQLite laptops and one real PostgreSQL (a throwaway cluster on a loopback port): offline
# work on both, pushes in either order, repeated pushes, a push killed half way and repeated,
# the designed conflicts, the district's dose figures equal to the site's, then a pull and an
# offline dose 2 at another site.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/laptops.sh"

# --- a throwaway PostgreSQL cluster ---------------------------------------------------------
. "$(dirname "$0")/pg.sh"
"$PSQL" "$BASE/postgres" -qc "CREATE DATABASE d1" -c "CREATE DATABASE d2" -c "CREATE DATABASE d3" \
  >/dev/null
U1="$BASE/d1"
U2="$BASE/d2"
U3="$BASE/d3"
ok "a throwaway PostgreSQL cluster runs on 127.0.0.1:$PORT"

# --- two laptops, offline ---------------------------------------------------------------------
COMMUNE="Xã Bản Giang"
laptop A TEAM-A
laptop B TEAM-B
# dose LAPTOP ID NUMBER: a dose given now at the person's visit of today (the visit is checked in
# by the real command; the row goes in as the injection room writes it)
dose() {
  lsql "$1" "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, given_at, lot_no,
               series, arm, station, created_at, updated_at)
             SELECT lower(hex(randomblob(16))), p.id, v.id, 'AZ', $3, strftime('%s','now'),
               'NJ0342', 'covid-19', 'left', 'injection-1', strftime('%s','now'),
               strftime('%s','now')
             FROM person p JOIN visit v ON v.person_id = p.id WHERE p.national_id = '$2'"
}
V A person add --name "Lò Văn Pá" --id 012090001111 --dob 01/02/1990 --sex m --commune "$COMMUNE" >/dev/null
V A person add --name "Lò Thị Ón" --id 012191002222 --dob 03/04/1991 --sex f --commune "$COMMUNE" \
  --ethnicity "Thái" >/dev/null
V B person add --name "Lò Văn Pa" --id 012090001111 --dob 01/02/1990 --sex m --commune "$COMMUNE" >/dev/null
V B person add --name "Tòng Văn Ín" --id 012085003333 --dob 05/06/1985 --sex m --commune "$COMMUNE" >/dev/null
for id in 012090001111 012191002222; do V A queue checkin $id >/dev/null; dose A $id 1; done
for id in 012090001111 012085003333; do V B queue checkin $id >/dev/null; dose B $id 1; done
# laptop A also worked for days at a factory: 20,000 people and their doses (3 days ago)
lsql A "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
        INSERT INTO person(uuid, national_id, full_name, name_folded, birth_date, sex, commune,
          created_at, updated_at)
        SELECT lower(hex(randomblob(16))), printf('0011%08d', i), 'Nguyen Van ' || i,
          'nguyen van ' || i, '1980-01-01', 'm', 'Phường Khác', strftime('%s','now') - 259200,
          strftime('%s','now') - 259200 FROM n;
        INSERT INTO dose(uuid, person_id, product, dose_number, given_at, series, created_at,
          updated_at)
        SELECT lower(hex(randomblob(16))), id, 'PF', 1, created_at, 'covid-19', created_at,
          created_at FROM person WHERE national_id LIKE '0011%';"
NA=$(lsql A "SELECT count(*) FROM sync_outbox")
NB=$(lsql B "SELECT count(*) FROM sync_outbox")
check "every record of both laptops is in their outboxes ($NA + $NB events)" \
  test "$NA" -gt 40000 -a "$NB" -ge 6
equal "the laptops' outboxes share no uuid" "0" \
  "$(sqlite3 -batch -noheader "$WORK/A.db" "ATTACH '$WORK/B.db' AS b;
     SELECT count(*) FROM sync_outbox a JOIN b.sync_outbox bb ON bb.uuid = a.uuid")"

# --- the server's schema ----------------------------------------------------------------------
out=$(V A sync init-server "$U1" 2>&1)
equal "sync init-server creates the schema" "Server schema ready." "$out"
equal "init-server again is a no-op" "Server schema ready." "$(V A sync init-server "$U1" 2>&1)"
V A sync init-server "$U2" >/dev/null
out=$(V A sync push "$BASE/postgres" 2>&1); rc=$?
equal "push to a server without the schema is refused with the reason" \
  "1|vaxsite: Server: no vaxsite schema yet; run 'vaxsite sync init-server URL'." "$rc|$out"

# --- server 1: B first, then A killed half way, then both again --------------------------------
V B sync push "$U1" >/dev/null
equal "B's push lands: every event once" "$NB" "$(q "$U1" "SELECT count(*) FROM sync_event")"
# the binary itself in the background (its id, not a subshell's, is the one killed; the
# subshell around it keeps bash's "Killed" notice out of the TAP output)
( $VAXSITE --db "$WORK/A.db" --lang en sync push "$U1" --batch 1000 >/dev/null 2>&1 &
  echo $! >"$WORK/push.pid"; wait $! ) 2>/dev/null &
SUB=$!
until [ -s "$WORK/push.pid" ]; do sleep 0.01; done
PUSH=$(cat "$WORK/push.pid")
for _ in $(seq 1 400); do
  n=$(q "$U1" "SELECT count(*) FROM sync_event")
  [ "$n" -gt "$((NB + 2000))" ] && break
  sleep 0.02
done
kill -9 "$PUSH" 2>/dev/null
wait $SUB
equal "the push process died of SIGKILL" "137" "$?"
MID=$(q "$U1" "SELECT count(*) FROM sync_event")
check "the push was killed half way ($((MID - NB)) of $NA events on the server)" \
  test "$MID" -gt "$NB" -a "$MID" -lt "$((NA + NB))"
LEFT=$(V A sync status | sed -n 's/^not pushed yet: //p')
check "A still counts as not sent what the server did not commit ($LEFT left)" \
  test "$LEFT" -gt 0 -a "$LEFT" -le "$((NA + NB - MID + 1000))"
sleep 0.5
equal "nothing reaches the server after the kill" "$MID" "$(q "$U1" "SELECT count(*) FROM sync_event")"
out=$(V A sync push "$U1" --batch 1000 2>&1)
check "the repeated push finishes: $out" test $? -eq 0
equal "the repeated push re-sent at most the one batch that was in flight" \
  "$((NA + NB - MID))" "$(printf '%s' "$out" | sed -n 's/.* \([0-9]*\) new.*/\1/p')"
V A sync push "$U1" >/dev/null
V B sync push "$U1" >/dev/null
out=$(V B sync push "$U1")
equal "a repeated push sends nothing" \
  "Pushed: 0 sent, 0 new, 0 already there, 0 quarantined, 0 conflicts" "$out"
equal "A has nothing left to push" "0" "$(V A sync status | sed -n 's/^not pushed yet: //p')"
# the window a kill can also hit: the server committed, the laptop had not yet marked it sent
BEFORE=$(q "$U1" "SELECT (SELECT count(*) FROM sync_event), (SELECT count(*) FROM dose), (SELECT max(seq) FROM dose)")
lsql A "UPDATE setting SET value = '0' WHERE key = 'sync.pushed_seq'"
out=$(V A sync push "$U1")
equal "events the server already committed are no-ops when sent again" \
  "Pushed: $NA sent, 0 new, $NA already there, 0 quarantined, 0 conflicts, 9 batches" "$out"
equal "and the server's state is exactly the same" "$BEFORE" \
  "$(q "$U1" "SELECT (SELECT count(*) FROM sync_event), (SELECT count(*) FROM dose), (SELECT max(seq) FROM dose)")"
equal "the server holds every event exactly once (the sum of both laptops)" "$((NA + NB))" \
  "$(q "$U1" "SELECT count(*) FROM sync_event")"
equal "no duplicate (device, sequence) on the server" "0" \
  "$(q "$U1" "SELECT count(*) FROM (SELECT device, device_seq FROM sync_event GROUP BY 1, 2
                HAVING count(*) > 1) x")"
equal "nothing was quarantined" "0" "$(q "$U1" "SELECT count(*) FROM quarantine")"
DA=$(lsql A "SELECT count(*) FROM dose")
DB_=$(lsql B "SELECT count(*) FROM dose")
equal "the server's doses are the sum of both laptops' ($DA + $DB_)" "$((DA + DB_))" \
  "$(q "$U1" "SELECT count(*) FROM dose")"
equal "people: one per national ID (the one registered twice is merged)" "20003" \
  "$(q "$U1" "SELECT count(*) FROM person")"
equal "the second registration is an alias of the first" "1" \
  "$(q "$U1" "SELECT count(*) FROM person_alias")"
equal "every visit of the person registered twice is kept under the merged person" "2" \
  "$(q "$U1" "SELECT count(DISTINCT v.visit_uuid) FROM visit_event v JOIN person p ON p.uuid = v.person_uuid
              WHERE p.national_id = '012090001111'")"
equal "the conflict list holds the designed conflicts" \
  "$(printf 'duplicate_person|1\nsame_dose_number|1')" \
  "$(q "$U1" "SELECT kind, count(*) FROM conflict GROUP BY kind ORDER BY kind")"
equal "sync conflicts URL lists them for a manager (kind, then the records)" \
  "duplicate_person same_dose_number" \
  "$(V A sync conflicts "$U1" | cut -f1 | sort | tr '\n' ' ' | sed 's/ $//')"
equal "B's own list holds what B saw: nothing yet (B merged nothing)" "" "$(V B sync conflicts)"
equal "both dose 1 of the person registered twice are kept" "2" \
  "$(q "$U1" "SELECT count(*) FROM dose d JOIN person p ON p.uuid = d.person_canon
              WHERE p.national_id = '012090001111' AND d.dose_number = 1 AND d.voided = 0")"

# --- server 2: the other order gives the same state ---------------------------------------------
# (the sent marks are the laptop's, for its one district server: cleared to send it all again)
lsql A "DELETE FROM setting WHERE key = 'sync.pushed_seq'"
lsql B "DELETE FROM setting WHERE key = 'sync.pushed_seq'"
V A sync push "$U2" >/dev/null
V B sync push "$U2" >/dev/null
state() {
  q "$1" "SELECT (SELECT count(*) FROM sync_event), (SELECT count(*) FROM person),
            (SELECT count(*) FROM dose), (SELECT count(*) FROM person_alias),
            (SELECT string_agg(kind, ',' ORDER BY kind) FROM conflict),
            (SELECT count(*) FROM quarantine)"
}
equal "pushes in the other order (A, then B) give the same server state" "$(state "$U1")" \
  "$(state "$U2")"

# --- the district's figures equal the site's ---------------------------------------------------
TODAY=$(date +%F)
LOCAL_A=$(V A sync report --local --day "$TODAY")
check "site A's daily report counts its doses of today" test -n "$LOCAL_A"
equal "the server's doses of today for TEAM-A equal A's daily report (product, dose, count)" \
  "$LOCAL_A" "$(V A sync report "$U1" --day "$TODAY" --site TEAM-A)"
equal "the same for TEAM-B" "$(V B sync report --local --day "$TODAY")" \
  "$(V B sync report "$U1" --day "$TODAY" --site TEAM-B)"
equal "the district's figure is the sum of the sites'" "$(printf 'AZ\t1\t4')" \
  "$(V A sync report "$U1" --day "$TODAY")"

# --- a third team pulls before it leaves, then gives dose 2 offline ------------------------------
laptop C TEAM-C
out=$(V C sync pull "$U1" --communes "$COMMUNE" 2>&1)
equal "pull brings the commune's registry and its doses given elsewhere" \
  "Pulled: 3 people, 4 doses given elsewhere, 1 conflicts" "$out"
equal "the pulled registry holds no one from other communes" "0" \
  "$(lsql C "SELECT count(*) FROM person WHERE commune <> '$COMMUNE'")"
equal "pulled records do not go back out as C's own" "0" \
  "$(lsql C "SELECT count(*) FROM sync_outbox WHERE kind IN ('person', 'dose')")"
equal "C knows Lò Thị Ón's dose 1 from TEAM-A: she is due for dose 2" "2" \
  "$(lsql C "SELECT count(*) + 1 FROM dose d JOIN person p ON p.id = d.person_id
             WHERE p.national_id = '012191002222' AND d.voided = 0")"
equal "her ethnicity came with her registration, to the district and back" "Thái|Thái" \
  "$(q "$U1" "SELECT ethnicity FROM person WHERE national_id = '012191002222'")|$(lsql C "SELECT ethnicity FROM person WHERE national_id = '012191002222'")"
check "the due list shows her with her dose 1" sh -c "$VAXSITE --db '$WORK/C.db' --lang en due --all | grep -q 'Lò Thị Ón'"
# a pulled person is edited on the laptop, twice (the first edit after a pull once failed for good
# on the outbox's uuid), and the edit reaches the district
out=$(V C person edit 012191002222 --reason "phone given at the desk" --phone 0912000111 2>&1); rc=$?
equal "a pulled person can be edited on the laptop" "0" "$rc"
out=$(V C person edit 012191002222 --reason "phone corrected" --phone 0912000222 \
  --ethnicity "Lự" 2>&1); rc=$?
equal "and edited again" "0|0912000222" \
  "$rc|$(lsql C "SELECT phone FROM person WHERE national_id = '012191002222'")"
V C queue checkin 012191002222 >/dev/null
dose C 012191002222 2
out=$(V C sync pull "$U1" 2>&1)
equal "a second pull brings nothing new (the server sequence cursor)" \
  "Pulled: 0 people, 0 doses given elsewhere, 0 conflicts" "$out"
V C sync push "$U1" >/dev/null
equal "the district now has her doses 1 (TEAM-A) and 2 (TEAM-C)" \
  "$(printf '1|TEAM-A\n2|TEAM-C')" \
  "$(q "$U1" "SELECT d.dose_number, d.site FROM dose d JOIN person p ON p.uuid = d.person_canon
              WHERE p.national_id = '012191002222' ORDER BY 1")"
equal "and no new conflict" "2" "$(q "$U1" "SELECT count(*) FROM conflict")"
equal "the laptop's edit of the pulled person reached the district" "0912000222|Lự" \
  "$(q "$U1" "SELECT phone, ethnicity FROM person WHERE national_id = '012191002222'")"

# --- a serious reaction's report reaches the district, flagged serious; a correction replaces it
lsql C "INSERT INTO reaction(uuid, visit_id, person_id, seen_at, signs, severity, action,
          created_at, updated_at)
        SELECT lower(hex(randomblob(16))), d.visit_id, d.person_id, d.given_at, 'hives breathing',
          'serious', 'anaphylaxis', d.given_at, d.given_at FROM dose d JOIN person p
          ON p.id = d.person_id WHERE p.national_id = '012191002222' AND d.visit_id IS NOT NULL"
RX=$(lsql C "SELECT id FROM reaction")
V C aefi report "$RX" --treatment "adrenalin" --outcome recovering --reporter "Lò Thị Hoa" >/dev/null
V C sync push "$U1" >/dev/null
equal "the district holds the report, flagged serious, under the person and the site" \
  "t|1|recovering|TEAM-C|$(lsql C "SELECT uuid FROM person WHERE national_id = '012191002222'")" \
  "$(q "$U1" "SELECT serious, version, outcome, site, person_uuid FROM aefi_report")"
V C aefi report "$RX" --outcome recovered >/dev/null
V C sync push "$U1" >/dev/null
equal "a correction replaces it there (one report, version 2)" "1|2|recovered|adrenalin" \
  "$(q "$U1" "SELECT count(*), max(version), max(outcome), max(body->>'treatment') FROM aefi_report")"

# --- the same person edited on two laptops: newest wins, the other kept, a manager told ---------
edit() {
  lsql "$1" "UPDATE person SET phone = '$3', version = version + 1,
             updated_at = strftime('%s','now') + $4 WHERE national_id = '$2'"
}
edit C 012191002222 0911111111 5
edit A 012191002222 0922222222 10
V C sync push "$U1" >/dev/null
V A sync push "$U1" >/dev/null
equal "each edit leaves with only the changed field and its base version" \
  '{"phone":"0922222222"}|1' \
  "$(lsql A "SELECT json_extract(body, '$.fields') || '|' || json_extract(body, '$.base_version')
             FROM sync_outbox WHERE kind = 'person_edit'")"
equal "the newest edit is the district's record" "0922222222" \
  "$(q "$U1" "SELECT phone FROM person WHERE national_id = '012191002222'")"
equal "the other version is kept in the person's history" "1" \
  "$(q "$U1" "SELECT count(*) FROM person_history h JOIN person p ON p.uuid = h.person_uuid
              WHERE p.national_id = '012191002222' AND h.body->>'phone' = '0911111111'")"
equal "the concurrent edit is listed for a manager" "1" \
  "$(q "$U1" "SELECT count(*) FROM conflict WHERE kind = 'concurrent_edit'")"

# --- the same uuid with other content is quarantined, not merged -------------------------------
cp "$WORK/B.db" "$WORK/B2.db"
lsql B2 "DROP TRIGGER sync_entry_no_update;
         UPDATE sync_entry SET body = json_set(body, '$.full_name', 'Someone Else')
           WHERE seq = (SELECT min(seq) FROM sync_entry WHERE kind = 'person');
         UPDATE setting SET value = '0' WHERE key = 'sync.pushed_seq'"
out=$(V B2 sync push "$U1")
equal "an altered copy of B's events: the altered one is quarantined, the rest are no-ops" \
  "Pushed: $NB sent, 0 new, $((NB - 1)) already there, 1 quarantined, 0 conflicts, 1 batches" "$out"
equal "the server's record is untouched" "0" \
  "$(q "$U1" "SELECT count(*) FROM person WHERE full_name = 'Someone Else'")"

# --- a bundle instead of the network ------------------------------------------------------------
laptop D TEAM-D
V D person add --name "Quàng Thị Xuân" --id 012192004444 --dob 07/08/1992 --sex f --commune "$COMMUNE" >/dev/null
V D queue checkin 012192004444 >/dev/null
dose D 012192004444 1
out=$(V D export --bundle "$WORK/d.vxb")
check "export --bundle writes D's events: $out" test -s "$WORK/d.vxb"
# a bundle is signed: C does not know D's key yet, and says which key it is
FP=$(V D sync status | sed -n 's/^bundles signed by key: //p')
check "sync status names D's bundle key ($FP)" test "${#FP}" = 64
before=$(lsql C "SELECT count(*) FROM sync_outbox")
out=$(V C import --bundle "$WORK/d.vxb" 2>&1); rc=$?
equal "a bundle from a key C does not trust is refused with one line naming its fingerprint" \
  "1|1|yes" "$rc|$(printf '%s\n' "$out" | wc -l)|$(grep -q "$FP" <<<"$out" && echo yes)"
equal "nothing of it was written" "$before" "$(lsql C "SELECT count(*) FROM sync_outbox")"
out=$(V C sync trust "$FP" 2>&1)
equal "a manager trusts D's key once, audited" "1" \
  "$(lsql C "SELECT count(*) FROM audit WHERE action = 'sync.trust' AND details LIKE '%$FP%'")"
# a USB stick pulled mid-copy: the tail cut by 500 to 3,000 bytes
size=$(stat -c %s "$WORK/d.vxb")
for cut in 500 1200 2000 3000; do
  head -c $((size - cut)) "$WORK/d.vxb" >"$WORK/cut.vxb"
  out=$(V C import --bundle "$WORK/cut.vxb" 2>&1); rc=$?
  equal "a bundle cut by $cut bytes is refused ($out)" "1|$before" \
    "$rc|$(lsql C "SELECT count(*) FROM sync_outbox")"
done
equal "no empty event entered C's outbox" "0" \
  "$(lsql C "SELECT count(*) FROM sync_outbox WHERE body = '' OR NOT json_valid(body)")"
# one byte of the dose changed: dose 1 would read dose 3
python3 - "$WORK/d.vxb" "$WORK/flip.vxb" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.index(b'"dose_number":1') + len('"dose_number":')
b[i] = ord('3')
open(sys.argv[2], 'wb').write(b)
PY
out=$(V C import --bundle "$WORK/flip.vxb" 2>&1); rc=$?
equal "a bundle with dose 1 altered to dose 3 is refused: $out" "1|$before" \
  "$rc|$(lsql C "SELECT count(*) FROM sync_outbox")"
out=$(V C import --bundle "$WORK/d.vxb")
check "import --bundle on C merges them: $out" test "$(lsql C "SELECT count(*) FROM person WHERE national_id = '012192004444'")" = 1
V C sync push "$U1" >/dev/null
equal "C forwards D's events to the district" "1" \
  "$(q "$U1" "SELECT count(*) FROM dose WHERE site = 'TEAM-D'")"
out=$(V C import --bundle "$WORK/d.vxb")
V C sync push "$U1" >/dev/null
equal "importing the bundle again changes nothing on the server" "1" \
  "$(q "$U1" "SELECT count(*) FROM dose WHERE site = 'TEAM-D'")"
# the bundle lost on the way is written again
out=$(V D export --bundle "$WORK/d2.vxb" --since 0)
equal "export --bundle --since 0 writes D's events again" \
  "$(sqlite3 "$WORK/d.vxb" "SELECT group_concat(uuid) FROM event")" \
  "$(sqlite3 "$WORK/d2.vxb" "SELECT group_concat(uuid) FROM event")"
equal "bundles are private files (0600)" "600" "$(stat -c %a "$WORK/d2.vxb")"

# --- a dose voided where it was given reaches a laptop that pulled it before --------------------
V A sync pull "$U1" --communes "$COMMUNE" >/dev/null
equal "A pulled her dose 2 from TEAM-C" "1" \
  "$(lsql A "SELECT count(*) FROM dose d JOIN person p ON p.id = d.person_id
             WHERE p.national_id = '012191002222' AND d.dose_number = 2 AND d.voided = 0")"
D2=$(lsql C "SELECT d.id FROM dose d JOIN person p ON p.id = d.person_id
             WHERE p.national_id = '012191002222' AND d.dose_number = 2")
out=$(V C dose void "$D2" --reason "recorded for the wrong person" 2>&1); rc=$?
equal "C's manager voids it: $out" "0" "$rc"
V C sync push "$U1" >/dev/null
equal "the district holds the void" "1" \
  "$(q "$U1" "SELECT d.voided FROM dose d JOIN person p ON p.uuid = d.person_canon
              WHERE p.national_id = '012191002222' AND d.dose_number = 2")"
V A sync pull "$U1" >/dev/null
equal "A's next pull voids its copy, with the reason" "1|recorded for the wrong person" \
  "$(lsql A "SELECT d.voided || '|' || d.void_reason FROM dose d JOIN person p ON p.id = d.person_id
             WHERE p.national_id = '012191002222' AND d.dose_number = 2")"
equal "and A does not send the void back out as its own" "0" \
  "$(lsql A "SELECT count(*) FROM sync_outbox WHERE kind = 'dose_void'")"

# --- a void of dose 1 renumbers dose 2 at the laptop, the district and the other laptops -------
V A person add --name "Giàng Thị Dợ" --id 012191003333 --dob 20/01/1991 --sex f --commune "$COMMUNE" >/dev/null
V A queue checkin 012191003333 >/dev/null
dose A 012191003333 1
V A sync push "$U1" >/dev/null
V C sync pull "$U1" >/dev/null
V C queue checkin 012191003333 >/dev/null
dose C 012191003333 2
V C sync push "$U1" >/dev/null
V A sync pull "$U1" >/dev/null
numbers() { lsql "$1" "SELECT group_concat(d.dose_number || ':' || d.voided, ' ') FROM (SELECT d.* FROM dose d
                      JOIN person p ON p.id = d.person_id WHERE p.national_id = '012191003333'
                      ORDER BY d.given_at, d.id) d"; }
equal "A holds her doses 1 (its own) and 2 (TEAM-C's)" "1:0 2:0" "$(numbers A)"
D1=$(lsql A "SELECT d.id FROM dose d JOIN person p ON p.id = d.person_id
             WHERE p.national_id = '012191003333' AND d.dose_number = 1")
V A dose void "$D1" --reason "recorded for the wrong person" >/dev/null
equal "A's void of dose 1 makes TEAM-C's dose 2 her dose 1 at A" "1:1 1:0" "$(numbers A)"
V A sync push "$U1" >/dev/null
equal "the district makes the same renumbering" "1:1|1:0" \
  "$(q "$U1" "SELECT string_agg(d.dose_number || ':' || d.voided, '|' ORDER BY d.given_at, d.site)
              FROM dose d JOIN person p ON p.uuid = d.person_canon WHERE p.national_id = '012191003333'")"
V C sync pull "$U1" >/dev/null
equal "C's next pull voids dose 1 and renumbers its own dose 2" "1:1 1:0" "$(numbers C)"
laptop F TEAM-F
V F sync pull "$U1" --communes "$COMMUNE" >/dev/null
equal "a laptop that pulls her for the first time gets the same" "1:1 1:0" "$(numbers F)"

# --- one ID registered for two different people: kept apart, the same in every push order -------
"$PSQL" "$BASE/postgres" -qc "CREATE DATABASE d4" -c "CREATE DATABASE d5" >/dev/null
U4="$BASE/d4"
U5="$BASE/d5"
laptop G TEAM-G
laptop H TEAM-H
V G person add --name "Lò Thị Mai" --id 012175000777 --dob 20/01/1975 --sex f --commune "Xã Tà Lèng" >/dev/null
sleep 1
V H person add --name "Trần Thị Hoa" --id 012175000777 --dob 03/08/1975 --sex f --commune "Xã Tà Lèng" >/dev/null
APART="KGT$(lsql H "SELECT upper(substr(replace(uuid, '-', ''), 1, 9)) FROM person")"
registry() { q "$1" "SELECT string_agg(national_id || ':' || full_name, '|' ORDER BY full_name) FROM person WHERE commune = 'Xã Tà Lèng'"; }
lregistry() { lsql "$1" "SELECT group_concat(national_id || ':' || full_name, '|') FROM (SELECT * FROM person WHERE commune = 'Xã Tà Lèng' ORDER BY full_name)"; }
V G sync init-server "$U4" >/dev/null
V G sync init-server "$U5" >/dev/null
V G sync push "$U4" >/dev/null
V H sync push "$U4" >/dev/null
for l in G H; do lsql $l "DELETE FROM setting WHERE key = 'sync.pushed_seq'"; done
V H sync push "$U5" >/dev/null
V G sync push "$U5" >/dev/null
WANT="012175000777:Lò Thị Mai|$APART:Trần Thị Hoa"
equal "the district keeps both: the earlier registration keeps the ID" "$WANT" "$(registry "$U4")"
equal "the same when the later one is pushed first" "$WANT" "$(registry "$U5")"
equal "neither is an alias of the other" "0|0" \
  "$(q "$U4" "SELECT count(*) FROM person_alias")|$(q "$U5" "SELECT count(*) FROM person_alias")"
equal "a conflict names both people for a manager" "1|1" \
  "$(q "$U4" "SELECT count(*) FROM conflict WHERE kind = 'same_id_differs' AND details LIKE '%Lò Thị Mai%' AND details LIKE '%Trần Thị Hoa%'")|$(q "$U5" "SELECT count(*) FROM conflict WHERE kind = 'same_id_differs'")"
V H sync pull "$U4" --communes "Xã Tà Lèng" >/dev/null
V G sync pull "$U4" --communes "Xã Tà Lèng" >/dev/null
laptop J TEAM-J
V J sync pull "$U4" --communes "Xã Tà Lèng" >/dev/null
equal "after a pull, the laptop that registered her second holds what the district holds" "$WANT" "$(lregistry H)"
equal "and so does the one that registered the ID first" "$WANT" "$(lregistry G)"
equal "and a third laptop that pulls the commune" "$WANT" "$(lregistry J)"
equal "sync conflicts names the person by ID and name, not by uuid" \
  "$(printf 'same_id_differs\t012175000777\tLò Thị Mai')" "$(V H sync conflicts 2>/dev/null | cut -f1-3)"
equal "and so does the district's list" \
  "$(printf 'same_id_differs\t012175000777\tLò Thị Mai')" "$(V H sync conflicts "$U4" 2>/dev/null | cut -f1-3)"
# a long list comes a page at a time, and says how many there are and how to see the rest
# (J lists the district's conflict about her too, since its pull: 119 more make 120)
equal "the third laptop lists the district's conflict about her after its pull" "same_id_differs" \
  "$(V J sync conflicts 2>/dev/null | cut -f1)"
lsql J "WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 120)
        INSERT INTO sync_conflict(kind, person_uuid, a_uuid, b_uuid, details, created_at)
        SELECT 'same_dose_number', '', 'a' || i, 'b' || i, 'test ' || i, strftime('%s','now') FROM n"
V J sync conflicts >"$WORK/c1" 2>"$WORK/e1"
equal "the first page holds 50, and says there is more" \
  "50|120 conflicts to resolve; page 1 of 3: --page 2 shows the next." \
  "$(wc -l <"$WORK/c1")|$(cat "$WORK/e1")"
V J sync conflicts --page 3 >"$WORK/c3" 2>"$WORK/e3"
equal "the last page holds the rest" "20|120 conflicts to resolve; page 3 of 3.|test 120" \
  "$(wc -l <"$WORK/c3")|$(cat "$WORK/e3")|$(tail -1 "$WORK/c3" | cut -f5)"

# --- a password in the address is never stored or printed --------------------------------------
UP=$(sed 's|^postgresql://vax@|postgresql://vax:s3cretPW@|' <<<"$U1")
check "the address with a password differs from the one without ($UP)" test "$UP" != "$U1"
V C sync pull "$UP" >/dev/null
equal "a pull's audit row names the server with its password hidden" "1|0" \
  "$(lsql C "SELECT count(*) FROM audit WHERE action = 'sync.pull' AND details LIKE '%:***@%'")|$(lsql C "SELECT count(*) FROM audit WHERE details LIKE '%s3cretPW%'")"
out=$(V C sync pull "${UP/postgresql:/postgresq:}" 2>&1); rc=$?
equal "a mistyped scheme is refused without echoing the password: $out" "1|0" \
  "$rc|$(grep -c s3cretPW <<<"$out")"

# --- pulls while two laptops push: the commit-order sequence skips nothing -------------------
V A sync init-server "$U3" >/dev/null
lsql A "UPDATE setting SET value = '0' WHERE key = 'sync.pushed_seq'"
lsql B "UPDATE setting SET value = '0' WHERE key = 'sync.pushed_seq'"
laptop E TEAM-E
$VAXSITE --db "$WORK/A.db" sync push "$U3" --batch 700 >/dev/null 2>&1 &
PA=$!
$VAXSITE --db "$WORK/B.db" sync push "$U3" --batch 1 >/dev/null 2>&1 &
PB=$!
pulls=0
while kill -0 $PA 2>/dev/null; do
  V E sync pull "$U3" --communes "Phường Khác" >/dev/null && pulls=$((pulls + 1))
done
wait $PA
wait $PB
V E sync pull "$U3" >/dev/null
check "E pulled $pulls times while A and B were pushing" test "$pulls" -ge 2
equal "after the last pull E holds every person and dose of the commune, none skipped" \
  "$(q "$U3" "SELECT count(*) FROM person WHERE commune = 'Phường Khác'")|$(q "$U3" "SELECT count(*) FROM dose d JOIN person p ON p.uuid = d.person_canon WHERE p.commune = 'Phường Khác'")" \
  "$(lsql E "SELECT count(*) FROM person")|$(lsql E "SELECT count(*) FROM dose")"

finish
