#!/bin/bash
# What a team needs comes with the pull ("Merging laptops"): laptop A gives dose 1 and records a
# serious reaction, and records a dose given elsewhere from the person's EU DCC; it pushes to the
# district's PostgreSQL. Laptop B (another site) pulls its communes: its database holds the
# reaction against the person (no visit of B's, TEAM-A named) and the dose with its place and
# UVCI; B's own figures count neither; B's screening desk shows the reaction before dose 2, at
# 80x24 and 200x50. A server of schema 8 is upgraded in place by init-server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/laptops.sh"
PG_PORT_SALT=4409
. "$(dirname "$0")/pg.sh"

"$PSQL" "$BASE/postgres" -qc "CREATE DATABASE d1" -c "CREATE DATABASE d2" >/dev/null
U="$BASE/d1"
ok "a throwaway PostgreSQL cluster runs on 127.0.0.1:$PORT"

COMMUNE="Xã Bản Giang"
ON=012191002222

# --- laptop A: dose 1 five weeks ago, a serious reaction; a dose given abroad, from its DCC ------
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
# kept at once with the action still to record, then completed (as the observation desk does)
lsql A "UPDATE reaction SET action = 'anaphylaxis', pending = '', notes = 'adrenalin IM',
          updated_at = updated_at + 120"
RX=$(lsql A "SELECT uuid FROM reaction")
SEEN=$(date -d "@$((GIVEN + 900))" +%d/%m/%Y)
# Germany's DCC test case 1 (the public test data): Moderna dose 2 of 2 on 29/05/2021
DATA="$(dirname "$0")/../data/dcc-testdata"
field() { sed -n "s/.*\"$2\": \"\\([^\"]*\\)\".*/\\1/p" "$DATA/$1" | head -1; }
DE_HC1=$(field DE/2DCode/raw/1.json PREFIX)
DE_UVCI="URN:UVCI:01DE/IZ12345A/5CWLU12RNOB9RXSEOP6FG8#W"
mkdir -p "$WORK/A.db.keys"
{
  echo "-----BEGIN CERTIFICATE-----"
  field DE/2DCode/raw/1.json CERTIFICATE | fold -w 64
  echo "-----END CERTIFICATE-----"
} >"$WORK/A.db.keys/trust.pem"
V A person add --name "Erika Mustermann" --id 045123456 --dob 12/08/1964 --sex f \
  --commune "$COMMUNE" >/dev/null
out=$(printf '%s\n' "$DE_HC1" | V A dose elsewhere 045123456 --hc1 - 2>&1)
ELSEWHERE=$(lsql A "SELECT d.dose_number || '|' || d.product || '|' || d.source || '|' || d.place
                    || '|' || d.uvci || '|' || d.verified FROM dose d WHERE d.uvci <> ''")
check "A records Erika's dose given in Germany from her DCC ($ELSEWHERE)" \
  test "$(cut -d'|' -f3,5 <<<"$ELSEWHERE")" = "hc1|$DE_UVCI"
equal "A's dose event carries where and how the dose elsewhere was learnt" "$ELSEWHERE" \
  "$(lsql A "SELECT json_extract(body, '$.dose_number') || '|' || json_extract(body, '$.product')
             || '|' || json_extract(body, '$.source') || '|' || json_extract(body, '$.place') || '|'
             || json_extract(body, '$.uvci') || '|' || json_extract(body, '$.verified')
             FROM sync_outbox WHERE kind = 'dose' AND json_extract(body, '$.uvci') <> ''")"
equal "a dose given at A's own visit leaves with the body it always had" "0" \
  "$(lsql A "SELECT count(*) FROM sync_outbox WHERE kind = 'dose' AND json_extract(body, '$.source') IS NULL
             AND (json_type(body, '$.place') IS NOT NULL OR json_type(body, '$.uvci') IS NOT NULL)")"

# --- the district -------------------------------------------------------------------------------
V A sync init-server "$U" >/dev/null
V A sync push "$U" >/dev/null
equal "the district holds A's reaction event and the dose with its place and UVCI" \
  "1|$(cut -d'|' -f3,4,5 <<<"$ELSEWHERE")" \
  "$(q "$U" "SELECT (SELECT count(*) FROM sync_event WHERE kind = 'reaction' AND uuid = '$RX')
             || '|' || (SELECT source || '|' || place || '|' || uvci FROM dose WHERE uvci <> '')")"

# --- laptop B: a demo site of another team pulls the commune ---------------------------------------
DB="$WORK/B.db"
$VAXSITE --db "$DB" demo --people 1 >/dev/null
out=$(V B sync pull "$U" --communes "$COMMUNE" 2>&1)
equal "B's pull brings the people, the doses and the reaction" \
  "Pulled: 2 people, 2 doses given elsewhere, 1 reactions recorded elsewhere, 0 conflicts" "$out"
equal "B holds the reaction against Lò Thị Ón: no visit of B's, TEAM-A named, as recorded" \
  "1|serious|anaphylaxis|hives breathing|adrenalin IM|TEAM-A|$((GIVEN + 900))" \
  "$(lsql B "SELECT count(*) || '|' || x.severity || '|' || x.action || '|' || x.signs || '|' ||
             x.notes || '|' || x.site || '|' || x.seen_at FROM reaction x JOIN person p
             ON p.id = x.person_id WHERE x.uuid = '$RX' AND x.visit_id IS NULL
             AND p.national_id = '$ON'")"
equal "B holds Erika's dose given elsewhere with its place, source, UVCI and check" \
  "$ELSEWHERE" \
  "$(lsql B "SELECT d.dose_number || '|' || d.product || '|' || d.source || '|' || d.place
             || '|' || d.uvci || '|' || d.verified FROM dose d JOIN person p ON p.id = d.person_id
             WHERE p.national_id = '045123456'")"
equal "pulled records do not go back out as B's own" "0" \
  "$(lsql B "SELECT count(*) FROM sync_outbox WHERE record_uuid IN (SELECT uuid FROM reaction
             UNION ALL SELECT d.uuid FROM dose d JOIN person p ON p.id = d.person_id
             WHERE p.commune = '$COMMUNE')")"
out=$(V B sync pull "$U" 2>&1)
equal "a second pull brings nothing new; the reaction is stored once" \
  "Pulled: 0 people, 0 doses given elsewhere, 0 conflicts|1" \
  "$out|$(lsql B "SELECT count(*) FROM reaction WHERE uuid = '$RX'")"
equal "B's list of serious reactions to report holds none of TEAM-A's" "" \
  "$(V B aefi list --from 2021-01-01 --to 2030-12-31 2>/dev/null)"
out=$(printf '%s\n' "$DE_HC1" | V B dose elsewhere 045123456 --hc1 - 2>&1); rc=$?
check "Erika's certificate scanned again at B is known as recorded already ($out)" \
  test "$rc" -ne 0 -a "$(lsql B "SELECT count(*) FROM dose WHERE uvci = '$DE_UVCI'")" = 1

# --- B's screening desk, before dose 2 ------------------------------------------------------------
V B queue checkin $ON >/dev/null
tui 80 24 --lang en
sign_in bacsi "Screening desk"
expect_screen "the screening desk opens, idle" "Press Enter to call the next person"
keys Enter
expect_screen "calling next brings Lò Thị Ón" "Lò Thị Ón"
expect_screen "80x24: her serious reaction after dose 1, recorded at TEAM-A, before anything else" \
  "⚠ Serious reaction after dose 1 (anaphylaxis), $SEEN at TEAM-A."
expect_screen "80x24: with the form's question on it" "question 1 of the form."
expect_screen "80x24: and its signs" "Widespread hives"
expect_screen "80x24: the questions are still there" "questions not answered yet"
resize 200 50
expect_screen "200x50: the same on one line, with the question and every sign" \
  "⚠ Serious reaction after dose 1 (anaphylaxis), $SEEN at TEAM-A. See question 1 of the form. Widespread hives, Difficulty breathing, stridor or wheeze."
$TM capture-pane -p -t main >"$WORK/200x50.txt"
keys F4
expect_screen "F4 sends her back; the desk is idle" "Press Enter to call the next person"
$TM kill-session -t main >/dev/null 2>&1

# the same in Vietnamese
tui 80 24 --lang vi
wait_for "PIN"
type_text bacsi; keys Tab; type_text 1234; keys Enter
wait_for "1  "
n=$(screen | sed -n 's/^ *\([0-9]\+\)  Bàn khám sàng lọc.*/\1/p' | head -1)
[ -z "$n" ] && n=$(screen | sed -n 's/^ *\([0-9]\+\)  .*[Ss]àng lọc.*/\1/p' | head -1)
type_text "$n"
wait_for "2  " && type_text 1
wait_for "Enter"
keys Enter
expect_screen "vi: the reaction in Vietnamese" "⚠ Tai biến nặng sau mũi 1 (phản vệ), $SEEN tại TEAM-A"
$TM kill-session -t main >/dev/null 2>&1

# --- a server of schema 8 is upgraded in place --------------------------------------------------
U2="$BASE/d2"
V A sync init-server "$U2" >/dev/null
"$PSQL" "$U2" -qc "DROP FUNCTION vs_apply_extra; ALTER FUNCTION vs_apply_extra_v9 RENAME TO vs_apply_extra;
  DROP TABLE guardian; ALTER TABLE dose DROP COLUMN additional, DROP COLUMN round;
  DROP FUNCTION vs_apply_extra; ALTER FUNCTION vs_apply_extra_v8 RENAME TO vs_apply_extra;
  DROP INDEX sync_event_reaction; DROP INDEX sync_event_reaction_person;
  ALTER TABLE dose DROP COLUMN place, DROP COLUMN source, DROP COLUMN uvci, DROP COLUMN verified;
  UPDATE vs_meta SET value = '8'" >/dev/null
lsql A "UPDATE setting SET value = '0' WHERE key = 'sync.pushed_seq'"
out=$(V A sync push "$U2" 2>&1); rc=$?
equal "a push to a server of schema 8 is refused, saying to upgrade it" \
  "1|vaxsite: Server: its schema is older than this vaxsite's; run 'vaxsite sync init-server URL' once to upgrade it." \
  "$rc|$out"
out=$(V A sync init-server "$U2" 2>&1)
equal "init-server upgrades it to schema 10" "Server schema ready.|10" \
  "$out|$(q "$U2" "SELECT value FROM vs_meta WHERE key = 'schema'")"
V A sync push "$U2" >/dev/null
equal "after the upgrade the dose elsewhere keeps its UVCI there" "$DE_UVCI" \
  "$(q "$U2" "SELECT uvci FROM dose WHERE source = 'hc1'")"
$VAXSITE --db "$WORK/C.db" demo --people 1 >/dev/null
out=$(V C sync pull "$U2" --communes "$COMMUNE" 2>&1)
equal "and a pull from it brings the reaction" \
  "Pulled: 2 people, 2 doses given elsewhere, 1 reactions recorded elsewhere, 0 conflicts|1" \
  "$out|$(lsql C "SELECT count(*) FROM reaction WHERE uuid = '$RX' AND site = 'TEAM-A'")"

finish
