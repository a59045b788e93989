#!/bin/bash
# A booster in a real terminal: a man with AstraZeneca then Pfizer (recorded from his card) comes
# on 10/2/2022; the due list names dose 3 as due since 30/1/2022 (CV 10722/BYT-DP: 3 months after
# the series); the injection room refuses Sinopharm for it (the same vaccine or mRNA), records
# Moderna as dose 3; its certificate verifies as dose 3 of 3 (dn/sd 3/3, the EU DCC's numbering of
# a booster after a two-dose series). Then an immunocompromised woman gets the doctor's additional
# dose (key a) 80 days after her series, when a booster would be too early. Screening has its own
# e2e: the visits are put in the queue for injection directly.
. "$(dirname "$0")/lib.sh"

export VAXSITE_CLOCK_FILE="$WORK/clock"
echo "2022-02-10T09:00" >"$VAXSITE_CLOCK_FILE"
V() { $VAXSITE --db "$DB" --lang en "$@"; }

V site init --code 12001 --name "Trạm Y tế xã Bản Giang" --commune "Bản Giang" \
  --district "Tam Đường" --province "Lai Châu" >/dev/null
echo 2468 | V staff add --login quanly --name "Nguyễn Thị Hoa" --role manager >/dev/null
echo 1234 | V staff add --login yta --name "Lò Thị Mai" --role nurse >/dev/null
V keys init >/dev/null
V person add --name "Lò Văn Tuấn" --id 012085000123 --dob 03/04/1985 --sex m >/dev/null
V dose elsewhere 012085000123 --product AZ --date 02/08/2021 --place "Trạm Y tế xã Nậm Tăm" --lot ABV5300 >/dev/null
V dose elsewhere 012085000123 --product PF --date 01/11/2021 --place "Trạm Y tế xã Nậm Tăm" --lot FK1234 >/dev/null
equal "the history holds AZ then PF" "1|AZ,2|PF" \
  "$(sql "SELECT group_concat(dose_number || '|' || product) FROM (SELECT * FROM dose ORDER BY dose_number)")"

# --- the due list names the booster ---------------------------------------------------------------
out=$(V due)
check "the due list has him due for dose 3 since 30/01/2022" \
  grep -q "012085000123.*dose 3.*2022-01-30.*Due" <<<"$out"

# --- the injection room: Sinopharm refused, Moderna recorded as dose 3 -----------------------------
V stock receive --product SP --lot 202112 --expiry 01/12/2022 --vials 2 --from CDC >/dev/null
V stock receive --product MO --lot 3002183 --expiry 01/12/2022 --vials 2 --from CDC >/dev/null
V stock open 1 --station injection-1 >/dev/null
V stock open 2 --station injection-1 >/dev/null
V queue checkin 012085000123 >/dev/null
sql "UPDATE visit SET state = 'waiting_injection'" >/dev/null

tui 100 30 --lang en
sign_in yta "Injection room"
expect_screen "the injection room opens" "Open vials at Injection room 1"
keys Enter
expect_screen "calling next names the dose the history gives" "this is dose 3"
# the vials are listed by product: SP first; Enter records from the selected vial
expect_screen "the Sinopharm vial is listed" "SP   lot 202112"
keys Enter
expect_screen "Enter asks which arm" "Which arm?"
type_text l
expect_screen "a Sinopharm booster after AZ then PF is refused, naming what may give it" \
  "allowed: AZ PF MO"
equal "nothing was recorded" "2" "$(sql "SELECT count(*) FROM dose")"
keys Down
keys Enter
expect_screen "Enter asks which arm" "Which arm?"
type_text l
expect_screen "the Moderna dose is recorded as dose 3" "Dose 3 (MO lot 3002183, left arm) recorded"
equal "the database holds dose 3, Moderna, given here" "3|MO|0" \
  "$(sql "SELECT dose_number, product, additional FROM dose WHERE lot_no = '3002183'")"

# --- an immunocompromised woman (Pfizer twice, the second 80 days ago): the doctor's additional dose;
# as a booster it would be too early (3 months, from 20/02/2022) ------------------------------------
V person add --name "Lò Thị Hương" --id 012185000126 --dob 05/06/1985 --sex f >/dev/null
V dose elsewhere 012185000126 --product PF --date 01/11/2021 --place "Trạm Y tế xã Nậm Tăm" >/dev/null
V dose elsewhere 012185000126 --product PF --date 22/11/2021 --place "Trạm Y tế xã Nậm Tăm" >/dev/null
V queue checkin 012185000126 >/dev/null
sql "UPDATE visit SET state = 'waiting_injection' WHERE state = 'waiting_screening'" >/dev/null
keys Enter
expect_screen "she is called for dose 3" "Lò Thị Hương"
keys Enter
expect_screen "Enter asks which arm" "Which arm?"
type_text l
expect_screen "as a booster, dose 3 is refused until 3 months after dose 2" \
  "Interval: dose 3 (booster) may be given from 20/02/2022"
keys a
expect_screen "a records the additional dose, asking the arm" "Record the additional dose"
type_text l
expect_screen "the additional dose is recorded as dose 3" "Dose 3 (MO lot 3002183, left arm) recorded"
equal "the database marks it the additional dose" "3|MO|1" \
  "$(sql "SELECT d.dose_number, d.product, d.additional FROM dose d JOIN person p ON p.id = d.person_id WHERE p.national_id = '012185000126' AND d.dose_number = 3")"

# --- its certificate: dose 3 of 3 -----------------------------------------------------------------
DOSE=$(sql "SELECT id FROM dose WHERE lot_no = '3002183'")
out=$(V cert issue "$DOSE"); rc=$?
equal "the booster's certificate is issued" "0" "$rc"
CID=${out%% *}
HC1=$(V cert hc1 "$CID")
out=$(V cert verify "$HC1"); rc=$?
equal "it verifies" "0|valid" "$rc|$(head -1 <<<"$out")"
check "it says dose 3 of 3 (dn/sd 3/3)" grep -q "dose: 3 of 3 on 2022-02-10" <<<"$out"
check "of Moderna" grep -q "EU/1/20/1507" <<<"$out"
out=$(V due)
check "and he is no longer due (no second booster before CV 3309/BYT-DP)" \
  bash -c "! grep -q 012085000123 <<<'$out'"
check "she is due for her first booster, dose 4, 3 months after the additional dose" \
  grep -q "012185000126.*dose 4.*2022-05-11.*Not due yet" <<<"$(V due --all)"

finish
