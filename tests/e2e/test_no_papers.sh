#!/bin/bash
# People without papers at the check-in desk: the ID number left empty gets an identifier the site
# makes (KGT and 9 letters or digits, never taken for a CCCD or CMND), a birth known only by its
# year is kept so, shown so, gives an age, is found by "name year", and a check-in puts a person of
# 65 and over in that age band. The command line registers the same way.
. "$(dirname "$0")/lib.sh"

year=$(date +%Y)
for lang in en vi; do
  rm -f "$DB" "$DB-wal" "$DB-shm"
  demo_db 60
  if [ $lang = vi ]; then
    t_reg="Đã đăng ký Giàng Thị Máy"; t_age="sinh 1948 ($((year - 1948)) tuổi)"; t_ticket="số thứ tự"
  else
    t_reg="Registered Giàng Thị Máy"; t_age="born 1948 ($((year - 1948)) years)"; t_ticket="ticket"
  fi
  tui 100 30 --lang $lang
  sign_in dieuduong 1
  wait_for "F2"
  keys F2
  settle
  type_text "Giàng Thị Máy"
  keys Tab
  keys Tab # no ID number: she has no papers
  type_text 1948
  keys Tab
  type_text f
  keys F5
  expect_screen "$lang: registered without an ID number" "$t_reg"
  check "$lang: with an identifier the site made and her birth year alone" \
    wait_sql "SELECT substr(national_id, 1, 3) || '|' || length(national_id) || '|' || birth_date FROM person WHERE full_name = 'Giàng Thị Máy'" \
    "KGT|12|1948"
  expect_screen "$lang: the year is shown, with her age" "$t_age"
  keys Escape
  settle
  type_text "$(sql "SELECT lower(national_id) FROM person WHERE full_name = 'Giàng Thị Máy'")"
  expect_screen "$lang: her identifier finds her at the desk, typed in lower case" "$t_age"
  keys Escape
  type_text "may 1948"
  expect_screen "$lang: found by her name and birth year" "Giàng Thị Máy"
  keys Enter
  wait_for "$t_ticket" >/dev/null
  check "$lang: checked in, in the band of 65 and over" \
    wait_sql "SELECT v.age_band FROM visit v JOIN person p ON p.id = v.person_id WHERE p.full_name = 'Giàng Thị Máy'" "0"
done

out=$($VAXSITE --db "$DB" --lang en person add --name "Giàng A Páo" --dob 06/1950 --sex m 2>&1); rc=$?
equal "cli: no --id makes the site's identifier; a month and year are kept" "0|KGT|1950-06" \
  "$rc|$(sql "SELECT substr(national_id, 1, 3) || '|' || birth_date FROM person WHERE full_name = 'Giàng A Páo'")"
id=$(sql "SELECT national_id FROM person WHERE full_name = 'Giàng A Páo'")
out=$($VAXSITE --db "$DB" --lang en person find "$(echo "$id" | tr 'A-Z' 'a-z')" 2>&1)
equal "cli: the identifier finds him, typed in lower case" "$id	Giàng A Páo	06/1950" "$out"

finish
