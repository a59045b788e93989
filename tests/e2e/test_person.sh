#!/bin/bash
# One person, one record from the command line: a chip ID card's scan in person find and queue
# checkin, the duplicate check at registration (an old CMND and a new CCCD), a corrected name whose
# certificate is re-issued and verifies while the old one is revoked, and doses given elsewhere.
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DATA="$ROOT/tests/data"

echo 2468 | V staff add --login hoa --name "Nguyễn Thị Hoa" --role manager >/dev/null
[ "$(sql "SELECT count(*) FROM site")" = 1 ] || sql "INSERT INTO site(uuid, code, name, created_at, updated_at) VALUES ('s1', 'BVLC', 'Trạm Y tế phường Tân Phong', 0, 0)"
sql "UPDATE site SET code='BVLC', name='Trạm Y tế phường Tân Phong'" >/dev/null

CCCD=062162000123
SCAN="$CCCD|045123456|Lò Thị Xuân|15031962|Nữ|Bản Hon, Xã Bản Hon, Huyện Tam Đường, Tỉnh Lai Châu|10052021"

# --- a scan of someone not registered, then registered under her old CMND -------------------
out=$(V person find "$SCAN" 2>&1); rc=$?
equal "person find with the scan of an unknown card fails" "1" "$rc"
check "and says who is not registered and how to register" grep -q "Lò Thị Xuân (ID $CCCD, born 15/03/1962) is not registered" <<<"$out"
out=$(V person find "$CCCD|045123456|Lò Thị Xuân|15031962|Nữ" 2>&1); rc=$?
equal "a cut scan is refused" "1" "$rc"
check "naming how many fields it has" grep -q "5 fields" <<<"$out"
V person add --name "Lò Thị Xuân" --id 045123456 --dob 15/03/1962 --sex f >/dev/null
PID=$(sql "SELECT id FROM person WHERE national_id='045123456'")

# --- duplicate check: the same woman with her new CCCD, typed at the desk -----------------
before=$(sql "SELECT count(*) FROM person")
out=$(V person add --name "LO THI XUAN" --id $CCCD --dob 15/03/1962 --sex f 2>&1); rc=$?
equal "registering her again under the CCCD is held" "1" "$rc"
check "the existing record is shown (ID, name, birth date)" grep -q "045123456	Lò Thị Xuân	15/03/1962" <<<"$out"
check "the way to link is said" grep -q -- "--same-as" <<<"$out"
equal "nothing was saved" "$before" "$(sql "SELECT count(*) FROM person")"
out=$(V person add --scan "$SCAN" 2>&1); rc=$?
equal "the card's scan of her is held too (old CMND on the card)" "1" "$rc"
out=$(V person add --scan "$SCAN" --same-as 045123456 2>&1); rc=$?
equal "--same-as links the card's CCCD to her record" "0" "$rc"
equal "still one record" "$before" "$(sql "SELECT count(*) FROM person")"
equal "the CCCD finds her record" "045123456	Lò Thị Xuân	15/03/1962" "$(V person find $CCCD)"

# --- the scan at check-in ---------------------------------------------------------------
equal "person find with her card's scan finds her" "045123456	Lò Thị Xuân	15/03/1962" "$(V person find "$SCAN" 2>/dev/null)"
out=$(V queue checkin "$SCAN" 2>&1); rc=$?
equal "queue checkin with the scan checks her in" "0" "$rc"
equal "the visit is hers" "$PID" "$(sql "SELECT person_id FROM visit ORDER BY id DESC LIMIT 1")"
# a CMND-registered man whose first scan links his CCCD on the way
V person add --name "Lò Văn Pấu" --id 045000111 --dob 01/01/1950 --sex m >/dev/null
out=$(V queue checkin "062050000777|045000111|Lò Văn Pấu|01011950|Nam|Xã A, Huyện B, Tỉnh C|01012021" 2>&1); rc=$?
equal "an old-CMND record is checked in by the new card" "0" "$rc"
check "the CCCD is said to be linked" grep -q "062050000777 is now linked" <<<"$out"
equal "and is stored as his" "1" "$(sql "SELECT count(*) FROM person_id WHERE value='062050000777'")"

# --- a corrected name: the certificate is re-issued, verifies, and the old one is revoked ----
sql "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, lot_no, created_at, updated_at) VALUES ('d1', $PID, 'AZ', 1, strftime('%s','now'), 'ABV5300', 0, 0)"
DOSE=$(sql "SELECT id FROM dose WHERE uuid='d1'")
V keys init >/dev/null
V keys export --out "$WORK/site.pem" >/dev/null
out=$(V cert issue "$DOSE"); OLD=${out%% *}; OLDCI=${out#* }
out=$(V person edit 045123456 --name "Lò Thị Xuân Mai" 2>&1); rc=$?
equal "an edit without a reason is refused" "2" "$rc"
out=$(V person edit 045123456 --name "Lò Thị Xuân Mai" --reason "name misspelt at registration" 2>&1); rc=$?
equal "person edit --name with a reason" "0" "$rc"
check "says a certificate prints what changed" grep -q "1 certificate(s) print what changed" <<<"$out"
equal "the previous version is in the history" "Lò Thị Xuân" "$(sql "SELECT full_name FROM person_history WHERE person_id=$PID ORDER BY id DESC LIMIT 1")"
out=$(V cert reissue --stale --reason "name corrected" 2>&1); rc=$?
equal "cert reissue --stale" "0" "$rc"
check "re-issues one" grep -q "1 certificate(s) re-issued" <<<"$out"
NEW=$(sql "SELECT id FROM certificate WHERE person_id=$PID AND revoked_at=0")
V cert revoked --out "$WORK/revoked.txt" >/dev/null
out=$(V cert verify "$(V cert hc1 "$NEW")" --trust "$WORK/site.pem" --revoked "$WORK/revoked.txt" 2>&1); rc=$?
equal "the new certificate verifies" "0" "$rc"
check "and carries the corrected name" grep -qi "MAI" <<<"$out"
out=$(V cert verify "$(sql "SELECT hc1 FROM certificate WHERE id=$OLD")" --trust "$WORK/site.pem" --revoked "$WORK/revoked.txt" 2>&1); rc=$?
check "the old one is revoked" grep -q "revoked" <<<"$out"
check "its UVCI is on the revocation list" grep -qF "$OLDCI" "$WORK/revoked.txt"

# --- a dose given at another site: the next dose here is numbered after it ------------------
out=$(V dose elsewhere 045000111 --product AZ --date 01/08/2021 2>&1); rc=$?
equal "dose elsewhere without --place is a usage error" "2" "$rc"
out=$(V dose elsewhere 062050000777 --product AZ --date 01/08/2099 --place "TTYT Tam Đường" 2>&1); rc=$?
equal "a dose elsewhere in the future is refused" "1" "$rc"
check "naming the date" grep -q "Date:" <<<"$out"
out=$(V dose elsewhere 062050000777 --product AZ --date 01/08/2021 --place "TTYT Tam Đường, Lai Châu" --lot ABV5300 2>&1); rc=$?
equal "dose elsewhere by the linked CCCD" "0" "$rc"
check "is dose 1" grep -q "dose 1" <<<"$out"
equal "stored on his record with where it was given" "1" "$(sql "SELECT count(*) FROM dose d JOIN person p ON p.id=d.person_id WHERE p.national_id='045000111' AND d.place='TTYT Tam Đường, Lai Châu' AND d.source='manual' AND d.visit_id IS NULL")"

# --- the doses listed, and one recorded by mistake voided (its certificate revoked) ------------
out=$(V dose list 062050000777)
equal "dose list shows the dose elsewhere with its place" "1|TTYT Tam Đường, Lai Châu" \
  "$(printf '%s\n' "$out" | awk -F'\t' '{print NR "|" $6}' | tail -1)"
out=$(V dose void "$DOSE" 2>&1); rc=$?
equal "dose void without a reason is a usage error" "2" "$rc"
out=$(V dose void "$DOSE" --reason "recorded for the wrong person" 2>&1); rc=$?
equal "dose void with a reason" "0" "$rc"
equal "the dose is kept, voided" "1|recorded for the wrong person" "$(sql "SELECT voided || '|' || void_reason FROM dose WHERE id=$DOSE")"
equal "its certificate in force is revoked" "0" "$(sql "SELECT count(*) FROM certificate WHERE dose_id=$DOSE AND revoked_at=0")"
equal "and the list no longer shows it" "" "$(V dose list 045123456)"
out=$(V dose void "$DOSE" --reason "again" 2>&1); rc=$?
equal "a dose voided already is refused" "1" "$rc"

finish
