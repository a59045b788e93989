#!/bin/bash
# Every command that changes something says what it did when it succeeds: each one is run here
# on a real site, in English and in Vietnamese, and must exit 0 with a line on standard output
# (a command that writes a file with --out names it). The sync server's commands (init-server,
# push, pull) need PostgreSQL and are run by test_sync.sh.
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# under ASan (./test sets detect_leaks=1) fontconfig's own leak would end every card command with
# 134 after its work is done; the exit status is what this test reads
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$ROOT/tests/e2e/tools/lsan-fontconfig.supp"
LANG_UI=en
V() { $VAXSITE --db "$DB" --lang "$LANG_UI" "$@"; }

# said DESCRIPTION COMMAND...: the command succeeds and its first line of output is not empty
said() {
  local desc=$1 out rc
  shift
  out=$("$@" 2>"$WORK/err"); rc=$?
  local first
  first=$(head -1 <<<"$out")
  SAID=$first
  if [ $rc -eq 0 ] && [ -n "${first//[[:space:]]/}" ]; then
    ok "$LANG_UI: $desc says what it did: $first"
  else
    not_ok "$LANG_UI: $desc says what it did" "exit $rc, output: '$out'" "stderr: $(cat "$WORK/err")"
  fi
}

# a printer that takes every card (cert print runs lp from the PATH)
mkdir -p "$WORK/bin"
printf '#!/bin/sh\nexit 0\n' >"$WORK/bin/lp"
chmod +x "$WORK/bin/lp"
export PATH="$WORK/bin:$PATH"

for LANG_UI in en vi; do
  DB="$WORK/site-$LANG_UI.db"
  said "site init" V site init --code 12001 --name "Trạm Y tế xã Bản Giang" --commune "Bản Giang" \
    --district "Tam Đường" --province "Lai Châu"
  said "staff add" bash -c 'echo 2468 | "$@"' _ $VAXSITE --db "$DB" --lang $LANG_UI staff add \
    --login hoa --name "Nguyễn Thị Hoa" --role manager
  said "staff add (a nurse)" bash -c 'echo 1357 | "$@"' _ $VAXSITE --db "$DB" --lang $LANG_UI \
    staff add --login lan --name "Lê Thị Lan" --role nurse
  said "setting set" V setting set observe.minutes 45
  said "setting set (empty)" V setting set cert.printer ""
  said "setting set (cert.printer)" V setting set cert.printer Test_Printer
  said "staff disable" V staff disable lan
  said "staff enable" V staff enable lan
  said "staff reset-pin" V staff reset-pin lan
  said "staff role" V staff role lan doctor
  said "desk add" V desk add --kind injection --name "Phòng tiêm 2"
  said "desk rename" V desk rename injection-2 "Phòng tiêm B"
  said "desk retire" V desk retire injection-2
  said "person add" V person add --name "Nguyễn Văn Đức" --id 001090001234 --dob 01/02/1990 --sex m
  said "person add (another)" V person add --name "Trần Thị Hòa" --id 001190001236 --dob 05/06/1990 --sex f
  said "person add --new" V person add --name "Trần Thị Hoà" --id 001190001238 --dob 05/06/1990 --sex f --new
  said "person edit" V person edit 001090001234 --reason "phone given" --phone 0912345678
  said "person link" V person link 001090001234 123456789 --reason "old CMND"
  said "person merge" V person merge 001190001238 --into 001190001236 --reason "the same person"
  said "dose elsewhere" V dose elsewhere 001190001236 --product AZ --date 01/09/2021 --place "BV Bạch Mai"
  said "product load" V product load "$ROOT/assets/products.conf"
  said "checklist add" V checklist add "$ROOT/assets/screening/moh-5785-2021-12.conf"
  said "stock receive" V stock receive --product AZ --lot ABV5300 --expiry 01/12/2030 --vials 10 --from CDC
  said "stock open" V stock open 1
  said "stock discard" V stock discard 1 --reason broken
  said "stock writeoff" V stock writeoff 1 --vials 1 --reason expired
  said "stock count" V stock count 1 --vials 8 --reason "counted"
  said "stock transfer-out" V stock transfer-out 1 --vials 1 --to 12002
  said "stock transfer-in" V stock transfer-in --from 12002 --product AZ --lot X1 --expiry 01/12/2030 --vials 2
  said "queue checkin" V queue checkin 001090001234
  said "queue next" V queue next screening
  said "plan" V plan 2030-12-10 --opens 08:00 --closes 11:00 --capacity 20
  said "plan copy" V plan copy 2030-12-10 2030-12-11
  said "plan close-slot" V plan close-slot 2030-12-11 08:00 --mode cancel
  said "book" V book 001190001236 --day 2030-12-10 --time 08:00
  # book --list writes the call list on standard output, for a spreadsheet; its summary is on
  # standard error
  out=$(V book --list due --from 2030-12-10 --to 2030-12-11 2>&1 >/dev/null); rc=$?
  equal "$LANG_UI: book --list says what it did (on standard error: $out)" "0|yes" \
    "$rc|$([ -n "$out" ] && echo yes)"
  said "remind" V remind --days 1
  said "remind exclude" V remind exclude 001190001236 --reason "asked"
  said "remind include" V remind include 001190001236
  said "keys init" V keys init
  sql "INSERT INTO dose(uuid, person_id, product, dose_number, given_at, lot_no, created_at, updated_at) VALUES ('d1', 1, 'AZ', 1, strftime('%s','now'), 'ABV5300', 0, 0)"
  said "cert issue" V cert issue 1
  said "cert pdf --out" V cert pdf 1 --out "$WORK/card-$LANG_UI.pdf"
  [ $LANG_UI = vi ] && check "in Vietnamese when the interface is (cert pdf --out)" \
    grep -q "^Đã lưu thẻ của giấy chứng nhận 1 " <<<"$SAID"
  said "cert png --out" V cert png 1 --out "$WORK/card-$LANG_UI.png"
  said "cert print" V cert print 1
  said "cert reissue" V cert reissue 1 --reason "birth date corrected"
  said "cert revoke" V cert revoke 2 --reason "issued to the wrong person"
  said "cert reissue --stale" V cert reissue --stale --reason "name corrected"
  said "cert revoked --out" V cert revoked --out "$WORK/revoked-$LANG_UI.txt"
  said "keys export --out" V keys export --out "$WORK/site-$LANG_UI.pem"
  said "keys import" V keys import "$WORK/site-$LANG_UI.pem"
  said "keys rotate" V keys rotate
  said "export --bundle" V export --bundle "$WORK/b-$LANG_UI.bundle" --all
  said "sync trust" V sync trust "$(printf '%064d' 0)"
  said "report --out (text)" V report --out "$WORK/report-$LANG_UI.txt"
  said "report --out (csv)" V report --format csv --out "$WORK/report-$LANG_UI.csv"
  said "report --out (xlsx)" V report --format xlsx --out "$WORK/report-$LANG_UI.xlsx"
  said "export national --out" V export national --out "$WORK/national-$LANG_UI.csv"
  said "export fhir --out" V export fhir --out "$WORK/fhir-$LANG_UI.json"
  printf 'Họ và tên;Ngày sinh;Giới tính;Số CCCD;Số điện thoại\r\nLò Văn Pả;01/02/1970;Nam;012070900001;0912000001\r\n' >"$WORK/list.csv"
  said "import" V import "$WORK/list.csv"
  said "import --bundle" V import --bundle "$WORK/b-$LANG_UI.bundle"
  said "plan close-day" V plan close-day 2030-12-10
  said "demo" $VAXSITE --db "$WORK/demo-$LANG_UI.db" --lang $LANG_UI demo --people 20
done
finish
