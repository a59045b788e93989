#!/bin/bash
# Urgent where people look: a ticket marked urgent at the check-in desk (F3, a reason) shows its
# mark and reason at the desk, on the queue overview and at the screening desk that calls it first;
# the board shows the mark, first in its waiting list, and says what it means, but never why (the
# reasons are health data and the board is a public screen). The mark is audited and counted in
# the day's report. English and Vietnamese, 80x24.
. "$(dirname "$0")/lib.sh"

export VAXSITE_CLOCK_FILE="$WORK/clock"
echo "2021-10-15T09:00" >"$VAXSITE_CLOCK_FILE"
demo_db 200
DAY=2021-10-15

# the last of the demo's tickets waiting for screening: the one call-next would take last
ticket=$(sql "SELECT max(ticket) FROM visit WHERE day = '$DAY' AND state = 'waiting_screening'")
t3=$(printf '%03d' "$ticket")
id=$(sql "SELECT p.national_id FROM visit v JOIN person p ON p.id = v.person_id
          WHERE v.day = '$DAY' AND v.ticket = $ticket")
check "the demo has a ticket waiting for screening" [ -n "$id" ]

# --- the check-in desk: F3 and a reason -------------------------------------------------------
tui 80 24 --lang en
sign_in dieuduong "Check-in desk"
expect_screen "the check-in desk opens" "Search:"
type_text "$id"
expect_screen "the person's ticket of today is found" "Today: ticket $t3"
keys F3
expect_screen "F3 asks why the person goes first" "Why does this person go first?"
keys Enter
expect_screen "the first reason marks the ticket urgent" "Ticket $t3 is marked urgent."
wait_sql "SELECT urgent || ' ' || urgent_reason FROM visit WHERE day = '$DAY' AND ticket = $ticket" \
  "1 elderly"
equal "stored urgent, for 'elderly or frail'" "1|elderly" \
  "$(sql "SELECT urgent, urgent_reason FROM visit WHERE day = '$DAY' AND ticket = $ticket")"
equal "audited with the reason, by the nurse signed in" "urgent elderly|dieuduong" \
  "$(sql "SELECT a.details, s.login FROM audit a JOIN staff s ON s.id = a.staff_id
          WHERE a.action = 'visit.urgent' ORDER BY a.id DESC LIMIT 1")"
expect_screen "the details say urgent and why" "· URGENT: elderly"
expect_screen "the result row marks the ticket" "#$t3*"
keys F10
expect_screen "F10 quits" "[vaxsite exited]"

# --- the queue overview: the mark and the reason on the ticket's row ------------------------------
for lang in en vi; do
  tui 80 24 --lang $lang
  sign_in quanly 5
  if [ $lang = en ]; then want="URGENT elderly"; else want="KHẨN cao tuổi"; fi
  expect_screen "($lang) the queue overview opens" "$t3  "
  wait_for "$want"
  line=$(screen | grep -F "$t3  " | head -1)
  check "($lang) the ticket's row says '$want'" grep -qF "$want" <<<"$line"
  keys F10
  wait_for "[vaxsite exited]"
done

# --- the board: the mark, first in the list, its meaning, never the reason -----------------------
for lang in en vi; do
  tui 80 24 --lang $lang board
  if [ $lang = en ]; then head="Waiting for screening"; legend="* called first"; reason="elderly"
  else head="Chờ khám sàng lọc"; legend="* được gọi trước"; reason="cao tuổi"; fi
  expect_screen "($lang) the board says what the star means" "$legend"
  shot=$(screen)
  first=$(grep -A1 -F "$head" <<<"$shot" | tail -1 | awk '{print $1}')
  equal "($lang) the urgent ticket leads the waiting list, starred" "$t3*" "$first"
  check "($lang) the board does not say why" bash -c '! grep -qF "$1" <<<"$2"' _ "$reason" "$shot"
  keys q
  wait_for "[vaxsite exited]"
done

# --- the screening desk calls it first and says why -----------------------------------------------
# desk 2: the demo left ticket 011 unfinished at desk 1, which Enter would resume first
tui 80 24 --lang en
sign_in bacsi "Screening desk" 2
expect_screen "the idle desk says the next ticket is urgent" "urgent (next: ticket $t3, urgent)."
keys F1
expect_screen "F1 says what Enter does with urgent tickets" "urgent tickets first, in the order"
keys Escape
expect_no_screen "F1 closes" "Press any key"
keys Enter
expect_screen "Enter calls the urgent ticket first" "Ticket $t3 called to"
expect_screen "the header says why it came first" "· URGENT: elderly"
equal "the database has it at desk 2" "screening|screening-2" \
  "$(sql "SELECT state, station FROM visit WHERE day = '$DAY' AND ticket = $ticket")"
$TM kill-session -t main >/dev/null 2>&1

# --- the day's report counts it ------------------------------------------------------------------
rep=$($VAXSITE --db "$DB" --lang en report --date "$DAY")
check "the day's report counts one urgent for 'elderly or frail'" \
  grep -qE "Urgent: elderly or frail[^0-9]*1\b" <<<"$rep"
finish
