#!/bin/bash
# The Ministry's daily results report (annex 5 of QĐ 43/QĐ-BYT) of a session at a real desk: two
# people vaccinated with AstraZeneca and one with Pfizer in the injection room, and at the
# screening desk one who does not consent (n), one postponed, one contraindicated and one
# referred; a broken AstraZeneca vial. The workbook is read back with an independent reader: its
# headings are the layout file's in its order (the annex's column order), and each figure of each
# row is compared with SQL; the PDF's text (poppler) carries the same rows in the same order.
# Then the end-of-round report (annex 6): each table's headings against its layout, the unit's
# figures and the vaccine table against SQL (the stock ledger), the PDF's vaccine rows against the
# workbook's.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
LAYOUT="$ROOT/assets/forms/moh-43-2022-annex5.conf"
V() { $VAXSITE --db "$DB" --lang "${L:-vi}" "$@"; }
# queries wait for the lock of a station still closing (its terminal was just closed)
sql() { sqlite3 -batch -noheader -cmd ".timeout 10000" "$DB" "$1"; }
TODAY=$(date +%Y-%m-%d)

V site init --code 12001 --name "Trạm Y tế xã Bản Giang" --commune "Bản Giang" \
  --district "Tam Đường" --province "Lai Châu" >/dev/null
echo 2468 | V staff add --login quanly --name "Nguyễn Thị Hoa" --role manager >/dev/null
echo 1234 | V staff add --login bacsi --name "Lò Văn Minh" --role doctor >/dev/null
echo 1234 | V staff add --login yta --name "Lò Thị Mai" --role nurse >/dev/null
V setting set campaign.round 12 >/dev/null
V stock receive --product AZ --lot A1 --expiry 01/12/2030 --vials 2 --from CDC >/dev/null
V stock receive --product PF --lot P1 --expiry 01/12/2030 --vials 2 --from CDC >/dev/null
V stock open 1 --station injection-1 >/dev/null
V stock open 2 --station injection-1 >/dev/null
n=0
for name in "Lò Văn An" "Tòng Văn Bình" "Lò Thị Cúc" "Vàng Văn Dũng" "Lý Thị Em" "Giàng Văn Phú" "Tẩn Thị Giang"; do
  n=$((n + 1))
  V person add --name "$name" --id "0120850001$(printf %02d $n)" --dob 03/04/1985 --sex m >/dev/null
done
for n in 1 2 3 4 5 6 7; do V queue checkin "0120850001$(printf %02d $n)" >/dev/null; done
# the first three go to the injection room, the others to screening
sql "UPDATE visit SET state = 'waiting_injection' WHERE ticket <= 3" >/dev/null

# --- the injection room: AZ, AZ, PF -------------------------------------------------------------
tui 100 30 --lang en
sign_in yta "Injection room"
expect_screen "the injection room opens" "Open vials at"
for k in 1 2 3; do
  keys Enter
  expect_screen "ticket $k is called to injection" "this is dose 1"
  [ $k = 3 ] && keys Down
  keys Enter
  expect_screen "which arm" "Which arm?"
  type_text l
  expect_screen "dose $k recorded" "recorded"
done
$TM kill-session -t main 2>/dev/null
equal "three doses: AZ, AZ, PF, each of round 12 (the setting when given)" "AZ|12,AZ|12,PF|12" \
  "$(sql "SELECT group_concat(product || '|' || round) FROM (SELECT * FROM dose ORDER BY id)")"

# --- the screening desk: does not consent, postponed, contraindicated, referred --------------------
tui 100 30 --lang en
sign_in bacsi "Screening desk"
screen_one() { # outcome key, reason, expected words
  expect_screen "the desk is idle" "Press Enter to call the next person"
  settle
  keys Enter
  expect_screen "the next person's questions" "questions not answered yet"
  type_text a
  type_text 36.6; keys Tab; type_text 80; keys Tab; type_text 120; keys Tab; type_text 80; keys Tab Tab
  type_text 18
  expect_screen "the proposal" "Proposed: Eligible"
  keys F3
  expect_screen "the outcomes offered include no consent" "n no consent"
  type_text "$1"; keys Enter
  if [ -n "$2" ]; then
    expect_screen "a reason is asked" "Why does the outcome differ"
    type_text "$2"; keys Enter
  fi
  if [ "$1" = p ]; then
    expect_screen "the day to come back" "Come back on"
    type_text "$(date -d '+7 days' +%d/%m/%Y)"; keys Enter
    expect_screen "the person is told the day, on a ticket for them" "please come back on"
    keys Enter
  fi
  expect_screen "the outcome is said" "$3"
}
screen_one n "" "Does not consent"
screen_one p "sốt cao hôm qua" "postponed"
screen_one x "phản vệ độ 2 lần trước" "Contraindicated"
screen_one r "bệnh nền nặng" "Refer"
$TM kill-session -t main 2>/dev/null
equal "the four visits ended as the desk said" "declined,postponed,contraindicated,referred" \
  "$(sql "SELECT group_concat(state) FROM (SELECT state FROM visit WHERE ticket > 3 ORDER BY ticket)")"
equal "the one who does not consent: the screening row says so, with no reason typed" \
  "declined|Does not consent" \
  "$(sql "SELECT final_outcome, override_reason FROM screening s JOIN visit v ON v.id = s.visit_id WHERE v.ticket = 4")"
V stock discard 1 --reason broken >/dev/null

# --- annex 5 as a workbook -------------------------------------------------------------------------
out=$(V report annex5 --out "$WORK/a5.xlsx")
equal "report annex5 writes the workbook (the words in Vietnamese)" "Đã ghi phụ lục 5 của QĐ 43/QĐ-BYT vào $WORK/a5.xlsx." "$out"
equal "the workbook is private (0600)" "600" "$(stat -c %a "$WORK/a5.xlsx")"
cat >"$WORK/sheet.py" <<'PY'
# The cells of sheet N (default 1) of a workbook as rows of tab-separated text (standard library).
import sys, zipfile, re
import xml.etree.ElementTree as ET
ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
z = zipfile.ZipFile(sys.argv[1])
shared = []
if 'xl/sharedStrings.xml' in z.namelist():
    for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns):
        shared.append(''.join(t.text or '' for t in si.iter('{%s}t' % ns['m'])))
rows = {}
sheet = sys.argv[2] if len(sys.argv) > 2 else '1'
for c in ET.fromstring(z.read('xl/worksheets/sheet%s.xml' % sheet)).iter('{%s}c' % ns['m']):
    m = re.match(r'([A-Z]+)(\d+)', c.get('r'))
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    v = c.find('m:v', ns)
    val = '' if v is None else (shared[int(v.text)] if c.get('t') == 's' else v.text)
    if val.endswith('.0'):
        val = val[:-2]
    rows.setdefault(int(m.group(2)), {})[col] = val
for r in sorted(rows):
    w = max(rows[r])
    print('\t'.join(rows[r].get(i, '') for i in range(1, w + 1)))
PY
python3 "$WORK/sheet.py" "$WORK/a5.xlsx" >"$WORK/a5.tsv"
layout_vi=$(awk '/^\[daily\.[0-9]+\]/{on=1;next} /^\[/{on=0} on && $1=="vi"{sub(/^vi = /,""); print}' "$LAYOUT" | paste -sd '\t')
equal "row 7's headings are the layout's, in its order (annex 5's column order)" \
  "$layout_vi" "$(sed -n 7p "$WORK/a5.tsv")"
check "the annex has 20 columns" test "$(awk -F'\t' '{print NF}' <<<"$layout_vi")" = 20
figures=$(awk '/^\[daily\.[0-9]+\]/{on=1;next} /^\[/{on=0} on && $1=="figure"{print $3}' "$LAYOUT" | paste -sd ' ')
# a figure's column, by the layout
col() { local i=0 f; for f in $figures; do i=$((i + 1)); [ "$f" = "$1" ] && echo $i && return; done; }
row_of() { awk -F'\t' -v v="$1" -v c="$(col vaccine)" 'NR>7 && $c==v' "$WORK/a5.tsv"; }
fig() { cut -f"$(col "$2")" <<<"$1"; }
az=$(row_of "AstraZeneca (Vaxzevria)"); pf=$(row_of "Pfizer-BioNTech (Comirnaty)")
none=$(row_of "(chưa xác định vắc xin)"); total=$(awk -F'\t' -v c="$(col place)" 'NR>7 && $c=="Cộng"' "$WORK/a5.tsv")
check "one row per vaccine, one for the people not vaccinated, and the total" \
  test -n "$az" -a -n "$pf" -a -n "$none" -a -n "$total"
s() { sql "$1"; }
D="date(given_at, 'unixepoch', 'localtime') = '$TODAY' AND voided = 0"
equal "AstraZeneca: round" "12" "$(fig "$az" round)"
equal "AstraZeneca: dose 1 given" "$(s "SELECT count(*) FROM dose WHERE product='AZ' AND dose_number=1 AND $D")" "$(fig "$az" primary.1)"
equal "AstraZeneca: people planned (their visits)" "2" "$(fig "$az" planned)"
equal "AstraZeneca: doses used (the ledger's draws)" \
  "$(s "SELECT -sum(m.doses) FROM stock_move m JOIN lot l ON l.id=m.lot_id WHERE l.product='AZ' AND m.kind='draw'")" "$(fig "$az" used)"
equal "AstraZeneca: doses discarded (the broken vial's)" \
  "$(s "SELECT -sum(m.doses) FROM stock_move m JOIN lot l ON l.id=m.lot_id WHERE l.product='AZ' AND m.kind='waste'")" "$(fig "$az" wasted)"
equal "Pfizer: dose 1 given" "$(s "SELECT count(*) FROM dose WHERE product='PF' AND dose_number=1 AND $D")" "$(fig "$pf" primary.1)"
equal "Pfizer: doses used" "1" "$(fig "$pf" used)"
for o in declined postponed contraindicated referred; do
  equal "the column of $o holds the desk's $o" \
    "$(s "SELECT count(*) FROM screening WHERE final_outcome='$o'")" "$(fig "$none" $o)"
  equal "and no vaccine's row has one" "0|0" "$(fig "$az" $o)|$(fig "$pf" $o)"
done
equal "the total: people planned, each outcome, doses" "7|1|1|1|1|3" \
  "$(for f in planned declined postponed contraindicated referred primary.1; do fig "$total" $f; done | paste -sd '|')"
check "the heading names the unit" grep -q "^Đơn vị: Trạm Y tế xã Bản Giang" "$WORK/a5.tsv"

# --- annex 5 as a PDF: the same rows, in the layout's order --------------------------------------
V report annex5 --out "$WORK/a5.pdf" >/dev/null
txt=$(pdftotext -layout "$WORK/a5.pdf" - 2>/dev/null)
check "the PDF is landscape A4" grep -q "841.89 x 595.276 pts" <<<"$(pdfinfo "$WORK/a5.pdf")"
check "its subject cites the decision" grep -q "Subject: *Quyết định 43/QĐ-BYT" <<<"$(pdfinfo "$WORK/a5.pdf")"
check "its title is the annex's" grep -q "TỔNG HỢP BÁO CÁO HÀNG NGÀY KẾT QUẢ TRIỂN KHAI TIÊM CHỦNG VẮC XIN PHÒNG COVID-19" <<<"$txt"
numbers() { cut -f"$(col planned)"-"$(col serious)" <<<"$1" | tr '\t' ' '; }
for v in "AstraZeneca (Vaxzevria)" "Pfizer-BioNTech (Comirnaty)" "(chưa xác định vắc xin)"; do
  line=$(grep -F -- "$v" <<<"$txt" | head -1)
  equal "the PDF's row of $v: the workbook's figures in the same order" \
    "$(numbers "$(row_of "$v")")" "$(sed 's/.*)//; s/^ *//; s/  */ /g; s/ *$//' <<<"$line")"
done

# --- annex 6 ------------------------------------------------------------------------------------
out=$(V report annex6 --out "$WORK/a6.xlsx"); rc=$?
equal "report annex6 writes the round in progress" "0" "$rc"
L6="$ROOT/assets/forms/moh-43-2022-annex6.conf"
for t in groups:1 units:2 serious:3 vaccine:4; do
  python3 "$WORK/sheet.py" "$WORK/a6.xlsx" "${t#*:}" >"$WORK/a6.${t%:*}.tsv"
  heads=$(awk -v s="${t%:*}" '$0 ~ "^\\[" s "\\.[0-9]+\\]"{on=1;next} /^\[/{on=0} on && $1=="vi"{sub(/^vi = /,""); print}' "$L6" | paste -sd '\t')
  equal "annex 6, table ${t%:*}: row 7's headings are the layout's, in its order" "$heads" "$(sed -n 7p "$WORK/a6.${t%:*}.tsv")"
done
unit=$(sed -n 8p "$WORK/a6.units.tsv")
equal "by unit: the site, the registry's people, dose 1, dose 2, additional, booster, people vaccinated" \
  "Trạm Y tế xã Bản Giang|$(sql "SELECT count(*) FROM person")|3|0|0|0|3" "$(cut -f1-7 <<<"$unit" | tr '\t' '|')"
equal "and the coverage, in per cent of the registry" "42.9" "$(cut -f8 <<<"$unit")"
while IFS=$'\t' read -r vaccine received used wasted left; do
  code=$(sql "SELECT code FROM product WHERE name = '$vaccine'")
  equal "vaccine $code: received, used, discarded, left as the ledger holds them" \
    "$(sql "SELECT sum(CASE WHEN m.kind='receive' THEN m.doses ELSE 0 END) || '|' || -sum(CASE WHEN m.kind='draw' THEN m.doses ELSE 0 END) || '|' || -sum(CASE WHEN m.kind='waste' THEN m.doses ELSE 0 END) || '|' || sum(m.doses) FROM stock_move m JOIN lot l ON l.id=m.lot_id WHERE l.product='$code'")" \
    "$received|$used|$wasted|$left"
done < <(tail -n +8 "$WORK/a6.vaccine.tsv")
check "the round's vaccines are all in the vaccine table" test "$(tail -n +8 "$WORK/a6.vaccine.tsv" | wc -l)" -ge 2
V report annex6 --round 12 --out "$WORK/a6.pdf" >/dev/null
txt6=$(pdftotext -layout "$WORK/a6.pdf" - 2>/dev/null)
check "the end-of-round report names the round" grep -q "Đợt tiêm số 12" <<<"$txt6"
check "and its tables" grep -q "Tình hình sử dụng vắc xin" <<<"$txt6"
while IFS=$'\t' read -r vaccine rest; do
  equal "the PDF's vaccine row of $vaccine: the workbook's figures" "$(tr '\t' ' ' <<<"$rest")" \
    "$(grep -F -- "$vaccine" <<<"$txt6" | tail -1 | sed 's/.*)//; s/^ *//; s/  */ /g; s/ *$//')"
done < <(tail -n +8 "$WORK/a6.vaccine.tsv")
out=$(V report annex6 --round 99 --out "$WORK/a99.pdf" 2>&1); rc=$?
equal "a round without doses is refused, named" "1" "$rc"
finish
