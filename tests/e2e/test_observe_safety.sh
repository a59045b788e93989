#!/bin/bash
# Observation safety, in Vietnamese and in English at 80x24:
# - a serious reaction is not "may leave": it stands apart (✗ and the signs), is not counted as
#   leaving, and is released only with a doctor's login + PIN and an outcome with a note, all
#   recorded; after any release a second press of the same key releases nobody else;
# - a reaction is kept as soon as its signs are confirmed: Esc at "action taken" or "severity"
#   keeps it and says what is missing; the reaction key on that person completes it;
# - a thousand people under observation: counted, rung for once each, scrolled to the last.
. "$(dirname "$0")/lib.sh"

export VAXSITE_CLOCK_FILE="$WORK/clock"
echo "2021-10-15T08:00" >"$VAXSITE_CLOCK_FILE"
demo_db 2400
DAY=2021-10-15
T0=$(date -d "2021-10-15T08:00:00+07:00" +%s)
BELLS="$WORK/bells"
# the station logs each bell to this file besides ringing it (its test hook)
$TM set-environment -g VAXSITE_BELL_LOG "$BELLS"

# Writes wait for the station's own writes (its sign-out audit as it closes) instead of failing.
sqlw() { sqlite3 -batch -noheader -cmd ".timeout 10000" "$DB" "$1"; }
# Everyone under observation leaves the list, so each part starts from its own people.
clear_watch() { sqlw "UPDATE visit SET state='done' WHERE state='observing'"; }
# quit: F10, and wait until the program has exited
quit() {
  keys F10
  wait_for "[vaxsite exited]" 20 >/dev/null
}
bells() { cat "$BELLS" 2>/dev/null | wc -l | tr -d ' '; }

# watch N SINCE: N people of the registry without a visit today, under observation since SINCE
# (epoch seconds), one second apart, so the list's order is the ticket order.
watch() {
  sqlw "INSERT INTO visit(uuid, site_id, day, ticket, person_id, state, arrived_at, state_since,
         created_at, updated_at)
       SELECT lower(hex(randomblob(16))), (SELECT id FROM site LIMIT 1), '$DAY',
              (SELECT coalesce(max(ticket), 0) FROM visit WHERE day = '$DAY') + n, id, 'observing',
              $2, $2 + n, $2, $2
       FROM (SELECT p.id, row_number() OVER (ORDER BY p.id) AS n FROM person p
             WHERE p.id NOT IN (SELECT person_id FROM visit WHERE day = '$DAY') LIMIT $1)"
}
# the tickets under observation, in list order (a day's tickets may pass 999)
watched() { sql "SELECT ticket FROM visit WHERE state='observing' ORDER BY state_since, id"; }
# a ticket as the screen shows it: three digits
disp() { printf '%03d' $(($1 % 1000)); }
visit_of() { sql "SELECT id FROM visit WHERE day='$DAY' AND ticket=$1"; }
state_of() { sql "SELECT state FROM visit WHERE day='$DAY' AND ticket=$1"; }
staff_id() { sql "SELECT id FROM staff WHERE login='$1'"; }
# row TICKET: the list row of that ticket on the screen
row() { screen | grep -E "^ *$1  "; }

open_station() {
  tui 80 24 --lang "$1"
  sign_in dieuduong 4
}

for L in vi en; do
  if [ $L = vi ]; then
    HEADER3="Đang theo dõi: 3 · được về: 2"
    SERIOUS="✗ tai biến nặng"; FEVER="Sốt"
    DOCTOR_BOX="Bác sĩ xác nhận"; NOT_DOCTOR="không phải bác sĩ"
    OUTCOME="Kết quả"; NOTE="Ghi chú của bác sĩ"
    REPORT_ONSET="phản ứng bắt đầu lúc nào"; REPORT_TREATMENT="Xử trí, điều trị đã làm"
    REPORT_WHERE="Nơi điều trị hoặc chuyển đến"; REPORT_OUTCOME="Tình trạng hiện tại"
    REPORT_PARENT="họ tên mẹ hoặc bố"; REPORT_REPORTER="Người báo cáo:"
    REPORT_PHONE="Điện thoại và email"; REPORT_SAVED="(lần 1)"
    CONFIRMED="bác sĩ Trần Văn Minh xác nhận"
    MOVE_FIRST="Hãy chọn người tiếp theo bằng"
    SIGNS="Dấu hiệu ghi nhận"; ACTION="Xử trí"; SEVERITY="Mức độ"
    KEPT_BOTH="còn thiếu: xử trí và mức độ"; KEPT_SEV="còn thiếu: mức độ"
    TO_COMPLETE="! phản ứng chưa ghi đủ"; COMPLETED="Đã ghi đủ phản ứng của số thứ tự"
    HEADER_1000="Đang theo dõi: 1000 · được về: 0"; LEAVE_1000="được về: 1000"; MORE="người nữa"
  else
    HEADER3="Under observation: 3 · may leave: 2"
    SERIOUS="✗ serious reaction"; FEVER="Fever"
    DOCTOR_BOX="Doctor's confirmation"; NOT_DOCTOR="is not a doctor"
    OUTCOME="Outcome"; NOTE="Doctor's note"
    REPORT_ONSET="when did the reaction begin"; REPORT_TREATMENT="Treatment given"
    REPORT_WHERE="Treated at or transferred to"; REPORT_OUTCOME="Outcome now"
    REPORT_PARENT="mother's or father's name"; REPORT_REPORTER="Reporter:"
    REPORT_PHONE="Reporter's phone"; REPORT_SAVED="saved (version 1)"
    CONFIRMED="confirmed by Dr Trần Văn Minh"
    MOVE_FIRST="Choose the next person with"
    SIGNS="Signs seen"; ACTION="Action taken"; SEVERITY="Severity"
    KEPT_BOTH="still to record: action taken and severity"; KEPT_SEV="still to record: severity"
    TO_COMPLETE="! reaction to complete"; COMPLETED="Reaction for ticket"
    HEADER_1000="Under observation: 1000 · may leave: 0"; LEAVE_1000="may leave: 1000"; MORE="more"
  fi

  # ---- 1. a serious reaction needs a doctor and an outcome; no double release ---------------
  clear_watch
  watch 3 $((T0 - 40 * 60))
  set -- $(watched)
  A=$1 B=$2 C=$3
  sqlw "INSERT INTO reaction(uuid, visit_id, person_id, seen_at, signs, severity, action, notes,
         created_at, updated_at, updated_by)
       SELECT lower(hex(randomblob(16))), id, person_id, $T0 - 600, 'fever', 'serious', 'treated',
              '', $T0, $T0, $(staff_id dieuduong) FROM visit WHERE day='$DAY' AND ticket=$A"
  open_station $L
  expect_screen "$L: the header does not count the serious reaction as leaving" "$HEADER3"
  check "$L: the serious reaction stands apart with ✗ and its sign" \
    bash -c "$TM capture-pane -p -t main | grep -E '^ *$(disp $A)  ' | grep -F '$SERIOUS' | grep -qF '$FEVER'"
  check "$L: and it is not shown as may leave" \
    bash -c "! $TM capture-pane -p -t main | grep -E '^ *$(disp $A)  ' | grep -qF '✓'"
  # the cursor starts on the first row: the serious reaction. F8: its report on the Ministry's
  # form, each box filled with what is known (the onset is when it was seen, the reporter the
  # nurse signed in)
  keys F8
  expect_screen "$L: F8 opens the serious-reaction report at its onset" "$REPORT_ONSET"
  check "$L: the onset box holds the time the reaction was seen" \
    bash -c "$TM capture-pane -p -t main | grep -qF '$(date -d @$((T0 - 600)) +%H:%M)'"
  keys Enter
  expect_screen "$L: then the treatment" "$REPORT_TREATMENT"
  type_text "adrenalin 0,5 mg tiem bap"
  keys Enter
  expect_screen "$L: then where treated" "$REPORT_WHERE"
  keys Enter
  expect_screen "$L: then the outcome, as the WHO form has them" "$REPORT_OUTCOME"
  type_text 2
  expect_screen "$L: then a child's parent" "$REPORT_PARENT"
  keys Enter
  expect_screen "$L: then the reporter" "$REPORT_REPORTER"
  keys Enter
  expect_screen "$L: then the reporter's phone" "$REPORT_PHONE"
  type_text 0912345678
  keys Enter
  expect_screen "$L: the report is saved, to leave with the next sync" "$REPORT_SAVED"
  equal "$L: the database holds what was typed, by the nurse, with the reaction's onset" \
    "adrenalin 0,5 mg tiem bap|recovered|$(sql "SELECT name FROM staff WHERE login = 'dieuduong'")|0912345678|$(staff_id dieuduong)|1" \
    "$(sql "SELECT a.treatment, a.outcome, a.reporter_name, a.reporter_phone, a.updated_by,
                   a.onset_at = x.seen_at / 60 * 60 FROM aefi_report a JOIN reaction x ON x.id = a.reaction_id
            JOIN visit v ON v.id = x.visit_id WHERE v.day = '$DAY' AND v.ticket = $A")"
  equal "$L: and its outbox event flagged serious" "1" \
    "$(sql "SELECT count(*) FROM sync_outbox o JOIN aefi_report a ON o.record_uuid = a.uuid
            JOIN reaction x ON x.id = a.reaction_id JOIN visit v ON v.id = x.visit_id
            WHERE o.kind = 'aefi_report' AND json_extract(o.body, '$.serious') = 1
            AND v.day = '$DAY' AND v.ticket = $A")"
  keys Enter
  expect_screen "$L: releasing it asks for the outcome" "$OUTCOME"
  equal "$L: the bare key released nobody" "observing" "$(state_of $A)"
  type_text 1
  expect_screen "$L: then the doctor's note" "$NOTE"
  type_text "mach 80, huyet ap 120/80"
  keys Enter
  expect_screen "$L: then a doctor's confirmation (login and PIN)" "$DOCTOR_BOX"
  # a nurse's own login is not a doctor's: refused in the box, which asks again
  type_text dieuduong
  keys Tab
  type_text 1234
  keys Enter
  expect_screen "$L: a nurse cannot confirm it" "$NOT_DOCTOR"
  expect_screen "$L: the box stays open" "$DOCTOR_BOX"
  equal "$L: still under observation" "observing" "$(state_of $A)"
  keys Escape
  expect_no_screen "$L: Esc closes the box" "$DOCTOR_BOX"
  equal "$L: and releases nobody" "observing" "$(state_of $A)"
  keys Enter
  expect_screen "$L: asked again" "$OUTCOME"
  type_text 1
  expect_screen "$L: the note again" "$NOTE"
  type_text "mach 80, huyet ap 120/80"
  keys Enter
  expect_screen "$L: the doctor's box again" "$DOCTOR_BOX"
  type_text bacsi
  keys Tab
  type_text 1234
  keys Enter
  expect_screen "$L: the release names the confirming doctor" "$CONFIRMED"
  equal "$L: the visit is done" "done" "$(state_of $A)"
  equal "$L: the reaction row holds outcome, note, doctor and actor" \
    "recovered|mach 80, huyet ap 120/80|$(staff_id bacsi)|$(staff_id dieuduong)" \
    "$(sql "SELECT outcome, outcome_note, confirmed_by, updated_by FROM reaction WHERE visit_id=$(visit_of $A)")"
  check "$L: the release event names the outcome and the doctor, by the nurse" \
    bash -c "sqlite3 '$DB' \"SELECT staff_id || '|' || details FROM visit_event WHERE visit_id=$(visit_of $A) ORDER BY id DESC LIMIT 1\" | grep -q '^$(staff_id dieuduong)|.*recovered.*bacsi'"
  check "$L: the doctor's PIN check is audited" \
    bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM audit WHERE staff_id=$(staff_id bacsi) AND action='sign-in'\") -gt 0 ]"
  # the cursor is now on B, who may leave: the same key again must not release B
  keys Enter
  expect_screen "$L: right after a release the same key asks to choose the next person" "$MOVE_FIRST"
  equal "$L: and B is still under observation" "observing" "$(state_of $B)"
  keys Down Up
  keys Enter
  for i in $(seq 40); do [ "$(state_of $B)" = done ] && break; sleep 0.1; done
  equal "$L: after moving the cursor, B is released" "done" "$(state_of $B)"
  keys Escape
  keys Enter
  expect_screen "$L: a second press after B's release releases nobody" "$MOVE_FIRST"
  keys Enter
  settle
  equal "$L: C is still under observation" "observing" "$(state_of $C)"
  quit

  # ---- 3. a reaction is kept once its signs are confirmed ------------------------------------
  clear_watch
  watch 1 $((T0 - 10 * 60))
  D=$(watched)
  open_station $L
  expect_screen "$L: one person under observation" "$(disp $D)  "
  keys F7
  expect_screen "$L: F7 asks for the signs" "$SIGNS"
  keys Space Enter
  expect_screen "$L: then the action taken" "$ACTION"
  keys Escape
  expect_screen "$L: Esc at the action keeps the reaction and says what is missing" "$KEPT_BOTH"
  equal "$L: the reaction is in the database" "1|local" \
    "$(sql "SELECT count(*), trim(group_concat(signs)) FROM reaction WHERE visit_id=$(visit_of $D)")"
  expect_screen "$L: the row says the reaction is to complete" "$TO_COMPLETE"
  keys F7
  expect_screen "$L: F7 on that person completes it: the action first" "$ACTION"
  type_text 2
  expect_screen "$L: then the severity" "$SEVERITY"
  keys Escape
  expect_screen "$L: Esc at the severity keeps the action and says what is missing" "$KEPT_SEV"
  equal "$L: the action is stored, still one reaction" "1|treated" \
    "$(sql "SELECT count(*), max(action) FROM reaction WHERE visit_id=$(visit_of $D)")"
  keys F7
  expect_screen "$L: F7 again asks only for the severity" "$SEVERITY"
  type_text 1
  expect_screen "$L: the reaction is complete" "$COMPLETED"
  equal "$L: one complete minor reaction, treated" "1|treated|minor|" \
    "$(sql "SELECT count(*), action, severity, pending FROM reaction WHERE visit_id=$(visit_of $D)")"
  quit

  # ---- 9. a thousand people -------------------------------------------------------------------
  clear_watch
  rm -f "$BELLS"
  watch 1000 $((T0 - 15 * 60))
  LAST_NAME=$(sql "SELECT p.full_name FROM visit v JOIN person p ON p.id = v.person_id
                   WHERE v.state='observing' ORDER BY v.state_since DESC, v.id DESC LIMIT 1")
  LAST=$(watched | tail -1)
  FIRST_NAME=$(sql "SELECT p.full_name FROM visit v JOIN person p ON p.id = v.person_id
                    WHERE v.state='observing' ORDER BY v.state_since, v.id LIMIT 1")
  open_station $L
  expect_screen "$L: the header counts all 1000" "$HEADER_1000" 20
  check "$L: the list cut for the screen says how many more" \
    bash -c "$TM capture-pane -p -t main | grep -qE '\\+[0-9]+ $MORE'"
  keys End
  check "$L: End scrolls to the last person" \
    bash -c "for i in \$(seq 100); do $TM capture-pane -p -t main | grep -E '^ *$(disp $LAST)  ' | grep -qF '$LAST_NAME' && exit 0; sleep 0.1; done; exit 1"
  keys Home
  expect_screen "$L: Home goes back to the first" "$FIRST_NAME"
  keys PageDown
  check "$L: PgDn moves down the list" \
    bash -c "for i in \$(seq 50); do $TM capture-pane -p -t main | grep -qF '$FIRST_NAME' || exit 0; sleep 0.1; done; exit 1"
  echo "2021-10-15T09:00" >"$VAXSITE_CLOCK_FILE"
  expect_screen "$L: an hour later all 1000 may leave" "$LEAVE_1000" 30
  for i in $(seq 100); do [ "$(bells)" -ge 1000 ] && break; sleep 0.2; done
  sleep 3 # three more ticks: nobody is rung for twice
  equal "$L: the bell rang 1000 times" "1000" "$(bells)"
  equal "$L: once for each person" "1000" "$(sort -u "$BELLS" 2>/dev/null | wc -l | tr -d ' ')"
  quit
  echo "2021-10-15T08:00" >"$VAXSITE_CLOCK_FILE"
done
finish
