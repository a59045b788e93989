#!/bin/bash
# A manager's merge of two records of one person travels: laptop A merges the record made under
# her CCCD into the one under her old CMND; laptop B, which held both from an earlier bundle,
# makes the same merge when it imports A's next bundle (once, however often it is imported);
# laptop C, which gets the merge before the people, keeps it waiting and makes it when they come.
# With PostgreSQL installed, the district server makes the merge on push and a fourth laptop's
# pull brings it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/laptops.sh"

COMMUNE="Xã Bản Hon"
OLD=045123456
NEW=062162000123
# people LAPTOP: the rows this laptop shows for her: records not merged, then her doses
people() {
  lsql "$1" "SELECT (SELECT count(*) FROM person WHERE full_name LIKE 'Lò%Xuân'
                      AND merged_into IS NULL) || '|' ||
                    (SELECT count(*) FROM dose d JOIN person p ON p.id = d.person_id
                      WHERE p.national_id = '$OLD')"
}
laptop A TEAM-A
laptop B TEAM-B
laptop C TEAM-C
V A person add --name "Lò Thị Xuân" --id $OLD --dob 15/03/1962 --sex f --commune "$COMMUNE" >/dev/null
V A person add --name "Lò Xuân" --id $NEW --dob 15/03/1962 --sex f --commune "$COMMUNE" --new >/dev/null
V A queue checkin $NEW >/dev/null
lsql A "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, given_at, lot_no, series,
          arm, station, created_at, updated_at)
        SELECT lower(hex(randomblob(16))), p.id, v.id, 'AZ', 1, strftime('%s','now'), 'NJ0342',
          'covid-19', 'left', 'injection-1', strftime('%s','now'), strftime('%s','now')
        FROM person p JOIN visit v ON v.person_id = p.id WHERE p.national_id = '$NEW'"
FP=$(V A sync status | sed -n 's/^bundles signed by key: //p')
V B sync trust "$FP" >/dev/null
V C sync trust "$FP" >/dev/null
V A export --bundle "$WORK/a1.vxb" >/dev/null
V B import --bundle "$WORK/a1.vxb" >/dev/null
equal "B holds her twice, her dose under the CCCD record" "2|0" "$(people B)"

out=$(V A person merge $NEW --into $OLD --reason "cùng một người, hai giấy tờ" 2>&1)
check "A's manager merges the two records: $out" test "$(people A)" = "1|1"
equal "the merge is an event in A's outbox, naming both records' uuids" "1|1" \
  "$(lsql A "SELECT count(*) || '|' || sum(json_extract(body, '$.kept_uuid') =
               (SELECT uuid FROM person WHERE national_id = '$OLD') AND
               json_extract(body, '$.merged_uuid') = (SELECT uuid FROM person WHERE national_id = '$NEW'))
             FROM sync_outbox WHERE kind = 'person_merge'")"
V A export --bundle "$WORK/a2.vxb" >/dev/null
out=$(V B import --bundle "$WORK/a2.vxb" 2>&1)
equal "B's import makes the merge: one record, with the dose ($out)" "1|1" "$(people B)"
equal "at B both IDs find the same person" "$(V B person find $OLD | head -1)" \
  "$(V B person find $NEW | head -1)"
equal "B's audit names the merge, where it was made and by whom" "1" \
  "$(lsql B "SELECT count(*) FROM audit WHERE action = 'person.merge'
             AND details LIKE '%merged at TEAM-A by os:%'")"
state() {
  lsql B "SELECT (SELECT count(*) FROM person_history), (SELECT count(*) FROM audit WHERE
            action = 'person.merge'), (SELECT count(*) FROM sync_entry),
            (SELECT count(*) FROM person WHERE merged_into IS NOT NULL)"
}
BEFORE=$(state)
V B import --bundle "$WORK/a2.vxb" >/dev/null
V B import --bundle "$WORK/a1.vxb" >/dev/null
equal "importing both bundles again changes nothing at B" "$BEFORE" "$(state)"

V C import --bundle "$WORK/a2.vxb" >/dev/null
equal "C got the merge before the people: it waits, listed for a manager" "merge_waiting" \
  "$(V C sync conflicts | cut -f1 | grep merge)"
V C import --bundle "$WORK/a1.vxb" >/dev/null
equal "when the people arrive, C makes the merge" "1|1" "$(people C)"
equal "and it no longer waits" "0" \
  "$(lsql C "SELECT count(*) FROM sync_conflict WHERE kind = 'merge_waiting' AND resolved_at = 0")"

# --- the district server -------------------------------------------------------------------------
PG_OPTIONAL=1 PG_PORT_SALT=7919
. "$(dirname "$0")/pg.sh"
if [ -n "${PG_MISSING:-}" ]; then
  ok "# SKIP PostgreSQL is not installed: the server's part is not run"
  finish
fi
"$PGBIN/psql" "$BASE/postgres" -qc "CREATE DATABASE d1" >/dev/null
U="$BASE/d1"
q() { "$PGBIN/psql" "$U" -Atqc "$1"; }
V A sync init-server "$U" >/dev/null
out=$(V A sync push "$U" 2>&1)
equal "the server makes the merge on A's push: the CCCD record points at the CMND one" \
  "$(lsql A "SELECT uuid FROM person WHERE national_id = '$OLD'")" \
  "$(q "SELECT merged_into FROM person WHERE national_id = '$NEW'")"
equal "the district counts her dose for the kept record" "1" \
  "$(q "SELECT count(*) FROM dose d JOIN person p ON p.uuid = d.person_canon
        WHERE p.national_id = '$OLD'")"
equal "no conflict, nothing quarantined ($out)" "0|0" \
  "$(q "SELECT (SELECT count(*) FROM conflict) || '|' || (SELECT count(*) FROM quarantine)")"
BEFORE=$(q "SELECT (SELECT count(*) FROM person_history), (SELECT count(*) FROM sync_event)")
V B sync push "$U" >/dev/null
equal "B forwarding the same merge changes nothing on the server" "$BEFORE" \
  "$(q "SELECT (SELECT count(*) FROM person_history), (SELECT count(*) FROM sync_event)")"
laptop D TEAM-D
out=$(V D sync pull "$U" --communes "$COMMUNE" 2>&1)
equal "D's pull brings her as one record with her dose ($out)" "1|1" "$(people D)"
equal "at D her CCCD finds the kept record" "$(V D person find $OLD | head -1)" \
  "$(V D person find $NEW | head -1)"
V D sync pull "$U" >/dev/null
equal "a second pull changes nothing" "1|1|1" \
  "$(people D)|$(lsql D "SELECT count(*) FROM audit WHERE action = 'person.merge'")"

# C's outbox holds the merge before the people (it got the bundles in that order): pushed one
# event a batch, the server holds the merge waiting, then makes it with the batch of the person
"$PGBIN/psql" "$BASE/postgres" -qc "CREATE DATABASE d3" >/dev/null
V C sync init-server "$BASE/d3" >/dev/null
V C sync push "$BASE/d3" --batch 1 >/dev/null
equal "a merge pushed before its people waits on the server and is made when they come" \
  "$(lsql A "SELECT uuid FROM person WHERE national_id = '$OLD'")|1|0" \
  "$("$PGBIN/psql" "$BASE/d3" -Atqc "SELECT (SELECT merged_into FROM person WHERE national_id = '$NEW')
     || '|' || (SELECT count(*) FROM conflict WHERE kind = 'merge_waiting') || '|' ||
     (SELECT count(*) FROM conflict WHERE kind = 'merge_waiting' AND resolved_at IS NULL)")"

# a server of schema 1 (before merges) is upgraded in place by init-server (what each later
# version made is taken away, newest first)
"$PGBIN/psql" "$BASE/postgres" -qc "CREATE DATABASE d2" >/dev/null
V A sync init-server "$BASE/d2" >/dev/null
"$PGBIN/psql" "$BASE/d2" -qc "DROP FUNCTION vs_apply_extra; ALTER FUNCTION vs_apply_extra_v9 RENAME TO vs_apply_extra;
  DROP TABLE guardian; ALTER TABLE dose DROP COLUMN additional, DROP COLUMN round;
  DROP FUNCTION vs_apply_extra; ALTER FUNCTION vs_apply_extra_v8 RENAME TO vs_apply_extra;
  DROP INDEX sync_event_reaction; DROP INDEX sync_event_reaction_person;
  ALTER TABLE dose DROP COLUMN place, DROP COLUMN source, DROP COLUMN uvci, DROP COLUMN verified;
  DROP TRIGGER person_linked ON person; DROP FUNCTION vs_linked;
  DROP FUNCTION vs_apply_links; DROP FUNCTION vs_merge_pair; DROP TABLE person_link; DROP INDEX person_history_commune;
  DROP FUNCTION vs_apply_edits; ALTER TABLE person DROP COLUMN clock;
  ALTER TABLE conflict DROP COLUMN field, DROP COLUMN a_value, DROP COLUMN b_value;
  DROP TABLE aefi_report; DROP FUNCTION vs_apply_extra; ALTER TABLE person DROP COLUMN ethnicity;
  DROP TRIGGER person_alias_identity ON person_alias; DROP FUNCTION vs_identity;
  DROP FUNCTION vs_apply_renumber; DROP FUNCTION vs_apply_merges; DROP INDEX sync_event_merge;
  ALTER TABLE person DROP COLUMN merged_into; UPDATE vs_meta SET value = '1'" >/dev/null
lsql A "UPDATE setting SET value = '0' WHERE key = 'sync.pushed_seq'"
out=$(V A sync push "$BASE/d2" 2>&1); rc=$?
equal "a push to a server of schema 1 is refused, saying to upgrade it" \
  "1|vaxsite: Server: its schema is older than this vaxsite's; run 'vaxsite sync init-server URL' once to upgrade it." \
  "$rc|$out"
V A sync init-server "$BASE/d2" >/dev/null
V A sync push "$BASE/d2" >/dev/null
equal "after init-server the push makes the merge there too" \
  "$(lsql A "SELECT uuid FROM person WHERE national_id = '$OLD'")" \
  "$("$PGBIN/psql" "$BASE/d2" -Atqc "SELECT merged_into FROM person WHERE national_id = '$NEW'")"

finish
