#!/bin/bash
# A 15-year-old in the injection room, in a real terminal (15/4/2022): without a parent's or
# guardian's name and phone on record no dose is given; once they are recorded (person guardian),
# the room marks the vials that are not for her (AstraZeneca: 18 and over; the children's Pfizer:
# 5 to 11, CV 1535/BYT-DP), refuses a dose from one, and records Pfizer's 12-and-over vaccine (CV
# 8688/BYT-DP). Then, in Vietnamese, a boy of 12 registered with his mother (person add
# --guardian). Screening has its own e2e: the visits are put in the queue for injection directly.
. "$(dirname "$0")/lib.sh"

export VAXSITE_CLOCK_FILE="$WORK/clock"
echo "2022-04-15T09:00" >"$VAXSITE_CLOCK_FILE"
V() { $VAXSITE --db "$DB" --lang en "$@"; }

V site init --code 12001 --name "Trạm Y tế xã Bản Giang" --commune "Bản Giang" \
  --district "Tam Đường" --province "Lai Châu" >/dev/null
echo 2468 | V staff add --login quanly --name "Nguyễn Thị Hoa" --role manager >/dev/null
echo 1234 | V staff add --login yta --name "Lò Thị Mai" --role nurse >/dev/null
V person add --name "Lò Thị Pằn" --id 012306000124 --dob 01/09/2006 --sex f >/dev/null
out=$(V person guardian 012306000124)
equal "no guardian on record yet" "012306000124	no guardian on record" "$out"
V stock receive --product AZ --lot ABV5300 --expiry 01/12/2022 --vials 2 --from CDC >/dev/null
V stock receive --product PFC --lot FN4302 --expiry 01/12/2022 --vials 2 --from CDC >/dev/null
V stock receive --product PF --lot FK1234 --expiry 01/12/2022 --vials 2 --from CDC >/dev/null
for lot in 1 2 3; do V stock open $lot --station injection-1 >/dev/null; done
V queue checkin 012306000124 >/dev/null
sql "UPDATE visit SET state = 'waiting_injection'" >/dev/null

tui 100 30 --lang en
sign_in yta "Injection room"
expect_screen "the injection room opens" "Open vials at Injection room 1"
keys Enter
expect_screen "calling next names her first dose" "this is dose 1"
expect_screen "the AstraZeneca vial is marked as not for her" \
  "AZ   lot ABV5300      10 of 10 doses left  ✗ not for this person"
expect_screen "so is the children's formulation (5 to 11)" \
  "PFC  lot FN4302       10 of 10 doses left  ✗ not for this person"
check "the Pfizer vial for 12 and over is not marked" \
  bash -c "! $TM capture-pane -p -t main | grep -q 'PF   lot FK1234.*not for this person'"

# --- the 12-and-over vial (the list is by product: AZ, PF, PFC), no guardian on record: refused ---
keys Down
keys Enter
expect_screen "Enter asks which arm" "Which arm?"
type_text l
expect_screen "a minor without a guardian on record is refused, saying what to record" \
  "Guardian: Lò Thị Pằn is 15; record the parent's or guardian's name and phone first."
equal "nothing was recorded" "0" "$(sql "SELECT count(*) FROM dose")"

# --- the guardian recorded at the desk's command line; AstraZeneca refused, Pfizer recorded --------
out=$(V person guardian 012306000124 --name "Lò Văn Pành" --phone 0912345678); rc=$?
equal "person guardian records her father" "0|012306000124	Lò Văn Pành	0912345678" "$rc|$out"
equal "the guardian row and its audit" "Lò Văn Pành|0912345678|1" \
  "$(sql "SELECT name, phone, (SELECT count(*) FROM audit WHERE action = 'person.guardian') FROM person_guardian")"
keys Up
keys Enter
expect_screen "Enter asks which arm" "Which arm?"
type_text l
expect_screen "AstraZeneca is refused for her age" \
  "Product: AZ is given from 18 years of age; this person is 15."
keys Down Down
keys Enter
expect_screen "Enter asks which arm" "Which arm?"
type_text l
expect_screen "the children's formulation is refused too" \
  "Product: PFC is given from 5 to 11 years of age; this person is 15."
equal "still nothing recorded" "0" "$(sql "SELECT count(*) FROM dose")"
keys Up
keys Enter
expect_screen "Enter asks which arm" "Which arm?"
type_text l
expect_screen "Pfizer's 12-and-over vaccine is recorded" "Dose 1 (PF lot FK1234, left arm) recorded"
equal "the database holds her one dose, Pfizer, and her guardian" "1|PF|Lò Văn Pành" \
  "$(sql "SELECT count(*), max(d.product), max(g.name) FROM dose d JOIN person_guardian g ON g.person_id = d.person_id")"

# --- in Vietnamese: a boy of 12 with his mother on record sees the same marks and refusals -------
V person add --name "Lò Văn Sứ" --id 012210000125 --dob 01/02/2010 --sex m \
  --guardian "Lò Thị Xuân" --guardian-phone 0987654321 >/dev/null
equal "person add records the guardian with the registration" "Lò Thị Xuân|0987654321" \
  "$(sql "SELECT g.name, g.phone FROM person_guardian g JOIN person p ON p.id = g.person_id WHERE p.national_id = '012210000125'")"
V queue checkin 012210000125 >/dev/null
sql "UPDATE visit SET state = 'waiting_injection' WHERE state = 'waiting_screening'" >/dev/null
tui 100 30 --lang vi
sign_in yta "Phòng tiêm"
expect_screen "the Vietnamese injection room opens" "Lọ đang mở tại"
keys Enter
expect_screen "the boy is called" "Lò Văn Sứ"
expect_screen "AstraZeneca and the children's Pfizer are marked as not for him, in Vietnamese" \
  "AZ   lô ABV5300      còn 10/10 liều  ✗ không dùng cho người này"
expect_screen "(the children's Pfizer line)" "PFC  lô FN4302       còn 10/10 liều  ✗ không dùng cho người này"
keys Enter
expect_screen "Enter asks which arm, in Vietnamese" "Tiêm tay nào?"
type_text l
expect_screen "AstraZeneca is refused for his age, in Vietnamese" \
  "Vắc xin: AZ tiêm cho người từ 18 tuổi; người này 12 tuổi."
equal "no dose for him" "0" "$(sql "SELECT count(*) FROM dose d JOIN person p ON p.id = d.person_id WHERE p.national_id = '012210000125'")"

# --- the check-in desk asks for the guardian of a child who has none on record, in both languages ---
V person add --name "Giàng Thị Mỷ" --id 012308000126 --dob 05/05/2008 --sex f >/dev/null
V person add --name "Giàng Văn Pó" --id 012209000127 --dob 06/06/2009 --sex m >/dev/null
for lang in en vi; do
  if [ $lang = en ]; then id=012308000126; t_ask="is under 18"; t_none="no guardian on record"; t_ticket="ticket"
  else id=012209000127; t_ask="chưa đủ 18 tuổi"; t_none="chưa ghi người giám hộ"; t_ticket="số thứ tự"; fi
  tui 100 30 --lang $lang
  [ $lang = en ] && sign_in yta "Check-in desk" || sign_in yta "Bàn tiếp đón"
  wait_for "F2" >/dev/null
  type_text $id
  expect_screen "$lang: the desk says the child has no guardian on record" "$t_none"
  keys Enter
  expect_screen "$lang: Enter asks for the parent or guardian first" "$t_ask"
  keys Escape
  settle
  equal "$lang: cancelled: not checked in" "0" \
    "$(sql "SELECT count(*) FROM visit v JOIN person p ON p.id = v.person_id WHERE p.national_id = '$id'")"
  keys Enter
  wait_for "$t_ask" >/dev/null
  type_text "Giàng A Chứ"
  keys Enter
  settle
  type_text 0912000333
  keys Enter
  expect_screen "$lang: then the ticket" "$t_ticket"
  equal "$lang: the guardian is recorded and the child checked in" "Giàng A Chứ|0912000333|1" \
    "$(sql "SELECT g.name || '|' || g.phone || '|' || (SELECT count(*) FROM visit v WHERE v.person_id = p.id) FROM person p JOIN person_guardian g ON g.person_id = p.id WHERE p.national_id = '$id'")"
done

finish
