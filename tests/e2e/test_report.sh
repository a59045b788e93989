#!/bin/bash
# Reports and data exchange: the report as text, CSV and .xlsx (read back with python's
# zipfile and XML parser: sheet names, cell values, dates stored as dates); the import of a list
# (dry run with line numbers, all or nothing, valid rows only); the exports (national CSV, FHIR R4
# validated against HL7's FHIR R4 JSON schema, vendored in tests/data/fhir); the Reports screen.
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }

demo_db 300
TODAY=$(date +%Y-%m-%d)
DOSES=$(sql "SELECT count(*) FROM dose d JOIN visit v ON v.id = d.visit_id WHERE d.voided = 0 AND v.day = '$TODAY'")
CHECKED=$(sql "SELECT count(*) FROM visit WHERE day = '$TODAY' AND state <> 'cancelled'")

# --- text and CSV -----------------------------------------------------------------------------
out=$(V report)
equal "the text report counts today's check-ins as the database does" "$CHECKED" \
  "$(printf '%s\n' "$out" | sed -n 's/^  People checked in  *\([0-9]*\)$/\1/p')"
equal "the text report counts today's doses as the database does" "$DOSES" \
  "$(printf '%s\n' "$out" | sed -n 's/^  Doses given  *\([0-9]*\)$/\1/p')"
V report --format csv --out "$WORK/r.csv" >/dev/null
check "the CSV starts with a BOM and has English headers under --lang en" \
  grep -q $'^\xEF\xBB\xBFSummary' "$WORK/r.csv"
check "the CSV holds the doses-per-hour table" grep -q '^Hour,Doses' "$WORK/r.csv"
check "no Vietnamese heading in the English CSV" test "$(grep -c 'Tổng hợp\|Số mũi' "$WORK/r.csv")" = 0
$VAXSITE --db "$DB" --lang vi report --format csv --out "$WORK/r_vi.csv" >/dev/null
check "under --lang vi the CSV's headers are Vietnamese" grep -q $'^\xEF\xBB\xBFTổng hợp' "$WORK/r_vi.csv"
check "and its doses-per-hour table too" grep -q '^Giờ,Số mũi' "$WORK/r_vi.csv"
check "no English heading in the Vietnamese CSV" test "$(grep -c '^Summary\|^Hour,Doses' "$WORK/r_vi.csv")" = 0
equal "the CSV file is private (0600)" "600" "$(stat -c %a "$WORK/r.csv")"
V report --date 31/02/2021 >/dev/null 2>"$WORK/err"; rc=$?
equal "a date that does not exist is refused with one line" "1|1" "$rc|$(wc -l <"$WORK/err")"

# --- xlsx, read back with an independent reader ---------------------------------------------
out=$(V report --format xlsx --out "$WORK/r.xlsx")
equal "report --format xlsx says where it wrote" "Report written to $WORK/r.xlsx." "$out"
cat >"$WORK/readxlsx.py" <<'EOF'
# Reads an .xlsx with the standard library only: sheet names, and each cell as
# sheet!A1=value(type,format) where dates are numbers whose format is a date format.
import sys, zipfile, re
import xml.etree.ElementTree as ET
ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main',
      'r': 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'}
z = zipfile.ZipFile(sys.argv[1])
wb = ET.fromstring(z.read('xl/workbook.xml'))
rels = ET.fromstring(z.read('xl/_rels/workbook.xml.rels'))
target = {r.get('Id'): r.get('Target') for r in rels}
shared = []
if 'xl/sharedStrings.xml' in z.namelist():
    for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns):
        shared.append(''.join(t.text or '' for t in si.iter('{%s}t' % ns['m'])))
styles = ET.fromstring(z.read('xl/styles.xml'))
fmts = {int(f.get('numFmtId')): f.get('formatCode') for f in styles.iter('{%s}numFmt' % ns['m'])}
xfs = [int(x.get('numFmtId', 0)) for x in styles.find('m:cellXfs', ns).findall('m:xf', ns)]
for sh in wb.find('m:sheets', ns):
    name = sh.get('name')
    print('SHEET', name)
    path = 'xl/' + target[sh.get('{%s}id' % ns['r'])]
    root = ET.fromstring(z.read(path))
    for c in root.iter('{%s}c' % ns['m']):
        v = c.find('m:v', ns)
        if v is None:
            continue
        t = c.get('t', 'n')
        val = shared[int(v.text)] if t == 's' else v.text
        fmt = fmts.get(xfs[int(c.get('s', 0))], '') if t != 's' else ''
        print('%s!%s=%s|%s|%s' % (name, c.get('r'), val, 'text' if t == 's' else 'number', fmt))
EOF
cells=$(python3 "$WORK/readxlsx.py" "$WORK/r.xlsx" 2>&1)
check "the workbook opens with python's zipfile and XML parser" \
  grep -q '^SHEET Summary$' <<<"$cells"
equal "one sheet per table, named in English under --lang en" "15" "$(grep -c '^SHEET ' <<<"$cells")"
check "the cold chain's log is a sheet of its own" grep -q '^SHEET Cold chain$' <<<"$cells"
check "a sheet for the doses per hour" grep -q '^SHEET Doses per hour$' <<<"$cells"
check "English headers in the first row" grep -q '^Doses by product!C1=Dose 1|text|$' <<<"$cells"
check "no Vietnamese text in the English workbook's labels" \
  test "$(grep -c '=Tổng\|=Mũi\|=Số ' <<<"$cells")" = 0
row=$(grep '^Summary!A[0-9]*=Doses given|' <<<"$cells" | sed 's/^Summary!A\([0-9]*\)=.*/\1/')
equal "the doses given are a number cell equal to the database's count" "$DOSES|number" \
  "$(grep "^Summary!B$row=" <<<"$cells" | cut -d= -f2 | cut -d'|' -f1,2)"
row=$(grep '^Summary!A[0-9]*=From|' <<<"$cells" | sed 's/^Summary!A\([0-9]*\)=.*/\1/')
serial=$(python3 -c "import datetime;print((datetime.date.fromisoformat('$TODAY')-datetime.date(1899,12,30)).days)")
equal "the day is a date cell: the spreadsheet's day number with a dd/mm/yyyy format" \
  "$serial|number|dd/mm/yyyy" "$(grep "^Summary!B$row=" <<<"$cells" | cut -d= -f2)"
per_hour=$(grep '^Doses per hour!B[0-9]*=' <<<"$cells" | grep -v '!B1=' | cut -d= -f2 | cut -d'|' -f1 | awk '{s += $1} END {print s + 0}')
equal "the doses per hour add up to the doses given" "$DOSES" "${per_hour:-0}"
check "the wastage rate is a percentage cell" grep -q '^Vials and wastage!E2=[0-9.]*|number|0.0%$' <<<"$cells"
$VAXSITE --db "$DB" --lang vi report --format xlsx --out "$WORK/r_vi.xlsx" >/dev/null
cells_vi=$(python3 "$WORK/readxlsx.py" "$WORK/r_vi.xlsx" 2>&1)
check "under --lang vi the sheets have Vietnamese names" grep -q '^SHEET Tổng hợp$' <<<"$cells_vi"
check "and Vietnamese headers" grep -q '^Mũi tiêm theo vắc xin!C1=Mũi 1|text|$' <<<"$cells_vi"

# --- the province's daily form in the workbook, each figure against SQL ------------------------
# the value in column COL of the row of SHEET whose column A is LABEL
fig() { grep -F "$1!$3" <<<"$cells" | grep -F "$(grep -F "$1!A" <<<"$cells" | grep -F "=$2|" | sed 's/^[^!]*!A\([0-9]*\)=.*/!'"$3"'\1=/')" | cut -d= -f2 | cut -d'|' -f1; }
# the sum of column COL of SHEET below its header
colsum() { grep "^$1!$2[0-9]*=" <<<"$cells" | grep -v "!${2}1=" | cut -d= -f2 | cut -d'|' -f1 | awk '{s += $1} END {print s + 0}'; }
T0=$(date -d "$TODAY 00:00" +%s)
T1=$(date -d "$TODAY 00:00 + 1 day" +%s)
P="Period and cumulative"
CUM=$(sql "SELECT count(*) FROM dose d JOIN visit v ON v.id = d.visit_id WHERE d.voided = 0 AND d.given_at < $T1")
equal "doses of the day and cumulative, as the database counts them" "$DOSES|$CUM" \
  "$(fig "$P" "Doses given" B)|$(fig "$P" "Doses given" C)"
equal "dose 1 of the day" \
  "$(sql "SELECT count(*) FROM dose d JOIN visit v ON v.id = d.visit_id WHERE d.voided = 0 AND d.dose_number = 1 AND d.given_at >= $T0 AND d.given_at < $T1")" \
  "$(fig "$P" "Dose 1" B)"
equal "people who completed the series, day and cumulative" \
  "$(sql "SELECT count(DISTINCT d.person_id) FROM dose d JOIN product p ON p.code = d.product WHERE d.visit_id IS NOT NULL AND d.voided = 0 AND d.dose_number = p.series_doses AND d.given_at >= $T0 AND d.given_at < $T1")|$(sql "SELECT count(DISTINCT d.person_id) FROM dose d JOIN product p ON p.code = d.product WHERE d.visit_id IS NOT NULL AND d.voided = 0 AND d.dose_number = p.series_doses AND d.given_at < $T1")" \
  "$(fig "$P" "People who completed the primary series" B)|$(fig "$P" "People who completed the primary series" C)"
equal "the demo is a fixed clinic: every dose at a fixed point" \
  "$(sql "SELECT kind FROM site")|$DOSES|0" "fixed|$(fig "$P" "Doses at a fixed point" B)|$(fig "$P" "Doses at a mobile point" B)"
equal "doses received that day and cumulative (the ledger's receipts)" \
  "$(sql "SELECT coalesce(sum(doses), 0) FROM stock_move WHERE kind IN ('receive', 'transfer_in') AND at >= $T0 AND at < $T1")|$(sql "SELECT coalesce(sum(doses), 0) FROM stock_move WHERE kind IN ('receive', 'transfer_in') AND at < $T1")" \
  "$(fig "$P" "Vaccine doses received" B)|$(fig "$P" "Vaccine doses received" C)"
equal "minor reactions of the day" \
  "$(sql "SELECT count(*) FROM reaction x JOIN visit v ON v.id = x.visit_id WHERE v.day = '$TODAY' AND x.severity = 'minor'")" \
  "$(fig "$P" "Minor reactions" B)"
equal "bookings of the day, and those who came" \
  "$(sql "SELECT count(*) FROM appointment WHERE day = '$TODAY' AND state <> 'cancelled'")|$(sql "SELECT count(*) FROM appointment WHERE day = '$TODAY' AND state = 'checked_in'")" \
  "$(fig "$P" "People booked" B)|$(fig "$P" "Booked and came" B)"
equal "coverage's denominators: the registry's adults and people 50+" \
  "$(sql "SELECT count(*) FROM person WHERE merged_into IS NULL AND birth_date <= date('$TODAY', '-18 years')")|$(sql "SELECT count(*) FROM person WHERE merged_into IS NULL AND birth_date <= date('$TODAY', '-50 years')")" \
  "$(fig "$P" "Denominator: people 18+ in the site's registry" C)|$(fig "$P" "Denominator: people 50+ in the site's registry" C)"
equal "18+ with a dose (cumulative) and its rate, a percentage cell" \
  "$(sql "SELECT count(*) FROM person p WHERE p.merged_into IS NULL AND p.birth_date <= date('$TODAY', '-18 years') AND EXISTS (SELECT 1 FROM dose d WHERE d.person_id = p.id AND d.voided = 0 AND d.given_at < $T1)")|0.0%" \
  "$(fig "$P" "People 18+ with at least one dose" C)|$(grep -F "$P!D" <<<"$cells" | sed -n '2p' | cut -d'|' -f3)"
equal "closing stock by product adds up to the ledger at the end of the day" \
  "$(sql "SELECT coalesce(sum(doses), 0) FROM stock_move WHERE at < $T1")" "$(colsum "Stock by product" G)"
equal "opening stock: the ledger at the start of the day" \
  "$(sql "SELECT coalesce(sum(doses), 0) FROM stock_move WHERE at < $T0")" "$(colsum "Stock by product" B)"
equal "doses used by lot add up to the ledger's draws of the day" \
  "$(sql "SELECT -coalesce(sum(doses), 0) FROM stock_move WHERE kind = 'draw' AND at >= $T0 AND at < $T1")" "$(colsum "Doses used by lot" E)"
equal "doses by priority group add up to the day's and the cumulative doses" "$DOSES|$CUM" \
  "$(colsum "Doses by priority group" H)|$(colsum "Doses by priority group" I)"
equal "doses by priority group and dose 1 add up to the day's doses 1" "$(fig "$P" "Dose 1" B)" \
  "$(colsum "Doses by priority group" C)"
check "a sheet of minor reactions by sign" grep -q '^SHEET Minor reactions by sign$' <<<"$cells"
check "the Vietnamese workbook names the same figures" \
  grep -q '^Số liệu trong kỳ và lũy kế!A[0-9]*=Số người tiêm đủ liều cơ bản|' <<<"$cells_vi"

# --- the quick report: one screen, one A4 page ---------------------------------------------------
out=$(V report quick)
equal "the quick report's doses of the day and cumulative are the database's" "$DOSES $CUM" \
  "$(sed -n 's/^Doses given  *\([0-9]*\)  *\([0-9]*\)$/\1 \2/p' <<<"$out")"
equal "it fits 80x24: at most 21 lines of at most 78 columns" "ok" \
  "$(python3 -c "import sys;l=sys.stdin.read().splitlines();print('ok' if len(l)<=21 and max(len(x) for x in l)<=78 else 'no')" <<<"$out")"
equal "its no-shows are the workbook's" "$(fig "$P" "Booked, did not come (no-shows)" B)" \
  "$(sed -n 's/^Booked, did not come (no-shows)  *\([0-9]*\)  *[0-9]*$/\1/p' <<<"$out")"
out=$(V report quick --out "$WORK/quick.pdf")
equal "report quick --out says where it wrote" "Quick report written to $WORK/quick.pdf." "$out"
equal "the PDF is one A4 page" "1|595.28 x 841.89 pts (A4)" \
  "$(pdfinfo "$WORK/quick.pdf" | sed -n 's/^Pages: *//p')|$(pdfinfo "$WORK/quick.pdf" | sed -n 's/^Page size: *//p')"
pdf=$(pdftotext -layout "$WORK/quick.pdf" -)
check "the PDF's text names the day" grep -q "QUICK REPORT OF $(date +%d/%m/%Y)" <<<"$pdf"
equal "the PDF's doses are the database's" "$DOSES $CUM" \
  "$(sed -n 's/^ *Doses given  *\([0-9]*\)  *\([0-9]*\) *$/\1 \2/p' <<<"$pdf")"
equal "the PDF is private (0600)" "600" "$(stat -c %a "$WORK/quick.pdf")"
$VAXSITE --db "$DB" --lang vi report quick --out "$WORK/quick_vi.pdf" >/dev/null
check "under --lang vi the PDF is in Vietnamese, with its marks" \
  grep -q "BÁO CÁO NHANH NGÀY $(date +%d/%m/%Y)" <<<"$(pdftotext -layout "$WORK/quick_vi.pdf" -)"
V report quick --out "$WORK/quick.txt" >/dev/null 2>"$WORK/err"; rc=$?
equal "--out that is not a .pdf is refused in one line" "2|1" "$rc|$(wc -l <"$WORK/err")"

# --- import -----------------------------------------------------------------------------------
printf '\xEF\xBB\xBFHọ và tên;Ngày sinh;Giới tính;Số CCCD;Số điện thoại\r\n' >"$WORK/list.csv"
printf 'Lò Văn Pả;01/02/1970;Nam;012070900001;0912000001\r\n' >>"$WORK/list.csv"
printf 'Lò Thị Ín;1980-05-06;Nữ;1.2E+11;\r\n' >>"$WORK/list.csv"
printf '"Tòng Văn, Bắc";03/04/1975;Nam;012075900003;\r\n' >>"$WORK/list.csv"
before=$(sql "SELECT count(*) FROM person")
out=$(V import "$WORK/list.csv" --dry-run); rc=$?
equal "a dry run with a bad row exits 1" "1" "$rc"
check "the dry run names the line and the spreadsheet's rounding" \
  grep -q '^list.csv:3: ID number: "1.2E+11" is how a spreadsheet shows' <<<"$out"
check "the dry run says what would happen" grep -q 'would be: 2 added' <<<"$out"
equal "a dry run writes nothing" "$before" "$(sql "SELECT count(*) FROM person")"
V import "$WORK/list.csv" >/dev/null 2>"$WORK/err"; rc=$?
equal "all or nothing: refused with one line on stderr" "1|1" "$rc|$(wc -l <"$WORK/err")"
equal "all or nothing: nobody was added" "$before" "$(sql "SELECT count(*) FROM person")"
# a list that cannot be read whole is refused with its reason: missing, or a folder (a read
# error, which the old reader took for the end of an empty list)
out=$(V import "$WORK/nolist.csv" 2>&1 >/dev/null); rc=$?
equal "a missing list is refused in one line naming it" "1|1|yes" \
  "$rc|$(wc -l <<<"$out")|$(grep -q 'nolist.csv' <<<"$out" && echo yes)"
mkdir -p "$WORK/folder.csv"
out=$(V import "$WORK/folder.csv" 2>&1 >/dev/null); rc=$?
equal "a list that cannot be read to its end is refused in one line" "1|1" "$rc|$(wc -l <<<"$out")"
check "it says it cannot be read, not that the list is empty ($out)" \
  grep -q '^vaxsite: Cannot read .*folder.csv' <<<"$out"
out=$(V import "$WORK/list.csv" --valid-only); rc=$?
equal "--valid-only imports the good rows" "0" "$rc"
equal "the two good people are in the registry, the quoted name whole" "2|Tòng Văn, Bắc" \
  "$(sql "SELECT count(*) FROM person WHERE national_id IN ('012070900001','012075900003')")|$(sql "SELECT full_name FROM person WHERE national_id='012075900003'")"
V import "$WORK/list.csv" --valid-only >/dev/null
equal "importing the same list again never doubles anyone" "$((before + 2))" \
  "$(sql "SELECT count(*) FROM person")"
# a list as a commune sends it: its title rows above the header, tab-separated, a group written by
# its English name under a Vietnamese interface (and by number), an ID and a phone whose leading 0
# a spreadsheet dropped, a no-break space in a name; the notices in the interface's language
printf 'UBND XÃ CHIỀNG AN, HUYỆN MƯỜNG LA\r\nDANH SÁCH ĐĂNG KÝ TIÊM, ĐỢT 2\r\n\r\n' >"$WORK/xa.csv"
printf 'STT\tHọ và tên\tNgày sinh\tSố CCCD\tSĐT\tNhóm ưu tiên\r\n' >>"$WORK/xa.csv"
printf '1\tQuàng\xc2\xa0Văn Ón\t01/02/1971\t12071900011\t912000011\tPeople with chronic diseases; people over 65\r\n' >>"$WORK/xa.csv"
printf '2\tQuàng Thị Én\t01/02/1972\t012172900012\t+84 0912 000 012\tNhóm 5\r\n' >>"$WORK/xa.csv"
out=$($VAXSITE --db "$DB" --lang vi import "$WORK/xa.csv"); rc=$?
equal "a commune's list with title rows is imported (vi)" "0" "$rc"
check "the Vietnamese notice names the ID read with its 0 put back ($out)" \
  grep -q '^xa.csv:5: lưu ý: Số CCCD/CMND: đọc là 012071900011; bảng tính đã bỏ mất số 0' <<<"$out"
check "the Vietnamese notice names the phone read with its 0 put back" \
  grep -q '^xa.csv:5: lưu ý: Số điện thoại: đọc là 0912000011' <<<"$out"
equal "the rows stored as the clerk meant them" \
  "Quàng Văn Ón|0912000011|G05,Quàng Thị Én|0912000012|G05" \
  "$(sql "SELECT group_concat(full_name || '|' || phone || '|' || priority_group, ',') FROM (SELECT * FROM person WHERE national_id IN ('012071900011','012172900012') ORDER BY national_id)")"
sed 's/12071900011/12071900021/; s/012172900012/012172900022/; s/Quàng/Lường/g' "$WORK/xa.csv" >"$WORK/xa_en.csv"
out=$(V import "$WORK/xa_en.csv"); rc=$?
equal "the same list is imported under English too" "0|2" \
  "$rc|$(sql "SELECT count(*) FROM person WHERE national_id IN ('012071900021','012172900022') AND priority_group = 'G05'")"
check "the English notice names the ID read ($out)" \
  grep -q '^xa_en.csv:5: note: ID number: read as 012071900021; a spreadsheet had dropped its leading 0' <<<"$out"
printf 'DANH SÁCH\r\nTên;Ngày sinh\r\nAn;01/01/1990\r\n' >"$WORK/noid.csv"
out=$($VAXSITE --db "$DB" --lang vi import "$WORK/noid.csv" 2>&1 >/dev/null); rc=$?
check "a list without an ID column is refused in Vietnamese words, no internal key ($out)" \
  grep -q '^vaxsite: noid.csv: không dòng nào ghi tên các cột danh sách cần có: số CCCD/CMND' <<<"$out"
# old encodings: a TCVN3 list guessed and said so; a Windows-1258 one named with --encoding
printf 'Họ và tên;Ngày sinh;Số CCCD\nLương Thị Hoà;03/04/1976;012176900031\n' |
  iconv -f UTF-8 -t TCVN5712-1 >"$WORK/tcvn.csv"
out=$($VAXSITE --db "$DB" --lang vi import "$WORK/tcvn.csv"); rc=$?
check "a TCVN3 list is imported and the guess named in Vietnamese ($out)" \
  grep -q '^tcvn.csv:1: lưu ý: Danh sách không phải UTF-8; đã đọc theo TCVN5712-1, là phỏng đoán' <<<"$out"
printf 'Họ và tên;Ngày sinh;Số CCCD\nLương Văn Hưởng;03/04/1977;012077900032\n' |
  iconv -f UTF-8 -t WINDOWS-1258 >"$WORK/cp1258.csv"
out=$(V import "$WORK/cp1258.csv" --encoding cp1258); rc=$?
equal "the names of both are stored as typed at the desk (NFC)" "0|Lương Thị Hoà,Lương Văn Hưởng" \
  "$rc|$(sql "SELECT group_concat(full_name, ',') FROM (SELECT full_name FROM person WHERE national_id IN ('012176900031','012077900032') ORDER BY national_id DESC)")"
printf 'Họ và tên;Ngày sinh;Số CCCD\nVÅ© Thá»‹ HoÃ¨;03/04/1978;012178900033\n' >"$WORK/garbled.csv"
out=$(V import "$WORK/garbled.csv" 2>&1 >/dev/null); rc=$?
check "garbled text is refused naming its line and what it was ($out)" \
  grep -q '^vaxsite: garbled.csv: line 2: "VÅ©" is garbled.*(it was "Vũ")' <<<"$out"

# --- exports ----------------------------------------------------------------------------------
ALL=$(sql "SELECT count(*) FROM dose d JOIN visit v ON v.id = d.visit_id WHERE d.voided = 0")
V export national --out "$WORK/nat.csv" >/dev/null
equal "the national CSV has one row per dose and a header" "$((ALL + 1))" \
  "$(tr -d '\r' <"$WORK/nat.csv" | grep -c .)"
check "the national CSV has the template's columns" \
  grep -q 'Họ và tên,Ngày sinh,Giới tính,Số CCCD/CMND,Số thẻ BHYT,Số điện thoại,Địa chỉ,Nhóm ưu tiên,Vắc xin,Số lô,Mũi thứ,Ngày tiêm,Điểm tiêm' "$WORK/nat.csv"
# the national CSV read back under English: its Vietnamese group names are groups too (it refused
# most rows when a group matched only in the interface language)
out=$(V import "$WORK/nat.csv" --dry-run); rc=$?
check "vaxsite's own national export is read back under English without a refused row ($rc: $(tail -2 <<<"$out"))" \
  grep -q '^nat.csv (UTF-8 with BOM; .,.; CRLF): [0-9]* rows, 0 refused' <<<"$out"
V export fhir --out "$WORK/bundle.json" >/dev/null
equal "the FHIR file is JSON with one Immunization per dose" "$ALL" \
  "$(python3 -c "import json;b=json.load(open('$WORK/bundle.json'));print(sum(1 for e in b['entry'] if e['resource']['resourceType']=='Immunization'))")"
# FHIR JSON has no empty arrays: a bundle without doses has no "entry" (it wrote "entry": [])
V export fhir --since "$(date -d tomorrow +%d/%m/%Y)" --out "$WORK/empty.json" >/dev/null
cat >"$WORK/empty_arrays.py" <<'EOF'
import json, sys
def empty(v):
    if isinstance(v, dict): return any(empty(x) for x in v.values())
    if isinstance(v, list): return v == [] or any(empty(x) for x in v)
    return False
b = json.load(open(sys.argv[1], encoding="utf-8"))
print(b["resourceType"], "entry" if "entry" in b else "no-entry", "EMPTY-ARRAY" if empty(b) else "none-empty")
EOF
equal "--since tomorrow exports a bundle without entries or empty arrays" \
  "Bundle no-entry none-empty" "$(python3 "$WORK/empty_arrays.py" "$WORK/empty.json")"
equal "the bundle with doses has no empty array either" \
  "Bundle entry none-empty" "$(python3 "$WORK/empty_arrays.py" "$WORK/bundle.json")"

# The FHIR R4 JSON schema as HL7 publishes it (draft-06), vendored in tests/data/fhir with its
# licence and source; validated with python3-jsonschema (scripts/deps), which knows draft-06.
SCHEMA="$(cd "$(dirname "$0")/../data/fhir" && pwd)/fhir.schema.json"
cat >"$WORK/validate.py" <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
if schema.get("id") != "http://hl7.org/fhir/json-schema/4.0":
    print("not the R4 schema"); sys.exit(2)
v = jsonschema.Draft6Validator(schema)
errors = []
for f in sys.argv[2:]:
    errors += ["%s: %s at %s" % (f, e.message[:200], list(e.absolute_path)) for e in v.iter_errors(json.load(open(f, encoding="utf-8")))]
print("\n".join(errors[:5]) if errors else "valid")
sys.exit(1 if errors else 0)
EOF
out=$(python3 "$WORK/validate.py" "$SCHEMA" "$WORK/bundle.json" "$WORK/empty.json" 2>&1)
equal "the FHIR bundles (with doses, and empty) are valid against the FHIR R4 JSON schema" "valid" "$out"
# the validator is not a rubber stamp: a broken bundle fails (the schema has no minItems, so the
# empty arrays are checked above, not by it)
python3 -c "
import json;b=json.load(open('$WORK/bundle.json'))
r=[e['resource'] for e in b['entry'] if e['resource']['resourceType']=='Immunization'][0]
del r['vaccineCode']; r['occurrenceDateTime']='15/10/2021'; json.dump(b,open('$WORK/bad.json','w'))"
out=$(python3 "$WORK/validate.py" "$SCHEMA" "$WORK/bad.json" 2>&1)
check "an Immunization without its vaccine code and with a dd/mm/yyyy date is refused" \
  test "$out" != "valid"

# --- the Reports screen -----------------------------------------------------------------------
tui 80 24 --db "$DB" --lang en
sign_in quanly "Reports"
expect_screen "the Reports screen opens for a manager" "Doses per hour"
expect_screen "the headline figures" "doses $DOSES"
expect_screen "the bookings and the figures since the first dose" "Bookings"
if [ "$DOSES" -gt 0 ]; then
  expect_screen "the doses per hour are drawn as bars" "█"
fi
keys F6
expect_screen "F6 shows the quick report" "QUICK REPORT OF"
expect_screen "with the stock left" "Stock left (doses):"
keys F6
expect_screen "F6 again: the whole report" "Doses per hour"
keys Left
expect_screen "← goes to the previous day, where nothing was given" "No doses given this day."
keys Right
resize 200 50
expect_screen "re-laid out at 200x50" "Doses per hour"
keys F5
expect_screen "F5 asks where to save" "Save the report"
for _ in $(seq 40); do keys BSpace; done
type_text "$WORK/screen.xlsx"
keys Enter
expect_screen "saved, and said so" "Saved"
check "the workbook and the CSV were written" test -s "$WORK/screen.xlsx" -a -s "$WORK/screen.csv"
equal "the station's workbook and CSV are private (0600)" "600 600" \
  "$(stat -c %a "$WORK/screen.xlsx") $(stat -c %a "$WORK/screen.csv")"

finish
