#!/bin/bash
# The manager's forms never lose input silently: in the planning form and the stock receipt form,
# Esc, F10 and Ctrl-C with changed fields ask, Enter and Esc keep what was typed, and only the
# letter the question names discards it (D in English, B "Bỏ" in Vietnamese).
. "$(dirname "$0")/lib.sh"

export VAXSITE_CLOCK_FILE="$WORK/clock"
echo "2021-10-15T09:00" >"$VAXSITE_CLOCK_FILE"
demo_db 100

# form_case LANG STATION_LABEL "KEYS TO OPEN" FIELD_TEXT DISCARD_LETTER QUESTION QUIT_QUESTION
form_case() {
  local lang=$1 station=$2 open=$3 field=$4 letter=$5 question=$6 quit=$7
  tui 80 24 --lang "$lang"
  sign_in quanly "$station"
  expect_screen "$lang $station: the station opens" "$station"
  # shellcheck disable=SC2086
  keys $open
  expect_screen "$lang $station: the form opens" "$field"
  keys BSpace # a prefilled field may be full: take a character away, then type one
  type_text "9"
  keys Escape
  expect_screen "$lang $station: Esc with a change asks first" "$question"
  keys Enter
  expect_no_screen "$lang $station: Enter keeps the input (the question is gone)" "$question"
  expect_screen "$lang $station: and the form is still there" "$field"
  keys F10
  expect_screen "$lang $station: F10 with a change asks" "$quit"
  keys Escape
  expect_no_screen "$lang $station: Esc keeps the station open" "[vaxsite exited]"
  keys C-c
  expect_screen "$lang $station: Ctrl-C asks too" "$quit"
  keys Escape
  keys Escape
  expect_screen "$lang $station: Esc asks again" "$question"
  type_text "$letter"
  expect_no_screen "$lang $station: the letter discards and leaves the form" "$field"
  keys F10
  expect_screen "$lang $station: with nothing typed F10 quits at once" "[vaxsite exited]"
}

# the planning form opens on a day not planned yet: the demo plans today and the next day, so
# the day before
form_case en "Planning" "Left F2" "Slot length" d "Discard what was typed?" "Quit anyway?"
form_case vi "Lập kế hoạch" "Left F2" "Độ dài khung" b "Bỏ những gì đã nhập?" "Vẫn thoát?"
form_case en "Vaccine stock" F2 "as on the label" d "Discard what was typed?" "Quit anyway?"
form_case vi "Kho vắc xin" F2 "như trên nhãn" b "Bỏ những gì đã nhập?" "Vẫn thoát?"

finish
