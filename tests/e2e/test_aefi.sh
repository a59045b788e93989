#!/bin/bash
# The report of a serious reaction: made and corrected with "vaxsite aefi report", listed, in the
# outbox flagged serious, in the daily report; its PDF on the Ministry's form read back with
# poppler's pdftotext and compared field by field with the database and with the layout data
# (assets/aefi-report.conf); its FHIR R4 AdverseEvent validated against HL7's vendored schema.
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }
LAYOUT="$(cd "$(dirname "$0")/../../assets" && pwd)/aefi-report.conf"
SCHEMA="$(cd "$(dirname "$0")/../data/fhir" && pwd)/fhir.schema.json"

demo_db 100
# a person with an ethnicity, vaccinated an hour ago (the demo's own doses are of this minute),
# with a serious reaction seen 10 minutes after the dose
VID=$(sql "SELECT v.id FROM visit v JOIN dose d ON d.visit_id = v.id WHERE d.voided = 0
           ORDER BY d.id DESC LIMIT 1")
PID=$(sql "SELECT person_id FROM visit WHERE id = $VID")
sql "UPDATE person SET ethnicity = 'Thái' WHERE id = $PID;
     UPDATE dose SET given_at = strftime('%s','now') - 3600, arm = 'left' WHERE visit_id = $VID;
     INSERT INTO reaction(uuid, visit_id, person_id, seen_at, signs, severity, action, created_at,
       updated_at)
     VALUES (lower(hex(randomblob(16))), $VID, $PID, strftime('%s','now') - 3000, 'hives breathing',
       'serious', 'anaphylaxis', strftime('%s','now') - 3000, strftime('%s','now') - 3000);
     INSERT INTO reaction(uuid, visit_id, person_id, seen_at, signs, severity, action, created_at,
       updated_at)
     VALUES (lower(hex(randomblob(16))), $VID, $PID, strftime('%s','now') - 2900, 'local',
       'minor', 'observed', strftime('%s','now') - 2900, strftime('%s','now') - 2900)"
RID=$(sql "SELECT id FROM reaction WHERE severity = 'serious'")
MINOR=$(sql "SELECT id FROM reaction WHERE severity = 'minor'")
NAME=$(sql "SELECT full_name FROM person WHERE id = $PID")
NID=$(sql "SELECT national_id FROM person WHERE id = $PID")

# --- listing and making the report --------------------------------------------------------------
out=$(V aefi list)
equal "aefi list names the serious reaction, not reported yet" \
  "$RID|$NAME|$NID|not reported yet" "$(printf '%s\n' "$out" | awk -F'\t' '{print $1"|"$3"|"$4"|"$5}')"
out=$(V aefi report "$MINOR" --outcome recovered 2>&1); rc=$?
equal "a minor reaction is not reported on the Ministry's form" \
  "1|vaxsite: Only a serious reaction is reported on the Ministry's form." "$rc|$out"
ONSET=$(date -d @$(($(date +%s) - 3300)) +%H:%M)
out=$(V aefi report "$RID" --onset "$(date -d @$(($(date +%s) - 7200)) +%H:%M)" --outcome recovered 2>&1); rc=$?
equal "an onset before the dose is refused" \
  "1|vaxsite: Onset: a reaction after the vaccination begins after the dose was given." "$rc|$out"
out=$(V aefi report "$RID" --onset "$ONSET" --outcome cured 2>&1); rc=$?
check "an outcome the WHO form does not have is refused ($out)" test "$rc" = 1
out=$(V aefi report "$RID" --onset "$ONSET" --treatment "Adrenalin 0,5 mg tiêm bắp; thở oxy" \
  --hospital "Bệnh viện đa khoa huyện Tam Đường" --outcome recovering --reporter "Lò Thị Hoa" \
  --title "Y sĩ" --phone 0912345678)
equal "aefi report saves version 1" \
  "Report of reaction $RID saved (version 1); it leaves with the next sync." "$out"
equal "the report is audited" "1" "$(sql "SELECT count(*) FROM audit WHERE action = 'aefi.report'")"
equal "it is in the outbox, flagged serious, with the person's and the reaction's uuids" \
  "1|1|$(sql "SELECT uuid FROM person WHERE id = $PID")|$(sql "SELECT uuid FROM reaction WHERE id = $RID")" \
  "$(sql "SELECT count(*), json_extract(body, '$.serious'), json_extract(body, '$.person_uuid'),
              json_extract(body, '$.reaction_uuid') FROM sync_outbox WHERE kind = 'aefi_report'")"
out=$(V aefi report "$RID" --outcome recovered --notes "Về nhà sau 24 giờ theo dõi")
equal "a correction is version 2" \
  "Report of reaction $RID saved (version 2); it leaves with the next sync." "$out"
equal "and leaves as a second event" "2|2" \
  "$(sql "SELECT count(*), max(json_extract(body, '$.version')) FROM sync_outbox WHERE kind = 'aefi_report'")"
equal "what was typed before is kept" "Adrenalin 0,5 mg tiêm bắp; thở oxy|recovered" \
  "$(sql "SELECT treatment, outcome FROM aefi_report")"
check "aefi list shows it reported" sh -c "$VAXSITE --db '$DB' --lang en aefi list | grep -q 'reported (version 2)'"

# --- the daily report lists it with its report's state ---------------------------------------
check "the daily report's serious reactions name the case and its report" \
  sh -c "$VAXSITE --db '$DB' --lang en report | grep -q '#$RID: made (v2)'"
check "in Vietnamese too" \
  sh -c "$VAXSITE --db '$DB' --lang vi report | grep -q '#$RID: đã lập (lần 2)'"

# --- the PDF on the Ministry's form ---------------------------------------------------------
V aefi pdf "$RID" --out "$WORK/aefi.pdf"
equal "the PDF is private (0600)" "600" "$(stat -c %a "$WORK/aefi.pdf")"
equal "one A4 page" "1|595.276 x 841.89 pts (A4)" \
  "$(pdfinfo "$WORK/aefi.pdf" | sed -n 's/^Pages: *//p')|$(pdfinfo "$WORK/aefi.pdf" | sed -n 's/^Page size: *//p')"
pdftotext -layout "$WORK/aefi.pdf" "$WORK/aefi.txt"
# every label and static text of the layout is on the page, in the layout's order
labels=$(sed -n 's/^\(label\|text\) = //p' "$LAYOUT" | grep -v '%')
missing=$(while IFS= read -r l; do grep -qF -- "$l" "$WORK/aefi.txt" || echo "$l"; done <<<"$labels")
equal "every label of the layout data is printed" "" "$missing"
# field: the text after LABEL on its line, up to two spaces (the next field) or the end
field() { grep -F -- "$1" "$WORK/aefi.txt" | head -1 | sed "s/.*$1 *//; s/  .*//"; }
equal "Họ và tên" "$NAME" "$(field 'Họ và tên:')"
equal "Ngày tháng năm sinh" "$(sql "SELECT strftime('%d/%m/%Y', birth_date) FROM person WHERE id = $PID")" \
  "$(field 'Ngày tháng năm sinh:')"
equal "Dân tộc" "Thái" "$(field 'Dân tộc:')"
SEX=$(sql "SELECT sex FROM person WHERE id = $PID")
equal "Giới: the person's sex ticked" "$([ "$SEX" = m ] && echo '[x] Nam [ ] Nữ' || echo '[ ] Nam [x] Nữ')" \
  "$(grep -o '\[.\] Nam \[.\] Nữ' "$WORK/aefi.txt")"
equal "Xã" "$(sql "SELECT commune FROM person WHERE id = $PID")" "$(field 'Xã:')"
equal "Cơ sở tiêm chủng" "$(sql "SELECT name FROM site")" "$(field 'Cơ sở tiêm chủng:')"
equal "Người báo cáo" "Lò Thị Hoa" "$(field 'Người báo cáo:')"
equal "Điện thoại & email" "0912345678" "$(field 'Điện thoại & email:')"
equal "Loại vắc xin" "$(sql "SELECT p.name || ' (' || p.manufacturer || ')' FROM dose d JOIN product p ON p.code = d.product WHERE d.visit_id = $VID")" \
  "$(field 'Loại vắc xin:')"
equal "Liều thứ mấy" "$(sql "SELECT dose_number FROM dose WHERE visit_id = $VID")" "$(field 'Liều thứ mấy:')"
equal "Vị trí tiêm" "Cơ delta cánh tay trái" "$(field 'Vị trí tiêm:')"
equal "Số lô" "$(sql "SELECT lot_no FROM dose WHERE visit_id = $VID")" "$(field 'Số lô:')"
equal "Ngày giờ tiêm" "$(date -d @"$(sql "SELECT given_at FROM dose WHERE visit_id = $VID")" '+%H:%M %d/%m/%Y')" \
  "$(field 'Ngày giờ tiêm:')"
equal "Ngày giờ xuất hiện phản ứng" "$ONSET $(date +%d/%m/%Y)" "$(field 'Ngày giờ xuất hiện phản ứng:')"
equal "Dấu hiệu, triệu chứng: the signs' Vietnamese names (aefi.conf)" \
  "$(sed -n '/^\[hives\]/,/^$/s/^vi = //p' "$(dirname "$LAYOUT")/aefi.conf"); $(sed -n '/^\[breathing\]/,/^$/s/^vi = //p' "$(dirname "$LAYOUT")/aefi.conf")" \
  "$(field 'Dấu hiệu, triệu chứng:')"
equal "Tai biến nặng: yes ticked" "1" "$(grep -c 'Tai biến nặng: \[x\] Có \[ \] Không' "$WORK/aefi.txt")"
equal "Xử trí, điều trị" "Adrenalin 0,5 mg tiêm bắp; thở oxy" "$(field 'Xử trí, điều trị:')"
equal "Nơi điều trị" "Bệnh viện đa khoa huyện Tam Đường" "$(field 'Nơi điều trị, chuyển viện:')"
equal "Tình trạng hiện tại: the corrected outcome ticked, none other" "1|1" \
  "$(grep -c '\[x\] Khỏi ' "$WORK/aefi.txt")|$(grep -o '\[x\]' <<<"$(grep 'Tình trạng hiện tại' "$WORK/aefi.txt")" | wc -l)"
equal "Ghi chú" "Về nhà sau 24 giờ theo dõi" "$(field 'Ghi chú:')"
equal "Mã số trường hợp: site, day and reaction" \
  "$(sql "SELECT code FROM site")-$(date +%Y%m%d)-$RID" "$(field 'Mã số trường hợp tai biến nặng sau tiêm chủng:')"
out=$(V aefi pdf "$MINOR" --out "$WORK/minor.pdf" 2>&1); rc=$?
equal "a reaction without a report has no PDF" \
  "1|vaxsite: No report of this reaction has been made yet." "$rc|$out"

# --- ethnicity from a commune's list: the "Dân tộc" column --------------------------------------
printf 'Họ và tên,Số CCCD,Ngày sinh,Dân tộc\nGiàng A Páo,012090007777,01/02/1990,Mông\n' >"$WORK/xa.csv"
V import "$WORK/xa.csv" >/dev/null
equal "the import reads the list's ethnicity column" "Mông" \
  "$(sql "SELECT ethnicity FROM person WHERE national_id = '012090007777'")"
equal "and it leaves with the registration" "Mông" \
  "$(sql "SELECT json_extract(body, '$.ethnicity') FROM sync_outbox WHERE kind = 'person'
          AND record_uuid = (SELECT uuid FROM person WHERE national_id = '012090007777')")"

# --- FHIR R4 -----------------------------------------------------------------------------------
V aefi fhir "$RID" --out "$WORK/aefi.json"
equal "the FHIR file is private (0600)" "600" "$(stat -c %a "$WORK/aefi.json")"
cat >"$WORK/validate.py" <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft6Validator(schema)
doc = json.load(open(sys.argv[2]))
errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:5]:
    print("invalid:", "/".join(map(str, e.path)), e.message[:200])
ae = [e["resource"] for e in doc["entry"] if e["resource"]["resourceType"] == "AdverseEvent"][0]
print(len(errors), ae["seriousness"]["coding"][0]["code"], ae["outcome"]["coding"][0]["code"],
      ae["suspectEntity"][0]["instance"]["reference"] ==
      [e["fullUrl"] for e in doc["entry"] if e["resource"]["resourceType"] == "Immunization"][0],
      ae["subject"]["reference"] ==
      [e["fullUrl"] for e in doc["entry"] if e["resource"]["resourceType"] == "Patient"][0],
      ae["recorder"]["display"])
EOF
equal "the Bundle is valid FHIR R4; its AdverseEvent is serious, resolved, names the dose, the person and the reporter" \
  "0 serious resolved True True Lò Thị Hoa, Y sĩ" "$(python3 "$WORK/validate.py" "$SCHEMA" "$WORK/aefi.json" 2>&1)"
# the validator is not blind: a wrong code in the AdverseEvent fails it
sed 's/"actuality":"actual"/"actuality":"maybe"/' "$WORK/aefi.json" >"$WORK/bad.json"
check "a broken AdverseEvent fails the schema" \
  sh -c "python3 '$WORK/validate.py' '$SCHEMA' '$WORK/bad.json' | grep -q '^invalid:'"

finish
