#!/bin/bash
# A conflict two laptops make, worked through by a manager: both sides listed with where and when
# each came from, resolved on one laptop, the resolution pushed to a real PostgreSQL (a throwaway
# cluster, tests/e2e/pg.sh): gone from the server's list and from the other laptop's once it
# pulls; quarantined events listed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/laptops.sh"
. "$(dirname "$0")/pg.sh"

"$PSQL" "$BASE/postgres" -qc "CREATE DATABASE d1" >/dev/null
U="$BASE/d1"
ok "a throwaway PostgreSQL cluster runs on 127.0.0.1:$PORT"

# --- two laptops give one woman dose 1 offline ----------------------------------------------
COMMUNE="Xã Bản Giang"
dose() {
  lsql "$1" "INSERT INTO dose(uuid, person_id, visit_id, product, dose_number, given_at, lot_no,
               series, arm, station, created_at, updated_at)
             SELECT lower(hex(randomblob(16))), p.id, v.id, 'AZ', 1, strftime('%s','now'),
               '$3', 'covid-19', 'left', 'injection-$4', strftime('%s','now'),
               strftime('%s','now')
             FROM person p JOIN visit v ON v.person_id = p.id WHERE p.national_id = '$2'"
}
laptop A TEAM-A
laptop B TEAM-B
ID=012191002222
for l in A B; do
  V $l person add --name "Lò Thị Ón" --id $ID --dob 03/04/1991 --sex f --commune "$COMMUNE" >/dev/null
  V $l queue checkin $ID >/dev/null
done
dose A $ID LOT-A 1
dose B $ID LOT-B 2
DA=$(lsql A "SELECT uuid FROM dose")
DB=$(lsql B "SELECT uuid FROM dose")
V A sync init-server "$U" >/dev/null
V A sync push "$U" >/dev/null
V B sync push "$U" >/dev/null
equal "the server lists the dose given twice" "1" \
  "$(V A sync conflicts "$U" 2>/dev/null | cut -f1 | grep -c same_dose_number)"
sline=$(V A sync conflicts "$U" 2>/dev/null | grep ^same_dose_number)
ssides="$(cut -f9 <<<"$sline") || $(cut -f10 <<<"$sline")"
check "the server's list shows A's dose (lot, site, desk): $ssides" \
  grep -q "dose $ID Lò Thị Ón: dose 1, AZ, lot LOT-A, .*site TEAM-A, device .*desk injection-1" <<<"$ssides"
check "and B's" grep -q "lot LOT-B, .*site TEAM-B, device .*desk injection-2" <<<"$ssides"
V A sync pull "$U" --communes "$COMMUNE" >/dev/null
V B sync pull "$U" --communes "$COMMUNE" >/dev/null
equal "both laptops list it after their pull" "1|1" \
  "$(V A sync conflicts 2>/dev/null | cut -f1 | grep -c same_dose_number)|$(V B sync conflicts 2>/dev/null | cut -f1 | grep -c same_dose_number)"

# --- the listing: both doses, where and when ----------------------------------------------------
line=$(V A sync conflicts 2>"$WORK/err" | grep ^same_dose_number)
sides="$(cut -f9 <<<"$line") || $(cut -f10 <<<"$line")"
check "the line names the woman by ID and name: $line" grep -q "	$ID	Lò Thị Ón	" <<<"$line"
check "one side is A's dose (lot, site, desk): $sides" grep -q "dose $ID Lò Thị Ón: dose 1, AZ, lot LOT-A, .*site TEAM-A, device .*desk injection-1" <<<"$sides"
check "the other is B's: $sides" grep -q "lot LOT-B, .*site TEAM-B, device .*desk injection-2" <<<"$sides"
equal "the count goes to standard error (with the district's: her ID registered twice)" \
  "2 conflicts to resolve; page 1 of 1.|1" \
  "$(cat "$WORK/err")|$(V A sync conflicts 2>/dev/null | grep -c ^duplicate_person)"
CID=$(cut -f8 <<<"$line")

# --- resolved on A ------------------------------------------------------------------------------
echo 2580 | V A staff add --login yta --name "Lê Thị Lan" --role nurse >/dev/null
out=$(echo 2580 | V A --as yta sync resolve "$CID" --void "$DB" --reason "twice" 2>&1); rc=$?
equal "a nurse may not resolve it: $out" "1|0" \
  "$rc|$(lsql A "SELECT count(*) FROM sync_entry WHERE kind = 'conflict_resolved'")"
out=$(V A sync resolve "$CID" --void "$DB" 2>&1); rc=$?
equal "without a reason it is refused" "1|Reason: say why the conflict is resolved so." \
  "$rc|$(sed 's/^vaxsite: //' <<<"$out")"
out=$(V A sync resolve "$CID" --keep c --reason x 2>&1); rc=$?
equal "a wrong shape is refused with the usage" "2" "$rc"
out=$(V A sync resolve "$CID" --void "$DB" --reason "B entered her card a second time" 2>&1); rc=$?
equal "a manager voids the dose entered twice" "0|Conflict $CID resolved; the resolution goes with the next push or bundle." "$rc|$out"
equal "the dose is voided, the conflict resolved, audited" "1|0|1" \
  "$(lsql A "SELECT voided FROM dose WHERE uuid = '$DB'")|$(V A sync conflicts 2>/dev/null | grep -c same_dose_number)|$(lsql A "SELECT count(*) FROM audit WHERE action = 'sync.conflict_resolve'")"
V A sync push "$U" >/dev/null
equal "pushed: the server's list leaves it out" "0" \
  "$(V A sync conflicts "$U" 2>/dev/null | grep -c same_dose_number)"
equal "the server holds the resolution event with who and why" "void|B entered her card a second time" \
  "$(q "$U" "SELECT body->>'action' || '|' || (body->>'reason') FROM sync_event WHERE kind = 'conflict_resolved'")"
V B sync pull "$U" >/dev/null
equal "B, after its pull, no longer lists it" "0" \
  "$(V B sync conflicts 2>/dev/null | grep -c same_dose_number)"
equal "B's other conflicts stay" "1" "$(V B sync conflicts 2>/dev/null | grep -c duplicate_person)"

# --- a resolution pulled before the conflict is listed here -------------------------------------
# B's bundle of its registration is written first; then B confirms that the two registrations are
# one woman. A has never seen B's registration (its pull brings the district's record, A's own):
# its pull keeps the resolution, and the bundle, when it brings the registration, lists nothing
V B export --bundle "$WORK/b.vxb" >/dev/null
BID=$(V B sync conflicts 2>/dev/null | grep ^duplicate_person | cut -f8)
out=$(V B sync resolve "$BID" --merge --reason "one woman, registered at both tables" 2>&1); rc=$?
equal "B confirms the duplicate registration" "0" "$rc"
V B sync push "$U" >/dev/null
equal "the server's list leaves it out" "0" "$(V A sync conflicts "$U" 2>/dev/null | grep -c duplicate_person)"
V A sync pull "$U" >/dev/null
V A sync trust "$(V B sync status | sed -n 's/^bundles signed by key: //p')" >/dev/null
out=$(V A import --bundle "$WORK/b.vxb" 2>&1); rc=$?
equal "A takes B's earlier bundle: B's registration is merged into A's record" "0|1|0" \
  "$rc|$(lsql A "SELECT count(*) FROM sync_alias a JOIN person p ON p.id = a.person_id WHERE p.national_id = '$ID'")|$(lsql A "SELECT count(*) FROM sync_entry WHERE kind = 'conflict_resolved' AND device <> (SELECT value FROM setting WHERE key = 'sync.device_id')")"
equal "and A lists it as resolved, not open" "0" "$(V A sync conflicts 2>/dev/null | grep -c duplicate_person)"

# --- two edits of one field: both values on the server's list, resolved on B -------------------
ID2=012085003333
V A person add --name "Tòng Văn Ín" --id $ID2 --dob 05/06/1985 --sex m --commune "$COMMUNE" >/dev/null
V A sync push "$U" >/dev/null
V B sync pull "$U" >/dev/null
V A person edit $ID2 --phone 0911111111 --reason "he gave it at A" >/dev/null
V B person edit $ID2 --phone 0922222222 --reason "he gave it at B" >/dev/null
V A sync push "$U" >/dev/null
V B sync push "$U" >/dev/null
line=$(V A sync conflicts "$U" 2>/dev/null | grep ^concurrent_edit)
check "the server lists the two edits with both values: $line" \
  grep -q "0911111111.*0922222222\|0922222222.*0911111111" <<<"$line"
check "each edit with its site: $(cut -f9,10 <<<"$line")" \
  grep -q "edit $ID2 Tòng Văn Ín: {\"phone\": \"09[12]\{8\}\"}; site TEAM-[AB].*edit $ID2 Tòng Văn Ín: {\"phone\": \"09[12]\{8\}\"}; site TEAM-[AB]" <<<"$(cut -f9,10 <<<"$line")"
V A sync pull "$U" >/dev/null
V B sync pull "$U" >/dev/null
SID=$(cut -f8 <<<"$line")
equal "a pull lists the district's concurrent edit on both laptops too, with both values" "1|1" \
  "$(V A sync conflicts 2>/dev/null | grep -c ^concurrent_edit)|$(V B sync conflicts 2>/dev/null | grep -c ^concurrent_edit)"
out=$(V B sync resolve "$U" "$SID" --keep x --reason r 2>&1); rc=$?
equal "a wrong side is refused" "2" "$rc"
KEEP=$(grep -q '0911111111"} / ' <<<"$line" && echo a || echo b)
out=$(V B sync resolve "$U" "$SID" --keep $KEEP --reason "he confirmed A's number by phone" 2>&1); rc=$?
equal "B's manager keeps A's number, from the server's list" \
  "0|Conflict $SID resolved; the resolution goes with the next push or bundle." "$rc|$out"
equal "B holds A's number again" "0911111111" "$(lsql B "SELECT phone FROM person WHERE national_id = '$ID2'")"
V B sync push "$U" >/dev/null
equal "pushed: the server's list leaves the edit out, and its record holds the number kept" \
  "0|0911111111" \
  "$(V A sync conflicts "$U" 2>/dev/null | grep -c ^concurrent_edit)|$(q "$U" "SELECT phone FROM person WHERE national_id = '$ID2'")"
out=$(V A sync resolve "$U" "$SID" --keep a --reason again 2>&1); rc=$?
equal "resolved already, on the server too" "1|vaxsite: Conflict: resolved already." "$rc|$out"
V A sync pull "$U" >/dev/null
equal "A, after its pull, holds the number kept" "0911111111" \
  "$(lsql A "SELECT phone FROM person WHERE national_id = '$ID2'")"
V B sync pull "$U" >/dev/null
equal "and neither laptop lists the edit any more" "0|0" \
  "$(V A sync conflicts 2>/dev/null | grep -c ^concurrent_edit)|$(V B sync conflicts 2>/dev/null | grep -c ^concurrent_edit)"

# --- quarantine -------------------------------------------------------------------------------
V A sync quarantine "$U" >"$WORK/q0" 2>"$WORK/e0"
equal "nothing kept apart on the server yet" "0|No event kept apart." "$(wc -l <"$WORK/q0")|$(cat "$WORK/e0")"
q "$U" "INSERT INTO quarantine(uuid, kind, site, device, device_seq, body, stored_body)
        SELECT uuid, kind, site, device, device_seq, jsonb_set(body, '{full_name}', '\"X\"'), body
        FROM sync_event WHERE kind = 'person' LIMIT 1" >/dev/null
V A sync quarantine "$U" >"$WORK/q1" 2>"$WORK/e1"
equal "a quarantined event: kind, site, what differs, and the count" \
  "person|TEAM-A|full_name|1 events kept apart; page 1 of 1." \
  "$(cut -f2,3,6 "$WORK/q1" | tr '\t' '|')|$(cat "$WORK/e1")"
V A sync quarantine >"$WORK/q2" 2>"$WORK/e2"
equal "here: none" "0|No event kept apart." "$(wc -l <"$WORK/q2")|$(cat "$WORK/e2")"

finish
