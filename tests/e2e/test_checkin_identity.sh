#!/bin/bash
# Who comes to the check-in desk: a chip ID card scanned into the search finds the registered
# person (one Enter then checks them in) or opens the registration filled in from the card (its
# old CMND kept as the old ID); a bad scan says what is wrong; a registration that may be a second
# record asks whether it is the same person (the new ID linked) or someone else; the urgent mark
# asks why from the core's reasons, and F1 says what urgent does. In Vietnamese and in English.
. "$(dirname "$0")/lib.sh"

for lang in vi en; do
  rm -f "$DB" "$DB-wal" "$DB-shm"
  demo_db 60
  tui 80 24 --lang $lang
  sign_in dieuduong 1
  if [ $lang = vi ]; then
    t_found="được tìm thấy qua thẻ"; t_scan="Quét thẻ"; t_reg="chưa đăng ký"; t_dup="Đã đăng ký rồi?"; t_ticket="số thứ tự"
    t_same="Cùng một người"; t_why="Vì sao"; t_help="được gọi trước"
  else
    t_found="found by the ID card"; t_scan="Card scan"; t_reg="is not registered"; t_dup="Registered already?"; t_ticket="ticket"
    t_same="Same person"; t_why="Why does this person"; t_help="called next at"
  fi
  wait_for "F2"

  # (a) a registered person's card: found, then one Enter checks in
  type_text "012187000001||Bùi Ngọc Trang|14121987|Nữ|Phường Tân Phong, Thành phố Lai Châu, Lai Châu|01052021"
  keys Enter
  expect_screen "$lang: a scanned card finds the registered person" "$t_found"
  keys Enter
  wait_for "$t_ticket" >/dev/null
  equal "$lang: and one Enter checks them in" "1" \
    "$(sql "SELECT count(*) FROM visit v JOIN person p ON p.id = v.person_id WHERE p.national_id = '012187000001' AND v.state = 'waiting_screening'")"
  keys Escape
  settle

  # a scan that is not a card: its words
  type_text "0121870|x|"
  keys Enter
  expect_screen "$lang: a bad scan says what is wrong" "$t_scan"
  keys Escape

  # (a) nobody under the card: the registration, filled in, the old CMND kept
  type_text "001190054321|012345678|Lò Thị Hằng|15031990|Nữ|Bản Na, Sơn Bình, Tam Đường, Lai Châu|01052021"
  keys Enter
  expect_screen "$lang: an unknown card opens the registration" "$t_reg"
  expect_screen "$lang: filled in from the card" "Lò Thị Hằng"
  keys F5
  wait_for "Enter" >/dev/null
  settle
  equal "$lang: registered with the CCCD, the old CMND linked to the record" "Lò Thị Hằng|1990-03-15|f|012345678" \
    "$(sql "SELECT p.full_name || '|' || p.birth_date || '|' || p.sex || '|' || i.value FROM person p JOIN person_id i ON i.person_id = p.id WHERE p.national_id = '001190054321' AND i.value <> p.national_id")"
  keys Escape

  # (b) a second record of someone registered: same name and birth date, a new ID
  keys F2
  settle
  type_text "Bùi Ngọc Trang"
  keys Tab
  type_text 001187099999
  keys Tab
  type_text 14/12/1987
  keys Tab
  type_text f
  keys F5
  expect_screen "$lang: a possible second record asks first" "$t_dup"
  expect_screen "$lang: naming the registered person" "$t_same"
  keys 1
  settle
  equal "$lang: the same person: the new ID is linked to the record, no new record" "012187000001|1" \
    "$(sql "SELECT p.national_id || '|' || (SELECT count(*) FROM person WHERE full_name = 'Bùi Ngọc Trang') FROM person_id i JOIN person p ON p.id = i.person_id WHERE i.value = '001187099999'")"

  # (c) urgent: the reason from the core's list
  keys Escape
  type_text 012187000001
  settle
  keys F3
  expect_screen "$lang: urgent asks why" "$t_why"
  keys 2
  settle
  equal "$lang: the reason is recorded (pregnant)" "1|pregnant" \
    "$(sql "SELECT v.urgent, v.urgent_reason FROM visit v JOIN person p ON p.id = v.person_id WHERE p.national_id = '012187000001'")"
  keys F1
  expect_screen "$lang: F1 says what urgent does" "$t_help"
  keys Escape
  $TM kill-session -t main
done
finish
