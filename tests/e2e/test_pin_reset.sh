#!/bin/bash
# A PIN a manager reset, set at the sign-in screen: the old PIN no longer signs in, the new PIN is
# asked twice (hidden, 4 to 12 digits), a bad one is asked again, and the member then picks a
# station as after a normal sign-in; in Vietnamese and in English.
. "$(dirname "$0")/lib.sh"

demo_db 20
$VAXSITE --db "$DB" setting set staff.pin_iterations 1000 >/dev/null

n=0
for lang in vi en; do
  n=$((n + 1))
  $VAXSITE --db "$DB" --lang en staff reset-pin dieuduong >/dev/null
  tui 80 24 --lang $lang
  wait_for "PIN" || wait_for "Mã PIN"
  type_text dieuduong
  keys Tab
  type_text 1234
  keys Enter
  if [ $lang = vi ]; then
    expect_screen "$lang: a reset PIN asks for a new one" "Đặt mã PIN mới"
  else
    expect_screen "$lang: a reset PIN asks for a new one" "Set a new PIN"
  fi
  expect_screen "$lang: and says why (the core's words)" "dieuduong"
  # too short: the core refuses it, and the new PIN is asked again
  type_text 12
  keys Enter
  type_text 12
  keys Enter
  if [ $lang = vi ]; then
    expect_screen "$lang: a PIN of 2 digits is refused" "4 đến 12 chữ số"
  else
    expect_screen "$lang: a PIN of 2 digits is refused" "4 to 12 digits"
  fi
  # two different PINs
  type_text 5678
  keys Enter
  type_text 5679
  keys Enter
  if [ $lang = vi ]; then
    expect_screen "$lang: two different PINs are refused" "không giống nhau"
  else
    expect_screen "$lang: two different PINs are refused" "not the same"
  fi
  equal "$lang: nothing set yet" "1" "$(sql "SELECT pin_reset FROM staff WHERE login='dieuduong'")"
  type_text 5678
  keys Enter
  expect_no_screen "$lang: the PIN is hidden" "5678"
  type_text 5678
  keys Enter
  if [ $lang = vi ]; then
    expect_screen "$lang: signed in, the station list" "Chọn vị trí làm việc"
  else
    expect_screen "$lang: signed in, the station list" "Choose your station"
  fi
  equal "$lang: the new PIN is stored, the reset cleared, audited by the member" "0|$n" \
    "$(sql "SELECT s.pin_reset, (SELECT count(*) FROM audit a WHERE a.action='staff.pin_set' AND a.staff_id=s.id) FROM staff s WHERE login='dieuduong'")"
  keys 1
  if [ $lang = vi ]; then
    expect_screen "$lang: the station opens as after a normal sign-in" "Bàn tiếp đón"
  else
    expect_screen "$lang: the station opens as after a normal sign-in" "Check-in desk"
  fi
  check "$lang: the list no longer asks for a new PIN" \
    sh -c "! $VAXSITE --db '$DB' --lang en staff list | grep '^dieuduong' | grep -q 'new PIN'"
  $TM kill-session -t main
done

# VAX_ESTATE: another terminal set the PIN meanwhile; this one goes back to the login
$VAXSITE --db "$DB" --lang en staff reset-pin dieuduong >/dev/null
tui 80 24 --lang en
wait_for "PIN"
type_text dieuduong
keys Tab
type_text 1234
keys Enter
wait_for "Set a new PIN"
sql "UPDATE staff SET pin_reset = 0 WHERE login='dieuduong'"
type_text 4321
keys Enter
type_text 4321
keys Enter
expect_screen "someone set the PIN meanwhile: the reason is shown" "was not reset"
expect_screen "and the login is shown again" "Sign in"
expect_no_screen "nobody is signed in" "Choose your station"
finish
