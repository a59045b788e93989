#!/bin/bash
# Planning in a real terminal (issue 3): the manager plans a day on the Planning screen, a person
# is booked from the check-in desk (F8), checked in, and the slot's fill changes on the Planning
# screen; the database holds what the screens said. The clock is set so the slots are known.
. "$(dirname "$0")/lib.sh"

echo 2021-10-15T10:05 >"$WORK/clock"
export VAXSITE_CLOCK_FILE="$WORK/clock"
# the tmux server does not pass the environment on: name the clock on the command line
VAXSITE="env VAXSITE_CLOCK_FILE=$WORK/clock $VAXSITE"
demo_db 200
tui 100 30 --lang en
expect_screen "the sign-in screen appears" "PIN"
type_text quanly; keys Tab; type_text 1234; keys Enter
expect_screen "the station list shows Planning" "Planning"
n=$(screen | sed -n 's/^[^0-9]*\([0-9]\)  *Planning.*/\1/p' | head -1)
check "Planning has a number in the list" [ -n "$n" ]
type_text "$n"
expect_screen "the Planning screen opens on today" "Day 15/10/2021"
expect_screen "today's demo bookings show as a fill" "10:00-10:30"
before_fill=$(screen | grep -F "10:00-10:30" | sed -n 's/.* \([0-9]*\)\/10 .*/\1/p' | head -1)
equal "the 10:00 slot holds the demo's 8 bookings" "8" "$before_fill"

# --- plan a new day --------------------------------------------------------------------------
keys Right Right
expect_screen "two days on: not planned yet" "Not planned yet"
keys F2
expect_screen "F2 opens the plan form" "Plan the day 17/10/2021"
# opens 07:00 and closes 17:00 are offered; make it a short morning of 4 slots
keys Tab
for i in 1 2 3 4 5; do keys BSpace; done
type_text "09:00"; keys Tab
keys Tab
for i in 1 2 3 4; do keys BSpace; done
type_text "0"; keys F5
expect_screen "capacity 0 is refused with the reason" "Capacity: 0 people per slot"
equal "and nothing was written" "0" "$(sql "SELECT count(*) FROM site_day WHERE day='2021-10-17'")"
keys BSpace; type_text "40"; keys Tab
keys BSpace BSpace BSpace; type_text "very_high"; keys F5
expect_screen "saving says what was planned, capped by the risk level" \
  "Planned 17/10/2021: 4 slots, 10 people per slot (Very high risk)"
equal "the database holds the day and its four slots at the capped capacity" "4|10|very_high" \
  "$(sql "SELECT count(*), max(s.capacity), d.risk FROM site_day d JOIN slot s ON s.day_id=d.id WHERE d.day='2021-10-17'")"
expect_screen "the slots of the day are listed" "08:30-09:00"

# --- book a person from the check-in desk --------------------------------------------------------
pid=$(sql "SELECT p.national_id FROM person p WHERE NOT EXISTS (SELECT 1 FROM visit v WHERE v.person_id=p.id) AND NOT EXISTS (SELECT 1 FROM appointment a WHERE a.person_id=p.id) AND NOT EXISTS (SELECT 1 FROM dose d WHERE d.person_id=p.id) ORDER BY p.id DESC LIMIT 1")
check "a person with no booking exists" [ -n "$pid" ]
keys F9
expect_screen "F9 goes back to the station list, the manager still signed in" "Signed in: Nguyễn Thị Hoa"
type_text 1
expect_screen "the check-in desk opens" "Search:"
type_text "$pid"
expect_screen "the person is found" "$pid"
keys F8
expect_screen "F8 opens the Book dialog" "Book an appointment"
expect_screen "the first free slot is the running one, with its fill" "10:00-10:30"
keys Enter
expect_screen "booking says when" "for dose 1 on 15/10/2021 at 10:00-10:30"
equal "the appointment is stored, booked, in the 10:00 slot" "booked|10:00" \
  "$(sql "SELECT a.state, strftime('%H:%M', s.starts_at, 'unixepoch', '+7 hours') FROM appointment a JOIN slot s ON s.id=a.slot_id JOIN person p ON p.id=a.person_id WHERE p.national_id='$pid'")"

# --- check in: linked to the appointment, on time ------------------------------------------------
keys Enter
expect_screen "check-in shows the ticket with the slot, on time" "slot 10:00-10:30 · on time"
equal "the visit is linked to the appointment, which is checked in" "checked_in|1" \
  "$(sql "SELECT a.state, v.appointment_id = a.id FROM appointment a JOIN visit v ON v.id=a.visit_id JOIN person p ON p.id=a.person_id WHERE p.national_id='$pid'")"
keys Space

# --- the slot's fill changed on the Planning screen ----------------------------------------------
keys F9
expect_screen "F9: the station list" "Choose your station"
type_text "$n"
expect_screen "Planning again, on today" "Day 15/10/2021"
expect_screen "the 10:00 slot now holds 9 of 10, one checked in" "9/10 · booked 9 · walk-ins 0 · checked in 1"
equal "the database agrees" "9" \
  "$(sql "SELECT count(*) FROM appointment a JOIN slot s ON s.id=a.slot_id WHERE a.state IN ('booked','checked_in') AND strftime('%H:%M', s.starts_at, 'unixepoch', '+7 hours')='10:00' AND s.day='2021-10-15'")"

# --- it lays out at 80x24 too ----------------------------------------------------------------
resize 80 24
expect_screen "at 80x24 the slot list is still shown" "10:00-10:30"
last=$(sql "SELECT strftime('%H:%M', max(starts_at), 'unixepoch', '+7 hours') FROM slot WHERE day='2021-10-15'")
check "the day has a late slot" [ -n "$last" ]
echo "2021-10-15T${last}:40" >"$WORK/clock"
keys F9
type_text "$n"
expect_screen "opened late in the day, Planning shows the slot running now ($last)" "$last-"
keys F10
expect_screen "F10 quits" "[vaxsite exited]"

# --- the command line: due list as CSV -------------------------------------------------------
out=$($VAXSITE --db "$DB" --lang en due --csv | head -1)
equal "vaxsite due --csv has a header" \
  "national_id,name,phone,earliest,product,commune,dose,recommended,state,days_overdue,booked" "$out"
finish
