#!/bin/bash
# The manager's screen of the sync's conflicts in a real terminal: a nurse is refused at it; a
# manager sees the count and the chosen conflict's two sides, resolves a dose given twice with a
# reason after a confirmation, and the database holds the void, the resolution event (who, why)
# and the audit row; the events kept apart are listed.
. "$(dirname "$0")/lib.sh"

demo_db 300
$VAXSITE --db "$DB" sync demo-conflicts >/dev/null
DOSE_B=ffffffff-0000-4000-8000-000000000001

# the stations list by number 1..9 only: the eleventh is reached with the arrows
open_conflicts() {
  wait_for "PIN" || return 1
  type_text "$1"
  keys Tab
  type_text 1234
  keys Enter
  wait_for "    Sync conflicts" || return 1
  keys Down Down Down Down Down Down Down Down Down Down Enter
}

tui 80 24 --lang en
open_conflicts dieuduong
expect_screen "a nurse is refused at the conflicts screen" \
  "Your role (Nurse) cannot work at the Sync conflicts."
tui 80 24 --lang en
open_conflicts quanly
expect_screen "a manager sees how many conflicts there are" "2 conflicts to resolve; page 1 of 1"
expect_screen "and the chosen one's other side: site, device, desk" \
  "site TEAM-B · device b0b0b0b0 · desk injection-2"
keys Enter
expect_screen "Enter offers what a dose given twice allows" "Keep dose a, void dose b"
keys Enter
expect_screen "a reason is asked" "Reason (kept in the audit and sent with it):"
type_text "Nhập hai lần"
keys Enter
expect_screen "and the resolution confirmed" "Resolve the conflict so?"
keys Enter
expect_screen "resolved, and it says so" "Resolved: Keep dose a, void dose b; it leaves with the next sync."
expect_screen "one conflict is left" "1 conflicts to resolve; page 1 of 1"
check "the other team's dose is voided" wait_sql "SELECT voided FROM dose WHERE uuid = '$DOSE_B'" 1
equal "the resolution event names the manager, the action and the reason" "quanly|keep_a|Nhập hai lần" \
  "$(sql "SELECT json_extract(body, '$.by') || '|' || json_extract(body, '$.action') || '|' || json_extract(body, '$.reason') FROM sync_entry WHERE kind = 'conflict_resolved'")"
equal "the audit row names the manager" "quanly" \
  "$(sql "SELECT s.login FROM audit a JOIN staff s ON s.id = a.staff_id WHERE a.action = 'sync.conflict_resolve'")"
keys F7
expect_screen "F7 lists the events kept apart" "1 events kept apart; page 1 of 1"
expect_screen "with what differs" "b0b0b0b0"

# the list numbers only the rows a key opens: "1" opened the check-in desk for a manager who read
# "10" or "11" there, and ':' and ';' opened those two unseen
tui 80 24 --lang en
wait_for "PIN"
type_text quanly; keys Tab; type_text 1234; keys Enter
wait_for "9  Reports"
expect_no_screen "rows 10 and 11 show no number to type" "11  Sync conflicts"
type_text ":;"
expect_no_screen "':' and ';' open nothing" "F7 Desks and rooms"
expect_screen "the list is still there" "    Sync conflicts"
finish
