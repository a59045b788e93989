#!/bin/bash
# Files that hold names and ID numbers are private: each kind the command line writes is made
# with mode 0600 under the usual umask 022, and check warns about a database or key others read.
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }
umask 022

echo 2468 | V staff add --login hoa --name "Nguyễn Thị Hoa" --role manager >/dev/null
sql "UPDATE site SET code='BVLC', name='Trạm Y tế phường Tân Phong'" >/dev/null
[ "$(sql "SELECT count(*) FROM site")" = 1 ] || sql "INSERT INTO site(uuid, code, name, created_at, updated_at) VALUES ('s1', 'BVLC', 'Trạm Y tế phường Tân Phong', 0, 0)"
V person add --name "Nguyễn Văn Đức" --id 001090001234 --dob 01/02/1990 --sex m >/dev/null
PID=$(sql "SELECT id FROM person WHERE national_id='001090001234'")
sql "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, lot_no, created_at, updated_at) VALUES ('d1', $PID, 'AZ', 1, strftime('%s','now'), 'ABV5300', 0, 0)"
DOSE=$(sql "SELECT id FROM dose WHERE uuid='d1'")
V keys init >/dev/null
CID=$(V cert issue "$DOSE" | cut -d' ' -f1)

mode() { stat -c %a "$1" 2>/dev/null || echo missing; }
V export --bundle "$WORK/b.vxb" >/dev/null
equal "a bundle is 0600" "600" "$(mode "$WORK/b.vxb")"
V report --format xlsx --out "$WORK/r.xlsx" >/dev/null
equal "an xlsx report is 0600" "600" "$(mode "$WORK/r.xlsx")"
V report --format csv --out "$WORK/r.csv" >/dev/null
equal "a csv report is 0600" "600" "$(mode "$WORK/r.csv")"
V export national --out "$WORK/nat.csv" >/dev/null
equal "the national csv export is 0600" "600" "$(mode "$WORK/nat.csv")"
V export fhir --out "$WORK/fhir.json" >/dev/null
equal "the FHIR json export is 0600" "600" "$(mode "$WORK/fhir.json")"
V cert pdf "$CID" --out "$WORK/c.pdf" >/dev/null
equal "a certificate PDF is 0600" "600" "$(mode "$WORK/c.pdf")"
V cert png "$CID" --out "$WORK/c.png" >/dev/null
equal "a certificate PNG is 0600" "600" "$(mode "$WORK/c.png")"
V cert revoked --out "$WORK/revoked.json" >/dev/null
equal "the revocation list written with --out is 0600" "600" "$(mode "$WORK/revoked.json")"
equal "the site's key is 0600" "600" "$(mode "$DB.keys/site.key")"
# an existing file written over becomes private too
touch "$WORK/old.pdf"; chmod 644 "$WORK/old.pdf"
V cert pdf "$CID" --out "$WORK/old.pdf" >/dev/null
equal "a PDF written over a 0644 file leaves it 0600" "600" "$(mode "$WORK/old.pdf")"

out=$(V check 2>&1)
check "check says nothing about modes when all is private: $out" bash -c "! grep -qi 'readable' <<<\"\$1\"" _ "$out"
chmod 644 "$DB" "$DB.keys/site.key"
out=$(V check 2>&1)
check "check warns that the database is readable by others: $out" grep -q "$DB: readable by other users" <<<"$out"
check "check warns that the key is readable by others" grep -q "site.key: readable by other users" <<<"$out"
chmod 600 "$DB" "$DB.keys/site.key"
finish
