#!/bin/bash
# Someone vaccinated today gets a second ticket only with a manager's reason: a volunteer at the
# check-in desk asks a manager to confirm with their login and PIN in a box at her own desk (no
# sign-out); a wrong PIN confirms nothing; the volunteer stays signed in and the audit names the
# manager. In English and in Vietnamese, at 80x24.
. "$(dirname "$0")/lib.sh"

export VAXSITE_CLOCK_FILE="$WORK/clock"
echo "2021-10-15T09:00" >"$VAXSITE_CLOCK_FILE"
demo_db 200

# wait_rows SQL VALUE: waits (at most 20 s: a PIN is checked by a slow hash, slower still under
# the sanitizers) until the query gives VALUE; 0 if it did.
wait_rows() {
  local i=0
  while [ "$(sql "$1")" != "$2" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
  [ "$(sql "$1")" = "$2" ]
}

second_ticket() { # LANG DIALOG_TITLE BOX_TITLE REASON WRONG_PIN_WORDS
  local lang=$1 title=$2 box=$3 reason=$4 wrong=$5
  local done_id before
  done_id=$(sql "SELECT p.national_id FROM visit v JOIN person p ON p.id=v.person_id WHERE v.state='done' AND NOT EXISTS (SELECT 1 FROM visit w WHERE w.person_id=v.person_id AND w.state NOT IN ('done','cancelled')) LIMIT 1")
  tui 80 24 --lang "$lang"
  sign_in tinhnguyen 1
  expect_screen "$lang: the volunteer opens the check-in desk" "Phạm Đức Anh"
  type_text "$done_id"
  settle
  before=$(sql "SELECT count(*) FROM visit")
  keys Enter
  expect_screen "$lang: a second ticket asks why" "$title"
  type_text "$reason"
  keys Enter
  expect_screen "$lang: a manager confirms with login and PIN, at this desk" "$box"
  type_text quanly
  keys Tab
  type_text 0000
  keys Enter
  expect_screen "$lang: a wrong PIN is refused in the box" "$wrong" 20
  equal "$lang: a wrong PIN gives no ticket" "$before" "$(sql "SELECT count(*) FROM visit")"
  expect_screen "$lang: and the box asks again" "$box"
  type_text 1234
  keys Enter
  check "$lang: the manager's PIN gives one more visit" \
    wait_rows "SELECT count(*) FROM visit" "$((before + 1))"
  expect_no_screen "$lang: and closes the box" "$box"
  equal "$lang: the volunteer is still signed in" "Phạm Đức Anh" \
    "$(screen | head -1 | grep -o "Phạm Đức Anh")"
  equal "$lang: audited in the volunteer's name, naming the manager" "1" \
    "$(sql "SELECT count(*) FROM audit a JOIN staff s ON s.id=a.staff_id WHERE a.action='visit.second-ticket' AND a.details='$reason (confirmed by quanly)' AND s.login='tinhnguyen'")"
  $TM kill-session -t main
  # the program ends on the hang-up: the next language's first read waits for it to be gone
  local i=0
  while pgrep -f -- "--db '$DB'|--db $DB" >/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}

second_ticket en "Second ticket today" "A manager confirms" "lost card" "Unknown login or wrong PIN."
second_ticket vi "Lấy số lần hai trong ngày" "Quản lý xác nhận" "mất phiếu hẹn" "Sai tên đăng nhập hoặc mã PIN."

finish
