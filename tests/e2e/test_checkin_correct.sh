#!/bin/bash
# Corrections at the check-in desk, at 80x24, in Vietnamese and in English: F7 opens the selected
# person's record in a form that asks for a reason; saving keeps the previous version; a
# certificate that printed the old name is flagged, and at a manager's word re-issued (the new
# one verifies, the old one is revoked). F4 in that form voids a dose recorded by mistake: a
# nurse's own login does not do it, a wrong PIN is asked again, a manager's login and PIN do; the
# certificate of the dose is revoked and the desk shows the person due for that dose again.
. "$(dirname "$0")/lib.sh"

V() { $VAXSITE --db "$DB" --lang en "$@"; }

# one_dose_person N: the national ID of the N-th person (1-based) with exactly one dose here
one_dose_person() {
  sql "SELECT p.national_id FROM person p JOIN dose d ON d.person_id = p.id WHERE d.voided = 0
       GROUP BY p.id HAVING count(*) = 1 ORDER BY p.id LIMIT 1 OFFSET $(($1 - 1))"
}

for lang in vi en; do
  rm -f "$DB" "$DB-wal" "$DB-shm"
  demo_db 60
  V keys init >/dev/null
  V keys export --out "$WORK/site.pem" >/dev/null
  if [ $lang = vi ]; then
    t_title="Sửa hồ sơ của"; t_reason="Lý do: hãy ghi vì sao phải sửa hồ sơ."
    t_saved="Đã sửa."; t_mgr_reissues="quản lý cấp lại"
    t_which="Mũi nào bị ghi nhầm?"; t_confirm="Quản lý xác nhận"; t_not_role="không được xác nhận việc này"; t_wrong_pin="Sai tên đăng nhập hoặc mã PIN"
    t_voided="Đã hủy mũi 1"; t_due1="đến lượt mũi 1"; t_reissue_q="Cấp lại ngay bây giờ?"
    t_reissued="đã cấp lại 1 giấy chứng nhận"
  else
    t_title="Correct the record of"; t_reason="Reason: say why the record is corrected."
    t_saved="Corrected."; t_mgr_reissues="a manager re-issues them"
    t_which="Which dose was recorded by mistake?"; t_confirm="A manager confirms"; t_not_role="may not confirm this"; t_wrong_pin="Unknown login or wrong PIN."
    t_voided="Dose 1 of"; t_due1="due for dose 1"; t_reissue_q="Re-issue them now?"
    t_reissued="1 certificate(s) re-issued"
  fi

  # --- a nurse corrects a name; the certificate that printed it is flagged -------------------
  ID=$(one_dose_person 1)
  PID=$(sql "SELECT id FROM person WHERE national_id = '$ID'")
  NAME=$(sql "SELECT full_name FROM person WHERE id = $PID")
  DOSE=$(sql "SELECT id FROM dose WHERE person_id = $PID AND voided = 0")
  out=$(V cert issue "$DOSE")
  OLD=${out%% *}
  tui 80 24 --lang $lang
  sign_in dieuduong 1
  wait_for "F2" >/dev/null
  type_text "$ID"
  settle
  keys F7
  expect_screen "$lang: F7 opens the selected person's record for correction" "$t_title"
  expect_screen "$lang: every field filled in from the record" "$ID"
  keys End
  type_text " Mai"
  keys F5
  expect_screen "$lang: a correction without a reason is refused" "$t_reason"
  equal "$lang: and changes nothing" "$NAME|0" \
    "$(sql "SELECT full_name || '|' || (SELECT count(*) FROM person_history WHERE person_id = $PID) FROM person WHERE id = $PID")"
  type_text "tên ghi sai khi đăng ký"
  keys F5
  expect_screen "$lang: saved, the previous version kept" "$t_saved"
  equal "$lang: the name is corrected" "$NAME Mai" "$(sql "SELECT full_name FROM person WHERE id = $PID")"
  equal "$lang: the previous version is in the history, with the reason" "$NAME|tên ghi sai khi đăng ký" \
    "$(sql "SELECT full_name || '|' || reason FROM person_history WHERE person_id = $PID")"
  equal "$lang: the audit names the nurse" "dieuduong" \
    "$(sql "SELECT s.login FROM audit a JOIN staff s ON s.id = a.staff_id WHERE a.action = 'person.update' AND a.entity_id = $PID")"
  expect_screen "$lang: a nurse is told that a manager re-issues the certificate" "$t_mgr_reissues"
  equal "$lang: the certificate is flagged as printing the old name" "full_name|0" \
    "$(sql "SELECT stale || '|' || revoked_at FROM certificate WHERE id = $OLD")"

  # --- F4 in the form: a dose recorded by mistake, voided with a manager's login and PIN ------
  keys F7
  wait_for "$t_title" >/dev/null
  keys F4
  expect_screen "$lang: F4 lists the person's doses" "$t_which"
  keys Enter
  settle
  type_text "ghi nhầm người"
  keys Enter
  expect_screen "$lang: a nurse is asked for a manager's login and PIN" "$t_confirm"
  type_text dieuduong
  keys Tab
  type_text 1234
  keys Enter
  expect_screen "$lang: the nurse's own login does not void a dose: the box says why" "$t_not_role"
  equal "$lang: nothing voided" "0" "$(sql "SELECT voided FROM dose WHERE id = $DOSE")"
  keys Escape
  settle
  # void_as LOGIN PIN: F4, the first dose, a reason, then LOGIN and PIN in the manager's box
  void_as() {
    keys F4
    wait_for "$t_which" >/dev/null
    keys Enter
    settle
    type_text "ghi nhầm người"
    keys Enter
    wait_for "$t_confirm" >/dev/null
    type_text "$1"
    keys Tab
    type_text "$2"
    keys Enter
  }
  void_as quanly 9999
  expect_screen "$lang: a wrong PIN is said in the box, which asks again" "$t_wrong_pin"
  equal "$lang: still nothing voided" "0" "$(sql "SELECT voided FROM dose WHERE id = $DOSE")"
  keys Escape
  settle
  void_as quanly 1234
  expect_screen "$lang: the manager's login and PIN void the dose" "$t_voided"
  equal "$lang: the dose is kept, voided with the reason" "1|ghi nhầm người" \
    "$(sql "SELECT voided || '|' || void_reason FROM dose WHERE id = $DOSE")"
  equal "$lang: its certificate is revoked" "1" "$(sql "SELECT revoked_at > 0 FROM certificate WHERE id = $OLD")"
  equal "$lang: the audit names the nurse and the manager who confirmed" "dieuduong|ghi nhầm người (confirmed by quanly)" \
    "$(sql "SELECT s.login || '|' || a.details FROM audit a JOIN staff s ON s.id = a.staff_id WHERE a.action = 'dose.void' AND a.entity_id = $DOSE")"
  keys Escape
  expect_screen "$lang: the desk shows the person due for dose 1 again" "$t_due1"

  # --- a manager corrects a name and re-issues the certificate at once ------------------------
  ID2=$(one_dose_person 1)
  PID2=$(sql "SELECT id FROM person WHERE national_id = '$ID2'")
  NAME2=$(sql "SELECT full_name FROM person WHERE id = $PID2")
  out=$(V cert issue "$(sql "SELECT id FROM dose WHERE person_id = $PID2 AND voided = 0")")
  OLD2=${out%% *}
  OLD2CI=${out#* }
  tui 80 24 --lang $lang
  sign_in quanly 1
  wait_for "F2" >/dev/null
  type_text "$ID2"
  settle
  keys F7
  wait_for "$t_title" >/dev/null
  keys End
  type_text " Anh"
  # from the name to the reason: ID, birth date, sex, phone, insurance, commune, ethnicity, group,
  # reason
  for _ in 1 2 3 4 5 6 7 8 9; do keys Tab; done
  type_text "sai chính tả"
  keys F5
  expect_screen "$lang: a manager is asked whether to re-issue the certificate" "$t_reissue_q"
  keys Enter
  expect_screen "$lang: re-issued" "$t_reissued"
  NEW2=$(sql "SELECT id FROM certificate WHERE person_id = $PID2 AND revoked_at = 0")
  V cert revoked --out "$WORK/revoked.txt" >/dev/null
  out=$(V cert verify "$(V cert hc1 "$NEW2")" --trust "$WORK/site.pem" --revoked "$WORK/revoked.txt" 2>&1)
  rc=$?
  equal "$lang: the new certificate verifies" "0" "$rc"
  check "$lang: and prints the corrected name" grep -qi "ANH" <<<"$out"
  out=$(V cert verify "$(sql "SELECT hc1 FROM certificate WHERE id = $OLD2")" --trust "$WORK/site.pem" --revoked "$WORK/revoked.txt" 2>&1)
  check "$lang: the old one is revoked" grep -q "revoked" <<<"$out"
  check "$lang: its UVCI is on the revocation list" grep -qF "$OLD2CI" "$WORK/revoked.txt"
  equal "$lang: the name and its history" "$NAME2 Anh|$NAME2" \
    "$(sql "SELECT p.full_name || '|' || h.full_name FROM person p JOIN person_history h ON h.person_id = p.id WHERE p.id = $PID2")"
done

finish
